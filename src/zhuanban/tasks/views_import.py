"""Importing a task list from Excel: upload → dry run (the plan and every problem) →
confirm. The checked file waits in storage under imports/ (its name in the session)
until it is confirmed, replaced or abandoned; confirming reads it again."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from zhuanban.core.pending import PendingUploads
from zhuanban.core.ratelimits import limit_import
from zhuanban.tasks import importer
from zhuanban.tasks.access import get_list_for_user
from zhuanban.tasks.models import TaskList

PENDING = PendingUploads("tasks_import_pending", "imports")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


# --- the view --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@limit_import
def import_upload(request, pk: int):
    task_list = get_list_for_user(request.user, pk, manage=True)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, task_list)
    if request.method == "POST" and "cancel" in request.POST:
        PENDING.discard(request, task_list.pk)
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
                token = PENDING.keep(request, task_list.pk, upload)
                form = ImportForm()
            else:
                PENDING.discard(request, task_list.pk)
    return render(
        request,
        "tasks/import.html",
        {"task_list": task_list, "form": form, "plan": plan, "token": token},
    )


def _confirm(request, task_list: TaskList):
    found = PENDING.read(request, task_list.pk, request.POST.get("token"))
    if found is None:
        messages.error(
            request, _("The checked file is no longer waiting for confirmation; upload it again.")
        )
        return redirect("tasks:import", pk=task_list.pk)
    pending, upload = found
    plan = None
    try:
        plan = importer.parse_workbook(upload, task_list=task_list)
        created = importer.commit(plan, actor=request.user)
    except ValidationError as error:
        PENDING.discard(request, task_list.pk)
        for message in error.messages:
            messages.error(request, message)
        return render(
            request,
            "tasks/import.html",
            {"task_list": task_list, "form": ImportForm(), "plan": plan, "token": None},
        )
    PENDING.discard(request, task_list.pk)
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
