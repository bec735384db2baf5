"""Background jobs (the user's view of a piece of long work), the workers that run them,
and the runs of scheduled work.

A `Job` is ours; the queue under it is django-tasks' database backend (django_tasks_db),
whose rows say only "run ops.tasks.run_job(job_id)". Progress, the result and the reason
of a failure live here, where the user's pages read them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhuanban.ops.lifecycle import FINISHED, JobStatus


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    # None for scheduled work, which nobody started.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("input file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    result_file = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("result file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result_url = models.CharField(_("result link"), max_length=300, blank=True)
    result_text = models.TextField(_("result"), blank=True)
    result_data = models.JSONField(_("result data"), null=True, blank=True)
    error = models.TextField(_("reason of failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def unit(self) -> str:
        """What `done` and `total` count ("行"), in the language of whoever reads it."""
        from zhuanban.ops import registry

        try:
            return str(registry.get(self.kind).unit)
        except registry.JobError:
            return ""

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)


class Worker(models.Model):
    """A worker process's heartbeat: `seen_at` moves every few seconds while it lives.
    /readyz wants a recent one, and a running job whose worker is silent is recovered."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=200)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class ScheduledRun(models.Model):
    """One run of one scheduled item for one slot. The unique (name, slot) is the lock:
    of several schedulers reaching the same slot, only the one whose insert succeeds
    enqueues the work."""

    name = models.CharField(_("name"), max_length=60)
    slot = models.DateTimeField(_("slot"))
    host = models.CharField(_("host"), max_length=200)
    job = models.ForeignKey(
        Job, verbose_name=_("job"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="ops_scheduled_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
