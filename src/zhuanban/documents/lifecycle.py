"""The lifecycles of this app: one transition table each for a policy document, a
meeting and an agenda topic.

A document: 起草 drafting → 征求意见 consulting (an opinion round is open; closing it
brings the document to revision) → 修改完善 revising (more rounds as needed) → 提交审议
deliberating (at a meeting: a bureau meeting's topic, or the city's standing
committee) → 审议通过 approved → 印发 issued (number and date) → later revised (back
to revising, a new edition) or 废止 repealed. A leader may approve a draft without a
meeting (a work plan, a handbook). A living document (a handbook, a set of rules) is
revised in place once issued: each new version takes effect at once and says what
changed.

A meeting: 筹备 planned (offices submit topics; each is put on the agenda or
deferred) → 议程已定 scheduled (the agenda is fixed; it needs at least one topic) →
已召开 held (the minutes record each topic's decision) → 纪要已印发 closed. A meeting
not yet held may be cancelled; its topics are then deferred.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    DRAFTING = "drafting", pgettext_lazy("document stage", "Drafting")
    CONSULTING = "consulting", pgettext_lazy("document stage", "Seeking opinions")
    REVISING = "revising", pgettext_lazy("document stage", "Revising")
    DELIBERATING = "deliberating", pgettext_lazy("document stage", "Submitted for deliberation")
    APPROVED = "approved", pgettext_lazy("document stage", "Approved")
    ISSUED = "issued", pgettext_lazy("document stage", "Issued")
    REPEALED = "repealed", pgettext_lazy("document stage", "Repealed")


class DocAction(models.TextChoices):
    CONSULT = "consult", _("Seek opinions")
    CLOSE_ROUND = "close_round", _("End the opinion round")
    SUBMIT = "submit", _("Submit for deliberation")
    APPROVE = "approve", _("Record the approval")
    SEND_BACK = "send_back", _("Send back for revision")
    ISSUE = "issue", pgettext_lazy("document action", "Issue")
    REVISE = "revise", _("Start a revision")
    REPEAL = "repeal", pgettext_lazy("document action", "Repeal")


class DocParty(models.TextChoices):
    OFFICE = "office", _("drafting office")
    LEADER = "leader", _("bureau leader")


S, A, P = Stage, DocAction, DocParty
EITHER = frozenset({P.OFFICE, P.LEADER})
OFFICE_ONLY = frozenset({P.OFFICE})

DOCUMENT_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.DRAFTING, A.CONSULT): (S.CONSULTING, OFFICE_ONLY),
    (S.REVISING, A.CONSULT): (S.CONSULTING, OFFICE_ONLY),
    (S.CONSULTING, A.CLOSE_ROUND): (S.REVISING, OFFICE_ONLY),
    (S.DRAFTING, A.SUBMIT): (S.DELIBERATING, OFFICE_ONLY),
    (S.REVISING, A.SUBMIT): (S.DELIBERATING, OFFICE_ONLY),
    (S.DELIBERATING, A.APPROVE): (S.APPROVED, EITHER),
    (S.DRAFTING, A.APPROVE): (S.APPROVED, frozenset({P.LEADER})),
    (S.REVISING, A.APPROVE): (S.APPROVED, frozenset({P.LEADER})),
    (S.DELIBERATING, A.SEND_BACK): (S.REVISING, EITHER),
    (S.APPROVED, A.SEND_BACK): (S.REVISING, EITHER),
    (S.APPROVED, A.ISSUE): (S.ISSUED, OFFICE_ONLY),
    (S.ISSUED, A.REVISE): (S.REVISING, OFFICE_ONLY),
    (S.ISSUED, A.REPEAL): (S.REPEALED, EITHER),
}
# Opening and ending an opinion round go through the round services, not document_act.
ROUND_ACTIONS = frozenset({A.CONSULT, A.CLOSE_ROUND})
REASON_REQUIRED = frozenset({A.SEND_BACK, A.REVISE, A.REPEAL})
# New versions are added while the pen is out; a living document also once issued.
WRITING_STAGES = frozenset({S.DRAFTING, S.REVISING})
# Stages in which the drafting office still works on the text (details may change).
OPEN_STAGES = frozenset({S.DRAFTING, S.CONSULTING, S.REVISING, S.DELIBERATING, S.APPROVED})


def next_stage(stage: str, action: str) -> str:
    return DOCUMENT_TRANSITIONS[(stage, action)][0]


def document_actions(stage: str, parties: set[str]) -> list[str]:
    return [
        action
        for (from_stage, action), (_next, allowed) in DOCUMENT_TRANSITIONS.items()
        if from_stage == stage and allowed & parties and action not in ROUND_ACTIONS
    ]


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting status", "Collecting topics")
    SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Agenda fixed")
    HELD = "held", pgettext_lazy("meeting status", "Held")
    CLOSED = "closed", pgettext_lazy("meeting status", "Minutes issued")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class MeetingAction(models.TextChoices):
    FIX_AGENDA = "fix_agenda", _("Fix the agenda")
    REOPEN_AGENDA = "reopen_agenda", _("Reopen the agenda")
    HOLD = "hold", _("Mark as held")
    CLOSE = "close", _("Issue the minutes")
    CANCEL = "cancel", pgettext_lazy("meeting action", "Cancel")


M, MA = MeetingStatus, MeetingAction
MEETING_TRANSITIONS: dict[tuple[str, str], str] = {
    (M.PLANNED, MA.FIX_AGENDA): M.SCHEDULED,
    (M.SCHEDULED, MA.REOPEN_AGENDA): M.PLANNED,
    (M.SCHEDULED, MA.HOLD): M.HELD,
    (M.HELD, MA.CLOSE): M.CLOSED,
    (M.PLANNED, MA.CANCEL): M.CANCELLED,
    (M.SCHEDULED, MA.CANCEL): M.CANCELLED,
}
MEETING_REASON_REQUIRED = frozenset({MA.CANCEL})


def meeting_actions(status: str) -> list[str]:
    return [action for (state, action) in MEETING_TRANSITIONS if state == status]


class TopicStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("topic status", "Submitted")
    ON_AGENDA = "on_agenda", pgettext_lazy("topic status", "On the agenda")
    DEFERRED = "deferred", pgettext_lazy("topic status", "Deferred")
    WITHDRAWN = "withdrawn", pgettext_lazy("topic status", "Withdrawn")
    DECIDED = "decided", pgettext_lazy("topic status", "Decided")


class Outcome(models.TextChoices):
    """议定结果 of a topic, as minutes put it."""

    APPROVED = "approved", pgettext_lazy("topic outcome", "Approved")
    APPROVED_WITH_CHANGES = "with_changes", _("Approved in principle, to be revised")
    NOTED = "noted", _("Report heard")
    NOT_APPROVED = "not_approved", pgettext_lazy("topic outcome", "Not approved")
    AGAIN = "again", _("To be discussed again")


# What a topic's decision does to the document it put before the meeting.
OUTCOME_DOCUMENT_ACTION = {
    Outcome.APPROVED: A.APPROVE,
    Outcome.APPROVED_WITH_CHANGES: A.SEND_BACK,
    Outcome.NOT_APPROVED: A.SEND_BACK,
    Outcome.AGAIN: A.SEND_BACK,
}
# Decisions that may be followed up by tasks.
TASK_OUTCOMES = frozenset({Outcome.APPROVED, Outcome.APPROVED_WITH_CHANGES, Outcome.NOTED})

T = TopicStatus
# (topic status, action) → (next status, meeting statuses in which it may happen)
TOPIC_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (T.SUBMITTED, "approve"): (T.ON_AGENDA, frozenset({M.PLANNED})),
    (T.SUBMITTED, "defer"): (T.DEFERRED, frozenset({M.PLANNED, M.SCHEDULED})),
    (T.ON_AGENDA, "defer"): (T.DEFERRED, frozenset({M.PLANNED, M.SCHEDULED})),
    (T.SUBMITTED, "withdraw"): (T.WITHDRAWN, frozenset({M.PLANNED, M.SCHEDULED})),
    (T.ON_AGENDA, "withdraw"): (T.WITHDRAWN, frozenset({M.PLANNED})),
    (T.ON_AGENDA, "decide"): (T.DECIDED, frozenset({M.HELD})),
    (T.DECIDED, "decide"): (T.DECIDED, frozenset({M.HELD})),
}
# Topics that still count as put before a meeting (提交议题) in an office's figures.
SUBMITTED_STATES = frozenset({T.SUBMITTED, T.ON_AGENDA, T.DEFERRED, T.DECIDED})
