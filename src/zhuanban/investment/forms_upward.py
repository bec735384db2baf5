"""Forms of the upward-application screens (向上争取): the list's filters, the record, and
the lifecycle's actions. They shape what the user typed — an amount comes with its unit
(万元 or 亿元, said explicitly) and reaches the service in 万元 — and the services decide
whether it may be done."""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from zhuanban.investment.lifecycle import UPWARD_REASON_REQUIRED, UpwardAction, UpwardStatus
from zhuanban.investment.models import WAN_PER_YI, UpwardApplication, UpwardKind
from zhuanban.org.models import Chain, OrgUnit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEARCH_MAX = 60
CENT = Decimal("0.01")  # amounts are kept in 万元 to two decimals
# The higher authorities the office most often applies to: suggestions for the text input
# (the data itself, in the bureau's words, not interface text to translate).
COMMON_AUTHORITIES = (
    "农业农村部",
    "中国农业科学院",
    "国家发展改革委",
    "财政部",
    "自治区农牧厅",
    "自治区发展改革委",
    "自治区财政厅",
)
AUTHORITY_LIST_ID = "up-authorities"

WAN, YI = "wan", "yi"
UNIT_CHOICES = [(WAN, _("10,000 yuan (万元)")), (YI, _("100 million yuan (亿元)"))]


def _label(field: str):
    """The model field's own (translated) name, as a form label."""
    return lazy(lambda: capfirst(UpwardApplication._meta.get_field(field).verbose_name), str)()


def _amount_input() -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        max_digits=20,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )


def _unit_input() -> forms.ChoiceField:
    """万元 unless 亿元 is chosen (a client that posts no unit means 万元)."""
    return forms.ChoiceField(
        label=_("Unit of the amount"), choices=UNIT_CHOICES, initial=WAN, required=False
    )


class AmountMixin:
    """Amount fields paired with a unit field (`<name>` and `<name>_unit`): cleaned into
    万元, refused by field when negative or finer than 万元's two decimals."""

    AMOUNTS: tuple[str, ...] = ()

    def clean(self) -> dict:
        data = super().clean()
        for name in self.AMOUNTS:
            value = data.get(name)
            if value is None:
                continue
            if value < 0:
                self.add_error(name, _("An amount is never negative."))
                continue
            wan = value * WAN_PER_YI if data.get(f"{name}_unit") == YI else value
            if wan != wan.quantize(CENT):
                self.add_error(
                    name,
                    _("Give at most two decimals in 10,000 yuan (six in 100 million yuan)."),
                )
                continue
            data[name] = wan.quantize(CENT)
        return data


# --- the list's filters --------------------------------------------------------------------


