"""The notice ledger and the visit counts as background jobs: a large export is offered,
not written, on GET; a POST queues the job, whose file is the synchronous export's,
scoped to its owner as they are when it runs. (The plan of visits of one group stays
synchronous: tests in test_group_plan_export.py.)"""

import datetime
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
from zhuanban.supervision.export_jobs import NOTICE_LEDGER, VISIT_COUNTS

from .notice_fixtures import draft, issued, with_reason

pytestmark = pytest.mark.django_db

NOTICES_URL = "/supervision/notices/export.xlsx"
COUNTS_URL = "/supervision/visits/counts.xlsx"
TITLE = 2  # the notice ledger's column of titles


@pytest.fixture
def notices(world):
    """Two notices to 卓资县, one to 化德县, one to both."""
    issued(world, units=[world.zhuozi], title="卓资县通报一")
    issued(world, units=[world.zhuozi], title="卓资县通报二")
    huade = draft(world, units=[world.huade], title="化德县通报")
    issued(world, with_reason(world, huade, unit=world.huade))
    issued(world, units=[world.zhuozi, world.huade], title="两县共同通报")


@pytest.fixture
def last_year(today):
    return today.year - 1


@pytest.fixture
def visits(world, make_visit, last_year, today):
    """Last year: 卓资县 in March and July, 化德县 in March."""

    def on(month, county):
        date = datetime.date(last_year, month, 10)
        return make_visit(county, group=None, office=world.potato, days=(date - today).days)

    return [on(3, world.zhuozi), on(7, world.zhuozi), on(3, world.huade)]


def cells(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def data(rows: list[list]) -> list[list]:
    return rows[ledger_sheet.HEADER_ROW :]


def synchronous(client, settings, url, **params) -> list[list]:
    settings.JOB_SYNC_ROWS = 10_000
    response = client.get(url, params)
    assert response.status_code == 200
    return cells(b"".join(response.streaming_content))


def started(client, settings, url, kind, query: str = "") -> Job:
    settings.JOB_SYNC_ROWS = 1
    response = client.post(f"{url}?{query}" if query else url)
    job = Job.objects.get(kind=kind)
    assert response.status_code == 302
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    return job


def job_file(client, job) -> list[list]:
    return cells(job_download(client, job))


def measure(world, kind: str, params: dict) -> tuple[int, int]:
    job = Job.objects.create(kind=kind, title="导出", owner=world.office, params=params)
    with CaptureQueriesContext(connection) as captured:
        job_services.execute(job.pk, "w1")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return len(captured), job.done


# --- the notice ledger ------------------------------------------------------------------------


def test_a_large_notice_ledger_is_offered_and_nothing_is_queued(world, login, notices, settings):
    settings.JOB_SYNC_ROWS = 3
    response = login(world.office).get(NOTICES_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "本次导出共 4 行" in page
    assert 'method="post"' in page
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(object_type=NOTICE_LEDGER).exists()


def test_a_small_notice_ledger_still_comes_at_once(world, login, notices, settings):
    settings.JOB_SYNC_ROWS = 4
    response = login(world.office).get(NOTICES_URL)
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()


def test_the_notice_jobs_file_is_the_synchronous_file(world, login, notices, settings):
    client = login(world.office)
    expected = synchronous(client, settings, NOTICES_URL, unit=world.huade.pk)
    job = started(client, settings, NOTICES_URL, NOTICE_LEDGER, f"unit={world.huade.pk}")
    assert job_file(client, job) == expected
    assert sorted(row[TITLE] for row in data(expected)) == ["两县共同通报", "化德县通报"]
    assert (job.done, job.total) == (2, 2)
    assert job.result_file.name.startswith("督办通报台账-")
    event = AuditEvent.objects.filter(object_type=NOTICE_LEDGER).latest("pk")
    assert (event.actor, event.after["query"]) == (world.office, f"unit={world.huade.pk}")
    assert event.after["job"] == str(job.pk)


def test_a_liaisons_notice_job_holds_only_their_countys_notices(world, login, notices, settings):
    client = login(world.huade_liaison)
    rows = job_file(client, started(client, settings, NOTICES_URL, NOTICE_LEDGER))
    assert sorted(row[TITLE] for row in data(rows)) == ["两县共同通报", "化德县通报"]
    assert rows == synchronous(client, settings, NOTICES_URL)


def test_the_notice_jobs_queries_do_not_grow_with_the_ledger(world, monkeypatch):
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)
    for n in range(2):
        issued(world, units=[world.zhuozi, world.huade], title=f"通报{n}")
    small, done = measure(world, NOTICE_LEDGER, {"query": ""})
    assert done == 2
    for n in range(8):
        issued(world, units=[world.zhuozi], title=f"通报{n}")
    large, done = measure(world, NOTICE_LEDGER, {"query": ""})
    assert done == 10
    assert small == large


# --- visits per county and month -----------------------------------------------------------------


def test_large_visit_counts_are_offered_and_nothing_is_queued(
    world, login, visits, last_year, settings
):
    settings.JOB_SYNC_ROWS = 1
    response = login(world.office).get(COUNTS_URL, {"year": last_year})
    assert response.status_code == 200
    assert "本次导出共 2 行" in response.content.decode()
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(object_type=VISIT_COUNTS).exists()


def test_small_visit_counts_still_come_at_once(world, login, visits, last_year, settings):
    settings.JOB_SYNC_ROWS = 2
    response = login(world.office).get(COUNTS_URL, {"year": last_year})
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()


def test_the_counts_jobs_file_is_the_synchronous_file(world, login, visits, last_year, settings):
    client = login(world.office)
    expected = synchronous(client, settings, COUNTS_URL, year=last_year)
    job = started(client, settings, COUNTS_URL, VISIT_COUNTS, f"year={last_year}")
    assert job.params == {"query": f"year={last_year}"}
    assert job_file(client, job) == expected
    assert [row[0] for row in data(expected)] == ["卓资县", "化德县", "合计"]
    assert data(expected)[-1][-1] == 3
    assert (job.done, job.total) == (2, 2)
    assert job.result_file.name == f"督导调研次数统计-{last_year}.xlsx"
    event = AuditEvent.objects.filter(object_type=VISIT_COUNTS).latest("pk")
    assert (event.actor, event.after["year"]) == (world.office, last_year)


def test_a_bad_year_is_this_year_in_the_job_too(world, login, visits, today, settings):
    client = login(world.office)
    job = started(client, settings, COUNTS_URL, VISIT_COUNTS, "year=1999x")
    assert job.params == {"query": f"year={today.year}"}
    assert job_file(client, job) == synchronous(client, settings, COUNTS_URL, year="1999x")


def test_a_liaisons_counts_job_holds_their_countys_row(world, login, visits, last_year, settings):
    client = login(world.zhuozi_liaison)
    settings.JOB_SYNC_ROWS = 0
    client.post(f"{COUNTS_URL}?year={last_year}")
    rows = job_file(client, Job.objects.get(kind=VISIT_COUNTS))
    assert [row[0] for row in data(rows)] == ["卓资县", "合计"]
    assert data(rows)[-1][-1] == 2
    assert rows == synchronous(client, settings, COUNTS_URL, year=last_year)


def test_the_counts_jobs_queries_do_not_grow_with_the_visits(
    world, make_visit, last_year, today, monkeypatch
):
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)

    def add(count):
        for n in range(count):
            date = datetime.date(last_year, 1 + n % 12, 1 + n % 28)
            county = world.zhuozi if n % 2 else world.huade
            make_visit(county, group=None, office=world.potato, days=(date - today).days)

    add(2)
    small, _done = measure(world, VISIT_COUNTS, {"query": f"year={last_year}"})
    add(8)
    large, _done = measure(world, VISIT_COUNTS, {"query": f"year={last_year}"})
    assert small == large


# --- who may not ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [NOTICES_URL, COUNTS_URL])
@pytest.mark.parametrize("persona", ["auditor", "sysadmin"])
def test_who_may_not_export_is_refused_and_nothing_is_queued(world, login, url, persona):
    client = login(getattr(world, persona))
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert client.put(url).status_code == 405
    assert not Job.objects.exists()


@pytest.mark.parametrize("url", [NOTICES_URL, COUNTS_URL])
def test_strangers_are_sent_to_log_in_and_nothing_is_queued(client, db, url):
    response = client.post(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("kind", [NOTICE_LEDGER, VISIT_COUNTS])
def test_an_owner_who_lost_access_gets_a_reason_not_a_file(world, kind):
    job = Job.objects.create(kind=kind, title="导出", owner=world.office)
    RoleAssignment.objects.filter(user=world.office).update(role=Role.AUDIT_ADMIN, unit=None)
    job_services.execute(job.pk, "w1")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result_file is None
    assert "权限" in job.error
    assert not AuditEvent.objects.filter(object_type=kind).exists()


def test_the_plan_of_one_group_always_comes_at_once(world, login, group, visit, settings):
    settings.JOB_SYNC_ROWS = 0
    response = login(world.office).get(reverse("supervision:group_plan_export", args=[group.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()
