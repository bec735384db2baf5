"""The one schedule: what runs when, for every host. `zhuanban scheduler` reads it (run
one per host, or several: the `ScheduledRun` row is the lock), and the worker runs what it
queues. Times are local (TIME_ZONE). A slot missed while no scheduler ran is made up once,
at the next start; older missed slots are not (a reminder sent three times late helps
nobody). Leave an item out with SCHEDULE_DISABLED=name,name."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuanban.ops import services
from zhuanban.ops.models import ScheduledRun


@dataclass(frozen=True)
class Entry:
    name: str
    title: str
    kind: str
    params: dict
    at: datetime.time | None = None  # daily at this local time
    every: datetime.timedelta | None = None  # or every so often, from local midnight

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """The latest slot at or before `now`."""
        local = timezone.localtime(now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.at is not None:
            today = midnight.replace(hour=self.at.hour, minute=self.at.minute)
            return today if local >= today else today - datetime.timedelta(days=1)
        steps = (local - midnight) // self.every
        return midnight + steps * self.every


def _command(name: str, *args: str) -> dict:
    return {"command": name, "args": list(args)}


SCHEDULE: tuple[Entry, ...] = (
    Entry(
        "open_rounds",
        _("Open and lock dispatch rounds, remind late units"),
        "ops.command",
        _command("open_rounds"),
        at=datetime.time(0, 10),
    ),
    Entry(
        "remind",
        _("Reminders and overdue notices"),
        "ops.command",
        _command("remind"),
        at=datetime.time(7, 30),
    ),
    Entry("backup", _("Nightly backup"), "ops.backup", {}, at=datetime.time(2, 0)),
    Entry(
        "audit_retention",
        _("Audit trail retention"),
        "ops.audit_retention",
        {},
        at=datetime.time(3, 0),
    ),
    Entry("cleanup", _("Expired jobs and their files"), "ops.cleanup", {}, at=datetime.time(3, 30)),
)


def entries() -> tuple[Entry, ...]:
    disabled = set(settings.SCHEDULE_DISABLED)
    return tuple(entry for entry in SCHEDULE if entry.name not in disabled)


def tick(now: datetime.datetime | None = None) -> list[ScheduledRun]:
    """Queue every entry whose latest slot has not run yet; answer the runs this call
    queued (none when another scheduler got there first)."""
    now = now or timezone.now()
    queued = []
    for entry in entries():
        slot = entry.slot(now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=entry.name, slot=slot, host=services.HOST)
                run.job = services.start(
                    kind=entry.kind, title=str(entry.title), params=entry.params
                )
                run.save(update_fields=["job"])
        except IntegrityError:
            continue  # this slot is another scheduler's, or ran already
        queued.append(run)
    services.recover_stale(now)
    return queued
