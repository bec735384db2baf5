"""Forms of the annual re-review (年度复审) and the sales screens. They only read and
shape input: every rule about who may do what, and when, and which figures a report
needs, is brand.services'."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.brand.lifecycle import REVIEW_REASON_REQUIRED, ReviewAction, ReviewStatus
from zhuanban.brand.models import Inspection, Review, ReviewRound, Sales
from zhuanban.core.forms import MultipleFileField, MultipleFileInput, check_each_upload
from zhuanban.org.models import OrgUnit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Logo-use evidence: photos of the packaging, or a PDF (a scanned sales record).
EVIDENCE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".pdf"})
EVIDENCE_MAX_FILES = 10
TEXT_MAX_CHARS = 5000


def _label(model, field: str) -> str:
    return capfirst(model._meta.get_field(field).verbose_name)


def _this_year() -> int:
    return timezone.localdate().year


class RoundOpenForm(forms.Form):
    year = forms.IntegerField(label=_label(ReviewRound, "year"))
    due_date = forms.DateField(label=_label(ReviewRound, "due_date"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_label(ReviewRound, "note"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What the licensees must report and attach; it is sent to each of them with the notice."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": _this_year()})
        super().__init__(*args, **kwargs)


class VersionedForm(forms.Form):
    # The review's version when the page was drawn: a concurrent change makes it stale.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def fresh_version(self, version: int) -> None:
        """Keep what was typed, but against the review as it is now: sending again after
        a refused stale report is a decision taken knowingly."""
        data = self.data.copy()
        data["version"] = str(version)
        self.data = data


class ReviewReportForm(VersionedForm):
    """The licensee's operating report. The figures are optional here: which ones a
    report needs is the service's to say, with its own messages."""

    sales = forms.DecimalField(
        label=_label(Review, "sales"), required=False, max_digits=14, decimal_places=2
    )
    output = forms.DecimalField(
        label=_label(Review, "output"), required=False, max_digits=12, decimal_places=2
    )
    complaints = forms.IntegerField(label=_label(Review, "complaints"), required=False)
    inspection = forms.ChoiceField(
        label=_label(Review, "inspection"),
        required=False,
        choices=Inspection.choices,
        widget=forms.RadioSelect,
    )
    inspection_note = forms.CharField(
        label=_label(Review, "inspection_note"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who inspected what, when, with which result (report numbers)."),
    )
    logo_note = forms.CharField(
        label=_label(Review, "logo_note"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which products and packaging carry the logo, sold through which channels."),
    )
    evidence = MultipleFileField(
        label=_label(Review, "evidence"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ",".join(sorted(EVIDENCE_EXTENSIONS))}),
    )

    def __init__(self, *args, review: Review, **kwargs):
        kwargs.setdefault("auto_id", "report-%s")
        kwargs.setdefault(
            "initial",
            {
                "version": review.version,
                "sales": review.sales,
                "output": review.output,
                "complaints": review.complaints,
                "inspection": review.inspection,
                "inspection_note": review.inspection_note,
                "logo_note": review.logo_note,
            },
        )
        super().__init__(*args, **kwargs)
        self.review = review
        self.refused: list[tuple] = []
        self.fields["evidence"].help_text = _(
            "Photos of the packaging (JPG, PNG) or PDF; up to %(n)s files."
        ) % {"n": EVIDENCE_MAX_FILES}

    def clean_evidence(self):
        return check_each_upload(
            self.cleaned_data.get("evidence") or [],
            allowed=EVIDENCE_EXTENSIONS,
            max_files=EVIDENCE_MAX_FILES,
            refused=self.refused,
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "sales": data["sales"],
            "output": data["output"],
            "complaints": data["complaints"],
            "inspection": data["inspection"],
            "inspection_note": data["inspection_note"],
            "logo_note": data["logo_note"],
            "evidence": data["evidence"],
            "expected_version": data["version"],
        }


class ReviewActForm(VersionedForm):
    """One of the office's conclusions: send back, pass, order rectification, remove."""

    action = forms.ChoiceField(widget=forms.HiddenInput, choices=ReviewAction.choices)
    comment = forms.CharField(
        label=pgettext_lazy("brand re-review", "Opinion"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_date = forms.DateField(label=_("Rectification deadline"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, action: str, review: Review | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"{action}-%s")
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("action", action)
        if review is not None:
            initial.setdefault("version", review.version)
        super().__init__(*args, **kwargs)
        # Not `action`, `label`: a template reads form.<name> as the field of that name.
        self.act = action
        self.act_label = ReviewAction(action).label
        comment = self.fields["comment"]
        if action in REVIEW_REASON_REQUIRED:
            comment.required = True
            comment.label = _("Reason")
        if action == ReviewAction.RECTIFY:
            comment.label = _("What must be fixed")
            comment.help_text = _(
                "The requirement the enterprise receives in its rectification item."
            )
            self.fields["due_date"].required = True
        else:
            del self.fields["due_date"]
        if action == ReviewAction.RETURN:
            comment.help_text = _("What the licensee must complete or correct.")

    @property
    def danger(self) -> bool:
        return self.act == ReviewAction.REMOVE


class RoundFilterForm(forms.Form):
    """The round page's filters; an unknown value is ignored, never an error page."""

    county = forms.ModelChoiceField(
        label=_("County"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *ReviewStatus.choices], required=False
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties

    def value(self, name: str):
        """The field's cleaned value, or None/"" when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ("" if name == "status" else None)


class SalesForm(forms.Form):
    """A year's sales figure of one enterprise, entered or corrected by the office (which
    years and figures are accepted is the service's to say)."""

    year = forms.IntegerField(label=_label(Sales, "year"))
    amount = forms.DecimalField(label=_label(Sales, "amount"), max_digits=14, decimal_places=2)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "sales-%s")
        super().__init__(*args, **kwargs)
