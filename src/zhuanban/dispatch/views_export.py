"""The consolidated table as a printable .xlsx. Only bureau-wide roles get it: it puts
every unit's figures side by side. Up to settings.JOB_SYNC_ROWS lines of units and
records it is written to a temporary file and streamed back; a larger table is offered
as a background job (a POST to the same address starts it), which writes the same file
(`export_jobs`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from zhuanban.core import excel
from zhuanban.core.ratelimits import limit_export
from zhuanban.dispatch import export_jobs, exports
from zhuanban.ops import exports as job_exports


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def consolidation_export(request, pk: int) -> HttpResponse:
    round_ = export_jobs.consolidation_round(request.user, pk)

    def answer():
        export_jobs.audit_consolidation_export(request.user, round_)
        return excel.xlsx_attachment(
            lambda out: exports.write_consolidation_xlsx(round_, out),
            export_jobs.filename(round_),
        )

    return job_exports.offer(
        request,
        kind=export_jobs.CONSOLIDATION,
        title=export_jobs.title(round_),
        count=export_jobs.consolidation_rows(round_),
        params={"round": round_.pk},
        answer=answer,
    )
