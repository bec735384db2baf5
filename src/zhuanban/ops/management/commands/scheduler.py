"""Queue scheduled work when it is due (see zhuanban.ops.schedule).

    zhuanban scheduler              # loop: check every SCHEDULER_INTERVAL seconds
    zhuanban scheduler --once       # check once and exit (for cron or a systemd timer)
    zhuanban scheduler --list       # the schedule and each item's last run

Safe on several hosts at once: a slot is queued by whichever scheduler inserts its
ScheduledRun row first."""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from zhuanban.ops import schedule
from zhuanban.ops.models import ScheduledRun

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Queue the scheduled work (dispatch rounds, reminders, backups, retention) when due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--list", action="store_true", help="Show the schedule.")

    def handle(self, *args, once=False, list=False, **options):
        if list:
            return self._list()
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        while True:
            try:
                for run in schedule.tick():
                    self.stdout.write(
                        f"queued {run.name} for {timezone.localtime(run.slot):%Y-%m-%d %H:%M}"
                    )
            except Exception:  # the database restarting: try again at the next tick
                log.exception("scheduler tick failed")
                if once:
                    raise
            if once or stopping.wait(settings.SCHEDULER_INTERVAL):
                return
            # As Django does between requests: drop a connection the database closed.
            close_old_connections()

    def _list(self):
        now = timezone.now()
        for entry in schedule.entries():
            when = entry.at.strftime("daily %H:%M") if entry.at else f"every {entry.every}"
            last = ScheduledRun.objects.filter(name=entry.name).select_related("job").first()
            state = (
                f"last {timezone.localtime(last.slot):%Y-%m-%d %H:%M} "
                f"{last.job.status if last.job else '?'}"
                if last
                else "never run"
            )
            due = timezone.localtime(entry.slot(now))
            self.stdout.write(
                f"{entry.name:<16} {when:<14} {state:<32} latest slot {due:%Y-%m-%d %H:%M}"
            )
