"""/api/v1/rectifications: the one rectification loop (整改) whatever found the problem,
through the same access helper, selectors and services as the screens.

A unit reports in text here; evidence files are attached on the item's page. Every write
names the `expected_version` of the item it was decided on: an item someone else moved
on meanwhile answers 409, and nothing changes.
"""

import datetime
import enum

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply
from pydantic import ConfigDict

from zhuanban.core.api_schemas import ERRORS, MAX_ID, NO_NUL, ErrorOut, FileOut, PersonOut, UnitRef
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.org.access import require_business_data
from zhuanban.rectification import selectors, services
from zhuanban.rectification.access import get_item_for_user, require_party
from zhuanban.rectification.lifecycle import (
    FORM_ACTIONS,
    PENDING_STATES,
    Action,
    Status,
    allowed_actions,
)
from zhuanban.rectification.models import Rectification, SourceKind, Verdict
from zhuanban.rectification.scoping import parties
from zhuanban.tasks.filters import parse_text
from zhuanban.tasks.models import Light

router = Router(tags=["rectification"])

# The OpenAPI schema has one component per name: the tasks' Status and Action enums are
# taken, so the rectification's travel under names of their own (same values).
RectificationStatus = enum.StrEnum("RectificationStatus", {s.name: s.value for s in Status})
RectificationAction = enum.StrEnum("RectificationAction", {a.name: a.value for a in Action})

VERSION_MAX = 2**31 - 1


class RectificationOut(Schema):
    id: int
    source_kind: SourceKind
    source_label: str
    office: UnitRef = Field(description="The verifying office")
    unit: UnitRef = Field(description="The responsible unit")
    county: UnitRef | None
    problem: str
    requirement: str
    due_date: datetime.date
    original_due_date: datetime.date
    status: RectificationStatus
    light: Light
    days_overdue: int = Field(description="Days past the deadline while the unit has to act")
    raised_at: datetime.datetime
    responded_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    version: int = Field(description="Send it back as expected_version when acting")

    @staticmethod
    def resolve_days_overdue(item) -> int:
        today = timezone.localdate()
        if item.status in PENDING_STATES and item.due_date < today:
            return (today - item.due_date).days
        return 0


class RectificationResponseOut(Schema):
    id: int
    at: datetime.datetime
    text: str
    responder: PersonOut
    evidence: list[FileOut]
    verdict: Verdict
    verified_by: PersonOut | None
    verified_at: datetime.datetime | None
    verdict_comment: str


class RectificationDetailOut(RectificationOut):
    source_url: str | None = Field(description="The page of the visit or notice that found it")
    allowed_actions: list[RectificationAction] = Field(
        description="What the caller may do now: respond through …/responses, accept, "
        "reject, urge, withdraw and reopen through …/actions/{action}; extend and comment "
        "on the item's page"
    )
    responses: list[RectificationResponseOut] = Field(
        description="The unit's reports, latest first"
    )

    @staticmethod
    def resolve_responses(item) -> list[dict]:
        # Prepared by _detail (the evidence's URLs name the item); not the related manager.
        return item.responses_out


class RectificationQuery(Schema):
    status: RectificationStatus | None = None
    light: Light | None = None
    county: int | None = Field(None, ge=1, le=MAX_ID)
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible unit")
    source_kind: SourceKind | None = None
    office: int | None = Field(None, ge=1, le=MAX_ID, description="Verifying office")
    overdue: bool = Field(False, description="Only items the unit has let pass their deadline")
    text: str = Field("", max_length=100, description="In the problem, requirement or unit")


class RectificationCountsQuery(Schema):
    county: int | None = Field(None, ge=1, le=MAX_ID)
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible unit")
    source_kind: SourceKind | None = None
    office: int | None = Field(None, ge=1, le=MAX_ID, description="Verifying office")
    text: str = Field("", max_length=100, description="In the problem, requirement or unit")


class CountyCountsOut(Schema):
    county_id: int | None = Field(description="None: units outside any county")
    name: str | None
    total: int
    open: int = Field(description="Waiting for the unit (open or sent back)")
    awaiting: int = Field(description="Reported, waiting for the office")
    overdue: int
    closed: int


class RectificationCountsOut(Schema):
    total: int
    overdue: int
    by_light: dict[str, int]
    by_status: dict[str, int]
    by_county: list[CountyCountsOut]


# Input schemas name only what the caller decides; status, unit and dates are the
# services' to set. Unknown fields are refused (422), so that a typo is not lost.
class RectificationResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, max_length=5000, pattern=NO_NUL)
    expected_version: int = Field(..., ge=1, le=VERSION_MAX)


class RectificationActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(
        "",
        max_length=2000,
        pattern=NO_NUL,
        description="Required as the reason when rejecting, withdrawing or reopening",
    )
    expected_version: int = Field(..., ge=1, le=VERSION_MAX)


