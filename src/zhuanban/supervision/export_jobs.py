"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

Each export is prepared by one function for the request that answers the file at once
and for the job that writes it in a worker: the same filters, scope, counts, file name
and audit event, and the same writer (`exports.write_*_xlsx`).

- the notice ledger (`supervision.notice_ledger`): every notice the user may see, with
  the list's filters;
- the visits per county and month (`supervision.visit_counts`): one row per county the
  user sees (some thousands nationwide), from one aggregated query.

The plan of visits of an inspection group stays synchronous: it is one group's visits
(a few dozen at most), small by nature.
"""

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction
from zhuanban.ops import exports as job_exports
from zhuanban.ops.exports import owner_may_no_longer
from zhuanban.ops.registry import Outcome, register
from zhuanban.org.access import require_business_data
from zhuanban.supervision import exports, notice_selectors, selectors
from zhuanban.supervision.forms import year_from
from zhuanban.supervision.forms_notices import NoticeFilterForm
from zhuanban.supervision.models import Notice

NOTICE_LEDGER = "supervision.notice_ledger"
VISIT_COUNTS = "supervision.visit_counts"


# --- the notice ledger ------------------------------------------------------------------------


@dataclass
class NoticeLedgerExport:
    notices: QuerySet[Notice]
    count: int
    filters: list[tuple[str, str]]
    today: datetime.date

    @property
    def title(self) -> str:
        return _("Supervision notice ledger")

    @property
    def filename(self) -> str:
        return _("Supervision notice ledger-%(date)s.xlsx") % {
            "date": self.today.strftime("%Y%m%d")
        }

    def rows(self) -> Iterable[Notice]:
        return exports.notice_rows(self.notices)

    def write(self, out: BinaryIO, rows: Iterable[Notice] | None = None) -> None:
        exports.write_notice_ledger_xlsx(
            self.rows() if rows is None else rows,
            out,
            count=self.count,
            filters=self.filters,
            today=self.today,
        )


def notice_ledger_export(user, query: Mapping) -> NoticeLedgerExport:
    """The notice ledger of `user` for the list page's query string (a QueryDict), with
    its count (one query). 403 for who may not read business data."""
    require_business_data(user)
    form = NoticeFilterForm(query or None, user=user)
    notices = notice_selectors.notice_list(user, form.filters())
    return NoticeLedgerExport(
        notices=notices,
        count=notices.order_by().count(),
        filters=exports.notice_filter_pairs(form),
        today=timezone.localdate(),
    )


def audit_notice_ledger_export(user, query: str, **extra) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=NOTICE_LEDGER,
        after={"query": query, **extra},
        message="notice ledger exported to xlsx",
    )


@register(NOTICE_LEDGER, unit=gettext_lazy("rows"))
def notice_ledger(job, progress) -> Outcome:
    query = job.params.get("query", "")
    try:
        export = notice_ledger_export(job.owner, QueryDict(query))
    except (PermissionDenied, Http404):
        raise owner_may_no_longer() from None
    audit_notice_ledger_export(job.owner, query, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, progress.track(export.rows(), export.count)),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )


# --- visits per county and month --------------------------------------------------------------


@dataclass
class VisitCountsExport:
    grid: selectors.CountsGrid
    today: datetime.date

    @property
    def year(self) -> int:
        return self.grid.year

    @property
    def count(self) -> int:
        return len(self.grid.rows)

    @property
    def title(self) -> str:
        return _("Visits carried out in %(year)s, by county and month") % {"year": self.year}

    @property
    def filename(self) -> str:
        return _("Visit counts-%(year)s.xlsx") % {"year": self.year}

    def write(self, out: BinaryIO, rows: Iterable | None = None) -> None:
        grid = self.grid if rows is None else dataclasses.replace(self.grid, rows=rows)
        exports.write_visit_counts_xlsx(grid, out, today=self.today)


def visit_counts_export(user, query: Mapping) -> VisitCountsExport:
    """The visits per county and month of `user` for the year in the query string (this
    year when it names none or a bad one). 403 for who may not read business data."""
    require_business_data(user)
    today = timezone.localdate()
    return VisitCountsExport(
        grid=selectors.visit_counts(user, year_from(query, today.year)), today=today
    )


def audit_visit_counts_export(user, year: int, **extra) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=VISIT_COUNTS,
        after={"year": year, **extra},
        message="visit counts exported to xlsx",
    )


@register(VISIT_COUNTS, unit=gettext_lazy("rows"))
def visit_counts(job, progress) -> Outcome:
    try:
        export = visit_counts_export(job.owner, QueryDict(job.params.get("query", "")))
    except (PermissionDenied, Http404):
        raise owner_may_no_longer() from None
    audit_visit_counts_export(job.owner, export.year, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, progress.track(export.grid.rows, export.count)),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )
