"""The consolidated table as a printable .xlsx."""

from django.http import Http404


def consolidation_export(request, pk):
    raise Http404
