"""The rectification ledger as a background job: a large ledger is offered, not written,
on GET; a POST queues the job, whose file is the synchronous export's, scoped to its
owner as they are when it runs."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhuanban.core import ledger as ledger_sheet
from zhuanban.core.models import AuditEvent
from zhuanban.ops import services as job_services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.tests.downloads import job_download
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import Role
from zhuanban.rectification.export_jobs import LEDGER

pytestmark = pytest.mark.django_db

URL = "/rectification/export.xlsx"
PROBLEM = 2  # the column of the problem


@pytest.fixture
def ledger(world, raise_item):
    """Three items for each county."""
    for n in range(3):
        raise_item(world.huade, problem=f"化德县的问题{n}", due_in=n + 1)
        raise_item(world.zhuozi, problem=f"卓资县的问题{n}", due_in=n + 1)


def cells(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def problems(rows: list[list]) -> list[str]:
    return [row[PROBLEM] for row in rows[ledger_sheet.HEADER_ROW :]]


def synchronous(client, settings, **params) -> list[list]:
    settings.JOB_SYNC_ROWS = 10_000
    response = client.get(URL, params)
    assert response.status_code == 200
    return cells(b"".join(response.streaming_content))


def started(client, settings, query: str = "") -> Job:
    settings.JOB_SYNC_ROWS = 2
    response = client.post(f"{URL}?{query}" if query else URL)
    job = Job.objects.get(kind=LEDGER)
    assert response.status_code == 302
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    return job


def job_file(client, job) -> list[list]:
    return cells(job_download(client, job))


def test_a_large_ledger_is_offered_and_nothing_is_queued(world, login, ledger, settings):
    settings.JOB_SYNC_ROWS = 2
    response = login(world.office).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "本次导出共 6 行" in page
    assert 'method="post"' in page
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(object_type=LEDGER).exists()


def test_a_small_ledger_still_comes_at_once(world, login, ledger, settings):
    settings.JOB_SYNC_ROWS = 6
    response = login(world.office).get(URL)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()


def test_the_jobs_file_is_the_synchronous_file(world, login, ledger, settings):
    client = login(world.office)
    expected = synchronous(client, settings, county=world.huade.pk, text="化德")
    job = started(client, settings, f"county={world.huade.pk}&text=化德")
    assert job.params == {"query": f"county={world.huade.pk}&text=%E5%8C%96%E5%BE%B7"}
    assert job_file(client, job) == expected
    assert problems(expected) == [f"化德县的问题{n}" for n in range(3)]
    assert (job.done, job.total) == (3, 3)
    assert job.result_file.name.startswith("整改事项台账-")
    event = AuditEvent.objects.filter(object_type=LEDGER).latest("pk")
    assert event.actor == world.office
    assert event.after["job"] == str(job.pk)


def test_a_county_liaisons_job_holds_only_their_county(world, login, ledger, settings):
    client = login(world.zhuozi_liaison)
    rows = job_file(client, started(client, settings))
    assert problems(rows) == [f"卓资县的问题{n}" for n in range(3)]
    assert rows == synchronous(client, settings)


def test_an_owner_who_lost_access_gets_a_reason_not_a_file(world, ledger):
    job = Job.objects.create(kind=LEDGER, title="整改事项台账", owner=world.office)
    RoleAssignment.objects.filter(user=world.office).update(role=Role.AUDIT_ADMIN, unit=None)
    job_services.execute(job.pk, "w1")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result_file is None
    assert "权限" in job.error
    assert not AuditEvent.objects.filter(object_type=LEDGER).exists()


@pytest.mark.parametrize("persona", ["auditor", "secadmin"])
def test_who_may_not_export_is_refused_and_nothing_is_queued(world, login, ledger, persona):
    client = login(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert not Job.objects.exists()


def test_strangers_are_sent_to_log_in_and_nothing_is_queued(client, world, ledger):
    response = client.post(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Job.objects.exists()


def test_other_methods_are_refused(world, login):
    assert login(world.office).put(URL).status_code == 405
    assert not Job.objects.exists()


def test_the_jobs_queries_do_not_grow_with_the_ledger(world, raise_item, monkeypatch):
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)

    def run() -> tuple[int, int]:
        job = Job.objects.create(
            kind=LEDGER, title="整改事项台账", owner=world.office, params={"query": "text=问题"}
        )
        with CaptureQueriesContext(connection) as captured:
            job_services.execute(job.pk, "w1")
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        return len(captured), job.done

    for n in range(2):
        raise_item(world.huade, problem=f"问题{n}")
    small, done = run()
    assert done == 2
    for n in range(8):
        raise_item(world.zhuozi, problem=f"问题{n}")
    large, done = run()
    assert done == 10
    assert small == large
