"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

- `assessment.scores`: the scheme's score sheet (`exports.write_scores_xlsx`), counted by
  its rows of scores by item;
- `assessment.bundle`: a unit's evidence bundle (`bundle.write_bundle`), counted by its
  files; the files that fail their integrity check are recorded as in the request and
  named in the job's result.

Each export is prepared, named and audited by the same functions for the request that
answers the file at once (`views_export`) and for the job that writes it in a worker. A
job reads only its params (the scheme's or the unit's id) and its owner, whose access is
checked again when it runs (`access`): what they may no longer see fails the job.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuanban.assessment import bundle, exports
from zhuanban.assessment.access import get_participant_for_user, get_scheme_for_user
from zhuanban.assessment.models import Participant, Score
from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction, AuditOutcome
from zhuanban.ops import exports as job_exports
from zhuanban.ops.exports import owner_may_no_longer
from zhuanban.ops.registry import Outcome, register

logger = logging.getLogger(__name__)

SCORES = "assessment.scores"
BUNDLE = "assessment.bundle"
ZIP_CONTENT_TYPE = "application/zip"


# --- the score sheet ----------------------------------------------------------------------------


@dataclass
class ScoresExport:
    data: exports.SchemeSheet
    today: datetime.date

    @property
    def title(self) -> str:
        return exports.scores_title(self.data.scheme)

    @property
    def filename(self) -> str:
        return _("Assessment scores-%(scheme)s.xlsx") % {
            "scheme": bundle.safe_name(self.data.scheme.title, bundle.FOLDER_MAX_CHARS)
        }

    def count(self) -> int:
        """The rows of scores by item (one query): what makes the file large."""
        return self.data.detail_count()

    def write(self, out: BinaryIO, rows: Iterable[Score] | None = None) -> None:
        exports.write_scores_xlsx(self.data, out, today=self.today, rows=rows)

    def audit(self, user, **extra) -> None:
        data = self.data
        audit.record(
            actor=user,
            action=AuditAction.EXPORT,
            instance=data.scheme,
            object_type="assessment.score_sheet",
            after={"units": len(data.ranked), "of": data.unit_count, **extra},
            message="assessment score sheet exported to xlsx",
        )


def scores_export(user, pk: int, today: datetime.date | None = None) -> ScoresExport:
    """The score sheet of the scheme `pk` as `user` may see it; 404 when they see no such
    scheme."""
    scheme = get_scheme_for_user(user, pk)
    return ScoresExport(
        data=exports.scheme_sheet(user, scheme), today=today or timezone.localdate()
    )


# --- the evidence bundle -------------------------------------------------------------------------


def bundle_title(participant: Participant) -> str:
    return bundle.bundle_file_name(participant).removesuffix(".zip")


def record_failures(user, participant: Participant, result: bundle.Bundle) -> None:
    """Each file left out for its integrity: an audit event as core.downloads records a
    refused download, and a log line. (The request also warns its user; a job names the
    files in its result.)"""
    for line in result.failed:
        stored = line.evidence.file
        missing = line.check == bundle.Check.MISSING_FILE
        audit.record(
            actor=user,
            action=AuditAction.DOWNLOAD,
            instance=stored,
            before={"sha256": stored.sha256, "size": stored.size},
            after={
                "sha256": line.found_sha256,
                "context": f"{participant._meta.label_lower}:{participant.pk}",
            },
            message="file missing from storage"
            if missing
            else "file integrity check failed (evidence bundle)",
            outcome=AuditOutcome.FAILURE,
        )
        logger.error(
            "stored file %s (%s) %s: left out of the evidence bundle of participant %s",
            stored.pk,
            stored.file.name,
            "is missing" if missing else "does not match its recorded SHA-256",
            participant.pk,
        )


def audit_bundle(user, participant: Participant, result: bundle.Bundle, **extra) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        instance=participant,
        object_type="assessment.evidence_bundle",
        after={
            "unit": participant.unit_id,
            "files": len(result.included),
            "failed": [line.evidence.file_id for line in result.failed],
            "lacking": [line.item.pk for line in result.lacking],
            "size": result.size,
            "sha256": result.sha256,
            **extra,
        },
        message="evidence bundle exported to zip",
    )


def bundle_result_text(result: bundle.Bundle) -> str:
    """What the job's page says: the index's summary, and the files left out."""
    lines = [bundle.index_summary(result)]
    if result.failed:
        lines.append(bundle.failures_text(result))
    return "\n".join(lines)


# --- the jobs ------------------------------------------------------------------------------------


def _owner(job):
    owner = job.owner
    if owner is None or not owner.is_active:
        raise owner_may_no_longer()
    return owner


@register(SCORES, unit=gettext_lazy("rows"))
def scores(job, progress) -> Outcome:
    """The score sheet as its owner may see it now."""
    owner = _owner(job)
    try:
        export = scores_export(owner, job.params["scheme"])
    except Http404:
        raise owner_may_no_longer() from None
    total = export.count()
    export.audit(owner, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, progress.track(export.data.detail_rows(), total)),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )


@register(BUNDLE, unit=gettext_lazy("files"))
def evidence_bundle(job, progress) -> Outcome:
    """The unit's evidence bundle, if its owner may still see the unit's scorecard: each
    file checked against its recorded SHA-256 as it is packed, one step of progress each."""
    owner = _owner(job)
    try:
        participant = get_participant_for_user(owner, job.params["participant"])
    except Http404:
        raise owner_may_no_longer() from None
    today = timezone.localdate()
    written: list[bundle.Bundle] = []

    def write(out: BinaryIO) -> None:
        written.append(bundle.write_bundle(participant, out, today=today, progress=progress))

    outcome = job_exports.file_outcome(
        job, write, bundle.bundle_file_name(participant), ZIP_CONTENT_TYPE
    )
    result = written[0]
    record_failures(owner, participant, result)
    audit_bundle(owner, participant, result, job=str(job.pk))
    outcome.text = bundle_result_text(result)
    return outcome
