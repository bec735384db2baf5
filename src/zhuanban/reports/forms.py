"""Forms of the bulletin screens: the archive's filters, a new issue, the issue's fields,
a section written by hand, a section drafted from data, publishing. They shape what the
user typed; `services` decides whether it may be saved (one set of rules, one message
catalogue), and the views put the services' errors back on the form by field."""

import datetime
import json

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhuanban.dispatch.scoping import visible_rounds
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role
from zhuanban.org.scoping import scope_for
from zhuanban.reports import generators
from zhuanban.reports.models import Bulletin, Section, Series
from zhuanban.tasks.scoping import visible_lists

SEARCH_MAX = 100
ROUND_CHOICES = 300  # the latest rounds offered to draft from
DRAFT_PARAMS = ("task_list", "round", "unit", "office")
# Parameters a generator may do without: no unit is the bureau (all the user sees), no
# office is every office.
OPTIONAL_PARAMS = frozenset({"unit", "office"})


def _bulletin_field(name: str, **kwargs) -> forms.Field:
    return Bulletin._meta.get_field(name).formfield(**kwargs)


def _section_field(name: str, **kwargs) -> forms.Field:
    return Section._meta.get_field(name).formfield(**kwargs)


def _date_widget(today: datetime.date) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "max": today.isoformat()}, format="%Y-%m-%d")


class VersionForm(forms.Form):
    """The bulletin's version as the page knew it: a change made on a stale page is
    refused (409), never written over someone else's."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def expected_version(self) -> int:
        # A form posted without it is as stale as can be: no version is 0.
        return self.cleaned_data.get("version") or 0


# --- the archive ------------------------------------------------------------------------------


class ArchiveFilterForm(forms.Form):
    """The archive's filters (GET): a series, a year, words to find. A value that is not
    one of the choices (a stale or hand-edited address) is left out, never an error."""

    series = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Words"), required=False, max_length=SEARCH_MAX)

    def __init__(self, data, *, series: list[Series], years: list[int], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["series"].choices = [("", "—"), *[(s.pk, s.name) for s in series]]
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("e.g. beef cattle stock"), "autocomplete": "off"}
        )
        self.is_valid()
        self.values = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }


# --- an issue ---------------------------------------------------------------------------------


class BulletinFieldsForm(VersionForm):
    """The issue's own fields, as its editor changes them."""

    title = _bulletin_field("title")
    compiled_by = _bulletin_field("compiled_by")
    signed_by = _bulletin_field("signed_by")
    distribution = _bulletin_field("distribution", widget=forms.Textarea(attrs={"rows": 2}))

    FIELDS = ("title", "compiled_by", "signed_by", "distribution")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.FIELDS}


class BulletinCreateForm(forms.Form):
    """A new issue: the series (one the user composes) and the issue's fields."""

    series = forms.ModelChoiceField(
        label=Bulletin._meta.get_field("series").verbose_name,
        queryset=Series.objects.none(),
        empty_label=None,
    )
    title = _bulletin_field("title")
    compiled_by = _bulletin_field("compiled_by")
    signed_by = _bulletin_field("signed_by")
    distribution = _bulletin_field("distribution", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, series: QuerySet[Series], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["series"].queryset = series.select_related("issuer").order_by(
            "sort_order", "pk"
        )
        self.fields["series"].label_from_instance = lambda s: f"{s.name}（{s.issuer.name}）"

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in BulletinFieldsForm.FIELDS}


# --- sections ---------------------------------------------------------------------------------


