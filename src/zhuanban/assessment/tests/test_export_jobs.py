"""Assessment exports as background jobs.

- The scheme's score sheet: beyond settings.JOB_SYNC_ROWS rows of scores by item a GET
  offers the job and queues nothing; a POST queues it; its file, downloaded from the job,
  holds exactly the sheets the request answers, for the owner's units.
- A unit's evidence bundle: beyond bundle.SYNC_FILES files or bundle.SYNC_BYTES bytes a GET
  offers the job; the job's zip holds the same members (same bytes) and the same index as
  the request's, counts its files as progress, and a file changed or lost on disk is left
  out, recorded in the audit trail and named in the job's result.
- Who may not export gets the same 404 and no job; the owner's access is checked again
  when the job runs; the jobs' queries do not grow with units, items or files.
"""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from zhuanban.assessment import bundle, export_jobs, exports, services
from zhuanban.assessment.tests import test_exports as at_once
from zhuanban.assessment.tests.test_exports import (
    PDF,
    REPORT_1,
    REPORT_2,
    TOP,
    bundle_url,
    download,
    pdf,
    scores_url,
    unit_url,
)
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome, Notification
from zhuanban.ops import services as job_services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job

pytestmark = pytest.mark.django_db

# The data of the tests of the files answered at once.
evidence = at_once.evidence

INDEX = f"{TOP}/{gettext('Index.xlsx')}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _steady_progress(monkeypatch):
    """Progress written at each stage only, not by the clock: query counts stay exact."""
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)


def cells(content: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: [[cell.value for cell in row] for row in ws.iter_rows()] for ws in workbook}


def run_job(client, url: str) -> Job:
    """POST to the export's address (the offer page's button): the job has run (the
    immediate backend) and the browser is sent to its page."""
    before = set(Job.objects.values_list("pk", flat=True))
    response = client.post(url)
    assert response.status_code == 302, response.status_code
    job = Job.objects.exclude(pk__in=before).get()
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    job.refresh_from_db()
    return job


