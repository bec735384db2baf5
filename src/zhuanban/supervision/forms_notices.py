from django import forms
from django.utils import translation
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from zhuanban.core.forms import MultipleFileField
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.supervision.documents import DOCUMENT_LANGUAGE
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import (
    IssuingAuthority,
    Notice,
    NoticeKind,
    NoticeRecipient,
    ReasonKind,
)
from zhuanban.supervision.notice_selectors import HAND_KINDS, NoticeFilters


def _cap(text):
    return lazy(lambda: capfirst(text), str)()


def _label(model, field: str):
    """A model field's own (translated) name, as a form label."""
    return _cap(model._meta.get_field(field).verbose_name)


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Units a notice can concern: counties first, then departments and the bureau's own.
CONCERNED_KINDS = [
    UnitKind.COUNTY,
    UnitKind.DEPARTMENT,
    UnitKind.MEMBER_UNIT,
    UnitKind.SECTION,
    UnitKind.OFFICE,
]


# A link can name a few hundred units at most (all the counties and departments shown on
# the candidates page); anything longer is not ours and is cut, not parsed.
PREFILL_MAX_UNITS = 500


def concerned_units():
    kind_order = {kind: position for position, kind in enumerate(CONCERNED_KINDS)}
    units = OrgUnit.objects.active().of_kind(*CONCERNED_KINDS)
    return sorted(units, key=lambda u: (kind_order[u.kind], u.sort_order, u.code))


def may_concern(unit: OrgUnit | None) -> bool:
    """Whether the notice form offers `unit` (the rule of `concerned_units`, for one unit
    already loaded): pages linking to a prefilled draft offer only those."""
    return unit is not None and unit.is_active and unit.kind in CONCERNED_KINDS


# The titles offered by the pages that link to a prefilled draft (`?topic=`).
PREFILL_TITLES = {
    "tasks": gettext_noop("Supervision notice on key tasks falling behind"),
    "reports": gettext_noop("Supervision notice on statistical reports not sent on time"),
}


def prefill_title(topic: str = "tasks") -> str:
    """The title offered for a notice about lagging work. It prints in the notice, so it
    is in the document's language whatever language the drafter reads the site in."""
    with translation.override(DOCUMENT_LANGUAGE):
        return gettext(PREFILL_TITLES.get(topic, PREFILL_TITLES["tasks"]))


class NoticeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    office = forms.ModelChoiceField(label=_label(Notice, "office"), queryset=OrgUnit.objects.none())
    authority = forms.ModelChoiceField(
        label=_label(Notice, "authority"), queryset=IssuingAuthority.objects.none()
    )
    kind = forms.ChoiceField(label=_label(Notice, "kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_label(Notice, "title"), max_length=200)
    addressees = forms.CharField(
        label=_label(Notice, "addressees"),
        max_length=300,
        help_text=Notice._meta.get_field("addressees").help_text,
    )
    copied_to = forms.CharField(
        label=_label(Notice, "copied_to"),
        max_length=300,
        required=False,
        help_text=Notice._meta.get_field("copied_to").help_text,
    )
    units = forms.TypedMultipleChoiceField(
        label=_label(Notice, "units"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "unit-choices"}),
    )
    opening = forms.CharField(
        label=_label(Notice, "opening"), widget=forms.Textarea(attrs={"rows": 4})
    )
    requirements = forms.CharField(
        label=_("Requirements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One requirement a line; each becomes a rectification item for every unit."),
    )
    reply_deadline = forms.DateField(
        label=_label(Notice, "reply_deadline"), required=False, widget=DATE_INPUT
    )
    closing = forms.CharField(
        label=_label(Notice, "closing"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, notice: Notice | None = None, **kwargs):
        if notice is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "version": notice.version,
                "office": notice.office_id,
                "authority": notice.authority_id,
                "kind": notice.kind,
                "title": notice.title,
                "addressees": notice.addressees,
                "copied_to": notice.copied_to,
                "units": list(notice.recipients.values_list("unit_id", flat=True)),
                "opening": notice.opening,
                "requirements": "\n".join(notice.requirements.values_list("text", flat=True)),
                "reply_deadline": notice.reply_deadline,
                "closing": notice.closing,
            }
        super().__init__(*args, **kwargs)
        self.notice = notice
        if notice is None:
            self.fields["office"].queryset = OrgUnit.objects.offices().filter(
                pk__in=scope_for(user).office_ids
            )
            self.fields["version"].widget = forms.HiddenInput()
        else:
            # The office of a draft stays: another office would be another notice.
            del self.fields["office"]
        authorities = IssuingAuthority.objects.filter(active=True)
        if notice is not None:
            authorities = IssuingAuthority.objects.filter(pk=notice.authority_id) | authorities
        self.fields["authority"].queryset = authorities.order_by("name")
        self.unit_objects = {u.pk: u for u in concerned_units()}
        self.fields["units"].choices = [(pk, u.name) for pk, u in self.unit_objects.items()]

    def prefill(self, query) -> None:
        """A new draft opened from a list of lagging work (`?units=3,7`): preselect the
        units among those the form offers and offer the usual title. Anything else in
        the list (not a number, a unit not offered) is ignored: a link never fails."""
        if self.notice is not None or "units" not in query:
            return
        wanted: dict[int, None] = {}  # ordered and unique
        raw = ",".join(query.getlist("units"))
        for part in raw.split(",", PREFILL_MAX_UNITS)[:PREFILL_MAX_UNITS]:
            try:
                pk = int(part.strip())
            except ValueError:
                continue
            if pk in self.unit_objects:
                wanted[pk] = None
        self.initial["units"] = list(wanted)
        self.initial.setdefault("title", prefill_title(query.get("topic", "tasks")))

    def clean_requirements(self) -> list[str]:
        lines = (self.cleaned_data.get("requirements") or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean_units(self) -> list[OrgUnit]:
        return [self.unit_objects[pk] for pk in self.cleaned_data.get("units") or []]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "authority": data["authority"],
            "kind": data["kind"],
            "title": data["title"],
            "addressees": data["addressees"],
            "copied_to": data["copied_to"],
            "units": data["units"],
            "opening": data["opening"],
            "closing": data["closing"],
            "reply_deadline": data["reply_deadline"],
            "requirements": data["requirements"],
        }


class NoticeFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *NoticeStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *NoticeKind.choices]
    )
    authority = forms.ModelChoiceField(
        label=_label(Notice, "authority"),
        required=False,
        queryset=IssuingAuthority.objects.order_by("name"),
    )
    unit = forms.ModelChoiceField(
        label=_cap(NoticeRecipient._meta.verbose_name),
        required=False,
        queryset=OrgUnit.objects.none(),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            scope_for(user).units().of_kind(*CONCERNED_KINDS).order_by("kind", "sort_order", "code")
        )

    def filters(self) -> NoticeFilters:
        """The filters in force; a value that does not validate is ignored, not an error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        authority, unit = data.get("authority"), data.get("unit")
        return NoticeFilters(
            year=data.get("year"),
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            authority=authority.pk if authority else None,
            unit=unit.pk if unit else None,
        )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    """Edit a reason's text (`reason` given), delete it, or add one by hand."""

    reason = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[(k, ReasonKind(k).label) for k in (ReasonKind.OTHER, ReasonKind.ACHIEVEMENT)],
    )
    text = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    delete = forms.BooleanField(required=False)

    def __init__(self, *args, notice: Notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [
            (r.unit_id, r.unit.name)
            for r in notice.recipients.select_related("unit").order_by("unit__code")
        ]
        if notice.kind == NoticeKind.COMMENDATION:
            self.fields["kind"].initial = ReasonKind.ACHIEVEMENT

    def clean_kind(self) -> str:
        kind = self.cleaned_data.get("kind") or ReasonKind.OTHER
        return kind if kind in HAND_KINDS else ReasonKind.OTHER


class ReplyForm(forms.Form):
    # A plain number: the view looks it up among the notice's units concerned, so that
    # another unit's answers 403 (seen, not yours) rather than "invalid choice".
    recipient = forms.IntegerField(label=_("Replying for"), widget=forms.Select)
    text = forms.CharField(
        label=_label(NoticeRecipient, "reply_text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    evidence = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].widget.choices = [(r.pk, r.unit.name) for r in recipients]