class SectionForm(VersionForm):
    """A section's heading, text and place in the issue (a new one goes last)."""

    heading = _section_field("heading", required=False)
    body = _section_field("body", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    position = forms.IntegerField(
        label=Section._meta.get_field("position").verbose_name,
        min_value=1,
        max_value=999,
        required=False,
    )


class GenerateForm(VersionForm):
    """ "Draft a section from data": what to draft it from (a registered generator), the
    parameters it takes — a task list, a dispatch round, an office or a county, offered
    from what the user sees — and the date the figures are as of."""

    source = forms.ChoiceField(label=_("Draft from"))
    task_list = forms.TypedChoiceField(
        label=_("Task list"), coerce=int, required=False, empty_value=None
    )
    round = forms.TypedChoiceField(
        label=_("Dispatch round"), coerce=int, required=False, empty_value=None
    )
    unit = forms.TypedChoiceField(
        label=_("Office or county"), coerce=int, required=False, empty_value=None
    )
    office = forms.TypedChoiceField(label=_("Office"), coerce=int, required=False, empty_value=None)
    as_of = forms.DateField(label=_("Figures as of"))

    def __init__(self, data=None, *, user, today: datetime.date, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("as_of", today)
        super().__init__(data, **kwargs)
        self.today = today
        self.generators = dict(generators.GENERATORS)
        self.fields["source"].choices = [
            ("", "—"),
            *[(key, gen.label) for key, gen in self.generators.items()],
        ]
        self.fields["as_of"].widget = _date_widget(today)
        used = {param for gen in self.generators.values() for param in gen.params}
        for name in DRAFT_PARAMS:
            if name not in used:
                del self.fields[name]
        if "task_list" in self.fields:
            lists = visible_lists(user).order_by("-year", "title").values_list("pk", "title")
            self.fields["task_list"].choices = [("", "—"), *lists]
        if "round" in self.fields:
            rounds = (
                visible_rounds(user)
                .order_by("-opens_on", "-pk")
                .values_list("pk", "title")[:ROUND_CHOICES]
            )
            self.fields["round"].choices = [("", "—"), *rounds]
        if "unit" in self.fields or "office" in self.fields:
            offices, counties = _units(user)
            if "unit" in self.fields:
                self.fields["unit"].choices = [
                    ("", _("The bureau (everything you see)")),
                    (_("Offices"), offices),
                    (_("Counties"), counties),
                ]
            if "office" in self.fields:
                self.fields["office"].choices = [("", _("Every office")), *offices]

    def params_json(self) -> str:
        """{source: [parameters]}: which fields bulletins.js shows for the chosen source."""
        return json.dumps({key: list(gen.params) for key, gen in self.generators.items()})

    def param_fields(self) -> list:
        return [self[name] for name in DRAFT_PARAMS if name in self.fields]

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > self.today:
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return as_of

    def clean(self):
        data = super().clean()
        self.params: dict = {}
        generator = self.generators.get(data.get("source") or "")
        if generator is None:
            return data
        for name in generator.params:
            if name not in self.fields:
                continue
            value = data.get(name)
            if value is None:
                if name not in OPTIONAL_PARAMS and name not in self.errors:
                    self.add_error(name, forms.ValidationError(_("Choose one."), code="required"))
                continue
            self.params[name] = value
        return data


def _units(user) -> tuple[list, list]:
    """The offices and counties the user may draft about: leaders and those who see
    every unit, every office and county; office staff their offices; county people
    their county."""
    scope = scope_for(user)
    offices = OrgUnit.objects.offices().active().order_by("sort_order", "code")
    if not (scope.has_role(Role.LEADER) or scope.sees_all_units):
        offices = offices.filter(pk__in=scope.office_ids)
    counties = scope.units().counties().active().order_by("sort_order", "code")
    return (
        list(offices.values_list("pk", "name")),
        list(counties.values_list("pk", "name")),
    )


# --- publishing -------------------------------------------------------------------------------


class PublishForm(VersionForm):
    issue_date = forms.DateField(label=Bulletin._meta.get_field("issue_date").verbose_name)

    def __init__(self, data=None, *, today: datetime.date, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("issue_date", today)
        super().__init__(data, **kwargs)
        self.fields["issue_date"].widget = _date_widget(today)
