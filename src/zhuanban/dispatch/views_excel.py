"""A unit's own Excel file: download, fill in, upload with a dry run, then confirm.

The dry run reads and checks the file and stores nothing: it lists every problem by
cell, or previews the rows. A valid file waits in storage under dispatch-uploads/ (its
name in the session, with the submission's version at the time) until the unit saves
it as a draft or submits it; confirming reads it again, and is refused when the
submission changed in between.

A file with more than settings.JOB_SYNC_ROWS rows is stored at once and checked by a
background job (`import_jobs.py`): its owner follows the job's progress and comes back
here with `?job=<id>` to the same page, where confirming starts the job that saves it.
"""

import hashlib
import re
import tempfile
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhuanban.core import audit, excel
from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditAction
from zhuanban.core.pending import PendingUploads
from zhuanban.core.ratelimits import limit_export, limit_import
from zhuanban.dispatch import import_jobs, scoping, services
from zhuanban.dispatch.access import get_submission_for_user
from zhuanban.dispatch.import_jobs import CONFIRM_ACTIONS, PREVIEW_ROWS, SHOWN_PROBLEMS
from zhuanban.dispatch.models import Source, Submission
from zhuanban.dispatch.scoping import Party
from zhuanban.dispatch.upload import UploadResult, read_unit_workbook, rows_to_read
from zhuanban.dispatch.validation import display
from zhuanban.dispatch.workbook import write_unit_workbook
from zhuanban.ops import access as job_access
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job

SPOOL_BYTES = 4 * 1_048_576  # larger files go to disk while they are being sent
PENDING = PendingUploads("dispatch_upload_pending", "dispatch-uploads")
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


def _table_submission(user, pk: int, unit_id: int) -> Submission:
    submission = get_submission_for_user(user, pk, unit_id)
    if submission.round.template_id is None:  # a task list's progress request has no table
        raise Http404
    return submission


def download_name(submission: Submission) -> str:
    """规模养殖场建设情况统计表-卓资县-2023年6月.xlsx"""
    round_ = submission.round
    stem = "-".join((round_.template.title, submission.unit.name, round_.period.label()))
    return _UNSAFE_IN_NAMES.sub("_", stem) + ".xlsx"


