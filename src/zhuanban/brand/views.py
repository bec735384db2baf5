"""Stub: being built."""

from django.http import Http404


def register(request, *args, **kwargs):
    raise Http404


def enterprise_create(request, *args, **kwargs):
    raise Http404


def enterprise_detail(request, *args, **kwargs):
    raise Http404


def enterprise_edit(request, *args, **kwargs):
    raise Http404


def application_create(request, *args, **kwargs):
    raise Http404


def application_list(request, *args, **kwargs):
    raise Http404


def application_detail(request, *args, **kwargs):
    raise Http404


def application_edit(request, *args, **kwargs):
    raise Http404


def application_attach(request, *args, **kwargs):
    raise Http404


def application_act(request, *args, **kwargs):
    raise Http404


def attachment_download(request, *args, **kwargs):
    raise Http404
