"""User-facing errors shared by every app, and how a redirecting view shows them."""

from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _


class ConcurrentEditError(ValidationError):
    """Someone else saved the record since it was loaded (optimistic locking): the
    message tells the user what to do, and nothing of theirs was written."""

    def __init__(self, message: str):
        super().__init__(message, code="concurrent_edit")


def check_version(instance, expected_version: int | None) -> None:
    """Refuse a change made on a page drawn before someone else's (the record's
    `version` moved on since); None skips the check (a caller without a page)."""
    if expected_version is not None and instance.version != expected_version:
        raise ConcurrentEditError(
            _("Someone else changed this in the meantime. Reload the page and try again.")
        )


def errors_to_messages(request, error: ValidationError) -> None:
    """A refused action on a page that redirects: each message of the error, flashed."""
    for message in error.messages:
        messages.error(request, message)


class FieldErrors:
    """Problems gathered by field before anything is written, raised together: the user
    fixes everything at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str | None, message: str, code: str) -> None:
        self.by_field.setdefault(field or NON_FIELD_ERRORS, []).append(
            ValidationError(message, code=code)
        )

    def merge(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.by_field.setdefault(field, []).extend(errors)
        else:
            self.by_field.setdefault(NON_FIELD_ERRORS, []).extend(error.error_list)

    def full_clean(self, instance, exclude: Iterable[str] = ()) -> None:
        """The model's own checks (constraints are the services' to check in context)."""
        try:
            instance.full_clean(exclude=list(exclude), validate_constraints=False)
        except ValidationError as error:
            self.merge(error)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors on the form: by field where the form has that field, else at
    the top (a service may name things the form does not show)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def is_concurrent_edit(error: ValidationError) -> bool:
    """Whether a service refused because the page was stale (`ConcurrentEditError`),
    wherever in the error it sits: the view then answers 409 with its message."""
    errors = (
        [e for items in error.error_dict.values() for e in items]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return any(e.code == "concurrent_edit" for e in errors)
