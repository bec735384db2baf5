"""The annual re-review (年度复审) and sales and growth (销售额及同比增长) on screen.

The brand office opens a year's re-review; each licensee reports its operating data and
logo-use evidence; the office sends a report back, passes it, orders rectification (an
item in the shared rectification loop) or removes the licence (清退). The sales page
ranks the licensees by the year's sales with their growth on the year before.

Thin views: access helper (404) → who may ever act (403) → form → service → message and
redirect. A refusal re-renders the page with the errors by field (422; 409 when someone
else changed the review meanwhile); nothing is saved. Who sees what is brand.scoping's,
which actions the page offers brand.lifecycle's table's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.brand import scoping, selectors_reviews, services
from zhuanban.brand.access import (
    get_enterprise_for_user,
    get_review_for_user,
    get_round_for_user,
    require_reads_all,
)
from zhuanban.brand.forms_reviews import (
    ReviewActForm,
    ReviewReportForm,
    RoundFilterForm,
    RoundOpenForm,
    SalesForm,
)
from zhuanban.brand.lifecycle import (
    REVIEW_OPEN_STATES,
    REVIEW_TRANSITIONS,
    ReviewAction,
    ReviewStatus,
    allowed,
)
from zhuanban.brand.models import Review, ReviewRound
from zhuanban.core.chips import filter_chips
from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors, errors_to_messages, is_concurrent_edit
from zhuanban.core.files import record_refusal
from zhuanban.org.scoping import scope_for
from zhuanban.rectification.lifecycle import PENDING_STATES

PAGE_SIZE = 100
INVALID_STATUS = 422
STALE_STATUS = 409
# The office's conclusions (the report has its own form).
ACT_ACTIONS = tuple(action for action in ReviewAction.values if action != ReviewAction.SUBMIT)
# Where the services name a field the forms call otherwise.
_REPORT_FIELDS = {"attachments": "evidence"}
_ACT_FIELDS = {"requirement": "comment", "problem": "comment"}


def _refusal(request, form, error: ValidationError, renamed: dict) -> int:
    """The service's refusal on the form, by field; a refusal of the whole action (the
    state moved on, a rectification still open, a stale page) as a message at the top,
    where it shows even when the page no longer offers the form. Returns the status."""
    if hasattr(error, "error_dict"):
        add_service_errors(
            form,
            ValidationError(
                {renamed.get(field, field): errors for field, errors in error.error_dict.items()}
            ),
        )
        return INVALID_STATUS
    errors_to_messages(request, error)
    return STALE_STATUS if is_concurrent_edit(error) else INVALID_STATUS


def _parties_for(action: str) -> frozenset[str]:
    """Who may ever take `action`, in whatever state the review is."""
    found: frozenset[str] = frozenset()
    for (_state, candidate), (_next, who) in REVIEW_TRANSITIONS.items():
        if candidate == action:
            found |= who
    return found


def _require_party(user, review: Review, action: str) -> set[str]:
    """403 before any form is read: a county, a leader or another office only reads."""
    parties = scoping.parties(user, review.licence.enterprise)
    if not parties & _parties_for(action):
        raise PermissionDenied
    return parties


# --- the rounds ----------------------------------------------------------------------------


@require_GET
@login_required
def round_list(request):
    """The re-review rounds by year with their progress. An enterprise's own login sees
    its own reviews instead, and goes straight to the one still open if there is one."""
    user = request.user
    scope = scope_for(user)
    if not scope.sees_business_data:
        raise Http404
    if scope.is_enterprise_login:
        reviews = list(selectors_reviews.own_reviews(user))
        still_open = [review for review in reviews if review.status in REVIEW_OPEN_STATES]
        if len(still_open) == 1:
            return redirect(still_open[0])
        return render(request, "brand/round_list.html", {"own_reviews": reviews, "mine": True})
    rounds = selectors_reviews.round_summaries(user)
    if not scoping.sees_all(user):  # a county: the rounds its enterprises are in
        rounds = [round for round in rounds if round.total]
    this_year = timezone.localdate().year
    for round in rounds:
        round.chips = [
            (status, ReviewStatus(status).label, getattr(round, f"n_{status}"))
            for status in ReviewStatus.values
        ]
    return render(
        request,
        "brand/round_list.html",
        {
            "rounds": rounds,
            "can_open": scoping.is_brand_staff(user),
            "this_year": this_year,
            "this_year_open": any(round.year == this_year for round in rounds),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_open(request):
    """The brand office opens a year's re-review for every licence valid today."""
    require_reads_all(request.user)  # 404 for those who read only part of the register
    if not scoping.is_brand_staff(request.user):
        raise PermissionDenied
    form = RoundOpenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = INVALID_STATUS
        if form.is_valid():
            data = form.cleaned_data
            try:
                round = services.review_round_open(
                    actor=request.user,
                    year=data["year"],
                    due_date=data["due_date"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except IntegrityError:  # the same year opened at the same moment
                form.add_error(
                    "year",
                    _("The %(year)d re-review is already open.") % {"year": data["year"]},
                )
            else:
                count = round.reviews.count()
                messages.success(
                    request,
                    ngettext(
                        "The %(year)d re-review is open: it covers %(count)d licence, whose "
                        "holder was notified.",
                        "The %(year)d re-review is open: it covers %(count)d licences, whose "
                        "holders were notified.",
                        count,
                    )
                    % {"year": round.year, "count": count},
                )
                return redirect("brand:round", year=round.year)
    return render(request, "brand/round_form.html", {"form": form}, status=status)


def _chips(request, counts: dict, current: str) -> list[dict]:
    """Links that set one status (or clear it), keeping the county filter."""
    return filter_chips(
        request, param="status", choices=ReviewStatus, counts=counts, active=current, toggle=True
    )


@require_GET
@login_required
def round_detail(request, year: int):
    """One year's re-review: counts by status, the filters and the reviews the user sees
    (a county its enterprises, an enterprise itself). A constant number of queries."""
    user = request.user
    round = get_round_for_user(user, year)
    filters = RoundFilterForm(request.GET, counties=selectors_reviews.round_counties(user, round))
    county, status = filters.value("county"), filters.value("status")
    counts = selectors_reviews.status_counts(user, round, county=county)
    reviews = selectors_reviews.round_reviews_in(user, round, county=county, status=status)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    readable = selectors_reviews.readable_rectifications(
        user, [review.rectification_id for review in page.object_list]
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "brand/round_detail.html",
        {
            "round": round,
            "counts": counts,
            "chips": _chips(request, counts, status),
            "filters": filters,
            "filtered": county is not None or bool(status),
            "page": page,
            "readable": readable,
            "query": query.urlencode(),
            "rounds": list(ReviewRound.objects.order_by("-year").values_list("year", flat=True)),
            "past_due": timezone.localdate() > round.due_date,
        },
    )


# --- one review ----------------------------------------------------------------------------

_EVENT_LABELS = {"licence_remove": gettext_lazy("The licence ended")}


def _timeline(review: Review) -> list:
    events = list(selectors_reviews.review_timeline(review))
    for event in events:
        if event.action in ReviewAction.values:
            event.label = ReviewAction(event.action).label
        else:
            event.label = _EVENT_LABELS.get(event.action, event.action)
        changed = event.to_status and event.to_status != event.from_status
        event.to_label = (
            ReviewStatus(event.to_status).label
            if changed and event.to_status in ReviewStatus.values
            else ""
        )
    return events


def _render_review(request, review: Review, *, bound=None, status: int = 200):
    """The review's page as it is now; `bound` is the form just refused (the report
    form or one action's form), drawn with its errors instead of a fresh one."""
    user = request.user
    review = get_review_for_user(user, review.pk)
    enterprise = review.licence.enterprise
    parties = scoping.parties(user, enterprise)
    actions = allowed(REVIEW_TRANSITIONS, review.status, parties)
    report_form = None
    if ReviewAction.SUBMIT in actions:
        report_form = (
            bound if isinstance(bound, ReviewReportForm) else ReviewReportForm(review=review)
        )
    act_forms = []
    for action in actions:
        if action == ReviewAction.SUBMIT:
            continue
        if isinstance(bound, ReviewActForm) and bound.act == action:
            act_forms.append(bound)
        else:
            act_forms.append(ReviewActForm(action=action, review=review))
    rectification = review.rectification
    today = timezone.localdate()
    last_year = selectors_reviews.sales_of(enterprise, review.round.year - 1)
    growth = None
    if review.sales is not None and last_year:
        growth = (review.sales - last_year) * 100 / last_year
    context = {
        "review": review,
        "round": review.round,
        "licence": review.licence,
        "licence_state": review.licence.state_on(today),
        "enterprise": enterprise,
        "evidence": list(review.evidence.order_by("pk")),
        "events": _timeline(review),
        "rectification": rectification,
        "rectification_readable": bool(
            rectification and selectors_reviews.readable_rectifications(user, [rectification.pk])
        ),
        "rectification_overdue": bool(
            rectification
            and rectification.status in PENDING_STATES
            and rectification.due_date < today
        ),
        "report_form": report_form,
        "act_forms": act_forms,
        "reported": review.submitted_at is not None and review.status != ReviewStatus.AWAITING,
        "last_year_sales": last_year,
        "growth": growth,
        "today": today,
    }
    return render(request, "brand/review_detail.html", context, status=status)


@require_GET
@login_required
def review_detail(request, pk: int):
    return _render_review(request, get_review_for_user(request.user, pk))


@require_POST
@login_required
def review_submit(request, pk: int):
    """The licensee's operating report (or the office's, entered for it)."""
    review = get_review_for_user(request.user, pk)
    _require_party(request.user, review, ReviewAction.SUBMIT)
    form = ReviewReportForm(request.POST, request.FILES, review=review)
    if not form.is_valid():
        for upload, error in form.refused:
            record_refusal(upload, user=request.user, error=error)
        return _render_review(request, review, bound=form, status=INVALID_STATUS)
    try:
        services.review_submit(actor=request.user, review=review, **form.service_kwargs())
    except ValidationError as error:
        status = _refusal(request, form, error, _REPORT_FIELDS)
        if status == STALE_STATUS:
            form.fresh_version(Review.objects.values_list("version", flat=True).get(pk=review.pk))
        return _render_review(request, review, bound=form, status=status)
    messages.success(
        request,
        _(
            "The %(year)d operating report of %(name)s was recorded; it awaits the "
            "office's conclusion."
        )
        % {"year": review.round.year, "name": review.licence.enterprise.name},
    )
    return redirect(review)


@require_POST
@login_required
def review_act(request, pk: int):
    """The office's conclusion: send back, pass, order rectification or remove (清退)."""
    review = get_review_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action not in ACT_ACTIONS:
        raise Http404
    _require_party(request.user, review, action)
    form = ReviewActForm(request.POST, action=action)
    if not form.is_valid():
        return _render_review(request, review, bound=form, status=INVALID_STATUS)
    data = form.cleaned_data
    try:
        review = services.review_act(
            actor=request.user,
            review=review,
            action=action,
            comment=data["comment"],
            due_date=data.get("due_date"),
            expected_version=data["version"],
        )
    except ValidationError as error:
        status = _refusal(request, form, error, _ACT_FIELDS)
        if status == STALE_STATUS:
            form.fresh_version(Review.objects.values_list("version", flat=True).get(pk=review.pk))
        return _render_review(request, review, bound=form, status=status)
    enterprise = review.licence.enterprise
    if action == ReviewAction.RECTIFY:
        message = _(
            "A rectification item was raised for %(name)s, due %(date)s; the re-review "
            "passes once it is verified and closed."
        ) % {"name": enterprise.name, "date": data["due_date"].isoformat()}
    elif action == ReviewAction.REMOVE:
        message = _(
            "Licence %(number)s was removed (清退) today: %(name)s no longer appears on "
            "the public list."
        ) % {"number": review.licence.number, "name": enterprise.name}
    else:
        message = _("Done: %(action)s.") % {"action": ReviewAction(action).label}
    messages.success(request, message)
    return redirect(review)


@require_GET
@login_required
def review_evidence(request, pk: int, file_pk: int):
    """A logo-use evidence file of this review, for whoever may see the review."""
    review = get_review_for_user(request.user, pk)
    stored = review.evidence.filter(pk=file_pk).first()
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=review)


# --- sales and growth ----------------------------------------------------------------------


def _year_of(value: str | None) -> int:
    """The year asked for, or this year (a stale or hand-edited address is no error)."""
    this_year = timezone.localdate().year
    if value and value.isascii() and value.isdigit() and len(value) == 4:
        year = int(value)
        if 2000 <= year <= this_year + 1:
            return year
    return this_year


def _render_sales(request, year: int, *, entry=None, entry_enterprise=None, status: int = 200):
    user = request.user
    office = scoping.is_brand_staff(user)
    page = Paginator(selectors_reviews.sales_ranking(user, year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    for rank, row in enumerate(page.object_list, start=page.start_index()):
        row.rank = rank
    overview = selectors_reviews.sales_overview(user, year)
    totals = selectors_reviews.sales_totals(user, year)
    low, high = selectors_reviews.GROWTH_BAND
    labels = {
        "enterprises_label": ngettext(
            "%(count)d enterprise", "%(count)d enterprises", overview["enterprises"]
        )
        % {"count": overview["enterprises"]},
        "comparable_label": ngettext(
            "%(count)d enterprise with both figures",
            "%(count)d enterprises with both figures",
            totals["enterprises"],
        )
        % {"count": totals["enterprises"]},
        "band_label": ngettext(
            "Growth of %(low)s%%–%(high)s%%: %(count)d enterprise",
            "Growth of %(low)s%%–%(high)s%%: %(count)d enterprises",
            overview["in_band"],
        )
        % {"low": low, "high": high, "count": overview["in_band"]},
        "shrank_label": ngettext(
            "%(count)d enterprise sold less than the year before",
            "%(count)d enterprises sold less than the year before",
            overview["shrank"],
        )
        % {"count": overview["shrank"]},
    }
    return render(
        request,
        "brand/sales.html",
        {
            "year": year,
            "last_year": year - 1,
            "years": selectors_reviews.sales_years(user),
            "page": page,
            "totals": totals,
            "overview": overview,
            **labels,
            "counties": selectors_reviews.county_subtotals(user, year),
            "office": office,
            "missing": list(selectors_reviews.sales_missing(user, year)) if office else [],
            "entry": entry,
            "entry_enterprise": entry_enterprise,
            "this_year": timezone.localdate().year,
        },
        status=status,
    )


@require_GET
@login_required
def sales(request):
    """销售额及同比增长: the year's totals, the ranking and the county subtotals."""
    if not scope_for(request.user).sees_business_data:
        raise Http404
    return _render_sales(request, _year_of(request.GET.get("year")))


@require_POST
@login_required
def sales_save(request, pk: int):
    """The brand office enters or corrects an enterprise's sales figure for a year."""
    enterprise = get_enterprise_for_user(request.user, pk)
    if not scoping.is_brand_staff(request.user):
        raise PermissionDenied
    form = SalesForm(request.POST)
    if form.is_valid():
        year, amount = form.cleaned_data["year"], form.cleaned_data["amount"]
        try:
            services.sales_save(actor=request.user, enterprise=enterprise, year=year, amount=amount)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The %(year)d sales of %(name)s were saved: %(amount)s (10,000 yuan).")
                % {"year": year, "name": enterprise.name, "amount": f"{amount:.2f}"},
            )
            return redirect(f"{reverse('brand:sales')}?year={year}")
    year = form.cleaned_data.get("year") if hasattr(form, "cleaned_data") else None
    return _render_sales(
        request,
        year or _year_of(request.POST.get("year")),
        entry=form,
        entry_enterprise=enterprise,
        status=INVALID_STATUS,
    )
