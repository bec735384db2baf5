"""Supervision ledgers as .xlsx downloads: the notice ledger with the list's filters and
scope (a unit sees the notices issued to it, an office its own drafts too), the visits
per county and month of the counts page, and an inspection group's plan of visits; and a
visit's written research report as a Word document. Each download is audited as an export.

The notice ledger and the visit counts can be large: beyond settings.JOB_SYNC_ROWS rows
they are offered as background jobs (a POST to the same address starts one), which write
the same files (`export_jobs`). A group's plan is one group's visits, small by nature,
and always comes at once.

A fixed number of queries whatever the number of notices or visits: the session's, the
filter form's, the count and the rows of notices (with one query of units per chunk),
or the two of the counts grid; then the audit record.
"""

import io
import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhuanban.core import audit, word
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.ops import exports as job_exports
from zhuanban.supervision import documents, export_jobs, exports
from zhuanban.supervision.access import get_group_for_user, get_visit_for_user


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def notices_export(request):
    export = export_jobs.notice_ledger_export(request.user, request.GET)
    query = request.GET.urlencode()

    def answer():
        export_jobs.audit_notice_ledger_export(request.user, query)
        return xlsx_attachment(export.write, export.filename)

    return job_exports.offer(
        request,
        kind=export_jobs.NOTICE_LEDGER,
        title=export.title,
        count=export.count,
        params={"query": query},
        answer=answer,
    )


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def visit_counts_export(request):
    export = export_jobs.visit_counts_export(request.user, request.GET)

    def answer():
        export_jobs.audit_visit_counts_export(request.user, export.year)
        return xlsx_attachment(export.write, export.filename)

    return job_exports.offer(
        request,
        kind=export_jobs.VISIT_COUNTS,
        title=export.title,
        count=export.count,
        params={"query": f"year={export.year}"},
        answer=answer,
    )


# Characters a file name cannot hold on one system or another.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


@require_GET
@login_required
@limit_export
def visit_report_docx(request, pk: int):
    """The visit's written research report as an official Word document, for whoever may
    see the visit; 404 when nothing is written (an attached file comes as it was uploaded)."""
    visit = get_visit_for_user(request.user, pk)
    if not visit.report_text.strip():
        raise Http404
    title, _lines = documents.report_parts(visit)
    data = documents.visit_report_docx(visit)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=visit,
        object_type="supervision.visit_report",
        message="research report exported to docx",
    )
    name = _NOT_IN_FILE_NAMES.sub("", title)[:80].strip() or "report"
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=f"{name}.docx",
        content_type=word.DOCX_CONTENT_TYPE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
@limit_export
def group_plan_export(request, pk: int):
    """The group's plan of visits as the group page shows it to the user: a county's
    people see the visits carried out in their county only."""
    group = get_group_for_user(request.user, pk)
    today = timezone.localdate()
    visits = exports.group_plan_visits(request.user, group)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=group,
        object_type="supervision.group_plan",
        message="plan of visits exported to xlsx",
    )
    return xlsx_attachment(
        lambda out: exports.write_group_plan_xlsx(group, visits, out, today=today),
        _("Plan of visits-%(group)s-%(year)s.xlsx")
        % {"group": _NOT_IN_FILE_NAMES.sub("", group.name), "year": group.year},
    )
