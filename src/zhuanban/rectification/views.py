"""The rectification screens: the list, one item's page and its actions.

Each action view: access helper (404) → who may ever act (403) → form → service →
redirect. A refusal the user can fix re-renders the item's page with the form bound
and its errors by field (422; 409 when someone else acted meanwhile); nothing is saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors
from zhuanban.core.files import record_refusal, store_upload
from zhuanban.core.models import StoredFile
from zhuanban.org.access import require_business_data
from zhuanban.rectification import selectors, services
from zhuanban.rectification.access import get_item_for_user, require_party
from zhuanban.rectification.forms import (
    EVIDENCE_EXTENSIONS,
    ActForm,
    CommentForm,
    ExtendForm,
    ItemFilterForm,
    RespondForm,
)
from zhuanban.rectification.lifecycle import FORM_ACTIONS, Action, Status, allowed_actions
from zhuanban.rectification.models import Rectification
from zhuanban.rectification.scoping import parties
from zhuanban.tasks.models import Light

PAGE_SIZE = 50
STALE_STATUS = 409
INVALID_STATUS = 422

# Timeline entries that are not lifecycle actions.
_EVENT_LABELS = {"raise": gettext_lazy("Rectification required")}


# --- the list ------------------------------------------------------------------------------


def _chips(request, counts: dict, filters: selectors.ItemFilters) -> dict[str, list[dict]]:
    """Links that set one light or status (or clear it), keeping the other filters."""

    def link(key: str, value: str) -> str:
        query = request.GET.copy()
        query.pop("page", None)
        query.pop(key, None)
        if value:
            query[key] = value
        return f"?{query.urlencode()}"

    lights = [
        {
            "value": light,
            "label": Light(light).label,
            "count": counts["light"][light],
            "url": link("light", "" if filters.light == light else light),
            "active": filters.light == light,
        }
        for light in selectors.LIGHT_ORDER
    ]
    statuses = [
        {
            "value": status,
            "label": Status(status).label,
            "count": counts["status"][status],
            "url": link("status", "" if filters.status == status else status),
            "active": filters.status == status,
        }
        for status in Status.values
    ]
    return {"lights": lights, "statuses": statuses}


@require_GET
@login_required
def item_list(request):
    require_business_data(request.user)
    today = timezone.localdate()
    filters = selectors.filters_from_query(request.GET)
    page = Paginator(selectors.items(request.user, filters, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    selectors.attach_days_overdue(page.object_list, today)
    counts = selectors.chip_counts(request.user, filters, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "counts": counts,
        "chips": _chips(request, counts, filters),
        "query": query.urlencode(),
        "form": ItemFilterForm(
            initial={
                "text": filters.text,
                "status": filters.status,
                "light": filters.light,
                "county": filters.county,
                "unit": filters.unit,
                "source_kind": filters.source_kind,
                "office": filters.office,
                "overdue": filters.overdue,
            },
            choices=selectors.filter_choices(request.user),
        ),
    }
    template = "rectification/partials/results.html" if request.htmx else "rectification/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- one item ------------------------------------------------------------------------------


def _label_events(events) -> list:
    events = list(events)
    for event in events:
        if event.action in Action.values:
            event.label = Action(event.action).label
        else:
            event.label = _EVENT_LABELS.get(event.action, event.action)
        event.from_label = Status(event.from_status).label if event.from_status else ""
        changed = event.to_status and event.to_status != event.from_status
        event.to_label = Status(event.to_status).label if changed else ""
    return events


def _render_detail(request, item: Rectification, *, bound: dict | None = None, status=200):
    """The item's page; `bound` holds the form that was just refused, under its action."""
    item = get_item_for_user(request.user, item.pk)  # as it is now, with its light
    selectors.attach_days_overdue([item])
    actions = allowed_actions(item.status, parties(request.user, item))
    bound = bound or {}
    version = {"expected_version": item.version}
    buttons = [
        (action, Action(action).label, bound.get(action) or ActForm(action=action, initial=version))
        for action in actions
        if action not in FORM_ACTIONS
    ]
    context = {
        "item": item,
        "Action": Action,
        "source_url": selectors.source_link(item),
        "moved": item.original_due_date != item.due_date,
        "buttons": buttons,
        "respond_form": (
            bound.get(Action.RESPOND) or RespondForm(initial=version)
            if Action.RESPOND in actions
            else None
        ),
        "extend_form": (
            bound.get(Action.EXTEND) or ExtendForm(initial=version)
            if Action.EXTEND in actions
            else None
        ),
        "comment_form": (
            bound.get(Action.COMMENT) or CommentForm() if Action.COMMENT in actions else None
        ),
        "responses": selectors.item_responses(item),
        "events": _label_events(selectors.item_timeline(item)),
    }
    return render(request, "rectification/detail.html", context, status=status)


