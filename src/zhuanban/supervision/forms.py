"""Forms for groups, visits and findings. They parse and offer choices within the user's
scope; the rules (periods, counties, dates, who may) live in services.py."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.forms import MultipleFileField, MultipleFileInput
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.supervision import selectors
from zhuanban.supervision.models import (
    FindingKind,
    InspectionGroup,
    Visit,
    VisitKind,
    VisitStatus,
)
from zhuanban.supervision.scoping import recordable_groups, visible_groups
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.scoping import visible_lists, visible_tasks

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Units a finding can concern and a rectification can be asked of.
RESPONSIBLE_KINDS = [
    UnitKind.COUNTY,
    UnitKind.DEPARTMENT,
    UnitKind.MEMBER_UNIT,
    UnitKind.SECTION,
    UnitKind.OFFICE,
    UnitKind.ASSOCIATION,
    UnitKind.ENTERPRISE,
]


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


def responsible_units():
    return (
        OrgUnit.objects.active().of_kind(*RESPONSIBLE_KINDS).order_by("kind", "sort_order", "code")
    )


def counties():
    return OrgUnit.objects.active().counties().order_by("sort_order", "code")


def organising_offices(user):
    """Offices a user may organise for: their own; every office for leaders and inspectors."""
    scope = scope_for(user)
    offices = OrgUnit.objects.active().offices().order_by("sort_order", "code")
    if scope.has_role(Role.LEADER, Role.INSPECTOR):
        return offices
    return offices.filter(pk__in=scope.office_ids)


def photo_input() -> MultipleFileInput:
    # On a phone this opens the camera (or the gallery) and takes several photos at once.
    return MultipleFileInput(
        attrs={"accept": "image/*", "capture": "environment", "class": "photo-input"}
    )


class GroupForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = InspectionGroup
        fields = [
            "name",
            "year",
            "office",
            "leader",
            "members",
            "counties",
            "task_lists",
            "topics",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "topics": forms.Textarea(attrs={"rows": 3}),
            "members": forms.SelectMultiple(attrs={"size": 8}),
            "counties": forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
            "task_lists": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = organising_offices(user)
        self.fields["leader"].queryset = selectors.group_leaders()
        self.fields["leader"].label_from_instance = person_label
        self.fields["members"].queryset = selectors.bureau_people()
        self.fields["members"].label_from_instance = person_label
        self.fields["counties"].queryset = counties()
        self.fields["task_lists"].queryset = visible_lists(user).order_by("-year", "title")
        self.fields["task_lists"].required = False
        self.fields["members"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["year"].initial = timezone.localdate().year

    def _post_clean(self):
        # The model's rules are the service's to check, with all other rules at once.
        pass


class VisitForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Visit
        fields = [
            "group",
            "office",
            "kind",
            "status",
            "date",
            "place",
            "county",
            "participants",
            "other_participants",
            "tasks",
            "topics",
            "summary",
        ]
        widgets = {
            "date": DATE_INPUT,
            "status": forms.RadioSelect(attrs={"class": "choice-list"}),
            "participants": forms.SelectMultiple(attrs={"size": 6}),
            "tasks": forms.SelectMultiple(attrs={"size": 6}),
            "topics": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = recordable_groups(user).order_by("-year", "name")
        self.fields["group"].help_text = _("A group's visit belongs to the group's office.")
        self.fields["office"].queryset = organising_offices(user)
        self.fields["office"].required = False
        self.fields["county"].queryset = counties()
        self.fields["participants"].queryset = selectors.bureau_people()
        self.fields["participants"].label_from_instance = person_label
        self.fields["participants"].required = False
        self.fields["tasks"].required = False
        self.fields["tasks"].queryset = self._tasks(user)
        self.fields["tasks"].label_from_instance = lambda t: f"{t.content[:40]}"
        if self.instance.pk:
            # The status changes through "carried out", not by editing; the office is the
            # group's, or stays the one the visit was recorded for.
            del self.fields["status"]
            del self.fields["office"]
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["status"].initial = VisitStatus.DONE
            self.fields["date"].initial = timezone.localdate()

    def _tasks(self, user):
        """Tasks one could check on a visit: the measures (not headings) already assigned,
        of the group's key works when the group names them."""
        tasks = (
            visible_tasks(user)
            .leaves()
            .exclude(status=TaskStatus.DRAFT)
            .filter(task_list__year__gte=timezone.localdate().year - 1)
            .only("pk", "content")
            .order_by("task_list_id", "sort_path")
        )
        group = self.initial.get("group") or self.instance.group if self.instance else None
        if isinstance(group, InspectionGroup) and group.task_lists.exists():
            tasks = tasks.filter(task_list__in=group.task_lists.all())
        chosen = list(self.instance.tasks.values_list("pk", flat=True)) if self.instance.pk else []
        if chosen:
            tasks = tasks | visible_tasks(user).filter(pk__in=chosen).only("pk", "content")
        return tasks

    def clean(self):
        data = super().clean()
        if (
            "office" in self.fields
            and not data.get("group")
            and not data.get("office")
            and "office" not in self.errors
        ):
            self.add_error("office", _("Choose the special office that organises the visit."))
        return data

    def _post_clean(self):
        pass


