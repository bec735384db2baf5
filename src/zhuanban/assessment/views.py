"""Schemes: the list, the scheme's page (items, weights, ranking, lifecycle), its form,
the units assessed, the items and the evidence gaps.

Thin views: form → access helper → service → redirect or render. A refused form renders
again with the service's errors by field and everything the user typed."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.assessment import scoping, selectors, services
from zhuanban.assessment.access import get_item_for_user, get_scheme_for_user
from zhuanban.assessment.forms import ActForm, ItemForm, SchemeForm, UnitsForm, year_from
from zhuanban.assessment.lifecycle import (
    DESIGN_STATES,
    REASON_REQUIRED,
    SchemeAction,
    SchemeStatus,
    allowed_actions,
)
from zhuanban.assessment.models import Scheme
from zhuanban.assessment.scoring import WeightCheck, weight_checks
from zhuanban.core.errors import add_service_errors, errors_to_messages
from zhuanban.org.access import require_business_data

OPEN_STATES = (SchemeStatus.SELF, SchemeStatus.REVIEW)


def _num(value: Decimal) -> str:
    """95.00 → 95, 3.50 → 3.5: points as people write them."""
    return f"{value.normalize():f}"


def _scheme_url(scheme_id: int, anchor: str = "") -> str:
    url = reverse("assessment:scheme", args=[scheme_id])
    return f"{url}#{anchor}" if anchor else url


def _posted(request):
    """The submitted data, or None on GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _require_manager(user, scheme: Scheme) -> None:
    if not scoping.can_manage(user, scheme):
        raise PermissionDenied


# --- the list -----------------------------------------------------------------------------


