"""The brand register's two lifecycles, as tables the services enforce and the UI reads.

Authorization (授权申请): the enterprise (or the brand office for it) drafts an
application and submits it; the county does the first review (初审), the brand office
the review (审核); approval issues a licence. Rejections carry their reason; an
application sent back for completion (退回补正) returns to the applicant's draft.

Annual re-review (年度复审) of one licence: the licensee reports its operating data;
the office concludes 通过, 限期整改 (a rectification item in the shared loop, passed
once it is verified) or 清退 (the licence ends with reason and date).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Party(models.TextChoices):
    """Who a user is to one enterprise (a user can be several)."""

    OFFICE = "office", _("brand office")
    LEADER = "leader", _("bureau leader")
    COUNTY = "county", _("county of the enterprise")
    ENTERPRISE = "enterprise", _("the enterprise")


class AppStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("brand application", "Draft")
    COUNTY_REVIEW = "county_review", _("Awaiting county first review")
    OFFICE_REVIEW = "office_review", _("Awaiting brand office review")
    APPROVED = "approved", pgettext_lazy("brand application", "Approved")
    REJECTED = "rejected", pgettext_lazy("brand application", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("brand application", "Withdrawn")


class AppAction(models.TextChoices):
    SUBMIT = "submit", pgettext_lazy("brand application", "Submit")
    WITHDRAW = "withdraw", pgettext_lazy("brand application", "Withdraw")
    COUNTY_PASS = "county_pass", _("Pass the first review")
    COUNTY_REJECT = "county_reject", _("Reject at the first review")
    APPROVE = "approve", _("Approve and issue the licence")
    REJECT = "reject", pgettext_lazy("brand application", "Reject")
    RETURN = "return", _("Send back for completion")


P, S, A = Party, AppStatus, AppAction

APP_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.DRAFT, A.SUBMIT): (S.COUNTY_REVIEW, frozenset({P.ENTERPRISE, P.OFFICE})),
    (S.DRAFT, A.WITHDRAW): (S.WITHDRAWN, frozenset({P.ENTERPRISE, P.OFFICE})),
    (S.COUNTY_REVIEW, A.COUNTY_PASS): (S.OFFICE_REVIEW, frozenset({P.COUNTY})),
    (S.COUNTY_REVIEW, A.COUNTY_REJECT): (S.REJECTED, frozenset({P.COUNTY})),
    (S.COUNTY_REVIEW, A.RETURN): (S.DRAFT, frozenset({P.COUNTY})),
    (S.OFFICE_REVIEW, A.APPROVE): (S.APPROVED, frozenset({P.OFFICE})),
    (S.OFFICE_REVIEW, A.REJECT): (S.REJECTED, frozenset({P.OFFICE})),
    (S.OFFICE_REVIEW, A.RETURN): (S.DRAFT, frozenset({P.OFFICE})),
}
APP_REASON_REQUIRED = frozenset({A.COUNTY_REJECT, A.REJECT, A.RETURN})
# Applications still being worked on (one per enterprise at a time).
APP_OPEN_STATES = frozenset({S.DRAFT, S.COUNTY_REVIEW, S.OFFICE_REVIEW})


class ReviewStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting the licensee's report")
    SUBMITTED = "submitted", _("Awaiting the office's conclusion")
    RECTIFYING = "rectifying", _("In rectification")
    PASSED = "passed", pgettext_lazy("brand re-review", "Passed")
    REMOVED = "removed", _("Removed (清退)")


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("Submit the operating report")
    RETURN = "return", _("Send back for completion")
    PASS = "pass", pgettext_lazy("brand re-review", "Pass")
    RECTIFY = "rectify", _("Order rectification")
    REMOVE = "remove", _("Remove from the brand (清退)")


R, RA = ReviewStatus, ReviewAction

REVIEW_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (R.AWAITING, RA.SUBMIT): (R.SUBMITTED, frozenset({P.ENTERPRISE, P.OFFICE})),
    (R.SUBMITTED, RA.RETURN): (R.AWAITING, frozenset({P.OFFICE})),
    (R.SUBMITTED, RA.PASS): (R.PASSED, frozenset({P.OFFICE})),
    (R.SUBMITTED, RA.RECTIFY): (R.RECTIFYING, frozenset({P.OFFICE})),
    # Passing after rectification needs the rectification item verified and closed.
    (R.RECTIFYING, RA.PASS): (R.PASSED, frozenset({P.OFFICE})),
    **{
        (state, RA.REMOVE): (R.REMOVED, frozenset({P.OFFICE}))
        for state in (R.AWAITING, R.SUBMITTED, R.RECTIFYING)
    },
}
REVIEW_REASON_REQUIRED = frozenset({RA.RETURN, RA.RECTIFY, RA.REMOVE})
REVIEW_OPEN_STATES = frozenset({R.AWAITING, R.SUBMITTED, R.RECTIFYING})


def allowed(table: dict, state: str, parties: set[str]) -> list[str]:
    """The actions these parties may take in `state`, in table order."""
    return [
        action
        for (from_state, action), (_next, who) in table.items()
        if from_state == state and who & parties
    ]
