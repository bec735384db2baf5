"""A unit's own Excel file: download, fill in, upload with a dry run, then confirm.

The dry run reads and checks the file and stores nothing: it lists every problem by
cell, or previews the rows. A valid file waits in storage under dispatch-uploads/ (its
name in the session, with the submission's version at the time) until the unit saves
it as a draft or submits it; confirming reads it again, and is refused when the
submission changed in between.
"""

import hashlib
import re
import tempfile

from django import forms
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
from zhuanban.dispatch import scoping, services
from zhuanban.dispatch.access import get_submission_for_user
from zhuanban.dispatch.lifecycle import Action
from zhuanban.dispatch.models import Source, Submission
from zhuanban.dispatch.scoping import Party
from zhuanban.dispatch.upload import UploadResult, read_unit_workbook
from zhuanban.dispatch.validation import display
from zhuanban.dispatch.workbook import write_unit_workbook

SPOOL_BYTES = 4 * 1_048_576  # larger files go to disk while they are being sent
PENDING = PendingUploads("dispatch_upload_pending", "dispatch-uploads")
PREVIEW_ROWS = 200
SHOWN_PROBLEMS = 1000
CONFIRM_ACTIONS = {"draft": Action.SAVE, "submit": Action.SUBMIT}
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
    context = {
        "round": submission.round,
        "submission": submission,
        "table": services.table_of(submission),
        "form": form or UploadForm(),
        "result": result,
        "valid": valid,
        "problems": problems[:SHOWN_PROBLEMS],
        "problem_count": len(problems),
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "token": token,
        "actions": actions,
        "preview": _preview(submission, result) if valid else [],
        "row_count": rows,
        "more_rows": max(0, rows - PREVIEW_ROWS),
    }
    return render(request, "dispatch/upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@limit_import
def upload(request, pk: int, unit_id: int):
    submission = _table_submission(request.user, pk, unit_id)
    if Party.UNIT not in scoping.parties(request.user, submission):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, submission)
    if request.method == "POST" and "cancel" in request.POST:
        PENDING.discard(request, submission.pk)
        return redirect("dispatch:submission", pk, unit_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        return _render(request, submission, form=form)
    file = form.cleaned_data["file"]
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
