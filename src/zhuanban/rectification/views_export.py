"""The rectification ledger as an .xlsx file: exactly the list the user is looking at (the
same filters and scope as the list page, every matching item, not one page), written to
a temporary file and streamed back.

The queries do not grow with the ledger: the session's, the names of the units the
filters point at, the counts, the rows (read in chunks of 2,000), the audit record.
"""

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.org.access import require_business_data
from zhuanban.rectification import exports, selectors

CHUNK_SIZE = 2000


@require_GET
@login_required
@limit_export
def ledger_export(request):
    require_business_data(request.user)
    today = timezone.localdate()
    filters = selectors.filters_from_query(request.GET)
    items = selectors.items(request.user, filters, today)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="rectification.ledger",
        after={"query": request.GET.urlencode()},
        message="rectification ledger exported to xlsx",
    )
    return excel.xlsx_attachment(
        lambda out: exports.write_ledger_xlsx(
            exports.export_rows(items, today, chunk_size=CHUNK_SIZE),
            out,
            counts=exports.ledger_counts(items, today),
            filters=exports.filter_pairs(filters),
            today=today,
        ),
        _("Rectification ledger-%(date)s.xlsx") % {"date": today.strftime("%Y%m%d")},
    )
