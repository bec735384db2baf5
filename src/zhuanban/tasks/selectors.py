"""Reads for the task screens, exports and API: scoped, with the joins they need, and
rollups aggregated in the database in a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from zhuanban.org.scoping import scope_for
from zhuanban.tasks.lifecycle import OPEN_STATES, Status
from zhuanban.tasks.models import ExtensionRequest, ExtensionStatus, Light, Task
from zhuanban.tasks.scoping import visible_tasks


@dataclass
class LedgerFilters:
    task_list: int | None = None
    office: int | None = None
    lead_unit: int | None = None
    county: int | None = None
    status: str = ""
    light: str = ""
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    text: str = ""
    leaves_only: bool = False
    extra: dict = field(default_factory=dict)


def ledger(
    user, filters: LedgerFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Task]:
    """The ledger (台账): every task the user may see, filtered, in tree order, with its light."""
    f = filters or LedgerFilters()
    qs = visible_tasks(user).with_light(today)
    if f.task_list:
        qs = qs.filter(task_list_id=f.task_list)
    if f.office:
        qs = qs.filter(task_list__office_id=f.office)
    if f.lead_unit:
        qs = qs.filter(lead_unit_id=f.lead_unit)
    if f.county:
        qs = qs.filter(county_id=f.county)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.light:
        qs = qs.filter(light=f.light)
    if f.due_from:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due_date__lte=f.due_to)
    if f.text:
        qs = qs.filter(Q(content__icontains=f.text) | Q(remarks__icontains=f.text))
    if f.leaves_only:
        qs = qs.leaves()
    return (
        qs.select_related("task_list", "task_list__office", "lead_unit", "county")
        .defer("task_list__office__duties", "lead_unit__duties", "county__duties")
        .order_by("task_list__year", "task_list_id", "sort_path")
    )


def _light_counts() -> dict:
    def counted(condition: Q) -> Count:
        return Count("pk", filter=condition)

    return {
        "total": Count("pk"),
        "closed": counted(Q(status=Status.CLOSED)),
        "open": counted(Q(status__in=OPEN_STATES)),
        "red": counted(Q(light=Light.RED)),
        "yellow": counted(Q(light=Light.YELLOW)),
        "green": counted(Q(light=Light.GREEN)),
    }


def ledger_counts(qs: QuerySet[Task]) -> dict:
    """Counts for the ledger header ("76 项措施，已完成 25 项，逾期 N 项"): one query.

    Counts measures (tasks with no subtasks); headings that group them are not work items.
    """
    return qs.leaves().order_by().aggregate(**_light_counts())


@dataclass
class LedgerSummary:
    counts: dict
    by_office: list[dict]
    by_county: list[dict]


_GROUPS = {
    "office": ("task_list__office_id", "task_list__office__name", "task_list__office__sort_order"),
    "county": ("county_id", "county__name", "county__sort_order"),
}


def ledger_summary(qs: QuerySet[Task]) -> LedgerSummary:
    """The header counts and both rollups from ONE grouped query (office × county).

    The database does the counting; Python only adds up the few hundred groups.
    """
    measures = _light_counts()
    fields = [f for group in _GROUPS.values() for f in group]
    rows = list(qs.leaves().order_by().values(*fields).annotate(**measures))

    def fold(key: str, name: str, order: str) -> list[dict]:
        groups: dict = {}
        for row in rows:
            group = groups.setdefault(
                row[key], {"id": row[key], "name": row[name], "order": row[order] or 0}
            )
            for measure in measures:
                group[measure] = group.get(measure, 0) + row[measure]
        return sorted(groups.values(), key=lambda g: (g["id"] is None, g["order"], g["id"] or 0))

    counts = {measure: sum(row[measure] for row in rows) for measure in measures}
    return LedgerSummary(
        counts=counts, by_office=fold(*_GROUPS["office"]), by_county=fold(*_GROUPS["county"])
    )


def red_candidates(user, today: datetime.date | None = None) -> QuerySet[Task]:
    """Overdue tasks: candidates for a supervision notice (the escalation ladder's top)."""
    return ledger(user, LedgerFilters(light=Light.RED), today)


def inbox(user) -> dict[str, QuerySet[Task]]:
    """To-dos: what waits for this user, by kind."""
    scope = scope_for(user)
    mine = visible_tasks(user).with_light().select_related("task_list", "lead_unit")
    acting = Q(lead_unit_id__in=[*scope.liaison_unit_ids, scope.own_unit_id or 0])
    owned = Q(task_list__office_id__in=scope.office_ids)
    return {
        "to_accept": mine.filter(acting, status=Status.ASSIGNED).order_by("due_date"),
        "to_report": mine.filter(acting, status=Status.IN_PROGRESS).order_by("due_date"),
        "to_verify": mine.filter(owned, status=Status.CLOSE_REQUESTED).order_by("due_date"),
        "returned": mine.filter(owned, status=Status.RETURNED).order_by("due_date"),
        "extensions": ExtensionRequest.objects.filter(
            task__in=mine.filter(owned), status=ExtensionStatus.PENDING
        ).select_related("task", "task__task_list", "requested_by"),
    }


def attach_heading_rollups(user, tasks) -> None:
    """Give each heading on a page `measures_total` and `measures_closed`: the measures
    below it that the user may see. One grouped query per heading depth on the page."""
    headings = [t for t in tasks if t.is_heading]
    by_depth: dict[int, list[Task]] = defaultdict(list)
    for heading in headings:
        by_depth[heading.depth].append(heading)
    for depth, group in by_depth.items():
        length = 5 * (depth + 1)  # "0003." per level
        rows = (
            visible_tasks(user)
            .leaves()
            .filter(task_list_id__in={h.task_list_id for h in group})
            .annotate(prefix=Substr("sort_path", 1, length))
            .filter(prefix__in={h.sort_path for h in group})
            .order_by()
            .values("task_list_id", "prefix")
            .annotate(total=Count("pk"), closed=Count("pk", filter=Q(status=Status.CLOSED)))
        )
        found = {(row["task_list_id"], row["prefix"]): row for row in rows}
        for heading in group:
            row = found.get((heading.task_list_id, heading.sort_path), {"total": 0, "closed": 0})
            heading.measures_total, heading.measures_closed = row["total"], row["closed"]


def today() -> datetime.date:
    return timezone.localdate()
