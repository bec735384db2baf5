"""Forms of the pipeline, project and stage-clock screens. They shape what the user typed
(amounts converted to 万元, dates parsed, files checked by their content); the services
decide whether it may be done and name every problem by field, in one catalogue."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.forms import MultipleFileField, MultipleFileInput, check_each_upload
from zhuanban.investment.lifecycle import (
    DATE_FIELDS,
    PIPELINE,
    REASON_REQUIRED,
    Move,
    Stage,
    move_of,
)
from zhuanban.investment.models import (
    LIGHT_CHOICES,
    WAN_PER_YI,
    ProgressReport,
    Project,
    ProjectEvent,
    StageClock,
)
from zhuanban.investment.selectors import ProjectFilter
from zhuanban.investment.services import EVIDENCE_TYPES
from zhuanban.org.models import Chain, OrgUnit
from zhuanban.org.roles import Role, UnitKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEARCH_MAX = 100
EVIDENCE_MAX_FILES = 10
# What the evidence input offers (the service checks each file's content again).
ACCEPT = ",".join(sorted(EVIDENCE_TYPES))

WAN, YI = "wan", "yi"
UNIT_CHOICES = [(WAN, _("10,000 yuan (万元)")), (YI, _("100 million yuan (亿元)"))]
# The largest amount a money field holds (14 digits, 2 of them decimals), in 万元.
MAX_WAN = Decimal("999999999999.99")
CENT = Decimal("0.01")


def _label(model, field: str):
    """A model field's own (translated) name, as a form label."""
    return lazy(lambda: capfirst(model._meta.get_field(field).verbose_name), str)()


def bureau_leaders() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role=Role.LEADER)
        .distinct()
        .order_by("first_name", "username")
    )


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


def responsible_units() -> QuerySet[OrgUnit]:
    """Who can answer for a project: any unit but the city itself and enterprises."""
    return (
        OrgUnit.objects.exclude(kind__in=[UnitKind.CITY, UnitKind.ENTERPRISE])
        .select_related("parent")
        .order_by("kind", "sort_order", "code")
    )


def unit_label(unit: OrgUnit) -> str:
    """A county's department carries the county's name: two counties' 农牧局 differ."""
    if unit.kind != UnitKind.COUNTY and unit.parent and unit.parent.kind == UnitKind.COUNTY:
        return f"{unit.parent.name} · {unit.name}"
    return unit.name


def _amount_field(label) -> forms.DecimalField:
    # Six decimals: 1.234567 亿元 is 12,345.67 万元 (what the record holds).
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=20,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def _unit_field() -> forms.ChoiceField:
    # Not required: a client that sends no unit means 万元, the register's own.
    return forms.ChoiceField(
        label=_("Unit"),
        choices=UNIT_CHOICES,
        initial=WAN,
        required=False,
        widget=forms.RadioSelect,
    )


def to_wan(form: forms.Form, amount_field: str, unit_field: str) -> Decimal | None:
    """The amount typed, in 万元 (None when left empty); an error on the amount's field
    when it has more than two decimals once in 万元, or does not fit the register."""
    amount = form.cleaned_data.get(amount_field)
    if amount is None or unit_field in form.errors:
        return None
    wan = amount * WAN_PER_YI if form.cleaned_data.get(unit_field) == YI else amount
    if wan != wan.quantize(CENT):
        form.add_error(
            amount_field,
            ValidationError(
                _("At most two decimals in 万元 (six in 亿元)."),
                code="decimals",
            ),
        )
        return None
    if abs(wan) > MAX_WAN:
        form.add_error(
            amount_field,
            ValidationError(_("This amount is too large for the register."), code="too_large"),
        )
        return None
    return wan.quantize(CENT)


# --- the project list's filters --------------------------------------------------------------


