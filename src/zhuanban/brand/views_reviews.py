"""Stub: being built."""

from django.http import Http404


def round_list(request, *args, **kwargs):
    raise Http404


def round_open(request, *args, **kwargs):
    raise Http404


def round_detail(request, *args, **kwargs):
    raise Http404


def review_detail(request, *args, **kwargs):
    raise Http404


def review_submit(request, *args, **kwargs):
    raise Http404


def review_act(request, *args, **kwargs):
    raise Http404


def review_evidence(request, *args, **kwargs):
    raise Http404


def sales(request, *args, **kwargs):
    raise Http404


def sales_save(request, *args, **kwargs):
    raise Http404
