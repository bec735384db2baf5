"""The account policy as decisions about one user: is the password expired or to be
changed, is a second factor required, is this a demo account in demo mode. Read-only;
changes live in `services.py`."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhuanban.accounts.models import AccountSecurity
from zhuanban.org.scoping import scope_for


@dataclass(frozen=True)
class PasswordState:
    changed_at: datetime
    expires_at: datetime | None  # None: never (demo accounts in demo mode)
    must_change: bool  # issued by an administrator
    expired: bool

    @property
    def change_required(self) -> bool:
        return self.must_change or self.expired


def security_row(user) -> AccountSecurity | None:
    """The user's row if it exists (no write on a read path); cached on the user object."""
    if not hasattr(user, "_zhuanban_account_security"):
        user._zhuanban_account_security = AccountSecurity.objects.filter(user=user).first()
    return user._zhuanban_account_security


def is_demo_exempt(user) -> bool:
    """In demo mode the documented demo accounts log in with their password alone."""
    row = security_row(user)
    return bool(settings.DEMO_MODE and row is not None and row.is_demo_account)


def password_state(user, now: datetime | None = None) -> PasswordState:
    now = now or timezone.now()
    row = security_row(user)
    changed_at = (row.password_changed_at if row else None) or user.date_joined
    if is_demo_exempt(user):
        return PasswordState(
            changed_at=changed_at, expires_at=None, must_change=False, expired=False
        )
    expires_at = changed_at + timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    return PasswordState(
        changed_at=changed_at,
        expires_at=expires_at,
        must_change=bool(row and row.must_change_password),
        expired=now >= expires_at,
    )


def two_factor_required(user) -> bool:
    """Leaders and the three administrators must use a second factor (not demo accounts
    in demo mode)."""
    if is_demo_exempt(user):
        return False
    # The roles come from the user's scope, which every request loads anyway.
    return bool(scope_for(user).roles & set(settings.TWO_FACTOR_REQUIRED_ROLES))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
