"""The dashboards' data: every capability's key figures with their comparison, for the
bureau, an office or a county, today or as of a past month end.

Everything is read through the other apps' visible_* functions for the user, so a county
liaison's dashboard counts only what they may see; their county's rank among the others is
a number, with no other county's figures. The build is a small constant number of grouped
queries whatever the data size; `dashboard()` caches it per scope, day and data generation
(reports.cache). The result holds plain values only (numbers, names, codes, addresses): it
is pickled into the database cache, and labels are translated when the page is drawn.
"""

import calendar
import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Q, Sum, Value, When
from django.db.models import CharField as CharFieldType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.assessment.lifecycle import SchemeStatus
from zhuanban.assessment.scoping import visible_participants, visible_schemes
from zhuanban.assessment.selectors import ranking
from zhuanban.brand.models import Licence, Sales
from zhuanban.brand.scoping import visible_enterprises
from zhuanban.dispatch.models import IndicatorValue, RoundSnapshot, Submission
from zhuanban.dispatch.periods import Period, time_elapsed
from zhuanban.dispatch.scoping import visible_indicators, visible_rounds
from zhuanban.dispatch.selectors import indicator_progress
from zhuanban.investment.lifecycle import PIPELINE, Stage
from zhuanban.investment.models import clocks_by_stage
from zhuanban.investment.scoping import visible_projects
from zhuanban.investment.selectors import activity_summary, upward_totals
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.rectification.lifecycle import PENDING_STATES
from zhuanban.rectification.lifecycle import Status as RectStatus
from zhuanban.rectification.scoping import visible_items
from zhuanban.reports import cache
from zhuanban.reports.scoping import reads_reports
from zhuanban.supervision.models import NoticeRecipient
from zhuanban.supervision.scoping import visible_notices
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import Light
from zhuanban.tasks.scoping import visible_tasks

BUREAU, OFFICE, COUNTY = "bureau", "office", "county"
LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DashboardScope:
    kind: str  # "bureau" | "office" | "county"
    unit: OrgUnit | None = None  # the office or county; None for the bureau

    @property
    def unit_id(self) -> int | None:
        return self.unit.pk if self.unit is not None else None


# --- what a dashboard holds ------------------------------------------------------------------


@dataclass
class TaskFigures:
    """Measures (tasks with no subtasks) by light: the whole scope, per office, per county.
    Each count dict holds total, closed, open, red, yellow, green and `urls` for each."""

    counts: dict
    by_office: list[dict]
    by_county: list[dict]
    closed_share: Decimal | None  # percent of the measures closed


@dataclass
class IndicatorLine:
    code: str
    name: str
    unit_of_measure: str
    as_of: datetime.date
    elapsed: Decimal
    actual: Decimal | None
    target: Decimal | None
    completion: Decimal | None
    lead: Decimal | None  # points ahead of (or behind) the time elapsed
    light: str
    url: str
    rank: int | None = None  # a county's place among the counties ranked
    ranked: int = 0
    last_year: Decimal | None = None  # the same date last year
    yoy: Decimal | None = None  # percent change on last year
    counties: list[dict] = field(default_factory=list)  # bureau and office dashboards only

    @property
    def behind(self) -> Decimal | None:
        """Points behind the time elapsed (positive), for "落后时序进度 N 个百分点"."""
        return None if self.lead is None else -self.lead


@dataclass
class RoundLine:
    pk: int
    title: str
    office: str
    due_on: datetime.date
    expected: int
    submitted: int
    missing: int
    rate: int
    url: str
    own_status: str = ""  # a county's own submission


@dataclass
class SupervisionFigures:
    notices: int
    notices_last_year: int
    notices_url: str
    open: int
    overdue: int
    awaiting: int
    items_url: str
    overdue_url: str


@dataclass
class AssessmentFigures:
    title: str
    year: int
    url: str
    participants: int
    rows: list[dict]  # unit, total, rank, url (not on a county's dashboard)
    own_rank: int | None = None  # a county's place: 第N名/participants
    own_total: Decimal | None = None


