"""Run background jobs: django-tasks' database worker, plus a heartbeat.

    zhuanban worker                 # production: one per CPU, under systemd
    zhuanban worker --batch         # run what is queued, then exit

Every JOB_HEARTBEAT_SECONDS a thread records that this worker lives (ops.Worker) and
recovers jobs whose worker stopped beating (ops.services.recover_stale), so a worker
killed mid-job leaves its job retried or failed, never lost."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from zhuanban.ops import services

log = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while True:
                try:
                    close_old_connections()
                    services.beat(self.worker_id, self.started_at)
                    services.recover_stale()
                except Exception:  # the database restarting: beat again next time
                    log.exception("worker %s: heartbeat failed", self.worker_id)
                if self.stopping.wait(settings.JOB_HEARTBEAT_SECONDS):
                    break
            services.worker_gone(self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


class Command(DatabaseWorker):
    help = "Run background jobs (django-tasks' database worker with a heartbeat)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Reloading runs the worker in a child process, beside a heartbeat that would
        # then speak for nobody: off unless asked for.
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
