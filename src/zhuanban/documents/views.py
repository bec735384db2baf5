"""Screens of policy documents and their versions: thin views, access helper → form →
service → message and redirect.

Every document and version comes through `documents.access` (404 when the user may not
see it); what the user may do is the lifecycle table's answer for their parties
(`scoping.document_parties`), and the services check it again (403 when they may see
but not act). A refusal the user can fix re-renders the page with the form bound and
its errors by field (422; 409 when someone else changed the document meanwhile).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.chips import filter_chips
from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors
from zhuanban.core.files import record_refusal
from zhuanban.core.pages import field_labels
from zhuanban.documents import access, scoping, selectors, services
from zhuanban.documents.forms import (
    ActForm,
    CompareForm,
    DocumentFilterForm,
    DocumentForm,
    VersionForm,
    VersionNoteForm,
)
from zhuanban.documents.lifecycle import (
    DOCUMENT_TRANSITIONS,
    OPEN_STAGES,
    ROUND_ACTIONS,
    WRITING_STAGES,
    DocAction,
    DocParty,
    Stage,
    document_actions,
)
from zhuanban.documents.models import Document, DocumentVersion
from zhuanban.documents.text import compare as compare_texts
from zhuanban.documents.text import paragraphs
from zhuanban.org.access import require_business_data

PAGE_SIZE = 50
INVALID_STATUS = 422
STALE_STATUS = 409

# The stepper: the way a document usually goes (a repealed one has gone all of it).
STEPS = (
    Stage.DRAFTING,
    Stage.CONSULTING,
    Stage.REVISING,
    Stage.DELIBERATING,
    Stage.APPROVED,
    Stage.ISSUED,
)
# History entries that are not lifecycle actions.
_EVENT_LABELS = {
    "create": gettext_lazy("Document created"),
    "pen": gettext_lazy("The pen passed"),
    "version": gettext_lazy("New version"),
}


# --- rules of the page (from the lifecycle table, never a role check) -------------------------


def _takes_versions(document: Document) -> bool:
    """A new version is written while the pen is out; a living document's also once
    issued (it takes effect at once)."""
    return document.stage in WRITING_STAGES or (
        document.is_living and document.stage == Stage.ISSUED
    )


def _may_consult(document: Document, parties: set[str]) -> bool:
    target = DOCUMENT_TRANSITIONS.get((document.stage, DocAction.CONSULT))
    return target is not None and bool(target[1] & parties)


def _steps(stage: str) -> list[dict]:
    if stage == Stage.REPEALED:
        return [{"label": Stage(s).label, "state": "done"} for s in STEPS]
    current = STEPS.index(stage)
    return [
        {
            "label": Stage(s).label,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, s in enumerate(STEPS)
    ]


def _label_events(events) -> list:
    events = list(events)
    for event in events:
        if event.action in DocAction.values:
            event.label = DocAction(event.action).label
        else:
            event.label = _EVENT_LABELS.get(event.action, event.action)
        moved = event.to_stage and event.to_stage != event.from_stage
        event.to_label = Stage(event.to_stage).label if moved else ""
    return events


# --- the list -------------------------------------------------------------------------------


def _stage_chips(request, counts: dict[str, int], active: str) -> list[dict]:
    """Links that set one stage (or clear it), keeping the other filters."""
    return filter_chips(
        request,
        param="stage",
        choices=Stage,
        counts=counts,
        active=active,
        everything=("", ""),
        toggle=True,
    )


@require_GET
@login_required
def document_list(request):
    require_business_data(request.user)
    form = DocumentFilterForm(request.GET or None)
    documents = form.apply(selectors.document_list(request.user)).order_by("-updated_at", "-pk")
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = form.stage_counts(scoping.visible_documents(request.user))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/document_list.html",
        {
            "form": form,
            "page": page,
            "chips": _stage_chips(request, counts, form.stage_value),
            "query": query.urlencode(),
            "can_create": scoping.can_create_document(request.user),
            "sees_all": scoping.sees_all(request.user),
            "labels": field_labels(Document),
        },
    )


# --- creating and editing -------------------------------------------------------------------


def _record_refusals(request, form: VersionForm) -> None:
    """Refused uploads go on the audit trail outside any transaction a refusal rolls back."""
    for upload, error in form.refused:
        record_refusal(upload, user=request.user, error=error)


@require_http_methods(["GET", "POST"])
@login_required
def document_create(request):
    if not scoping.can_create_document(request.user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = DocumentForm(request.POST if posted else None, user=request.user)
    version_form = VersionForm(
        request.POST if posted else None, request.FILES if posted else None, prefix="v"
    )
    if posted:
        valid = form.is_valid()
        valid = version_form.is_valid() and valid  # both, so every error shows at once
        _record_refusals(request, version_form)
        if valid:
            target = form
            try:
                # The document and its first version together, or neither.
                with transaction.atomic():
                    document = services.document_save(
                        actor=request.user,
                        office=form.cleaned_data["office"],
                        data=form.service_data(),
                    )
                    if version_form.has_content():
                        target = version_form
                        services.version_add(
                            actor=request.user, document=document, **version_form.service_kwargs()
                        )
            except ValidationError as error:
                add_service_errors(target, error)
            else:
                messages.success(request, _("The document was created."))
                return redirect(document)
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "version_form": version_form},
        status=INVALID_STATUS if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def document_edit(request, pk: int):
    document = access.get_document_for_user(request.user, pk)
    if not scoping.can_manage_document(request.user, document):
        raise PermissionDenied
    if document.stage not in OPEN_STAGES:
        messages.error(
            request, _("An issued document does not change: start a revision to change it.")
        )
        return redirect(document)
    posted = request.method == "POST"
    form = DocumentForm(request.POST if posted else None, user=request.user, document=document)
    if posted and form.is_valid():
        try:
            services.document_save(
                actor=request.user,
                document=document,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The details were saved."))
            return redirect(document)
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "document": document},
        status=INVALID_STATUS if posted else 200,
    )


# --- one document ---------------------------------------------------------------------------


def _versions(user, document: Document) -> list[DocumentVersion]:
    """The versions the user may see, oldest first, each knowing the one before it that
    the user may see (what "compare with previous" compares)."""
    versions = list(
        scoping.visible_versions(user, document)
        .select_related("file", "created_by")
        .defer("text")
        .order_by("number")
    )
    previous = None
    for version in versions:
        version.previous = previous
        previous = version
    return versions


def _render_detail(request, document: Document, *, bound: dict | None = None, status=200):
    """The document's page; `bound` holds the action form just refused, by action."""
    user = request.user
    document = access.get_document_for_user(user, document.pk)  # as it is now
    parties = scoping.document_parties(user, document)
    sees_all = scoping.sees_all(user)
    bound = bound or {}
    initial = {"version": document.version}
    action_forms = [
        bound.get(action) or ActForm(action=action, document=document, initial=initial)
        for action in document_actions(document.stage, parties)
    ]
    versions = _versions(user, document)
    rounds = list(scoping.visible_rounds(user, document).select_related("draft").order_by("number"))
    if sees_all:
        # A few rounds a document: their progress one query each.
        for round in rounds:
            round.progress = selectors.round_progress(round)
    open_round = next((r for r in rounds if r.is_open), None)
    manages = DocParty.OFFICE in parties
    context = {
        "document": document,
        "steps": _steps(document.stage),
        "action_forms": action_forms,
        "can_edit": manages and document.stage in OPEN_STAGES,
        "can_add_version": manages and _takes_versions(document),
        "can_consult": manages and _may_consult(document, parties) and open_round is None,
        "versions": list(reversed(versions)) if document.is_living else versions,
        "compare_form": _compare_form(versions),
        "rounds": rounds,
        "open_round": open_round,
        "sees_all": sees_all,
        "topics": (
            document.topics.select_related("meeting", "office").order_by("meeting__starts_at", "pk")
            if sees_all
            else []
        ),
        # The drafting history is the bureau's: the consulted see the stage and the text.
        "events": (
            _label_events(document.events.select_related("actor").order_by("at", "pk"))
            if sees_all
            else []
        ),
        "labels": field_labels(Document),
        "version_labels": field_labels(DocumentVersion),
        "Stage": Stage,
    }
    return render(request, "documents/document_detail.html", context, status=status)


