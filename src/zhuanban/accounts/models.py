"""What the platform knows about a login beyond Django's user: password age, a forced
change, the demo flag, and the digests of two-factor recovery codes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountSecurity(models.Model):
    """Created lazily (`for_user`): a user without a row has a password as old as the
    account and no forced change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="account_security",
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when an administrator issues a password; cleared by the user's own change."
        ),
    )
    is_demo_account = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return self.user.get_username()

    @classmethod
    def for_user(cls, user) -> "AccountSecurity":
        row, _created = cls.objects.get_or_create(user=user)
        return row


class RecoveryCode(models.Model):
    """A single-use two-factor recovery code; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="recovery_codes",
    )
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.digest[:8]}"


class PasswordHistory(models.Model):
    """A password the user had before (its hash, as Django stores passwords), so that a
    change cannot go back to one of the last PASSWORD_HISTORY_COUNT."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    password = models.CharField(_("password hash"), max_length=128)
    replaced_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.replaced_at:%Y-%m-%d}"
