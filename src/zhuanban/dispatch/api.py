"""/api/v1/dispatch: rounds, submissions, consolidation and indicator progress, through the
same access helpers, services and selectors as the screens and the Excel upload.

Decimals travel as strings ("3.20"), so that no client rounds them through a float.
"""

import datetime
import enum
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict

from zhuanban.core.api_schemas import ERRORS, ErrorOut, UnitRef
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.dispatch import scoping, selectors, services
from zhuanban.dispatch.access import (
    get_round_for_user,
    get_submission_for_user,
    require_consolidation_access,
)
from zhuanban.dispatch.lifecycle import Action
from zhuanban.dispatch.models import (
    Aggregation,
    DispatchRound,
    Indicator,
    RoundState,
    Source,
    Submission,
    SubmissionStatus,
)
from zhuanban.dispatch.schema import Column, ColumnType
from zhuanban.dispatch.validation import CellProblem
from zhuanban.org.access import require_business_data
from zhuanban.org.models import OrgUnit
from zhuanban.org.scoping import scope_for

router = Router(tags=["dispatch"])

# What the office decides on a submission; saving and submitting go through PUT.
DECISIONS = frozenset({Action.APPROVE, Action.RETURN, Action.REOPEN})
# The OpenAPI schema has one component per name, and the tasks' `Action` holds that one:
# the same values under a name of their own.
DispatchAction = enum.StrEnum("DispatchAction", {a.name: a.value for a in Action})


class ProblemOut(Schema):
    row: int
    column: str
    code: str
    message: str


class TableErrorOut(ErrorOut):
    problems: list[ProblemOut] = []


class CompletenessOut(Schema):
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: int
    awaiting_review: int
    approved: int
    returned: int
    rate: int
    timely_rate: int


class RoundOut(Schema):
    id: int
    title: str
    template: str | None
    task_list_id: int | None
    office: UnitRef
    cadence: str
    period_key: str
    period_label: str
    year: int
    opens_on: datetime.date
    due_on: datetime.date
    locks_on: datetime.date
    locked_at: datetime.datetime | None
    state: RoundState
    completeness: CompletenessOut

    @staticmethod
    def resolve_template(round_) -> str | None:
        return round_.template.code if round_.template_id else None

    @staticmethod
    def resolve_period_key(round_) -> str:
        return round_.period.key

    @staticmethod
    def resolve_period_label(round_) -> str:
        return round_.period.label()

    @staticmethod
    def resolve_state(round_) -> str:
        return round_.state()


class ColumnOut(Schema):
    key: str
    label: str
    type: ColumnType
    unit: str
    required: bool
    decimals: int
    min: str | None
    max: str | None
    choices: list[str]
    help: str

    @staticmethod
    def resolve_min(column: Column) -> str | None:
        return _number(column.min)

    @staticmethod
    def resolve_max(column: Column) -> str | None:
        return _number(column.max)

    @staticmethod
    def resolve_choices(column: Column) -> list[str]:
        return list(column.choices)


class UnitLineOut(Schema):
    unit: UnitRef
    status: SubmissionStatus
    revision: int
    first_submitted_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    late: bool

    @staticmethod
    def resolve_late(submission) -> bool:
        return selectors.is_late(submission)


class RoundDetailOut(RoundOut):
    columns: list[ColumnOut]
    lines: list[UnitLineOut]


class RoundQuery(Schema):
    template: str = Field("", max_length=40, description="Table code")
    year: int | None = Field(None, ge=1900, le=2100)
    state: RoundState | None = None


class SubmissionOut(UnitLineOut):
    id: int
    round_id: int
    rows: list[dict]
    lock_version: int
    row_comments: dict[str, str]
    comment: str
    allowed_actions: list[DispatchAction]

    @staticmethod
    def resolve_rows(submission) -> list[dict]:
        return submission.data


class SubmissionSavedOut(SubmissionOut):
    problems: list[ProblemOut]


