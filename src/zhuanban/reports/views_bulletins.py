"""Screens of the bulletins (信息动态, 专报 …): the archive with its search, a new issue, the
editor (the issue's fields, its sections written by hand or drafted from data), publishing
(第N期), an issue as its readers see it, and its .docx and PDF.

Thin views: an issue comes through `reports.access` (404 when the user may not see it);
only composers of its series (`scoping.may_compose`) change it (403 for a reader who sees
it); every change goes through `reports.services`, which checks again, numbers and
freezes. Every form carries the issue's `version`: a change made on a stale page is
refused with 409 and nothing is written; a refused form comes back with every error by
field (422). A published issue is never edited: its edit pages send the reader back to
it with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.chips import filter_chips
from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors, is_concurrent_edit
from zhuanban.core.pages import field_labels, query_without
from zhuanban.reports import access, generators, pdf_jobs, services
from zhuanban.reports import selectors_bulletins as reads
from zhuanban.reports.forms import (
    ArchiveFilterForm,
    BulletinCreateForm,
    BulletinFieldsForm,
    GenerateForm,
    PublishForm,
    SectionForm,
    VersionForm,
)
from zhuanban.reports.models import Bulletin, Section, Series
from zhuanban.reports.scoping import composable_series, may_compose

PAGE_SIZE = 20
DRAFTS_SHOWN = 50
INVALID_STATUS = 422
STALE_STATUS = 409


# --- helpers ----------------------------------------------------------------------------------


def _bulletin_to_compose(user, pk: int) -> Bulletin:
    """The issue, for one who composes its series: 404 when they may not see it, 403 when
    they read it but do not compose its series."""
    bulletin = access.get_bulletin_for_user(user, pk)
    if not may_compose(user, bulletin.series):
        raise PermissionDenied
    return bulletin


def _frozen(request, bulletin: Bulletin):
    """A published issue is the record: back to it, saying why."""
    messages.error(request, _("A published issue cannot be changed; correct it in a new issue."))
    return redirect(bulletin)


def _editor_url(bulletin: Bulletin, anchor: str = "") -> str:
    url = reverse("reports:bulletin_edit", args=[bulletin.pk])
    return f"{url}#{anchor}" if anchor else url


def _refused(form, error: ValidationError) -> int:
    """The service's errors on the form; the status to answer with."""
    add_service_errors(form, error)
    return STALE_STATUS if is_concurrent_edit(error) else INVALID_STATUS


def _source_links(section: Section) -> list[dict]:
    """The links of a drafted section that lead to a page of this site (a link stored
    otherwise is not shown)."""
    links = []
    for link in section.links or []:
        if not isinstance(link, dict):
            continue
        url, label = str(link.get("url") or ""), str(link.get("label") or "")
        if url.startswith("/") and not url.startswith("//") and label:
            links.append({"label": label, "url": url})
    return links


def _source_label(section: Section) -> str:
    generator = generators.GENERATORS.get(section.source)
    return str(generator.label) if generator is not None else section.source


def _sections(bulletin: Bulletin) -> list[Section]:
    sections = list(bulletin.sections.order_by("position", "pk"))
    for section in sections:
        section.source_links = _source_links(section)
        section.source_label = _source_label(section) if section.source else ""
        section.as_of = (section.params or {}).get("as_of", "") if section.source else ""
    return sections


def _editor(request, bulletin: Bulletin, *, status: int = 200, **bound):
    """The editor page; `bound` holds the form that was posted and refused (fields_form,
    section_form with section_pk, add_form, generate_form, publish_form)."""
    user, today = request.user, timezone.localdate()
    version = {"version": bulletin.version}
    sections = _sections(bulletin)
    for section in sections:
        if bound.get("section_pk") == section.pk:
            section.form = bound["section_form"]
        else:
            section.form = SectionForm(
                prefix=f"s{section.pk}",
                initial={
                    **version,
                    "heading": section.heading,
                    "body": section.body,
                    "position": section.position,
                },
            )
    fields_form = bound.get("fields_form") or BulletinFieldsForm(
        initial={**version, **{name: getattr(bulletin, name) for name in BulletinFieldsForm.FIELDS}}
    )
    generate_form = bound.get("generate_form")
    if generate_form is None and generators.GENERATORS:
        generate_form = GenerateForm(prefix="gen", user=user, today=today, initial=version)
    return render(
        request,
        "reports/bulletin_edit.html",
        {
            "bulletin": bulletin,
            "sections": sections,
            "fields_form": fields_form,
            "add_form": bound.get("add_form") or SectionForm(prefix="new", initial=version),
            "generate_form": generate_form,
            "publish_form": bound.get("publish_form")
            or PublishForm(prefix="pub", today=today, initial=version),
            "labels": field_labels(Bulletin),
        },
        status=status,
    )


