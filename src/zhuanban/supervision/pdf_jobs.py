"""PDFs made by LibreOffice in the background (zhuanban.ops): their kinds are registered here.

A notice is issued with its .docx, the document of record, at once; its PDF (two to five
seconds of LibreOffice) is made after, by a `supervision.notice_pdf` job queued when the
issue commits: an issue rolled back queues nothing. The job is the issuer's (under "my
jobs and downloads", and they are told when it ends); the notice's page says the PDF is
being made meanwhile, and offers it once attached.

The job converts the stored .docx and attaches the PDF to the notice, with its own end,
in one transaction; it does nothing when the notice has its PDF already. Where no PDF can
be made (LibreOffice missing, failing or timing out) it still ends done, saying so: the
.docx is the record and a PDF a convenience that holds nothing back (core.word.to_pdf),
as when the conversion ran inside the issue.

The PDF is part of the notice, not something the job gives its owner: it is made whoever
sees the notice now, and served by the notice's own download, under the notice's access
rules (supervision.access).
"""

from django.utils.translation import gettext as _

from zhuanban.ops.documents import attach_pdf_of, no_pdf_text, pending_pdf_job, queue_pdf
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register
from zhuanban.supervision.models import Notice

KIND = "supervision.notice_pdf"

__all__ = ["KIND", "make_pdf", "no_pdf_text", "pending_job", "queue"]


def queue(notice: Notice, *, owner) -> None:
    """Once the caller's transaction commits: the job making the notice's PDF, `owner`'s."""
    queue_pdf(KIND, params={"notice": notice.pk}, name=notice.number, owner=owner)


def pending_job(notice: Notice) -> Job | None:
    """The job making the issued notice's PDF while it is queued or running: one query,
    none for a draft or a notice that has its PDF."""
    if notice.docx_id is None or notice.pdf_id is not None:
        return None
    return pending_pdf_job(KIND, notice=notice.pk)


@register(KIND)
def notice_pdf(job: Job, progress) -> Outcome:
    return make_pdf(job.params["notice"], actor=job.owner, job=job, progress=progress)


def make_pdf(pk: int, *, actor, job: Job | None = None, progress=None) -> Outcome:
    """Convert the issued notice's .docx and attach the PDF (see ops.documents)."""
    notice = Notice.objects.select_related("docx").filter(pk=pk, docx__isnull=False).first()
    if notice is None:
        raise JobError(_("The notice or its Word document is no longer there; no PDF was made."))
    return attach_pdf_of(
        notice,
        name=notice.docx.name.removesuffix(".docx"),
        url=notice.get_absolute_url(),
        actor=actor,
        job=job,
        progress=progress,
    )
