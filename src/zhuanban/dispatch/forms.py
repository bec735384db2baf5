import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhuanban.dispatch.models import CADENCE_PERIOD, Cadence, Indicator, Schedule, TableTemplate
from zhuanban.dispatch.periods import PERIODS_PER_YEAR, Period, PeriodKind
from zhuanban.dispatch.schema import COMPARISONS, ColumnType
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REPORTING_KINDS = [UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.SECTION, UnitKind.MEMBER_UNIT]


def reporting_units():
    return OrgUnit.objects.active().of_kind(*REPORTING_KINDS).order_by("kind", "sort_order", "code")


class TemplateForm(forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Units that fill it"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    rules = forms.CharField(
        label=_("Rules across columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "code"}),
        help_text=_(
            "One rule per line, with column keys: “signed >= landed” compares two columns "
            "(>=, >, <=, <, =); “total = beef + dairy” requires a total to equal its parts."
        ),
    )

    class Meta:
        model = TableTemplate
        fields = ["office", "title", "code", "row_mode", "instructions", "units"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = OrgUnit.objects.offices().filter(
            pk__in=scope_for(user).office_ids
        )
        self.fields["units"].queryset = reporting_units()
        if self.instance.pk:
            # The code names the table in files already handed out.
            self.fields["code"].disabled = True
            self.fields["office"].disabled = True


class ColumnForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=40)
    label = forms.CharField(label=_("Title"), max_length=100)
    type = forms.ChoiceField(label=_("Type"), choices=ColumnType.choices)
    unit = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)
    decimals = forms.IntegerField(label=_("Decimals"), min_value=0, max_value=6, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    min = forms.DecimalField(label=_("Minimum"), required=False)
    max = forms.DecimalField(label=_("Maximum"), required=False)
    choices = forms.CharField(
        label=_("Choices"), required=False, help_text=_("Separated by commas or 、")
    )
    help = forms.CharField(label=_("Help text"), max_length=300, required=False)
    indicator = forms.CharField(label=_("Feeds indicator"), max_length=40, required=False)

    def as_column(self) -> dict:
        data = self.cleaned_data
        column = {key: data.get(key) for key in ("key", "label", "type", "unit", "help")}
        column["required"] = bool(data.get("required"))
        column["decimals"] = data.get("decimals") or 0
        for bound in ("min", "max"):
            if data.get(bound) is not None:
                column[bound] = str(data[bound])
        column["choices"] = [c for c in re.split(r"[,，、;；\n]+", data.get("choices") or "") if c]
        if data.get("indicator"):
            column["indicator"] = data["indicator"].strip()
        return column


ColumnFormSet = forms.formset_factory(ColumnForm, extra=3, can_delete=True)

_COMPARE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(>=|<=|>|<|=)\s*([a-z][a-z0-9_]*)\s*$")
_SUM = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*=\s*([a-z][a-z0-9_]*(?:\s*\+\s*[a-z][a-z0-9_]*)+)\s*$")


def parse_rules(text: str) -> list[dict]:
    """Rules from their one-line form; a ValidationError names every line it cannot read."""
    rules, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if match := _SUM.match(line):
            parts = [p.strip() for p in match.group(2).split("+")]
            rules.append({"kind": "sum", "total": match.group(1), "parts": parts})
        elif (match := _COMPARE.match(line)) and match.group(2) in COMPARISONS:
            left, op, right = match.groups()
            rules.append({"kind": "compare", "left": left, "op": op, "right": right})
        else:
            problems.append(
                gettext("Line %(number)s of the rules cannot be read: %(line)s")
                % {"number": number, "line": line.strip()}
            )
    if problems:
        raise ValidationError(problems)
    return rules


def rules_text(rules: list[dict]) -> str:
    lines = []
    for rule in rules:
        if rule["kind"] == "sum":
            lines.append(f"{rule['total']} = {' + '.join(rule['parts'])}")
        else:
            lines.append(f"{rule['left']} {rule['op']} {rule['right']}")
    return "\n".join(lines)


def column_initial(schema: dict) -> list[dict]:
    initial = []
    for column in schema.get("columns", []):
        row = dict(column)
        row["choices"] = "、".join(column.get("choices", []))
        initial.append(row)
    return initial


class RoundForm(forms.Form):
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    period_number = forms.IntegerField(
        label=_("Month or quarter"), min_value=1, max_value=12, initial=1
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE_INPUT)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)
    locks_on = forms.DateField(label=_("Locked on"), widget=DATE_INPUT)
    units = forms.ModelMultipleChoiceField(
        label=_("Units that must answer"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, template: TableTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = reporting_units()
        if not self.is_bound:
            today = timezone.localdate()
            period = Period.containing(PeriodKind.MONTH, today)
            self.initial.update(
                {
                    "cadence": Cadence.MONTHLY_DISPATCH,
                    "period_kind": PeriodKind.MONTH,
                    "year": period.year,
                    "period_number": period.number,
                    "opens_on": today,
                    "due_on": period.end + datetime.timedelta(days=5),
                    "locks_on": period.end + datetime.timedelta(days=10),
                    "units": list(template.units.values_list("pk", flat=True)),
                }
            )

    def clean(self):
        data = super().clean()
        kind, number = data.get("period_kind"), data.get("period_number")
        cadence = data.get("cadence")
        if kind and number and number > PERIODS_PER_YEAR[kind]:
            self.add_error("period_number", _("There is no such month or quarter."))
        elif cadence in CADENCE_PERIOD and kind and CADENCE_PERIOD[cadence] != kind:
            self.add_error("period_kind", _("This cadence asks for another kind of period."))
        elif kind and number and data.get("year"):
            data["period"] = Period(data["year"], kind, number)
        opens, due, locks = data.get("opens_on"), data.get("due_on"), data.get("locks_on")
        if opens and due and due < opens:
            self.add_error("due_on", _("The due date cannot be before the opening date."))
        if due and locks and locks < due:
            self.add_error("locks_on", _("The lock date cannot be before the due date."))
        return data


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=pgettext_lazy("review", "Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "code",
            "unit_of_measure",
            "aggregation",
            "higher_is_better",
            "decimals",
            "office",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = OrgUnit.objects.offices().filter(
            pk__in=scope_for(user).office_ids
        )
        self.fields["office"].required = True
        if self.instance.pk:
            # Tables and tasks refer to an indicator by its code.
            self.fields["code"].disabled = True


class TargetsForm(forms.Form):
    """One figure per unit: each county's annual target (and the city's own), or each
    county's value for one period."""

    def __init__(self, *args, units, targets: dict, min_value=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            self.fields[f"unit_{unit.pk}"] = forms.DecimalField(
                label=unit.name,
                required=False,
                min_value=min_value,
                max_digits=20,
                decimal_places=6,
                initial=targets.get(unit.pk),
            )

    def targets(self):
        for unit in self.units:
            yield unit, self.cleaned_data.get(f"unit_{unit.pk}")


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = Schedule
        fields = ["cadence", "opens_before_end", "due_after_end", "locks_after_end", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadence"].choices = [
            (value, label) for value, label in Cadence.choices if value in CADENCE_PERIOD
        ]
