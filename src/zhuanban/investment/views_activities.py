"""Stub: being written."""

from django.http import Http404


def activity_list(request, **kwargs):
    raise Http404


def activity_create(request, **kwargs):
    raise Http404


def activity_detail(request, **kwargs):
    raise Http404


def activity_edit(request, **kwargs):
    raise Http404
