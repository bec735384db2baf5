"""The request being served, for code far from the view (the audit trail's IP address)."""

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_current_ip: ContextVar[str | None] = ContextVar("zhuanban_client_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def current_ip() -> str | None:
    return _current_ip.get()


def set_current_ip(ip: str | None):
    return _current_ip.set(ip)


def reset_current_ip(token) -> None:
    _current_ip.reset(token)
