"""The pipeline's two ledgers as .xlsx downloads (see `investment.exports`):

- `signed_projects_xlsx`: 农牧业招商引资签约落地项目情况表 of a year (`?year=`, this year by
  default), optionally of one county (`?county=<pk>`) and one chain (`?chain=<pk>`), among
  the projects the user sees (a county's liaison: their county's);
- `upward_xlsx`: 向上争取政策项目清单调度台账 of a year, for those who read upward
  applications (`scoping.sees_all`); others 404.

Up to settings.JOB_SYNC_ROWS rows a GET answers the file at once; a larger ledger is
offered as a background job, which a POST to the same address starts (`export_jobs`: the
same access check, file name, audit event and writer). Each download is rate-limited
(`core.ratelimits.limit_export`) and written to the audit trail as an EXPORT.
"""

from django.contrib.auth.decorators import login_required
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.ratelimits import limit_export
from zhuanban.investment import export_jobs
from zhuanban.ops import exports as job_exports


def _offer(request, kind: str, export: export_jobs.LedgerExport):
    def answer():
        export.audit(request.user)
        response = xlsx_attachment(export.write, export.filename)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return job_exports.offer(
        request,
        kind=kind,
        title=export.job_title,
        count=export.count,
        params={"query": request.GET.urlencode()},
        answer=answer,
    )


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def signed_projects_xlsx(request):
    export = export_jobs.signed_export(request.user, request.GET)
    return _offer(request, export_jobs.SIGNED, export)


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def upward_xlsx(request):
    export = export_jobs.upward_export(request.user, request.GET)
    return _offer(request, export_jobs.UPWARD, export)
