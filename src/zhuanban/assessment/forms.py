"""Forms for schemes, their items and the units assessed. They parse and offer choices
within the user's scope; the rules (period order, grade bands, unique titles, what each
scoring method needs, design state) live in services.py and come back by field."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuanban.assessment.lifecycle import SchemeAction
from zhuanban.assessment.models import Item, Scheme
from zhuanban.assessment.services import ASSESSABLE_KINDS, ITEM_FIELDS, METHOD_NEEDS, SCHEME_FIELDS
from zhuanban.dispatch.scoping import visible_indicators, visible_templates
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.supervision.selectors import bureau_people
from zhuanban.tasks.scoping import visible_lists

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The order kinds are offered in when choosing units.
KIND_ORDER = [
    UnitKind.CITY,
    UnitKind.COUNTY,
    UnitKind.DEPARTMENT,
    UnitKind.SECTION,
    UnitKind.OFFICE,
    UnitKind.MEMBER_UNIT,
]


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


def grouped_units(kinds) -> list:
    """Active units of `kinds` as choices grouped by kind (one query)."""
    units = OrgUnit.objects.active().of_kind(*kinds).order_by("sort_order", "code")
    by_kind: dict[str, list] = {}
    for unit in units.only("pk", "name", "kind"):
        by_kind.setdefault(unit.kind, []).append((unit.pk, unit.name))
    return [
        (UnitKind(kind).label, by_kind[kind])
        for kind in sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99)
    ]


class SchemeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Scheme
        fields = ["office", *SCHEME_FIELDS, "reviewers"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 60}),
            "basis": forms.Textarea(attrs={"rows": 3}),
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "self_due": DATE_INPUT,
            "review_due": DATE_INPUT,
            "reviewers": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = bureau_people()
        self.fields["reviewers"].label_from_instance = person_label
        self.fields["reviewers"].required = False
        if self.instance.pk:
            # The office is fixed once the scheme exists.
            del self.fields["office"]
            self.fields["version"].initial = self.instance.version
        else:
            offices = OrgUnit.objects.offices().filter(pk__in=scope_for(user).office_ids)
            self.fields["office"].queryset = offices.order_by("sort_order", "code")
            if len(self.fields["office"].queryset) == 1:
                self.fields["office"].initial = self.fields["office"].queryset[0].pk
            self.fields["year"].initial = timezone.localdate().year

    def _post_clean(self):
        # The model's rules are the service's to check, all at once with its own.
        pass

    def scheme_data(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in SCHEME_FIELDS}


class ItemForm(forms.ModelForm):
    """An item's content, points and scoring method. Only the source the chosen method
    reads is kept; the page shows the fields of the chosen method (assessment.css)."""

    class Meta:
        model = Item
        fields = [*ITEM_FIELDS, "responsible_units"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "criteria": forms.Textarea(attrs={"rows": 3}),
            "evidence_required": forms.Textarea(attrs={"rows": 2}),
            "method": forms.RadioSelect,
            "responsible_units": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user, parent: Item | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        nested = (item.parent_id if item.pk else parent) is not None
        if nested:
            del self.fields["weight"]
        if item.pk and item.is_heading:
            # A heading's score is its sub-items': it has no method of its own.
            for name in ("method", "task_list", "indicator", "template", "points_per_notice"):
                del self.fields[name]
        else:
            self._limit_sources(user)
        units = OrgUnit.objects.active().of_kind(*(ASSESSABLE_KINDS - {UnitKind.CITY}))
        self.fields["responsible_units"].queryset = units.order_by("kind", "sort_order", "code")
        self.fields["responsible_units"].required = False
        self.fields["responsible_units"].help_text = _(
            "Units that supply evidence for this item (their people may file it)."
        )
        self.fields["responsible_text"].label = _("Responsible units as worded in the scheme")
        self.fields["responsible_text"].help_text = _(
            "The responsible units as the scheme document words them."
        )

    def _limit_sources(self, user):
        """Sources the user may see, plus the item's current one (chosen by a colleague)."""
        current = self.instance
        for name, queryset in (
            ("task_list", visible_lists(user).order_by("-year", "title")),
            ("indicator", visible_indicators(user).order_by("sort_order", "code")),
            ("template", visible_templates(user).order_by("title")),
        ):
            chosen = getattr(current, f"{name}_id", None)
            if chosen:
                queryset = queryset.model.objects.filter(
                    Q(pk__in=queryset.values("pk")) | Q(pk=chosen)
                ).order_by(*queryset.query.order_by)
            self.fields[name].queryset = queryset
        self.fields["task_list"].help_text = _("Tasks method: the list whose tasks are counted.")
        self.fields["indicator"].help_text = _("Indicator method: completion against target.")
        self.fields["template"].help_text = _("Dispatch method: the table whose reports count.")
        self.fields["points_per_notice"].help_text = _(
            "Notices method: points deducted for each supervision notice received."
        )

    def _post_clean(self):
        pass

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method:
            # Keep only the source the chosen method reads.
            for other, (field, _attr, _message) in METHOD_NEEDS.items():
                if other != method and field in data:
                    data[field] = None
        return data

    def item_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in ITEM_FIELDS if f in self.cleaned_data}


class UnitsForm(forms.Form):
    units = forms.TypedMultipleChoiceField(
        label=_("Units assessed"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "unit-choice"}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = grouped_units(ASSESSABLE_KINDS)

    def chosen_units(self) -> list[OrgUnit]:
        ids = self.cleaned_data.get("units") or []
        return list(OrgUnit.objects.filter(pk__in=ids))


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=SchemeAction.choices)
    reason = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False)


def year_from(query) -> int | None:
    try:
        year = int(query.get("year") or 0)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None
