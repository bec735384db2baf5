"""Logins, logouts and failed logins go to the audit trail (Django's auth signals)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome
from zhuanban.core.request_context import client_ip


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender, request, user, **kwargs):
    audit.record(actor=user, action=AuditAction.LOGIN, instance=user, ip=_ip(request))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action=AuditAction.LOGOUT, instance=user, ip=_ip(request))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="auth.user",
        object_repr=username,
        message=f"username={username}",
        ip=_ip(request),
        outcome=AuditOutcome.FAILURE,
    )
