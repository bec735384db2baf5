"""Every change to an account's security state: passwords, second factor, recovery codes.

Each function validates, writes, and records the audit event (never a password or a
secret) in one transaction.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhuanban.accounts import policy
from zhuanban.accounts.models import AccountSecurity, PasswordHistory, RecoveryCode
from zhuanban.accounts.validators import PasswordHistoryValidator
from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _set_password(*, user, new_password: str, must_change: bool) -> AccountSecurity:
    validators = password_validation.get_default_password_validators()
    if must_change:
        # An issued password is temporary: the history rule applies to the user's own
        # choice at the next login (the admin forms have already set it on `user`).
        validators = [v for v in validators if not isinstance(v, PasswordHistoryValidator)]
    password_validation.validate_password(new_password, user, validators)
    if user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        # Keep what the policy compares against; older hashes serve no purpose.
        kept = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
            : settings.PASSWORD_HISTORY_COUNT
        ]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(kept)).delete()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    row = AccountSecurity.for_user(user)
    row.password_changed_at = timezone.now()
    row.must_change_password = must_change
    row.save(update_fields=["password_changed_at", "must_change_password"])
    user._zhuanban_account_security = row
    return row


@transaction.atomic
def password_change(*, user, new_password: str, actor) -> AccountSecurity:
    """The user's own change: validated against the policy; clears a forced change.

    The view calls `update_session_auth_hash` so the session stays signed in."""
    return _password_set(user, new_password, actor, must_change=False, by="the user")


@transaction.atomic
def password_issue(*, user, new_password: str, actor) -> AccountSecurity:
    """An administrator sets a password (new account or reset): the user must change it
    at the next login."""
    return _password_set(user, new_password, actor, must_change=True, by="an administrator")


def _password_set(user, new_password: str, actor, *, must_change: bool, by: str):
    row = _set_password(user=user, new_password=new_password, must_change=must_change)
    audit.record(
        actor=actor,
        action=AuditAction.PASSWORD_CHANGE,
        instance=user,
        after={
            "password_changed_at": row.password_changed_at,
            "must_change_password": must_change,
        },
        message=f"password {'issued' if must_change else 'changed'} by {by}",
    )
    return row


@transaction.atomic
def mark_demo_account(*, user) -> AccountSecurity:
    row = AccountSecurity.for_user(user)
    if not row.is_demo_account:
        row.is_demo_account = True
        row.save(update_fields=["is_demo_account"])
    return row


# --- two-factor authentication -------------------------------------------------------


def _digest(code: str) -> str:
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user), created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def _issue_recovery_codes(user) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(c)) for c in codes)
    return codes


@transaction.atomic
def totp_enrol(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm `device` with a code from the app; returns the new recovery codes (shown
    once), or None when the code is wrong."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _issue_recovery_codes(user)
    audit.record(
        actor=user,
        action=AuditAction.TWO_FACTOR,
        instance=user,
        message="two-factor authentication enrolled",
    )
    return codes


def totp_disable(*, user, actor) -> None:
    """Remove the user's second factor; refused (and the refusal audited) for roles that
    require one."""
    if policy.two_factor_required(user):
        audit.record(
            actor=actor,
            action=AuditAction.TWO_FACTOR,
            instance=user,
            message="two-factor disable refused: required for this role",
            outcome=AuditOutcome.DENIED,
        )
        raise PermissionDenied
    with transaction.atomic():
        _remove_second_factor(user, actor, "two-factor authentication disabled")


@transaction.atomic
def totp_reset(*, user, actor) -> None:
    """The security administrator removes a lost second factor; a role that requires one
    enrols again at the next login."""
    _remove_second_factor(
        user, actor, "two-factor authentication reset by the security administrator"
    )


def _remove_second_factor(user, actor, message: str) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit.record(actor=actor, action=AuditAction.TWO_FACTOR, instance=user, message=message)


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    if policy.confirmed_device(user) is None:
        raise PermissionDenied
    codes = _issue_recovery_codes(user)
    audit.record(
        actor=user,
        action=AuditAction.TWO_FACTOR,
        instance=user,
        message="recovery codes regenerated",
    )
    return codes


@transaction.atomic
def recovery_code_use(*, user, code: str) -> bool:
    """Spend one unused recovery code; True when it was valid."""
    used = RecoveryCode.objects.filter(
        user=user, digest=_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if used:
        audit.record(
            actor=user,
            action=AuditAction.TWO_FACTOR,
            instance=user,
            message="recovery code used to sign in",
        )
    return bool(used)


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