@require_GET
@login_required
def scheme_list(request):
    require_business_data(request.user)
    year = year_from(request.GET)
    years = (
        scoping.visible_schemes(request.user)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return render(
        request,
        "assessment/scheme_list.html",
        {
            "schemes": selectors.scheme_list(request.user, year),
            "year": year,
            "years": list(years),
            "can_create": scoping.can_create_scheme(request.user),
        },
    )


# --- create and edit ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def scheme_create(request):
    if not scoping.can_create_scheme(request.user):
        raise PermissionDenied
    form = SchemeForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_save(
                actor=request.user,
                data=form.scheme_data(),
                office=form.cleaned_data["office"],
                reviewers=list(form.cleaned_data["reviewers"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The scheme was created: now add its items and the units assessed.")
            )
            return redirect("assessment:scheme", pk=scheme.pk)
    return render(request, "assessment/scheme_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def scheme_edit(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    _require_manager(request.user, scheme)
    form = SchemeForm(_posted(request), instance=scheme, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_save(
                actor=request.user,
                data=form.scheme_data(),
                office=scheme.office,
                reviewers=list(form.cleaned_data["reviewers"]),
                scheme=scheme,
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The scheme was saved."))
            return redirect("assessment:scheme", pk=scheme.pk)
    return render(request, "assessment/scheme_form.html", {"form": form, "scheme": scheme})


# --- the scheme's page --------------------------------------------------------------------


def weight_warning(check: WeightCheck) -> str:
    """A weight check as a sentence saying by how much the figures are off."""
    gap = abs(check.difference)
    values = {"actual": _num(check.actual), "gap": _num(gap), "expected": _num(check.expected)}
    if check.message_key == "weights":
        if check.difference < 0:
            return _("Top-level weights add up to %(actual)s, %(gap)s short of %(expected)s.") % (
                values
            )
        return _("Top-level weights add up to %(actual)s, %(gap)s over %(expected)s.") % values
    values["item"] = f"{check.item.number}{Truncator(check.item.title).chars(40)}"
    if check.difference < 0:
        return (
            _(
                "Sub-items of %(item)s add up to %(actual)s points, %(gap)s short of the item's "
                "%(expected)s."
            )
            % values
        )
    return (
        _(
            "Sub-items of %(item)s add up to %(actual)s points, %(gap)s over the item's "
            "%(expected)s."
        )
        % values
    )


def _ranking_rows(user, scheme: Scheme) -> list:
    rows = selectors.visible_ranking(user, scheme)
    for row in rows:
        row.difference = (
            row.total - row.self_total
            if row.total is not None and row.self_total is not None
            else None
        )
    return rows


@require_GET
@login_required
def scheme_detail(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    parties = scoping.scheme_parties(request.user, scheme)
    manager = scoping.can_manage(request.user, scheme)
    items = selectors.items_of(scheme)
    ranking = _ranking_rows(request.user, scheme)
    unit_count = scheme.participants.count()
    actions = [
        (action, SchemeAction(action).label, action in REASON_REQUIRED)
        for action in allowed_actions(scheme.status, parties)
    ]
    sees_results = manager or scoping.sees_all(request.user)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "items": items,
            "warnings": [weight_warning(check) for check in weight_checks(items)],
            "ranking": ranking,
            "unit_count": unit_count,
            "partial_ranking": len(ranking) < unit_count,
            "actions": actions,
            "can_manage": manager,
            "designing": manager and scheme.status in DESIGN_STATES,
            "can_compute": manager and scheme.status in OPEN_STATES,
            "can_export": sees_results,
            "can_see_gaps": sees_results,
        },
    )


# --- units assessed -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def scheme_units(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    _require_manager(request.user, scheme)
    current = list(scheme.participants.values_list("unit_id", flat=True))
    form = UnitsForm(_posted(request), initial={"units": current})
    if request.method == "POST" and form.is_valid():
        try:
            chosen = services.participants_set(
                actor=request.user, scheme=scheme, units=form.chosen_units()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(count)s units are assessed under this scheme.") % {"count": len(chosen)},
            )
            return redirect(_scheme_url(scheme.pk, "ranking"))
    return render(
        request,
        "assessment/units_form.html",
        {"form": form, "scheme": scheme, "designing": scheme.status in DESIGN_STATES},
    )


# --- lifecycle ----------------------------------------------------------------------------


@require_POST
@login_required
def scheme_act(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    form = ActForm(request.POST)
    if not form.is_valid():
        raise Http404
    action = form.cleaned_data["action"]
    try:
        services.scheme_act(
            actor=request.user,
            scheme=scheme,
            action=action,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": SchemeAction(action).label})
    return redirect("assessment:scheme", pk=scheme.pk)


@require_POST
@login_required
def scheme_compute(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    try:
        count = services.compute_automatic(actor=request.user, scheme=scheme)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("%(count)s automatic scores were computed from today's data.") % {"count": count},
        )
    return redirect(_scheme_url(scheme.pk, "ranking"))


# --- items --------------------------------------------------------------------------------


def _design_or_back(request, scheme: Scheme):
    """Items change only in design: anywhere else, back to the scheme with the reason."""
    if scheme.status in DESIGN_STATES:
        return None
    messages.error(
        request, _("Items and units assessed change only while the scheme is being designed.")
    )
    return redirect(_scheme_url(scheme.pk, "items"))


@require_http_methods(["GET", "POST"])
@login_required
def item_create(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    _require_manager(request.user, scheme)
    parent = None
    parent_id = request.GET.get("parent")
    if parent_id:
        if not parent_id.isdigit():
            raise Http404
        parent = scheme.items.filter(pk=int(parent_id)).first()
        if parent is None:
            raise Http404
    if request.method == "GET" and (back := _design_or_back(request, scheme)):
        return back
    return _item_form(request, scheme, parent=parent)


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request, pk: int):
    item = get_item_for_user(request.user, pk)
    scheme = item.scheme
    _require_manager(request.user, scheme)
    if request.method == "GET" and (back := _design_or_back(request, scheme)):
        return back
    return _item_form(request, scheme, item=item, parent=item.parent)


def _item_form(request, scheme, *, item=None, parent=None):
    """Add an item under `parent`, or change `item`: the one form both pages share."""
    form = ItemForm(_posted(request), instance=item, user=request.user, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.item_save(
                actor=request.user,
                scheme=scheme,
                data=form.item_data(),
                responsible_units=list(form.cleaned_data["responsible_units"]),
                item=item,
                parent=None if item else parent,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("Item %(number)s was saved.") if item else _("Item %(number)s was added.")
            messages.success(request, done % {"number": saved.number})
            return redirect(_scheme_url(scheme.pk, f"item-{saved.pk}"))
    return render(
        request,
        "assessment/item_form.html",
        {"form": form, "scheme": scheme, "item": item, "parent": parent},
    )


@require_POST
@login_required
def item_delete(request, pk: int):
    item = get_item_for_user(request.user, pk)
    scheme = item.scheme
    number = item.number
    try:
        services.item_delete(actor=request.user, item=item)
    except ValidationError as error:
        errors_to_messages(request, error)
        return redirect(_scheme_url(scheme.pk, f"item-{item.pk}"))
    messages.success(
        request,
        _("Item %(number)s and its sub-items were deleted; the others are renumbered.")
        % {"number": number},
    )
    return redirect(_scheme_url(scheme.pk, "items"))


# --- evidence gaps ------------------------------------------------------------------------


@require_GET
@login_required
def evidence_gaps(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)
    if not (scoping.can_manage(request.user, scheme) or scoping.sees_all(request.user)):
        raise PermissionDenied
    participants = scoping.visible_participants(request.user, scheme)
    groups: list[dict] = []
    for score in selectors.evidence_gaps(scheme, participants):
        if not groups or groups[-1]["participant"].pk != score.participant_id:
            groups.append({"participant": score.participant, "items": []})
        groups[-1]["items"].append(score.item)
    return render(
        request,
        "assessment/evidence_gaps.html",
        {
            "scheme": scheme,
            "groups": groups,
            "gap_count": sum(len(g["items"]) for g in groups),
        },
    )