@dataclass
class BrandFigures:
    enterprises: int
    licensed: int
    members: int
    sales_year: int | None
    sales: Decimal | None
    sales_last: Decimal | None
    growth: Decimal | None
    url: str
    licensed_url: str


@dataclass
class InvestmentFigures:
    year: int
    stages: list[dict]  # stage, count (now), reached, url
    dropped: int
    lights: dict  # light -> {"count", "url"}
    projects: int
    activities: int
    attracted: int
    activities_url: str
    projects_url: str
    upward_granted: Decimal | None = None
    upward_last: Decimal | None = None
    upward_growth: Decimal | None = None
    upward_url: str = ""


@dataclass
class Dashboard:
    kind: str
    unit_id: int | None
    unit_name: str
    today: datetime.date
    as_of: datetime.date | None  # a past month end, or None for today
    day: datetime.date  # the day the figures stand at
    elapsed: Decimal  # time elapsed in the year at `day` (时序进度), percent
    tasks: TaskFigures
    indicators: list[IndicatorLine]
    indicators_url: str
    rounds: list[RoundLine]
    supervision: SupervisionFigures
    assessment: AssessmentFigures | None
    brand: BrandFigures | None
    investment: InvestmentFigures | None
    offices: list[dict] = field(default_factory=list)  # links to the offices' dashboards
    counties: list[dict] = field(default_factory=list)  # links to the counties' dashboards


# --- helpers ----------------------------------------------------------------------------------


def _url(name: str, args=(), **query) -> str:
    address = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "", False)}
    return f"{address}?{urlencode(query)}" if query else address


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


def _growth(this, last) -> Decimal | None:
    if this is None or not last:
        return None
    return ((Decimal(this) - Decimal(last)) * HUNDRED / Decimal(last)).quantize(Decimal("0.1"))


def same_day_last_year(day: datetime.date) -> datetime.date:
    last_day = calendar.monthrange(day.year - 1, day.month)[1]
    return datetime.date(day.year - 1, day.month, min(day.day, last_day))


