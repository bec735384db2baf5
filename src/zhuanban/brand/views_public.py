"""Stub: being built."""

from django.http import Http404


def search(request, *args, **kwargs):
    raise Http404


def enterprises(request, *args, **kwargs):
    raise Http404


def licence(request, *args, **kwargs):
    raise Http404
