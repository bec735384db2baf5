"""PDFs made by LibreOffice in the background (zhuanban.ops): their kinds are registered here.

A licence's certificate is not stored: it says what the licence is on the day it is made
(a removed or expired licence's says it is void), so it is made when asked for. Its .docx
is answered at once; its PDF (two to five seconds of LibreOffice) is made by a
`brand.licence_pdf` job of the person who asks, as of the day the job runs, and kept for
them under "my jobs and downloads" (ops.exports.file_outcome), as a background export is.

The job sees what its owner sees when it runs (brand.scoping.visible_licences): one who
lost sight of the licence meanwhile gets no certificate. Where no PDF can be made
(LibreOffice missing, failing or timing out) the job fails, saying so: making that PDF
is all it was started for, so "done" without a file would mislead; the .docx stays
offered on the licence's page.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.brand import exports, scoping
from zhuanban.brand.models import Licence
from zhuanban.core import audit, word
from zhuanban.core.models import AuditAction
from zhuanban.ops import exports as ops_exports
from zhuanban.ops import services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register

KIND = "brand.licence_pdf"
PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)


def pending_job(licence: Licence, owner) -> Job | None:
    """`owner`'s job making this licence's certificate PDF while it is queued or running
    (one query)."""
    return (
        Job.objects.filter(kind=KIND, owner=owner, params__licence=licence.pk, status__in=PENDING)
        .order_by("-created_at")
        .first()
    )


def start(licence: Licence, *, owner) -> Job:
    """The job making the certificate as PDF for `owner`; the one already on its way, when
    they asked a moment ago."""
    job = pending_job(licence, owner)
    if job is None:
        job = services.start(
            kind=KIND,
            title=_("%(name)s as PDF")
            % {"name": f"{exports.certificate_title()} {licence.number}"},
            owner=owner,
            params={"licence": licence.pk},
        )
    return job


@register(KIND)
def licence_pdf(job: Job, progress) -> Outcome:
    licence = (
        scoping.visible_licences(job.owner)
        .select_related("enterprise", "application")
        .filter(pk=job.params["licence"])
        .first()
    )
    if licence is None:
        raise JobError(_("You no longer see this licence; no certificate was made."))
    progress.stage(_("Converting to PDF"))
    data = exports.certificate(licence, day=timezone.localdate())
    pdf = exports.certificate_pdf(exports.certificate_docx(data))
    if pdf is None:
        raise JobError(
            _(
                "The certificate could not be made as PDF: LibreOffice is not installed on "
                "the server, or the conversion failed. Download it as .docx instead."
            )
        )
    outcome = ops_exports.file_outcome(
        job,
        lambda out: out.write(pdf),
        exports.certificate_file_name(licence, "pdf"),
        word.PDF_CONTENT_TYPE,
    )
    audit.record(
        actor=job.owner,
        action=AuditAction.EXPORT,
        instance=licence,
        object_type="brand.certificate",
        after={"state": data.state, "format": "pdf"},
        message="brand licence certificate exported to pdf",
    )
    return outcome