class ProjectFilterForm(forms.Form):
    """The list's filters (GET). A value that is not one of the choices (a stale or
    hand-edited address) is left out, never an error."""

    year = forms.IntegerField(
        label=_label(Project, "year"), required=False, min_value=2000, max_value=2100
    )
    chain = forms.ModelChoiceField(
        label=_label(Project, "chain"), queryset=Chain.objects.none(), required=False
    )
    county = forms.ModelChoiceField(
        label=_label(Project, "county"), queryset=OrgUnit.objects.none(), required=False
    )
    stage = forms.ChoiceField(
        label=_label(Project, "stage"), choices=[("", "—"), *Stage.choices], required=False
    )
    light = forms.ChoiceField(
        label=_("Light"),
        choices=[("", "—"), *LIGHT_CHOICES],
        required=False,
    )
    key = forms.BooleanField(label=_("Key projects only"), required=False)
    q = forms.CharField(label=_("Name or investor contains"), required=False, max_length=SEARCH_MAX)

    def __init__(self, data=None, *, years: list[int], counties: QuerySet[OrgUnit], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["chain"].queryset = Chain.objects.order_by("sort_order", "pk")
        self.fields["chain"].empty_label = "—"
        self.fields["county"].queryset = counties
        self.fields["county"].empty_label = "—"
        self.values: dict = {}
        if data is not None:
            self.is_valid()
            self.values = {
                name: value
                for name, value in self.cleaned_data.items()
                if value not in (None, "", False) and name not in self.errors
            }
        offered = sorted(set(years) | {v for v in [self.values.get("year")] if v}, reverse=True)
        self.fields["year"].widget = forms.Select(
            choices=[("", "—"), *((year, year) for year in offered)]
        )

    def filters(self) -> ProjectFilter:
        values = self.values
        return ProjectFilter(
            year=values.get("year"),
            chain_id=values["chain"].pk if values.get("chain") else None,
            county_id=values["county"].pk if values.get("county") else None,
            stage=values.get("stage", ""),
            light=values.get("light", ""),
            key_only=bool(values.get("key")),
            text=values.get("q", ""),
        )


# --- a project's record ----------------------------------------------------------------------


class ProjectForm(forms.Form):
    """A project's record. Required fields are the service's to require, so that every
    problem (no county, no chain, a negative amount, dates out of order) shows at once;
    the form only parses. The planned investment is typed in 万元 or 亿元 and handed to
    the service in 万元."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_label(Project, "name"), required=False, max_length=120)
    year = forms.IntegerField(label=_label(Project, "year"), required=False)
    chain = forms.ModelChoiceField(
        label=_label(Project, "chain"), queryset=Chain.objects.none(), required=False
    )
    county = forms.ModelChoiceField(
        label=_label(Project, "county"), queryset=OrgUnit.objects.none(), required=False
    )
    investor = forms.CharField(label=_label(Project, "investor"), required=False, max_length=120)
    investor_origin = forms.CharField(
        label=_label(Project, "investor_origin"),
        required=False,
        max_length=60,
        help_text=_("The province or city the investor comes from, e.g. 北京市."),
    )
    planned_investment = _amount_field(_("Planned investment"))
    planned_unit = _unit_field()
    is_key = forms.BooleanField(label=_label(Project, "is_key"), required=False)
    leader = forms.ModelChoiceField(
        label=_label(Project, "leader"), queryset=get_user_model().objects.none(), required=False
    )
    responsible_unit = forms.ModelChoiceField(
        label=_label(Project, "responsible_unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
    )
    content = forms.CharField(
        label=_label(Project, "content"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args, counties: QuerySet[OrgUnit], project: Project | None = None, **kwargs
    ):
        self.project = project
        if project is not None:
            kwargs.setdefault("initial", self._initial(project))
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["chain"].queryset = Chain.objects.order_by("sort_order", "pk")
        fields["county"].queryset = counties
        fields["leader"].queryset = bureau_leaders()
        fields["leader"].label_from_instance = person_label
        fields["responsible_unit"].queryset = responsible_units()
        fields["responsible_unit"].label_from_instance = unit_label
        for name in ("chain", "county", "leader", "responsible_unit"):
            fields[name].empty_label = "—"
        if project is None:
            del fields["version"]
            fields["year"].initial = timezone.localdate().year
            fields["stage"] = forms.ChoiceField(
                label=_("Stage reached"),
                choices=[(stage.value, stage.label) for stage in PIPELINE],
                initial=Stage.PLANNED,
                help_text=_("A project first heard of at its signing is entered as signed."),
            )
            fields["stage_on"] = forms.DateField(
                label=_("Reached on"),
                required=False,
                widget=DATE_INPUT,
                initial=timezone.localdate,
                help_text=_("Today when left empty."),
            )
        else:
            for stage in self.reached_stages():
                name = DATE_FIELDS[stage]
                fields[name] = forms.DateField(
                    label=_label(Project, name), required=False, widget=DATE_INPUT
                )

    @staticmethod
    def _initial(project: Project) -> dict:
        initial = {
            "version": project.version,
            "name": project.name,
            "year": project.year,
            "chain": project.chain_id,
            "county": project.county_id,
            "investor": project.investor,
            "investor_origin": project.investor_origin,
            "planned_investment": project.planned_investment,
            "planned_unit": WAN,
            "is_key": project.is_key,
            "leader": project.leader_id,
            "responsible_unit": project.responsible_unit_id,
            "content": project.content,
        }
        for stage, name in DATE_FIELDS.items():
            if project.date_of(stage) is not None:
                initial[name] = project.date_of(stage)
        return initial

    def reached_stages(self) -> list[str]:
        """The stages whose date may be given or corrected: the pipeline up to the
        furthest stage the project reached (a project first heard of at its signing may
        have the day its negotiations began filled in afterwards), and 终止 while it is
        dropped."""
        project = self.project
        if project is None:
            return []
        dated = [
            PIPELINE.index(stage)
            for stage in PIPELINE
            if project.date_of(stage) is not None or stage == project.stage
        ]
        stages = list(PIPELINE[: max(dated) + 1]) if dated else []
        if project.stage == Stage.DROPPED or project.dropped_on is not None:
            stages.append(Stage.DROPPED)
        return stages

    @property
    def date_fields(self) -> list:
        return [self[DATE_FIELDS[stage]] for stage in self.reached_stages()]

    @property
    def record_fields(self) -> list:
        dates = {DATE_FIELDS[stage] for stage in self.reached_stages()}
        return [field for field in self.visible_fields() if field.name not in dates]

    def clean(self):
        data = super().clean()
        data["planned_wan"] = to_wan(self, "planned_investment", "planned_unit")
        return data

    def _record(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data.get("name", ""),
            "year": data.get("year"),
            "chain": data.get("chain"),
            "county": data.get("county"),
            "investor": data.get("investor", ""),
            "investor_origin": data.get("investor_origin", ""),
            "planned_investment": data.get("planned_wan"),
            "is_key": data.get("is_key", False),
            "leader": data.get("leader"),
            "responsible_unit": data.get("responsible_unit"),
            "content": data.get("content", ""),
        }

    def create_kwargs(self) -> dict:
        return {
            **self._record(),
            "stage": self.cleaned_data["stage"],
            "stage_on": self.cleaned_data.get("stage_on"),
        }

    def update_kwargs(self) -> dict:
        """What changed (the service records the names of the fields it was given)."""
        project = self.project
        changes = {
            name: value
            for name, value in self._record().items()
            if value != getattr(project, name) or (name == "planned_investment" and value is None)
        }
        for stage in self.reached_stages():
            name = DATE_FIELDS[stage]
            value = self.cleaned_data.get(name)
            if value != project.date_of(stage):
                changes[name] = value
        return {**changes, "expected_version": self.cleaned_data.get("version")}


# --- a project's actions ---------------------------------------------------------------------


class MoveForm(forms.Form):
    """Move the project to another stage, on a day, with its evidence. The reason is the
    service's to require (going back, dropping, taking up again)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    to_stage = forms.ChoiceField(label=_("Move to"))
    on = forms.DateField(
        label=pgettext_lazy("investment stage change", "On"),
        required=False,
        widget=DATE_INPUT,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the project goes back, is dropped or is taken up again."),
    )
    evidence = MultipleFileField(
        label=_label(ProjectEvent, "evidence"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, project: Project, stages: list[str], **kwargs):
        kwargs.setdefault("prefix", "move")
        kwargs.setdefault("initial", {"version": project.version, "on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.refused: list[tuple] = []
        self.fields["to_stage"].choices = [
            (stage, self._stage_label(project.stage, stage)) for stage in stages
        ]
        # The next stage on, when there is one: moving back is the exception.
        onward = [stage for stage in stages if move_of(project.stage, stage) == Move.FORWARD]
        self.fields["to_stage"].initial = onward[0] if onward else None
        self.fields["evidence"].help_text = _(
            "The signed agreement, the land certificate, photos …: PDF, Word, Excel or "
            "pictures; up to %(n)s files."
        ) % {"n": EVIDENCE_MAX_FILES}

    @staticmethod
    def _stage_label(src: str, dst: str) -> str:
        label = str(Stage(dst).label)
        if move_of(src, dst) in REASON_REQUIRED:
            return _("%(stage)s (needs a reason)") % {"stage": label}
        return label

    def clean_evidence(self):
        return check_each_upload(
            self.cleaned_data.get("evidence") or [],
            allowed=EVIDENCE_TYPES,
            max_files=EVIDENCE_MAX_FILES,
            refused=self.refused,
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "to_stage": data["to_stage"],
            "on": data.get("on"),
            "reason": data.get("reason", ""),
            "evidence": data.get("evidence") or [],
            "expected_version": data.get("version"),
        }


class ReportForm(forms.Form):
    """A progress report, with the funds that arrived since the last one."""

    on = forms.DateField(
        label=_label(ProgressReport, "reported_on"), required=False, widget=DATE_INPUT
    )
    text = forms.CharField(
        label=_label(ProgressReport, "text"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    received = _amount_field(_("Funds in place this period"))
    received_unit = _unit_field()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "report")
        kwargs.setdefault("initial", {"on": timezone.localdate(), "received_unit": WAN})
        super().__init__(*args, **kwargs)
        self.fields["received"].help_text = _("Left empty: no funds arrived.")

    def clean(self):
        data = super().clean()
        data["received_wan"] = to_wan(self, "received", "received_unit")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "on": data.get("on"),
            "text": data.get("text", ""),
            "received": data["received_wan"],
        }


class UrgeForm(forms.Form):
    text = forms.CharField(
        label=_("What is expected, and by when"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "urge")
        super().__init__(*args, **kwargs)


# --- the stage clocks ------------------------------------------------------------------------


class ClockForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    limit_days = forms.IntegerField(label=_label(StageClock, "limit_days"), required=False)
    warn_days = forms.IntegerField(label=_label(StageClock, "warn_days"), required=False)
    report_days = forms.IntegerField(
        label=_label(StageClock, "report_days"),
        required=False,
        help_text=_("Left empty: no regular report is expected at this stage."),
    )
    evidence_required = forms.BooleanField(
        label=_label(StageClock, "evidence_required"), required=False
    )
    commitment = forms.CharField(
        label=_label(StageClock, "commitment"),
        required=False,
        max_length=100,
        help_text=_("As promised to investors, e.g. 接洽客商1个工作日内响应."),
    )

    def __init__(self, *args, clock: StageClock | None, **kwargs):
        if clock is not None:
            kwargs.setdefault(
                "initial",
                {
                    "version": clock.version,
                    "limit_days": clock.limit_days,
                    "warn_days": clock.warn_days,
                    "report_days": clock.report_days,
                    "evidence_required": clock.evidence_required,
                    "commitment": clock.commitment,
                },
            )
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "limit_days": data.get("limit_days"),
            "warn_days": data.get("warn_days"),
            "report_days": data.get("report_days"),
            "evidence_required": data.get("evidence_required", False),
            "commitment": data.get("commitment", ""),
            "expected_version": data.get("version"),
        }
