"""Stub: being written."""

from django.http import Http404


def round_open(request, *args, **kwargs):
    raise Http404


def round_detail(request, *args, **kwargs):
    raise Http404


def round_urge(request, *args, **kwargs):
    raise Http404


def round_close(request, *args, **kwargs):
    raise Http404


def answer(request, *args, **kwargs):
    raise Http404


def opinion_decide(request, *args, **kwargs):
    raise Http404


def inbox(request, *args, **kwargs):
    raise Http404
