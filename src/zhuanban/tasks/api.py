"""/api/v1/tasks: the ledger and the lifecycle, through the same selectors and services."""

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply
from pydantic import ConfigDict

from zhuanban.core.api_schemas import ERRORS, MAX_ID, UnitRef
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.org.access import require_business_data
from zhuanban.tasks import selectors, services
from zhuanban.tasks.access import get_task_for_user
from zhuanban.tasks.lifecycle import FORM_ACTIONS, Action, Status, allowed_actions
from zhuanban.tasks.models import Light
from zhuanban.tasks.scoping import parties

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    task_list_id: int
    parent_id: int | None
    number: str
    number_decimal: str
    content: str
    lead_unit: UnitRef | None
    responsible_leader: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    original_due_date: datetime.date | None
    due_text: str
    is_ongoing: bool
    status: Status
    progress: int
    light: Light

    @staticmethod
    def resolve_number(task) -> str:
        return task.number()

    @staticmethod
    def resolve_number_decimal(task) -> str:
        return task.number("decimal")


class TaskDetailOut(TaskOut):
    cooperating_units: list[UnitRef]
    allowed_actions: list[str]

    @staticmethod
    def resolve_cooperating_units(task) -> list:
        return list(task.cooperating_units.all())


class LedgerQuery(Schema):
    task_list: int | None = Field(None, ge=1, le=MAX_ID)
    office: int | None = Field(None, ge=1, le=MAX_ID)
    county: int | None = Field(None, ge=1, le=MAX_ID)
    lead_unit: int | None = Field(None, ge=1, le=MAX_ID)
    status: Status | None = None
    light: Light | None = None
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    text: str = ""


class CountsOut(Schema):
    total: int
    closed: int
    open: int
    red: int
    yellow: int
    green: int


# Input schemas name only what the caller decides; status, owner, unit and dates are the
# services' to set. Unknown fields are refused (422), so that a typo is not silently lost.
class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", max_length=2000)


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, max_length=5000)
    progress: int = Field(..., ge=0, le=100)
    figures: str = Field("", max_length=500)


def _filters(query: LedgerQuery) -> selectors.LedgerFilters:
    data = query.dict()
    data["status"] = data["status"] or ""
    data["light"] = data["light"] or ""
    return selectors.LedgerFilters(**data)


@router.get("", response={200: list[TaskOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_tasks(request: HttpRequest, filters: Query[LedgerQuery]):
    """The ledger: every task the caller may see, in tree order, with its warning light."""
    require_business_data(request.user)
    return selectors.ledger(request.user, _filters(filters))


@router.get("/counts", response={200: CountsOut, **ERRORS})
def task_counts(request: HttpRequest, filters: Query[LedgerQuery]):
    """Measures, closed, open and per light, for the same filters as the ledger."""
    return selectors.ledger_counts(selectors.ledger(request.user, _filters(filters)))


def _detail(request, task_id: int):
    task = get_task_for_user(request.user, task_id)
    task.allowed_actions = allowed_actions(task.status, parties(request.user, task))
    return task


@router.get("/{task_id}", response={200: TaskDetailOut, **ERRORS})
def get_task(request: HttpRequest, task_id: int):
    return _detail(request, task_id)


@router.post("/{task_id}/actions/{action}", response={200: TaskDetailOut, **ERRORS})
def act(request: HttpRequest, task_id: int, action: Action, payload: ActionIn):
    """Apply a lifecycle action (assign, accept, return, request_close, close, …)."""
    task = get_task_for_user(request.user, task_id)
    if action in FORM_ACTIONS:
        return Reply(400, {"detail": "Use the dedicated endpoint for this action."})
    services.task_act(actor=request.user, task=task, action=action, comment=payload.comment)
    return _detail(request, task_id)


@router.post("/{task_id}/reports", response={200: TaskDetailOut, **ERRORS})
def report(request: HttpRequest, task_id: int, payload: ReportIn):
    task = get_task_for_user(request.user, task_id)
    services.task_report(
        actor=request.user,
        task=task,
        text=payload.text,
        progress=payload.progress,
        figures=payload.figures,
    )
    return _detail(request, task_id)
