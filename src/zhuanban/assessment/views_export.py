"""Assessment downloads: the scheme's score sheet and a unit's scorecard as .xlsx, and a
unit's evidence bundle (考核资料) as a .zip with its index. Each download is audited as
an export.

Who gets what:
- the score sheet: whoever may see the scheme, with the rows of the units they may see
  (scoping.visible_participants): the bureau and the organising office every unit, a
  county's people their own unit only, ranked among all units;
- a unit's scorecard and its bundle: whoever may see that unit's scorecard
  (access.get_participant_for_user); anyone else gets 404.

Large ones in the background (`export_jobs`, the same names, audit and writers): the
score sheet beyond settings.JOB_SYNC_ROWS rows of scores by item is offered as a job
(`ops.exports.offer`), and so is a bundle beyond `bundle.SYNC_FILES` files or
`bundle.SYNC_BYTES` bytes; a POST to the same address starts the job. A unit's scorecard
is one unit's items (tens of rows): always written at once, GET only.

A fixed number of queries whatever the number of units, items or files.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhuanban.assessment import bundle, export_jobs, exports
from zhuanban.assessment.access import get_participant_for_user
from zhuanban.core import audit
from zhuanban.core.downloads import SPOOL_BYTES
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.ops import exports as job_exports
from zhuanban.ops import services


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def scheme_scores(request, pk: int):
    export = export_jobs.scores_export(request.user, pk)

    def answer():
        export.audit(request.user)
        return xlsx_attachment(export.write, export.filename)

    return job_exports.offer(
        request,
        kind=export_jobs.SCORES,
        title=export.title,
        count=export.count(),
        params={"scheme": export.data.scheme.pk},
        answer=answer,
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


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def evidence_bundle(request, pk: int):
    participant = get_participant_for_user(request.user, pk)
    title = export_jobs.bundle_title(participant)
    if request.method == "POST":
        job = services.start(
            kind=export_jobs.BUNDLE,
            title=title,
            owner=request.user,
            params={"participant": participant.pk},
        )
        return redirect("ops:job", pk=job.pk)
    size = bundle.measure(participant)
    if size.in_background:
        return render(
            request,
            "assessment/bundle_offer.html",
            {
                "participant": participant,
                "title": title,
                "size": size,
                "sync_files": bundle.SYNC_FILES,
                "sync_bytes": bundle.SYNC_BYTES,
            },
        )
    today = timezone.localdate()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        result = bundle.write_bundle(participant, out, today=today)
    except BaseException:
        out.close()
        raise
    export_jobs.record_failures(request.user, participant, result)
    if result.failed:
        messages.warning(request, bundle.failures_text(result))
    export_jobs.audit_bundle(request.user, participant, result)
    response = FileResponse(
        out,
        as_attachment=True,
        filename=bundle.bundle_file_name(participant),
        content_type=export_jobs.ZIP_CONTENT_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