# Input schemas name only what the caller decides; status, unit, reviewer and dates are
# the services' to set. Unknown fields are refused (422), so that a typo is not lost.
class SubmissionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, str | int | float | bool | None]]
    lock_version: int
    submit: bool = False


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", max_length=2000)
    row_comments: dict[str, str] = Field(
        default_factory=dict, description="Comments by row index, when returning"
    )


class UrgeOut(Schema):
    urged: int


class ConsolidationColumnOut(Schema):
    key: str
    label: str
    heading: str
    type: ColumnType
    unit: str
    summed: bool


class ConsolidationLineOut(Schema):
    unit: UnitRef
    status: SubmissionStatus
    records: int
    values: dict[str, str]


class GroupOut(Schema):
    name: str
    lines: list[ConsolidationLineOut]
    subtotal: dict[str, str]
    records: int


class ConsolidationOut(Schema):
    round_id: int
    title: str
    period_key: str
    period_label: str
    columns: list[ConsolidationColumnOut]
    groups: list[GroupOut]
    total: dict[str, str]
    records: int
    expected: int
    reported: int


class IndicatorOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    aggregation: Aggregation
    higher_is_better: bool
    decimals: int
    office: UnitRef | None
    description: str


class ProgressRowOut(Schema):
    unit: UnitRef | None
    actual: str | None
    target: str | None
    target_is_sum: bool
    completion: str | None = Field(description="Percent of the annual target")
    lead: str | None = Field(description="Points ahead of (negative: behind) time elapsed")
    light: str
    rank: int | None


class ProgressOut(Schema):
    indicator: IndicatorOut
    year: int
    as_of: datetime.date
    elapsed: str = Field(description="Percent of the year gone by at as_of")
    total: ProgressRowOut
    rows: list[ProgressRowOut]


class ProgressQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


def _number(value: Decimal | None, places: int | None = None) -> str | None:
    if value is None:
        return None
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")


def _text(value) -> str:
    return _number(value) if isinstance(value, Decimal) else str(value)


def _texts(values: dict) -> dict[str, str]:
    return {key: _text(value) for key, value in values.items() if value is not None}


# --- rounds -------------------------------------------------------------------------------


def _completeness(user, round_ids: list[int]) -> dict[int, selectors.Completeness]:
    """Counts per round in one grouped query; over the caller's own units only when they
    do not see every unit, so that a county cannot read another's status off the counts."""
    if scoping.sees_all_units(user):
        return selectors.completeness_by_round(round_ids)
    return selectors.completeness_by_round(round_ids, scoping.visible_submissions(user))


def _with_completeness(user, rounds: list[DispatchRound]) -> list[DispatchRound]:
    counts = _completeness(user, [r.pk for r in rounds])
    for round_ in rounds:
        round_.completeness = counts.get(round_.pk, selectors.Completeness())
    return rounds


class RoundPagination(BoundedLimitOffset):
    """Limit/offset, then the completeness of the page's rounds in one query."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = _with_completeness(
            request.user, list(page[self.items_attribute])
        )
        return page


def _in_state(rounds: QuerySet[DispatchRound], state: str) -> QuerySet[DispatchRound]:
    """DispatchRound.state() as a filter."""
    today = timezone.localdate()
    if state == RoundState.LOCKED:
        return rounds.filter(locked_at__isnull=False)
    rounds = rounds.filter(locked_at__isnull=True)
    if state == RoundState.SCHEDULED:
        return rounds.filter(opens_on__gt=today)
    if state == RoundState.OVERDUE:
        return rounds.filter(due_on__lt=today)
    return rounds.filter(Q(opens_on__lte=today) & Q(due_on__gte=today))


@router.get("/rounds", response={200: list[RoundOut], **ERRORS})
@paginate(RoundPagination)
def list_rounds(request: HttpRequest, filters: Query[RoundQuery]):
    """The rounds the caller may see, latest period first, with their completeness."""
    require_business_data(request.user)
    rounds = scoping.visible_rounds(request.user).select_related("office", "template")
    if filters.template:
        rounds = rounds.filter(template__code=filters.template)
    if filters.year is not None:
        rounds = rounds.filter(year=filters.year)
    if filters.state:
        rounds = _in_state(rounds, filters.state)
    return rounds.order_by("-year", "-period_number", "title", "pk")


def _lines(user, round_: DispatchRound) -> list[Submission]:
    submissions = selectors.round_submissions(round_)
    if not scoping.sees_all_units(user):
        submissions = submissions.filter(pk__in=scoping.visible_submissions(user).values("pk"))
    submissions = list(submissions)
    for submission in submissions:
        submission.round = round_  # is_late reads the due date
    return submissions


@router.get("/rounds/{round_id}", response={200: RoundDetailOut, **ERRORS})
def get_round(request: HttpRequest, round_id: int):
    """A round with its table's columns and a status line per unit (a county sees its own)."""
    round_ = get_round_for_user(request.user, round_id)
    _with_completeness(request.user, [round_])
    round_.columns = list(round_.template_version.table.columns) if round_.template_id else []
    round_.lines = _lines(request.user, round_)
    return round_


