"""Large imports as background jobs (zhuanban.ops): their kinds are registered here.

A unit's filled-in table with more rows than settings.JOB_SYNC_ROWS is checked and then
saved or submitted by a worker, from the file stored at upload:

- `dispatch.upload_check` reads and checks the file as the dry run does and ends with
  every problem by cell (or a preview of the rows) in its data; its result leads back
  to the upload page, `?job=<id>`, where the owner confirms.
- `dispatch.upload_commit` reads the file again and saves it as a draft or submits it,
  refused when the table changed since the check; the rows are written, the upload
  recorded and the job marked done in one transaction.

Each re-checks, when it runs, that its owner may still upload the unit's table."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhuanban.core import audit
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction
from zhuanban.dispatch import scoping, services
from zhuanban.dispatch.access import get_submission_for_user
from zhuanban.dispatch.lifecycle import Action
from zhuanban.dispatch.models import Source, Submission
from zhuanban.dispatch.scoping import Party
from zhuanban.dispatch.upload import UploadProblem, UploadResult, read_unit_workbook
from zhuanban.dispatch.validation import display
from zhuanban.ops import imports
from zhuanban.ops import services as jobs
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register

CHECK = "dispatch.upload_check"
COMMIT = "dispatch.upload_commit"
CONFIRM_ACTIONS = {"draft": Action.SAVE, "submit": Action.SUBMIT}
PREVIEW_ROWS = 200
SHOWN_PROBLEMS = 1000


def upload_url(round_id: int, unit_id: int, job: Job) -> str:
    return reverse("dispatch:submission_upload", args=[round_id, unit_id]) + f"?job={job.pk}"


def commit_of(check: Job) -> Job | None:
    return imports.commit_of(check, COMMIT)


def _submission(job: Job) -> Submission:
    """The job's table, if its owner may still upload it (access may have gone since)."""
    owner = job.owner
    refused = JobError(_("You may no longer upload this unit's table; nothing was saved."))
    try:
        submission = get_submission_for_user(owner, job.params["round"], job.params["unit"])
    except Http404:
        raise refused from None
    if submission.round.template_id is None or Party.UNIT not in scoping.parties(owner, submission):
        raise refused
    return submission


def _read(job: Job, submission: Submission, progress) -> UploadResult:
    with imports.stored_input(job) as upload:
        return read_unit_workbook(upload, submission, progress=progress)


def _require_same_file(job: Job) -> None:
    """The stored bytes are still those uploaded (and checked): their SHA-256 again."""
    digest = hashlib.sha256()
    with imports.stored_input(job) as upload:
        for chunk in upload.chunks():
            digest.update(chunk)
    if digest.hexdigest() != job.input_file.sha256:
        raise JobError(
            _(
                "The stored file is not the one that was checked; nothing was saved. Upload "
                "it again."
            )
        )


def _problem_data(problem: UploadProblem) -> dict:
    return {
        "sheet": problem.sheet,
        "cell": problem.cell,
        "column": problem.column,
        "message": problem.message,
        "code": problem.code,
    }


def _preview(submission: Submission, result: UploadResult) -> list:
    """[sheet row, [cell text …]] of the first rows, as the upload page shows them."""
    columns = services.table_of(submission).columns
    checked = result.checked
    return [
        [result.sheet_row(index), [display(column, row.get(column.key)) for column in columns]]
        for index, row in zip(
            checked.source_rows[:PREVIEW_ROWS], checked.rows[:PREVIEW_ROWS], strict=True
        )
    ]


def _reason(problems: list[UploadProblem]) -> str:
    summary = ngettext(
        "The file has %(count)s problem; nothing was saved. Correct the file and upload it again.",
        "The file has %(count)s problems; nothing was saved. Correct the file and upload it again.",
        len(problems),
    ) % {"count": len(problems)}
    return imports.refusal(summary, problems, lambda p: (p.cell, p.column))


@register(CHECK, unit=gettext_lazy("rows"))
def check(job: Job, progress) -> Outcome:
    """The dry run of a large file: every problem by cell, or the rows to confirm."""
    submission = _submission(job)
    result = _read(job, submission, progress)
    name = job.input_file.name
    valid = result.is_valid
    rows = len(result.checked.rows) if valid else 0
    data = {
        "file": name,
        "valid": valid,
        "rows": rows,
        "lock_version": submission.lock_version,
        "problem_count": len(result.problems),
        "problems": [_problem_data(p) for p in result.problems[:SHOWN_PROBLEMS]],
        "preview": _preview(submission, result) if valid else [],
    }
    if valid:
        text = ngettext(
            "The file is valid: %(count)s row. Open the result to save or submit it.",
            "The file is valid: %(count)s rows. Open the result to save or submit it.",
            rows,
        ) % {"count": rows}
    else:
        text = ngettext(
            "The file has %(count)s problem; nothing was saved. Open the result to see it by cell.",
            "The file has %(count)s problems; nothing was saved. Open the result to see "
            "them by cell.",
            len(result.problems),
        ) % {"count": len(result.problems)}
    return Outcome(
        text=text, url=upload_url(submission.round_id, submission.unit_id, job), data=data
    )


@register(COMMIT, unit=gettext_lazy("rows"))
def commit(job: Job, progress) -> Outcome:
    """Save or submit the checked file: read again, written all or nothing."""
    submission = _submission(job)
    action = CONFIRM_ACTIONS[job.params["action"]]
    _require_same_file(job)
    result = _read(job, submission, progress)
    if not result.is_valid:
        raise JobError(_reason(result.problems))
    stored = job.input_file
    owner = job.owner
    rows = len(result.checked.rows)
    progress.stage(_("Saving the table"))
    with transaction.atomic():
        try:
            if action == Action.SUBMIT:
                services.submission_submit(
                    actor=owner,
                    submission=submission,
                    rows=result.rows,
                    expected_version=job.params["lock_version"],
                    source=Source.UPLOAD,
                    file=stored,
                )
            else:
                services.submission_save(
                    actor=owner,
                    submission=submission,
                    rows=result.rows,
                    expected_version=job.params["lock_version"],
                )
        except ConcurrentEditError:
            raise JobError(
                _(
                    "The table changed after the file was checked (someone saved it, or the "
                    "office acted on it). Nothing was saved: check what is there now and "
                    "upload the file again."
                )
            ) from None
        except services.TableErrors as error:
            raise JobError(_reason(result.locate(error.problems))) from None
        except PermissionDenied:
            raise JobError(
                _("You may no longer upload this unit's table; nothing was saved.")
            ) from None
        audit.record(
            actor=owner,
            action=AuditAction.IMPORT,
            instance=submission,
            after={
                "file": stored.name,
                "sha256": stored.sha256,
                "rows": rows,
                "action": action,
                "job": str(job.pk),
            },
            message="submission workbook uploaded",
        )
        values = {"file": stored.name, "count": rows}
        if action == Action.SUBMIT:
            text = _("The table was submitted from %(file)s (%(count)s rows).") % values
        else:
            text = _("The table was saved as a draft from %(file)s (%(count)s rows).") % values
        outcome = Outcome(text=text, url=services.submission_url(submission))
        jobs.succeed(job, outcome)
    return outcome
