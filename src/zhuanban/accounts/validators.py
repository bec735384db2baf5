"""Password rules of the platform's policy (GB/T 22239 level 3, OWASP ASVS L2) that
Django does not ship: several character classes, and never the username."""

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("lowercase", lambda c: c in string.ascii_lowercase),
    ("uppercase", lambda c: c in string.ascii_uppercase),
    ("digit", lambda c: c.isdigit()),
    # Anything else printable counts as a symbol (punctuation, CJK characters, spaces).
    ("symbol", lambda c: not c.isalnum() or not c.isascii()),
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CLASSES for c in password if test(c)}


class CharacterClassesValidator:
    """At least `min_classes` of: lowercase letters, uppercase letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(self.message(), code="password_too_few_classes")

    def message(self) -> str:
        return ngettext(
            "The password must contain characters of at least %(n)d kind: lowercase letters, "
            "uppercase letters, digits and symbols.",
            "The password must contain characters of at least %(n)d of these kinds: lowercase "
            "letters, uppercase letters, digits and symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}

    def get_help_text(self) -> str:
        return self.message()


class NotUsernameValidator:
    """The password is not the username and does not contain it (ignoring case)."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        username = (user.get_username() or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError(
                _("The password must not be or contain the username."),
                code="password_contains_username",
            )

    def get_help_text(self) -> str:
        return _("Your password must not be or contain your username.")


class PasswordHistoryValidator:
    """Not the current password, nor one of the `count` before it."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from zhuanban.accounts.models import PasswordHistory

        previous = [user.password] if user.has_usable_password() else []
        previous += PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
            : max(self.count - 1, 0)
        ]
        if any(check_password(password, encoded) for encoded in previous):
            raise ValidationError(
                ngettext(
                    "The new password must differ from your current password.",
                    "The new password must differ from your last %(n)d passwords.",
                    self.count,
                )
                % {"n": self.count},
                code="password_reused",
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password cannot be your current password.",
            "Your password cannot be one of your last %(n)d passwords.",
            self.count,
        ) % {"n": self.count}
