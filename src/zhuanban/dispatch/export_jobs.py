"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

A round's consolidated table (`dispatch.consolidation`) puts every unit's figures side
by side, and a table of records lists every record: thousands of units × rows at scale.
The request and the job prepare it with the same functions: the same access check, file
name and audit event, and the same writer (`exports.write_consolidation_xlsx`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction
from zhuanban.dispatch import exports
from zhuanban.dispatch.access import get_round_for_user, require_consolidation_access
from zhuanban.dispatch.models import REPORTED_STATES, DataValue, DispatchRound, RowMode, Submission
from zhuanban.ops import exports as job_exports
from zhuanban.ops.exports import owner_may_no_longer
from zhuanban.ops.registry import Outcome, register

CONSOLIDATION = "dispatch.consolidation"


def consolidation_round(user, pk: int) -> DispatchRound:
    """The round whose consolidated table `user` may export: 404 when they may not see
    it or it has no table (a task list's progress round), 403 unless bureau-wide."""
    round_ = get_round_for_user(user, pk)
    require_consolidation_access(user, round_)
    if round_.template_id is None:
        raise Http404
    return round_


def consolidation_rows(round_: DispatchRound) -> int:
    """The table's lines of units and records, as `exports.data_lines` counts them, from
    the database: a line per unit, or each record and a line per unit not reported."""
    units = Submission.objects.filter(round=round_).aggregate(
        all=Count("pk"), reported=Count("pk", filter=Q(status__in=REPORTED_STATES))
    )
    if round_.template.row_mode != RowMode.RECORDS:
        return units["all"]
    records = (
        DataValue.objects.filter(round=round_)
        .values("submission_id")
        .annotate(rows=Max("row") + 1)
        .order_by()
        .aggregate(total=Sum("rows"))["total"]
        or 0
    )
    return records + units["all"] - units["reported"]


def title(round_: DispatchRound) -> str:
    return _("%(title)s summary") % {"title": round_.title}


def filename(round_: DispatchRound) -> str:
    return _("%(title)s summary.xlsx") % {"title": round_.title}


def audit_consolidation_export(user, round_: DispatchRound, **extra) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        instance=round_,
        after=extra or None,
        message="consolidation exported to xlsx",
    )


@register(CONSOLIDATION, unit=gettext_lazy("rows"))
def consolidation(job, progress) -> Outcome:
    """The round's consolidated table, if its owner may still export it."""
    try:
        round_ = consolidation_round(job.owner, job.params["round"])
    except (PermissionDenied, Http404):
        raise owner_may_no_longer() from None
    audit_consolidation_export(job.owner, round_, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: exports.write_consolidation_xlsx(round_, out, progress=progress),
        filename(round_),
        excel.XLSX_CONTENT_TYPE,
    )
