"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

The ledger's export is prepared by one function for the request that answers the file
at once and for the job that writes it in a worker: the same filters, scope, title,
numbering, file name and audit event, and the same writer (`exports.write_ledger_xlsx`).
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
from zhuanban.tasks import exports, selectors
from zhuanban.tasks.filters import filters_from_query, numbering_from_query
from zhuanban.tasks.models import NumberingStyle, Task
from zhuanban.tasks.scoping import visible_lists

LEDGER = "tasks.ledger"
CHUNK_SIZE = 2000


@dataclass
class LedgerExport:
    """One ledger export for one user: what it holds and how it is titled."""

    tasks: QuerySet[Task]
    list_title: str  # the one task list exported, or ""
    numbering: str
    today: datetime.date

    @property
    def title(self) -> str:
        return self.list_title or _("Key task breakdown ledger")

    @property
    def filename(self) -> str:
        return _("Key task ledger-%(date)s.xlsx") % {"date": self.today.strftime("%Y%m%d")}

    def rows(self) -> Iterable[Task]:
        return exports.export_rows(self.tasks, chunk_size=CHUNK_SIZE)

    def write(self, out: BinaryIO, rows: Iterable[Task] | None = None) -> None:
        exports.write_ledger_xlsx(
            self.rows() if rows is None else rows,
            out,
            title=self.title,
            counts=selectors.ledger_counts(self.tasks),
            numbering=self.numbering,
            group_by_list=not self.list_title,
            today=self.today,
        )


def ledger_export(user, query: Mapping, today: datetime.date | None = None) -> LedgerExport:
    """The ledger export of `user` for the ledger page's query string (a QueryDict).
    403 for who may not read business data (the three administrators)."""
    require_business_data(user)
    filters = filters_from_query(query)
    one_list = (
        visible_lists(user).filter(pk=filters.task_list).values("title", "numbering").first()
        if filters.task_list
        else None
    )
    numbering = numbering_from_query(
        query, default=one_list["numbering"] if one_list else NumberingStyle.CHINESE
    )
    return LedgerExport(
        tasks=selectors.ledger(user, filters),
        list_title=one_list["title"] if one_list else "",
        numbering=numbering,
        today=today or timezone.localdate(),
    )


def audit_ledger_export(user, export: LedgerExport, query: str, **extra) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=LEDGER,
        object_repr=export.list_title,
        after={"query": query, **extra},
        message="ledger exported to xlsx",
    )


@register(LEDGER, unit=gettext_lazy("rows"))
def ledger(job, progress) -> Outcome:
    """The ledger as its owner sees it now, for the query string the job was started with."""
    query = job.params.get("query", "")
    try:
        export = ledger_export(job.owner, QueryDict(query))
    except (PermissionDenied, Http404):
        raise owner_may_no_longer() from None
    total = export.tasks.count()
    audit_ledger_export(job.owner, export, query, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, progress.track(export.rows(), total)),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )
