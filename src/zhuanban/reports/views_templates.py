"""Reports for superiors (汇报材料) from templates: the list of the templates a person may
use, by office; a template filled from data as of a date (each section drafted by its
generator, shown in a text box with the links to the records behind its figures, for the
author to edit); and the edited report as a Word document.

Thin views: templates come through `access.get_template_for_user` (404 for a template the
user may not see; the administrators, enterprise logins and outsiders see none), the
drafts from `generators.generate` as the user who asks, the document from
`documents.report_docx`. Nothing is saved: the report is made from the page as posted. A
post the user can fix re-renders the page with every problem by field (422); a page drawn
before someone changed the template answers 409 with its text kept.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhuanban.core import audit, word
from zhuanban.core.errors import check_version, is_concurrent_edit
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.reports import access, documents, generators, scoping
from zhuanban.reports.generators import Link
from zhuanban.reports.models import ReportTemplate

INVALID_STATUS = 422
STALE_STATUS = 409
TEXT_MAX = 20_000
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Characters a file name cannot hold on one system or another.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def _not_in_the_future(value: datetime.date | None) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    return value


class AsOfForm(forms.Form):
    """The date the figures stand at: today unless another is asked for."""

    as_of = forms.DateField(label=gettext_lazy("Figures as of"), required=False, widget=DATE_INPUT)

    def clean_as_of(self):
        return _not_in_the_future(self.cleaned_data.get("as_of"))

    @property
    def date(self) -> datetime.date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()


class ReportForm(forms.Form):
    """The report as the page shows it: the title, the opening, each section's heading
    and text (heading_0, text_0, …), the date and the template's version it was drawn at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    as_of = forms.DateField(widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    opening = forms.CharField(
        label=gettext_lazy("Opening paragraph"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, template: ReportTemplate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count = len(template.sections or [])
        for index in range(self.count):
            self.fields[f"heading_{index}"] = forms.CharField(
                label=pgettext_lazy("report section", "Heading"), required=False, max_length=200
            )
            self.fields[f"text_{index}"] = forms.CharField(
                label=pgettext_lazy("report section", "Text"),
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    def clean_as_of(self):
        return _not_in_the_future(self.cleaned_data.get("as_of"))

    def clean(self):
        data = super().clean()
        texts = [data.get(f"text_{index}") for index in range(self.count)]
        if not (data.get("opening") or any(texts)):
            self.add_error(
                "opening", _("The report is empty: write the opening or a section's text.")
            )
        return data

    def sections(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data.get(f"heading_{index}", ""), data.get(f"text_{index}", ""))
            for index in range(self.count)
        ]


@dataclass
class Part:
    """One section of the template as the page shows it."""

    index: int
    heading: str
    text: str  # the draft, or the template's fixed text
    source: str = ""
    source_label: str = ""
    guidance: str = ""  # the template's text, when a draft takes its place
    problem: str = ""  # why there is no draft
    links: list[Link] = field(default_factory=list)
    heading_field: object = None
    text_field: object = None


def _fill(template: ReportTemplate, user, as_of: datetime.date) -> list[Part]:
    """Each section drafted from data by its generator, as the user; a section without a
    source, or whose generator is not there, keeps its fixed text."""
    parts = []
    for index, section in enumerate(template.sections or []):
        heading = str(section.get("heading") or "")
        fixed = str(section.get("text") or "")
        source = str(section.get("source") or "")
        part = Part(index=index, heading=heading, text=fixed, source=source)
        generator = generators.GENERATORS.get(source) if source else None
        if generator is None:
            if source:
                part.problem = _("No data is available for this section: write it by hand.")
            parts.append(part)
            continue
        part.source_label = str(generator.label)
        try:
            draft = generators.generate(
                source, user=user, params=dict(section.get("params") or {}), as_of=as_of
            )
        except ValidationError as error:
            part.problem = " ".join(error.messages)
        else:
            part.heading = heading or draft.heading
            part.text, part.guidance, part.links = draft.body, fixed, list(draft.links)
        parts.append(part)
    return parts


def _bind_parts(form: ReportForm, parts: list[Part]) -> list[Part]:
    for part in parts:
        part.heading_field = form[f"heading_{part.index}"]
        part.text_field = form[f"text_{part.index}"]
    return parts


def _posted_parts(template: ReportTemplate, form: ReportForm) -> list[Part]:
    """The sections as posted, for a page shown again (no drafting: what was written stays)."""
    parts = []
    for index, section in enumerate(template.sections or []):
        source = str(section.get("source") or "")
        generator = generators.GENERATORS.get(source) if source else None
        parts.append(
            Part(
                index=index,
                heading=str(section.get("heading") or ""),
                text="",
                source=source,
                source_label=str(generator.label) if generator else "",
            )
        )
    return _bind_parts(form, parts)


@require_GET
@login_required
def template_list(request):
    access.require_template_user(request.user)
    rows = [
        {
            "template": template,
            "sections": len(template.sections or []),
            "from_data": sum(
                1
                for section in template.sections or []
                if section.get("source") in generators.GENERATORS
            ),
        }
        for template in scoping.visible_templates(request.user).select_related("office")
    ]
    return render(request, "reports/template_list.html", {"rows": rows})


@require_GET
@login_required
def template_detail(request, pk: int):
    template = access.get_template_for_user(request.user, pk)
    as_of_form = AsOfForm(request.GET or None)
    valid = not as_of_form.is_bound or as_of_form.is_valid()
    as_of = as_of_form.date
    parts = _fill(template, request.user, as_of)
    initial = {
        "version": template.version,
        "as_of": as_of,
        "title": template.title,
        "opening": template.opening,
    }
    for part in parts:
        initial[f"heading_{part.index}"] = part.heading
        initial[f"text_{part.index}"] = part.text
    form = ReportForm(initial=initial, template=template)
    return render(
        request,
        "reports/template_detail.html",
        {
            "template": template,
            "as_of_form": as_of_form,
            "as_of": as_of,
            "form": form,
            "parts": _bind_parts(form, parts),
        },
        status=200 if valid else INVALID_STATUS,
    )


@require_POST
@login_required
@limit_export
def template_docx(request, pk: int):
    """The report as posted, as .docx: "<title>（<date>）.docx"; audited as an export."""
    user = request.user
    template = access.get_template_for_user(user, pk)
    form = ReportForm(request.POST, template=template)
    status = INVALID_STATUS
    if form.is_valid():
        try:
            check_version(template, form.cleaned_data["version"])
        except ValidationError as error:
            if not is_concurrent_edit(error):
                raise
            form.add_error(None, error)
            status = STALE_STATUS
        else:
            return _docx_response(user, template, form)
    as_of = form.cleaned_data.get("as_of") or timezone.localdate()
    return render(
        request,
        "reports/template_detail.html",
        {
            "template": template,
            "as_of_form": AsOfForm(initial={"as_of": as_of}),
            "as_of": as_of,
            "form": form,
            "parts": _posted_parts(template, form),
        },
        status=status,
    )


def _docx_response(user, template: ReportTemplate, form: ReportForm) -> FileResponse:
    data = form.cleaned_data
    as_of, title = data["as_of"], word.one_line(data["title"])
    content = documents.report_docx(
        template,
        form.sections(),
        as_of=as_of,
        office=template.office,
        title=title,
        opening=data.get("opening", ""),
    )
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        instance=template,
        after={"as_of": as_of.isoformat(), "title": title},
        message="report for superiors exported to docx",
    )
    name = _NOT_IN_FILE_NAMES.sub("", title)[:80].strip() or "report"
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{name}（{word.chinese_date(as_of)}）.docx",
        content_type=word.DOCX_CONTENT_TYPE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