class MarkDoneForm(forms.Form):
    date = forms.DateField(label=_("Carried out on"), required=False, widget=DATE_INPUT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "done-%s")
        super().__init__(*args, **kwargs)


class FindingForm(forms.Form):
    """Written on site on a phone: one column, few fields, the rectification part only
    when it is needed (revealed by supervision/finding.js; always shown without it)."""

    kind = forms.ChoiceField(
        label=_("What was found"),
        choices=FindingKind.choices,
        initial=FindingKind.PROBLEM,
        widget=forms.RadioSelect(attrs={"class": "choice-list"}),
    )
    text = forms.CharField(
        label=pgettext_lazy("finding", "Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit concerned"), queryset=OrgUnit.objects.none(), required=False
    )
    photos = MultipleFileField(label=_("Photos"), required=False, widget=photo_input())
    rectify = forms.BooleanField(
        label=_("Needs rectification"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-reveals": "rectify-fields"}),
    )
    requirement = forms.CharField(
        label=_("What must be fixed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(label=_("Rectification deadline"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, visit: Visit | None = None, **kwargs):
        kwargs.setdefault("auto_id", "finding-%s")  # unique ids beside the page's other forms
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = responsible_units()
        if visit is not None and visit.county_id and not self.is_bound:
            self.fields["unit"].initial = visit.county_id


class RectifyForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=OrgUnit.objects.none(), required=False
    )
    requirement = forms.CharField(
        label=_("What must be fixed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(label=_("Rectification deadline"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rectify-%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = responsible_units()


class PhotosForm(forms.Form):
    photos = MultipleFileField(label=_("Photos"), required=False, widget=photo_input())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "visit-%s")
        super().__init__(*args, **kwargs)


class ReportForm(forms.Form):
    report_text = forms.CharField(
        label=_("Research report"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    report_file = forms.FileField(
        label=_("Report file (.docx or .pdf)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".docx,.pdf"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "report-%s")
        super().__init__(*args, **kwargs)


class VisitFilterForm(forms.Form):
    """Only displays the filters in force; views parse them with `visit_filters()`."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *VisitKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *VisitStatus.choices], required=False
    )
    county = forms.ModelChoiceField(
        label=_("County"), queryset=OrgUnit.objects.none(), required=False
    )
    group = forms.ModelChoiceField(
        label=_("Inspection group"), queryset=InspectionGroup.objects.none(), required=False
    )
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=OrgUnit.objects.none(), required=False
    )
    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = (
            scope_for(user).units().counties().order_by("sort_order", "code")
        )
        self.fields["group"].queryset = visible_groups(user).order_by("-year", "name")
        self.fields["office"].queryset = OrgUnit.objects.offices().order_by("sort_order", "code")


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def parse_month(value: str | None) -> datetime.date | None:
    """ "2023-05" (what <input type=month> sends) as the first of that month; None if not."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return None


def visit_filters(query) -> selectors.VisitFilters:
    """The list's filters from a query string, leniently: a bad value filters nothing."""
    kind = query.get("kind", "")
    status = query.get("status", "")
    return selectors.VisitFilters(
        kind=kind if kind in VisitKind.values else "",
        status=status if status in VisitStatus.values else "",
        county=_int(query.get("county")),
        group=_int(query.get("group")),
        office=_int(query.get("office")),
        month=parse_month(query.get("month")),
        year=_int(query.get("year")),
    )


def year_from(query, default: int) -> int:
    year = _int(query.get("year"))
    return year if year and 2000 <= year <= 2100 else default
