"""The assessment lifecycles: one transition table for a scheme, one for a unit's
self-assessment.

A scheme: 设计 draft (items, weights, units assessed) → 自评 self-assessment (units
score themselves and gather evidence) → 评审 review (reviewers score) → 已完成 closed
(totals, grades and ranking fixed; no more evidence). A leader may reopen a closed
scheme for review, with a reason; the organising office may send a scheme in review
back to self-assessment, with a reason.

A unit's self-assessment: 未提交 pending → 已提交 submitted (its self-scores are
frozen) → the office may return it (退回) with a reason, and the unit submits again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("scheme status", "Being designed")
    SELF = "self", pgettext_lazy("scheme status", "Self-assessment")
    REVIEW = "review", pgettext_lazy("scheme status", "Under review")
    CLOSED = "closed", pgettext_lazy("scheme status", "Closed")


class SchemeAction(models.TextChoices):
    OPEN = "open", _("Start self-assessment")
    REVIEW = "review", _("Start the review")
    BACK = "back", _("Back to self-assessment")
    CLOSE = "close", _("Confirm the results")
    REOPEN = "reopen", pgettext_lazy("scheme action", "Reopen")


class SchemeParty(models.TextChoices):
    ORGANISER = "organiser", _("organising office")
    LEADER = "leader", _("bureau leader")


S, A, P = SchemeStatus, SchemeAction, SchemeParty

TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.DRAFT, A.OPEN): (S.SELF, frozenset({P.ORGANISER})),
    (S.SELF, A.REVIEW): (S.REVIEW, frozenset({P.ORGANISER})),
    (S.REVIEW, A.BACK): (S.SELF, frozenset({P.ORGANISER})),
    (S.REVIEW, A.CLOSE): (S.CLOSED, frozenset({P.ORGANISER, P.LEADER})),
    (S.CLOSED, A.REOPEN): (S.REVIEW, frozenset({P.LEADER})),
}
REASON_REQUIRED = frozenset({A.BACK, A.REOPEN})
# Items and the units assessed change only while the scheme is designed.
DESIGN_STATES = frozenset({S.DRAFT})
# Evidence is gathered until the results are confirmed.
EVIDENCE_STATES = frozenset({S.DRAFT, S.SELF, S.REVIEW})


def next_state(state: str, action: str) -> str:
    return TRANSITIONS[(state, action)][0]


def allowed_actions(state: str, parties: set[str]) -> list[str]:
    return [
        action
        for (from_state, action), (_next, allowed) in TRANSITIONS.items()
        if from_state == state and allowed & parties
    ]


class SelfStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("self-assessment status", "Not submitted")
    SUBMITTED = "submitted", pgettext_lazy("self-assessment status", "Submitted")
    RETURNED = "returned", pgettext_lazy("self-assessment status", "Returned")


SELF_TRANSITIONS: dict[tuple[str, str], str] = {
    (SelfStatus.PENDING, "submit"): SelfStatus.SUBMITTED,
    (SelfStatus.RETURNED, "submit"): SelfStatus.SUBMITTED,
    (SelfStatus.SUBMITTED, "return"): SelfStatus.RETURNED,
}
# Self-scores change while the unit has not submitted them.
SELF_EDITABLE = frozenset({SelfStatus.PENDING, SelfStatus.RETURNED})
