"""The investment pipeline's two lifecycles, as tables the services enforce and the UI reads.

A project (招商引资项目) moves 谋划 → 洽谈 → 签约 → 落地 → 开工 → 投产. It may move on by
more than one stage at once (a project first heard of at its signing), and each stage it
reaches gets its date; it may go back (the land fell through, the agreement was torn up)
or be dropped (终止) only with a reason, and a dropped project may be taken up again with
a reason. A project producing (投产) is done: it leaves the stage clocks.

An upward application (向上争取) is prepared, submitted to a higher authority, and then
approved (with the amount granted) or rejected.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    PLANNED = "planned", _("Planned (谋划)")
    NEGOTIATING = "negotiating", _("Negotiating (洽谈)")
    SIGNED = "signed", _("Signed (签约)")
    LANDED = "landed", _("Landed (落地)")
    STARTED = "started", _("Started (开工)")
    PRODUCING = "producing", _("Producing (投产)")
    DROPPED = "dropped", _("Dropped (终止)")


# The pipeline in order; DROPPED stands outside it.
PIPELINE = (
    Stage.PLANNED,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.LANDED,
    Stage.STARTED,
    Stage.PRODUCING,
)
# Stages a project waits in (the ones with a clock); PRODUCING and DROPPED are ends.
LIVE_STAGES = PIPELINE[:-1]
# Signed or further on: what the 签约落地项目情况表 lists.
SIGNED_OR_LATER = PIPELINE[2:]
# The field holding the date a project reached each stage.
DATE_FIELDS = {
    Stage.PLANNED: "planned_on",
    Stage.NEGOTIATING: "negotiating_on",
    Stage.SIGNED: "signed_on",
    Stage.LANDED: "landed_on",
    Stage.STARTED: "started_on",
    Stage.PRODUCING: "producing_on",
    Stage.DROPPED: "dropped_on",
}


# The stage clocks a bureau starts with (migration 0002 holds its own copy, as migrations
# must): stage → (limit days, warn days before the limit, report every (days), evidence
# required to reach it). The investment office changes them on the 阶段时限 screen.
DEFAULT_CLOCKS = {
    Stage.PLANNED: (30, 7, None, False),
    Stage.NEGOTIATING: (60, 10, 14, False),
    Stage.SIGNED: (90, 15, 14, True),
    Stage.LANDED: (90, 15, 14, False),
    Stage.STARTED: (365, 30, 14, False),
}


class Party(models.TextChoices):
    """Who a user is to one project (a user can be several)."""

    OFFICE = "office", _("investment office")
    LEADER = "leader", _("bureau leader")
    COUNTY = "county", _("county of the project")
    RESPONSIBLE = "responsible", _("responsible unit or leader")


class Move(models.TextChoices):
    FORWARD = "forward", _("Move on")
    BACK = "back", _("Move back")
    DROP = "drop", _("Drop the project")
    RESUME = "resume", _("Take the project up again")


# Who may change a project's stage: the office keeps the pipeline; the county and the
# responsible unit report what happened on the ground. Leaders read, urge and decide in
# meetings; they do not edit the register.
MOVERS = frozenset({Party.OFFICE, Party.COUNTY, Party.RESPONSIBLE})
REASON_REQUIRED = frozenset({Move.BACK, Move.DROP, Move.RESUME})


def _move(src: str, dst: str) -> Move:
    if dst == Stage.DROPPED:
        return Move.DROP
    if src == Stage.DROPPED:
        return Move.RESUME
    return Move.FORWARD if PIPELINE.index(dst) > PIPELINE.index(src) else Move.BACK


# (from, to) → (kind of move, who may make it). Every ordered pair of distinct stages is a
# move; what differs is whether it needs a reason (REASON_REQUIRED).
STAGE_TRANSITIONS: dict[tuple[str, str], tuple[Move, frozenset[str]]] = {
    (src, dst): (_move(src, dst), MOVERS)
    for src in Stage.values
    for dst in Stage.values
    if src != dst
}


def move_of(src: str, dst: str) -> Move | None:
    found = STAGE_TRANSITIONS.get((src, dst))
    return found[0] if found else None


def next_stages(stage: str, parties: set[str]) -> list[str]:
    """The stages these parties may move a project in `stage` to, in pipeline order."""
    return [
        dst
        for (src, dst), (_move, who) in STAGE_TRANSITIONS.items()
        if src == stage and who & parties
    ]


class UpwardStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    SUBMITTED = "submitted", pgettext_lazy("upward application", "Submitted")
    APPROVED = "approved", pgettext_lazy("upward application", "Approved")
    REJECTED = "rejected", pgettext_lazy("upward application", "Not approved")


class UpwardAction(models.TextChoices):
    SUBMIT = "submit", pgettext_lazy("upward application", "Record as submitted")
    APPROVE = "approve", pgettext_lazy("upward application", "Record the approval")
    REJECT = "reject", pgettext_lazy("upward application", "Record the rejection")
    REOPEN = "reopen", pgettext_lazy("upward application", "Back to preparing")


U, UA = UpwardStatus, UpwardAction

# The owning office records what the higher authority did; there is no other party.
UPWARD_TRANSITIONS: dict[tuple[str, str], str] = {
    (U.PREPARING, UA.SUBMIT): U.SUBMITTED,
    (U.SUBMITTED, UA.APPROVE): U.APPROVED,
    (U.SUBMITTED, UA.REJECT): U.REJECTED,
    (U.SUBMITTED, UA.REOPEN): U.PREPARING,
}
UPWARD_REASON_REQUIRED = frozenset({UA.REJECT, UA.REOPEN})


def upward_actions(status: str) -> list[str]:
    return [action for (src, action) in UPWARD_TRANSITIONS if src == status]
