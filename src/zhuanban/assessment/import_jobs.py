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

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhuanban.assessment import importer, scoping
from zhuanban.assessment.access import get_scheme_for_user
from zhuanban.assessment.models import Scheme
from zhuanban.ops import imports
from zhuanban.ops import services as jobs
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register

CHECK = "assessment.import_check"
COMMIT = "assessment.import_commit"


def import_url(scheme_id: int, job: Job) -> str:
    return reverse("assessment:scheme_import", args=[scheme_id]) + f"?job={job.pk}"


def commit_of(check: Job) -> Job | None:
    return imports.commit_of(check, COMMIT)


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


def _parse(job: Job, scheme: Scheme, progress) -> importer.ImportPlan:
    with imports.stored_input(job) as upload:
        return importer.parse_workbook(
            upload, scheme=scheme, replace=bool(job.params.get("replace")), progress=progress
        )


def _reason(plan: importer.ImportPlan) -> str:
    summary = ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        len(plan.errors),
    ) % {"count": len(plan.errors)}
    return imports.refusal(summary, plan.errors, lambda p: (p.cell, p.header))


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