@router.post("/rounds/{round_id}/urge", response={200: UrgeOut, **ERRORS})
def urge(request: HttpRequest, round_id: int):
    """Remind every unit that has not reported (the owning office only)."""
    round_ = get_round_for_user(request.user, round_id, manage=True)
    return {"urged": services.round_urge(actor=request.user, round_=round_)}


def _require_table(round_: DispatchRound) -> None:
    if round_.template_version_id is None:
        raise ValidationError(
            _("This round asks for progress on a task list; it has no table."), code="no_table"
        )


@router.get("/rounds/{round_id}/consolidation", response={200: ConsolidationOut, **ERRORS})
def consolidation(request: HttpRequest, round_id: int):
    """Every unit's reported figures, subtotals by unit group and the total (bureau-wide
    roles only)."""
    round_ = get_round_for_user(request.user, round_id)
    require_consolidation_access(request.user, round_)
    _require_table(round_)
    result = selectors.consolidate(round_)
    summed = {c.key for c in result.summed_columns}
    return {
        "round_id": round_.pk,
        "title": round_.title,
        "period_key": round_.period.key,
        "period_label": round_.period.label(),
        "columns": [
            {
                "key": c.key,
                "label": c.label,
                "heading": c.heading,
                "type": c.type,
                "unit": c.unit,
                "summed": c.key in summed,
            }
            for c in result.table.columns
        ],
        "groups": [
            {
                "name": group.name,
                "lines": [
                    {
                        "unit": line.unit,
                        "status": line.status,
                        "records": line.records,
                        "values": _texts(line.values),
                    }
                    for line in group.lines
                ],
                "subtotal": _texts(group.subtotal),
                "records": group.records,
            }
            for group in result.groups
        ],
        "total": _texts(result.total),
        "records": result.records,
        "expected": result.expected,
        "reported": result.reported,
    }


# --- submissions --------------------------------------------------------------------------


def _submission(request, round_id: int, unit_code: str) -> Submission:
    unit_id = OrgUnit.objects.filter(code=unit_code).values_list("pk", flat=True).first()
    if unit_id is None:
        raise Http404
    submission = get_submission_for_user(request.user, round_id, unit_id)
    submission.allowed_actions = services.available_actions(request.user, submission)
    return submission


def _problems(problems: list[CellProblem]) -> list[dict]:
    return [
        {"row": p.row, "column": p.column, "code": p.code, "message": p.message} for p in problems
    ]


@router.get("/rounds/{round_id}/submissions/{unit_code}", response={200: SubmissionOut, **ERRORS})
def get_submission(request: HttpRequest, round_id: int, unit_code: str):
    """One unit's answer: its rows, status, version and what the caller may do with it."""
    return _submission(request, round_id, unit_code)


