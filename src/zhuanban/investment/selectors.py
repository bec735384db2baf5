"""Read queries of the investment pipeline, scoped to the user, grouped in the database:
a constant number of queries whatever the number of projects."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from zhuanban.core.models import StoredFile
from zhuanban.investment.lifecycle import PIPELINE, SIGNED_OR_LATER, Stage, UpwardStatus
from zhuanban.investment.models import (
    Activity,
    ActivityKind,
    ProgressReport,
    Project,
    ProjectEvent,
    StageClock,
)
from zhuanban.investment.scoping import visible_activities, visible_projects, visible_upward
from zhuanban.org.models import Chain, OrgUnit
from zhuanban.tasks.models import Light

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
STAGES = (*PIPELINE, Stage.DROPPED)


def received_subquery() -> Coalesce:
    """The funds in place of each project (万元): the sum of its reports, one subquery."""
    total = (
        ProgressReport.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("received"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO
    )


def projects_with_light(user, today: datetime.date | None = None, clocks=None) -> QuerySet[Project]:
    return (
        visible_projects(user)
        .with_light(today, clocks)
        .annotate(received=received_subquery())
        .select_related("chain", "county", "responsible_unit", "leader")
    )


@dataclass
class FunnelRow:
    """One row of a funnel table: a chain or a county, its count per stage."""

    key: object
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def signed_or_later(self) -> int:
        return sum(self.counts.get(stage, 0) for stage in SIGNED_OR_LATER)

    def cells(self) -> list[int]:
        return [self.counts.get(stage, 0) for stage in STAGES]


@dataclass
class Funnel:
    stages: dict[str, int]
    planned_by_stage: dict[str, Decimal]
    by_chain: list[FunnelRow]
    by_county: list[FunnelRow]

    @property
    def total(self) -> int:
        return sum(self.stages.values())

    def reached(self) -> list[tuple[str, int]]:
        """The funnel proper: projects that reached each stage or went further (a
        producing project was also signed), in pipeline order; dropped ones left out."""
        out, running = [], 0
        for stage in reversed(PIPELINE):
            running += self.stages.get(stage, 0)
            out.append((stage, running))
        return list(reversed(out))


def _rows(counted, key: str, keys: list) -> list[FunnelRow]:
    rows = {k.pk: FunnelRow(k) for k in keys}
    for item in counted:
        rows[item[key]].counts[item["stage"]] = item["n"]
    return list(rows.values())


def funnel(user, *, year: int | None = None, key_only: bool = False) -> Funnel:
    """Projects by stage, by chain × stage and by county × stage: three grouped queries,
    and two for the chains and counties they name."""
    projects = visible_projects(user)
    if year is not None:
        projects = projects.filter(year=year)
    if key_only:
        projects = projects.filter(is_key=True)
    projects = projects.order_by()
    by_stage = projects.values("stage").annotate(n=Count("pk"), planned=Sum("planned_investment"))
    stages = {row["stage"]: row["n"] for row in by_stage}
    planned = {row["stage"]: row["planned"] or Decimal(0) for row in by_stage}
    by_chain = projects.values("chain", "stage").annotate(n=Count("pk"))
    by_county = projects.values("county", "stage").annotate(n=Count("pk"))
    chains = list(Chain.objects.order_by("sort_order", "pk"))
    county_rows = list(by_county)
    counties = list(
        OrgUnit.objects.filter(pk__in={row["county"] for row in county_rows}).order_by(
            "sort_order", "code"
        )
    )
    return Funnel(
        stages=stages,
        planned_by_stage=planned,
        by_chain=_rows(by_chain, "chain", chains),
        by_county=_rows(county_rows, "county", counties),
    )


def light_counts(
    user, *, year: int | None = None, today: datetime.date | None = None, clocks=None
) -> dict[str, int]:
    """Projects per light (one query): what the pipeline's header and a dashboard show."""
    projects = visible_projects(user)
    if year is not None:
        projects = projects.filter(year=year)
    rows = projects.with_light(today, clocks).order_by().values("light").annotate(n=Count("pk"))
    counts = dict.fromkeys((Light.GREEN, Light.YELLOW, Light.RED, Light.GREY), 0)
    counts.update({row["light"]: row["n"] for row in rows})
    return counts


