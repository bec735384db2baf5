"""Placeholder: being written."""

from django.http import Http404


def participant_detail(request, *args, **kwargs):
    raise Http404


def participant_act(request, *args, **kwargs):
    raise Http404


def evidence_add(request, *args, **kwargs):
    raise Http404


def score_self(request, *args, **kwargs):
    raise Http404


def score_review(request, *args, **kwargs):
    raise Http404


def score_basis(request, *args, **kwargs):
    raise Http404


def score_rectify(request, *args, **kwargs):
    raise Http404


def evidence_download(request, *args, **kwargs):
    raise Http404


def evidence_remove(request, *args, **kwargs):
    raise Http404
