"""Screens of the upward applications (向上争取): the yearly totals with their change on
the year before ("支持资金同比增加25%"), the year by chain, the year's list; the record's
form; its page with its history and the actions its status allows.

Thin views: who reads is `scoping.sees_all` (the readers of `scoping.visible_upward`;
404 for anyone else), who keeps a record is `scoping.may_keep_upward` (403 for a reader
who may not); records come through `access.get_upward_for_user`, changes go through
`services.upward_save` / `services.upward_act`, reads through the selectors. A refusal
the user can fix re-renders the page with the form bound and its errors by field (422;
409 when someone else changed the record meanwhile).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.chips import filter_chips
from zhuanban.core.errors import add_service_errors, is_concurrent_edit
from zhuanban.core.pages import field_labels
from zhuanban.investment import access, scoping, selectors, selectors_upward, services
from zhuanban.investment.forms_upward import (
    AUTHORITY_LIST_ID,
    COMMON_AUTHORITIES,
    UpwardActForm,
    UpwardFilterForm,
    UpwardForm,
)
from zhuanban.investment.lifecycle import UpwardAction, UpwardStatus, upward_actions
from zhuanban.investment.models import UpwardApplication
from zhuanban.org.access import require_business_data
from zhuanban.org.scoping import scope_for

PAGE_SIZE = 50
INVALID_STATUS = 422
STALE_STATUS = 409


def _require_reader(user) -> None:
    """404 unless the user reads upward applications (leaders, inspectors, every
    office's staff); the administrators, counties, enterprises and outsiders never learn
    the screens exist."""
    if not scoping.sees_all(user):
        raise Http404
    require_business_data(user)


def _require_keeper(user, application: UpwardApplication | None = None) -> None:
    """403 for a reader who is not on the staff of the record's office (or of any office,
    for a new record)."""
    if not scoping.may_keep_upward(user, application):
        raise PermissionDenied


def _authorities() -> dict:
    return {"authorities": COMMON_AUTHORITIES, "authority_list_id": AUTHORITY_LIST_ID}


# --- the list -------------------------------------------------------------------------------


def _status_chips(request, counts: dict[str, int], active: str) -> list[dict]:
    """Links that set one status (or none), keeping the other filters."""
    return filter_chips(
        request,
        param="status",
        choices=UpwardStatus,
        counts=counts,
        active=active,
        everything=("all", ""),
    )


@require_GET
@login_required
def upward_list(request):
    user = request.user
    _require_reader(user)
    today = timezone.localdate()
    years, default_year = selectors_upward.upward_years(user, today=today)
    form = UpwardFilterForm(
        request.GET,
        years=years,
        default_year=default_year,
        offices=selectors_upward.offices_with_upward(user),
    )
    year = form.year
    filtered = form.apply(selectors_upward.upward_list(user, year=year), with_status=False)
    counts = selectors_upward.status_counts(filtered)
    if form.status_value:
        filtered = filtered.filter(status=form.status_value)
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))

    totals = selectors.upward_totals(user)
    for row in totals:
        row.yoy = selectors_upward.yoy_text(row.growth)
    by_chain = selectors.upward_by_chain(user, year)
    for row in by_chain:
        row["yoy"] = selectors_upward.yoy_text(row["growth"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "investment/upward_list.html",
        {
            "form": form,
            "year": year,
            "this_year": next((row for row in totals if row.year == year), None),
            "totals": totals,
            "by_chain": by_chain,
            "page": page,
            "chips": _status_chips(request, counts, form.status_value),
            "query": query.urlencode(),
            "can_create": scoping.may_keep_upward(user),
            "labels": field_labels(UpwardApplication),
            **_authorities(),
        },
    )


# --- the record -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def upward_create(request):
    user = request.user
    _require_reader(user)
    _require_keeper(user)
    posted = request.method == "POST"
    form = UpwardForm(request.POST if posted else None, office_ids=scope_for(user).office_ids)
    if posted and form.is_valid():
        try:
            application = services.upward_save(actor=user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The upward application “%(title)s” was entered.") % {"title": application.title},
            )
            return redirect("investment:upward", pk=application.pk)
    return render(
        request,
        "investment/upward_form.html",
        {"form": form, **_authorities()},
        status=INVALID_STATUS if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def upward_edit(request, pk: int):
    user = request.user
    application = access.get_upward_for_user(user, pk)
    _require_keeper(user, application)
    posted = request.method == "POST"
    form = UpwardForm(
        request.POST if posted else None,
        office_ids=scope_for(user).office_ids,
        application=application,
    )
    status = INVALID_STATUS if posted else 200
    if posted and form.is_valid():
        try:
            services.upward_save(
                actor=user,
                application=application,
                expected_version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if is_concurrent_edit(error):
                status = STALE_STATUS
        else:
            messages.success(request, _("The upward application was saved."))
            return redirect("investment:upward", pk=pk)
    return render(
        request,
        "investment/upward_form.html",
        {"form": form, "application": application, **_authorities()},
        status=status,
    )


# --- one application ------------------------------------------------------------------------


def _render_detail(request, pk: int, *, bound: dict | None = None, status: int = 200):
    """The application's page as it is now; `bound` holds the action form just refused."""
    user = request.user
    application = access.get_upward_for_user(user, pk)
    can_keep = scoping.may_keep_upward(user, application)
    bound = bound or {}
    action_forms = (
        [
            bound.get(action) or UpwardActForm(action=action, application=application)
            for action in upward_actions(application.status)
        ]
        if can_keep
        else []
    )
    return render(
        request,
        "investment/upward_detail.html",
        {
            "application": application,
            "can_keep": can_keep,
            "action_forms": action_forms,
            "history": selectors_upward.upward_history(application),
            "labels": field_labels(UpwardApplication),
        },
        status=status,
    )


@require_GET
@login_required
def upward_detail(request, pk: int):
    return _render_detail(request, pk)


@require_POST
@login_required
def upward_act(request, pk: int):
    user = request.user
    application = access.get_upward_for_user(user, pk)
    _require_keeper(user, application)
    action = request.POST.get("action", "")
    if action not in UpwardAction.values:
        raise Http404
    form = UpwardActForm(request.POST, action=action, application=application)
    if not form.is_valid():
        return _render_detail(request, pk, bound={action: form}, status=INVALID_STATUS)
    try:
        application = services.upward_act(
            actor=user, application=application, action=action, **form.service_kwargs()
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_service_errors(form, error)
        else:  # a stale page, or an action the status no longer allows: said at the top
            for message in error.messages:
                messages.error(request, message)
        status = STALE_STATUS if is_concurrent_edit(error) else INVALID_STATUS
        return _render_detail(request, pk, bound={action: form}, status=status)
    messages.success(
        request,
        _("Recorded: the application is now %(status)s.")
        % {"status": application.get_status_display()},
    )
    return redirect("investment:upward", pk=pk)
