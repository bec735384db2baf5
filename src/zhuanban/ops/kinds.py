"""The operations' own job kinds: a management command on the schedule, the backup, the
audit trail's retention, and the cleaning up of expired jobs."""

import datetime
import io
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuanban.core import audit, files
from zhuanban.core.backup import BackupError, create_backup
from zhuanban.ops.lifecycle import FINISHED
from zhuanban.ops.models import Job, ScheduledRun
from zhuanban.ops.registry import JobError, Outcome, register

# Commands the schedule may run: nothing else, whatever a job row says.
COMMANDS = frozenset({"open_rounds", "remind"})


@register("ops.command")
def run_command(job: Job, progress) -> Outcome:
    name = job.params["command"]
    if name not in COMMANDS:
        raise JobError(f"command {name!r} is not one the schedule runs")
    progress.stage(name)
    out = io.StringIO()
    call_command(name, *job.params.get("args", []), stdout=out)
    return Outcome(text=out.getvalue().strip())


@register("ops.backup", unit=gettext_lazy("files"))
def backup(job: Job, progress) -> Outcome:
    try:
        made = create_backup(actor=job.owner, progress=progress)
    except BackupError as error:
        raise JobError(str(error)) from error
    removed = rotate_backups(made.path.parent, keep=settings.BACKUP_KEEP)
    text = _("Wrote %(name)s (%(size)s bytes, SHA-256 %(sha)s).") % {
        "name": made.path.name,
        "size": f"{made.size:,}",
        "sha": made.sha256[:16],
    }
    if removed:
        text += " " + _("Removed %(count)s older backups.") % {"count": len(removed)}
    return Outcome(text=text, data={"path": str(made.path), "sha256": made.sha256})


def rotate_backups(folder: Path, *, keep: int) -> list[Path]:
    """Keep the newest `keep` archives in the backup folder (names sort by their time)."""
    archives = sorted(folder.glob("zhuanban-*.tar.gz"))
    old = archives[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


@register("ops.audit_retention")
def audit_retention(job: Job, progress) -> Outcome:
    if not settings.AUDIT_PRUNE_AFTER_DAYS:
        return Outcome(text=_("The audit trail is kept for ever (AUDIT_PRUNE_AFTER_DAYS is 0)."))
    before = timezone.localdate() - datetime.timedelta(days=settings.AUDIT_PRUNE_AFTER_DAYS)
    audit.check_prune_date(before)
    plan, _event = audit.prune(before=before, actor=job.owner)
    return Outcome(
        text=_("%(count)s audit events from before %(date)s removed.")
        % {"count": plan.count, "date": before.isoformat()}
    )


@register("ops.cleanup")
def cleanup(job: Job, progress) -> Outcome:
    """Finished jobs (with their queue rows) and scheduled runs past JOB_KEEP_DAYS, and the
    files only those jobs held (an export; not an upload or a PDF some record keeps)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(days=settings.JOB_KEEP_DAYS)
    expired = Job.objects.filter(status__in=FINISHED, finished_at__lt=cutoff)
    held = {
        pk
        for pair in expired.values_list("input_file_id", "result_file_id")
        for pk in pair
        if pk is not None
    }
    jobs, _detail = expired.delete()
    deleted_files = files.delete_unreferenced(held)
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    ScheduledRun.objects.filter(slot__lt=cutoff).delete()
    # What a worker killed mid-export left half-written (ops.exports.file_outcome).
    a_day_ago = time.time() - 86_400
    for part in (Path(settings.DATA_DIR) / "tmp").glob("job-*.part"):
        if part.stat().st_mtime < a_day_ago:
            part.unlink(missing_ok=True)
    return Outcome(
        text=_("%(count)s finished jobs and %(files)s files removed.")
        % {"count": jobs, "files": deleted_files}
    )
