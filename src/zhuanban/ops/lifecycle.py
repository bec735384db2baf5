"""A background job's lifecycle. A job is queued when started; one worker claims it
(queued → running, a conditional update, so two workers never both run it); it ends
succeeded or failed. A running job whose worker stopped beating is queued again while it
has attempts left, else failed: never lost, never run twice to completion."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job", "Queued")
    RUNNING = "running", pgettext_lazy("job", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("job", "Done")
    FAILED = "failed", pgettext_lazy("job", "Failed")


class JobAction(models.TextChoices):
    CLAIM = "claim", _("Claim")
    SUCCEED = "succeed", _("Succeed")
    FAIL = "fail", _("Fail")
    RETRY = "retry", _("Retry")


S, A = JobStatus, JobAction

# (state, action) -> the state it leads to.
JOB_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.QUEUED, A.CLAIM): S.RUNNING,
    (S.QUEUED, A.FAIL): S.FAILED,  # its input vanished before a worker took it
    (S.RUNNING, A.SUCCEED): S.SUCCEEDED,
    (S.RUNNING, A.FAIL): S.FAILED,
    (S.RUNNING, A.RETRY): S.QUEUED,  # its worker died
}

FINISHED = frozenset({S.SUCCEEDED, S.FAILED})


def sources(action: str) -> list[str]:
    """The states from which `action` may be taken: the WHERE of its conditional update."""
    return [state for (state, act) in JOB_TRANSITIONS if act == action]
