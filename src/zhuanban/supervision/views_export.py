"""Supervision ledgers as .xlsx downloads: the notice ledger with the list's filters and
scope (a unit sees the notices issued to it, an office its own drafts too), the visits
per county and month of the counts page, and an inspection group's plan of visits; and a
visit's written research report as a Word document. Each download is audited as an export.

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
from django.views.decorators.http import require_GET

from zhuanban.core import audit, word
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.org.access import require_business_data
from zhuanban.supervision import documents, exports, notice_selectors, selectors
from zhuanban.supervision.access import get_group_for_user, get_visit_for_user
from zhuanban.supervision.forms import year_from
from zhuanban.supervision.forms_notices import NoticeFilterForm


@require_GET
@login_required
@limit_export
def notices_export(request):
    require_business_data(request.user)
    today = timezone.localdate()
    form = NoticeFilterForm(request.GET or None, user=request.user)
    notices = notice_selectors.notice_list(request.user, form.filters())
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="supervision.notice_ledger",
        after={"query": request.GET.urlencode()},
        message="notice ledger exported to xlsx",
    )
    return xlsx_attachment(
        lambda out: exports.write_notice_ledger_xlsx(
            exports.notice_rows(notices),
            out,
            count=notices.order_by().count(),
            filters=exports.notice_filter_pairs(form),
            today=today,
        ),
        _("Supervision notice ledger-%(date)s.xlsx") % {"date": today.strftime("%Y%m%d")},
    )


@require_GET
@login_required
@limit_export
def visit_counts_export(request):
    require_business_data(request.user)
    today = timezone.localdate()
    year = year_from(request.GET, today.year)
    grid = selectors.visit_counts(request.user, year)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="supervision.visit_counts",
        after={"year": year},
        message="visit counts exported to xlsx",
    )
    return xlsx_attachment(
        lambda out: exports.write_visit_counts_xlsx(grid, out, today=today),
        _("Visit counts-%(year)s.xlsx") % {"year": year},
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
