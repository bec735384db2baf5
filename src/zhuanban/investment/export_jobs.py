"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

Each ledger's export is prepared by one function for the request that answers the file at
once and for the job that writes it in a worker (`views_exports`): the same access check,
filters, scope, file name and audit event, and the same writer (`exports.write_*_xlsx`).
The job reads only its params (the query string) and its owner, whose access is checked
again when it runs.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction
from zhuanban.investment import exports, scoping
from zhuanban.ops import exports as job_exports
from zhuanban.ops.exports import owner_may_no_longer
from zhuanban.ops.registry import Outcome, register

SIGNED = "investment.signed_projects"
UPWARD = "investment.upward"


@dataclass
class LedgerExport:
    """One ledger export for one user: its data, its count of rows, file name and audit."""

    data: Any  # exports.SignedLedger or exports.UpwardLedger
    count: int  # the rows the writer streams (projects, applications)
    title: str
    write_xlsx: Callable[..., None]
    object_type: str
    audit_after: dict
    message: str

    @property
    def filename(self) -> str:
        return exports.file_name(self.title, self.data.year)

    @property
    def job_title(self) -> str:
        return self.filename.removesuffix(".xlsx")

    def write(self, out: BinaryIO, rows: Iterable | None = None) -> None:
        self.write_xlsx(self.data, out, rows)

    def audit(self, user, **extra) -> None:
        audit.record(
            actor=user,
            action=AuditAction.EXPORT,
            object_type=self.object_type,
            object_repr=self.title[:255],
            after={**self.audit_after, **extra},
            message=self.message,
        )


def signed_export(user, query: Mapping, today: datetime.date | None = None) -> LedgerExport:
    """农牧业招商引资签约落地项目情况表 of `user` for the query string (`?year=&county=&chain=`);
    404 for whoever reads nothing of the pipeline."""
    if not scoping.reads_pipeline(user, scoping.visible_projects(user)):
        raise Http404  # as views_activities.require_pipeline_reader
    today = today or timezone.localdate()
    form = exports.LedgerFilterForm(query, today=today)
    data = exports.signed_ledger(
        user, day=today, year=form.year, county=form.county, chain=form.chain
    )
    count = data.total.projects
    return LedgerExport(
        data=data,
        count=count,
        title=exports.signed_title(),
        write_xlsx=exports.write_signed_xlsx,
        object_type="investment.signed_projects",
        audit_after={
            "year": form.year,
            "county": form.county.pk if form.county else None,
            "chain": form.chain.pk if form.chain else None,
            "projects": count,
            "format": "xlsx",
        },
        message="investment signed projects exported to xlsx",
    )


def upward_export(user, query: Mapping, today: datetime.date | None = None) -> LedgerExport:
    """向上争取政策项目清单调度台账 of a year (`?year=`), for those who read upward
    applications; 404 for anyone else."""
    if not scoping.sees_all(user):
        raise Http404
    today = today or timezone.localdate()
    form = exports.LedgerFilterForm(query, today=today)
    data = exports.upward_ledger(user, day=today, year=form.year)
    count = data.this.applications if data.this else 0
    return LedgerExport(
        data=data,
        count=count,
        title=exports.upward_title(),
        write_xlsx=exports.write_upward_xlsx,
        object_type="investment.upward",
        audit_after={"year": form.year, "applications": count, "format": "xlsx"},
        message="investment upward applications exported to xlsx",
    )


def _run(job, progress, prepare: Callable[..., LedgerExport]) -> Outcome:
    """The export as its owner may see it now, for the query string it was started with."""
    owner = job.owner
    if owner is None or not owner.is_active:
        raise owner_may_no_longer()
    try:
        export = prepare(owner, QueryDict(job.params.get("query", "")))
    except (PermissionDenied, Http404):
        raise owner_may_no_longer() from None
    export.audit(owner, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, progress.track(export.data.rows(), export.count)),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )


@register(SIGNED, unit=gettext_lazy("rows"))
def signed_projects(job, progress) -> Outcome:
    return _run(job, progress, signed_export)


@register(UPWARD, unit=gettext_lazy("rows"))
def upward(job, progress) -> Outcome:
    return _run(job, progress, upward_export)
