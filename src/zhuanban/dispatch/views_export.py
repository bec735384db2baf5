"""The consolidated table as a printable .xlsx, written to a temporary file and streamed
back. Only bureau-wide roles get it: it puts every unit's figures side by side."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.dispatch import exports
from zhuanban.dispatch.access import get_round_for_user, require_consolidation_access


@require_GET
@login_required
@limit_export
def consolidation_export(request, pk: int) -> FileResponse:
    round_ = get_round_for_user(request.user, pk)
    require_consolidation_access(request.user, round_)
    if round_.template_id is None:  # a task list's progress round has no table to sum
        raise Http404
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=round_,
        message="consolidation exported to xlsx",
    )
    return excel.xlsx_attachment(
        lambda out: exports.write_consolidation_xlsx(round_, out),
        _("%(title)s summary.xlsx") % {"title": round_.title},
    )
