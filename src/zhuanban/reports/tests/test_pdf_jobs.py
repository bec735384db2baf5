"""A published issue's PDF, made in the background (reports.pdf_jobs): queued once when the
publishing commits and never when it rolls back; the job attaches the PDF and a second
run changes nothing; without LibreOffice the issue keeps its .docx and the job says so;
the issue's page shows the PDF being made, then its link; the download keeps its rules.

LibreOffice is an external program: `core.word.to_pdf` is replaced by one answering a
small PDF, except in the one test that runs the real one."""

import shutil

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.core import word
from zhuanban.core.models import AuditEvent, Notification, StoredFile
from zhuanban.core.tests.office import A4_PORTRAIT, read_pdf, require_pdf_tools
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.reports import pdf_jobs, services
from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.models import Bulletin
from zhuanban.reports.tests.conftest import make_bulletin

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def converter(settings, monkeypatch):
    """LibreOffice replaced: answers PDF and counts its calls."""
    settings.BULLETIN_PDF = True
    calls = []

    def to_pdf(data: bytes) -> bytes:
        calls.append(data)
        return PDF

    monkeypatch.setattr(word, "to_pdf", to_pdf)
    return calls


def url(name: str, *args) -> str:
    return reverse(f"reports:{name}", args=args)


def publish(bulletin, actor):
    return services.bulletin_publish(
        actor=actor, bulletin=bulletin, expected_version=bulletin.version
    )


def pdf_jobs_of(bulletin) -> list[Job]:
    return list(Job.objects.filter(kind=pdf_jobs.KIND, params__bulletin=bulletin.pk))


def stored(file: StoredFile) -> bytes:
    with file.file.open("rb") as handle:
        return handle.read()


def name_of(bulletin) -> str:
    return f"{bulletin.series.name}{bulletin.year}年第{bulletin.number}期"


# --- queueing ---------------------------------------------------------------------------------


