"""Forms of the register, enterprise and authorization-application screens. They shape
what the user typed; the services decide whether it may be done (one message catalogue,
one set of rules)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.brand.lifecycle import APP_REASON_REQUIRED, AppAction, AppStatus
from zhuanban.brand.models import (
    Application,
    AttachmentKind,
    Enterprise,
    EnterpriseKind,
    Product,
)
from zhuanban.brand.validators import normalise_credit_code, validate_credit_code
from zhuanban.core.forms import MultipleFileField, MultipleFileInput
from zhuanban.org.models import OrgUnit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEARCH_MAX = 100
YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
# What the file inputs accept (the service checks the content again).
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.doc"
# Empty product rows offered on the form (the page works without JavaScript).
PRODUCT_ROWS = 3


def _label(model, field: str):
    """A model field's own (translated) name, as a form label."""
    return lazy(lambda: capfirst(model._meta.get_field(field).verbose_name), str)()


def _help(model, field: str):
    return model._meta.get_field(field).help_text


# --- the register's filters ------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    """The register's filters (GET). A value that is not one of the choices (a stale or
    hand-edited address) is left out, never an error."""

    q = forms.CharField(label=_("Name contains"), required=False, max_length=SEARCH_MAX)
    county = forms.ModelChoiceField(
        label=_label(Enterprise, "county"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
    )
    kind = forms.ChoiceField(
        label=_label(Enterprise, "kind"),
        choices=[("", "—"), *EnterpriseKind.choices],
        required=False,
    )
    licensed = forms.ChoiceField(label=_("Holds a valid licence"), choices=YES_NO, required=False)
    member = forms.ChoiceField(label=_("Association member"), choices=YES_NO, required=False)

    def __init__(self, data=None, *, counties: QuerySet[OrgUnit], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["county"].queryset = counties
        self.values: dict = {}
        if data is not None:
            self.is_valid()
            self.values = {
                name: value
                for name, value in self.cleaned_data.items()
                if value not in (None, "") and name not in self.errors
            }

    def apply(self, enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        """`enterprises` (annotated with `licensed`) narrowed to the filters."""
        values = self.values
        if values.get("q", "").strip():
            enterprises = enterprises.filter(name__icontains=values["q"].strip())
        if values.get("county"):
            enterprises = enterprises.filter(county=values["county"])
        if values.get("kind"):
            enterprises = enterprises.filter(kind=values["kind"])
        if values.get("licensed"):
            enterprises = enterprises.filter(licensed=values["licensed"] == "yes")
        if values.get("member"):
            enterprises = enterprises.filter(association_member=values["member"] == "yes")
        return enterprises


# --- an enterprise's record ------------------------------------------------------------------


class EnterpriseForm(forms.ModelForm):
    """The record the brand office keeps. The credit code is checked here so that its
    error is the validator's reason alone; duplicates are the service's to refuse (with
    its messages, by field)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    credit_code = forms.CharField(
        label=_label(Enterprise, "credit_code"),
        max_length=40,
        help_text=_help(Enterprise, "credit_code"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Enterprise
        fields = (
            "name",
            "credit_code",
            "county",
            "kind",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "address",
            "association_member",
            "association_joined_on",
        )
        widgets = {
            "association_joined_on": DATE_INPUT,
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        if instance is not None and instance.pk:
            kwargs.setdefault("initial", {})["version"] = instance.version
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = OrgUnit.objects.counties().order_by("sort_order", "code")
        self.fields["county"].empty_label = "—"
        if instance is None or not instance.pk:
            del self.fields["version"]

    def clean_credit_code(self) -> str:
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code

    def validate_unique(self) -> None:
        """Left to the service, which names the enterprise that already holds the code."""


# --- an application's products and documents ------------------------------------------------


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("name", "category", "standard", "origin_base", "annual_output")
        widgets = {"annual_output": forms.NumberInput(attrs={"min": "0", "step": "0.01"})}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BaseProductFormSet(forms.BaseFormSet):
    """The products asked for: the rows already saved (unless ticked for removal) and
    the new rows filled in; empty new rows are ignored; at least one product is needed."""

    def _kept(self) -> list[ProductForm]:
        deleted = set(self.deleted_forms) if self.can_delete else set()
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if form not in deleted and (index < initial or form.has_changed())
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self._kept():
            raise ValidationError(_("List at least one product to be authorized."), code="required")

    def products(self) -> list[dict]:
        return [form.service_data() for form in self._kept()]


ProductFormSet = forms.formset_factory(
    ProductForm,
    formset=BaseProductFormSet,
    extra=PRODUCT_ROWS,
    max_num=50,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)


def product_formset(data=None, *, products=None) -> BaseProductFormSet:
    initial = [
        {name: getattr(product, name) for name in ProductForm.Meta.fields}
        for product in products or []
    ]
    return ProductFormSet(data, prefix="products", initial=initial or None)


def _file_field(label, *, required: bool = False) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        required=required,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )


class DocumentsForm(forms.Form):
    """The documents handed in with a new application, one input per kind (several
    files each). Their safety is the service's to check: it refuses every bad file at
    once and stores none."""

    KINDS = (
        AttachmentKind.BUSINESS_LICENCE,
        AttachmentKind.INSPECTION_REPORT,
        AttachmentKind.ORIGIN_PROOF,
        AttachmentKind.OTHER,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in self.KINDS:
            self.fields[kind] = _file_field(AttachmentKind(kind).label)

    def uploads(self) -> list[tuple[str, object]]:
        return [(kind, upload) for kind in self.KINDS for upload in self.cleaned_data[kind]]


class AttachForm(forms.Form):
    """Documents added to an application afterwards, of the kinds the user may add."""

    kind = forms.ChoiceField(label=pgettext_lazy("brand attachment", "Document"))
    files = _file_field(_("Files"), required=True)

    def __init__(self, *args, kinds: list[str], **kwargs):
        kwargs.setdefault("prefix", "attach")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, AttachmentKind(kind).label) for kind in kinds]

    def uploads(self) -> list[tuple[str, object]]:
        kind = self.cleaned_data["kind"]
        return [(kind, upload) for upload in self.cleaned_data["files"]]


# --- the lifecycle's actions ----------------------------------------------------------------


class ActForm(forms.Form):
    """One action of APP_TRANSITIONS with what it records. The comment is optional here:
    the service names what is missing, in its own words."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=pgettext_lazy("brand review", "Opinion"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: str, application: Application, **kwargs):
        kwargs.setdefault("prefix", action)
        kwargs.setdefault("initial", {"version": application.version})
        super().__init__(*args, **kwargs)
        self.action = action
        comment = self.fields["comment"]
        if action in APP_REASON_REQUIRED:
            comment.label = _("Reason")
            comment.help_text = _("Required: the applicant reads it.")
        elif action in (AppAction.SUBMIT, AppAction.WITHDRAW):
            comment.label = pgettext_lazy("brand application", "Comment")
        if action == AppAction.APPROVE:
            self.fields["valid_from"] = forms.DateField(
                label=_("Licence valid from"),
                widget=DATE_INPUT,
                initial=timezone.localdate,
                help_text=_("Today when left empty."),
                required=False,
            )
            self.order_fields(["version", "valid_from", "comment"])

    @property
    def label(self) -> str:
        return AppAction(self.action).label

    @property
    def reason_required(self) -> bool:
        return self.action in APP_REASON_REQUIRED

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"comment": data.get("comment", ""), "expected_version": data.get("version")}
        if "valid_from" in self.fields:
            kwargs["valid_from"] = data.get("valid_from") or timezone.localdate()
        return kwargs


class VersionForm(forms.Form):
    """The record's version the page was drawn from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ApplicationFilterForm(forms.Form):
    """The queue's filters. The status "all" is explicit: without a status the queue
    opens on what the user usually works on (the view's default)."""

    ALL = "all"

    county = forms.ModelChoiceField(
        label=_label(Enterprise, "county"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
    )
    status = forms.ChoiceField(
        label=_label(Application, "status"),
        choices=[(ALL, _("All")), *AppStatus.choices],
        required=False,
    )

    def __init__(self, data, *, counties: QuerySet[OrgUnit], default_status: str, **kwargs):
        data = data.copy()
        if not data.get("status"):
            data["status"] = default_status
        super().__init__(data, **kwargs)
        self.fields["county"].queryset = counties
        self.is_valid()
        self.values = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }

    @property
    def status_value(self) -> str:
        status = self.values.get("status", self.ALL)
        return "" if status == self.ALL else status

    def apply(self, applications, *, with_status: bool = True):
        if self.values.get("county"):
            applications = applications.filter(enterprise__county=self.values["county"])
        if with_status and self.status_value:
            applications = applications.filter(status=self.status_value)
        return applications
