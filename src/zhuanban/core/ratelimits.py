"""Rate limits: how often one person (or, before login, one address) may log in, export,
upload and call the API.

The limits come from settings (`RATELIMIT_LOGIN`, `RATELIMIT_EXPORT`, `RATELIMIT_IMPORT`,
`RATELIMIT_API`, `RATELIMIT_API_ANON`, each "count/period" such as "20/m"), read on every
request so that a load test can raise them. The counters live in the default cache, which
every web process shares (the database cache unless configured otherwise).

Views: `limit_export` / `limit_import` go under `@login_required` (the key is the user);
`limit_login` keys on the client's address. Over the limit the person gets a 429 page
that says to wait, with a Retry-After header; the view does not run.

The API: `ApiUserThrottle` and `ApiAnonThrottle` for django-ninja's `throttle=`, and
`anonymous_over_limit` for the 401 handler (ninja authenticates before it throttles, so
requests that fail authentication are counted there).
"""

import hashlib
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from ninja.throttling import SimpleRateThrottle

from zhuanban.core.request_context import client_ip

# The settings that name each limit.
LOGIN = "RATELIMIT_LOGIN"
EXPORT = "RATELIMIT_EXPORT"
IMPORT = "RATELIMIT_IMPORT"
API = "RATELIMIT_API"
API_ANON = "RATELIMIT_API_ANON"


def ip_key(group: str, request: HttpRequest) -> str:
    """The client's address (behind our own proxy, the forwarded one; see
    TRUST_X_FORWARDED_FOR): the key before anyone has logged in."""
    return "ip:" + (client_ip(request) or "unknown")


def user_key(group: str, request: HttpRequest) -> str:
    """The signed-in user, so that people behind one office NAT do not share a limit;
    the address for anyone else."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return ip_key(group, request)


def _rate(setting: str) -> Callable[[str, HttpRequest], str]:
    return lambda group, request: getattr(settings, setting)


def too_many_requests(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """The page shown instead of the view: 429, what happened and what to do."""
    response = render(request, "core/ratelimited.html", status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    setting: str, *, key: Callable[[str, HttpRequest], str] = user_key, method=ALL
) -> Callable:
    """A view decorator: count the request against the limit named by `setting` (one
    budget per setting, shared by every view that carries it) and answer 429 beyond it.
    `method` restricts which requests count ("POST", or ALL)."""
    group = f"zhuanban.{setting.lower()}"

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            usage = get_usage(
                request, group=group, key=key, rate=_rate(setting), method=method, increment=True
            )
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, retry_after=max(usage["time_left"], 1))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Excel exports and downloads: per user.
limit_export = rate_limit(EXPORT)
# Uploads and imports: per user, only the POSTs (showing the form is free).
limit_import = rate_limit(IMPORT, method="POST")
# Login attempts: per address, only the POSTs. Failed logins also lock the account
# (django-axes); this bounds how fast one address may try, whichever accounts it tries.
limit_login = rate_limit(LOGIN, key=ip_key, method="POST")


# --- the API (django-ninja throttles) ------------------------------------------------------


class _SettingsThrottle(SimpleRateThrottle):
    """ninja's sliding-window throttle with the rate read from settings on each request
    (ninja reads it once, at import) and the address from `client_ip` (ninja believes any
    X-Forwarded-For header, which a client can forge to escape the limit)."""

    setting = ""

    def __init__(self) -> None:
        self.rate = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str:
        return client_ip(request) or "unknown"


class ApiUserThrottle(_SettingsThrottle):
    """RATELIMIT_API per signed-in user, whichever token or session they come with."""

    setting = API

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return f"throttle_api_user_{user.pk}"


class ApiAnonThrottle(_SettingsThrottle):
    """RATELIMIT_API_ANON per address for requests without a valid token or session."""

    setting = API_ANON

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if getattr(request, "auth", None) is not None:
            return None
        ident = hashlib.sha256(self.get_ident(request).encode()).hexdigest()
        return f"throttle_api_anon_{ident}"


def anonymous_over_limit(request: HttpRequest) -> int | None:
    """Count a request that failed authentication; the seconds to wait when the address
    is over RATELIMIT_API_ANON, None while it is within it."""
    throttle = ApiAnonThrottle()
    if throttle.allow_request(request):
        return None
    return math.ceil(throttle.wait() or throttle.duration)


def api_limit_message() -> str:
    return _("Too many requests. Please wait a minute and try again.")
