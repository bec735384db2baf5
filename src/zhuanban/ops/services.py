"""Every change of a background job's state: starting it, claiming it, its progress, its
end, and recovering it when its worker died. Each change of status is one conditional
UPDATE (`WHERE status IN (the transition's sources)`), so two processes racing for the
same job cannot both win, on SQLite or PostgreSQL."""

import datetime
import hashlib
import logging
import os
import socket
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome, StoredFile
from zhuanban.core.notify import notify
from zhuanban.ops import registry
from zhuanban.ops.lifecycle import JobAction, JobStatus, sources
from zhuanban.ops.models import Job, Worker
from zhuanban.ops.registry import JobError, Outcome


class JobLost(Exception):
    """This worker's claim on the job was given up (see recover_stale)."""


log = logging.getLogger(__name__)

HOST = socket.gethostname()


# --- starting ------------------------------------------------------------------------------


def start(
    *,
    kind: str,
    title: str,
    owner=None,
    params: dict | None = None,
    input_file: StoredFile | None = None,
) -> Job:
    """Queue a job of `kind` and answer it; the caller sends its owner to its page."""
    registry.get(kind)  # an unknown kind fails here, in the request, not in the worker
    job = Job.objects.create(
        kind=kind,
        title=title[: Job._meta.get_field("title").max_length],
        owner=owner,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        params=params or {},
        input_file=input_file,
    )
    audit.record(
        actor=owner,
        action=AuditAction.CREATE,
        instance=job,
        after={"kind": kind, "title": job.title, "params": job.params},
        message="background job queued",
    )
    _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    from zhuanban.ops.tasks import run_job  # the task module imports this one

    # The queue row is written in the caller's transaction: rolled back with the job, or
    # committed with it. (The immediate backend runs the job here and now.)
    run_job.enqueue(str(job.pk))


# --- running -------------------------------------------------------------------------------


