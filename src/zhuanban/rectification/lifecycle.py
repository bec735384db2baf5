"""The rectification loop (整改), shared by every source of a problem: a visit's
finding, a supervision notice's requirement, an assessment deduction, a brand
re-review. One transition table, enforced by the services and read by the UI.

开出 open → the unit 反馈 responds with evidence → the office 验收 verifies:
accepted → 已销号 closed, or rejected → 退回重改 rework → responds again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification status", "To be rectified")
    RESPONDED = "responded", pgettext_lazy("rectification status", "Awaiting verification")
    REWORK = "rework", pgettext_lazy("rectification status", "Sent back for rework")
    CLOSED = "closed", pgettext_lazy("rectification status", "Verified and closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("rectification status", "Withdrawn")


class Action(models.TextChoices):
    RESPOND = "respond", _("Report the rectification")
    ACCEPT = "accept", _("Accept and close")
    REJECT = "reject", _("Send back for rework")
    URGE = "urge", pgettext_lazy("rectification action", "Urge")
    EXTEND = "extend", _("Move the deadline")
    WITHDRAW = "withdraw", _("Withdraw")
    REOPEN = "reopen", pgettext_lazy("rectification action", "Reopen")
    COMMENT = "comment", pgettext_lazy("rectification action", "Comment")


class Party(models.TextChoices):
    """Who a user is to one rectification item (a user can be several)."""

    OFFICE = "office", _("verifying office")
    UNIT = "unit", _("responsible unit")
    LEADER = "leader", _("bureau leader")


# Items the unit still has to act on (what "open" and "overdue" count).
PENDING_STATES = frozenset({Status.OPEN, Status.REWORK})
LIVE_STATES = PENDING_STATES | {Status.RESPONDED}
ENDED_STATES = frozenset({Status.CLOSED, Status.WITHDRAWN})

S, A, P = Status, Action, Party

# (state, action) -> (next state, parties allowed). `None` as next state: unchanged.
TRANSITIONS: dict[tuple[str, str], tuple[str | None, frozenset[str]]] = {
    (S.OPEN, A.RESPOND): (S.RESPONDED, frozenset({P.UNIT})),
    (S.REWORK, A.RESPOND): (S.RESPONDED, frozenset({P.UNIT})),
    (S.RESPONDED, A.ACCEPT): (S.CLOSED, frozenset({P.OFFICE})),
    (S.RESPONDED, A.REJECT): (S.REWORK, frozenset({P.OFFICE})),
    (S.CLOSED, A.REOPEN): (S.REWORK, frozenset({P.OFFICE})),
    **{(state, A.URGE): (None, frozenset({P.OFFICE, P.LEADER})) for state in PENDING_STATES},
    **{(state, A.EXTEND): (None, frozenset({P.OFFICE})) for state in LIVE_STATES},
    **{(state, A.WITHDRAW): (S.WITHDRAWN, frozenset({P.OFFICE})) for state in LIVE_STATES},
    **{
        (state, A.COMMENT): (None, frozenset({P.OFFICE, P.UNIT, P.LEADER}))
        for state in (*LIVE_STATES, S.CLOSED)
    },
}

# Actions with a form of their own on the item's page (not a plain button).
FORM_ACTIONS = frozenset({A.RESPOND, A.EXTEND, A.COMMENT})
# Actions whose comment is required (a reason).
REASON_REQUIRED = frozenset({A.REJECT, A.WITHDRAW, A.REOPEN, A.EXTEND})


def next_state(state: str, action: str) -> str:
    return TRANSITIONS[(state, action)][0] or state


def allowed_actions(state: str, parties: set[str]) -> list[str]:
    """The actions these parties may take on an item in `state`, in table order."""
    return [
        action
        for (from_state, action), (_next, allowed) in TRANSITIONS.items()
        if from_state == state and allowed & parties
    ]
