"""Importing a task list from Excel: upload → dry run (the plan and every problem) →
confirm. The checked file waits in storage under imports/ (its name in the session)
until it is confirmed, replaced or abandoned; confirming reads it again."""

import datetime
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from zhuanban.tasks import importer
from zhuanban.tasks.access import get_list_for_user
from zhuanban.tasks.models import TaskList

PENDING_KEY = "tasks_import_pending"
PENDING_DIR = "imports"
PENDING_MAX_AGE = datetime.timedelta(days=1)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


# --- the checked file waiting for confirmation -------------------------------------------


def _pending(request, task_list: TaskList) -> dict | None:
    return request.session.get(PENDING_KEY, {}).get(str(task_list.pk))


def _discard(request, task_list: TaskList) -> None:
    waiting = request.session.get(PENDING_KEY, {})
    entry = waiting.pop(str(task_list.pk), None)
    if entry is not None:
        default_storage.delete(entry["path"])
        request.session[PENDING_KEY] = waiting


def _sweep_abandoned() -> None:
    """Delete checked files nobody confirmed within a day."""
    try:
        _dirs, names = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PENDING_MAX_AGE
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def _keep(request, task_list: TaskList, upload) -> str:
    """Store the checked upload until confirmation; returns the token the confirm form posts."""
    _discard(request, task_list)
    _sweep_abandoned()
    token = uuid.uuid4().hex
    upload.seek(0)
    path = default_storage.save(f"{PENDING_DIR}/{token}.xlsx", upload)
    waiting = request.session.get(PENDING_KEY, {})
    waiting[str(task_list.pk)] = {"path": path, "name": upload.name, "token": token}
    request.session[PENDING_KEY] = waiting
    return token


# --- the view --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def import_upload(request, pk: int):
    task_list = get_list_for_user(request.user, pk, manage=True)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, task_list)
    if request.method == "POST" and "cancel" in request.POST:
        _discard(request, task_list)
        return redirect("tasks:list", pk=task_list.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = importer.parse_workbook(upload, task_list=task_list)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if plan.is_valid:
                token = _keep(request, task_list, upload)
                form = ImportForm()
            else:
                _discard(request, task_list)
    return render(
        request,
        "tasks/import.html",
        {"task_list": task_list, "form": form, "plan": plan, "token": token},
    )


def _confirm(request, task_list: TaskList):
    pending = _pending(request, task_list)
    data = None
    if pending is not None and request.POST.get("token") == pending["token"]:
        try:
            with default_storage.open(pending["path"], "rb") as stored:
                data = stored.read()
        except FileNotFoundError:
            _discard(request, task_list)
    if data is None:
        messages.error(
            request, _("The checked file is no longer waiting for confirmation; upload it again.")
        )
        return redirect("tasks:import", pk=task_list.pk)
    upload = SimpleUploadedFile(pending["name"], data)
    plan = None
    try:
        plan = importer.parse_workbook(upload, task_list=task_list)
        created = importer.commit(plan, actor=request.user)
    except ValidationError as error:
        _discard(request, task_list)
        for message in error.messages:
            messages.error(request, message)
        return render(
            request,
            "tasks/import.html",
            {"task_list": task_list, "form": ImportForm(), "plan": plan, "token": None},
        )
    _discard(request, task_list)
    messages.success(
        request,
        ngettext(
            "%(count)s task was imported from %(file)s.",
            "%(count)s tasks were imported from %(file)s.",
            len(created),
        )
        % {"count": len(created), "file": pending["name"]},
    )
    return redirect("tasks:list", pk=task_list.pk)