def job_file(client, job: Job) -> tuple:
    response = client.get(reverse("ops:job_download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def members(content: bytes) -> dict[str, str]:
    """The zip's members but the index, each with the SHA-256 of its bytes."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    return {
        name: hashlib.sha256(archive.read(name)).hexdigest()
        for name in archive.namelist()
        if name != INDEX
    }


def index_cells(content: bytes) -> dict[str, list[list]]:
    return cells(zipfile.ZipFile(io.BytesIO(content)).read(INDEX))


# --- the score sheet ----------------------------------------------------------------------------


def test_a_large_score_sheet_is_offered_and_nothing_is_queued(world, login, evidence, settings):
    client = login(world.office)
    _response, content = download(client, scores_url(evidence.scheme))
    detail_rows = len(at_once.rows(load_workbook(io.BytesIO(content)).worksheets[1]))
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    settings.JOB_SYNC_ROWS = detail_rows - 1
    response = client.get(scores_url(evidence.scheme))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'id="offer-form"' in page
    assert f"<h1>{exports.scores_title(evidence.scheme)}</h1>" in page
    # The count is the rows of scores by item the file holds (two units × five items).
    assert response.context["count"] == detail_rows == 10
    assert not Job.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == exported
    settings.JOB_SYNC_ROWS = detail_rows
    response, _content = download(client, scores_url(evidence.scheme))
    assert response["Content-Type"] == XLSX
    assert not Job.objects.exists()


def test_the_scores_job_writes_the_same_sheets_as_the_request(world, login, evidence, settings):
    client = login(world.office)
    settings.JOB_SYNC_ROWS = 0
    job = run_job(client, scores_url(evidence.scheme))
    assert (job.status, job.kind, job.owner) == (
        JobStatus.SUCCEEDED,
        export_jobs.SCORES,
        world.office,
    )
    assert job.params == {"scheme": evidence.scheme.pk}
    assert (job.done, job.total) == (10, 10)
    page = client.get(reverse("ops:job", args=[job.pk])).content.decode()
    assert reverse("ops:job_download", args=[job.pk]) in page
    from_job, content = job_file(client, job)
    settings.JOB_SYNC_ROWS = 2000
    at_once_response, expected = download(client, scores_url(evidence.scheme))
    assert from_job["Content-Type"] == XLSX
    assert from_job["Content-Disposition"] == at_once_response["Content-Disposition"]
    assert cells(content) == cells(expected)
    assert list(cells(content)) == [ws.title for ws in load_workbook(io.BytesIO(expected))]
    job_event, request_event = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="assessment.score_sheet"
    ).order_by("seq")
    assert job_event.actor == request_event.actor == world.office
    assert job_event.object_id == str(evidence.scheme.pk)
    assert job_event.after == {**request_event.after, "job": str(job.pk)}


def test_a_scores_job_holds_only_the_owners_units(world, login, evidence, settings):
    settings.JOB_SYNC_ROWS = 0
    client = login(world.zhuozi_liaison)
    _response, content = job_file(client, run_job(client, scores_url(evidence.scheme)))
    workbook = load_workbook(io.BytesIO(content))
    summary, detail = workbook.worksheets
    assert [row[:2] for row in at_once.rows(summary)] == [[2, "卓资县"]]
    assert {row[0] for row in at_once.rows(detail)} == {"卓资县"}


def test_who_may_not_see_the_scheme_gets_the_same_404_and_no_job(world, login, design, client):
    url = scores_url(design.scheme)
    for persona in ("zhuozi_liaison", "outsider", "sysadmin"):
        assert login(getattr(world, persona)).post(url).status_code == 404, persona
    client.logout()
    response = client.post(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert login(world.office).put(url).status_code == 405
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_scores_job_checks_its_owners_access_when_it_runs(world, design):
    """Queued by someone who saw the scheme, run after they lost it (here: started for a
    county, which does not see a scheme still being designed): failed, nothing exported."""
    job = job_services.start(
        kind=export_jobs.SCORES,
        title="得分",
        owner=world.zhuozi_liaison,
        params={"scheme": design.scheme.pk},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == export_jobs.owner_may_no_longer().args[0]
    assert job.result_file is None
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def _job_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        job = run_job(client, url)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return len(captured)


def test_the_scores_job_runs_the_same_queries_for_more_units_and_items(
    world, login, evidence, settings
):
    settings.JOB_SYNC_ROWS = 0
    client = login(world.office)
    url = scores_url(evidence.scheme)
    _job_queries(client, url)  # the session's first queries out of the way
    small = _job_queries(client, url)
    at_once._grow(world, evidence)
    large = _job_queries(client, url)
    assert Job.objects.order_by("-created_at").first().total > 10
    assert large == small


# --- the evidence bundle ------------------------------------------------------------------------


def test_a_large_bundle_is_offered_and_nothing_is_queued(world, login, evidence, monkeypatch):
    client = login(world.office)
    url = bundle_url(evidence.zhuozi)
    files = [
        evidence.files.first,
        evidence.files.second,
        evidence.files.screenshot,
        evidence.files.linked,
    ]
    size = sum(piece.file.size for piece in files)
    for limit, value in (("SYNC_FILES", 3), ("SYNC_BYTES", size - 1)):
        with monkeypatch.context() as patch:
            patch.setattr(bundle, limit, value)
            response = client.get(url)
        assert response.status_code == 200, limit
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert 'id="offer-form"' in page
        assert 'method="post"' in page
        assert f"<h1>{export_jobs.bundle_title(evidence.zhuozi)}</h1>" in page
        assert response.context["size"] == bundle.Size(files=4, size=size)
        assert "本资料包共有 4 个佐证材料文件" in page  # waits for the catalogue's translation
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    # Four files of a few bytes: at once, as before.
    monkeypatch.setattr(bundle, "SYNC_FILES", 4)
    response, _content = download(client, url)
    assert response["Content-Type"] == "application/zip"
    assert not Job.objects.exists()


def test_the_bundle_job_packs_what_the_request_packs(world, login, evidence, monkeypatch):
    client = login(world.office)
    url = bundle_url(evidence.zhuozi)
    monkeypatch.setattr(bundle, "SYNC_FILES", 0)
    job = run_job(client, url)
    assert (job.status, job.kind, job.owner) == (
        JobStatus.SUCCEEDED,
        export_jobs.BUNDLE,
        world.office,
    )
    assert job.params == {"participant": evidence.zhuozi.pk}
    assert (job.done, job.total) == (4, 4)  # one step per file
    assert job.unit == gettext("files")
    assert job.result_text == bundle.index_summary_text(files=4, failed=0, lacking=1)
    from_job, content = job_file(client, job)
    assert job.result_file.sha256 == hashlib.sha256(content).hexdigest()
    monkeypatch.setattr(bundle, "SYNC_FILES", 10)
    at_once_response, expected = download(client, url)
    assert from_job["Content-Type"] == "application/zip"
    assert from_job["Content-Disposition"] == at_once_response["Content-Disposition"]
    assert members(content) == members(expected)
    assert members(content)[f"{TOP}/01 一、(一)重点任务按期办结/报告.pdf"] == (
        hashlib.sha256(REPORT_1).hexdigest()
    )
    assert index_cells(content) == index_cells(expected)
    job_event, request_event = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="assessment.evidence_bundle"
    ).order_by("seq")
    assert job_event.actor == request_event.actor == world.office
    assert job_event.object_id == str(evidence.zhuozi.pk)
    assert job_event.after["sha256"] == hashlib.sha256(content).hexdigest()
    assert job_event.after["size"] == len(content)
    assert job_event.after["job"] == str(job.pk)
    same = ("unit", "files", "failed", "lacking")
    assert {key: job_event.after[key] for key in same} == {
        key: request_event.after[key] for key in same
    }


@pytest.mark.parametrize("damage", ["changed", "lost"])
def test_the_bundle_job_reports_and_records_a_file_changed_or_lost(
    world, login, evidence, monkeypatch, damage
):
    stored = evidence.files.second.file
    path = Path(stored.file.path)
    if damage == "changed":
        path.write_bytes(REPORT_2.replace(b"second", b"SECOND"))
    else:
        path.unlink()
    monkeypatch.setattr(bundle, "SYNC_FILES", 0)
    client = login(world.office)
    job = run_job(client, bundle_url(evidence.zhuozi))
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (4, 4)
    # The result names the file left out, in the words of the request's warning.
    summary, failures = job.result_text.split("\n")
    assert summary == bundle.index_summary_text(files=3, failed=1, lacking=1)
    assert "一、(一) 报告.pdf" in failures
    note = Notification.objects.get(recipient=world.office, kind="job_succeeded")
    assert note.body == job.result_text
    # Left out of the zip, marked in its index.
    _response, content = job_file(client, job)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert f"{TOP}/01 一、(一)重点任务按期办结/报告.pdf" in names
    assert not any("报告(2)" in name for name in names)
    _data, ws = at_once.index_of(archive)
    label = (
        "Checksum failed: not included"
        if damage == "changed"
        else ("Missing from storage: not included")
    )
    assert at_once.rows(ws)[1][at_once.CHECK] == gettext(label)
    # Recorded: the failed check as a refused download, and the export naming it.
    failure = AuditEvent.objects.get(action=AuditAction.DOWNLOAD, outcome=AuditOutcome.FAILURE)
    assert failure.actor == world.office
    assert failure.object_id == str(stored.pk)
    assert failure.after["context"] == f"assessment.participant:{evidence.zhuozi.pk}"
    if damage == "changed":
        assert failure.after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert failure.message == "file integrity check failed (evidence bundle)"
    else:
        assert failure.message == "file missing from storage"
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (export.after["files"], export.after["failed"]) == (3, [stored.pk])
    # The request, for the same bundle, warns its user with the same words.
    monkeypatch.setattr(bundle, "SYNC_FILES", 10)
    response, _content = download(client, bundle_url(evidence.zhuozi))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [failures]


@pytest.mark.parametrize("persona", ["huade_liaison", "outsider", "sysadmin", "auditor"])
def test_who_may_not_see_the_unit_gets_the_same_404_and_no_job(world, login, evidence, persona):
    client = login(getattr(world, persona))
    assert client.post(bundle_url(evidence.zhuozi)).status_code == 404
    assert client.get(bundle_url(evidence.zhuozi)).status_code == 404
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_bundle_needs_a_login_and_the_scorecard_stays_at_once(world, login, evidence, client):
    response = client.post(bundle_url(evidence.zhuozi))
    assert response.status_code == 302
    assert "login" in response["Location"]
    client = login(world.office)
    assert client.put(bundle_url(evidence.zhuozi)).status_code == 405
    # One unit's scorecard is tens of rows: never a job.
    assert client.post(unit_url(evidence.zhuozi)).status_code == 405
    assert not Job.objects.exists()


def test_the_bundle_job_checks_its_owners_access_when_it_runs(world, evidence):
    job = job_services.start(
        kind=export_jobs.BUNDLE,
        title="考核资料",
        owner=world.huade_liaison,
        params={"participant": evidence.zhuozi.pk},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == export_jobs.owner_may_no_longer().args[0]
    assert job.result_file is None
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_bundle_job_runs_the_same_queries_for_4_or_10_files(
    world, login, evidence, monkeypatch
):
    monkeypatch.setattr(bundle, "SYNC_FILES", 0)
    client = login(world.office)
    url = bundle_url(evidence.zhuozi)
    _job_queries(client, url)  # the session's first queries out of the way
    small = _job_queries(client, url)
    items = evidence.items
    for n in range(6):
        services.evidence_upload(
            actor=world.zhuozi_liaison,
            participant=evidence.zhuozi,
            item=(items.tasks, items.dispatch, items.manual)[n % 3],
            upload=pdf(f"补充材料{n}.pdf", PDF + f"% {n}\n".encode()),
        )
    large = _job_queries(client, url)
    assert Job.objects.order_by("-created_at").first().total == 10
    assert large == small
