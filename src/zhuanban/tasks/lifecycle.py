"""The task lifecycle (督办): one transition table, enforced by the services and read by
the UI to offer exactly the allowed actions.

交办 assign → 承办 accept (or return) → 反馈 report → 申请办结 request_close → 办结 close
(or reject_close), with 催办 urge, 延期 extension and comments alongside.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ASSIGNED = "assigned", _("Assigned")
    RETURNED = "returned", _("Returned by the lead unit")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSE_REQUESTED = "close_requested", _("Closing requested")
    CLOSED = "closed", _("Closed")


class Action(models.TextChoices):
    ASSIGN = "assign", _("Assign")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return to the office")
    REPORT = "report", _("Report progress")
    REQUEST_EXTENSION = "request_extension", _("Ask for an extension")
    APPROVE_EXTENSION = "approve_extension", _("Approve the extension")
    REJECT_EXTENSION = "reject_extension", _("Reject the extension")
    REQUEST_CLOSE = "request_close", _("Ask to close")
    CLOSE = "close", _("Close")
    REJECT_CLOSE = "reject_close", _("Send back")
    URGE = "urge", _("Urge")
    COMMENT = "comment", _("Comment")
    REOPEN = "reopen", _("Reopen")


class Party(models.TextChoices):
    """Who a user is to one task (a user can be several)."""

    OFFICE = "office", _("owning office")
    LEAD = "lead", _("lead unit")
    LEADER = "leader", _("bureau leader")


OPEN_STATES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.CLOSE_REQUESTED})
LIVE_STATES = OPEN_STATES | {Status.RETURNED}

S, A, P = Status, Action, Party

# (state, action) -> (next state, parties allowed). `None` as next state: unchanged.
TRANSITIONS: dict[tuple[str, str], tuple[str | None, frozenset[str]]] = {
    (S.DRAFT, A.ASSIGN): (S.ASSIGNED, frozenset({P.OFFICE})),
    (S.RETURNED, A.ASSIGN): (S.ASSIGNED, frozenset({P.OFFICE})),
    (S.ASSIGNED, A.ACCEPT): (S.IN_PROGRESS, frozenset({P.LEAD})),
    (S.ASSIGNED, A.RETURN): (S.RETURNED, frozenset({P.LEAD})),
    (S.IN_PROGRESS, A.REPORT): (None, frozenset({P.LEAD})),
    (S.IN_PROGRESS, A.REQUEST_EXTENSION): (None, frozenset({P.LEAD})),
    (S.IN_PROGRESS, A.APPROVE_EXTENSION): (None, frozenset({P.OFFICE})),
    (S.IN_PROGRESS, A.REJECT_EXTENSION): (None, frozenset({P.OFFICE})),
    (S.IN_PROGRESS, A.REQUEST_CLOSE): (S.CLOSE_REQUESTED, frozenset({P.LEAD})),
    (S.CLOSE_REQUESTED, A.CLOSE): (S.CLOSED, frozenset({P.OFFICE})),
    (S.CLOSE_REQUESTED, A.REJECT_CLOSE): (S.IN_PROGRESS, frozenset({P.OFFICE})),
    (S.CLOSED, A.REOPEN): (S.IN_PROGRESS, frozenset({P.OFFICE})),
    **{(state, A.URGE): (None, frozenset({P.OFFICE, P.LEADER})) for state in OPEN_STATES},
    **{
        (state, A.COMMENT): (None, frozenset({P.OFFICE, P.LEADER, P.LEAD}))
        for state in (*LIVE_STATES, S.CLOSED)
    },
}

# Actions the task page offers as buttons with a form of their own, not via the table.
FORM_ACTIONS = frozenset(
    {A.REPORT, A.REQUEST_EXTENSION, A.APPROVE_EXTENSION, A.REJECT_EXTENSION, A.COMMENT}
)
# Actions whose comment is required (a reason).
REASON_REQUIRED = frozenset({A.RETURN, A.REJECT_CLOSE, A.REJECT_EXTENSION, A.REOPEN})


def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS[(state, action)][0] or state


def allowed_actions(state: str, parties: set[str]) -> list[str]:
    """The actions these parties may take on a task in `state`, in table order."""
    return [
        action
        for (from_state, action), (_next, allowed) in TRANSITIONS.items()
        if from_state == state and allowed & parties
    ]
