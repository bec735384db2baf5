"""Placeholder: being written."""

from django.http import Http404


def scheme_import(request, *args, **kwargs):
    raise Http404


def import_template(request, *args, **kwargs):
    raise Http404
