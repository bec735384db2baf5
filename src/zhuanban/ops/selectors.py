"""Reads for the jobs pages and the operations page."""

import datetime

from django.conf import settings
from django.utils import timezone

from zhuanban.ops import schedule
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job, ScheduledRun, Worker


def jobs_of(user):
    return Job.objects.filter(owner=user).select_related("result_file")


def live_workers(now: datetime.datetime | None = None):
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.JOB_WORKER_TIMEOUT)
    return Worker.objects.filter(seen_at__gte=cutoff)


def waits_for_a_worker(job: Job) -> bool:
    """A queued job nobody will take: the database backend with no live worker."""
    return (
        job.status == JobStatus.QUEUED
        and settings.JOBS_BACKEND == "database"
        and not live_workers().exists()
    )


def schedule_rows(now: datetime.datetime | None = None) -> list[dict]:
    """Each schedule entry with its latest slot and its last run (one query)."""
    now = now or timezone.now()
    entries = schedule.entries()
    last: dict[str, ScheduledRun] = {}
    runs = ScheduledRun.objects.filter(name__in=[e.name for e in entries]).select_related("job")
    for run in runs.order_by("name", "-slot"):
        last.setdefault(run.name, run)
    return [
        {"entry": entry, "slot": entry.slot(now), "last": last.get(entry.name)} for entry in entries
    ]


def recent_jobs(limit: int = 50):
    return Job.objects.select_related("owner").order_by("-created_at")[:limit]
