"""Stub: being written."""

from django.http import Http404


def pipeline(request, **kwargs):
    raise Http404


def project_list(request, **kwargs):
    raise Http404


def project_create(request, **kwargs):
    raise Http404


def projects_notice(request, **kwargs):
    raise Http404


def project_detail(request, **kwargs):
    raise Http404


def project_edit(request, **kwargs):
    raise Http404


def project_move(request, **kwargs):
    raise Http404


def project_report(request, **kwargs):
    raise Http404


def project_urge(request, **kwargs):
    raise Http404


def evidence_download(request, **kwargs):
    raise Http404


def clock_list(request, **kwargs):
    raise Http404


def clock_edit(request, **kwargs):
    raise Http404