def is_month_end(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


# --- tasks --------------------------------------------------------------------------------------


def _task_light_as_of(day: datetime.date) -> Case:
    """The light a task showed on a past `day`: closed by then, overdue, due soon, on time
    (the lag and report-cycle inputs are today's, so they are left out of the past)."""
    soon = day + datetime.timedelta(days=settings.TASK_DUE_SOON_DAYS)
    return Case(
        When(closed_at__date__lte=day, then=Value(Light.GREY)),
        When(status=TaskStatus.DRAFT, then=Value(Light.NONE)),
        When(due_date__lt=day, then=Value(Light.RED)),
        When(due_date__lte=soon, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharFieldType(),
    )


def _task_urls(ledger: str, **where) -> dict:
    """The ledger's address (reversed once per build: a hundred groups would reverse it
    five hundred times), filtered to each count. The parameters are ids and fixed words."""
    base = f"{ledger}?" + "&".join(f"{k}={v}" for k, v in {"leaves": 1, **where}.items())
    urls = {"total": base, "closed": f"{base}&status={TaskStatus.CLOSED}"}
    for light in LIGHTS:
        urls[light] = f"{base}&light={light}"
    return urls


def _tasks(
    user, scope: DashboardScope, day: datetime.date, past: bool, units: dict[int, OrgUnit]
) -> TaskFigures:
    """One grouped query (office × county) on ids, folded in Python as tasks.selectors
    does; the names and orders come from `units` (already loaded), so no join for them."""
    qs = visible_tasks(user).leaves()
    where: dict = {}
    if scope.kind == OFFICE:
        qs = qs.filter(task_list__office_id=scope.unit_id)
        where["office"] = scope.unit_id
    elif scope.kind == COUNTY:
        qs = qs.filter(county_id=scope.unit_id)
        where["county"] = scope.unit_id
    if past:
        qs = qs.filter(created_at__date__lte=day).annotate(light=_task_light_as_of(day))
        closed = Q(closed_at__date__lte=day)
    else:
        qs = qs.with_light(day)
        closed = Q(status=TaskStatus.CLOSED)
    measures = {
        "total": Count("pk"),
        "closed": Count("pk", filter=closed),
        "red": Count("pk", filter=Q(light=Light.RED)),
        "yellow": Count("pk", filter=Q(light=Light.YELLOW)),
        "green": Count("pk", filter=Q(light=Light.GREEN)),
    }
    rows = list(qs.order_by().values("task_list__office_id", "county_id").annotate(**measures))
    missing = {row[key] for row in rows for key in ("task_list__office_id", "county_id")}
    missing -= {*units, None}
    if missing:  # a retired office or county still holding tasks: one more query, rarely
        units = units | OrgUnit.objects.in_bulk(missing)
    ledger = reverse("tasks:ledger")

    def fold(key: str, param: str) -> list[dict]:
        groups: dict = {}
        for row in rows:
            unit = units.get(row[key])
            group = groups.setdefault(
                row[key],
                {
                    "id": row[key],
                    "name": unit.name if unit else "",
                    "order": unit.sort_order if unit else 0,
                }
                | dict.fromkeys(measures, 0),
            )
            for measure in measures:
                group[measure] += row[measure]
        result = sorted(groups.values(), key=lambda g: (g["id"] is None, g["order"], g["id"] or 0))
        for group in result:
            group["open"] = group["total"] - group["closed"]
            group["urls"] = (
                _task_urls(ledger, **(where | {param: group["id"]})) if group["id"] else {}
            )
        return result

    counts = {measure: sum(row[measure] for row in rows) for measure in measures}
    counts["open"] = counts["total"] - counts["closed"]
    counts["urls"] = _task_urls(ledger, **where)
    return TaskFigures(
        counts=counts,
        by_office=fold("task_list__office_id", "office"),
        by_county=fold("county_id", "county"),
        closed_share=_percent(counts["closed"], counts["total"]),
    )


# --- indicators ---------------------------------------------------------------------------------


def _indicators(
    user, scope: DashboardScope, day: datetime.date, past: bool, city, counties
) -> list[IndicatorLine]:
    indicators = visible_indicators(user)
    if scope.kind == OFFICE:
        indicators = indicators.filter(office_id=scope.unit_id)
    indicators = list(
        indicators.only(
            "code",
            "name",
            "unit_of_measure",
            "aggregation",
            "higher_is_better",
            "decimals",
            "sort_order",
        )
    )
    if not indicators or city is None:
        return []
    # Today: as of the latest period with data (a month end), so that time elapsed and the
    # figures speak of the same month. A past month end: the values up to it.
    progress = indicator_progress(
        indicators, day.year, as_of=day if past else None, units=counties, root=city
    )
    as_of = progress[0].as_of
    before = indicator_progress(
        indicators, day.year - 1, as_of=same_day_last_year(as_of), units=counties, root=city
    )
    last_year = {p.indicator.pk: p for p in before}
    lines = []
    for p in progress:
        ind = p.indicator
        earlier = last_year.get(ind.pk)
        if scope.kind == COUNTY:
            row = next((r for r in p.rows if r.unit.pk == scope.unit_id), None)
            if row is None:
                continue
            old = next((r for r in earlier.rows if r.unit.pk == scope.unit_id), None)
            counties_shown = []
        else:
            row, old = p.total, earlier.total
            counties_shown = [
                {
                    "id": r.unit.pk,
                    "name": r.unit.name,
                    "actual": r.actual,
                    "target": r.target,
                    "completion": r.completion,
                    "light": r.light,
                    "rank": r.rank,
                }
                for r in p.rows
            ]
        if row.actual is None and row.target is None:
            continue
        last_value = old.actual if old is not None else None
        lines.append(
            IndicatorLine(
                code=ind.code,
                name=ind.name,
                unit_of_measure=ind.unit_of_measure,
                as_of=p.as_of,
                elapsed=p.elapsed,
                actual=row.actual,
                target=row.target,
                completion=row.completion,
                lead=row.lead,
                light=row.light,
                url=reverse("dispatch:indicator", args=[ind.code]),
                rank=row.rank if scope.kind == COUNTY else None,
                ranked=sum(1 for r in p.rows if r.rank is not None),
                last_year=last_value,
                yoy=_growth(row.actual, last_value),
                counties=counties_shown,
            )
        )
    return lines


# --- dispatch rounds ----------------------------------------------------------------------------


def _rounds(user, scope: DashboardScope, day: datetime.date, past: bool) -> list[RoundLine]:
    rounds = visible_rounds(user)
    if past:  # the rounds that were open at the month end
        rounds = rounds.filter(opens_on__lte=day, locks_on__gte=day)
    else:
        rounds = rounds.filter(opens_on__lte=day, locked_at__isnull=True)
    submissions = None
    if scope.kind == OFFICE:
        rounds = rounds.filter(office_id=scope.unit_id)
    elif scope.kind == COUNTY:
        own = Submission.objects.filter(round_id=OuterRef("pk"), unit_id=scope.unit_id)
        rounds = rounds.filter(Exists(own))
        submissions = Submission.objects.filter(unit_id=scope.unit_id)
    rounds = list(
        rounds.select_related("office")
        .only("title", "due_on", "office__name")
        .order_by("due_on", "pk")[:30]
    )
    # Submitted or not is all the dashboard shows: no on-time split (its `__date` of every
    # submission is what costs on SQLite).
    counts = {
        row["round_id"]: row
        for row in (Submission.objects if submissions is None else submissions)
        .filter(round_id__in=[r.pk for r in rounds])
        .values("round_id")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(first_submitted_at__isnull=False)),
        )
        .order_by()
    }
    own_status = {}
    if scope.kind == COUNTY and rounds:
        own_status = dict(
            Submission.objects.filter(
                round_id__in=[r.pk for r in rounds], unit_id=scope.unit_id
            ).values_list("round_id", "status")
        )
    lines = []
    for r in rounds:
        c = counts.get(r.pk)
        if c is None:
            continue
        url = (
            reverse("dispatch:submission", args=[r.pk, scope.unit_id])
            if scope.kind == COUNTY
            else reverse("dispatch:round", args=[r.pk])
        )
        lines.append(
            RoundLine(
                pk=r.pk,
                title=r.title,
                office=r.office.name,
                due_on=r.due_on,
                expected=c["expected"],
                submitted=c["submitted"],
                missing=c["expected"] - c["submitted"],
                rate=round(c["submitted"] * 100 / c["expected"]),
                url=url,
                own_status=own_status.get(r.pk, ""),
            )
        )
    return lines