@router.put(
    "/rounds/{round_id}/submissions/{unit_code}",
    response={200: SubmissionSavedOut, 409: ErrorOut, **ERRORS, 422: TableErrorOut},
)
def put_submission(request: HttpRequest, round_id: int, unit_code: str, payload: SubmissionIn):
    """Save the rows as a draft (200, with any problems by row and column) or submit them
    (`submit: true`; any problem refuses the whole table: 422 with the problems, nothing
    stored). A `lock_version` older than the stored one is refused with 409."""
    submission = _submission(request, round_id, unit_code)
    _require_table(submission.round)
    problems: list[CellProblem] = []
    try:
        if payload.submit:
            services.submission_submit(
                actor=request.user,
                submission=submission,
                rows=payload.rows,
                expected_version=payload.lock_version,
                source=Source.API,
            )
        else:
            problems = services.submission_save(
                actor=request.user,
                submission=submission,
                rows=payload.rows,
                expected_version=payload.lock_version,
            ).problems
    except services.ConcurrentEditError as exc:
        return Status(409, {"detail": exc.messages[0], "code": exc.code})
    except services.TableErrors as exc:
        return Status(
            422, {"detail": exc.messages, "code": exc.code, "problems": _problems(exc.problems)}
        )
    saved = _submission(request, round_id, unit_code)
    saved.problems = _problems(problems)
    return saved


@router.post(
    "/rounds/{round_id}/submissions/{unit_code}/actions/{action}",
    response={200: SubmissionOut, **ERRORS},
)
def act(
    request: HttpRequest, round_id: int, unit_code: str, action: DispatchAction, payload: DecisionIn
):
    """The office's decision: approve, return (with a reason and comments by row) or
    reopen approved data (with a reason)."""
    action = Action(action.value)
    submission = _submission(request, round_id, unit_code)
    if action not in DECISIONS:
        return Status(400, {"detail": _("Use the dedicated endpoint for this action.")})
    if action == Action.RETURN:
        services.submission_return(
            actor=request.user,
            submission=submission,
            comment=payload.comment,
            row_comments=payload.row_comments,
        )
    else:
        services.submission_act(
            actor=request.user, submission=submission, action=action, comment=payload.comment
        )
    return _submission(request, round_id, unit_code)


# --- indicators ---------------------------------------------------------------------------


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS})
def list_indicators(request: HttpRequest):
    return scoping.visible_indicators(request.user).select_related("office")


def _indicator_for_user(user, code: str) -> Indicator:
    indicator = scoping.visible_indicators(user).select_related("office").filter(code=code).first()
    if indicator is None:
        raise Http404
    return indicator


def _progress_row(row: selectors.ProgressRow, places: int) -> dict:
    return {
        "unit": row.unit,
        "actual": _number(row.actual, places),
        "target": _number(row.target, places),
        "target_is_sum": row.target_is_sum,
        "completion": _number(row.completion),
        "lead": _number(row.lead),
        "light": row.light,
        "rank": row.rank,
    }


@router.get("/indicators/{code}/progress", response={200: ProgressOut, **ERRORS})
def indicator_progress(request: HttpRequest, code: str, query: Query[ProgressQuery]):
    """Year to date against the annual target and against time elapsed, for the city and
    each county, ranked, with the same lights as tasks (green, yellow, red; none without
    a target). A county reads its own line and rank, not the other counties' figures
    (as on the indicator's page)."""
    indicator = _indicator_for_user(request.user, code)
    year = query.year or timezone.localdate().year
    (progress,) = selectors.indicator_progress([indicator], year)
    if not scoping.sees_all_units(request.user):
        own = scoping.acting_unit_ids(scope_for(request.user))
        progress.rows = [row for row in progress.rows if row.unit.pk in own]
    return {
        "indicator": indicator,
        "year": year,
        "as_of": progress.as_of,
        "elapsed": _number(progress.elapsed),
        "total": _progress_row(progress.total, indicator.decimals),
        "rows": [_progress_row(row, indicator.decimals) for row in progress.rows],
    }
