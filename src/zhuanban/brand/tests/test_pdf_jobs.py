"""A licence certificate as PDF, made in the background (brand.pdf_jobs): a POST queues a
job of the asker's and sends them to its page, the file is theirs under "my jobs and
downloads"; asked again while it runs, the same job; the job sees what its owner sees
when it runs; LibreOffice failing fails the job with the reason; the licence's page shows
the PDF being made. A GET queues nothing.

LibreOffice is an external program: `core.word.to_pdf` is replaced by one answering a
small PDF, except in the one test that runs the real one."""

import io
import shutil

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from zhuanban.brand import exports, pdf_jobs, services
from zhuanban.core import word
from zhuanban.core.models import AuditAction, AuditEvent, Notification
from zhuanban.core.tests.office import A4_PORTRAIT, read_pdf, require_pdf_tools
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def converter(monkeypatch):
    """LibreOffice replaced (and installed, as far as the pages know): answers PDF and
    keeps the documents it was given."""
    calls = []

    def to_pdf(data: bytes) -> bytes:
        calls.append(data)
        return PDF

    monkeypatch.setattr(word, "to_pdf", to_pdf)
    monkeypatch.setattr(exports, "pdf_available", lambda: True)
    return calls


def url(name, *args):
    return reverse(f"brand:{name}", args=args)


