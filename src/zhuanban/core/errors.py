"""User-facing errors shared by every app, and how a redirecting view shows them."""

from django.contrib import messages
from django.core.exceptions import ValidationError


class ConcurrentEditError(ValidationError):
    """Someone else saved the record since it was loaded (optimistic locking): the
    message tells the user what to do, and nothing of theirs was written."""

    def __init__(self, message: str):
        super().__init__(message, code="concurrent_edit")


def errors_to_messages(request, error: ValidationError) -> None:
    """A refused action on a page that redirects: each message of the error, flashed."""
    for message in error.messages:
        messages.error(request, message)
