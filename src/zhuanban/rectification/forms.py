from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.forms import MultipleFileField, MultipleFileInput, check_each_upload
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.lifecycle import REASON_REQUIRED, Action, Status
from zhuanban.rectification.models import SourceKind
from zhuanban.tasks.models import Light

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# What a unit may bring as evidence from the field: photos and documents.
EVIDENCE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx"})
EVIDENCE_MAX_FILES = 10


class ItemFilterForm(forms.Form):
    """Shows the filters in force; the list parses the query itself (selectors), so a
    stale or hand-edited address never turns into an error."""

    text = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Status.choices], required=False
    )
    light = forms.ChoiceField(
        label=_("Light"),
        choices=[("", "—"), *((c, label) for c, label in Light.choices if c != Light.NONE)],
        required=False,
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
    )
    source_kind = forms.ChoiceField(
        label=_("Found by"), choices=[("", "—"), *SourceKind.choices], required=False
    )
    office = forms.ModelChoiceField(
        label=_("Verifying office"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in choices.items():
            self.fields[name].queryset = queryset


class VersionedForm(forms.Form):
    # The item's version when the page was drawn: a concurrent action makes it stale.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RespondForm(VersionedForm):
    text = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    evidence = MultipleFileField(
        label=_("Evidence"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ",".join(sorted(EVIDENCE_EXTENSIONS))}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused: list[tuple] = []
        self.fields["evidence"].help_text = _(
            "Photos (JPG, PNG), PDF, Word (.docx) or Excel (.xlsx); up to %(n)s files."
        ) % {"n": EVIDENCE_MAX_FILES}

    def clean_evidence(self):
        return check_each_upload(
            self.cleaned_data.get("evidence") or [],
            allowed=EVIDENCE_EXTENSIONS,
            max_files=EVIDENCE_MAX_FILES,
            refused=self.refused,
        )


class ActForm(VersionedForm):
    """accept, reject, urge, withdraw, reopen: a comment, required where it is a reason."""

    comment = forms.CharField(
        label=_("Comment or reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action in REASON_REQUIRED:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("Reason")
        if action == Action.ACCEPT:
            self.fields["comment"].label = _("Verification comment")


class ExtendForm(VersionedForm):
    due_date = forms.DateField(label=_("New deadline"), widget=DATE_INPUT)
    comment = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("rectification action", "Comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
