"""The job runner: claiming exactly once, progress, success, failure with its reason,
notifications and the audit trail; recovery of a job whose worker died."""

import datetime

import pytest
from django.utils import timezone

from zhuanban.core.models import AuditEvent, Notification
from zhuanban.ops import services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job, Worker

pytestmark = pytest.mark.django_db


def queued(world, **params) -> Job:
    """A job row as `start` writes it, without running it (the tests run it by hand)."""
    return Job.objects.create(kind="test.count", title="数一数", owner=world.office, params=params)


def test_start_runs_the_job_and_records_its_result(world):
    job = services.start(kind="test.count", title="数一数", owner=world.office, params={"n": 25})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (25, 25, 100)
    assert job.result_text == "counted 25"
    assert job.attempts == 1
    assert job.finished_at is not None
    note = Notification.objects.get(recipient=world.office)
    assert note.kind == "job_succeeded"
    assert "数一数" in note.title
    assert note.url == f"/jobs/{job.pk}/"
    events = AuditEvent.objects.filter(object_id=str(job.pk)).order_by("pk")
    assert [e.message for e in events] == ["background job queued", "background job finished"]
    assert events[1].after["status"] == JobStatus.SUCCEEDED


def test_an_unknown_kind_is_refused_when_started(world):
    with pytest.raises(services.JobError):
        services.start(kind="no.such", title="x", owner=world.office)
    assert not Job.objects.exists()


def test_a_job_is_claimed_once(world):
    job = queued(world)
    assert services.claim(job.pk, "w1") is not None
    assert services.claim(job.pk, "w2") is None
    job.refresh_from_db()
    assert (job.status, job.worker_id, job.attempts) == (JobStatus.RUNNING, "w1", 1)
    # The second worker runs nothing: execute answers None and the job is unchanged.
    assert services.execute(job.pk, "w2") is None
    job.refresh_from_db()
    assert (job.status, job.worker_id) == (JobStatus.RUNNING, "w1")