def _filters(query: Schema) -> selectors.ItemFilters:
    data = query.dict()
    return selectors.ItemFilters(
        status=data.get("status") or "",
        light=data.get("light") or "",
        county=data["county"],
        unit=data["unit"],
        source_kind=data["source_kind"] or "",
        office=data["office"],
        overdue=data.get("overdue", False),
        text=parse_text(data["text"]),
    )


@router.get("", response={200: list[RectificationOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_rectifications(request: HttpRequest, filters: Query[RectificationQuery]):
    """The items the caller may see, worst light first, then by deadline: the list screen's
    filters (`overdue=true`: only items past their deadline that the unit still has to act
    on)."""
    require_business_data(request.user)
    return selectors.items(request.user, _filters(filters))


@router.get("/counts", response={200: RectificationCountsOut, **ERRORS})
def rectification_counts(request: HttpRequest, filters: Query[RectificationCountsQuery]):
    """How many of the caller's items there are per light, per status and per county (a
    county's people count their own items only)."""
    require_business_data(request.user)
    today = timezone.localdate()
    item_filters = _filters(filters)
    chips = selectors.chip_counts(request.user, item_filters, today)
    by_county = selectors.counts_by_county(
        selectors.items(request.user, item_filters, today), today
    )
    return {
        "total": chips["total"],
        "overdue": chips["overdue"],
        "by_light": chips["light"],
        "by_status": chips["status"],
        "by_county": by_county,
    }


def _file(item: Rectification, stored) -> dict:
    return {
        "id": stored.pk,
        "name": stored.name,
        "size": stored.size,
        "url": reverse("rectification:file", args=[item.pk, stored.pk]),
    }


def _detail(request: HttpRequest, item_id: int) -> Rectification:
    item = get_item_for_user(request.user, item_id)
    item.allowed_actions = allowed_actions(item.status, parties(request.user, item))
    item.source_url = selectors.source_link(item) or None
    item.responses_out = [
        {
            "id": response.pk,
            "at": response.at,
            "text": response.text,
            "responder": response.responder,
            "evidence": [_file(item, f) for f in response.evidence.all()],
            "verdict": response.verdict,
            "verified_by": response.verified_by,
            "verified_at": response.verified_at,
            "verdict_comment": response.verdict_comment,
        }
        for response in selectors.item_responses(item)
    ]
    return item


def _stale(error: ValidationError) -> Reply | None:
    """409 for an item someone else acted on meanwhile (as the screens answer)."""
    if hasattr(error, "error_dict"):
        return None
    for each in error.error_list:
        if each.code == "stale":
            return Reply(409, {"detail": each.messages[0], "code": "stale"})
    return None


@router.get("/{item_id}", response={200: RectificationDetailOut, **ERRORS})
def get_rectification(request: HttpRequest, item_id: int):
    """One item with the unit's reports (and the office's verdict on each) and the actions
    the caller may take now."""
    return _detail(request, item_id)


@router.post(
    "/{item_id}/responses", response={200: RectificationDetailOut, 409: ErrorOut, **ERRORS}
)
def respond_to_rectification(request: HttpRequest, item_id: int, payload: RectificationResponseIn):
    """The responsible unit reports what it did (整改反馈), in text; evidence files are
    attached on the item's page. The office verifies next. 409 when `expected_version` is
    not the item's version."""
    item = get_item_for_user(request.user, item_id)
    require_party(request.user, item, Action.RESPOND)
    try:
        services.rectification_respond(
            actor=request.user,
            item=item,
            text=payload.text,
            expected_version=payload.expected_version,
        )
    except ValidationError as error:
        stale = _stale(error)
        if stale is None:
            raise
        return stale
    return _detail(request, item_id)


@router.post(
    "/{item_id}/actions/{action}",
    response={200: RectificationDetailOut, 409: ErrorOut, **ERRORS},
)
def act_on_rectification(
    request: HttpRequest, item_id: int, action: RectificationAction, payload: RectificationActionIn
):
    """The verifying office accepts (验收销号) or rejects (退回重改) the unit's report,
    urges, withdraws or reopens the item; a bureau leader may urge. Rejecting, withdrawing
    and reopening need a reason in `comment`. 409 when `expected_version` is not the item's
    version; 400 when the item's state does not allow the action."""
    item = get_item_for_user(request.user, item_id)
    if action == Action.RESPOND:
        return Reply(400, {"detail": _("Use the dedicated endpoint for this action.")})
    if action in FORM_ACTIONS:
        return Reply(400, {"detail": _("This action is taken on the item's page.")})
    require_party(request.user, item, action)
    try:
        services.rectification_act(
            actor=request.user,
            item=item,
            action=Action(action.value),
            comment=payload.comment,
            expected_version=payload.expected_version,
        )
    except ValidationError as error:
        stale = _stale(error)
        if stale is None:
            raise
        return stale
    return _detail(request, item_id)
