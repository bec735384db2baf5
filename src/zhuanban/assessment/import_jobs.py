"""Large imports as background jobs (zhuanban.ops): their kinds are registered here.

A scheme's items file with more rows than settings.JOB_SYNC_ROWS is checked and then
imported by a worker, from the file stored at upload:

- `assessment.import_check` is the dry run: its data keeps the plan (the tree and every
  problem by cell) and its result leads back to the import page, `?job=<id>`, where the
  owner confirms.
- `assessment.import_commit` reads the file again and creates the items; they are
  written and the job marked done in one transaction. It is refused when the scheme's
  items changed since the check.

Each re-checks, when it runs, that its owner still organises the scheme."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhuanban.assessment import importer, scoping
from zhuanban.assessment.access import get_scheme_for_user
from zhuanban.assessment.models import Scheme
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register

CHECK = "assessment.import_check"
COMMIT = "assessment.import_commit"
PROBLEMS_IN_A_REASON = 20


def import_url(scheme_id: int, job: Job) -> str:
    return reverse("assessment:scheme_import", args=[scheme_id]) + f"?job={job.pk}"


def commit_of(check: Job) -> Job | None:
    """The commit job already started from this check (unless it failed): confirming
    twice sends the owner to the same job."""
    return (
        Job.objects.filter(kind=COMMIT, owner_id=check.owner_id, params__check=str(check.pk))
        .exclude(status=JobStatus.FAILED)
        .first()
    )


def _scheme(job: Job) -> Scheme:
    """The job's scheme, if its owner still organises it (access may have gone since)."""
    refused = JobError(_("You no longer organise this scheme; nothing was imported."))
    try:
        scheme = get_scheme_for_user(job.owner, job.params["scheme"])
    except Http404:
        raise refused from None
    if not scoping.can_manage(job.owner, scheme):
        raise refused
    return scheme


@contextmanager
def _input(job: Job):
    """The stored upload, under the name it was uploaded with (its type is checked by
    that name, as on upload)."""
    stored = job.input_file
    if stored is None:
        raise JobError(_("The uploaded file is no longer on the server; upload it again."))
    with stored.file.open("rb") as handle:
        yield File(handle, name=stored.name)


def _parse(job: Job, scheme: Scheme, progress) -> importer.ImportPlan:
    with _input(job) as upload:
        return importer.parse_workbook(
            upload, scheme=scheme, replace=bool(job.params.get("replace")), progress=progress
        )


def _reason(plan: importer.ImportPlan) -> str:
    """Why a commit was refused: the count, then the first errors by cell."""
    errors = plan.errors
    lines = [
        ngettext(
            "The file has %(count)s error; nothing was imported.",
            "The file has %(count)s errors; nothing was imported.",
            len(errors),
        )
        % {"count": len(errors)}
    ]
    for problem in errors[:PROBLEMS_IN_A_REASON]:
        where = " ".join(part for part in (problem.cell, problem.header) if part)
        lines.append(f"{where}: {problem.message}" if where else problem.message)
    return "\n".join(lines)


@register(CHECK, unit=gettext_lazy("rows"))
def check(job: Job, progress) -> Outcome:
    """The dry run of a large file: the plan, with every problem by cell."""
    scheme = _scheme(job)
    plan = _parse(job, scheme, progress)
    if plan.is_valid:
        text = ngettext(
            "The file is valid: %(count)s item would be created. Open the result to check "
            "and confirm it.",
            "The file is valid: %(count)s items would be created. Open the result to check "
            "and confirm them.",
            len(plan.items),
        ) % {"count": len(plan.items)}
    else:
        text = ngettext(
            "The file has %(count)s error; nothing was imported. Open the result to see it "
            "by cell.",
            "The file has %(count)s errors; nothing was imported. Open the result to see "
            "them by cell.",
            len(plan.errors),
        ) % {"count": len(plan.errors)}
    return Outcome(text=text, url=import_url(scheme.pk, job), data=importer.plan_data(plan))


@register(COMMIT, unit=gettext_lazy("rows"))
def commit(job: Job, progress) -> Outcome:
    """Import the checked file: read again, the items written all or nothing."""
    scheme = _scheme(job)
    plan = _parse(job, scheme, progress)
    if plan.sha256 != job.input_file.sha256:  # the bytes read are not those uploaded
        raise JobError(
            _(
                "The stored file is not the one that was checked; nothing was saved. Upload "
                "it again."
            )
        )
    if not plan.is_valid:
        raise JobError(_reason(plan))
    if plan.existing_count != job.params.get("existing_count", plan.existing_count):
        # Confirming said how many items would be replaced; that is no longer true.
        raise JobError(_("The scheme changed while the file was being checked; upload it again."))
    with transaction.atomic():
        try:
            created = importer.commit(plan, actor=job.owner, progress=progress)
        except PermissionDenied:
            raise JobError(_("You no longer organise this scheme; nothing was imported.")) from None
        outcome = Outcome(
            text=ngettext(
                "%(count)s item was imported from %(file)s.",
                "%(count)s items were imported from %(file)s.",
                len(created),
            )
            % {"count": len(created), "file": job.input_file.name},
            url=scheme.get_absolute_url(),
        )
        jobs.succeed(job, outcome)
    return outcome