@require_GET
@login_required
@limit_export
def download(request, pk: int, unit_id: int) -> FileResponse:
    submission = _table_submission(request.user, pk, unit_id)
    # As the submission page offers it: the unit, the owning office, and bureau-wide
    # roles, who see every unit's figures anyway.
    if not (scoping.parties(request.user, submission) or scoping.sees_all_units(request.user)):
        raise PermissionDenied
    name = download_name(submission)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=submission,
        after={
            "file": name,
            "rows": len(submission.data),
            "template_version": submission.round.template_version.number,
        },
        message="submission workbook downloaded",
    )
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        write_unit_workbook(submission, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(
        out, as_attachment=True, filename=name, content_type=excel.XLSX_CONTENT_TYPE
    )


# --- the page ------------------------------------------------------------------------


def _confirm_actions(user, submission: Submission) -> list[str]:
    """The buttons the preview offers: those the lifecycle allows the unit now."""
    allowed = services.available_actions(user, submission)
    return [name for name, action in CONFIRM_ACTIONS.items() if action in allowed]


def _preview(submission: Submission, result: UploadResult) -> list[tuple[int, list]]:
    """(sheet row, [(text, is a number)]) of the first rows, as the table shows them."""
    table = services.table_of(submission)
    checked = result.checked
    return [
        (
            result.sheet_row(index),
            [(display(column, row.get(column.key)), column.is_numeric) for column in table.columns],
        )
        for index, row in zip(
            checked.source_rows[:PREVIEW_ROWS], checked.rows[:PREVIEW_ROWS], strict=True
        )
    ]


def _render(
    request,
    submission,
    *,
    form=None,
    result=None,
    problems=None,
    token=None,
    actions=(),
    status=200,
):
    if problems is None:
        problems = result.problems if result is not None else []
    valid = result is not None and result.is_valid and not problems
    rows = len(result.checked.rows) if valid else 0
    return _page(
        request,
        submission,
        form=form,
        result=result,
        valid=valid,
        problems=problems,
        problem_count=len(problems),
        token=token,
        actions=actions,
        preview=_preview(submission, result) if valid else [],
        rows=rows,
        status=status,
    )


def _page(
    request,
    submission,
    *,
    form=None,
    result=None,
    valid=False,
    problems=(),
    problem_count=0,
    token=None,
    plan_job=None,
    actions=(),
    preview=(),
    rows=0,
    status=200,
):
    context = {
        "round": submission.round,
        "submission": submission,
        "table": services.table_of(submission),
        "form": form or UploadForm(),
        "result": result,
        "valid": valid,
        "problems": problems[:SHOWN_PROBLEMS],
        "problem_count": problem_count,
        "more_problems": max(0, problem_count - SHOWN_PROBLEMS),
        "token": token,
        "plan_job": plan_job,
        "actions": actions,
        "preview": preview,
        "row_count": rows,
        "more_rows": max(0, rows - PREVIEW_ROWS),
    }
    return render(request, "dispatch/upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@limit_import
def upload(request, pk: int, unit_id: int):
    submission = _table_submission(request.user, pk, unit_id)
    # A background check's plan is its owner's alone: anyone else gets 404, as for a
    # job that does not exist.
    named = request.POST.get("job") if request.method == "POST" else request.GET.get("job")
    plan_job = _plan_job(request.user, submission, named) if named else None
    if Party.UNIT not in scoping.parties(request.user, submission):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        if plan_job is not None:
            return _confirm_job(request, submission, plan_job)
        return _confirm(request, submission)
    if request.method == "POST" and "cancel" in request.POST:
        PENDING.discard(request, submission.pk)
        return redirect("dispatch:submission", pk, unit_id)
    if request.method == "GET" and plan_job is not None:
        return _job_plan(request, submission, plan_job)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        return _render(request, submission, form=form)
    file = form.cleaned_data["file"]
    rows = rows_to_read(file, submission)
    if rows is None or rows > settings.JOB_SYNC_ROWS:
        started = _check_in_background(request, submission, file)
        if started is not None:
            return started
    result = read_unit_workbook(file, submission)
    if not result.is_valid:
        PENDING.discard(request, submission.pk)
        return _render(request, submission, form=form, result=result, status=422)
    token = None
    actions = _confirm_actions(request.user, submission)
    if actions:
        token = PENDING.keep(request, submission.pk, file, lock_version=submission.lock_version)
    else:
        PENDING.discard(request, submission.pk)
        messages.warning(
            request,
            _(
                "The file is valid, but this table cannot be saved or submitted now (its "
                "status: %(status)s). Nothing was saved."
            )
            % {"status": submission.get_status_display()},
        )
    return _render(request, submission, result=result, token=token, actions=actions)


# --- large files, in the background ---------------------------------------------------------


def _plan_job(user, submission: Submission, raw) -> Job:
    """The check job named in the request: the user's own, for this very table (404
    otherwise)."""
    try:
        pk = uuid.UUID(str(raw))
    except ValueError:
        raise Http404 from None
    job = job_access.get_job_for_user(user, pk)
    params = job.params or {}
    if (
        job.kind != import_jobs.CHECK
        or params.get("round") != submission.round_id
        or params.get("unit") != submission.unit_id
    ):
        raise Http404
    return job


def _check_in_background(request, submission: Submission, file):
    """Store the file and start its check; the owner follows it on the job's page. None
    when the file is refused on the way in (the check at once then says why)."""
    try:
        stored = store_upload(file, user=request.user, allowed={".xlsx"})
    except ValidationError:
        return None
    PENDING.discard(request, submission.pk)
    job = jobs.start(
        kind=import_jobs.CHECK,
        title=_("Check %(file)s (%(unit)s, %(round)s)")
        % {"file": stored.name, "unit": submission.unit.name, "round": submission.round.title},
        owner=request.user,
        params={"round": submission.round_id, "unit": submission.unit_id},
        input_file=stored,
    )
    return redirect("ops:job", pk=job.pk)


def _job_plan(request, submission: Submission, job: Job):
    """The finished check's result: every problem by cell, or the rows and the buttons
    that save or submit them."""
    if job.status != JobStatus.SUCCEEDED:
        return redirect("ops:job", pk=job.pk)  # still running, or failed: its page says
    data = job.result_data or {}
    valid = bool(data.get("valid"))
    actions = _confirm_actions(request.user, submission) if valid else []
    if valid and not actions:
        messages.warning(
            request,
            _(
                "The file is valid, but this table cannot be saved or submitted now (its "
                "status: %(status)s). Nothing was saved."
            )
            % {"status": submission.get_status_display()},
        )
    columns = services.table_of(submission).columns
    preview = [
        (row, [(text, column.is_numeric) for text, column in zip(texts, columns, strict=False)])
        for row, texts in data.get("preview", [])
    ]
    return _page(
        request,
        submission,
        result=data,
        valid=valid,
        problems=data.get("problems", []),
        problem_count=data.get("problem_count", 0),
        plan_job=job,
        actions=actions,
        preview=preview,
        rows=data.get("rows", 0),
    )


def _confirm_job(request, submission: Submission, check: Job):
    """Start the job that saves or submits the checked file (or show the one started)."""
    choice = request.POST.get("confirm")
    data = check.result_data or {}
    if (
        choice not in CONFIRM_ACTIONS
        or check.status != JobStatus.SUCCEEDED
        or not data.get("valid")
        or check.input_file_id is None
    ):
        messages.error(
            request, _("The checked file is no longer waiting for confirmation; upload it again.")
        )
        return redirect("dispatch:submission_upload", submission.round_id, submission.unit_id)
    started = import_jobs.commit_of(check)
    if started is None:
        values = {
            "file": data.get("file", ""),
            "unit": submission.unit.name,
            "round": submission.round.title,
        }
        if choice == "submit":
            title = _("Submit %(file)s (%(unit)s, %(round)s)") % values
        else:
            title = _("Save %(file)s as a draft (%(unit)s, %(round)s)") % values
        started = jobs.start(
            kind=import_jobs.COMMIT,
            title=title,
            owner=request.user,
            params={
                "round": submission.round_id,
                "unit": submission.unit_id,
                "check": str(check.pk),
                "action": choice,
                "lock_version": data["lock_version"],
            },
            input_file=check.input_file,
        )
    return redirect("ops:job", pk=started.pk)


# --- confirming a file checked at once -------------------------------------------------------


def _confirm(request, submission: Submission):
    choice = request.POST.get("confirm")
    found = None
    if choice in CONFIRM_ACTIONS:
        found = PENDING.read(request, submission.pk, request.POST.get("token"))
    if found is None:
        messages.error(
            request, _("The checked file is no longer waiting for confirmation; upload it again.")
        )
        return redirect("dispatch:submission_upload", submission.round_id, submission.unit_id)
    PENDING.discard(request, submission.pk)
    pending, upload = found
    result = read_unit_workbook(upload, submission)
    if not result.is_valid:
        return _render(request, submission, result=result, status=422)
    try:
        _store(request, submission, upload, result, choice, pending["lock_version"])
    except services.ConcurrentEditError:
        messages.error(
            request,
            _(
                "The table changed after the file was checked (someone saved it, or the "
                "office acted on it). Nothing was saved: check what is there now and "
                "upload the file again."
            ),
        )
        return redirect("dispatch:submission", submission.round_id, submission.unit_id)
    except services.TableErrors as error:
        messages.error(request, error.messages[0])
        problems = result.locate(error.problems)
        return _render(request, submission, result=result, problems=problems, status=422)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("dispatch:submission", submission.round_id, submission.unit_id)
    if choice == "submit":
        messages.success(
            request,
            _("The table was submitted from %(file)s (%(count)s rows).")
            % {"file": pending["name"], "count": len(result.checked.rows)},
        )
    else:
        messages.success(
            request,
            _("The table was saved as a draft from %(file)s (%(count)s rows).")
            % {"file": pending["name"], "count": len(result.checked.rows)},
        )
    return redirect("dispatch:submission", submission.round_id, submission.unit_id)


def _store(request, submission, upload, result: UploadResult, choice: str, version: int) -> None:
    """Save or submit the file's rows (the whole table) and record the upload; all or
    nothing. A submitted file is kept, with its SHA-256, beside the version it made."""
    stored = None
    try:
        with transaction.atomic():
            if choice == "submit":
                stored = store_upload(upload, user=request.user, allowed={".xlsx"})
                services.submission_submit(
                    actor=request.user,
                    submission=submission,
                    rows=result.rows,
                    expected_version=version,
                    source=Source.UPLOAD,
                    file=stored,
                )
                digest = stored.sha256
            else:
                services.submission_save(
                    actor=request.user,
                    submission=submission,
                    rows=result.rows,
                    expected_version=version,
                )
                upload.seek(0)
                digest = hashlib.sha256(upload.read()).hexdigest()
            audit.record(
                actor=request.user,
                action=AuditAction.IMPORT,
                instance=submission,
                after={
                    "file": upload.name,
                    "sha256": digest,
                    "rows": len(result.checked.rows),
                    "action": CONFIRM_ACTIONS[choice],
                },
                message="submission workbook uploaded",
            )
    except BaseException:
        # The rolled-back record took nothing from storage; its file must go too.
        if stored is not None:
            stored.file.delete(save=False)
        raise
