"""The account policy on every request of a signed-in user (after authentication and
django-otp's middleware):

1. idle timeout, checked on the server: past SESSION_IDLE_SECONDS without a request
   the session is flushed and the user sent to the login page;
2. a user with a confirmed authenticator must enter a code (second login step);
3. a leader or administrator without one must enrol;
4. an expired or administrator-issued password must be changed.

Until then only that page, logout, the language switch and static files are served;
the JSON API answers 403 with a JSON body instead of a redirect.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from zhuanban.accounts import policy
from zhuanban.core import audit
from zhuanban.core.models import AuditAction
from zhuanban.ops import health

LAST_ACTIVITY_KEY = "accounts_last_activity"
# Once a session has passed the checks, it is not asked again (no queries) until this
# time: at most POLICY_RECHECK_SECONDS later and never past the password's expiry. An
# administrator issuing a password ends the user's sessions anyway (Django's session
# hash), so only a newly granted leader or administrator role waits for the recheck.
POLICY_CLEAR_KEY = "accounts_policy_clear_until"
POLICY_RECHECK_SECONDS = 300

STEPS = {
    "verify": "accounts:verify",
    "enrol": "accounts:enrol",
    "password": "accounts:password_change",
}


def required_step(user) -> str | None:
    """What the signed-in user must do before anything else, if anything."""
    if policy.is_demo_exempt(user):
        return None
    verified = getattr(user, "is_verified", None)
    if not (verified and verified()):
        if policy.confirmed_device(user) is not None:
            return "verify"
        if policy.two_factor_required(user):
            return "enrol"
    if policy.password_state(user).change_required:
        return "password"
    return None


def remember_clear(session, user) -> None:
    """Note in the session that `user` owes no step, so the next requests skip the checks."""
    until = time.time() + POLICY_RECHECK_SECONDS
    expires_at = policy.password_state(user).expires_at
    if expires_at is not None:
        until = min(until, expires_at.timestamp())
    session[POLICY_CLEAR_KEY] = int(until)


def _step_message(step: str) -> str:
    return {
        "verify": _("Enter the code from your authenticator app to finish logging in."),
        "enrol": _("Your role requires two-factor authentication: set it up to continue."),
        "password": _("You must change your password before you continue."),
    }[step]


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in health.PATHS:
            return self.get_response(request)  # probes: no user, no session, no redirect
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._idle_timeout(request) or self._gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _idle_timeout(self, request):
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY_KEY)
        limit = settings.SESSION_IDLE_SECONDS
        if last is not None and now - int(last) > limit:
            user = request.user
            audit.record(
                actor=user, action=AuditAction.LOGOUT, instance=user, message="idle timeout"
            )
            # What auth.logout does, without a second (plain) logout event.
            request.session.flush()
            request.user = AnonymousUser()
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Your session has expired.")}, status=401)
            messages.warning(
                request,
                _("You have been inactive for more than %(minutes)s minutes. Please log in again.")
                % {"minutes": limit // 60},
            )
            return self._redirect(request, reverse("login"))
        request.session[LAST_ACTIVITY_KEY] = now
        return None

    def _gate(self, request):
        if self._always_allowed(request.path):
            return None
        if request.session.get(POLICY_CLEAR_KEY, 0) > time.time():
            return None
        step = required_step(request.user)
        if step is None:
            remember_clear(request.session, request.user)
            return None
        target = reverse(STEPS[step])
        if request.path == target:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _step_message(step), "code": step}, status=403)
        return self._redirect(request, target)

    @staticmethod
    def _always_allowed(path: str) -> bool:
        allowed = (reverse("logout"), reverse("set_language"), settings.STATIC_URL)
        return any(path.startswith(prefix) for prefix in allowed)

    @staticmethod
    def _redirect(request, target: str):
        if request.method == "GET" and not request.path.startswith(target):
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
