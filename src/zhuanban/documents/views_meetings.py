"""Stub: being written."""

from django.http import Http404


def meeting_list(request, *args, **kwargs):
    raise Http404


def meeting_create(request, *args, **kwargs):
    raise Http404


def topic_counts(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def meeting_act(request, *args, **kwargs):
    raise Http404


def topic_submit(request, *args, **kwargs):
    raise Http404


def topic_detail(request, *args, **kwargs):
    raise Http404


def topic_edit(request, *args, **kwargs):
    raise Http404


def topic_act(request, *args, **kwargs):
    raise Http404


def topic_decide(request, *args, **kwargs):
    raise Http404


def decision_task(request, *args, **kwargs):
    raise Http404


def topic_material(request, *args, **kwargs):
    raise Http404
