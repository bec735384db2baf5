"""An issued notice's PDF, made in the background (supervision.pdf_jobs): queued once when
the issue commits and never when it rolls back; the job attaches the PDF and a second run
changes nothing; without LibreOffice the notice keeps its .docx and the job says so; the
notice's page shows the PDF being made, then its link; the download keeps its rules.

LibreOffice is an external program: `core.word.to_pdf` is replaced by one answering a
small PDF, except in the one test that runs the real one."""

import shutil

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from zhuanban.core import word
from zhuanban.core.models import AuditEvent, Notification, StoredFile
from zhuanban.core.tests.office import A4_PORTRAIT, read_pdf, require_pdf_tools
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.supervision import notice_services, pdf_jobs
from zhuanban.supervision.lifecycle import NoticeStatus

from .notice_fixtures import authority, issued, submitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def converter(settings, monkeypatch):
    """LibreOffice replaced: answers PDF and counts its calls."""
    settings.NOTICE_PDF = True
    calls = []

    def to_pdf(data: bytes) -> bytes:
        calls.append(data)
        return PDF

    monkeypatch.setattr(word, "to_pdf", to_pdf)
    return calls


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def stored(file: StoredFile) -> bytes:
    with file.file.open("rb") as handle:
        return handle.read()


def queued_job(notice, owner) -> Job:
    """The job as `queue` starts it, not run yet (a worker has not taken it)."""
    return Job.objects.create(
        kind=pdf_jobs.KIND, title="PDF", owner=owner, params={"notice": notice.pk}
    )


# --- queueing ---------------------------------------------------------------------------------


def test_issuing_queues_one_pdf_job_when_it_commits(
    world, login, converter, django_capture_on_commit_callbacks
):
    authority()
    notice = submitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.potato_director).post(url("notice_issue", notice.pk))
        assert response.status_code == 302
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.ISSUED
        assert stored(notice.docx)[:2] == b"PK"
        assert notice.pdf is None
        assert not Job.objects.exists()
    (job,) = Job.objects.all()
    assert (job.kind, job.owner, job.params) == (
        pdf_jobs.KIND,
        world.potato_director,
        {"notice": notice.pk},
    )
    assert job.status == JobStatus.SUCCEEDED
    assert notice.number in job.title
    assert converter == [stored(notice.docx)]
    notice.refresh_from_db()
    assert notice.pdf.name == f"{notice.number}.pdf"
    assert notice.pdf.content_type == "application/pdf"
    assert stored(notice.pdf) == PDF
    assert job.result_url == notice.get_absolute_url()
    note = Notification.objects.get(recipient=world.potato_director, kind="job_succeeded")
    assert note.url == reverse("ops:job", args=[job.pk])
    attached = AuditEvent.objects.get(object_type="supervision.notice", message="PDF attached")
    assert (attached.actor, attached.after["pdf"]) == (world.potato_director, notice.pdf.name)
    # The content hash is the issued content's: the PDF does not change it.
    assert notice.content_sha256 == notice_services.content_digest(notice)


