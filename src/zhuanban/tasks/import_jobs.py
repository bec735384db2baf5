"""Large imports as background jobs (zhuanban.ops): their kinds are registered here.

A task list file with more rows than settings.JOB_SYNC_ROWS is checked, then imported,
by a worker, from the file stored at upload:

- `tasks.import_check` is the dry run. Its data keeps the plan's counts, every problem
  by cell and the first tasks it would create; its result leads back to the import page
  (`?job=<id>`), where the owner reads the problems or confirms.
- `tasks.import_commit` reads the same stored file again and creates the tasks: they are
  written, and the job marked done, in one transaction. When the file no longer passes
  (the list changed meanwhile) the job fails with the reasons and nothing is saved.

Each re-checks, when it runs, that its owner may still manage the list (through the same
access helper as the import page): access may have gone since the job was started."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhuanban.ops import imports
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register
from zhuanban.tasks import importer
from zhuanban.tasks.access import get_list_for_user
from zhuanban.tasks.models import TaskList

CHECK = "tasks.import_check"
COMMIT = "tasks.import_commit"
PREVIEW_ROWS = 50  # tasks shown on the page of a background check (all its problems are)


def import_url(task_list_id: int, job: Job) -> str:
    """The import page showing the plan of a check job."""
    return reverse("tasks:import", args=[task_list_id]) + f"?job={job.pk}"


def commit_of(check: Job) -> Job | None:
    return imports.commit_of(check, COMMIT)


def _refused() -> JobError:
    return JobError(_("You may no longer manage this task list; nothing was imported."))


def _task_list(job: Job) -> TaskList:
    """The job's list, if its owner may still manage it."""
    try:
        return get_list_for_user(job.owner, job.params["list"], manage=True)
    except (Http404, PermissionDenied):
        raise _refused() from None


def _parse(job: Job, task_list: TaskList, progress) -> importer.ImportPlan:
    progress.stage(_("Opening the file"))
    with imports.stored_input(job) as upload:
        return importer.parse_workbook(upload, task_list=task_list, progress=progress)


def plan_data(plan: importer.ImportPlan) -> dict:
    """What the import page shows of a background check, as JSON: the counts, every
    problem by cell and the first PREVIEW_ROWS tasks. (The commit reads the file again:
    this is only ever shown.)"""
    return {
        "list": plan.task_list.pk,
        "file_name": plan.file_name,
        "sha256": plan.sha256,
        "sheet": plan.sheet,
        "valid": plan.is_valid,
        "counts": {
            "tasks": len(plan.rows),
            "milestones": plan.milestone_count,
            "errors": len(plan.errors),
            "warnings": len(plan.warnings),
        },
        "problems": [
            {
                "row": p.row,
                "column": p.column,
                "header": p.header,
                "cell": p.cell,
                "message": p.message,
                "code": p.code,
                "level": p.level,
            }
            for p in plan.problems
        ],
        "preview": [
            {
                "number": row.number,
                "source_number": row.source_number,
                "row": row.row,
                "depth": row.depth,
                "content": row.content,
                "lead_unit": row.lead_unit.name if row.lead_unit else "",
                "cooperating_units": [u.display_name for u in row.cooperating_units],
                "responsible_leader": row.responsible_leader,
                "due_text": row.due_text,
                "due_date": row.due_date.isoformat() if row.due_date else "",
                "is_ongoing": row.is_ongoing,
                "milestones": len(row.milestones),
            }
            for row in plan.rows[:PREVIEW_ROWS]
        ],
    }


def _reason(plan: importer.ImportPlan) -> str:
    summary = ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        len(plan.errors),
    ) % {"count": len(plan.errors)}
    return imports.refusal(summary, plan.errors, lambda p: (p.cell, p.header))


@register(CHECK, unit=gettext_lazy("rows"))
def check(job: Job, progress) -> Outcome:
    """The dry run of a large file. A file with errors is a successful check: its result
    is the list of problems by cell."""
    task_list = _task_list(job)
    plan = _parse(job, task_list, progress)
    if plan.is_valid:
        text = ngettext(
            "The file is valid: %(count)s task would be created. Open the result to check "
            "and confirm it.",
            "The file is valid: %(count)s tasks would be created. Open the result to check "
            "and confirm them.",
            len(plan.rows),
        ) % {"count": len(plan.rows)}
    else:
        text = ngettext(
            "The file has %(count)s error; nothing was imported. Open the result to see it "
            "by cell.",
            "The file has %(count)s errors; nothing was imported. Open the result to see "
            "them by cell.",
            len(plan.errors),
        ) % {"count": len(plan.errors)}
    return Outcome(text=text, url=import_url(task_list.pk, job), data=plan_data(plan))


@register(COMMIT, unit=gettext_lazy("rows"))
def commit(job: Job, progress) -> Outcome:
    """Import the checked file: read again, then the tasks written all or nothing."""
    task_list = _task_list(job)
    plan = _parse(job, task_list, progress)
    if not plan.is_valid:
        raise JobError(_reason(plan))
    # The writes below are one transaction, which the job's page cannot look into until
    # it ends: the bar shows this stage until the job is done.
    progress.start(plan.rows_read, _("Saving the tasks"))
    with transaction.atomic():
        # Confirming twice (two tabs) queues two commits; the second one waits here for
        # the first and then refuses to import the file again.
        Job.objects.select_for_update().filter(pk=job.params["check"]).first()
        if _already_imported(job):
            raise JobError(_("This file has already been imported into the list."))
        try:
            created = importer.commit(plan, actor=job.owner)
        except PermissionDenied:
            raise _refused() from None
        outcome = Outcome(
            text=ngettext("%(count)s task imported.", "%(count)s tasks imported.", len(created))
            % {"count": len(created)},
            url=reverse("tasks:list", args=[task_list.pk]),
        )
        jobs.succeed(job, outcome)
    return outcome


def _already_imported(job: Job) -> bool:
    """Whether another commit of the same check has already imported its file."""
    return (
        Job.objects.filter(
            kind=COMMIT, params__check=job.params["check"], status=JobStatus.SUCCEEDED
        )
        .exclude(pk=job.pk)
        .exists()
    )