@dataclass
class ActivitySummary:
    activities: int
    by_kind: dict[str, int]
    projects: int  # 招引项目: distinct projects produced by the activities


def activity_summary(
    user,
    *,
    year: int | None = None,
    until: datetime.date | None = None,
    county_id: int | None = None,
) -> ActivitySummary:
    """ "开展活动 120 次, 招引项目 104 个": two queries. `until` counts the year up to a day
    (a work summary or a dashboard as of then); `county_id` one county's activities."""
    activities = visible_activities(user)
    if year is not None:
        activities = activities.filter(date__year=year)
    if until is not None:
        activities = activities.filter(date__lte=until)
    if county_id is not None:
        activities = activities.filter(county_id=county_id)
    by_kind = {
        row["kind"]: row["n"]
        for row in activities.order_by().values("kind").annotate(n=Count("pk"))
    }
    # Only the projects the user sees: a count must not reveal another county's project.
    projects = (
        visible_projects(user).filter(activities__in=activities.values("pk")).distinct().count()
    )
    return ActivitySummary(
        activities=sum(by_kind.values()),
        by_kind={kind: by_kind.get(kind, 0) for kind in ActivityKind.values},
        projects=projects,
    )


@dataclass
class YearTotals:
    year: int
    applications: int
    approved: int
    requested: Decimal
    granted: Decimal
    growth: Decimal | None = None  # granted, per cent on the year before


def _growth(this: Decimal, last: Decimal | None) -> Decimal | None:
    if not last:
        return None
    return ((this - last) * 100 / last).quantize(Decimal("0.1"))


def upward_totals(user, *, chain: Chain | None = None) -> list[YearTotals]:
    """Per year: applications, approvals, amounts requested and granted (万元) and the
    granted funds' change on the year before ("支持资金同比增加25%"); one query."""
    applications = visible_upward(user)
    if chain is not None:
        applications = applications.filter(chain=chain)
    approved = Q(status=UpwardStatus.APPROVED)
    rows = (
        applications.order_by()
        .values("year")
        .annotate(
            n=Count("pk"),
            approved=Count("pk", filter=approved),
            requested=Coalesce(Sum("amount_requested"), ZERO),
            granted=Coalesce(Sum("amount_granted", filter=approved), ZERO),
        )
        .order_by("year")
    )
    totals = [
        YearTotals(r["year"], r["n"], r["approved"], r["requested"], r["granted"]) for r in rows
    ]
    by_year = {t.year: t for t in totals}
    for t in totals:
        last = by_year.get(t.year - 1)
        t.growth = _growth(t.granted, last.granted if last else None)
    return list(reversed(totals))


def upward_by_chain(user, year: int) -> list[dict]:
    """Granted funds per chain for `year` and the year before, with the change (one
    grouped query and the chains)."""
    approved = Q(status=UpwardStatus.APPROVED)
    rows = (
        visible_upward(user)
        .filter(year__in=[year - 1, year])
        .order_by()
        .values("chain", "year")
        .annotate(granted=Coalesce(Sum("amount_granted", filter=approved), ZERO))
    )
    found = {(r["chain"], r["year"]): r["granted"] for r in rows}
    out = []
    for chain in Chain.objects.order_by("sort_order", "pk"):
        this, last = found.get((chain.pk, year), Decimal(0)), found.get((chain.pk, year - 1))
        if not this and not last:
            continue
        out.append(
            {
                "chain": chain,
                "this": this,
                "last": last or Decimal(0),
                "growth": _growth(this, last),
            }
        )
    return out


# --- the screens: the project list, the pipeline's figures, a project's page ----------------

LIGHT_ORDER = (Light.RED, Light.YELLOW, Light.GREEN, Light.GREY)


@dataclass(frozen=True)
class ProjectFilter:
    """What the project list is narrowed to (None or empty: not narrowed)."""

    year: int | None = None
    chain_id: int | None = None
    county_id: int | None = None
    stage: str = ""
    light: str = ""
    key_only: bool = False
    text: str = ""  # in the project's name or its investor's


def light_rank() -> Case:
    """Red first, then yellow, green and grey: the order the list and exports sort by."""
    return Case(
        *(When(light=light, then=Value(rank)) for rank, light in enumerate(LIGHT_ORDER)),
        default=Value(len(LIGHT_ORDER)),
        output_field=IntegerField(),
    )


def project_list(
    user, filters: ProjectFilter = ProjectFilter(), *, today=None, clocks=None
) -> QuerySet[Project]:
    """The projects the user sees, with `light` and `received` (万元), narrowed to
    `filters` and sorted by county, red first: one query whatever the number of rows."""
    projects = projects_with_light(user, today, clocks)
    if filters.year is not None:
        projects = projects.filter(year=filters.year)
    if filters.chain_id is not None:
        projects = projects.filter(chain_id=filters.chain_id)
    if filters.county_id is not None:
        projects = projects.filter(county_id=filters.county_id)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.light:
        projects = projects.filter(light=filters.light)
    if filters.key_only:
        projects = projects.filter(is_key=True)
    text = filters.text.strip()
    if text:
        projects = projects.filter(Q(name__icontains=text) | Q(investor__icontains=text))
    return projects.order_by(
        "county__sort_order", "county__code", light_rank(), "-is_key", "name", "pk"
    )


@dataclass
class PipelineFigures:
    projects: int
    key: int
    signed_or_later: int
    planned: Decimal  # 万元
    received: Decimal  # 万元, the funds in place


def pipeline_figures(user, *, year: int | None = None) -> PipelineFigures:
    """The pipeline's header: projects, key ones, signed or later, planned investment and
    funds in place (万元); two queries."""
    projects = visible_projects(user)
    if year is not None:
        projects = projects.filter(year=year)
    totals = projects.order_by().aggregate(
        n=Count("pk"),
        key=Count("pk", filter=Q(is_key=True)),
        signed=Count("pk", filter=Q(stage__in=SIGNED_OR_LATER)),
        planned=Coalesce(Sum("planned_investment"), ZERO),
    )
    received = ProgressReport.objects.filter(project__in=projects.values("pk")).aggregate(
        total=Coalesce(Sum("received"), ZERO)
    )["total"]
    return PipelineFigures(
        projects=totals["n"],
        key=totals["key"],
        signed_or_later=totals["signed"],
        planned=totals["planned"],
        received=received,
    )


def project_years(user) -> list[int]:
    """The years the user's projects are planned in, the latest first (one query)."""
    return list(visible_projects(user).order_by("-year").values_list("year", flat=True).distinct())


def project_timeline(project: Project) -> QuerySet[ProjectEvent]:
    """A project's events, newest first, with their actors, notices and evidence: three
    queries whatever their number."""
    return project.events.select_related("actor", "notice").prefetch_related(
        Prefetch("evidence", queryset=StoredFile.objects.order_by("pk"))
    )


def project_reports(project: Project) -> QuerySet[ProgressReport]:
    return project.reports.select_related("reported_by")


def project_received(project: Project) -> Decimal:
    """The funds in place of one project (万元): the sum of its reports."""
    return project.reports.aggregate(total=Coalesce(Sum("received"), ZERO))["total"]


def project_activities(project: Project) -> QuerySet[Activity]:
    return project.activities.select_related("organiser", "county").order_by("-date", "-pk")


def event_evidence(user, event_pk: int, file_pk: int) -> tuple[ProjectEvent, StoredFile] | None:
    """An evidence file of an event of a project the user sees (None: not there, or not
    that event's, or the project not visible)."""
    event = (
        ProjectEvent.objects.filter(pk=event_pk, project__in=visible_projects(user).values("pk"))
        .select_related("project")
        .first()
    )
    if event is None:
        return None
    stored = event.evidence.filter(pk=file_pk).first()
    return None if stored is None else (event, stored)


def stage_clocks() -> list[StageClock]:
    """The clocks in pipeline order, with who last changed them."""
    order = {stage: index for index, stage in enumerate(PIPELINE)}
    clocks = StageClock.objects.select_related("updated_by")
    return sorted(clocks, key=lambda clock: order.get(clock.stage, len(order)))
