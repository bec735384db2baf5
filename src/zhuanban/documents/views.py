"""Stub: being written."""

from django.http import Http404


def document_list(request, *args, **kwargs):
    raise Http404


def document_create(request, *args, **kwargs):
    raise Http404


def document_detail(request, *args, **kwargs):
    raise Http404


def document_edit(request, *args, **kwargs):
    raise Http404


def document_act(request, *args, **kwargs):
    raise Http404


def version_add(request, *args, **kwargs):
    raise Http404


def compare(request, *args, **kwargs):
    raise Http404


def version_detail(request, *args, **kwargs):
    raise Http404


def version_edit(request, *args, **kwargs):
    raise Http404


def version_download(request, *args, **kwargs):
    raise Http404
