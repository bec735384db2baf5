"""Opinion rounds (征求意见) on screen: the drafting office opens a round, follows who has
answered, urges the rest, ends it and records what it did with each opinion; the
consulted answer from their inbox (我的征求意见).

Thin views: access helper → form → service → message and redirect. Who sees and does
what is documents.scoping's; the services refuse whatever a page would wrongly offer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.errors import add_service_errors, errors_to_messages, is_concurrent_edit
from zhuanban.documents import scoping, selectors, services
from zhuanban.documents.access import (
    get_document_for_user,
    get_opinion_for_user,
    get_request_for_user,
    get_round_for_user,
)
from zhuanban.documents.forms_rounds import (
    DispositionForm,
    RoundOpenForm,
    answer_forms,
    opinions_of,
)
from zhuanban.documents.lifecycle import Stage
from zhuanban.documents.models import Disposition, Opinion, OpinionRequest, OpinionRound
from zhuanban.org.access import require_business_data

INVALID_STATUS = 422
STALE_STATUS = 409
# Set on an opinion row drawn for HTMX: rounds.js swaps it in even on a 4xx status.
ROW_HEADER = "X-Opinion-Row"
ENDED_PAGE_SIZE = 50
FINAL_STAGES = frozenset({Stage.ISSUED, Stage.REPEALED})


def _may_decide(user, document) -> bool:
    """Whether the page offers the adoption forms (the service has the last word)."""
    return scoping.can_manage_document(user, document) and document.stage not in FINAL_STAGES


# --- opening a round ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def round_open(request, pk: int):
    document = get_document_for_user(request.user, pk)
    if not scoping.can_manage_document(request.user, document):
        raise PermissionDenied
    form = RoundOpenForm(request.POST or None, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            round = services.round_open(
                actor=request.user, document=document, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = round.requests.count()
            messages.success(
                request,
                ngettext(
                    "Opinion round %(number)s is open: %(count)d party consulted.",
                    "Opinion round %(number)s is open: %(count)d parties consulted.",
                    count,
                )
                % {"number": round.number, "count": count},
            )
            return redirect(round)
    return render(request, "documents/round_form.html", {"document": document, "form": form})


# --- the round page -----------------------------------------------------------------------------


def _requests_of(user, round: OpinionRound) -> list[OpinionRequest]:
    """The answers the user may read, as asked, each with its opinions: two queries."""
    opinions = Opinion.objects.select_related("decided_by").order_by("position", "pk")
    return list(
        scoping.visible_requests(user, round)
        .select_related("unit", "person", "answered_by")
        .prefetch_related(Prefetch("opinions", queryset=opinions))
        .order_by("pk")
    )


def _round_context(request, round: OpinionRound, bound: DispositionForm | None = None) -> dict:
    user = request.user
    document = round.document
    sees_all = scoping.sees_all(user)
    can_manage = scoping.can_manage_document(user, document)
    can_decide = _may_decide(user, document)
    requests = _requests_of(user, round)
    for ask in requests:
        handled = any(o.disposition != Disposition.PENDING for o in ask.opinions.all())
        # The page offers the answer form only where the service would take the answer.
        ask.may_change = round.is_open and not handled and scoping.can_answer(user, ask)
        for opinion in ask.opinions.all():
            if bound is not None and bound.opinion.pk == opinion.pk:
                opinion.decide_form = bound
            elif can_decide:
                opinion.decide_form = DispositionForm(opinion=opinion)
    progress = selectors.round_progress(round) if sees_all else None
    return {
        "round": round,
        "document": document,
        "draft": round.draft,
        "requests": requests,
        "answers": [ask for ask in requests if ask.answered],
        "progress": progress,
        "adoption": selectors.adoption_summary(selectors.adoption_rows(document, round))
        if sees_all
        else None,
        "rounds": list(scoping.visible_rounds(user, document).order_by("number")),
        "can_manage": can_manage,
        "can_decide": can_decide,
        "can_export": sees_all,
        "can_urge": can_manage
        and round.is_open
        and progress is not None
        and progress["answered"] < progress["total"],
        "past_deadline": round.is_open and timezone.localdate() > round.deadline,
    }


def _render_round(request, round: OpinionRound, bound=None, status: int = 200):
    return render(
        request, "documents/round_detail.html", _round_context(request, round, bound), status=status
    )


@require_GET
@login_required
def round_detail(request, pk: int):
    return _render_round(request, get_round_for_user(request.user, pk))


def _managed_round(request, pk: int) -> OpinionRound:
    round = get_round_for_user(request.user, pk)
    if not scoping.can_manage_document(request.user, round.document):
        raise PermissionDenied
    return round


@require_POST
@login_required
def round_urge(request, pk: int):
    round = _managed_round(request, pk)
    try:
        count = services.round_urge(actor=request.user, round=round)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d party that has not answered was reminded.",
                "%(count)d parties that have not answered were reminded.",
                count,
            )
            % {"count": count},
        )
    return redirect(round)


@require_POST
@login_required
def round_close(request, pk: int):
    round = _managed_round(request, pk)
    try:
        services.round_close(actor=request.user, round=round)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("Opinion round %(number)s has ended: the document is back in revision.")
            % {"number": round.number},
        )
    return redirect(round)


# --- answering ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def answer(request, pk: int):
    """The answer of one consulted party: a form while the round is open and nothing of
    the answer has been handled, read-only otherwise (and for the bureau reading it)."""
    ask = get_request_for_user(request.user, pk)
    may_answer = scoping.can_answer(request.user, ask)
    if request.method == "POST" and not may_answer:
        raise PermissionDenied
    round = ask.round
    opinions = list(ask.opinions.order_by("position", "pk"))
    rows, no_opinion = answer_forms(
        request.POST if request.method == "POST" else None, ask=ask, opinions=opinions
    )
    refused: list[str] = []
    if request.method == "POST" and rows.is_valid() and no_opinion.is_valid():
        try:
            ask = services.answer_submit(
                actor=request.user,
                request=ask,
                opinions=opinions_of(rows),
                no_opinion=no_opinion.cleaned_data["no_opinion"],
            )
        except ValidationError as error:
            refused = error.messages
        else:
            if ask.is_late:
                messages.warning(
                    request,
                    _("Your answer was recorded. It came after the deadline and is marked late."),
                )
            else:
                messages.success(request, _("Your answer was recorded."))
            return redirect(round)
    handled = any(opinion.disposition != Disposition.PENDING for opinion in opinions)
    return render(
        request,
        "documents/answer.html",
        {
            "ask": ask,
            "round": round,
            "document": round.document,
            "draft": round.draft,
            "opinions": opinions,
            "rows": rows,
            "no_opinion_form": no_opinion,
            "refused": refused,
            "handled": handled,
            "editable": may_answer and round.is_open and not handled,
            "may_answer": may_answer,
            "past_deadline": timezone.localdate() > round.deadline,
        },
    )


# --- adoption of an opinion ---------------------------------------------------------------------


def _opinion_row(request, opinion: Opinion, form=None, status: int = 200):
    can_decide = _may_decide(request.user, opinion.request.round.document)
    if form is None and can_decide:
        form = DispositionForm(opinion=opinion)
    opinion.decide_form = form
    response = render(
        request,
        "documents/partials/opinion_row.html",
        {"opinion": opinion, "can_decide": can_decide},
        status=status,
    )
    response[ROW_HEADER] = "1"
    return response


@require_POST
@login_required
def opinion_decide(request, pk: int):
    opinion = get_opinion_for_user(request.user, pk)
    ask = opinion.request
    round = ask.round
    if not scoping.can_manage_document(request.user, round.document):
        raise PermissionDenied
    form = DispositionForm(request.POST, opinion=opinion)
    status = INVALID_STATUS
    if form.is_valid():
        try:
            services.opinion_decide(
                actor=request.user,
                opinion=opinion,
                disposition=form.cleaned_data["disposition"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if is_concurrent_edit(error):
                form.fresh_version(Opinion.objects.get(pk=opinion.pk).version)
                status = STALE_STATUS
        else:
            if request.htmx:
                saved = Opinion.objects.select_related("decided_by").get(pk=opinion.pk)
                saved.request = ask
                return _opinion_row(request, saved)
            messages.success(request, _("The adoption of the opinion was recorded."))
            return redirect(f"{round.get_absolute_url()}#opinion-{opinion.pk}")
    if request.htmx:
        return _opinion_row(request, opinion, form, status=status)
    return _render_round(request, round, bound=form)


# --- the inbox ----------------------------------------------------------------------------------


@require_GET
@login_required
def inbox(request):
    """我的征求意见: what the user is asked to answer (soonest deadline first), what they
    have answered in rounds still open, and the rounds that have ended. Three queries
    (and the page count of the ended ones), whatever the number of requests."""
    require_business_data(request.user)
    mine = (
        scoping.my_requests(request.user)
        .select_related("round", "round__document", "unit", "person")
        .annotate(opinion_count=Count("opinions"))
    )
    ended = Paginator(
        mine.filter(round__closed_at__isnull=False).order_by("-round__closed_at", "-pk"),
        ENDED_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/inbox.html",
        {
            "waiting": list(
                mine.filter(round__closed_at__isnull=True, answered_at__isnull=True).order_by(
                    "round__deadline", "pk"
                )
            ),
            "answered": list(
                mine.filter(round__closed_at__isnull=True, answered_at__isnull=False).order_by(
                    "-answered_at", "-pk"
                )
            ),
            "ended": ended,
            "today": timezone.localdate(),
        },
    )