def text_of(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def queued_job(licence, owner) -> Job:
    """The job as `start` writes it, not run yet (a worker has not taken it)."""
    return Job.objects.create(
        kind=pdf_jobs.KIND, title="PDF", owner=owner, params={"licence": licence.pk}
    )


def test_asking_for_the_pdf_runs_a_job_whose_file_is_the_askers(world, login, licensed, converter):
    licence = licensed.yinshan_licence
    client = login(world.zhuozi_liaison)
    response = client.post(url("certificate_pdf", licence.pk))
    (job,) = Job.objects.all()
    assert response.status_code == 302
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    assert (job.kind, job.owner, job.params) == (
        pdf_jobs.KIND,
        world.zhuozi_liaison,
        {"licence": licence.pk},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert licence.number in job.title
    # The certificate as of the day the job ran was what LibreOffice got.
    (document,) = converter
    assert licence.number in text_of(document)
    assert job.result_file.name == exports.certificate_file_name(licence, "pdf")
    assert job.result_file.content_type == "application/pdf"
    page = client.get(reverse("ops:job", args=[job.pk])).content.decode()
    assert reverse("ops:job_download", args=[job.pk]) in page
    download = client.get(reverse("ops:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    # The file is the asker's alone, even for another who sees the licence.
    elsewhere = login(world.brand_staff).get(reverse("ops:job_download", args=[job.pk]))
    assert elsewhere.status_code == 404
    note = Notification.objects.get(recipient=world.zhuozi_liaison, kind="job_succeeded")
    assert note.url == reverse("ops:job", args=[job.pk])
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="brand.certificate")
    assert (event.actor, event.object_id, event.after["format"]) == (
        world.zhuozi_liaison,
        str(licence.pk),
        "pdf",
    )


def test_a_removed_licence_certificate_is_made_as_of_the_day_the_job_runs(
    world, login, licensed, converter
):
    licence = licensed.yinshan_licence
    job = queued_job(licence, world.brand_staff)
    services.licence_remove(actor=world.brand_staff, licence=licence, reason="违规用标")
    assert jobs.execute(job.pk, "worker-1") == JobStatus.SUCCEEDED
    (document,) = converter
    assert text_of(document).startswith(pgettext("brand certificate", "REMOVED"))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="brand.certificate")
    assert event.after["state"] == "revoked"


def test_asked_again_while_it_runs_the_same_job(world, login, licensed, converter):
    licence = licensed.yinshan_licence
    job = queued_job(licence, world.brand_staff)
    client = login(world.brand_staff)
    page = client.get(url("licence", licence.pk)).content.decode()
    assert "PDF 生成中…" in page
    assert reverse("ops:job", args=[job.pk]) in page
    assert f'action="{url("certificate_pdf", licence.pk)}"' not in page
    response = client.post(url("certificate_pdf", licence.pk))
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    assert Job.objects.count() == 1
    assert converter == []
    # Another person's job is theirs: this one is offered the button.
    other = login(world.zhuozi_liaison).get(url("licence", licence.pk)).content.decode()
    assert f'action="{url("certificate_pdf", licence.pk)}"' in other
    assert reverse("ops:job", args=[job.pk]) not in other
    # Once the job ended the button is back.
    jobs.execute(job.pk, "worker-1")
    page = login(world.brand_staff).get(url("licence", licence.pk)).content.decode()
    assert f'action="{url("certificate_pdf", licence.pk)}"' in page
    assert "PDF 生成中…" not in page


def test_who_may_not_see_the_licence_queues_nothing(world, login, licensed, converter):
    licence = licensed.yinshan_licence
    for nobody in (world.huade_liaison, world.outsider, world.auditor):
        assert login(nobody).post(url("certificate_pdf", licence.pk)).status_code == 404
    assert login(world.brand_staff).get(url("certificate_pdf", licence.pk)).status_code == 405
    assert not Job.objects.exists()
    assert converter == []


def test_a_job_whose_owner_lost_sight_of_the_licence_makes_nothing(world, licensed, converter):
    job = queued_job(licensed.yinshan_licence, world.huade_liaison)
    assert jobs.execute(job.pk, "worker-1") == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error == gettext("You no longer see this licence; no certificate was made.")
    assert job.result_file is None
    assert converter == []


def test_libreoffice_failing_fails_the_job_with_the_reason(
    world, login, licensed, converter, monkeypatch
):
    monkeypatch.setattr(word, "to_pdf", lambda data: None)
    login(world.brand_staff).post(url("certificate_pdf", licensed.yinshan_licence.pk))
    (job,) = Job.objects.all()
    assert job.status == JobStatus.FAILED
    assert "LibreOffice" in job.error
    assert job.result_file is None
    assert not AuditEvent.objects.filter(object_type="brand.certificate").exists()


def test_without_libreoffice_no_pdf_is_offered_nor_made(world, login, licensed, settings):
    settings.SOFFICE_BINARY = "no-such-soffice-here"
    licence = licensed.yinshan_licence
    client = login(world.brand_staff)
    page = client.get(url("licence", licence.pk)).content.decode()
    assert url("certificate_pdf", licence.pk) not in page
    assert url("certificate_docx", licence.pk) in page
    assert client.post(url("certificate_pdf", licence.pk)).status_code == 404
    assert not Job.objects.exists()


def test_the_page_looks_its_job_up_in_one_query(world, login, licensed, converter):
    licence = licensed.yinshan_licence
    client = login(world.brand_staff)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("licence", licence.pk)).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    client.get(url("licence", licence.pk))
    few = queries()
    assert len([sql for sql in few if '"ops_job"' in sql]) == 1
    for owner in (world.brand_staff, world.zhuozi_liaison, world.leader):
        queued_job(licensed.shudu_licence, owner)
        queued_job(licence, owner if owner != world.brand_staff else world.leader)
    assert len(queries()) == len(few)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_with_libreoffice_the_job_makes_a_real_pdf(world, login, licensed, settings, tmp_path):
    settings.SOFFICE_BINARY = "soffice"
    licence = licensed.yinshan_licence
    login(world.brand_staff).post(url("certificate_pdf", licence.pk))
    (job,) = Job.objects.all()
    assert job.status == JobStatus.SUCCEEDED
    with job.result_file.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    require_pdf_tools()  # poppler, to read it back
    printed = read_pdf(data, tmp_path, "certificate")
    assert (printed.pages, printed.page_size) == (1, A4_PORTRAIT)
    assert licence.number in printed.text
    assert "阴山优麦燕麦片" in printed.text
