"""Reads for the supervision screens: scoped through scoping.py, with the joins they
need, and every count aggregated in the database in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from zhuanban.org.models import OrgUnit, RoleAssignment
from zhuanban.org.roles import ADMIN_ROLES, OFFICE_ROLES, Role, UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.rectification.lifecycle import PENDING_STATES
from zhuanban.rectification.scoping import visible_items
from zhuanban.rectification.selectors import counts_by_county
from zhuanban.supervision.models import (
    Finding,
    InspectionGroup,
    NoticeReason,
    NoticeRecipient,
    ReasonKind,
    Visit,
    VisitKind,
    VisitStatus,
)
from zhuanban.supervision.scoping import visible_groups, visible_notices, visible_visits

User = get_user_model()

MONTHS = tuple(range(1, 13))
REASON_LABELS = dict(ReasonKind.choices)


# --- people ------------------------------------------------------------------------------


def bureau_people() -> QuerySet:
    """Who may sit in an inspection group or take part in a visit: the bureau's active
    staff (its sections, stations and offices), its leaders and inspectors, and the
    staff of the special offices; never one of the three administrators."""
    bureau_paths = list(OrgUnit.objects.of_kind(UnitKind.BUREAU).values_list("path", flat=True))
    in_bureau = Q(pk__in=[])
    for path in bureau_paths:
        in_bureau |= Q(profile__unit__path__startswith=path)
    bureau_roles = RoleAssignment.objects.filter(
        user_id=OuterRef("pk"), role__in=[Role.LEADER, Role.INSPECTOR, *OFFICE_ROLES]
    )
    admin = RoleAssignment.objects.filter(user_id=OuterRef("pk"), role__in=ADMIN_ROLES)
    return (
        User.objects.filter(is_active=True)
        .filter(in_bureau | Q(Exists(bureau_roles)))
        .exclude(Exists(admin))
        .order_by("first_name", "username")
    )


def group_leaders() -> QuerySet:
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.LEADER)
        .distinct()
        .order_by("first_name", "username")
    )


# --- groups ------------------------------------------------------------------------------


def _count(queryset: QuerySet, key: str) -> Coalesce:
    """The number of rows of `queryset` (already filtered on OuterRef) as a subquery."""
    counted = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def group_list(user, year: int | None = None) -> QuerySet[InspectionGroup]:
    """Groups with their visits (planned and done), findings and open rectifications,
    counted within what the user may see: one query, plus one for the counties."""
    visits = visible_visits(user)
    mine = visits.filter(group_id=OuterRef("pk"))
    findings = Finding.objects.filter(visit__in=visits, visit__group_id=OuterRef("pk"))
    items = visible_items(user).filter(
        status__in=PENDING_STATES, finding__visit__group_id=OuterRef("pk")
    )
    groups = visible_groups(user)
    if year:
        groups = groups.filter(year=year)
    return (
        groups.select_related("office", "leader")
        .prefetch_related("counties")
        .annotate(
            visits_planned=_count(mine.filter(status=VisitStatus.PLANNED), "group_id"),
            visits_done=_count(mine.filter(status=VisitStatus.DONE), "group_id"),
            finding_count=_count(findings, "visit__group_id"),
            open_rectifications=_count(items, "finding__visit__group_id"),
        )
        .order_by("-year", "name")
    )


def group_visits(user, group: InspectionGroup) -> QuerySet[Visit]:
    """The group's plan: its visits the user may see, by date."""
    return (
        visible_visits(user)
        .filter(group=group)
        .select_related("county")
        .annotate(finding_count=Count("findings"))
        .order_by("date", "pk")
    )


def findings_of(user, visits: QuerySet[Visit]) -> QuerySet[Finding]:
    """Findings of these visits, each with the rectification items the user may see."""
    return (
        Finding.objects.filter(visit__in=visits)
        .select_related("visit", "visit__county", "unit", "recorded_by")
        .prefetch_related(
            "photos",
            Prefetch(
                "rectifications",
                queryset=visible_items(user).with_light().select_related("unit"),
                to_attr="visible_rectifications",
            ),
        )
        .order_by("visit__date", "recorded_at", "pk")
    )


# --- visits ------------------------------------------------------------------------------


@dataclass
class VisitFilters:
    kind: str = ""
    status: str = ""
    county: int | None = None
    group: int | None = None
    office: int | None = None
    month: datetime.date | None = None  # any day of the month
    year: int | None = None


