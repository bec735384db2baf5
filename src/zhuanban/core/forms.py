"""Form fields every app's upload forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from zhuanban.core.files import check_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): cleans to a list, empty
    when nothing was chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def check_each_upload(uploads, *, allowed, max_files: int, refused: list) -> list:
    """Every file checked by its content before anything is stored, so that all the
    refused files are named at once and none of the others is kept for nothing. Each
    refusal goes into `refused` as (upload, error): the view records it outside the
    transaction the refusal rolls back."""
    if len(uploads) > max_files:
        raise ValidationError(
            ngettext(
                "At most %(n)s file can be attached to one report.",
                "At most %(n)s files can be attached to one report.",
                max_files,
            )
            % {"n": max_files},
            code="too_many_files",
        )
    problems = []
    for upload in uploads:
        try:
            check_upload(upload, allowed=set(allowed))
        except ValidationError as error:
            refused.append((upload, error))
            problems.extend(f"{upload.name}：{message}" for message in error.messages)
    if problems:
        raise ValidationError(problems)
    return uploads
