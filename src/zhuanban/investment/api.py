"""/api/v1/investment: the project pipeline with its lights, the funnel, the promotion
activities' counts and the upward applications' yearly totals — read-only, through the
same scoping and selectors as the screens. Projects move, report and get urged on the
screens (their evidence is uploaded there)."""

import datetime
from decimal import Decimal
from enum import StrEnum

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhuanban.core.api_schemas import MAX_ID, READ_ERRORS, ErrorOut, UnitRef
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.investment import selectors
from zhuanban.investment.access import get_project_for_user
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.models import clocks_by_stage
from zhuanban.org.access import require_business_data
from zhuanban.tasks.models import Light

router = Router(tags=["investment"])

ERRORS = {**READ_ERRORS, 403: ErrorOut}
YEAR = {"ge": 2000, "le": 2100}
# Enum names of their own: the schema has one component per name, and other routers
# already publish a `Stage` and a `Light`.
ProjectStage = StrEnum("ProjectStage", {stage.name: stage.value for stage in Stage})
ProjectLight = StrEnum("ProjectLight", {light.name: light.value for light in Light})


class InvestmentChainOut(Schema):
    id: int
    code: str
    name: str


class ProjectOut(Schema):
    id: int
    name: str
    year: int
    chain: InvestmentChainOut
    county: UnitRef
    investor: str
    investor_origin: str
    planned_investment: Decimal = Field(description="计划投资, in 万元 (10,000 yuan)")
    received: Decimal = Field(description="到位资金 so far, in 万元")
    is_key: bool = Field(description="A key project of the year's plan (重点项目)")
    stage: str = Field(
        description="planned, negotiating, signed, landed, started, producing, dropped"
    )
    stage_label: str
    stage_since: datetime.date
    signed_on: datetime.date | None
    light: str = Field(description="green, yellow, red (past the stage's time limit) or grey")
    due_on: datetime.date | None = Field(description="The last day in this stage by its clock")
    url: str

    @staticmethod
    def resolve_stage_label(project) -> str:
        return str(project.get_stage_display())

    @staticmethod
    def resolve_url(project) -> str:
        return project.get_absolute_url()

    @staticmethod
    def resolve_due_on(project, context) -> datetime.date | None:
        return project.due_on(context["request"].investment_clocks)


class ProjectQuery(Schema):
    year: int | None = Field(None, **YEAR)
    stage: ProjectStage | None = None
    light: ProjectLight | None = None
    county: int | None = Field(None, ge=1, le=MAX_ID)
    chain: int | None = Field(None, ge=1, le=MAX_ID)
    key: bool | None = Field(None, description="Key projects only (true) or the others (false)")


@router.get("/projects", response={200: list[ProjectOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]):
    """The projects the caller may see with their light today: the bureau sees all; a
    county its own; a responsible unit those it answers for."""
    require_business_data(request.user)
    request.investment_clocks = clocks = clocks_by_stage()
    projects = selectors.projects_with_light(request.user, clocks=clocks)
    if filters.year is not None:
        projects = projects.filter(year=filters.year)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.light:
        projects = projects.filter(light=filters.light)
    if filters.county is not None:
        projects = projects.filter(county_id=filters.county)
    if filters.chain is not None:
        projects = projects.filter(chain_id=filters.chain)
    if filters.key is not None:
        projects = projects.filter(is_key=filters.key)
    return projects.order_by("county__sort_order", "name", "pk")


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS})
def get_project(request: HttpRequest, project_id: int):
    require_business_data(request.user)
    request.investment_clocks = clocks = clocks_by_stage()
    get_project_for_user(request.user, project_id)  # 404 unless visible
    return selectors.projects_with_light(request.user, clocks=clocks).get(pk=project_id)


class FunnelRowOut(Schema):
    id: int
    name: str
    counts: dict[str, int] = Field(description="Projects per stage")


class FunnelOut(Schema):
    year: int | None
    stages: dict[str, int] = Field(description="Projects per stage now")
    reached: dict[str, int] = Field(description="Projects that reached each stage or went on")
    planned_by_stage: dict[str, Decimal] = Field(description="计划投资 per stage, in 万元")
    by_chain: list[FunnelRowOut]
    by_county: list[FunnelRowOut]
    lights: dict[str, int]
    activities: int = Field(description="Promotion activities of the year (开展活动)")
    attracted: int = Field(description="Distinct projects the activities produced (招引项目)")


class FunnelQuery(Schema):
    year: int | None = Field(None, **YEAR)
    key: bool = Field(False, description="Key projects only")


@router.get("/funnel", response={200: FunnelOut, **ERRORS})
def funnel(request: HttpRequest, filters: Query[FunnelQuery]):
    """The pipeline by stage, by chain and by county, its lights, and the year's
    activities and the projects they attracted — grouped in the database."""
    require_business_data(request.user)
    user, year = request.user, filters.year
    result = selectors.funnel(user, year=year, key_only=filters.key)
    summary = selectors.activity_summary(user, year=year)

    def rows(found):
        return [{"id": r.key.pk, "name": r.key.name, "counts": r.counts} for r in found]

    return {
        "year": year,
        "stages": result.stages,
        "reached": dict(result.reached()),
        "planned_by_stage": result.planned_by_stage,
        "by_chain": rows(result.by_chain),
        "by_county": rows(result.by_county),
        "lights": selectors.light_counts(user, year=year),
        "activities": summary.activities,
        "attracted": summary.projects,
    }


class UpwardYearOut(Schema):
    year: int
    applications: int
    approved: int
    requested: Decimal = Field(description="申请金额, in 万元")
    granted: Decimal = Field(description="获批金额 of the approved ones, in 万元")
    growth: Decimal | None = Field(description="Granted funds' change on the year before, %")


@router.get("/upward/totals", response={200: list[UpwardYearOut], **ERRORS})
def upward_totals(request: HttpRequest):
    """向上争取 per year, newest first, with the granted funds' year-on-year change. Read by
    the bureau (leaders, inspectors, offices); others get an empty list."""
    require_business_data(request.user)
    return [vars(t) for t in selectors.upward_totals(request.user)]
