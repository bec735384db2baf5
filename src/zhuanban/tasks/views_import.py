"""Importing a task list from Excel (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def import_upload(request, pk: int):
    return HttpResponse(status=501)
