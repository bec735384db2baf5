"""The audit trail's export as a background job: beyond JOB_SYNC_ROWS events a GET
offers it, a POST queues it, and the job's file is the synchronous export of the same
filters; only the audit administrator starts one, and the job checks again that its
owner still is one."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.ops import services as job_services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.tests.downloads import job_download
from zhuanban.org.export_jobs import AUDIT_EVENTS
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import Role

pytestmark = pytest.mark.django_db

URL = "/audit/export.xlsx"
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def record(world, count: int) -> None:
    for n in range(count):
        audit.record(
            actor=world.office,
            action=AuditAction.UPDATE,
            object_type="tasks.task",
            object_id=str(n),
            object_repr=f"=措施{n}" if n % 2 else f"措施{n}",
            before={"progress": n},
            after={"progress": n + 10},
        )


@pytest.fixture
def events(world):
    """Four updates by 马晓静 (the others' events are the exports' and the jobs' own)."""
    record(world, 4)


def cells(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    rows[1] = [TIME.sub("…", rows[1][0] or "")]  # the subtitle: when it was exported
    return rows


def synchronous(client, settings, **params) -> list[list]:
    settings.JOB_SYNC_ROWS = 10_000
    response = client.get(URL, params)
    assert response.status_code == 200
    return cells(b"".join(response.streaming_content))


def started(client, settings, query: str) -> Job:
    settings.JOB_SYNC_ROWS = 1
    response = client.post(f"{URL}?{query}")
    job = Job.objects.get(kind=AUDIT_EVENTS)
    assert response.status_code == 302
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    return job


def job_file(client, job) -> list[list]:
    return cells(job_download(client, job))


def test_a_large_export_is_offered_and_nothing_is_queued(world, login, events, settings):
    settings.JOB_SYNC_ROWS = 3
    response = login(world.auditor).get(URL, {"user": "office", "page": "2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "本次导出共 4 行" in page
    assert 'method="post"' in page
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_small_export_still_comes_at_once(world, login, events, settings):
    settings.JOB_SYNC_ROWS = 4
    response = login(world.auditor).get(URL, {"user": "office"})
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()


def test_the_jobs_file_is_the_synchronous_file(world, login, events, settings):
    client = login(world.auditor)
    expected = synchronous(client, settings, user="office")
    job = started(client, settings, "user=office&page=3")
    assert job.params == {"query": "user=office"}  # the page is not a filter
    rows = job_file(client, job)
    assert rows == expected
    assert [row[8] for row in rows[3:]] == ["=措施3", "措施2", "=措施1", "措施0"]
    assert rows[1] == ["汪洁 于 … 导出"]
    assert (job.done, job.total) == (4, 4)
    assert re.fullmatch(r"审计日志-\d{8}-\d{4}\.xlsx", job.result_file.name)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert (event.actor, event.object_type) == (world.auditor, "core.auditevent")
    assert event.after == {"query": "user=office", "job": str(job.pk)}


def test_text_stays_text_in_the_jobs_file(world, login, events, settings):
    client = login(world.auditor)
    job = started(client, settings, "user=office")
    response = client.get(reverse("ops:job_download", args=[job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = ws.cell(row=4, column=9)
    assert cell.value == "=措施3"
    assert cell.data_type == "s"


@pytest.mark.parametrize(
    "persona", ["sysadmin", "secadmin", "leader", "office", "zhuozi_liaison", "outsider"]
)
def test_who_may_not_export_is_refused_and_nothing_is_queued(world, login, events, persona):
    client = login(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert not Job.objects.exists()


def test_strangers_and_other_methods(world, login, client, events):
    assert client.post(URL).status_code == 302
    assert login(world.auditor).put(URL).status_code == 405
    assert not Job.objects.exists()


def test_an_owner_who_lost_access_gets_a_reason_not_a_file(world, events):
    job = Job.objects.create(kind=AUDIT_EVENTS, title="审计日志", owner=world.auditor)
    RoleAssignment.objects.filter(user=world.auditor).update(role=Role.SYSTEM_ADMIN)
    job_services.execute(job.pk, "w1")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result_file is None
    assert "权限" in job.error
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_jobs_queries_do_not_grow_with_the_trail(world, monkeypatch):
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)

    def run() -> tuple[int, int]:
        job = Job.objects.create(
            kind=AUDIT_EVENTS,
            title="审计日志",
            owner=world.auditor,
            params={"query": "user=office&object_type=tasks.task"},
        )
        with CaptureQueriesContext(connection) as captured:
            job_services.execute(job.pk, "w1")
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        return len(captured), job.done

    record(world, 2)
    small, done = run()
    assert done == 2
    record(world, 8)
    large, done = run()
    assert done == 10
    assert small == large