# --- supervision and rectification ------------------------------------------------------------


def _supervision(user, scope: DashboardScope, day: datetime.date) -> SupervisionFigures:
    """Notices issued this year to `day` and last year to the same date (one query); open
    and overdue rectifications as they stood on `day` (one query)."""
    notices = visible_notices(user).issued()
    items = visible_items(user)
    query: dict = {"year": day.year}
    item_query: dict = {}
    if scope.kind == OFFICE:
        notices = notices.filter(office_id=scope.unit_id)
        items = items.filter(office_id=scope.unit_id)
        item_query["office"] = scope.unit_id
    elif scope.kind == COUNTY:
        concerned = NoticeRecipient.objects.filter(
            notice_id=OuterRef("pk"), unit__path__startswith=scope.unit.path
        )
        notices = notices.filter(Exists(concerned))
        items = items.filter(county_id=scope.unit_id)
        query["unit"] = scope.unit_id
        item_query["county"] = scope.unit_id
    last = same_day_last_year(day)
    counted = notices.order_by().aggregate(
        this=Count(
            "pk", filter=Q(issue_date__gte=datetime.date(day.year, 1, 1), issue_date__lte=day)
        ),
        last=Count(
            "pk", filter=Q(issue_date__gte=datetime.date(last.year, 1, 1), issue_date__lte=last)
        ),
    )
    # Pending on `day`: still to be rectified, or closed only after it. Moments compared
    # with the next local midnight, not by `__date`: SQLite casts each row in Python.
    after = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )
    pending = Q(status__in=PENDING_STATES) | Q(status=RectStatus.CLOSED, closed_at__gte=after)
    figures = (
        items.filter(raised_at__lt=after)
        .order_by()
        .aggregate(
            open=Count("pk", filter=pending),
            overdue=Count("pk", filter=pending & Q(due_date__lt=day)),
            awaiting=Count("pk", filter=Q(status=RectStatus.RESPONDED)),
        )
    )
    return SupervisionFigures(
        notices=counted["this"],
        notices_last_year=counted["last"],
        notices_url=_url("supervision:notices", **query),
        open=figures["open"],
        overdue=figures["overdue"],
        awaiting=figures["awaiting"],
        items_url=_url("rectification:list", **item_query),
        overdue_url=_url("rectification:list", overdue=1, **item_query),
    )


