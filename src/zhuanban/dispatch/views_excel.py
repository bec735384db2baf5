"""A unit's own Excel file: download, fill, upload (with a dry run)."""

from django.http import Http404


def download(request, pk, unit_id):
    raise Http404


def upload(request, pk, unit_id):
    raise Http404
