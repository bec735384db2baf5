"""The ledger as an .xlsx file: the same filters and scope as the ledger page, every
matching row (not one page), written to a temporary file and streamed back.

The queries do not grow with the ledger: the session's, the counts, the rows (read in
chunks of 2,000) and one query of cooperating units per chunk.
"""

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.org.access import require_business_data
from zhuanban.tasks import exports, selectors
from zhuanban.tasks.filters import filters_from_query, numbering_from_query
from zhuanban.tasks.models import NumberingStyle
from zhuanban.tasks.scoping import visible_lists

CHUNK_SIZE = 2000


@require_GET
@login_required
@limit_export
def ledger_export(request):
    require_business_data(request.user)
    filters = filters_from_query(request.GET)
    tasks = selectors.ledger(request.user, filters)
    one_list = (
        visible_lists(request.user)
        .filter(pk=filters.task_list)
        .values("title", "numbering")
        .first()
        if filters.task_list
        else None
    )
    numbering = numbering_from_query(
        request.GET, default=one_list["numbering"] if one_list else NumberingStyle.CHINESE
    )
    today = timezone.localdate()
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="tasks.ledger",
        object_repr=one_list["title"] if one_list else "",
        after={"query": request.GET.urlencode()},
        message="ledger exported to xlsx",
    )
    return excel.xlsx_attachment(
        lambda out: exports.write_ledger_xlsx(
            exports.export_rows(tasks, chunk_size=CHUNK_SIZE),
            out,
            title=one_list["title"] if one_list else _("Key task breakdown ledger"),
            counts=selectors.ledger_counts(tasks),
            numbering=numbering,
            group_by_list=one_list is None,
            today=today,
        ),
        _("Key task ledger-%(date)s.xlsx") % {"date": today.strftime("%Y%m%d")},
    )