def test_a_finished_job_never_runs_again(world):
    job = services.start(kind="test.count", title="t", owner=world.office, params={"n": 3})
    assert services.execute(job.pk, "again") is None
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_job_error_fails_the_job_with_its_reason(world):
    job = services.start(
        kind="test.count", title="t", owner=world.office, params={"n": 10, "fail_at": 4}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "row 4 is wrong"
    note = Notification.objects.get(recipient=world.office)
    assert note.kind == "job_failed"
    assert note.body == "row 4 is wrong"


def test_a_bug_fails_the_job_with_a_reason_the_user_can_quote(world):
    job = services.start(
        kind="test.count", title="t", owner=world.office, params={"n": 10, "crash_at": 2}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "内部错误" in job.error
    assert str(job.pk)[:8] in job.error


def test_a_job_the_database_failed_under_is_run_again(world):
    job = services.start(
        kind="test.count", title="t", owner=world.office, params={"n": 10, "db_lost_at": 4}
    )
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done, job.error) == (JobStatus.SUCCEEDED, 2, 10, "")
    events = AuditEvent.objects.filter(object_id=str(job.pk)).order_by("pk")
    assert [e.message for e in events] == [
        "background job queued",
        "background job queued again: the database failed under it",
        "background job finished",
    ]
    assert Notification.objects.get(recipient=world.office).kind == "job_succeeded"


def test_a_job_the_database_fails_under_every_time_fails_with_the_reason(world, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    job = services.start(
        kind="test.count",
        title="t",
        owner=world.office,
        params={"n": 10, "db_lost_at": 4, "db_lost_runs": 2},
    )
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert job.error == (
        "任务运行期间数据库出错（连接中断或过于繁忙）2次，未保存任何内容。"
        "请重新发起，或告知系统管理员。"
    )
    assert Notification.objects.get(recipient=world.office).body == job.error


def test_a_job_whose_input_file_vanished_fails_clearly(world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhuanban.core.files import store_upload

    stored = store_upload(SimpleUploadedFile("a.txt", b"a,b\n1,2\n"), user=world.office)
    stored.file.storage.delete(stored.file.name)
    job = services.start(kind="test.count", title="t", owner=world.office, input_file=stored)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "上传的文件已不在服务器上，请重新上传。"


def test_a_job_that_writes_succeeds_inside_its_transaction(world):
    job = services.start(kind="test.write", title="写", owner=world.office)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert Notification.objects.filter(kind="test").count() == 1
    # Only one "finished" event although the runner calls succeed() a second time.
    assert (
        AuditEvent.objects.filter(object_id=str(job.pk), message__contains="finished").count() == 1
    )


def test_a_job_that_crashes_before_its_commit_saves_nothing(world):
    job = services.start(kind="test.write", title="写", owner=world.office, params={"crash": 1})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not Notification.objects.filter(kind="test").exists()


def test_a_job_given_up_meanwhile_keeps_nothing_of_its_late_run(world):
    job = Job.objects.create(
        kind="test.write", title="写", owner=world.office, params={"stolen": 1}
    )
    assert services.execute(job.pk, "slow") is None
    job.refresh_from_db()
    # The write rolled back with the lost claim; the job is the other worker's, untouched.
    assert not Notification.objects.filter(kind="test").exists()
    assert (job.status, job.worker_id) == (JobStatus.RUNNING, "thief")
    assert not Notification.objects.filter(recipient=world.office).exists()


def test_progress_is_written_as_it_goes(world, monkeypatch):
    monkeypatch.setattr(services.Progress, "INTERVAL", 0)
    job = queued(world, n=5)
    job = services.claim(job.pk, "w1")
    progress = services.Progress(job)
    seen = []
    for _item in progress.track(range(5), 5, "counting"):
        seen.append(Job.objects.values_list("done", "total", "stage").get(pk=job.pk))
    assert seen == [
        (0, 5, "counting"),
        (1, 5, "counting"),
        (2, 5, "counting"),
        (3, 5, "counting"),
        (4, 5, "counting"),
    ]
    assert Job.objects.get(pk=job.pk).done == 5


def test_progress_is_not_written_for_every_row(world, django_assert_max_num_queries):
    job = services.claim(queued(world).pk, "w1")
    progress = services.Progress(job)
    with django_assert_max_num_queries(3):
        for _item in progress.track(range(10_000), 10_000):
            pass


# --- recovery -------------------------------------------------------------------------------


def _running(world, worker_id: str, *, attempts: int, quiet_for: int) -> Job:
    job = queued(world, n=3)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker_id=worker_id,
        attempts=attempts,
        updated_at=timezone.now() - datetime.timedelta(seconds=quiet_for),
    )
    return job


def _beat(worker_id: str, seconds_ago: int) -> None:
    when = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    Worker.objects.create(worker_id=worker_id, host="h", pid=1, started_at=when, seen_at=when)


def test_a_job_of_a_dead_worker_is_run_again(world, settings):
    settings.JOB_WORKER_TIMEOUT = 60
    _beat("dead", 300)
    job = _running(world, "dead", attempts=1, quiet_for=120)
    assert services.recover_stale() == {"retried": 1, "failed": 0}
    job.refresh_from_db()
    # Queued again, and (the immediate backend) run to its end by a second attempt.
    assert (job.status, job.attempts, job.result_text) == (JobStatus.SUCCEEDED, 2, "counted 3")
    assert AuditEvent.objects.filter(
        object_id=str(job.pk), message="background job queued again: its worker stopped"
    ).exists()


def test_a_job_out_of_attempts_fails_with_the_reason(world, settings):
    settings.JOB_WORKER_TIMEOUT = 60
    settings.JOB_MAX_ATTEMPTS = 2
    job = _running(world, "gone", attempts=2, quiet_for=120)
    assert services.recover_stale() == {"retried": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "2次" in job.error


@pytest.mark.parametrize(
    ("beat_ago", "quiet_for"),
    [(5, 120), (300, 10)],  # its worker is alive / it moved a moment ago
)
def test_a_job_that_is_alive_is_left_alone(world, settings, beat_ago, quiet_for):
    settings.JOB_WORKER_TIMEOUT = 60
    _beat("w", beat_ago)
    job = _running(world, "w", attempts=1, quiet_for=quiet_for)
    assert services.recover_stale() == {"retried": 0, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.worker_id) == (JobStatus.RUNNING, "w")
