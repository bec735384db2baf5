"""The pipeline's two ledgers as background jobs: beyond settings.JOB_SYNC_ROWS a GET offers
the job (and queues nothing), a POST queues it; the job's file, downloaded from the job,
holds exactly what the file answered at once holds, for the owner's scope and filters;
who may not export gets the same refusal and no job; the owner's access is checked again
when the job runs; the job's queries do not grow with the rows."""

import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhuanban.core import excel
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.investment import export_jobs, exports
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.tests import test_exports as at_once
from zhuanban.investment.tests.conftest import make_project
from zhuanban.investment.tests.test_exports import (
    SIGNED,
    UPWARD,
    download,
    project_names,
    report,
    this_year,
    upward,
)
from zhuanban.ops import services as job_services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db

# The data of the tests of the files answered at once.
pipeline = at_once.pipeline
applications = at_once.applications

WAIT_FOR_IT = 3600


@pytest.fixture(autouse=True)
def _steady_progress(monkeypatch):
    """Progress written at each stage only, not by the clock: query counts stay exact."""
    monkeypatch.setattr(job_services.Progress, "INTERVAL", WAIT_FOR_IT)


def cells(content: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: [[cell.value for cell in row] for row in ws.iter_rows()] for ws in workbook}


def address(base: str, params: dict | None = None) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def run_job(client, base: str, params: dict | None = None) -> Job:
    """POST to the export's address (the offer page's button); the job has run (the
    immediate backend) and the browser is sent to its page."""
    before = set(Job.objects.values_list("pk", flat=True))
    response = client.post(address(base, params))
    assert response.status_code == 302, response.status_code
    job = Job.objects.exclude(pk__in=before).get()
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    return job


