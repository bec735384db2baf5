"""A record's PDF (a published bulletin's, an issued notice's) made in the background
from its stored .docx, the document of record: queued when the record's transaction
commits, converted outside any transaction (LibreOffice takes seconds), attached with the
job's end in one transaction, and never twice. Where no PDF can be made (LibreOffice
missing, failing or timing out) the job still ends done and says so: the .docx holds
nothing back (core.word.to_pdf)."""

from django.db import transaction
from django.utils.translation import gettext as _

from zhuanban.core import word
from zhuanban.ops import services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome

PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)


def queue_pdf(kind: str, *, params: dict, name: str, owner) -> None:
    """Once the caller's transaction commits: the job making the record's PDF, `owner`'s."""

    def start() -> None:
        with transaction.atomic():
            services.start(
                kind=kind, title=_("%(name)s as PDF") % {"name": name}, owner=owner, params=params
            )

    transaction.on_commit(start)


def pending_pdf_job(kind: str, **params) -> Job | None:
    """The latest job of `kind` for these params while it is queued or running (one query)."""
    lookups = {f"params__{key}": value for key, value in params.items()}
    return (
        Job.objects.filter(kind=kind, status__in=PENDING, **lookups).order_by("-created_at").first()
    )


def attach_pdf_of(record, *, name: str, url: str, actor, job=None, progress=None) -> Outcome:
    """Convert `record.docx` and attach the PDF to `record` (ending `job` in the transaction
    that attaches it); what the job does, and what the demo loader calls inline."""
    already = Outcome(text=_("%(name)s has its PDF already.") % {"name": name}, url=url)
    if record.pdf_id is not None:
        return already
    if progress is not None:
        progress.stage(_("Converting to PDF"))
    try:
        pdf = word.pdf_of(record.docx)
    except FileNotFoundError:
        raise JobError(
            _("The Word document %(name)s is no longer on the server; no PDF was made.")
            % {"name": record.docx.name}
        ) from None
    if pdf is None:
        return Outcome(text=no_pdf_text(name), url=url)
    with transaction.atomic():
        stored = word.attach_pdf(type(record).objects.all(), record.pk, actor=actor, pdf=pdf)
        outcome = (
            Outcome(text=_("%(name)s was made.") % {"name": stored.name}, url=url)
            if stored
            else already
        )
        if job is not None:
            services.succeed(job, outcome)
    return outcome


def no_pdf_text(name: str) -> str:
    return _(
        "No PDF of %(name)s was made: LibreOffice is not installed on the server, or the "
        "conversion failed. The Word document is the record; download it instead."
    ) % {"name": name}