class UpwardFilterForm(forms.Form):
    """The list's filters (GET). A value that is not one of the choices (a stale or
    hand-edited address) is left out, never an error; the year falls back to the default."""

    year = forms.TypedChoiceField(label=_label("year"), coerce=int, required=False)
    chain = forms.ModelChoiceField(
        label=_label("chain"), queryset=Chain.objects.none(), required=False, empty_label="—"
    )
    office = forms.ModelChoiceField(
        label=_label("office"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    kind = forms.ChoiceField(
        label=_label("kind"), choices=[("", "—"), *UpwardKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_label("status"), choices=[("", "—"), *UpwardStatus.choices], required=False
    )
    authority = forms.CharField(
        label=_("Authority contains"), required=False, max_length=SEARCH_MAX
    )

    def __init__(
        self,
        data,
        *,
        years: list[int],
        default_year: int,
        offices: QuerySet[OrgUnit],
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["chain"].queryset = Chain.objects.order_by("sort_order", "pk")
        self.fields["office"].queryset = offices
        self.fields["authority"].widget.attrs["list"] = AUTHORITY_LIST_ID
        self.is_valid()
        self.values = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }
        self.year = self.values.get("year") or default_year
        self.status_value = self.values.get("status", "")

    def apply(self, applications, *, with_status: bool = True):
        values = self.values
        if values.get("chain"):
            applications = applications.filter(chain=values["chain"])
        if values.get("office"):
            applications = applications.filter(office=values["office"])
        if values.get("kind"):
            applications = applications.filter(kind=values["kind"])
        if values.get("authority", "").strip():
            applications = applications.filter(authority__icontains=values["authority"].strip())
        if with_status and self.status_value:
            applications = applications.filter(status=self.status_value)
        return applications


# --- the record ----------------------------------------------------------------------------


class UpwardForm(AmountMixin, forms.Form):
    """What is sought, from whom, for which chain, by which of the user's offices, and
    how much (万元 or 亿元)."""

    AMOUNTS = ("amount_requested",)
    # What the service takes (`services.UPWARD_FIELDS`).
    SERVICE_FIELDS = (
        "title",
        "kind",
        "authority",
        "chain",
        "office",
        "year",
        "led_by",
        "amount_requested",
        "progress",
    )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_label("title"), max_length=150)
    kind = forms.ChoiceField(label=_label("kind"), choices=[("", "—"), *UpwardKind.choices])
    authority = forms.CharField(
        label=_label("authority"),
        max_length=60,
        help_text=_("Choose a common authority or type another."),
        widget=forms.TextInput(attrs={"list": AUTHORITY_LIST_ID, "autocomplete": "off"}),
    )
    chain = forms.ModelChoiceField(
        label=_label("chain"), queryset=Chain.objects.none(), empty_label="—"
    )
    office = forms.ModelChoiceField(
        label=_label("office"), queryset=OrgUnit.objects.none(), empty_label="—"
    )
    # The service says which years it takes (2000 to next year).
    year = forms.IntegerField(label=_label("year"))
    led_by = forms.CharField(label=_label("led_by"), max_length=100, required=False)
    amount_requested = _amount_input()
    amount_requested_unit = _unit_input()
    progress = forms.CharField(
        label=_label("progress"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        data=None,
        *,
        office_ids,
        application: UpwardApplication | None = None,
        today: datetime.date | None = None,
        **kwargs,
    ):
        today = today or timezone.localdate()
        offices = OrgUnit.objects.offices().filter(pk__in=office_ids).order_by("sort_order", "code")
        initial = kwargs.setdefault("initial", {})
        if application is not None:
            initial.update(
                {name: getattr(application, name) for name in self.SERVICE_FIELDS},
                chain=application.chain_id,
                office=application.office_id,
                version=application.version,
            )
        else:
            initial.setdefault("year", today.year)
            if len(office_ids) == 1:
                initial.setdefault("office", next(iter(office_ids)))
        super().__init__(data, **kwargs)
        self.fields["amount_requested"].label = _("Amount requested")
        self.fields["chain"].queryset = Chain.objects.order_by("sort_order", "pk")
        self.fields["office"].queryset = offices
        if application is None:
            del self.fields["version"]

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


# --- the lifecycle's actions ----------------------------------------------------------------


class UpwardActForm(AmountMixin, forms.Form):
    """One action of UPWARD_TRANSITIONS with what it records: the date; the amount granted
    (万元 or 亿元) for an approval; the reason for a rejection or a return to preparing.
    Nothing is required here: the service names what is missing, in its own words."""

    AMOUNTS = ("granted",)

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = forms.DateField(label=_("Date"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, action: str, application: UpwardApplication, **kwargs):
        kwargs.setdefault("prefix", action)
        kwargs.setdefault("initial", {"version": application.version, "on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.action = action
        if action == UpwardAction.SUBMIT:
            self.fields["on"].label = _label("submitted_on")
        elif action in (UpwardAction.APPROVE, UpwardAction.REJECT):
            self.fields["on"].label = _label("decided_on")
        if action == UpwardAction.APPROVE:
            self.fields["granted"] = _amount_input()
            self.fields["granted"].label = _("Amount granted")
            if application.kind == UpwardKind.POLICY:
                self.fields["granted"].help_text = _("Optional for a policy.")
            self.fields["granted_unit"] = _unit_input()
        if action in UPWARD_REASON_REQUIRED:
            self.fields["reason"] = forms.CharField(
                label=_("Reason"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def label(self) -> str:
        return UpwardAction(self.action).label

    @property
    def reason_required(self) -> bool:
        return self.action in UPWARD_REASON_REQUIRED

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "on": data.get("on"),
            "granted": data.get("granted"),
            "reason": data.get("reason", ""),
            "expected_version": data.get("version"),
        }