def claim(job_id, worker_id: str) -> Job | None:
    """queued → running for this worker, or None when another worker has it or it ended."""
    won = Job.objects.filter(pk=job_id, status__in=sources(JobAction.CLAIM)).update(
        status=JobStatus.RUNNING,
        worker_id=worker_id,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return Job.objects.select_related("owner", "input_file").get(pk=job_id) if won else None


def execute(job_id, worker_id: str) -> JobStatus | None:
    """Run one job to its end in this process. Answers its final status (None when it was
    not ours to run)."""
    job = claim(job_id, worker_id)
    if job is None:
        log.info("job %s not claimed by %s: already taken or finished", job_id, worker_id)
        return None
    spec = registry.get(job.kind)
    progress = Progress(job)
    with translation.override(job.language):
        try:
            if job.input_file_id and not job.input_file.file.storage.exists(
                job.input_file.file.name
            ):
                raise JobError(_("The uploaded file is no longer on the server; upload it again."))
            outcome = spec.run(job, progress)
            progress.flush()
            return succeed(job, outcome or Outcome())
        except JobLost:
            log.warning(
                "job %s was given up on %s and queued again: result dropped", job.pk, worker_id
            )
            return None
        except JobError as error:
            return fail(job, str(error))
        except ValidationError as error:
            return fail(job, "\n".join(error.messages))
        except (OperationalError, InterfaceError):
            # The database went away under the run (restarted, the network cut) or was too
            # busy to answer: nothing of it was committed. Run it again on a new connection
            # while it has attempts left, as for a worker that died. Unhandled, the failure
            # could not be written either: the worker would die and the job wait for
            # another worker's heartbeat.
            log.exception("job %s (%s): the database failed under it", job.pk, job.kind)
            _reconnect()
            return interrupted(job)
        except Exception:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            return fail(
                job,
                _(
                    "An internal error stopped the job; nothing was saved. Tell the system "
                    "administrator the job number %(id)s."
                )
                % {"id": str(job.pk)[:8]},
            )


def succeed(job: Job, outcome: Outcome) -> JobStatus:
    """running → succeeded with its outcome. Idempotent: a kind that writes data calls it
    inside its own transaction, and the runner's second call then changes nothing. Raises
    JobLost when the job is no longer this worker's (it was given up as dead and queued
    again): inside a kind's transaction that rolls its writes back, so they happen once."""
    now = timezone.now()
    with transaction.atomic():  # the end, its audit event and its notification: all or none
        won = _end(job, JobAction.SUCCEED).update(
            status=JobStatus.SUCCEEDED,
            result_text=outcome.text,
            result_url=outcome.url,
            result_file=outcome.file,
            result_data=outcome.data,
            finished_at=now,
            updated_at=now,
            done=F("total") if job.total else F("done"),
        )
        if won:
            _finished(job, JobStatus.SUCCEEDED, outcome.text)
    if (
        not won
        and not Job.objects.filter(
            pk=job.pk, status=JobStatus.SUCCEEDED, worker_id=job.worker_id
        ).exists()
    ):
        raise JobLost(job.pk)
    return JobStatus.SUCCEEDED


def fail(job: Job, reason: str) -> JobStatus:
    """→ failed with the reason, if the job is still this worker's (or still queued)."""
    now = timezone.now()
    with transaction.atomic():
        won = _end(job, JobAction.FAIL).update(
            status=JobStatus.FAILED, error=reason, finished_at=now, updated_at=now
        )
        if won:
            _finished(job, JobStatus.FAILED, reason)
    return JobStatus.FAILED


def _end(job: Job, action: str):
    """The job's row, if it may still take `action` and is still this worker's."""
    return Job.objects.filter(pk=job.pk, status__in=sources(action), worker_id=job.worker_id)


def _finished(job: Job, status: str, text: str) -> None:
    audit.record(
        actor=job.owner,
        action=AuditAction.SYSTEM,
        instance=job,
        before={"status": JobStatus.RUNNING},
        after={"status": status, "result": text[:500], "attempts": job.attempts},
        message="background job finished",
        outcome=AuditOutcome.SUCCESS if status == JobStatus.SUCCEEDED else AuditOutcome.FAILURE,
    )
    if job.owner is None:
        if status == JobStatus.FAILED:
            log.error("scheduled job %s (%s) failed: %s", job.pk, job.kind, text)
        return
    url = reverse("ops:job", args=[job.pk])
    with translation.override(job.language):
        title = (
            _("Done: %(title)s") if status == JobStatus.SUCCEEDED else _("Failed: %(title)s")
        ) % {"title": job.title}
        notify(
            [job.owner],
            kind=f"job_{status}",
            title=title,
            body=text,
            url=url,
            dedupe_key=f"job:{job.pk}:{status}",
        )


class Progress:
    """What a running job reports: `start(total, stage)`, then `advance()` per item. Written
    to the job row at most every PROGRESS_INTERVAL seconds (and at each stage), so a
    10,000-row file costs a few dozen UPDATEs, not 10,000."""

    INTERVAL = 0.5

    def __init__(self, job: Job):
        self.job = job
        self._written_at = 0.0
        self._dirty = False

    def start(self, total: int | None = None, stage: str = "") -> None:
        self.job.total, self.job.done, self.job.stage = total, 0, str(stage)
        self._write()

    def stage(self, stage: str) -> None:
        self.job.stage = str(stage)
        self._write()

    def advance(self, count: int = 1) -> None:
        self.set(self.job.done + count)

    def set(self, done: int) -> None:
        self.job.done = done
        self._dirty = True
        if time.monotonic() - self._written_at >= self.INTERVAL:
            self._write()

    def track(self, items, total: int | None, stage: str = ""):
        """Yield `items`, counting each one."""
        self.start(total, stage)
        for item in items:
            yield item
            self.advance()
        self.flush()

    def flush(self) -> None:
        if self._dirty:
            self._write()

    def _write(self) -> None:
        Job.objects.filter(
            pk=self.job.pk, status=JobStatus.RUNNING, worker_id=self.job.worker_id
        ).update(
            total=self.job.total,
            done=self.job.done,
            stage=self.job.stage,
            updated_at=timezone.now(),
        )
        self._written_at = time.monotonic()
        self._dirty = False


def store_result(job: Job, path: Path | str, name: str, content_type: str) -> StoredFile:
    """Keep a file the job wrote (an export, a bundle) as a StoredFile for its owner's
    download. Generated here, so not put through the upload checks; hashed as it is read."""
    path = Path(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
        stored = StoredFile(
            name=name,
            size=path.stat().st_size,
            sha256=digest.hexdigest(),
            content_type=content_type,
            uploaded_by=job.owner,
        )
        handle.seek(0)
        stored.file.save(stored.sha256, File(handle), save=False)
    stored.save()
    return stored


# --- workers and recovery ------------------------------------------------------------------


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    now = timezone.now()
    Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": HOST, "pid": os.getpid(), "started_at": started_at, "seen_at": now},
    )


def worker_gone(worker_id: str) -> None:
    Worker.objects.filter(worker_id=worker_id).delete()


def recover_stale(now: datetime.datetime | None = None) -> dict[str, int]:
    """Running jobs whose worker is silent (killed, its host down) and which have not
    moved for JOB_WORKER_TIMEOUT seconds: queued again while they have attempts left,
    else failed with the reason. Safe to run from every worker and scheduler at once."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.JOB_WORKER_TIMEOUT)
    live = Worker.objects.filter(seen_at__gte=cutoff).values("worker_id")
    stale = Job.objects.filter(status=JobStatus.RUNNING, updated_at__lt=cutoff).exclude(
        worker_id__in=live
    )
    counts = {"retried": 0, "failed": 0}
    for job in stale.select_related("owner"):
        if job.attempts < settings.JOB_MAX_ATTEMPTS:
            if _retry(job, "background job queued again: its worker stopped", now):
                counts["retried"] += 1
        else:
            with translation.override(job.language):
                reason = _(
                    "The worker running this job stopped %(count)s times; nothing was saved. "
                    "Start it again, or tell the system administrator."
                ) % {"count": job.attempts}
            fail(job, reason)
            counts["failed"] += 1
    _close_orphaned_queue_rows(cutoff)
    return counts


def interrupted(job: Job) -> JobStatus | None:
    """This worker's run of `job` broke off with the database: queued again while it has
    attempts left (None: not ended), else failed with the reason."""
    if job.attempts < settings.JOB_MAX_ATTEMPTS:
        _retry(job, "background job queued again: the database failed under it")
        return None
    with translation.override(job.language):
        reason = _(
            "The database failed while the job ran (its connection was lost, or it was too "
            "busy), %(count)s times; nothing was saved. Start it again, or tell the system "
            "administrator."
        ) % {"count": job.attempts}
    return fail(job, reason)


def _retry(job: Job, message: str, now: datetime.datetime | None = None) -> bool:
    """running → queued (its worker's claim dropped) and enqueued again, if the job is still
    that worker's; answers whether it was."""
    with transaction.atomic():
        won = Job.objects.filter(
            pk=job.pk, status__in=sources(JobAction.RETRY), worker_id=job.worker_id
        ).update(
            status=JobStatus.QUEUED,
            worker_id="",
            stage="",
            done=0,
            updated_at=now or timezone.now(),
        )
        if won:
            audit.record(
                actor=None,
                action=AuditAction.SYSTEM,
                instance=job,
                before={"status": JobStatus.RUNNING, "worker": job.worker_id},
                after={"status": JobStatus.QUEUED, "attempts": job.attempts},
                message=message,
            )
            _enqueue(job)
    return bool(won)


def _reconnect() -> None:
    """Drop a connection the database broke, so that the next query opens a new one.
    Never inside a transaction (a test's, or a caller's): that connection is not ours."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def _close_orphaned_queue_rows(cutoff: datetime.datetime) -> None:
    """The queue's own rows of a dead worker stay "RUNNING" forever: mark them failed so
    its admin and pruning see the truth (the job itself was handled above)."""
    from django_tasks_db.models import DBTaskResult

    live = set(Worker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        if not row.worker_ids or row.worker_ids[-1] not in live:
            row.set_failed(JobError("worker stopped"))
