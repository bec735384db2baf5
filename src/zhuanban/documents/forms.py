"""Forms of the document screens. They shape what the user typed; the services decide
whether it may be done (one message catalogue, one set of rules)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.files import check_upload
from zhuanban.documents.lifecycle import REASON_REQUIRED, DocAction, Stage
from zhuanban.documents.models import Document, DocumentVersion, Kind
from zhuanban.org.models import Chain, OrgUnit
from zhuanban.org.scoping import scope_for
from zhuanban.org.selectors import office_staff_users

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VERSION_FILE_TYPES = {".docx"}
SEARCH_MAX = 100


def _label(model, field: str):
    """A model field's own (translated) name, as a form label."""
    return lazy(lambda: capfirst(model._meta.get_field(field).verbose_name), str)()


def _help(model, field: str):
    return model._meta.get_field(field).help_text


def _person_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- the list's filters ---------------------------------------------------------------------


class DocumentFilterForm(forms.Form):
    """The list's filters. A value that is not one of the choices (a stale or hand-edited
    address) is left out, never an error."""

    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX)
    kind = forms.ChoiceField(
        label=_label(Document, "kind"), choices=[("", "—"), *Kind.choices], required=False
    )
    stage = forms.ChoiceField(
        label=_label(Document, "stage"), choices=[("", "—"), *Stage.choices], required=False
    )
    office = forms.ModelChoiceField(
        label=_label(Document, "office"),
        queryset=OrgUnit.objects.offices().order_by("sort_order", "code"),
        required=False,
        empty_label="—",
    )
    chain = forms.ModelChoiceField(
        label=_label(Document, "chain"),
        queryset=Chain.objects.order_by("sort_order", "code"),
        required=False,
        empty_label="—",
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.values: dict = {}
        if data is not None:
            self.is_valid()
            self.values = {
                name: value
                for name, value in self.cleaned_data.items()
                if value not in (None, "") and name not in self.errors
            }

    @property
    def stage_value(self) -> str:
        return self.values.get("stage", "")

    def apply(self, documents: QuerySet[Document], *, with_stage: bool = True):
        """`documents` narrowed to the filters (all but the stage when `with_stage` is off:
        the stage chips count across stages)."""
        values = self.values
        if values.get("q"):
            documents = documents.filter(title__icontains=values["q"].strip())
        if values.get("kind"):
            documents = documents.filter(kind=values["kind"])
        if values.get("office"):
            documents = documents.filter(office=values["office"])
        if values.get("chain"):
            documents = documents.filter(chain=values["chain"])
        if with_stage and values.get("stage"):
            documents = documents.filter(stage=values["stage"])
        return documents

    def stage_counts(self, documents: QuerySet[Document]) -> dict[str, int]:
        """Documents per stage under the other filters (one query)."""
        rows = (
            self.apply(documents, with_stage=False)
            .order_by()
            .values("stage")
            .annotate(n=Count("pk"))
        )
        return {row["stage"]: row["n"] for row in rows}


# --- a document's details -------------------------------------------------------------------


class PersonChoiceField(forms.TypedChoiceField):
    """A person among an office's staff; cleans to the user itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, empty_value=None, **kwargs)
        self.people: dict[int, object] = {}

    def clean(self, value):
        pk = super().clean(value)
        return None if pk is None else self.people[pk]


class DocumentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    office = forms.ModelChoiceField(
        label=_label(Document, "office"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_label(Document, "title"), max_length=200)
    kind = forms.ChoiceField(label=_label(Document, "kind"), choices=Kind.choices)
    lead_author = PersonChoiceField(label=_label(Document, "lead_author"))
    pen_holder = PersonChoiceField(
        label=_label(Document, "pen_holder"),
        required=False,
        help_text=_("Who is writing the text now. Left empty, the lead author holds the pen."),
    )
    chain = forms.ModelChoiceField(
        label=_label(Document, "chain"),
        queryset=Chain.objects.order_by("sort_order", "code"),
        required=False,
        empty_label="—",
    )
    key_work = forms.CharField(label=_label(Document, "key_work"), max_length=100, required=False)
    summary = forms.CharField(
        label=_label(Document, "summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_living = forms.BooleanField(
        label=_label(Document, "is_living"), required=False, help_text=_help(Document, "is_living")
    )
    issuing_authority = forms.CharField(
        label=_label(Document, "issuing_authority"),
        max_length=200,
        required=False,
        help_text=_("E.g. 乌兰察布市人民政府办公室; offered again when the document is issued."),
    )

    SERVICE_FIELDS = (
        "title",
        "kind",
        "lead_author",
        "pen_holder",
        "chain",
        "key_work",
        "summary",
        "is_living",
        "issuing_authority",
    )

    def __init__(self, *args, user, document: Document | None = None, **kwargs):
        if document is not None:
            kwargs.setdefault(
                "initial",
                {
                    "version": document.version,
                    "lead_author": document.lead_author_id,
                    "pen_holder": document.pen_holder_id,
                    "chain": document.chain_id,
                    **{
                        name: getattr(document, name)
                        for name in ("title", "kind", "key_work", "summary", "is_living")
                    },
                    "issuing_authority": document.issuing_authority,
                },
            )
        super().__init__(*args, **kwargs)
        self.document = document
        if document is None:
            offices = list(
                OrgUnit.objects.offices()
                .filter(pk__in=scope_for(user).office_ids)
                .order_by("sort_order", "code")
            )
            self.fields["office"].queryset = OrgUnit.objects.filter(pk__in=[o.pk for o in offices])
            if len(offices) == 1:
                # Staff of one office draft for it: nothing to choose.
                self.fields["office"].initial = offices[0].pk
                self.fields["office"].disabled = True
            people = [(office, office_staff_users(office.pk)) for office in offices]
        else:
            # The drafting office stays: another office's document would be another document.
            del self.fields["office"]
            staff = office_staff_users(document.office_id)
            # People who have since left the office stay shown (the service says so).
            for current in (document.lead_author, document.pen_holder):
                if current not in staff:
                    staff.append(current)
            people = [(document.office, staff)]
        self._offer_people(people)

    office_label = _label(Document, "office")

    @property
    def office_fixed(self):
        field = self.fields.get("office")
        if field is None:
            return self.document.office
        if field.disabled:
            return field.queryset.first()
        return None

    def _offer_people(self, people: list[tuple[OrgUnit, list]]) -> None:
        """The staff of the offices, grouped by office when there are several."""
        known = {user.pk: user for _office, staff in people for user in staff}

        def options(staff):
            return [(user.pk, _person_name(user)) for user in staff]

        if len(people) == 1:
            choices = options(people[0][1])
        else:
            choices = [(office.name, options(staff)) for office, staff in people]
        self.fields["lead_author"].choices = [("", "—"), *choices]
        self.fields["pen_holder"].choices = [("", _("Same as the lead author")), *choices]
        self.fields["lead_author"].people = known
        self.fields["pen_holder"].people = known

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


# --- versions -------------------------------------------------------------------------------


class VersionForm(forms.Form):
    """A draft: a .docx upload or text written here. The upload's safety (type by content,
    no macros, no zip bomb) is checked here so that a refused file is on the audit trail
    even though nothing else is written; the service checks it again."""

    file = forms.FileField(
        label=_("Draft as a .docx file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        help_text=_("A Word document (.docx); its text is taken out for comparison."),
    )
    text = forms.CharField(
        label=_("Or write the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("One paragraph a line."),
    )
    label = forms.CharField(
        label=_label(DocumentVersion, "label"),
        max_length=40,
        required=False,
        help_text=_help(DocumentVersion, "label"),
    )
    change_note = forms.CharField(
        label=_label(DocumentVersion, "change_note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, note_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused: list = []
        if note_required:
            self.fields["change_note"].help_text = _(
                "Required: the revision takes effect at once and the revision history shows it."
            )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                check_upload(upload, allowed=VERSION_FILE_TYPES)
            except ValidationError as error:
                self.refused.append((upload, error))
                raise ValidationError(error.messages[0], code=error.code) from error
            upload.seek(0)
        return upload

    def has_content(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("file") or data.get("text", "").strip())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "upload": data.get("file") or None,
            "text": data.get("text", ""),
            "label": data.get("label", ""),
            "change_note": data.get("change_note", ""),
        }


class VersionNoteForm(forms.Form):
    label = forms.CharField(
        label=_label(DocumentVersion, "label"),
        max_length=40,
        required=False,
        help_text=_help(DocumentVersion, "label"),
    )
    change_note = forms.CharField(
        label=_label(DocumentVersion, "change_note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompareForm(forms.Form):
    """Two of the versions the user may see."""

    a = forms.TypedChoiceField(label=pgettext_lazy("compare", "Older"), coerce=int)
    b = forms.TypedChoiceField(label=pgettext_lazy("compare", "Newer"), coerce=int)

    def __init__(self, *args, versions: list[DocumentVersion], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.pk, version_name(v)) for v in versions]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


def version_name(version: DocumentVersion) -> str:
    name = _("Version %(number)s") % {"number": version.number}
    return f"{name} {version.label}".strip()


# --- lifecycle actions ----------------------------------------------------------------------


class ActForm(forms.Form):
    """One action of the document's lifecycle, with the details it records. Fields are
    optional here: the service names what is missing, in its own words."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=pgettext_lazy("document action", "Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: str, document: Document, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        if action in REASON_REQUIRED:
            self.fields["comment"].label = _("Reason")
        if action == DocAction.APPROVE:
            self.fields["deliberation"] = forms.CharField(
                label=_label(Document, "deliberation"),
                max_length=200,
                required=False,
                help_text=_help(Document, "deliberation"),
            )
            self.fields["approved_on"] = forms.DateField(
                label=_label(Document, "approved_on"),
                required=False,
                widget=DATE_INPUT,
                help_text=_("Today when left empty."),
            )
        elif action == DocAction.ISSUE:
            self.fields["issue_number"] = forms.CharField(
                label=_label(Document, "issue_number"),
                max_length=60,
                required=False,
                help_text=_("E.g. 乌政办发〔2023〕12号."),
            )
            self.fields["issued_on"] = forms.DateField(
                label=_label(Document, "issued_on"),
                required=False,
                widget=DATE_INPUT,
                initial=timezone.localdate,
            )
            self.fields["issuing_authority"] = forms.CharField(
                label=_label(Document, "issuing_authority"),
                max_length=200,
                required=False,
                initial=document.issuing_authority,
            )
        # The comment goes last, after what the action records.
        self.order_fields(["version", *(n for n in self.fields if n != "comment"), "comment"])

    @property
    def label(self) -> str:
        return DocAction(self.action).label

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"comment": data.get("comment", ""), "expected_version": data.get("version")}
        for name in ("deliberation", "issue_number", "issuing_authority"):
            if name in self.fields:
                kwargs[name] = data.get(name, "")
        for name in ("approved_on", "issued_on"):
            if name in self.fields:
                kwargs[name] = data.get(name)
        return kwargs
