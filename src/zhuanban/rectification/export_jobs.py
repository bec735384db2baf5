"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

The rectification ledger's export is prepared by one function for the request that
answers the file at once and for the job that writes it in a worker: the same filters,
scope, counts, file name and audit event, and the same writer
(`exports.write_ledger_xlsx`).
"""

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
from zhuanban.rectification import exports, selectors
from zhuanban.rectification.models import Rectification

LEDGER = "rectification.ledger"
CHUNK_SIZE = 2000


@dataclass
class LedgerExport:
    """One user's rectification ledger export: its items, counts and filters in force."""

    items: QuerySet[Rectification]
    filters: selectors.ItemFilters
    counts: dict
    today: datetime.date

    @property
    def title(self) -> str:
        return _("Rectification ledger")

    @property
    def filename(self) -> str:
        return _("Rectification ledger-%(date)s.xlsx") % {"date": self.today.strftime("%Y%m%d")}

    def rows(self) -> Iterable[Rectification]:
        return exports.export_rows(self.items, self.today, chunk_size=CHUNK_SIZE)

    def write(self, out: BinaryIO, rows: Iterable[Rectification] | None = None) -> None:
        exports.write_ledger_xlsx(
            self.rows() if rows is None else rows,
            out,
            counts=self.counts,
            filters=exports.filter_pairs(self.filters),
            today=self.today,
        )


def ledger_export(user, query: Mapping, today: datetime.date | None = None) -> LedgerExport:
    """The ledger export of `user` for the list page's query string (a QueryDict), with
    its counts (one query; `counts["total"]` is the number of rows). 403 for who may
    not read business data (the three administrators)."""
    require_business_data(user)
    today = today or timezone.localdate()
    filters = selectors.filters_from_query(query)
    items = selectors.items(user, filters, today)
    return LedgerExport(
        items=items,
        filters=filters,
        counts=exports.ledger_counts(items, today),
        today=today,
    )


def audit_ledger_export(user, query: str, **extra) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=LEDGER,
        after={"query": query, **extra},
        message="rectification ledger exported to xlsx",
    )


@register(LEDGER, unit=gettext_lazy("rows"))
def ledger(job, progress) -> Outcome:
    """The ledger as its owner sees it now, for the query string the job was started with."""
    query = job.params.get("query", "")
    try:
        export = ledger_export(job.owner, QueryDict(query))
    except (PermissionDenied, Http404):
        raise owner_may_no_longer() from None
    audit_ledger_export(job.owner, query, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, progress.track(export.rows(), export.counts["total"])),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )
