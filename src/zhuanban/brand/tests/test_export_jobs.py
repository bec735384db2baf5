"""The brand register (原味乌兰察布授权企业名单表) as a background job: beyond
settings.JOB_SYNC_ROWS enterprises a GET offers the job (and queues nothing), a POST queues
it; the job's file, downloaded from the job, holds exactly what the file answered at once
holds, for the owner's scope and county; the administrators get the same 403 and no job;
the owner's access is checked again when the job runs; the job's queries do not grow with
the rows."""

import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhuanban.brand import export_jobs, exports
from zhuanban.brand.tests import test_exports as at_once
from zhuanban.brand.tests.conftest import day, enterprise, issue
from zhuanban.brand.tests.test_exports import REGISTER, download, names_in, potato, sales
from zhuanban.core import excel
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.ops import services as job_services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job

pytestmark = pytest.mark.django_db

# The data of the tests of the file answered at once.
register = at_once.register


@pytest.fixture(autouse=True)
def _steady_progress(monkeypatch):
    """Progress written at each stage only, not by the clock: query counts stay exact."""
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)


def cells(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def run_job(client, params: dict | None = None) -> Job:
    """POST to the register's address (the offer page's button): the job has run (the
    immediate backend) and the browser is sent to its page."""
    before = set(Job.objects.values_list("pk", flat=True))
    response = client.post(f"{REGISTER}?{urlencode(params)}" if params else REGISTER)
    assert response.status_code == 302, response.status_code
    job = Job.objects.exclude(pk__in=before).get()
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    return job


def job_file(client, job: Job) -> tuple:
    response = client.get(reverse("ops:job_download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def test_a_large_register_is_offered_and_nothing_is_queued(world, login, register, settings):
    settings.JOB_SYNC_ROWS = 1
    client = login(world.brand_staff)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'id="offer-form"' in page
    assert f"<h1>{exports.register_title()}</h1>" in page
    assert (response.context["count"], response.context["limit"]) == (2, 1)  # two enterprises
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    # At or below the limit the file comes at once, as before.
    settings.JOB_SYNC_ROWS = 2
    response, _content = download(client, REGISTER)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert not Job.objects.exists()


@pytest.mark.parametrize("county", [None, "huade"])
def test_the_job_writes_the_same_register_as_the_request(world, login, register, settings, county):
    params = {"county": getattr(world, county).pk} if county else None
    client = login(world.brand_staff)
    settings.JOB_SYNC_ROWS = 0
    job = run_job(client, params)
    assert (job.status, job.kind, job.owner) == (
        JobStatus.SUCCEEDED,
        export_jobs.REGISTER,
        world.brand_staff,
    )
    expected_rows = 1 if params else 2
    assert (job.done, job.total) == (expected_rows, expected_rows)
    page = client.get(reverse("ops:job", args=[job.pk])).content.decode()
    assert reverse("ops:job_download", args=[job.pk]) in page
    from_job, content = job_file(client, job)
    settings.JOB_SYNC_ROWS = 2000
    at_once_response, expected = download(client, REGISTER, params)
    assert from_job["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert from_job["Content-Disposition"] == at_once_response["Content-Disposition"]
    assert cells(content) == cells(expected)
    ws = load_workbook(io.BytesIO(content)).active
    assert names_in(ws) == (
        [register.shudu.name] if params else [register.yinshan.name, register.shudu.name]
    )
    job_event, request_event = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="brand.register"
    ).order_by("seq")
    assert job_event.actor == request_event.actor == world.brand_staff
    assert job_event.after == {**request_event.after, "job": str(job.pk)}


def test_a_job_holds_only_what_its_owner_sees(world, login, register, settings):
    settings.JOB_SYNC_ROWS = 0
    client = login(world.zhuozi_liaison)
    _response, content = job_file(client, run_job(client))
    assert names_in(load_workbook(io.BytesIO(content)).active) == [register.yinshan.name]
    # Asking for another county gets nothing of it.
    job = run_job(client, {"county": world.huade.pk})
    _response, content = job_file(client, job)
    assert names_in(load_workbook(io.BytesIO(content)).active) == []
    # The enterprise's own login: itself, always at once (the job pages are not among
    # the screens it reaches), even when it asks for the job.
    client = login(register.applicant)
    before = Job.objects.count()
    for response in (client.get(REGISTER), client.post(REGISTER)):
        assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
        content = b"".join(response.streaming_content)
        assert names_in(load_workbook(io.BytesIO(content)).active) == [register.yinshan.name]
    assert Job.objects.count() == before
    # Nobody else downloads a job's file.
    assert login(world.brand_staff).get(reverse("ops:job_download", args=[job.pk])).status_code == (
        404
    )


def test_who_may_not_export_gets_the_same_refusal_and_no_job(world, login, register, client):
    for user in (world.auditor, world.sysadmin, world.secadmin):
        assert login(user).post(REGISTER).status_code == 403, user
    client.logout()
    response = client.post(REGISTER)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert login(world.brand_staff).put(REGISTER).status_code == 405
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_job_checks_its_owners_access_when_it_runs(world, register):
    """Queued by someone who may export, run after they lost the right (here: started for
    an administrator, who never had it): the job fails with the reason, exports nothing."""
    job = job_services.start(
        kind=export_jobs.REGISTER, title="名单", owner=world.auditor, params={"query": ""}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == export_jobs.owner_may_no_longer().args[0]
    assert job.result_file is None
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def _job_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        job = run_job(client)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return len(captured)


def test_the_job_runs_the_same_queries_for_2_or_10_licences(world, login, brand, settings):
    settings.JOB_SYNC_ROWS = 0
    client = login(world.brand_staff)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            county = world.zhuozi if n % 2 else world.huade
            company = enterprise(world, f"测试食品{n}有限公司", county, 10 + n)
            issue(world, company, potato(f"产品{n}"), day(-10))
            sales(world, company, str(100 + n), str(90 + n))

    add(2, 0)
    _job_queries(client)  # the session's first queries out of the way
    small = _job_queries(client)
    add(8, 2)
    large = _job_queries(client)
    assert Job.objects.order_by("-created_at").first().total == 10
    assert large == small
