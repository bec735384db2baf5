"""Lock-outs go to the audit trail (django-axes' `user_locked_out` signal); a login
that owes no step (second factor, password change) is remembered in the session.

Axes sends the signal when an account or an address reaches the failure limit, and
again for every attempt refused while locked; only the first is a new lock-out (the
refused attempts are already recorded as failed logins by `core.auth_events`).
"""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _on_locked_out(sender, request, username, ip_address, **kwargs):
    if getattr(request, "axes_failures_since_start", None) is None:
        return  # an attempt refused during an existing lock-out
    username = str(username or "")[:150]
    audit.record(
        actor=None,
        action=AuditAction.LOCKED_OUT,
        object_type="auth.user",
        object_repr=username,
        message=(
            f"locked for {settings.LOGIN_LOCKOUT_MINUTES} min after "
            f"{request.axes_failures_since_start} failures: username={username} ip={ip_address}"
        ),
        ip=ip_address,
        outcome=AuditOutcome.DENIED,
    )


@receiver(user_logged_in, dispatch_uid="accounts_policy_at_login")
def _check_policy_at_login(sender, request, user, **kwargs):
    # Decide once at login whether the user owes a step (most owe none), so the first
    # page after logging in costs no extra queries.
    from zhuanban.accounts.middleware import remember_clear, required_step

    if request is not None and hasattr(request, "session") and required_step(user) is None:
        remember_clear(request.session, user)