# --- assessment ---------------------------------------------------------------------------------


def _assessment(user, scope: DashboardScope, day: datetime.date) -> AssessmentFigures | None:
    """The latest scheme the user sees (one query), its ranking (one) and the scorecards
    they may read (one)."""
    schemes = visible_schemes(user).exclude(status=SchemeStatus.DRAFT).filter(year__lte=day.year)
    if scope.kind == OFFICE:
        schemes = schemes.filter(office_id=scope.unit_id)
    scheme = schemes.order_by("-year", "-pk").first()
    if scheme is None:
        return None
    ranked = ranking(scheme)
    allowed = set(visible_participants(user, scheme).values_list("pk", flat=True))
    figures = AssessmentFigures(
        title=scheme.title,
        year=scheme.year,
        url=reverse("assessment:scheme", args=[scheme.pk]),
        participants=len(ranked),
        rows=[],
    )
    if scope.kind == COUNTY:
        own = next((p for p in ranked if p.unit_id == scope.unit_id and p.pk in allowed), None)
        if own is None:
            return None
        figures.own_rank = own.rank if own.total is not None else None
        figures.own_total = own.total
        figures.url = reverse("assessment:participant", args=[own.pk])
        return figures
    figures.rows = [
        {
            "name": p.unit.name,
            "total": p.total,
            "rank": p.rank if p.total is not None else None,
            "url": reverse("assessment:participant", args=[p.pk]),
        }
        for p in ranked
        if p.pk in allowed
    ]
    return figures


# --- brand ----------------------------------------------------------------------------------------


def _brand(user, scope: DashboardScope, day: datetime.date) -> BrandFigures:
    """Enterprises, licensees valid on `day`, members (one query); sales by year up to
    `day`'s year (one query), the latest year against the one before."""
    enterprises = visible_enterprises(user)
    query: dict = {}
    if scope.kind == COUNTY:
        enterprises = enterprises.filter(county_id=scope.unit_id)
        query["county"] = scope.unit_id
    valid = Exists(Licence.objects.valid_on(day).filter(enterprise=OuterRef("pk")))
    counts = enterprises.order_by().aggregate(
        enterprises=Count("pk"),
        licensed=Count("pk", filter=valid),
        members=Count("pk", filter=Q(association_member=True)),
    )
    sums = dict(
        Sales.objects.filter(enterprise__in=enterprises.values("pk"), year__lte=day.year)
        .order_by()
        .values("year")
        .annotate(total=Sum("amount"))
        .values_list("year", "total")
    )
    year = max(sums) if sums else None
    sales = sums.get(year) if year else None
    last = sums.get(year - 1) if year else None
    return BrandFigures(
        enterprises=counts["enterprises"],
        licensed=counts["licensed"],
        members=counts["members"],
        sales_year=year,
        sales=sales,
        sales_last=last,
        growth=_growth(sales, last),
        url=_url("brand:home", **query),
        licensed_url=_url("brand:home", licensed="yes", **query),
    )


# --- investment ---------------------------------------------------------------------------------


