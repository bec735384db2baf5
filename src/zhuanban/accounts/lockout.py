"""When a lock-out (django-axes) ends, for the message on the login page."""

from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.utils import timezone


def lockout_ends_at(request, credentials: dict | None) -> datetime:
    """The first moment every lock on this username and address has lifted.

    A lock holds while the failures within the cool-off window reach the limit, so it
    lifts when the attempt that completed the limit leaves the window (the newest
    attempts are counted first)."""
    AxesProxyHandler.update_request(request)
    cool_off = get_cool_off(request) or timedelta(0)
    limit = get_failure_limit(request, credentials)
    handler = AxesProxyHandler.get_implementation()
    ends: datetime | None = None
    for attempts in handler.get_user_attempts(request, credentials):
        total = 0
        for failures, at in attempts.order_by("-attempt_time").values_list(
            "failures_since_start", "attempt_time"
        ):
            total += failures
            if total >= limit:
                ends = max(ends, at + cool_off) if ends else at + cool_off
                break
    if ends is None:
        ends = timezone.now() + cool_off
    # Round up to the minute: "try again after 14:35" must not be too early.
    rounded = ends.replace(second=0, microsecond=0)
    return rounded if rounded == ends else rounded + timedelta(minutes=1)
