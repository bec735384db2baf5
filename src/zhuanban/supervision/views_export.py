"""Supervision ledgers as .xlsx downloads: the notice ledger with the list's filters and
scope (a unit sees the notices issued to it, an office its own drafts too), and the
visits per county and month of the counts page.

A fixed number of queries whatever the number of notices or visits: the session's, the
filter form's, the count and the rows of notices (with one query of units per chunk),
or the two of the counts grid; then the audit record.
"""

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhuanban.core import audit
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.org.access import require_business_data
from zhuanban.supervision import exports, notice_selectors, selectors
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