def _stage_on(day: datetime.date) -> Case:
    """The stage a project was at on `day`, from the dates it reached each stage."""
    whens = [When(dropped_on__lte=day, then=Value(Stage.DROPPED))]
    for stage in reversed(PIPELINE[1:]):
        whens.append(When(**{f"{stage}_on__lte": day}, then=Value(stage)))
    return Case(*whens, default=Value(Stage.PLANNED), output_field=CharFieldType())


def _investment(user, scope: DashboardScope, day: datetime.date, past: bool) -> InvestmentFigures:
    """The year's funnel and lights (two grouped queries and the clocks), activities and the
    projects they attracted (two), upward funding year on year (one)."""
    year = day.year
    projects = visible_projects(user).filter(year=year)
    query: dict = {"year": year}
    if scope.kind == COUNTY:
        projects = projects.filter(county_id=scope.unit_id)
        query["county"] = scope.unit_id
    if past:
        projects = projects.filter(created_at__date__lte=day).annotate(stage_then=_stage_on(day))
        stage_field = "stage_then"
    else:
        stage_field = "stage"
    by_stage = {
        row[stage_field]: row["n"]
        for row in projects.order_by().values(stage_field).annotate(n=Count("pk"))
    }
    stages, running = [], 0
    for stage in reversed(PIPELINE):
        running += by_stage.get(stage, 0)
        stages.append(
            {
                "stage": stage,
                "label": Stage(stage).label,  # lazy: translated as the page is drawn
                "count": by_stage.get(stage, 0),
                "reached": running,
                "url": _url("investment:projects", stage=stage, **query),
            }
        )
    stages.reverse()
    light_rows = (
        visible_projects(user)
        .filter(pk__in=projects.values("pk"))
        .with_light(day, clocks_by_stage())
        .order_by()
        .values("light")
        .annotate(n=Count("pk"))
    )
    lights = {light: {"count": 0} for light in (*LIGHTS, Light.GREY)}
    for row in light_rows:
        lights.setdefault(row["light"], {"count": 0})["count"] = row["n"]
    for light, entry in lights.items():
        entry["url"] = _url("investment:projects", light=light, **query)
    held = activity_summary(
        user,
        year=year,
        until=day,
        county_id=scope.unit_id if scope.kind == COUNTY else None,
    )
    figures = InvestmentFigures(
        year=year,
        stages=stages,
        dropped=by_stage.get(Stage.DROPPED, 0),
        lights=lights,
        projects=sum(by_stage.values()),
        activities=held.activities,
        attracted=held.projects,
        activities_url=reverse("investment:activities"),
        projects_url=_url("investment:projects", **query),
    )
    if scope.kind != COUNTY:
        totals = {t.year: t for t in upward_totals(user)}
        this, last = totals.get(year), totals.get(year - 1)
        if this or last:
            figures.upward_granted = this.granted if this else Decimal(0)
            figures.upward_last = last.granted if last else None
            figures.upward_growth = _growth(figures.upward_granted, figures.upward_last)
            figures.upward_url = reverse("investment:upward_list")
    return figures


# --- the dashboard ------------------------------------------------------------------------------


def _office_code(scope: DashboardScope) -> str:
    return scope.unit.code if scope.kind == OFFICE and scope.unit is not None else ""


