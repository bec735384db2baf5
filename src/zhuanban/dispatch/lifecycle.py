"""A submission's lifecycle: one transition table, enforced by the services and read by
the screens to offer exactly the allowed actions.

未填报 pending → 草稿 draft → 已报送 submitted → 已审核 approved, or 退回 returned →
corrected and submitted again; the office can reopen approved data (with a reason) and
urge units that have not reported.
"""

from django.db import models
from django.utils.translation import pgettext_lazy

from zhuanban.dispatch.models import SubmissionStatus
from zhuanban.dispatch.scoping import Party


class Action(models.TextChoices):
    SAVE = "save", pgettext_lazy("dispatch action", "Save draft")
    SUBMIT = "submit", pgettext_lazy("dispatch action", "Submit")
    APPROVE = "approve", pgettext_lazy("dispatch action", "Approve")
    RETURN = "return", pgettext_lazy("dispatch action", "Return for correction")
    REOPEN = "reopen", pgettext_lazy("dispatch action", "Reopen")
    URGE = "urge", pgettext_lazy("dispatch action", "Urge")


S, A = SubmissionStatus, Action
UNIT, OFFICE = frozenset({Party.UNIT}), frozenset({Party.OFFICE})
NOT_REPORTED = (S.PENDING, S.DRAFT, S.RETURNED)

# (state, action) -> (next state or None for unchanged, parties allowed)
TRANSITIONS: dict[tuple[str, str], tuple[str | None, frozenset[str]]] = {
    (S.PENDING, A.SAVE): (S.DRAFT, UNIT),
    (S.DRAFT, A.SAVE): (None, UNIT),
    (S.RETURNED, A.SAVE): (None, UNIT),
    **{(state, A.SUBMIT): (S.SUBMITTED, UNIT) for state in NOT_REPORTED},
    (S.SUBMITTED, A.APPROVE): (S.APPROVED, OFFICE),
    (S.SUBMITTED, A.RETURN): (S.RETURNED, OFFICE),
    (S.APPROVED, A.REOPEN): (S.RETURNED, OFFICE),
    **{(state, A.URGE): (None, OFFICE) for state in NOT_REPORTED},
}
REASON_REQUIRED = frozenset({A.RETURN, A.REOPEN})
# What a unit may still do once the round is locked: correct what the office sent back.
ALLOWED_WHEN_LOCKED = frozenset({(S.RETURNED, A.SAVE), (S.RETURNED, A.SUBMIT)})


def allowed_actions(status: str, parties: set[str]) -> list[str]:
    return [
        action
        for (state, action), (_next, allowed) in TRANSITIONS.items()
        if state == status and parties & allowed
    ]
