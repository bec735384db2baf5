"""Forms of the promotion-activity screens: the list's filters and the activity's record.
They shape what the user typed; `services.activity_save` decides whether it may be saved
(one message catalogue, one set of rules)."""

import datetime

from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from zhuanban.investment import scoping
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.models import Activity, ActivityKind, Project
from zhuanban.investment.selectors_activities import project_choices
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind

SEARCH_MAX = 100
PROJECT_SELECT_ROWS = 12
# The units that organise promotion activities, in the order the form offers them.
ORGANISER_KINDS = (UnitKind.OFFICE, UnitKind.COUNTY, UnitKind.BUREAU, UnitKind.SECTION)


def _label(field: str):
    """An activity field's own (translated) name, as a form label."""
    return lazy(lambda: capfirst(Activity._meta.get_field(field).verbose_name), str)()


# --- the list's filters ---------------------------------------------------------------------


class ActivityFilterForm(forms.Form):
    """The list's filters (GET). The year defaults to this year ("all" for every year);
    a county or "city" for the activities held at the city level. A value that is not
    one of the choices (a stale or hand-edited address) is left out, never an error."""

    ALL = "all"
    CITY = "city"

    year = forms.ChoiceField(label=_("Year"), required=False)
    kind = forms.ChoiceField(
        label=_label("kind"), choices=[("", "—"), *ActivityKind.choices], required=False
    )
    county = forms.ChoiceField(label=_label("county"), required=False)
    q = forms.CharField(label=_("Text contains"), required=False, max_length=SEARCH_MAX)

    def __init__(self, data, *, years: list[int], counties: QuerySet[OrgUnit], today, **kwargs):
        data = data.copy()
        if not data.get("year"):
            data["year"] = str(today.year)
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [
            *[(str(year), str(year)) for year in years],
            (self.ALL, _("All years")),
        ]
        self.fields["county"].choices = [
            ("", "—"),
            (self.CITY, _("City level (市本级)")),
            *[(str(county.pk), county.name) for county in counties],
        ]
        self.is_valid()
        self.values = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }
        self.default_year = today.year

    @property
    def chosen_year(self) -> int | None:
        """The year shown: the one chosen, None for all years, this year by default."""
        value = self.values.get("year")
        if value == self.ALL:
            return None
        return int(value) if value else self.default_year

    @property
    def filtered(self) -> bool:
        """Whether a filter other than the year is in force."""
        return any(self.values.get(name) for name in ("kind", "county", "q"))

    def criteria(self) -> dict:
        """The filters as `selectors_activities.filter_activities` takes them."""
        county = self.values.get("county", "")
        return {
            "year": self.chosen_year,
            "kind": self.values.get("kind", ""),
            "county": int(county) if county and county != self.CITY else None,
            "city_level": county == self.CITY,
            "text": self.values.get("q", ""),
        }


# --- an activity's record -------------------------------------------------------------------


def _organisers(current: int | None = None) -> QuerySet[OrgUnit]:
    """The units that organise activities (and the one an activity names, were it since
    closed), offices first."""
    order = Case(
        *[When(kind=kind, then=Value(index)) for index, kind in enumerate(ORGANISER_KINDS)],
        output_field=IntegerField(),
    )
    return (
        OrgUnit.objects.filter(Q(kind__in=ORGANISER_KINDS, is_active=True) | Q(pk=current))
        .annotate(kind_order=order)
        .order_by("kind_order", "sort_order", "code")
    )


def _project_label(project: Project, year: int) -> str:
    parts = [project.name, str(Stage(project.stage).label)]
    if project.year != year:
        parts.append(str(project.year))
    return " · ".join(parts)


def _posted_year(data) -> int | None:
    try:
        return datetime.date.fromisoformat((data or {}).get("date", "")).year
    except (TypeError, ValueError):
        return None


class ActivityForm(forms.ModelForm):
    """What the investment office (any county, or the city level) or a county's liaison
    (their own county, fixed; the county organises it) records of an activity, and the
    projects it produced: projects the user sees of the activity's year or the year
    before, grouped by county."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    projects = forms.TypedMultipleChoiceField(
        label=_label("projects"),
        coerce=int,
        required=False,
        help_text=_(
            "Projects of the activity's year or the year before. Hold Ctrl (⌘ on a Mac) "
            "to choose several."
        ),
    )

    class Meta:
        model = Activity
        fields = (
            "kind",
            "title",
            "date",
            "place",
            "organiser",
            "county",
            "leader",
            "participants",
            "summary",
        )
        widgets = {
            "participants": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, data=None, *, user, today: datetime.date, instance=None, **kwargs):
        editing = instance is not None and instance.pk is not None
        if editing:
            kwargs.setdefault("initial", {})["version"] = instance.version
        super().__init__(data, instance=instance, **kwargs)
        self.user = user
        self.editing = editing
        self.fields["kind"].choices = [("", "—"), *ActivityKind.choices]
        self.fields["date"].widget = forms.DateInput(
            attrs={"type": "date", "max": today.isoformat()}, format="%Y-%m-%d"
        )
        self.counties = scoping.counties_entered_by(user)
        county = self.fields["county"]
        if self.counties is None:  # the investment office: any county, or the city level
            county.queryset = OrgUnit.objects.counties().order_by("sort_order", "code")
            county.empty_label = _("City level (市本级)")
            county.help_text = _("Leave it at the city level for an activity of the city.")
            self.fields["organiser"].queryset = _organisers(
                instance.organiser_id if editing else None
            )
            self.fields["organiser"].empty_label = "—"
            if not editing:
                self.fields["organiser"].initial = scoping.investment_office_id()
        else:  # a county's liaison: their own county, which organises it
            county.queryset = OrgUnit.objects.filter(pk__in=self.counties).order_by(
                "sort_order", "code"
            )
            county.required = True
            county.empty_label = None
            county.help_text = _("Your county holds the activity and is its organiser.")
            if len(self.counties) == 1:
                county.initial = self.counties[0]
                county.disabled = True
            del self.fields["organiser"]
        if not editing:
            del self.fields["version"]
        self._set_project_choices(data, instance if editing else None, today)

    def _set_project_choices(self, data, instance: Activity | None, today: datetime.date) -> None:
        year = instance.date.year if instance is not None else today.year
        years = {year, year - 1}
        posted = _posted_year(data)
        if posted is not None:
            years |= {posted, posted - 1}
        keep = list(instance.projects.values_list("pk", flat=True)) if instance else []
        if instance is not None:
            self.initial.setdefault("projects", keep)
        groups: dict[str, list] = {}
        self.project_objects = {}
        for project in project_choices(self.user, years, keep):
            self.project_objects[project.pk] = project
            groups.setdefault(project.county.name, []).append(
                (project.pk, _project_label(project, posted or year))
            )
        field = self.fields["projects"]
        field.choices = list(groups.items())
        field.widget.attrs["size"] = str(
            min(PROJECT_SELECT_ROWS, max(4, len(self.project_objects) + len(groups)))
        )

    def clean(self):
        data = super().clean()
        if "organiser" not in self.fields:
            # A county records its own activities: the county organises them (an activity
            # someone else organised in the county keeps its organiser).
            if self.editing:
                data["organiser"] = self.instance.organiser
            elif data.get("county") is not None:
                data["organiser"] = data["county"]
        return data

    def service_fields(self) -> dict:
        """The activity's fields as `services.activity_save` takes them."""
        data = self.cleaned_data
        return {name: data.get(name) for name in self.Meta.fields}

    def produced(self) -> list[Project]:
        return [self.project_objects[pk] for pk in self.cleaned_data.get("projects", [])]