def build_dashboard(user, scope: DashboardScope, as_of: datetime.date | None = None) -> Dashboard:
    """Every figure of the dashboard for `scope`, as the user may see it: a small constant
    number of queries whatever the data size."""
    today = timezone.localdate()
    past = as_of is not None and as_of < today
    day = as_of if past else today
    units = list(
        OrgUnit.objects.filter(
            Q(kind__in=[UnitKind.COUNTY, UnitKind.OFFICE], is_active=True) | Q(kind=UnitKind.CITY)
        ).order_by("depth", "sort_order", "code")
    )
    cities = [u for u in units if u.kind == UnitKind.CITY]
    # The whole is the city; where the platform holds several (a province's), an unsaved
    # unit whose subtree is everything: its figures roll up every county, and its target
    # is the sum of theirs.
    city = cities[0] if len(cities) == 1 else OrgUnit(name="", path="") if cities else None
    counties = [u for u in units if u.kind == UnitKind.COUNTY]
    offices = [u for u in units if u.kind == UnitKind.OFFICE]
    code = _office_code(scope)
    shows_brand = scope.kind != OFFICE or code == settings.BRAND_OFFICE_CODE
    shows_investment = scope.kind != OFFICE or code == settings.INVESTMENT_OFFICE_CODE
    indicators = _indicators(user, scope, day, past, city, counties)
    dash = Dashboard(
        kind=scope.kind,
        unit_id=scope.unit_id,
        unit_name=scope.unit.name if scope.unit is not None else "",
        today=today,
        as_of=day if past else None,
        day=day,
        elapsed=time_elapsed(day),
        tasks=_tasks(user, scope, day, past, {unit.pk: unit for unit in units}),
        indicators=indicators,
        indicators_url=reverse("dispatch:indicators"),
        rounds=_rounds(user, scope, day, past),
        supervision=_supervision(user, scope, day),
        assessment=_assessment(user, scope, day),
        brand=_brand(user, scope, day) if shows_brand else None,
        investment=_investment(user, scope, day, past) if shows_investment else None,
    )
    if scope.kind == BUREAU:
        dash.offices = [
            {"id": u.pk, "name": u.name, "url": reverse("reports:office_dashboard", args=[u.pk])}
            for u in offices
        ]
        dash.counties = [
            {"id": u.pk, "name": u.name, "url": reverse("reports:county_dashboard", args=[u.pk])}
            for u in counties
        ]
    return dash


def dashboard(user, scope: DashboardScope, as_of: datetime.date | None = None) -> Dashboard:
    """build_dashboard, cached per user scope, dashboard, as-of date, day and data
    generation: people who see the same data share an entry."""
    today = timezone.localdate()
    key = (
        "dashboard",
        cache.scope_key(scope_for(user)),
        scope.kind,
        scope.unit_id,
        as_of,
        today,
    )
    return cache.cached(key, lambda: build_dashboard(user, scope, as_of))


def month_ends(user) -> list[datetime.date]:
    """The past month ends one may view the dashboard "as of": those with indicator values
    or round snapshots, newest first (two queries)."""
    if not reads_reports(user):
        return []
    today = timezone.localdate()
    found = {
        day
        for day in IndicatorValue.objects.filter(period_end__lt=today)
        .order_by()
        .values_list("period_end", flat=True)
        .distinct()
        if is_month_end(day)
    }
    for year, kind, number in (
        RoundSnapshot.objects.order_by()
        .values_list("round__year", "round__period_kind", "round__period_number")
        .distinct()
    ):
        end = Period(year, kind, number).end
        if end < today:
            found.add(end)
    return sorted(found, reverse=True)


# --- charts (no queries: drawn from a Dashboard, labels translated as the page is drawn) -----

LIGHT_COLOURS = {
    Light.RED: "#d9534f",
    Light.YELLOW: "#f0ad4e",
    Light.GREEN: "#5cb85c",
    Light.GREY: "#9e9e9e",
}
FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


def _layout(**extra) -> dict:
    """Small margins and the legend below: readable on a 375 px phone."""
    return {
        "font": {"family": FONT, "size": 12},
        "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        "separators": ".,",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        **extra,
    }


def _number(value) -> float | None:
    return None if value is None else float(value)


def _light_bars(rows: list[dict]) -> dict:
    names = [row["name"] or _("No county") for row in rows]
    labels = {Light.RED: _("Red"), Light.YELLOW: _("Yellow"), Light.GREEN: _("Green")}
    data = [
        {
            "type": "bar",
            "name": labels[light],
            "x": names,
            "y": [row[light] for row in rows],
            "marker": {"color": LIGHT_COLOURS[light]},
        }
        for light in LIGHTS
    ]
    data.append(
        {
            "type": "bar",
            "name": _("Closed"),
            "x": names,
            "y": [row["closed"] for row in rows],
            "marker": {"color": LIGHT_COLOURS[Light.GREY]},
        }
    )
    return {"data": data, "layout": _layout(barmode="stack", height=320)}