def _compare_form(versions: list[DocumentVersion]) -> CompareForm | None:
    if len(versions) < 2:
        return None
    return CompareForm(versions=versions, initial={"a": versions[-2].pk, "b": versions[-1].pk})


@require_GET
@login_required
def document_detail(request, pk: int):
    return _render_detail(request, access.get_document_for_user(request.user, pk))


def _refused(request, document: Document, action: str, form: ActForm, error: ValidationError):
    """After the service refused a valid form: errors by field beside their fields;
    anything else (an open round, the stage moved on, someone acted meanwhile) as a
    message at the top, with the forms drawn afresh for the document as it is now."""
    if hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return _render_detail(request, document, bound={action: form}, status=INVALID_STATUS)
    for message in error.messages:
        messages.error(request, message)
    stale = any(e.code == "concurrent_edit" for e in error.error_list)
    return _render_detail(request, document, status=STALE_STATUS if stale else INVALID_STATUS)


@require_POST
@login_required
def document_act(request, pk: int):
    document = access.get_document_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action not in DocAction.values or action in ROUND_ACTIONS:
        raise Http404
    if not scoping.document_parties(request.user, document):
        raise PermissionDenied
    form = ActForm(request.POST, action=action, document=document)
    if not form.is_valid():
        return _render_detail(request, document, bound={action: form}, status=INVALID_STATUS)
    try:
        services.document_act(
            actor=request.user, document=document, action=action, **form.service_kwargs()
        )
    except ValidationError as error:
        return _refused(request, document, action, form, error)
    messages.success(request, _("Done: %(action)s.") % {"action": DocAction(action).label})
    return redirect(document)


