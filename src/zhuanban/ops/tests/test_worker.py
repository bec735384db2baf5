"""The worker's heartbeat thread, on the real database: it records the worker while it
lives, recovers the jobs of dead workers, and says goodbye on a clean stop."""

import datetime
import time

import pytest
from django.utils import timezone

from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.management.commands.worker import Heartbeat
from zhuanban.ops.models import Job, Worker


def wait_for(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_recovers_and_says_goodbye(world, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    settings.JOB_WORKER_TIMEOUT = 60
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    orphan = Job.objects.create(
        kind="test.count", title="孤儿", owner=world.office, params={"n": 2}
    )
    Job.objects.filter(pk=orphan.pk).update(
        status=JobStatus.RUNNING, worker_id="killed", attempts=1, updated_at=long_ago
    )
    heartbeat = Heartbeat("w-test")
    heartbeat.start()
    try:
        assert wait_for(lambda: Worker.objects.filter(worker_id="w-test").exists())
        first = Worker.objects.get(worker_id="w-test").seen_at
        assert wait_for(lambda: Worker.objects.get(worker_id="w-test").seen_at > first)
        # The dead worker's job was queued again and (immediate backend) run to its end.
        assert wait_for(
            lambda: Job.objects.filter(pk=orphan.pk, status=JobStatus.SUCCEEDED).exists()
        )
        assert Job.objects.get(pk=orphan.pk).attempts == 2
    finally:
        heartbeat.stop()
    assert not heartbeat.is_alive()
    assert not Worker.objects.filter(worker_id="w-test").exists()
