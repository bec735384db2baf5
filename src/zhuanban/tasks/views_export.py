"""The ledger as an .xlsx file: the same filters and scope as the ledger page, every
matching row (not one page). Up to settings.JOB_SYNC_ROWS rows it is written to a
temporary file and streamed back; a larger ledger is offered as a background job (a
POST to the same address starts it), which writes the same file (`export_jobs`).

The queries do not grow with the ledger: the session's, the counts, the rows (read in
chunks of 2,000) and one query of cooperating units per chunk.
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from zhuanban.core import excel
from zhuanban.core.ratelimits import limit_export
from zhuanban.ops import exports as job_exports
from zhuanban.tasks import export_jobs


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def ledger_export(request):
    export = export_jobs.ledger_export(request.user, request.GET)
    query = request.GET.urlencode()

    def answer():
        export_jobs.audit_ledger_export(request.user, export, query)
        return excel.xlsx_attachment(export.write, export.filename)

    return job_exports.offer(
        request,
        kind=export_jobs.LEDGER,
        title=export.title,
        count=export.tasks.count(),
        params={"query": query},
        answer=answer,
    )
