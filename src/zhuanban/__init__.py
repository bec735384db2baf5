"""Zhuanban: the special offices' platform for dispatch, integration and supervision."""
