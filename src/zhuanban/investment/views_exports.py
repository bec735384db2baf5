"""Stub: being written."""

from django.http import Http404


def signed_projects_xlsx(request, **kwargs):
    raise Http404


def upward_xlsx(request, **kwargs):
    raise Http404
