"""What the background imports (the `import_jobs` modules of tasks, dispatch and
assessment) share: the stored upload they read, the commit job already started from a
check, and the reason a refused commit gives, problem by cell."""

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager

from django.core.files import File
from django.utils.translation import gettext as _

from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError

PROBLEMS_IN_A_REASON = 20


@contextmanager
def stored_input(job: Job):
    """The job's stored upload, under the name it was uploaded with (the checks read its
    type from that name, as they did on upload)."""
    stored = job.input_file
    if stored is None:
        raise JobError(_("The uploaded file is no longer on the server; upload it again."))
    with stored.file.open("rb") as handle:
        yield File(handle, name=stored.name)


def commit_of(check: Job, kind: str) -> Job | None:
    """The commit job of `kind` already started from this check, unless it failed:
    confirming twice leads to the same job, never to a second import."""
    return (
        Job.objects.filter(kind=kind, owner_id=check.owner_id, params__check=str(check.pk))
        .exclude(status=JobStatus.FAILED)
        .order_by("created_at")
        .first()
    )


def refusal(summary: str, problems: Sequence, place: Callable[[object], Iterable[str]]) -> str:
    """Why a commit was refused: `summary` (the count), then the first problems, each after
    its `place` (cell, column…), then how many more there are."""
    lines = [summary]
    for problem in problems[:PROBLEMS_IN_A_REASON]:
        where = " ".join(part for part in place(problem) if part)
        lines.append(f"{where}: {problem.message}" if where else problem.message)
    if len(problems) > PROBLEMS_IN_A_REASON:
        more = len(problems) - PROBLEMS_IN_A_REASON
        lines.append(_("…and %(count)s more.") % {"count": more})
    return "\n".join(lines)