# --- versions -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def version_add(request, pk: int):
    document = access.get_document_for_user(request.user, pk)
    if not scoping.can_manage_document(request.user, document):
        raise PermissionDenied
    if not _takes_versions(document):
        messages.error(
            request,
            _("A new version is added while drafting or revising, not at the stage %(stage)s.")
            % {"stage": Stage(document.stage).label},
        )
        return redirect(document)
    living_revision = document.is_living and document.stage == Stage.ISSUED
    posted = request.method == "POST"
    form = VersionForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        note_required=living_revision,
    )
    if posted:
        valid = form.is_valid()
        _record_refusals(request, form)
        if valid:
            try:
                version = services.version_add(
                    actor=request.user, document=document, **form.service_kwargs()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(number)s was added.") % {"number": version.number},
                )
                return redirect("documents:version", pk=version.pk)
    return render(
        request,
        "documents/version_form.html",
        {"form": form, "document": document, "living_revision": living_revision},
        status=INVALID_STATUS if posted else 200,
    )


def _render_version(request, version: DocumentVersion, *, form=None, status=200):
    document = version.document
    can_edit = scoping.can_manage_document(request.user, document) and not version.is_issued
    visible = scoping.visible_versions(request.user, document).defer("text")
    context = {
        "version": version,
        "document": document,
        "paragraphs": paragraphs(version.text),
        "labels": field_labels(DocumentVersion),
        "previous": visible.filter(number__lt=version.number).order_by("-number").first(),
        "next": visible.filter(number__gt=version.number).order_by("number").first(),
        "note_form": (
            form
            or VersionNoteForm(initial={"label": version.label, "change_note": version.change_note})
            if can_edit
            else None
        ),
    }
    return render(request, "documents/version_detail.html", context, status=status)


@require_GET
@login_required
def version_detail(request, pk: int):
    return _render_version(request, access.get_version_for_user(request.user, pk))


@require_POST
@login_required
def version_edit(request, pk: int):
    version = access.get_version_for_user(request.user, pk)
    if not scoping.can_manage_document(request.user, version.document):
        raise PermissionDenied
    form = VersionNoteForm(request.POST)
    if not form.is_valid():
        return _render_version(request, version, form=form, status=INVALID_STATUS)
    try:
        services.version_update(
            actor=request.user,
            version=version,
            label=form.cleaned_data["label"],
            change_note=form.cleaned_data["change_note"],
        )
    except ValidationError as error:
        # An issued version: the page no longer offers the form, the message says why.
        for message in error.messages:
            messages.error(request, message)
        return _render_version(request, version, status=INVALID_STATUS)
    messages.success(request, _("The version's label and note were saved."))
    return redirect("documents:version", pk=version.pk)


@require_GET
@login_required
def version_download(request, pk: int):
    """The uploaded .docx of a version, for whoever may see that version."""
    version = access.get_version_for_user(request.user, pk)
    if version.file is None:
        raise Http404
    return serve_stored_file(request, version.file, context=version)


# --- comparing two versions -----------------------------------------------------------------


@require_GET
@login_required
def compare(request, pk: int):
    """Two versions side by side (`?a=&b=`, by default the last two the user may see);
    a version the user may not see is not found."""
    document = access.get_document_for_user(request.user, pk)
    visible = scoping.visible_versions(request.user, document)
    versions = list(visible.defer("text").order_by("number"))
    form = None
    comparison = older = newer = None
    if "a" in request.GET or "b" in request.GET:
        form = CompareForm(request.GET, versions=versions)
        if not form.is_valid():  # a version the user may not see, or none at all
            raise Http404
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
    elif len(versions) >= 2:
        a, b = versions[-2].pk, versions[-1].pk
        form = CompareForm(versions=versions, initial={"a": a, "b": b})
    if form is not None:
        texts = dict(visible.filter(pk__in=[a, b]).values_list("pk", "text"))
        by_pk = {v.pk: v for v in versions}
        older, newer = by_pk[a], by_pk[b]
        comparison = compare_texts(texts[a], texts[b])
    return render(
        request,
        "documents/compare.html",
        {
            "document": document,
            "form": form,
            "older": older,
            "newer": newer,
            "comparison": comparison,
            "versions": versions,
        },
    )
