"""Placeholder: being written."""

from django.http import Http404


def scheme_scores(request, *args, **kwargs):
    raise Http404


def participant_scores(request, *args, **kwargs):
    raise Http404


def evidence_bundle(request, *args, **kwargs):
    raise Http404
