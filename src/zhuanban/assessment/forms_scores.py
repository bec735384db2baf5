"""Forms of a unit's scorecard: self-scoring, review, evidence, the self-assessment's
submission and return, and a deduction's rectification.

The forms only take what was typed; the services judge it (a score above the item's
maximum, a missing reason, a closed scheme) and their errors go back on these forms by
field name, so the field names are the services' own.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A score is typed, not picked from a spinner: the service names the maximum when it is
# exceeded, which a browser's own range check would not do in the page's language.
SCORE_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6})


class VersionedForm(forms.Form):
    # The record's version when the page was drawn: someone else's change makes it stale.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def fresh_version(self, version: int) -> None:
        """Keep what was typed, but against the record as it is now (after a stale save
        was refused, saving again is a decision taken knowingly)."""
        data = self.data.copy()
        data["version"] = str(version)
        self.data = data


def _reason_widget(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class SelfScoreForm(VersionedForm):
    # A number is checked by the service (negative, above the maximum, decimals).
    self_score = forms.CharField(label=_("Self-assessed score"), max_length=12, widget=SCORE_INPUT)
    self_reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=_reason_widget(),
        help_text=_("What was done, and where the evidence is."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service asks for both and says so in its own words.
        self.fields["self_score"].required = False
        self.fields["self_reason"].required = False


class ReviewScoreForm(VersionedForm):
    review_score = forms.CharField(label=_("Review score"), max_length=12, widget=SCORE_INPUT)
    review_reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=_reason_widget(),
        help_text=_("What was deducted and why."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_score"].required = False
        self.fields["review_reason"].required = False


class ParticipantActForm(VersionedForm):
    """Submit the self-assessment (the unit), or return it with a reason (the office)."""

    SUBMIT, RETURN = "submit", "return"

    action = forms.ChoiceField(
        choices=[
            (SUBMIT, _("Submit the self-assessment")),
            (RETURN, pgettext_lazy("self-assessment action", "Return")),
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Reason for return"),
        required=False,
        max_length=2000,
        widget=_reason_widget(),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.RETURN and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason."))
        return cleaned


class EvidenceForm(forms.Form):
    """A file uploaded against an item, or a task's evidence linked instead (the same
    stored file)."""

    file = forms.FileField(label=_("Upload a file"), required=False)
    linked = forms.TypedChoiceField(
        label=_("Or link a file of a task"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    description = forms.CharField(
        label=pgettext_lazy("evidence", "Description"), required=False, max_length=200
    )

    def __init__(self, *args, linkable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["linked"].choices = [("", "—")] + [
            (
                stored.pk,
                f"{stored.name}（{filesizeformat(stored.size)}，{stored.uploaded_at:%Y-%m-%d}）",
            )
            for stored in linkable
        ]
        self.fields["file"].help_text = _("PDF, Word (.docx), Excel (.xlsx), JPG, PNG or text.")

    def clean(self):
        cleaned = super().clean()
        upload, linked = cleaned.get("file"), cleaned.get("linked")
        if "linked" in self.errors or "file" in self.errors:
            return cleaned
        if upload and linked:
            raise ValidationError(_("Upload a file or link one of a task, not both."), code="both")
        if not upload and not linked:
            raise ValidationError(
                _("Choose a file to upload, or a task's file to link."), code="none"
            )
        return cleaned


class RectifyForm(forms.Form):
    requirement = forms.CharField(
        label=_("What must be fixed"), max_length=5000, widget=_reason_widget(3)
    )
    due_date = forms.DateField(label=_("Rectification deadline"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The shared loop's service names what is missing.
        self.fields["requirement"].required = False
        self.fields["due_date"].required = False
