"""The jobs pages: a job is its owner's alone; the progress fragment polls until the end;
the file is served to its owner and the download audited; the operations page is the
system administrator's."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.ops import services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job, ScheduledRun, Worker

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def finished(world, **params) -> Job:
    job = services.start(kind="test.count", title="导出台账", owner=world.office, params=params)
    job.refresh_from_db()
    return job


def with_file(world) -> Job:
    job = finished(world, n=3)
    stored = store_upload(SimpleUploadedFile("台账.txt", "一,二\n".encode()), user=world.office)
    Job.objects.filter(pk=job.pk).update(result_file=stored)
    return job


def test_my_jobs_lists_mine_only(world, login):
    mine = finished(world, n=3)
    theirs = services.start(kind="test.count", title="别人的导出", owner=world.zhuozi_liaison)
    page = text(login(world.office).get(reverse("ops:jobs")))
    assert reverse("ops:job", args=[mine.pk]) in page
    assert "导出台账" in page
    assert "别人的导出" not in page
    assert reverse("ops:job", args=[theirs.pk]) not in page


def test_my_jobs_costs_the_same_queries_for_2_or_10_jobs(world, login, django_assert_num_queries):
    client = login(world.office)
    for _ in range(2):
        finished(world)
    client.get(reverse("ops:jobs"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(reverse("ops:jobs"))
    for _ in range(8):
        finished(world)
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("ops:jobs"))
    assert len(ten) == len(two)


def test_the_job_page_shows_the_count_and_the_result(world, login):
    job = finished(world, n=10_000, url="/tasks/")
    page = text(login(world.office).get(reverse("ops:job", args=[job.pk])))
    assert "已处理 10,000 / 10,000 行" in page
    assert 'value="10000"' in page
    assert 'max="10000"' in page
    assert "100%" in page
    assert "counted 10000" in page
    assert 'href="/tasks/"' in page
    # Finished: the fragment no longer polls.
    assert "hx-trigger" not in page


def test_a_running_job_polls_its_progress(world, login):
    job = Job.objects.create(kind="test.count", title="t", owner=world.office)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, done=3200, total=10_000, stage="检查"
    )
    fragment = text(login(world.office).get(reverse("ops:job_progress", args=[job.pk])))
    assert "已处理 3,200 / 10,000 行" in fragment
    assert "32%" in fragment
    assert f'hx-get="{reverse("ops:job_progress", args=[job.pk])}"' in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment


def test_a_queued_job_says_when_no_worker_is_running(world, login, settings):
    settings.JOBS_BACKEND = "database"
    job = Job.objects.create(kind="test.count", title="t", owner=world.office)
    client = login(world.office)
    assert "后台处理进程未运行" in text(client.get(reverse("ops:job", args=[job.pk])))
    now = timezone.now()
    Worker.objects.create(worker_id="w", host="h", pid=1, started_at=now, seen_at=now)
    assert "后台处理进程未运行" not in text(client.get(reverse("ops:job", args=[job.pk])))


def test_a_failed_job_shows_its_reason(world, login):
    job = finished(world, n=5, fail_at=2)
    page = text(login(world.office).get(reverse("ops:job", args=[job.pk])))
    assert "任务失败" in page
    assert "row 2 is wrong" in page
    assert login(world.office).get(reverse("ops:job_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("name", ["ops:job", "ops:job_progress", "ops:job_download"])
def test_nobody_else_opens_a_job(world, login, name):
    job = with_file(world)
    for other in (world.potato_director, world.sysadmin, world.leader, world.outsider):
        assert login(other).get(reverse(name, args=[job.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_the_owner_downloads_the_file_and_it_is_audited(world, login):
    job = with_file(world)
    response = login(world.office).get(reverse("ops:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "一,二\n".encode()
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.actor == world.office


def test_anonymous_users_are_sent_to_log_in(client, world):
    job = finished(world)
    response = client.get(reverse("ops:job", args=[job.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- the operations page ---------------------------------------------------------------------


def test_the_operations_page_is_the_system_administrators(world, login):
    for other in (world.office, world.leader, world.secadmin, world.auditor, world.outsider):
        assert login(other).get(reverse("ops:overview")).status_code == 404
        assert login(other).post(reverse("ops:backup_start")).status_code == 404
    assert not Job.objects.filter(kind="ops.backup").exists()


def test_the_operations_page_shows_workers_schedule_and_jobs(world, login, settings):
    now = timezone.now()
    Worker.objects.create(worker_id="w1", host="app-1", pid=4242, started_at=now, seen_at=now)
    Worker.objects.create(
        worker_id="w0",
        host="app-0",
        pid=1,
        started_at=now,
        seen_at=now - datetime.timedelta(hours=1),
    )
    job = finished(world, n=2)
    ScheduledRun.objects.create(name="remind", slot=now, host="app-1", job=job)
    page = text(login(world.sysadmin).get(reverse("ops:overview")))
    assert "app-1" in page
    assert "4242" in page
    assert "app-0" not in page  # silent for an hour: not a live worker
    assert "到期提醒和逾期通知" in page
    assert "夜间备份" in page
    assert "导出台账" in page


def test_the_system_administrator_backs_up_now(world, login, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    response = login(world.sysadmin).post(reverse("ops:backup_start"))
    job = Job.objects.get(kind="ops.backup")
    assert response.status_code == 302
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    archives = list((tmp_path / "backups").glob("zhuanban-*.tar.gz"))
    assert len(archives) == 1
    assert archives[0].name in job.result_text


def test_an_enterprise_login_finds_its_own_jobs(world, login):
    from zhuanban.org.roles import UnitKind
    from zhuanban.org.tests.factories import OrgUnitFactory, person

    company = OrgUnitFactory(code="ent-9", name="某乳业公司", kind=UnitKind.ENTERPRISE)
    company_login = person("ent-9-login", company, name="企业账号")
    services.start(kind="test.count", title="本企业的导出", owner=company_login)
    client = login(company_login)
    page = text(client.get(reverse("ops:jobs")))
    assert "本企业的导出" in page
    assert client.get(reverse("ops:overview")).status_code == 404
