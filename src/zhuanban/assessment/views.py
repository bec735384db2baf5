"""Placeholder: being written."""

from django.http import Http404


def scheme_list(request, *args, **kwargs):
    raise Http404


def scheme_create(request, *args, **kwargs):
    raise Http404


def scheme_detail(request, *args, **kwargs):
    raise Http404


def scheme_edit(request, *args, **kwargs):
    raise Http404


def scheme_units(request, *args, **kwargs):
    raise Http404


def scheme_act(request, *args, **kwargs):
    raise Http404


def scheme_compute(request, *args, **kwargs):
    raise Http404


def item_create(request, *args, **kwargs):
    raise Http404


def item_edit(request, *args, **kwargs):
    raise Http404


def item_delete(request, *args, **kwargs):
    raise Http404


def evidence_gaps(request, *args, **kwargs):
    raise Http404
