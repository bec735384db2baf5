from django import forms
from django.utils.translation import gettext_lazy as _

from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.tasks.deadlines import DeadlineError, parse_deadline
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Light, NumberingStyle, Task, TaskList

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Units a task can be led by or shared with.
ASSIGNABLE_KINDS = [
    UnitKind.COUNTY,
    UnitKind.SECTION,
    UnitKind.OFFICE,
    UnitKind.MEMBER_UNIT,
    UnitKind.DEPARTMENT,
    UnitKind.BUREAU,
]


def assignable_units():
    return (
        OrgUnit.objects.active().of_kind(*ASSIGNABLE_KINDS).order_by("kind", "sort_order", "code")
    )


class TaskListForm(forms.ModelForm):
    class Meta:
        model = TaskList
        fields = ["title", "year", "level", "source_document", "office", "numbering"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = OrgUnit.objects.offices().filter(
            pk__in=scope_for(user).office_ids
        )


class TaskForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    attachment = forms.FileField(label=_("Add an attachment"), required=False)

    class Meta:
        model = Task
        fields = [
            "parent",
            "content",
            "lead_unit",
            "cooperating_units",
            "responsible_leader",
            "start_date",
            "due_date",
            "due_text",
            "is_ongoing",
            "counts_in_assessment",
            "target_value",
            "target_unit",
            "remarks",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "start_date": DATE_INPUT,
            "due_date": DATE_INPUT,
            "cooperating_units": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, task_list: TaskList, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.task_list = task_list  # the model's checks compare parent and list
        parents = Task.objects.filter(task_list=task_list).order_by("sort_path")
        if self.instance.pk:
            parents = parents.exclude(sort_path__startswith=self.instance.sort_path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda t: (
            f"{'　' * t.depth}{t.number()} {t.content[:30]}"
        )
        self.fields["lead_unit"].queryset = assignable_units()
        self.fields["cooperating_units"].queryset = assignable_units()
        self.fields["cooperating_units"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        self.milestones = []
        text = (data.get("due_text") or "").strip()
        if text and not data.get("due_date") and not data.get("is_ongoing"):
            # The deadline as the document words it fills in the date (and, for a
            # recurring one such as 每月10日前, the milestones), as the Excel import does.
            try:
                deadline = parse_deadline(text, self.instance.task_list.year)
            except DeadlineError as error:
                self.add_error("due_text", error.message)
            else:
                data["due_date"] = deadline.due_date
                data["is_ongoing"] = deadline.is_ongoing
                self.milestones = list(deadline.recurring) if not self.instance.pk else []
        lead, coop = data.get("lead_unit"), data.get("cooperating_units") or []
        if lead and lead in coop:
            self.add_error(
                "cooperating_units",
                _("%(unit)s is the lead unit and cannot also be a cooperating unit.")
                % {"unit": lead.name},
            )
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(label=_("Evidence"), required=False)


class ReportForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    figures = forms.CharField(label=_("Figures"), required=False, max_length=500)
    evidence = forms.FileField(label=_("Evidence"), required=False)


class ExtensionForm(forms.Form):
    new_due_date = forms.DateField(label=_("New due date"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    progress_so_far = forms.CharField(
        label=_("Progress so far"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )
    comment = forms.CharField(label=_("Comment or reason"), required=False)


class LedgerFilterForm(forms.Form):
    task_list = forms.ModelChoiceField(
        label=_("Task list"), queryset=TaskList.objects.none(), required=False
    )
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=OrgUnit.objects.offices(), required=False
    )
    county = forms.ModelChoiceField(
        label=_("County"), queryset=OrgUnit.objects.counties(), required=False
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=OrgUnit.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Status.choices], required=False
    )
    light = forms.ChoiceField(label=_("Light"), choices=[("", "—"), *Light.choices], required=False)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_INPUT)
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DATE_INPUT)
    text = forms.CharField(label=_("Text"), required=False)
    style = forms.ChoiceField(label=_("Numbering"), choices=NumberingStyle.choices, required=False)

    def __init__(self, *args, lists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_list"].queryset = lists
        self.fields["lead_unit"].queryset = assignable_units()
