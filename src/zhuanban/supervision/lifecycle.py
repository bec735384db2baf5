"""The supervision notice lifecycle (督办通报): one transition table.

拟稿 draft → 送审 submit → 审核 review: issue (or send back to draft) → 已印发 issued →
办结 closed once the replies are in. An issued notice is never edited: a correction is
a new notice that references it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("notice status", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("notice status", "In review")
    ISSUED = "issued", pgettext_lazy("notice status", "Issued")
    CLOSED = "closed", pgettext_lazy("notice status", "Closed")


class NoticeAction(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    RETURN = "return", _("Send back to the drafter")
    ISSUE = "issue", pgettext_lazy("notice action", "Issue")
    CLOSE = "close", pgettext_lazy("notice action", "Close")


class NoticeParty(models.TextChoices):
    DRAFTER = "drafter", _("drafting office")
    REVIEWER = "reviewer", _("reviewer")


S, A, P = NoticeStatus, NoticeAction, NoticeParty

TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.DRAFT, A.SUBMIT): (S.IN_REVIEW, frozenset({P.DRAFTER})),
    (S.IN_REVIEW, A.RETURN): (S.DRAFT, frozenset({P.REVIEWER})),
    (S.IN_REVIEW, A.ISSUE): (S.ISSUED, frozenset({P.REVIEWER})),
    (S.ISSUED, A.CLOSE): (S.CLOSED, frozenset({P.DRAFTER, P.REVIEWER})),
}
EDITABLE_STATES = frozenset({S.DRAFT})
REASON_REQUIRED = frozenset({A.RETURN})


def next_state(state: str, action: str) -> str:
    return TRANSITIONS[(state, action)][0]


def allowed_actions(state: str, parties: set[str]) -> list[str]:
    return [
        action
        for (from_state, action), (_next, allowed) in TRANSITIONS.items()
        if from_state == state and allowed & parties
    ]
