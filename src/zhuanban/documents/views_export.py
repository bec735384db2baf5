"""Stub: being written."""

from django.http import Http404


def adoption_xlsx(request, *args, **kwargs):
    raise Http404


def adoption_docx(request, *args, **kwargs):
    raise Http404
