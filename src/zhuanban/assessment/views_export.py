"""Assessment downloads: the scheme's score sheet and a unit's scorecard as .xlsx, and a
unit's evidence bundle (考核资料) as a .zip with its index. Each download is audited as
an export.

Who gets what:
- the score sheet: whoever may see the scheme, with the rows of the units they may see
  (scoping.visible_participants): the bureau and the organising office every unit, a
  county's people their own unit only, ranked among all units;
- a unit's scorecard and its bundle: whoever may see that unit's scorecard
  (access.get_participant_for_user); anyone else gets 404.

A fixed number of queries whatever the number of units, items or files.
"""

import logging
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhuanban.assessment import bundle, exports
from zhuanban.assessment.access import get_participant_for_user, get_scheme_for_user
from zhuanban.core import audit
from zhuanban.core.downloads import SPOOL_BYTES
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction, AuditOutcome
from zhuanban.core.ratelimits import limit_export

logger = logging.getLogger(__name__)

ZIP_CONTENT_TYPE = "application/zip"


@require_GET
@login_required
@limit_export
def scheme_scores(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    today = timezone.localdate()
    data = exports.scheme_sheet(request.user, scheme)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=scheme,
        object_type="assessment.score_sheet",
        after={"units": len(data.ranked), "of": data.unit_count},
        message="assessment score sheet exported to xlsx",
    )
    return xlsx_attachment(
        lambda out: exports.write_scores_xlsx(data, out, today=today),
        _("Assessment scores-%(scheme)s.xlsx")
        % {"scheme": bundle.safe_name(scheme.title, bundle.FOLDER_MAX_CHARS)},
    )


@require_GET
@login_required
@limit_export
def participant_scores(request, pk: int):
    participant = get_participant_for_user(request.user, pk)
    today = timezone.localdate()
    data = exports.unit_sheet(participant)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=participant,
        object_type="assessment.scorecard",
        after={"unit": participant.unit_id},
        message="assessment scorecard exported to xlsx",
    )
    return xlsx_attachment(
        lambda out: exports.write_unit_xlsx(data, out, today=today),
        _("Scorecard-%(scheme)s-%(unit)s.xlsx")
        % {
            "scheme": bundle.safe_name(participant.scheme.title, bundle.FOLDER_MAX_CHARS),
            "unit": bundle.safe_name(participant.unit.name, bundle.FOLDER_MAX_CHARS),
        },
    )


def _record_failures(request, participant, result: bundle.Bundle) -> None:
    """Each file left out for its integrity: an audit event as core.downloads records a
    refused download, a log line, and a warning for the user."""
    for line in result.failed:
        stored = line.evidence.file
        missing = line.check == bundle.Check.MISSING_FILE
        audit.record(
            actor=request.user,
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
    if result.failed:
        messages.warning(request, bundle.failures_text(result))


@require_GET
@login_required
@limit_export
def evidence_bundle(request, pk: int):
    participant = get_participant_for_user(request.user, pk)
    today = timezone.localdate()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        result = bundle.write_bundle(participant, out, today=today)
    except BaseException:
        out.close()
        raise
    _record_failures(request, participant, result)
    audit.record(
        actor=request.user,
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
        },
        message="evidence bundle exported to zip",
    )
    response = FileResponse(
        out,
        as_attachment=True,
        filename=bundle.bundle_file_name(participant),
        content_type=ZIP_CONTENT_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
