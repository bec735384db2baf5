"""/api/v1/assessment: schemes with their item tree, the ranking, and one unit's
scorecard with its evidence — read-only, through the same scoping, access helpers and
selectors as the screens. Scores are given and evidence filed on the screens.

Decimals travel as strings ("12.50"), so that no client rounds them through a float.
"""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhuanban.assessment import selectors
from zhuanban.assessment.access import get_participant_for_user, get_scheme_for_user
from zhuanban.assessment.lifecycle import SchemeStatus, SelfStatus
from zhuanban.assessment.models import Grade, Method
from zhuanban.assessment.scoring import full_marks, weight_checks
from zhuanban.core.api_schemas import READ_ERRORS, UnitRef
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.org.access import require_business_data

router = Router(tags=["assessment"])


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class SchemeOut(Schema):
    id: int
    title: str
    year: int
    office: UnitRef = Field(description="The organising office")
    assessor: str
    status: SchemeStatus
    period_start: datetime.date
    period_end: datetime.date
    self_due: datetime.date | None
    review_due: datetime.date | None
    units: int = Field(description="Units assessed")
    submitted: int = Field(description="Self-assessments submitted")


class SchemeQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/schemes", response={200: list[SchemeOut], **READ_ERRORS})
@paginate(BoundedLimitOffset)
def list_schemes(request: HttpRequest, filters: Query[SchemeQuery]):
    """Assessment schemes (考核方案) the caller may see, latest year first. A county's
    people see the opened schemes that assess a unit of theirs."""
    require_business_data(request.user)
    return selectors.scheme_list(request.user, filters.year)


class ItemOut(Schema):
    id: int
    parent_id: int | None
    number: str = Field(description="The official number at its level (一、 (一) 1.)")
    depth: int
    title: str
    is_heading: bool
    max_score: str
    weight: str | None = Field(description="Top-level items: percent of the total")
    method: Method
    criteria: str
    evidence_required: str
    responsible_units: list[UnitRef]

    @staticmethod
    def resolve_max_score(item) -> str:
        return _text(item.max_score)

    @staticmethod
    def resolve_weight(item) -> str | None:
        return _text(item.weight)

    @staticmethod
    def resolve_responsible_units(item) -> list:
        return list(item.responsible_units.all())


class WeightWarningOut(Schema):
    kind: str = Field(description="weights: top-level weights; children: sub-items' points")
    item_id: int | None
    expected: str
    actual: str


class GradeBandsOut(Schema):
    good_from: str
    fairly_good_from: str
    average_from: str


class SchemeDetailOut(SchemeOut):
    basis: str
    full_marks: str
    grade_bands: GradeBandsOut
    items: list[ItemOut]
    warnings: list[WeightWarningOut]


@router.get("/schemes/{scheme_id}", response={200: SchemeDetailOut, **READ_ERRORS})
def get_scheme(request: HttpRequest, scheme_id: int):
    """A scheme with its item tree in order and the warnings where weights or points do
    not add up (by how much)."""
    scheme = get_scheme_for_user(request.user, scheme_id)
    items = selectors.items_of(scheme)
    participants = scheme.participants.all()
    return {
        **{
            f: getattr(scheme, f) for f in SchemeOut.model_fields if f not in ("units", "submitted")
        },
        "office": scheme.office,
        "units": participants.count(),
        "submitted": participants.filter(self_status=SelfStatus.SUBMITTED).count(),
        "basis": scheme.basis,
        "full_marks": _text(full_marks(items)),
        "grade_bands": {
            "good_from": _text(scheme.good_from),
            "fairly_good_from": _text(scheme.fairly_good_from),
            "average_from": _text(scheme.average_from),
        },
        "items": items,
        "warnings": [
            {
                "kind": check.message_key,
                "item_id": check.item.pk if check.item else None,
                "expected": _text(check.expected),
                "actual": _text(check.actual),
            }
            for check in weight_checks(items)
        ],
    }


class StandingOut(Schema):
    id: int
    unit: UnitRef
    rank: int | None = Field(description="Among all units assessed; ties share a rank")
    self_total: str | None
    total: str | None
    grade: Grade | None
    unscored: int = Field(description="Items still without a final score")
    self_status: SelfStatus

    @staticmethod
    def resolve_rank(participant) -> int | None:
        return participant.rank if participant.total is not None else None

    @staticmethod
    def resolve_self_total(participant) -> str | None:
        return _text(participant.self_total)

    @staticmethod
    def resolve_total(participant) -> str | None:
        return _text(participant.total)

    @staticmethod
    def resolve_grade(participant) -> str | None:
        return participant.grade or None


@router.get("/schemes/{scheme_id}/ranking", response={200: list[StandingOut], **READ_ERRORS})
def get_ranking(request: HttpRequest, scheme_id: int):
    """The units assessed the caller may see, best total first, with their rank among
    all of them (a county sees its own line only)."""
    scheme = get_scheme_for_user(request.user, scheme_id)
    return selectors.visible_ranking(request.user, scheme)


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    added_at: datetime.datetime
    from_task_id: int | None = Field(description="Linked from this task's progress evidence")
    url: str = Field(description="The screen's download (needs a signed-in session)")


class ScoreLineOut(Schema):
    item_id: int
    number: str
    title: str
    is_heading: bool
    max_score: str
    auto_score: str | None
    auto_basis: dict
    self_score: str | None
    self_reason: str
    review_score: str | None
    review_reason: str
    final: str | None
    evidence: list[EvidenceOut]


class ScorecardOut(StandingOut):
    scheme_id: int
    lines: list[ScoreLineOut]


def _line(line) -> dict:
    score = line.score
    return {
        "item_id": line.item.pk,
        "number": line.item.number,
        "title": line.item.title,
        "is_heading": line.item.is_heading,
        "max_score": _text(line.item.max_score),
        "auto_score": _text(score.auto_score) if score else None,
        "auto_basis": score.auto_basis if score else {},
        "self_score": _text(score.self_score) if score else None,
        "self_reason": score.self_reason if score else "",
        "review_score": _text(score.review_score) if score else None,
        "review_reason": score.review_reason if score else "",
        "final": _text(score.final) if score else None,
        "evidence": [
            {
                "id": piece.pk,
                "name": piece.file.name,
                "size": piece.file.size,
                "sha256": piece.file.sha256,
                "added_at": piece.added_at,
                "from_task_id": piece.from_task_id,
                "url": reverse("assessment:evidence_download", args=[piece.pk]),
            }
            for piece in line.evidence
        ],
    }


@router.get("/units/{participant_id}", response={200: ScorecardOut, **READ_ERRORS})
def get_scorecard(request: HttpRequest, participant_id: int):
    """One unit's scorecard under a scheme: every item with the computed, self-assessed,
    reviewed and final scores, the reasons, and the evidence filed (with SHA-256)."""
    participant = get_participant_for_user(request.user, participant_id)
    standing = next(p for p in selectors.ranking(participant.scheme) if p.pk == participant.pk)
    standing.scheme_id = participant.scheme_id
    standing.lines = [_line(line) for line in selectors.scorecard(participant)]
    return standing