def job_file(client, job: Job) -> tuple:
    response = client.get(reverse("ops:job_download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def test_a_large_ledger_is_offered_and_nothing_is_queued(inv, login, pipeline, settings):
    settings.JOB_SYNC_ROWS = 3
    client = login(inv.staff)
    response = client.get(SIGNED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'id="offer-form"' in page
    assert 'method="post"' in page
    title = exports.file_name(exports.signed_title(), pipeline.year).removesuffix(".xlsx")
    assert f"<h1>{title}</h1>" in page
    assert (response.context["count"], response.context["limit"]) == (4, 3)  # four projects
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    # At or below the limit the file comes at once, as before.
    settings.JOB_SYNC_ROWS = 4
    response, _content = download(client, SIGNED)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert not Job.objects.exists()


def test_the_signed_job_writes_the_same_table_as_the_request(inv, login, pipeline, settings):
    w = inv.world
    client = login(inv.staff)
    params = {"county": w.zhuozi.pk, "year": pipeline.year}
    settings.JOB_SYNC_ROWS = 2
    assert 'id="offer-form"' in client.get(SIGNED, params).content.decode()
    job = run_job(client, SIGNED, params)
    assert (job.status, job.kind, job.owner) == (JobStatus.SUCCEEDED, export_jobs.SIGNED, inv.staff)
    assert job.params == {"query": urlencode(params)}
    assert (job.done, job.total) == (3, 3)  # the county's three projects, one step each
    page = client.get(reverse("ops:job", args=[job.pk])).content.decode()
    assert reverse("ops:job_download", args=[job.pk]) in page
    from_job, content = job_file(client, job)
    settings.JOB_SYNC_ROWS = 2000
    at_once, expected = download(client, SIGNED, params)
    assert from_job["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert from_job["Content-Disposition"] == at_once["Content-Disposition"]
    assert cells(content) == cells(expected)
    ws = load_workbook(io.BytesIO(content)).active
    assert project_names(ws) == ["卓资县奶业加工项目", "卓资县冷链物流项目", "马铃薯全粉加工项目"]
    # The export is audited as the request audits it, naming the job.
    job_event, request_event = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="investment.signed_projects"
    ).order_by("seq")
    assert job_event.actor == request_event.actor == inv.staff
    assert job_event.after == {**request_event.after, "job": str(job.pk)}
    assert job_event.after["projects"] == 3


def test_the_upward_job_writes_the_same_ledger_as_the_request(inv, login, applications, settings):
    client = login(inv.world.leader)
    settings.JOB_SYNC_ROWS = 1
    job = run_job(client, UPWARD)
    assert (job.status, job.done, job.total) == (JobStatus.SUCCEEDED, 4, 4)
    _from_job, content = job_file(client, job)
    settings.JOB_SYNC_ROWS = 2000
    _response, expected = download(client, UPWARD)
    assert cells(content) == cells(expected)
    # Last year's ledger, by its query string.
    settings.JOB_SYNC_ROWS = 0
    job = run_job(client, UPWARD, {"year": applications.year - 1})
    _from_job, content = job_file(client, job)
    rows = next(iter(cells(content).values()))
    assert "上年马铃薯产业资金" in {row[1] for row in rows}
    assert "马铃薯产业发展支持资金" not in {row[1] for row in rows}


def test_a_job_holds_only_what_its_owner_sees(inv, login, pipeline, settings):
    w = inv.world
    settings.JOB_SYNC_ROWS = 0
    client = login(w.zhuozi_liaison)
    job = run_job(client, SIGNED)
    _response, content = job_file(client, job)
    assert project_names(load_workbook(io.BytesIO(content)).active) == [
        "卓资县奶业加工项目",
        "卓资县冷链物流项目",
        "马铃薯全粉加工项目",
    ]
    # Asking for another county gets nothing of it.
    job = run_job(client, SIGNED, {"county": w.huade.pk})
    _response, content = job_file(client, job)
    assert project_names(load_workbook(io.BytesIO(content)).active) == []
    client = login(w.huade_liaison)
    job = run_job(client, SIGNED)
    _response, content = job_file(client, job)
    assert project_names(load_workbook(io.BytesIO(content)).active) == ["化德县肉牛养殖项目"]
    # Nobody else downloads a job's file.
    assert (
        login(w.zhuozi_liaison).get(reverse("ops:job_download", args=[job.pk])).status_code == 404
    )


def test_who_may_not_export_gets_the_same_refusal_and_no_job(inv, login, applications, client):
    w = inv.world
    enterprise = OrgUnitFactory(
        code="ent-1", name="某食品公司", kind=UnitKind.ENTERPRISE, parent=w.zhuozi
    )
    company_login = person("ent-login", enterprise, name="企业账号")
    for user in (w.sysadmin, w.secadmin, w.auditor, w.outsider, company_login):
        assert login(user).post(SIGNED).status_code == 404, user
    for user in (w.zhuozi_liaison, w.huade_liaison, w.sysadmin, w.outsider, company_login):
        assert login(user).post(UPWARD).status_code == 404, user
    client.logout()
    response = client.post(SIGNED)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert login(inv.staff).put(SIGNED).status_code == 405
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_job_checks_its_owners_access_when_it_runs(inv, applications):
    """Queued by someone who may export, run after they lost the right (here: started for
    someone who never had it): the job fails with the reason and exports nothing."""
    job = job_services.start(
        kind=export_jobs.UPWARD,
        title="向上争取",
        owner=inv.world.zhuozi_liaison,
        params={"query": ""},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == export_jobs.owner_may_no_longer().args[0]
    assert job.result_file is None
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def _job_queries(client, base: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        job = run_job(client, base)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return len(captured)


def test_the_signed_job_runs_the_same_queries_for_2_or_10_projects(inv, login, settings):
    w = inv.world
    settings.JOB_SYNC_ROWS = 0
    client = login(inv.staff)
    year = timezone.localdate().year

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            county = w.zhuozi if n % 2 else w.huade
            project = make_project(
                inv, f"签约项目{n}", county=county, stage=Stage.SIGNED, on=this_year(30), year=year
            )
            report(project, this_year(20), "100")

    add(0, 2)
    _job_queries(client, SIGNED)  # the session's first queries out of the way
    small = _job_queries(client, SIGNED)
    add(2, 8)
    large = _job_queries(client, SIGNED)
    assert Job.objects.order_by("-created_at").first().total == 10
    assert large == small


def test_the_upward_job_runs_the_same_queries_for_2_or_10_applications(inv, login, settings):
    settings.JOB_SYNC_ROWS = 0
    client = login(inv.staff)
    year = timezone.localdate().year

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            upward(inv, f"争取事项{n}", year=year, chain=inv.potato if n % 2 else inv.beef)

    add(0, 2)
    _job_queries(client, UPWARD)
    small = _job_queries(client, UPWARD)
    add(2, 8)
    large = _job_queries(client, UPWARD)
    assert Job.objects.order_by("-created_at").first().total == 10
    assert large == small