def _series_choices(series: list[Series]) -> type[models.TextChoices]:
    """The series as choices for the chips (value: the pk, label: the name)."""
    return models.TextChoices("SeriesChoices", [(f"S{s.pk}", (str(s.pk), s.name)) for s in series])


# --- the archive ------------------------------------------------------------------------------


@require_GET
@login_required
def bulletin_list(request):
    user = request.user
    access.require_reader(user)
    series = list(reads.archive_series())
    form = ArchiveFilterForm(request.GET, series=series, years=reads.archive_years(user))
    chosen, year = form.values.get("series"), form.values.get("year")
    words = reads.search_words(form.values.get("q", ""))
    issues = reads.published_issues(user, series=chosen, year=year, words=words)
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    for issue in page:
        issue.hit = reads.snippet(issue.search_text, words) if words else None
    drafts = []
    if page.number == 1:
        drafts = list(reads.drafts(user, series=chosen, words=words)[:DRAFTS_SHOWN])
    chips = filter_chips(
        request,
        param="series",
        choices=_series_choices(series),
        counts=reads.series_counts(user, year=year, words=words),
        active=str(chosen or ""),
        everything=("", ""),
    )
    return render(
        request,
        "reports/bulletin_list.html",
        {
            "form": form,
            "chips": chips,
            "page": page,
            "drafts": drafts,
            "words": words,
            "query": query_without(request),
            "can_compose": composable_series(user).exists(),
            "labels": field_labels(Bulletin),
        },
    )


# --- a new issue ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def bulletin_create(request):
    user = request.user
    access.require_reader(user)
    series = composable_series(user)
    if not series.exists():
        raise PermissionDenied
    posted = request.method == "POST"
    initial = {"series": request.GET.get("series")} if not posted else None
    form = BulletinCreateForm(request.POST if posted else None, series=series, initial=initial)
    status = INVALID_STATUS if posted else 200
    if posted and form.is_valid():
        try:
            bulletin = services.bulletin_create(
                actor=user, series=form.cleaned_data["series"], **form.service_fields()
            )
        except ValidationError as error:
            status = _refused(form, error)
        except PermissionError as error:
            raise PermissionDenied from error
        else:
            messages.success(request, _("The draft was created. Now add its sections."))
            return redirect(_editor_url(bulletin))
    return render(request, "reports/bulletin_form.html", {"form": form}, status=status)


# --- an issue as its readers see it -----------------------------------------------------------


@require_GET
@login_required
def bulletin_detail(request, pk: int):
    user = request.user
    bulletin = access.get_bulletin_for_user(user, pk)
    can_compose = not bulletin.is_published and may_compose(user, bulletin.series)
    return render(
        request,
        "reports/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "sections": _sections(bulletin),
            "can_compose": can_compose,
            "labels": field_labels(Bulletin),
            "pdf_job": pdf_jobs.pending_job(bulletin),
        },
    )


# --- the editor -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def bulletin_edit(request, pk: int):
    user = request.user
    bulletin = _bulletin_to_compose(user, pk)
    if bulletin.is_published:
        return _frozen(request, bulletin)
    if request.method == "GET":
        return _editor(request, bulletin)
    form = BulletinFieldsForm(request.POST)
    status = INVALID_STATUS
    if form.is_valid():
        try:
            services.bulletin_update(
                actor=user,
                bulletin=bulletin,
                expected_version=form.expected_version(),
                **form.service_fields(),
            )
        except ValidationError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("The issue's details were saved."))
            return redirect(_editor_url(bulletin))
    return _editor(request, bulletin, status=status, fields_form=form)


def _save_section(request, bulletin: Bulletin, form: SectionForm, found: Section | None):
    """The section's form saved through the service: the editor at the section, or None
    with the form carrying the refusal (and the status to answer with)."""
    if not form.is_valid():
        return None, INVALID_STATUS
    data = form.cleaned_data
    try:
        section = services.section_save(
            actor=request.user,
            bulletin=bulletin,
            section=found,
            expected_version=form.expected_version(),
            heading=data["heading"],
            body=data["body"],
            position=data["position"],
        )
    except ValidationError as error:
        return None, _refused(form, error)
    messages.success(request, _("The section was saved.") if found else _("The section was added."))
    return redirect(_editor_url(bulletin, f"section-{section.pk}")), None


def _add_written(request, bulletin: Bulletin):
    form = SectionForm(request.POST, prefix="new")
    saved, status = _save_section(request, bulletin, form, None)
    return saved or _editor(request, bulletin, status=status, add_form=form)


