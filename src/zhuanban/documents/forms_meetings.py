"""Forms for meetings, agenda topics, decisions and the tasks that follow them. They
parse and offer choices within the user's scope; the rules (states, who may, what a
topic or a decision must hold) live in services.py and scoping.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.forms import MultipleFileField
from zhuanban.documents import scoping
from zhuanban.documents.lifecycle import WRITING_STAGES, MeetingAction, MeetingStatus, Outcome
from zhuanban.documents.lifecycle import Stage as DocStage
from zhuanban.documents.models import Meeting, MeetingKind, Topic
from zhuanban.org.models import OrgUnit, RoleAssignment
from zhuanban.org.roles import OFFICE_ROLES, Role, UnitKind

User = get_user_model()

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# Who sits at a meeting as a member (出席): the bureau's leaders and the offices' directors.
ATTENDING_ROLES = (Role.LEADER, Role.OFFICE_DIRECTOR)
# Units a decision's task can be led by or shared with (as in the task lists).
TASK_UNIT_KINDS = (UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.SECTION, UnitKind.MEMBER_UNIT)
# Documents an office can put before a meeting.
DELIBERABLE_STAGES = WRITING_STAGES | {DocStage.DELIBERATING}

TOPIC_ACTION_LABELS = {
    "approve": _("Put on the agenda"),
    "defer": pgettext_lazy("topic action", "Defer"),
    "withdraw": pgettext_lazy("topic action", "Withdraw"),
}


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


# --- choices within the user's scope -------------------------------------------------------------


def convening_units(user) -> list[OrgUnit]:
    """The units the user may convene a meeting for: the bureau and the offices (a
    handful of rows), as `scoping.can_convene` allows."""
    units = OrgUnit.objects.active().of_kind(UnitKind.BUREAU, UnitKind.OFFICE)
    return [
        u for u in units.order_by("kind", "sort_order", "code") if scoping.can_convene(user, u.pk)
    ]


def submitting_offices(user) -> list[OrgUnit]:
    """The offices for which the user submits topics."""
    offices = OrgUnit.objects.active().offices().order_by("sort_order", "code")
    return [o for o in offices if scoping.can_submit_topic(user, o.pk)]


def meeting_people(keep=()):
    """Bureau leaders and office directors (chair and members of a meeting), with the
    positions that describe them; `keep` (already chosen) stays choosable."""
    positions = RoleAssignment.objects.filter(role__in=ATTENDING_ROLES).select_related("unit")
    chosen = [u.pk for u in keep]
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=positions.values("user_id")) | Q(pk__in=chosen))
        .prefetch_related(Prefetch("role_assignments", queryset=positions, to_attr="positions"))
        .order_by("first_name", "username")
    )


def person_with_position(user) -> str:
    held = [
        f"{a.unit.name}{a.get_role_display()}" if a.unit_id else a.get_role_display()
        for a in getattr(user, "positions", [])
    ]
    return f"{person_label(user)}（{'、'.join(held)}）" if held else person_label(user)


def office_staff_people(offices):
    staff = RoleAssignment.objects.filter(unit__in=offices, role__in=OFFICE_ROLES)
    return User.objects.filter(is_active=True, pk__in=staff.values("user_id")).order_by(
        "first_name", "username"
    )


def task_units():
    return OrgUnit.objects.active().of_kind(*TASK_UNIT_KINDS).order_by("kind", "sort_order", "code")


def deferral_targets(user, meeting: Meeting):
    """Meetings a topic of `meeting` may be deferred to: others still collecting topics."""
    return (
        scoping.visible_meetings(user)
        .filter(status=MeetingStatus.PLANNED)
        .exclude(pk=meeting.pk)
        .order_by("starts_at", "pk")
    )


# --- meetings ------------------------------------------------------------------------------------


class MeetingFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    kind = forms.ChoiceField(
        label=pgettext_lazy("meeting", "Kind"),
        choices=[("", _("All")), *MeetingKind.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *MeetingStatus.choices], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        years = (
            scoping.visible_meetings(user)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.fields["year"].choices = [("", _("All"))] + [(y, y) for y in years]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class MeetingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "convener",
            "starts_at",
            "place",
            "chair",
            "attendees",
            "attendees_text",
            "topic_deadline",
            "title",
            "minutes_number",
            "minutes_summary",
        ]
        widgets = {
            "starts_at": DATETIME_INPUT,
            "topic_deadline": DATE_INPUT,
            "attendees": forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
            "attendees_text": forms.Textarea(attrs={"rows": 2}),
            "minutes_summary": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.instance
        self.conveners: list[OrgUnit] = []
        self.fields["title"].required = False
        self.fields["title"].help_text = _(
            "Leave it empty to have it numbered among the year's meetings of its kind "
            "(e.g. 2023年第3次局务会议)."
        )
        people = meeting_people(keep=list(meeting.attendees.all()) if meeting.pk else ())
        for name in ("chair", "attendees"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = person_with_position
        self.fields["attendees"].required = False
        if meeting.pk:
            # The kind and the convening unit are fixed once planned (the number 第N次
            # depends on the kind).
            del self.fields["kind"]
            del self.fields["convener"]
            self.fields["version"].initial = meeting.version
            if meeting.status != MeetingStatus.HELD:
                del self.fields["minutes_number"]
                del self.fields["minutes_summary"]
        else:
            del self.fields["minutes_number"]
            del self.fields["minutes_summary"]
            units = self.conveners = convening_units(user)
            self.fields["convener"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])
            self.fields["convener"].empty_label = None
            bureau = next((u for u in units if u.kind == UnitKind.BUREAU), None)
            self.fields["convener"].initial = bureau or (units[0] if units else None)

    def _post_clean(self):
        # The model's rules are the service's to check, with all other rules at once.
        pass

    def service_data(self) -> dict:
        skip = {"convener", "attendees", "version"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class MeetingActForm(forms.Form):
    action = forms.ChoiceField(choices=MeetingAction.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)


# --- topics --------------------------------------------------------------------------------------


class TopicForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    materials = MultipleFileField(
        label=_("Materials"),
        required=False,
        help_text=_("Several files at once: .docx, .xlsx, .pdf, pictures or text."),
    )

    class Meta:
        model = Topic
        fields = ["office", "title", "summary", "request", "presenter", "document"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "request": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        topic = self.instance
        if topic.pk:
            offices = [topic.office]
            del self.fields["office"]
            self.fields["version"].initial = topic.version
        else:
            offices = submitting_offices(user)
            self.fields["office"].queryset = OrgUnit.objects.filter(pk__in=[o.pk for o in offices])
            self.fields["office"].empty_label = None
        self.offices = offices
        self.fields["presenter"].queryset = office_staff_people(offices)
        self.fields["presenter"].label_from_instance = person_label
        if topic.pk and topic.document_id:
            # Once a document went forward for deliberation with the topic, it stays.
            del self.fields["document"]
        else:
            self.fields["document"].queryset = (
                scoping.visible_documents(user)
                .filter(office__in=offices, stage__in=DELIBERABLE_STAGES)
                .order_by("title", "pk")
            )
            self.fields["document"].help_text = _(
                "A draft of the office's that the meeting is to deliberate: it goes forward "
                "for deliberation."
            )

    def clean(self):
        data = super().clean()
        office = self.instance.office if self.instance.pk else data.get("office")
        presenter = data.get("presenter")
        if office and presenter and not scoping.is_office_staff(presenter, office.pk):
            self.add_error(
                "presenter",
                _("%(name)s holds no position in %(office)s.")
                % {"name": person_label(presenter), "office": office.name},
            )
        return data

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("title", "summary", "request", "presenter")}


class TopicActForm(forms.Form):
    action = forms.ChoiceField(choices=list(TOPIC_ACTION_LABELS.items()))
    reason = forms.CharField(label=_("Reason for deferring"), required=False, widget=forms.Textarea)
    to_meeting = forms.ModelChoiceField(
        label=_("To the meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("No meeting yet"),
    )

    def __init__(self, *args, user, topic: Topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_meeting"].queryset = deferral_targets(user, topic.meeting)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("topic", "Outcome"),
        choices=[("", "——"), *Outcome.choices],
        required=False,
    )
    decision = forms.CharField(
        label=pgettext_lazy("topic", "Decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecisionTaskForm(forms.Form):
    content = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=OrgUnit.objects.none())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    due_date = forms.DateField(label=_("Due"), widget=DATE_INPUT)
    responsible_leader = forms.CharField(
        label=_("Responsible leader"), required=False, max_length=100
    )
    assign = forms.BooleanField(label=_("Assign at once"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = task_units()
        self.fields["cooperating_units"].queryset = task_units()

    def clean(self):
        data = super().clean()
        lead, cooperating = data.get("lead_unit"), data.get("cooperating_units") or []
        if lead and lead in cooperating:
            self.add_error(
                "cooperating_units",
                _("%(unit)s is the lead unit and cannot also be a cooperating unit.")
                % {"unit": lead.name},
            )
        return data
