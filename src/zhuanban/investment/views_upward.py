"""Stub: being written."""

from django.http import Http404


def upward_list(request, **kwargs):
    raise Http404


def upward_create(request, **kwargs):
    raise Http404


def upward_detail(request, **kwargs):
    raise Http404


def upward_edit(request, **kwargs):
    raise Http404


def upward_act(request, **kwargs):
    raise Http404