def test_an_issue_rolled_back_queues_nothing(world, converter, django_capture_on_commit_callbacks):
    authority()
    notice = submitted(world)

    def issue_then_fail() -> None:
        with transaction.atomic():
            notice_services.notice_issue(actor=world.potato_director, notice=notice)
            raise RuntimeError("something after the issue failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        issue_then_fail()
    assert callbacks == []
    assert not Job.objects.exists()
    assert converter == []
    notice.refresh_from_db()
    assert (notice.status, notice.sequence, notice.docx) == (NoticeStatus.IN_REVIEW, None, None)


def test_a_refused_issue_queues_nothing(world, converter, django_capture_on_commit_callbacks):
    authority()
    notice = submitted(world, by=world.potato_director)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        # Four eyes: who submitted it does not issue it.
        notice_services.notice_issue(actor=world.potato_director, notice=notice)
    assert callbacks == []
    assert not Job.objects.exists()


def test_no_job_when_notice_pdfs_are_off(world, settings, django_capture_on_commit_callbacks):
    settings.NOTICE_PDF = False
    authority()
    with django_capture_on_commit_callbacks(execute=True):
        notice = issued(world)
    assert notice.docx is not None
    assert not Job.objects.exists()


# --- the job ----------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(world, converter, django_capture_on_commit_callbacks):
    authority()
    with django_capture_on_commit_callbacks(execute=True):
        notice = issued(world)
    notice.refresh_from_db()
    first_pdf, files = notice.pdf_id, StoredFile.objects.count()
    again = jobs.start(
        kind=pdf_jobs.KIND, title="again", owner=world.potato_director, params={"notice": notice.pk}
    )
    again.refresh_from_db()
    assert again.status == JobStatus.SUCCEEDED
    assert again.result_text == gettext("%(name)s has its PDF already.") % {"name": notice.number}
    notice.refresh_from_db()
    assert notice.pdf_id == first_pdf
    assert StoredFile.objects.count() == files
    assert AuditEvent.objects.filter(message="PDF attached").count() == 1
    assert len(converter) == 1


def test_without_libreoffice_the_job_ends_done_and_says_no_pdf_was_made(
    world, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_PDF = True
    settings.SOFFICE_BINARY = "no-such-soffice-here"
    authority()
    with django_capture_on_commit_callbacks(execute=True):
        notice = issued(world)
    notice.refresh_from_db()
    (job,) = Job.objects.filter(kind=pdf_jobs.KIND)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result_text == pdf_jobs.no_pdf_text(notice.number)
    assert notice.pdf is None
    assert notice.docx is not None
    assert notice.status == NoticeStatus.ISSUED


def test_a_job_for_a_notice_not_issued_fails_with_its_reason(world, converter):
    authority()
    notice = submitted(world)
    job = jobs.start(
        kind=pdf_jobs.KIND, title="t", owner=world.potato_director, params={"notice": notice.pk}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == gettext(
        "The notice or its Word document is no longer there; no PDF was made."
    )
    assert converter == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_with_libreoffice_the_job_attaches_a_real_pdf(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.NOTICE_PDF = True
    settings.SOFFICE_BINARY = "soffice"
    authority()
    with django_capture_on_commit_callbacks(execute=True):
        notice = issued(world)
    notice.refresh_from_db()
    data = stored(notice.pdf)
    assert data.startswith(b"%PDF")
    assert notice.pdf.name == f"{notice.number}.pdf"
    require_pdf_tools()  # poppler, to read it back
    printed = read_pdf(data, tmp_path)
    assert printed.page_size == A4_PORTRAIT
    for text in (notice.number, "种薯基地建设进度滞后于计划。"):
        assert text in printed.text, text


# --- the notice's page and its download -------------------------------------------------------
# (The page needs `pdf_job` from views_notices.notice_detail: see pdf_jobs.pending_job.)


def test_the_page_shows_the_pdf_being_made_then_its_link(world, login, converter):
    authority()
    notice = issued(world)  # no commit in a test: nothing queued
    job = queued_job(notice, world.potato_director)
    job_url = reverse("ops:job", args=[job.pk])
    page = login(world.potato_director).get(url("notice", notice.pk)).content.decode()
    assert "PDF 生成中…" in page
    assert job_url in page
    assert url("notice_file", notice.pk, "pdf") not in page
    reader = login(world.zhuozi_liaison).get(url("notice", notice.pk)).content.decode()
    assert "PDF 生成中…" in reader
    assert job_url not in reader  # a job is its owner's alone
    assert jobs.execute(job.pk, "worker-1") == JobStatus.SUCCEEDED
    page = login(world.zhuozi_liaison).get(url("notice", notice.pk)).content.decode()
    assert url("notice_file", notice.pk, "pdf") in page
    assert "PDF 生成中…" not in page
    response = login(world.zhuozi_liaison).get(url("notice_file", notice.pk, "pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_the_pdf_keeps_the_notice_access_rules(world, login, converter):
    authority()
    notice = issued(world)
    pdf_jobs.make_pdf(notice.pk, actor=world.potato_director)
    address = url("notice_file", notice.pk, "pdf")
    for nobody in (world.huade_liaison, world.outsider, world.auditor):
        assert login(nobody).get(address).status_code == 404, nobody.username
    assert login(world.zhuozi_liaison).get(address).status_code == 200
    assert login(world.zhuozi_liaison).post(address).status_code == 405


def test_the_page_looks_the_job_up_in_one_query(world, login, converter):
    authority()
    notice = issued(world)
    queued_job(notice, world.potato_director)
    client = login(world.potato_director)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("notice", notice.pk)).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    client.get(url("notice", notice.pk))
    few = queries()
    assert len([sql for sql in few if '"ops_job"' in sql]) == 1
    for _n in range(8):  # other notices' jobs, and this one's finished ones
        Job.objects.create(
            kind=pdf_jobs.KIND, title="x", owner=world.office, params={"notice": notice.pk + 100}
        )
    Job.objects.create(
        kind=pdf_jobs.KIND,
        title="old",
        owner=world.potato_director,
        params={"notice": notice.pk},
        status=JobStatus.FAILED,
    )
    assert len(queries()) == len(few)
    pdf_jobs.make_pdf(notice.pk, actor=world.potato_director)
    assert not [sql for sql in queries() if '"ops_job"' in sql]