def visit_list(user, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    f = filters or VisitFilters()
    qs = visible_visits(user)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.county:
        qs = qs.filter(county_id=f.county)
    if f.group:
        qs = qs.filter(group_id=f.group)
    if f.office:
        qs = qs.filter(office_id=f.office)
    if f.month:
        start = f.month.replace(day=1)
        qs = qs.filter(date__gte=start, date__lt=_next_month(start))
    if f.year:
        qs = qs.filter(**_year_range(f.year))
    findings = Finding.objects.filter(visit_id=OuterRef("pk"))
    items = visible_items(user).filter(status__in=PENDING_STATES, finding__visit_id=OuterRef("pk"))
    return (
        qs.select_related("office", "county", "group")
        .annotate(
            finding_count=_count(findings, "visit_id"),
            open_rectifications=_count(items, "finding__visit_id"),
        )
        .order_by("-date", "-pk")
    )


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- counts per county and month ------------------------------------------------------------


@dataclass
class CountsRow:
    county: OrgUnit | None
    cells: list[int]
    total: int


@dataclass
class CountsGrid:
    """Visits carried out in a year, county × month ("督导调研 60 多次")."""

    year: int
    rows: list[CountsRow]
    month_totals: list[int]
    total: int
    months: tuple[int, ...] = MONTHS


def _year_range(year: int) -> dict:
    return {"date__gte": datetime.date(year, 1, 1), "date__lt": datetime.date(year + 1, 1, 1)}


def all_counties() -> list[OrgUnit]:
    return list(
        OrgUnit.objects.counties()
        .only("pk", "name", "path", "sort_order", "code", "is_active")
        .order_by("sort_order", "code")
    )


def shown_counties(user, counties: list[OrgUnit], also: set[int]) -> list[OrgUnit]:
    """The counties a user's rows are about: all of them for the bureau, their own for a
    county's people; a closed county only while it still has figures (`also`)."""
    scope = scope_for(user)
    return [c for c in counties if scope.can_see_unit(c) and (c.is_active or c.pk in also)]


def visit_counts(user, year: int) -> CountsGrid:
    """One aggregated query (county × month), one for the counties' names."""
    found = (
        visible_visits(user)
        .filter(status=VisitStatus.DONE, **_year_range(year))
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("county_id", "month")
        .annotate(n=Count("pk"))
    )
    cells: dict[int | None, list[int]] = {}
    for row in found:
        month = row["month"]
        cells.setdefault(row["county_id"], [0] * 12)[month.month - 1] += row["n"]
    counties = shown_counties(user, all_counties(), also=set(cells))
    rows = [
        CountsRow(county=c, cells=cells.get(c.pk, [0] * 12), total=sum(cells.get(c.pk, [])))
        for c in counties
    ]
    if None in cells:  # city-level visits (forums, meetings) belong to no county
        rows.append(CountsRow(county=None, cells=cells[None], total=sum(cells[None])))
    month_totals = [sum(row.cells[i] for row in rows) for i in range(12)]
    return CountsGrid(year=year, rows=rows, month_totals=month_totals, total=sum(month_totals))


# --- the supervision overview -----------------------------------------------------------


@dataclass
class CountyFigures:
    county: OrgUnit | None
    open: int = 0
    overdue: int = 0
    awaiting: int = 0
    notices: int = 0


@dataclass
class Overview:
    year: int
    visits_by_kind: list[dict]
    visits_done: int
    visits_planned: int
    rectifications: dict
    by_county: list[CountyFigures]
    notices_issued: int
    notices_by_kind: dict
    reasons: list[dict]


def _visits_by_kind(user, year: int) -> list[dict]:
    rows = {
        row["kind"]: row
        for row in visible_visits(user)
        .filter(**_year_range(year))
        .order_by()
        .values("kind")
        .annotate(
            done=Count("pk", filter=Q(status=VisitStatus.DONE)),
            planned=Count("pk", filter=Q(status=VisitStatus.PLANNED)),
        )
    }
    return [
        {
            "kind": kind,
            "label": label,
            "done": rows.get(kind, {}).get("done", 0),
            "planned": rows.get(kind, {}).get("planned", 0),
        }
        for kind, label in VisitKind.choices
    ]


def _rectification_rows(user, today: datetime.date) -> list[dict]:
    return counts_by_county(visible_items(user), today)


def _county_of_path(path: str, counties: list[OrgUnit]) -> OrgUnit | None:
    for county in counties:
        if path.startswith(county.path):
            return county
    return None


def overview(user, year: int | None = None, today: datetime.date | None = None) -> Overview:
    """The supervision overview: visits this year by kind, open and overdue
    rectifications by county, notices issued this year by county and by reason. Six
    aggregated queries whatever the size, all within the user's scope."""
    today = today or timezone.localdate()
    year = year or today.year
    by_kind = _visits_by_kind(user, year)

    rect_rows = _rectification_rows(user, today)
    issued = visible_notices(user).issued().filter(year=year)
    notices_by_kind = {
        row["kind"]: row["n"] for row in issued.order_by().values("kind").annotate(n=Count("pk"))
    }
    # A notice concerns units; a unit's county is found from its path (the few units
    # concerned are folded in Python, the counting is done by the database).
    by_unit = (
        NoticeRecipient.objects.filter(notice__in=issued)
        .order_by()
        .values("unit__path")
        .annotate(n=Count("notice_id", distinct=True))
    )
    reasons = list(
        NoticeReason.objects.filter(notice__in=issued)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"), notices=Count("notice_id", distinct=True))
        .order_by("-n", "kind")
    )

    counties = all_counties()
    shown = shown_counties(user, counties, also={r["county_id"] for r in rect_rows})
    figures = {c.pk: CountyFigures(county=c) for c in shown}
    elsewhere = CountyFigures(county=None)
    for row in rect_rows:
        target = figures.get(row["county_id"], elsewhere)
        target.open += row["open"]
        target.overdue += row["overdue"]
        target.awaiting += row["awaiting"]
    for row in by_unit:
        county = _county_of_path(row["unit__path"], counties)
        if county is None:
            elsewhere.notices += row["n"]
        elif county.pk in figures:  # not another county the user does not cover
            figures[county.pk].notices += row["n"]

    rows = list(figures.values())
    if elsewhere.open or elsewhere.overdue or elsewhere.awaiting or elsewhere.notices:
        rows.append(elsewhere)
    totals = {
        "open": sum(r["open"] for r in rect_rows),
        "overdue": sum(r["overdue"] for r in rect_rows),
        "awaiting": sum(r["awaiting"] for r in rect_rows),
    }
    return Overview(
        year=year,
        visits_by_kind=by_kind,
        visits_done=sum(k["done"] for k in by_kind),
        visits_planned=sum(k["planned"] for k in by_kind),
        rectifications=totals,
        by_county=rows,
        notices_issued=sum(notices_by_kind.values()),
        notices_by_kind=notices_by_kind,
        reasons=[r | {"label": REASON_LABELS.get(r["kind"], r["kind"])} for r in reasons],
    )
