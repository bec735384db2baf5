"""Forms of the opinion rounds (征求意见): opening a round, answering it, and recording
whether each opinion was adopted. They only read and shape input: every rule about who
may do what, and when, is the services' (documents.services)."""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from zhuanban.documents.models import (
    Disposition,
    Document,
    Opinion,
    OpinionRequest,
    OpinionRound,
)
from zhuanban.documents.services import CONSULTABLE_KINDS
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role, UnitKind

User = get_user_model()

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The groups of the units offered, in this order: counties first, as letters list them.
UNIT_KIND_ORDER = [
    UnitKind.COUNTY,
    UnitKind.DEPARTMENT,
    UnitKind.SECTION,
    UnitKind.MEMBER_UNIT,
    UnitKind.OFFICE,
    UnitKind.BUREAU,
    UnitKind.ASSOCIATION,
]
# An answer has rarely more than a few dozen opinions; a form of thousands is not ours.
MAX_OPINION_ROWS = 200
BLANK_OPINION_ROWS = 3
OPINION_MAX_CHARS = 5000


def _label(model, field: str) -> str:
    return capfirst(model._meta.get_field(field).verbose_name)


# --- opening a round ----------------------------------------------------------------------------


@dataclass
class UnitChoice:
    pk: int
    name: str
    checked: bool


@dataclass
class UnitGroup:
    kind: str
    label: str
    units: list[UnitChoice]
    all_checked: bool


def consultable_units(document: Document) -> list[OrgUnit]:
    """The units a round on `document` may consult (every active unit of the kinds the
    service accepts, but the drafting office itself), in the order of UNIT_KIND_ORDER."""
    order = {kind: position for position, kind in enumerate(UNIT_KIND_ORDER)}
    units = (
        OrgUnit.objects.active()
        .filter(kind__in=CONSULTABLE_KINDS)
        .exclude(pk=document.office_id)
        .select_related("parent")
    )
    return sorted(units, key=lambda u: (order.get(u.kind, len(order)), u.sort_order, u.code))


def unit_label(unit: OrgUnit) -> str:
    """A department of a county carries the county's name: two counties' 农牧局 differ."""
    if unit.kind != UnitKind.COUNTY and unit.parent and unit.parent.kind == UnitKind.COUNTY:
        return f"{unit.parent.name} · {unit.name}"
    return unit.name


def bureau_leaders() -> QuerySet:
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.LEADER)
        .distinct()
        .order_by("first_name", "username")
    )


class RoundOpenForm(forms.Form):
    draft = forms.ModelChoiceField(
        label=_label(OpinionRound, "draft"), queryset=None, empty_label=None
    )
    deadline = forms.DateField(label=_label(OpinionRound, "deadline"), widget=DATE_INPUT)
    letter = forms.CharField(
        label=_("Request letter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=OpinionRound._meta.get_field("letter").help_text,
    )
    people = forms.ModelMultipleChoiceField(
        label=_("Bureau leaders to consult"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.TypedMultipleChoiceField(label=_("Units to consult"), coerce=int, required=False)
    # "All counties" and the like: a group ticked as a whole, which works without JS.
    all_of = forms.MultipleChoiceField(required=False, choices=[])

    def __init__(self, *args, document: Document, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        versions = document.versions.order_by("-number")
        self.fields["draft"].queryset = versions
        self.fields["draft"].label_from_instance = self._version_label
        latest = versions.first()
        if latest is not None:
            self.fields["draft"].initial = latest.pk
        self.fields["people"].queryset = bureau_leaders()
        self.fields["people"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.unit_objects = {unit.pk: unit for unit in consultable_units(document)}
        self.fields["units"].choices = [(pk, unit.name) for pk, unit in self.unit_objects.items()]
        kinds = dict.fromkeys(unit.kind for unit in self.unit_objects.values())
        self.fields["all_of"].choices = [(kind, UnitKind(kind).label) for kind in kinds]

    @staticmethod
    def _version_label(version) -> str:
        label = _("Version %(n)s") % {"n": version.number}
        return f"{label} {version.label}".strip()

    def clean(self):
        data = super().clean()
        whole = set(data.get("all_of") or [])
        chosen = dict.fromkeys(data.get("units") or [])  # ordered, unique
        for pk, unit in self.unit_objects.items():
            if unit.kind in whole:
                chosen[pk] = None
        data["units"] = [self.unit_objects[pk] for pk in chosen]
        return data

    def unit_groups(self) -> list[UnitGroup]:
        """The units by kind with whether each is ticked (as submitted, or none yet), for
        the template's checkbox groups."""
        if self.is_bound:
            ticked = {str(value) for value in self.data.getlist("units")}
            whole = set(self.data.getlist("all_of"))
        else:
            ticked, whole = set(), set()
        groups: dict[str, UnitGroup] = {}
        for pk, unit in self.unit_objects.items():
            group = groups.setdefault(
                unit.kind,
                UnitGroup(
                    kind=unit.kind,
                    label=str(UnitKind(unit.kind).label),
                    units=[],
                    all_checked=unit.kind in whole,
                ),
            )
            group.units.append(
                UnitChoice(pk, unit_label(unit), group.all_checked or str(pk) in ticked)
            )
        return list(groups.values())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "draft": data["draft"],
            "deadline": data["deadline"],
            "letter": data["letter"],
            "people": list(data["people"]),
            "units": data["units"],
        }


# --- answering ----------------------------------------------------------------------------------


class OpinionRowForm(forms.Form):
    """One opinion of an answer. Both fields may be blank: a blank row is ignored, and
    a clause without text is the service's to refuse (with the opinion's number)."""

    location = forms.CharField(
        label=_label(Opinion, "location"),
        required=False,
        max_length=100,
        help_text=Opinion._meta.get_field("location").help_text,
    )
    text = forms.CharField(
        label=_label(Opinion, "text"),
        required=False,
        max_length=OPINION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


OpinionRowFormSet = forms.formset_factory(
    OpinionRowForm,
    extra=BLANK_OPINION_ROWS,
    max_num=MAX_OPINION_ROWS,
    absolute_max=MAX_OPINION_ROWS,
    validate_max=True,
)


class NoOpinionForm(forms.Form):
    no_opinion = forms.BooleanField(
        label=_("No opinion"),
        required=False,
        help_text=_("Tick this instead of writing opinions if you have none."),
    )


def answer_forms(
    data=None, *, ask: OpinionRequest, opinions: list[Opinion]
) -> tuple[OpinionRowFormSet, NoOpinionForm]:
    """The opinion rows of a request (its answer so far, then blank rows) and the 无意见
    box."""
    initial = [{"location": o.location, "text": o.text} for o in opinions]
    rows = OpinionRowFormSet(data, initial=initial, prefix="opinions")
    no_opinion = NoOpinionForm(data, initial={"no_opinion": ask.no_opinion})
    return rows, no_opinion


def opinions_of(rows: OpinionRowFormSet) -> list[dict]:
    return [
        {
            "location": form.cleaned_data.get("location", ""),
            "text": form.cleaned_data.get("text", ""),
        }
        for form in rows.forms
        if form.cleaned_data
    ]


# --- adoption -----------------------------------------------------------------------------------


class DispositionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    disposition = forms.ChoiceField(
        label=_label(Opinion, "disposition"),
        choices=[
            (value, label) for value, label in Disposition.choices if value != Disposition.PENDING
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_label(Opinion, "reason"),
        required=False,
        max_length=OPINION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the opinion is partly adopted or not adopted."),
    )

    def __init__(self, *args, opinion: Opinion, **kwargs):
        kwargs.setdefault("auto_id", f"op{opinion.pk}-%s")
        kwargs.setdefault(
            "initial",
            {
                "version": opinion.version,
                "disposition": ""
                if opinion.disposition == Disposition.PENDING
                else opinion.disposition,
                "reason": opinion.reason,
            },
        )
        super().__init__(*args, **kwargs)
        self.opinion = opinion

    def fresh_version(self, version: int) -> None:
        """Keep what was typed, but against the opinion as it is now: saving again after
        a refused stale save is a decision taken knowingly."""
        data = self.data.copy()
        data["version"] = str(version)
        self.data = data