def test_publishing_queues_one_pdf_job_when_it_commits(
    rep, login, converter, django_capture_on_commit_callbacks
):
    w = rep.world
    draft = make_bulletin(rep.news, w.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(w.leader).post(
            url("bulletin_publish", draft.pk),
            {"pub-version": draft.version, "pub-issue_date": timezone.localdate().isoformat()},
        )
        assert response.status_code == 302
        # Published with its .docx; nothing queued before the commit.
        issue = Bulletin.objects.get(pk=draft.pk)
        assert issue.status == BulletinStatus.PUBLISHED
        assert stored(issue.docx)[:2] == b"PK"
        assert issue.pdf is None
        assert not Job.objects.exists()
    (job,) = Job.objects.all()
    assert (job.kind, job.owner, job.params) == (pdf_jobs.KIND, w.leader, {"bulletin": issue.pk})
    assert job.status == JobStatus.SUCCEEDED
    assert name_of(issue) in job.title
    assert len(converter) == 1
    assert converter[0] == stored(issue.docx)  # the stored .docx is what was converted
    issue.refresh_from_db()
    assert issue.pdf.name == f"{name_of(issue)}.pdf"
    assert issue.pdf.content_type == "application/pdf"
    assert stored(issue.pdf) == PDF
    assert issue.pdf.uploaded_by == w.leader
    assert job.result_url == issue.get_absolute_url()
    # Its publisher is told, and finds it among their jobs.
    note = Notification.objects.get(recipient=w.leader, kind="job_succeeded")
    assert note.url == reverse("ops:job", args=[job.pk])
    assert job.title in login(w.leader).get(reverse("ops:jobs")).content.decode()
    attached = AuditEvent.objects.get(object_type="reports.bulletin", message="PDF attached")
    assert (attached.actor, attached.after["pdf"]) == (w.leader, issue.pdf.name)


def test_a_publishing_rolled_back_queues_nothing(
    rep, converter, django_capture_on_commit_callbacks
):
    w = rep.world
    draft = make_bulletin(rep.news, w.leader)

    def publish_then_fail() -> None:
        with transaction.atomic():
            publish(draft, w.leader)
            raise RuntimeError("something after the publishing failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        publish_then_fail()
    assert callbacks == []
    assert not Job.objects.exists()
    assert converter == []
    draft.refresh_from_db()
    assert draft.status == BulletinStatus.DRAFT


def test_a_refused_publishing_queues_nothing(rep, converter, django_capture_on_commit_callbacks):
    w = rep.world
    empty = make_bulletin(rep.news, w.leader, sections=())
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        publish(empty, w.leader)
    assert callbacks == []
    assert not Job.objects.exists()


def test_no_job_when_bulletin_pdfs_are_off(rep, settings, django_capture_on_commit_callbacks):
    settings.BULLETIN_PDF = False
    w = rep.world
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    assert issue.is_published
    assert not Job.objects.exists()


# --- the job ----------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(rep, converter, django_capture_on_commit_callbacks):
    w = rep.world
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    issue.refresh_from_db()
    first_pdf, files = issue.pdf_id, StoredFile.objects.count()
    events = AuditEvent.objects.filter(message="PDF attached").count()
    again = jobs.start(
        kind=pdf_jobs.KIND, title="again", owner=w.leader, params={"bulletin": issue.pk}
    )
    again.refresh_from_db()
    assert again.status == JobStatus.SUCCEEDED
    assert again.result_text == gettext("%(name)s has its PDF already.") % {"name": name_of(issue)}
    issue.refresh_from_db()
    assert issue.pdf_id == first_pdf
    assert StoredFile.objects.count() == files
    assert AuditEvent.objects.filter(message="PDF attached").count() == events
    assert len(converter) == 1  # not converted again


def test_a_pdf_attached_meanwhile_is_kept(rep, converter, django_capture_on_commit_callbacks):
    """Two runs converting at once: the second to attach finds the PDF there and keeps it."""
    w = rep.world
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    assert len(callbacks) == 1
    other = word.attach_pdf(Bulletin.objects.all(), issue.pk, actor=w.leader, pdf=PDF + b"1")
    assert word.attach_pdf(Bulletin.objects.all(), issue.pk, actor=w.leader, pdf=PDF) is None
    issue.refresh_from_db()
    assert issue.pdf_id == other.pk


def test_without_libreoffice_the_job_ends_done_and_says_no_pdf_was_made(
    rep, settings, django_capture_on_commit_callbacks
):
    settings.BULLETIN_PDF = True
    settings.SOFFICE_BINARY = "no-such-soffice-here"
    w = rep.world
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    issue.refresh_from_db()
    (job,) = pdf_jobs_of(issue)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result_text == pdf_jobs.no_pdf_text(name_of(issue))
    assert "LibreOffice" in job.result_text
    assert issue.pdf is None
    assert stored(issue.docx)[:2] == b"PK"
    note = Notification.objects.get(recipient=w.leader)
    assert note.body == job.result_text


def test_a_job_for_an_issue_that_is_not_published_fails_with_its_reason(rep, converter):
    w = rep.world
    draft = make_bulletin(rep.news, w.leader)
    job = jobs.start(kind=pdf_jobs.KIND, title="t", owner=w.leader, params={"bulletin": draft.pk})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == gettext(
        "The issue or its Word document is no longer there; no PDF was made."
    )
    assert converter == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_with_libreoffice_the_job_attaches_a_real_pdf(
    rep, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BULLETIN_PDF = True
    settings.SOFFICE_BINARY = "soffice"
    w = rep.world
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(make_bulletin(rep.news, w.leader, title="春播进展"), w.leader)
    issue.refresh_from_db()
    data = stored(issue.pdf)
    assert data.startswith(b"%PDF")
    assert issue.pdf.name == f"{name_of(issue)}.pdf"
    require_pdf_tools()  # poppler, to read it back
    printed = read_pdf(data, tmp_path)
    assert printed.page_size == A4_PORTRAIT
    for text in ("信息动态", f"第{issue.number}期", "春播进展", "正文。"):
        assert text in printed.text, text


# --- the issue's page and its download --------------------------------------------------------


def queued_job(issue, owner) -> Job:
    """The job as `queue` starts it, not run yet (a worker has not taken it)."""
    return Job.objects.create(
        kind=pdf_jobs.KIND, title="PDF", owner=owner, params={"bulletin": issue.pk}
    )


def test_the_page_shows_the_pdf_being_made_then_its_link(rep, login, converter):
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader)  # no commit: nothing queued
    job = queued_job(issue, w.leader)
    job_url = reverse("ops:job", args=[job.pk])
    page = login(w.leader).get(issue.get_absolute_url()).content.decode()
    assert "PDF 生成中…" in page
    assert job_url in page  # its publisher follows it to the job
    assert url("bulletin_pdf", issue.pk) not in page
    reader = login(w.zhuozi_liaison).get(issue.get_absolute_url()).content.decode()
    assert "PDF 生成中…" in reader
    assert job_url not in reader  # a job is its owner's alone
    # The worker runs it.
    assert jobs.execute(job.pk, "worker-1") == JobStatus.SUCCEEDED
    page = login(w.zhuozi_liaison).get(issue.get_absolute_url()).content.decode()
    assert url("bulletin_pdf", issue.pk) in page
    assert "PDF 生成中…" not in page
    response = login(w.zhuozi_liaison).get(url("bulletin_pdf", issue.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_finished_job_without_a_pdf_shows_nothing_pending(rep, login, settings):
    settings.SOFFICE_BINARY = "no-such-soffice-here"
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    job = queued_job(issue, w.leader)
    jobs.execute(job.pk, "worker-1")
    page = login(w.leader).get(issue.get_absolute_url()).content.decode()
    assert "PDF 生成中…" not in page
    assert url("bulletin_pdf", issue.pk) not in page
    assert url("bulletin_docx", issue.pk) in page


def test_the_pdf_keeps_the_issue_access_rules(rep, login, converter):
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    pdf_jobs.make_pdf(issue.pk, actor=w.leader)
    address = url("bulletin_pdf", issue.pk)
    for nobody in (w.outsider, w.auditor, w.sysadmin):
        assert login(nobody).get(address).status_code == 404, nobody.username
    assert login(w.huade_liaison).get(address).status_code == 200  # a published issue
    assert login(w.zhuozi_liaison).post(address).status_code == 405


def test_the_page_looks_the_job_up_in_one_query(rep, login, converter):
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    queued_job(issue, w.leader)
    client = login(w.leader)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(issue.get_absolute_url()).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    client.get(issue.get_absolute_url())  # sessions and caches warmed
    few = queries()
    assert len([sql for sql in few if '"ops_job"' in sql]) == 1
    for _n in range(8):  # other issues' jobs, and this one's finished ones
        other = publish(make_bulletin(rep.potato_news, w.office), w.office)
        queued_job(other, w.office)
    Job.objects.create(
        kind=pdf_jobs.KIND,
        title="old",
        owner=w.leader,
        params={"bulletin": issue.pk},
        status=JobStatus.FAILED,
    )
    assert len(queries()) == len(few)
    # Once the PDF is there, no job is looked up at all.
    pdf_jobs.make_pdf(issue.pk, actor=w.leader)
    assert not [sql for sql in queries() if '"ops_job"' in sql]
