"""Importing a task list from Excel: upload → dry run (the plan and every problem) →
confirm. The checked file waits in storage under imports/ (its name in the session)
until it is confirmed, replaced or abandoned; confirming reads it again.

A file with more than settings.JOB_SYNC_ROWS rows is stored at once (core.files) and
checked by a background job (`import_jobs.py`): its owner follows the job's progress and
comes back here with `?job=<id>`, to the problems by cell or to the button that starts
the job that imports it."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from zhuanban.core.files import store_upload
from zhuanban.core.pending import PendingUploads
from zhuanban.core.ratelimits import limit_import
from zhuanban.ops import access as job_access
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.tasks import import_jobs, importer
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


def _page(request, task_list: TaskList, form, plan=None, token=None, checked=None):
    """The import page: the upload form, a dry run's plan, or a background check's."""
    checked_plan = checked.result_data if checked is not None else None
    return render(
        request,
        "tasks/import.html",
        {
            "task_list": task_list,
            "form": form,
            "plan": plan,
            "token": token,
            "checked": checked,
            "checked_plan": checked_plan,
            "commit_job": import_jobs.commit_of(checked) if checked is not None else None,
            "problems": plan.problems if plan else (checked_plan or {}).get("problems", []),
        },
    )


# --- the view --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@limit_import
def import_upload(request, pk: int):
    task_list = get_list_for_user(request.user, pk, manage=True)
    if request.method == "POST" and "confirm" in request.POST:
        if "job" in request.POST:
            return _confirm_job(request, task_list)
        return _confirm(request, task_list)
    if request.method == "POST" and "cancel" in request.POST:
        PENDING.discard(request, task_list.pk)
        return redirect("tasks:list", pk=task_list.pk)
    if request.method == "GET" and "job" in request.GET:
        return _checked(request, task_list)
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if importer.rows_to_read(upload) > settings.JOB_SYNC_ROWS:
            return _check_in_background(request, task_list, form, upload)
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
    return _page(request, task_list, form, plan, token)


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
        return _page(request, task_list, ImportForm(), plan)
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


# --- large files: in the background ----------------------------------------------------


def _check_in_background(request, task_list: TaskList, form: ImportForm, upload):
    try:
        stored = store_upload(upload, user=request.user, allowed={".xlsx"})
    except ValidationError as error:
        form.add_error("file", error)
        return _page(request, task_list, form)
    PENDING.discard(request, task_list.pk)
    job = jobs.start(
        kind=import_jobs.CHECK,
        title=_("Check %(file)s for import into %(list)s")
        % {"file": stored.name, "list": task_list.title},
        owner=request.user,
        params={"list": task_list.pk},
        input_file=stored,
    )
    return redirect("ops:job", pk=job.pk)


def _check_job(user, task_list: TaskList, raw) -> Job:
    """The check job named in the request: the user's own, of this very list (404
    otherwise, as for a job that does not exist)."""
    try:
        pk = uuid.UUID(str(raw))
    except ValueError:
        raise Http404 from None
    job = job_access.get_job_for_user(user, pk)
    if job.kind != import_jobs.CHECK or job.params.get("list") != task_list.pk:
        raise Http404
    return job


def _checked(request, task_list: TaskList):
    """The plan of a background check: its problems by cell, and the confirm button when
    the file is valid. A check that has not ended is followed on its own page."""
    job = _check_job(request.user, task_list, request.GET["job"])
    if job.status != JobStatus.SUCCEEDED or not job.result_data:
        return redirect("ops:job", pk=job.pk)
    return _page(request, task_list, ImportForm(), checked=job)


def _confirm_job(request, task_list: TaskList):
    check = _check_job(request.user, task_list, request.POST["job"])
    if check.status != JobStatus.SUCCEEDED or not (check.result_data or {}).get("valid"):
        messages.error(
            request,
            _("The file has errors; nothing was imported. Correct them and upload it again."),
        )
        return redirect(import_jobs.import_url(task_list.pk, check))
    started = import_jobs.commit_of(check)
    if started is not None:  # confirmed already (a second tab, the back button)
        return redirect("ops:job", pk=started.pk)
    if check.input_file is None:
        messages.error(request, _("The uploaded file is no longer on the server; upload it again."))
        return redirect("tasks:import", pk=task_list.pk)
    job = jobs.start(
        kind=import_jobs.COMMIT,
        title=_("Import %(file)s into %(list)s")
        % {"file": check.input_file.name, "list": task_list.title},
        owner=request.user,
        params={"list": task_list.pk, "check": str(check.pk)},
        input_file=check.input_file,
    )
    return redirect("ops:job", pk=job.pk)
