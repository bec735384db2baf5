"""Forms of the licence screens and of the public verification page. They shape what the
user typed; the services decide whether it may be done (one set of rules)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhuanban.brand.models import Channel, Licence, LogoUse, Product
from zhuanban.brand.services import PHOTO_TYPES
from zhuanban.core.forms import MultipleFileField, MultipleFileInput
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PUBLIC_QUERY_MAX = 100


def _label(model, field: str):
    """A model field's own (translated) name, as a form label."""
    return lazy(lambda: capfirst(model._meta.get_field(field).verbose_name), str)()


def _help(model, field: str):
    return model._meta.get_field(field).help_text


class LicenceRemoveForm(forms.Form):
    """清退: why, and from which day the licence ends (today unless said otherwise)."""

    reason = forms.CharField(
        label=_label(Licence, "revoked_reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "Shown to the enterprise and kept on its record; the public page shows only the date."
        ),
    )
    on = forms.DateField(
        label=_label(Licence, "revoked_on"),
        widget=DATE_INPUT,
        help_text=gettext_lazy("The licence ends on this day. Today unless you say otherwise."),
    )

    def __init__(self, *args, licence: Licence, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.licence = licence

    def clean_on(self) -> datetime.date:
        on, today = self.cleaned_data["on"], timezone.localdate()
        if on > today:
            raise ValidationError(
                _("A removal takes effect today or on a day already past, not in the future."),
                code="future",
            )
        # Not before the licence started (a licence not yet in force is removed today).
        if on < min(self.licence.valid_from, today):
            raise ValidationError(
                _("The licence started on %(date)s: it cannot be removed before that day.")
                % {"date": self.licence.valid_from.isoformat()},
                code="before_licence",
            )
        return on


class LogoUseForm(forms.Form):
    """用标: which packaging of which licensed product carries the logo, sold where."""

    product = forms.ModelChoiceField(
        label=_label(LogoUse, "product"), queryset=Product.objects.none(), empty_label="—"
    )
    packaging = forms.CharField(
        label=_label(LogoUse, "packaging"), max_length=100, help_text=_help(LogoUse, "packaging")
    )
    channels = forms.MultipleChoiceField(
        label=_label(LogoUse, "channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    since = forms.DateField(label=_label(LogoUse, "since"), widget=DATE_INPUT)
    photos = MultipleFileField(
        label=_label(LogoUse, "photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ",".join(sorted(PHOTO_TYPES))}),
        help_text=gettext_lazy("Photos of the packaging showing the logo (.jpg or .png)."),
    )
    note = forms.CharField(
        label=_label(LogoUse, "note"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, licence: Licence, **kwargs):
        kwargs.setdefault("initial", {"since": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.licence = licence
        products = licence.application.products.order_by("pk")
        self.fields["product"].queryset = products
        if not self.is_bound:
            only = list(products[:2])
            if len(only) == 1:  # one product licensed: chosen already
                self.initial.setdefault("product", only[0].pk)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "product": data["product"],
            "packaging": data["packaging"],
            "channels": list(data["channels"]),
            "since": data["since"],
            "photos": list(data.get("photos") or []),
            "note": data.get("note", ""),
        }


class RegisterFilterForm(forms.Form):
    """The register export's filter: one county (a value that is not a county is left
    out, never an error)."""

    county = forms.ModelChoiceField(
        label=pgettext_lazy("brand register", "County"),
        queryset=OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("sort_order", "code"),
        required=False,
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.county = None
        if data is not None and self.is_valid():
            self.county = self.cleaned_data.get("county")


class PublicSearchForm(forms.Form):
    """The public page's one field: a licence number or (part of) an enterprise name."""

    q = forms.CharField(
        label=gettext_lazy("Licence number or enterprise name"),
        max_length=PUBLIC_QUERY_MAX,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}
        ),
    )