def _add_generated(request, bulletin: Bulletin):
    form = GenerateForm(request.POST, prefix="gen", user=request.user, today=timezone.localdate())
    status = INVALID_STATUS
    if form.is_valid():
        try:
            section = services.section_generate(
                actor=request.user,
                bulletin=bulletin,
                expected_version=form.expected_version(),
                source=form.cleaned_data["source"],
                params=form.params,
                as_of=form.cleaned_data["as_of"],
            )
        except ValidationError as error:
            status = _refused(form, error)
        else:
            messages.success(
                request, _("The section was drafted from data. Check its figures and edit it.")
            )
            return redirect(_editor_url(bulletin, f"section-{section.pk}"))
    return _editor(request, bulletin, status=status, generate_form=form)


@require_http_methods(["GET", "POST"])
@login_required
def section_add(request, pk: int):
    """A section written by hand, or (with `gen-source`) drafted from data."""
    bulletin = _bulletin_to_compose(request.user, pk)
    if bulletin.is_published:
        return _frozen(request, bulletin)
    if request.method == "GET":
        return redirect(_editor_url(bulletin, "add-section"))
    if "gen-source" in request.POST:
        return _add_generated(request, bulletin)
    return _add_written(request, bulletin)


def _section_of(bulletin: Bulletin, section_pk: int) -> Section:
    section = bulletin.sections.filter(pk=section_pk).first()
    if section is None:
        raise Http404
    return section


@require_http_methods(["GET", "POST"])
@login_required
def section_edit(request, pk: int, section: int):
    bulletin = _bulletin_to_compose(request.user, pk)
    if bulletin.is_published:
        return _frozen(request, bulletin)
    found = _section_of(bulletin, section)
    if request.method == "GET":
        return redirect(_editor_url(bulletin, f"section-{found.pk}"))
    form = SectionForm(request.POST, prefix=f"s{found.pk}")
    saved, status = _save_section(request, bulletin, form, found)
    return saved or _editor(
        request, bulletin, status=status, section_form=form, section_pk=found.pk
    )


def _stale_or_invalid(request, bulletin: Bulletin, error: ValidationError):
    """A refused button (no fields of its own): the editor again with the message."""
    for message in error.messages:
        messages.error(request, message)
    status = STALE_STATUS if is_concurrent_edit(error) else INVALID_STATUS
    return _editor(request, bulletin, status=status)


@require_POST
@login_required
def section_delete(request, pk: int, section: int):
    bulletin = _bulletin_to_compose(request.user, pk)
    if bulletin.is_published:
        return _frozen(request, bulletin)
    found = _section_of(bulletin, section)
    form = VersionForm(request.POST)
    form.is_valid()
    try:
        services.section_delete(
            actor=request.user,
            bulletin=bulletin,
            section=found,
            expected_version=form.expected_version(),
        )
    except ValidationError as error:
        return _stale_or_invalid(request, bulletin, error)
    messages.success(request, _("The section was deleted."))
    return redirect(_editor_url(bulletin, "sections"))


# --- publishing and deleting ------------------------------------------------------------------


@require_POST
@login_required
def bulletin_publish(request, pk: int):
    user = request.user
    bulletin = _bulletin_to_compose(user, pk)
    if bulletin.is_published:
        return _frozen(request, bulletin)
    form = PublishForm(request.POST, prefix="pub", today=timezone.localdate())
    status = INVALID_STATUS
    if form.is_valid():
        try:
            published = services.bulletin_publish(
                actor=user,
                bulletin=bulletin,
                expected_version=form.expected_version(),
                issue_date=form.cleaned_data["issue_date"],
            )
        except ValidationError as error:
            status = _refused(form, error)
        else:
            messages.success(
                request,
                _("Published as %(series)s %(number)s.")
                % {"series": published.series.name, "number": published.number_text},
            )
            return redirect(published)
    return _editor(request, bulletin, status=status, publish_form=form)


@require_POST
@login_required
def bulletin_delete(request, pk: int):
    user = request.user
    bulletin = _bulletin_to_compose(user, pk)
    if bulletin.is_published:
        return _frozen(request, bulletin)
    form = VersionForm(request.POST)
    form.is_valid()
    title = bulletin.title
    try:
        services.bulletin_delete(
            actor=user, bulletin=bulletin, expected_version=form.expected_version()
        )
    except ValidationError as error:
        return _stale_or_invalid(request, bulletin, error)
    messages.success(request, _("The draft “%(title)s” was deleted.") % {"title": title})
    return redirect("reports:bulletins")


# --- downloads --------------------------------------------------------------------------------


def _download(request, pk: int, kind: str):
    bulletin = access.get_bulletin_for_user(request.user, pk)
    stored = bulletin.docx if kind == "docx" else bulletin.pdf
    if stored is None:
        raise Http404
    response = serve_stored_file(request, stored, context=bulletin)
    if response.status_code == 200:
        services.record_download(actor=request.user, bulletin=bulletin, kind=kind)
    return response


@require_GET
@login_required
def bulletin_docx(request, pk: int):
    return _download(request, pk, "docx")


@require_GET
@login_required
def bulletin_pdf(request, pk: int):
    return _download(request, pk, "pdf")