def _axis_top(rows) -> float:
    """The completion axis reaches 100% at least, so the time-elapsed line is inside it."""
    values = [float(r["completion"] if isinstance(r, dict) else r.completion) for r in rows]
    return max([100.0, *values]) * 1.05


def _elapsed_line(elapsed: float, *, vertical: bool) -> dict:
    """The time elapsed (时序进度) as a dashed line across the whole plot, labelled."""
    line = {"type": "line", "line": {"color": "#1f4e79", "dash": "dash", "width": 2}}
    if vertical:
        line |= {"x0": elapsed, "x1": elapsed, "xref": "x", "y0": 0, "y1": 1, "yref": "paper"}
        where = {"x": elapsed, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom"}
    else:
        line |= {"y0": elapsed, "y1": elapsed, "yref": "y", "x0": 0, "x1": 1, "xref": "paper"}
        where = {"y": elapsed, "yref": "y", "x": 1, "xref": "paper", "xanchor": "right"}
        where["yanchor"] = "bottom"
    label = _("Time elapsed %(elapsed)s%%") % {"elapsed": f"{elapsed:g}"}
    return {
        "shapes": [line],
        "annotations": [{**where, "text": label, "showarrow": False, "font": {"size": 11}}],
    }


def charts(dash: Dashboard) -> dict[str, str]:
    """Each chart's plotly figure as JSON (for a data-figure attribute), by name."""
    figures: dict[str, dict] = {}
    if len(dash.tasks.by_county) > 1:
        figures["tasks_by_county"] = _light_bars(dash.tasks.by_county)
    if len(dash.tasks.by_office) > 1:
        figures["tasks_by_office"] = _light_bars(dash.tasks.by_office)
    measured = [line for line in dash.indicators if line.completion is not None]
    if measured:
        elapsed = float(measured[0].elapsed)
        names = [line.name for line in measured]
        figures["indicators"] = {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": _("Completion of the annual target (%)"),
                    "y": names,
                    "x": [float(line.completion) for line in measured],
                    "marker": {
                        "color": [LIGHT_COLOURS.get(line.light, "#1f4e79") for line in measured]
                    },
                },
            ],
            "layout": _layout(
                height=max(200, 60 + 32 * len(measured)),
                margin={"l": 110, "r": 10, "t": 24, "b": 40},
                yaxis={"automargin": True, "autorange": "reversed"},
                xaxis={"ticksuffix": "%", "range": [0, _axis_top(measured)]},
                **_elapsed_line(elapsed, vertical=True),
            ),
        }
        first = next((line for line in measured if line.counties), None)
        if first is not None:
            rows = [c for c in first.counties if c["completion"] is not None]
            if rows:
                figures["indicator_by_county"] = {
                    "data": [
                        {
                            "type": "bar",
                            "name": first.name,
                            "x": [c["name"] for c in rows],
                            "y": [float(c["completion"]) for c in rows],
                            "marker": {
                                "color": [LIGHT_COLOURS.get(c["light"], "#1f4e79") for c in rows]
                            },
                        },
                    ],
                    "layout": _layout(
                        height=320,
                        margin={"l": 40, "r": 10, "t": 24, "b": 40},
                        yaxis={"ticksuffix": "%", "range": [0, _axis_top(rows)]},
                        **_elapsed_line(float(first.elapsed), vertical=False),
                    ),
                }
    if dash.investment is not None and dash.investment.projects:
        stages = dash.investment.stages
        figures["funnel"] = {
            "data": [
                {
                    "type": "funnel",
                    "y": [str(s["label"]) for s in stages],
                    "x": [s["reached"] for s in stages],
                    "textinfo": "value",
                    "marker": {"color": "#1f4e79"},
                }
            ],
            "layout": _layout(
                height=300, margin={"l": 120, "r": 10, "t": 10, "b": 20}, showlegend=False
            ),
        }
    return {name: json.dumps(fig, ensure_ascii=False) for name, fig in figures.items()}
