"""One schedule: each slot queued once however many schedulers tick; a missed slot made up
once; the operations' own kinds."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from zhuanban.core.models import AuditEvent
from zhuanban.ops import kinds, schedule
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job, ScheduledRun

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (at(30, 7, 29), at(29, 7, 30)),  # before today's time: yesterday's slot
        (at(30, 7, 30), at(30, 7, 30)),  # on the minute
        (at(30, 23, 59), at(30, 7, 30)),
    ],
)
def test_a_daily_slot(now, slot):
    entry = schedule.Entry("x", "x", "ops.cleanup", {}, at=datetime.time(7, 30))
    assert entry.slot(now) == slot


def test_every_so_often():
    entry = schedule.Entry("x", "x", "ops.cleanup", {}, every=datetime.timedelta(minutes=15))
    assert entry.slot(at(30, 10, 44)) == at(30, 10, 30)


def test_each_slot_is_queued_once_by_however_many_schedulers(settings):
    settings.SCHEDULE_DISABLED = ["backup"]  # the backup has its own test
    first = schedule.tick(at(30, 9))
    names = sorted(run.name for run in first)
    assert names == ["audit_retention", "cleanup", "open_rounds", "remind"]
    # A second scheduler (another host) at the same moment, and the first one a minute on.
    assert schedule.tick(at(30, 9)) == []
    assert schedule.tick(at(30, 9, 1)) == []
    assert ScheduledRun.objects.count() == 4
    assert Job.objects.filter(owner=None).count() == 4
    # The next day's slots run again.
    assert len(schedule.tick(at(30, 9) + datetime.timedelta(days=1))) == 4


def test_scheduled_commands_run_and_say_what_they_did(settings):
    settings.SCHEDULE_DISABLED = ["backup", "audit_retention", "cleanup", "open_rounds"]
    (run,) = schedule.tick(at(30, 9))
    job = Job.objects.get(pk=run.job_id)
    assert job.status == JobStatus.SUCCEEDED
    assert "overdue=" in job.result_text


def test_a_disabled_item_is_not_queued(settings):
    settings.SCHEDULE_DISABLED = [e.name for e in schedule.SCHEDULE]
    assert schedule.tick(at(30, 9)) == []


def test_only_known_commands_run(world):
    from zhuanban.ops import services

    job = services.start(kind="ops.command", title="x", params={"command": "flush", "args": []})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "flush" in job.error


def test_backups_are_rotated(tmp_path):
    for stamp in ("20261101-020000", "20261102-020000", "20261103-020000"):
        (tmp_path / f"zhuanban-{stamp}.tar.gz").write_bytes(b"x")
    removed = kinds.rotate_backups(tmp_path, keep=2)
    assert [p.name for p in removed] == ["zhuanban-20261101-020000.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "zhuanban-20261102-020000.tar.gz",
        "zhuanban-20261103-020000.tar.gz",
    ]


def test_cleanup_removes_old_finished_jobs_only(world, settings):
    from django.utils import timezone

    from zhuanban.ops import services

    settings.JOB_KEEP_DAYS = 14
    old = services.start(kind="test.count", title="old", owner=world.office)
    recent = services.start(kind="test.count", title="recent", owner=world.office)
    waiting = Job.objects.create(kind="test.count", title="waiting", owner=world.office)
    long_ago = timezone.now() - datetime.timedelta(days=15)
    Job.objects.filter(pk__in=[old.pk, waiting.pk]).update(
        finished_at=long_ago, created_at=long_ago
    )
    cleanup = services.start(kind="ops.cleanup", title="cleanup")
    cleanup.refresh_from_db()
    assert cleanup.status == JobStatus.SUCCEEDED
    left = set(Job.objects.values_list("title", flat=True))
    assert left == {"recent", "waiting", "cleanup"}
    assert recent.pk in set(Job.objects.values_list("pk", flat=True))


def test_cleanup_removes_the_files_only_expired_jobs_held(
    world, settings, django_capture_on_commit_callbacks
):
    """An expired export's file goes, rows and bytes; an expired import's upload that a
    task keeps as its attachment stays, and so does a recent job's file."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from zhuanban.core.files import store_upload
    from zhuanban.core.models import StoredFile
    from zhuanban.ops import services
    from zhuanban.tasks import services as tasks

    settings.JOB_KEEP_DAYS = 14

    def stored(name: str) -> StoredFile:
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + name.encode()
        return store_upload(
            SimpleUploadedFile(name, pdf, content_type="application/pdf"), user=world.office
        )

    export, upload, recent_export = stored("导出.pdf"), stored("上传.pdf"), stored("近期.pdf")
    task_list = tasks.tasklist_create(
        actor=world.office, office=world.potato, title="重点任务单", year=2023, level="city"
    )
    task = tasks.task_create(
        actor=world.office,
        task_list=task_list,
        parent=None,
        content="建设马铃薯种薯繁育基地",
        lead_unit=world.zhuozi,
        start_date=datetime.date(2023, 3, 1),
        due_date=datetime.date(2023, 12, 31),
    )
    task.attachments.add(upload)
    long_ago = timezone.now() - datetime.timedelta(days=15)
    for title, result, given in [("old export", export, None), ("old import", None, upload)]:
        Job.objects.create(
            kind="test.count",
            title=title,
            owner=world.office,
            status=JobStatus.SUCCEEDED,
            result_file=result,
            input_file=given,
            finished_at=long_ago,
        )
    Job.objects.create(
        kind="test.count",
        title="recent export",
        owner=world.office,
        status=JobStatus.SUCCEEDED,
        result_file=recent_export,
        finished_at=timezone.now(),
    )
    storage = StoredFile._meta.get_field("file").storage
    assert storage.exists(export.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        cleanup = services.start(kind="ops.cleanup", title="cleanup")
    cleanup.refresh_from_db()

    assert cleanup.status == JobStatus.SUCCEEDED
    assert set(StoredFile.objects.values_list("pk", flat=True)) == {upload.pk, recent_export.pk}
    assert not storage.exists(export.file.name)
    assert storage.exists(upload.file.name)
    assert storage.exists(recent_export.file.name)
    assert set(Job.objects.values_list("title", flat=True)) == {"recent export", "cleanup"}


def test_audit_retention_keeps_everything_when_switched_off(world, settings):
    from zhuanban.ops import services

    settings.AUDIT_PRUNE_AFTER_DAYS = 0
    before = AuditEvent.objects.count()
    job = services.start(kind="ops.audit_retention", title="retention")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert "永久保留" in job.result_text
    assert AuditEvent.objects.count() == before + 2  # the job's own queued/finished events


def test_the_scheduler_command_lists_the_schedule():
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    listing = out.getvalue()
    for entry in schedule.SCHEDULE:
        assert entry.name in listing
    assert "never run" in listing


def test_the_scheduler_command_once_queues_due_work(settings):
    settings.SCHEDULE_DISABLED = ["backup", "audit_retention", "cleanup", "open_rounds"]
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "queued remind" in out.getvalue()
    call_command("scheduler", "--once", stdout=io.StringIO())
    assert ScheduledRun.objects.filter(name="remind").count() == 1