@require_GET
@login_required
def item_detail(request, pk: int):
    return _render_detail(request, get_item_for_user(request.user, pk))


def _posted_version(request) -> int | None:
    value = request.POST.get("expected_version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _refused(request, item, action: str, form, error: ValidationError):
    """Re-render the page after the service refused a valid form: field errors beside
    their fields; anything else (someone acted meanwhile, the state moved on) as a
    message at the top, with the form drawn afresh for the item as it is now, so that
    acting again is a decision taken knowingly."""
    if hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return _render_detail(request, item, bound={action: form}, status=INVALID_STATUS)
    for message in error.messages:
        messages.error(request, message)
    stale = any(e.code == "stale" for e in error.error_list)
    version = Rectification.objects.values_list("version", flat=True).get(pk=item.pk)
    initial = {**form.data.dict(), "expected_version": version}
    extra = {"action": action} if isinstance(form, ActForm) else {}
    fresh = type(form)(initial=initial, **extra)
    return _render_detail(
        request, item, bound={action: fresh}, status=STALE_STATUS if stale else INVALID_STATUS
    )


def _form_refused(request, item, action: str, form):
    return _render_detail(request, item, bound={action: form}, status=INVALID_STATUS)


def _discard(stored: list[StoredFile]) -> None:
    """Files written to storage by a transaction that was rolled back: their rows are gone,
    so nothing refers to them (each StoredFile has a storage name of its own)."""
    for file in stored:
        file.file.delete(save=False)


@require_POST
@login_required
def item_respond(request, pk: int):
    item = get_item_for_user(request.user, pk)
    require_party(request.user, item, Action.RESPOND)
    form = RespondForm(request.POST, request.FILES)
    try:
        # Before any file is read into storage: stale page or a state that moved on.
        services.rectification_check(
            actor=request.user,
            item=item,
            action=Action.RESPOND,
            expected_version=_posted_version(request),
        )
    except ValidationError as error:
        return _refused(request, item, Action.RESPOND, form, error)
    if not form.is_valid():
        for upload, error in form.refused:
            record_refusal(upload, user=request.user, error=error)
        return _form_refused(request, item, Action.RESPOND, form)
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            for upload in form.cleaned_data["evidence"]:
                stored.append(
                    store_upload(upload, user=request.user, allowed=set(EVIDENCE_EXTENSIONS))
                )
            services.rectification_respond(
                actor=request.user,
                item=item,
                text=form.cleaned_data["text"],
                evidence=stored,
                expected_version=form.cleaned_data["expected_version"],
            )
    except ValidationError as error:
        _discard(stored)
        return _refused(request, item, Action.RESPOND, form, error)
    except BaseException:
        _discard(stored)
        raise
    messages.success(request, _("The rectification was reported; the office will verify it."))
    return redirect("rectification:detail", pk=item.pk)


@require_POST
@login_required
def item_act(request, pk: int, action: str):
    item = get_item_for_user(request.user, pk)
    if action not in Action.values or action in FORM_ACTIONS:
        raise Http404
    require_party(request.user, item, action)
    form = ActForm(request.POST, action=action)
    if not form.is_valid():
        return _form_refused(request, item, action, form)
    try:
        services.rectification_act(
            actor=request.user,
            item=item,
            action=action,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except ValidationError as error:
        return _refused(request, item, action, form, error)
    messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    return redirect("rectification:detail", pk=item.pk)


@require_POST
@login_required
def item_extend(request, pk: int):
    item = get_item_for_user(request.user, pk)
    require_party(request.user, item, Action.EXTEND)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, item, Action.EXTEND, form)
    try:
        services.rectification_extend(
            actor=request.user,
            item=item,
            due_date=form.cleaned_data["due_date"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except ValidationError as error:
        return _refused(request, item, Action.EXTEND, form, error)
    messages.success(request, _("The deadline was moved."))
    return redirect("rectification:detail", pk=item.pk)


@require_POST
@login_required
def item_comment(request, pk: int):
    item = get_item_for_user(request.user, pk)
    require_party(request.user, item, Action.COMMENT)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, item, Action.COMMENT, form)
    try:
        services.rectification_comment(
            actor=request.user, item=item, text=form.cleaned_data["text"]
        )
    except ValidationError as error:
        return _refused(request, item, Action.COMMENT, form, error)
    return redirect("rectification:detail", pk=item.pk)


@require_GET
@login_required
def item_file(request, pk: int, file_id: int):
    """An evidence file of this item's reports, for whoever may see the item."""
    item = get_item_for_user(request.user, pk)
    stored = selectors.item_evidence(item, file_id)
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=item)
