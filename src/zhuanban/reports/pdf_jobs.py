"""PDFs made by LibreOffice in the background (zhuanban.ops): their kinds are registered here.

An issue is published with its .docx, the document of record, at once; its PDF (two to
five seconds of LibreOffice) is made after, by a `reports.bulletin_pdf` job queued when
the publishing commits: a publishing rolled back queues nothing. The job is the
publisher's (under "my jobs and downloads", and they are told when it ends); the issue's
page says the PDF is being made meanwhile, and offers it once attached.

The job converts the stored .docx and attaches the PDF to the issue, with its own end, in
one transaction; it does nothing when the issue has its PDF already. Where no PDF can be
made (LibreOffice missing, failing or timing out) it still ends done, saying so: the
.docx is the record and a PDF a convenience that holds nothing back (core.word.to_pdf),
as when the conversion ran inside the publishing.

The PDF is part of the issue, not something the job gives its owner: it is made whoever
sees the issue now, and served by the issue's own download, under the issue's access
rules (reports.access).
"""

from django.utils.translation import gettext as _

from zhuanban.ops.documents import attach_pdf_of, no_pdf_text, pending_pdf_job, queue_pdf
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register
from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.models import Bulletin

KIND = "reports.bulletin_pdf"

__all__ = ["KIND", "make_pdf", "no_pdf_text", "pending_job", "queue"]


def queue(bulletin: Bulletin, *, owner) -> None:
    """Once the caller's transaction commits: the job making the issue's PDF, `owner`'s."""
    queue_pdf(KIND, params={"bulletin": bulletin.pk}, name=_stem(bulletin), owner=owner)


def pending_job(bulletin: Bulletin) -> Job | None:
    """The job making the published issue's PDF while it is queued or running: one query,
    none for a draft or an issue that has its PDF."""
    if not bulletin.is_published or bulletin.pdf_id is not None:
        return None
    return pending_pdf_job(KIND, bulletin=bulletin.pk)


def _stem(bulletin: Bulletin) -> str:
    return bulletin.docx.name.removesuffix(".docx") if bulletin.docx_id else str(bulletin)


@register(KIND)
def bulletin_pdf(job: Job, progress) -> Outcome:
    return make_pdf(job.params["bulletin"], actor=job.owner, job=job, progress=progress)


def make_pdf(pk: int, *, actor, job: Job | None = None, progress=None) -> Outcome:
    """Convert the published issue's .docx and attach the PDF (see ops.documents)."""
    bulletin = (
        Bulletin.objects.select_related("docx")
        .filter(pk=pk, status=BulletinStatus.PUBLISHED, docx__isnull=False)
        .first()
    )
    if bulletin is None:
        raise JobError(_("The issue or its Word document is no longer there; no PDF was made."))
    return attach_pdf_of(
        bulletin,
        name=_stem(bulletin),
        url=bulletin.get_absolute_url(),
        actor=actor,
        job=job,
        progress=progress,
    )
