"""A unit's scorecard (考核评分表): self-assessment, review, the data behind automatic
scores, evidence and the rectification of deductions.

Each view: access helper (404 for what the user may not see) → who may ever do this
(403) → form → service → redirect, or, under HTMX, the item's line drawn again (with
the header's totals swapped in beside it). A refusal the user can fix draws the form
again with the typed values and the errors by field (422; 409 when someone else saved
meanwhile, with the form brought up to date). A service's own refusal with a reason
("you cannot review a unit you belong to") is shown with a 403.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhuanban.assessment import scoping, selectors, services
from zhuanban.assessment.access import (
    get_evidence_for_user,
    get_participant_for_user,
    get_score_for_user,
)
from zhuanban.assessment.forms_scores import (
    EvidenceForm,
    ParticipantActForm,
    RectifyForm,
    ReviewScoreForm,
    SelfScoreForm,
)
from zhuanban.assessment.lifecycle import (
    EVIDENCE_STATES,
    SELF_EDITABLE,
    SELF_TRANSITIONS,
    SchemeStatus,
)
from zhuanban.assessment.models import Method, Participant, Score
from zhuanban.assessment.scoring import (
    ON_TIME_REPORT,
    full_marks,
    notices_of,
    period_of,
    submissions_of,
    tasks_of,
)
from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors, errors_to_messages, is_concurrent_edit
from zhuanban.org.access import require_business_data

INVALID_STATUS = 422
STALE_STATUS = 409
FORBIDDEN_STATUS = 403
# Set on a line drawn for HTMX: scorecard.js swaps such a line in even on a 4xx status.
PARTIAL_HEADER = "X-Scorecard-Line"

SELF, REVIEW, RECTIFY = "self", "review", "rectify"


@dataclass(frozen=True)
class Powers:
    """What the user may do on this scorecard now (the scheme's and the unit's state
    included), decided once per page."""

    self_open: bool
    review_open: bool
    rectify: bool
    submit: bool
    return_: bool
    evidence_all: bool
    evidence_some: bool
    evidence_open: bool


def _powers(user, participant: Participant) -> Powers:
    scheme = participant.scheme
    self_scorer = scoping.can_self_score(user, participant)
    manage = scoping.can_manage(user, scheme)
    reviewer = scoping.can_review(user, participant)
    in_self = scheme.status == SchemeStatus.SELF
    evidence_all = self_scorer or manage
    return Powers(
        self_open=self_scorer and in_self and participant.self_status in SELF_EDITABLE,
        review_open=reviewer and scheme.status == SchemeStatus.REVIEW,
        rectify=manage or reviewer,
        submit=self_scorer
        and in_self
        and (participant.self_status, ParticipantActForm.SUBMIT) in SELF_TRANSITIONS,
        return_=manage
        and in_self
        and (participant.self_status, ParticipantActForm.RETURN) in SELF_TRANSITIONS,
        evidence_all=evidence_all,
        evidence_some=not evidence_all and scoping.can_add_evidence(user, participant),
        evidence_open=scheme.status in EVIDENCE_STATES,
    )


def _auto_id(kind: str, pk: int) -> str:
    # Many forms on one page: ids unique per form, names the same for every form.
    return f"id_{kind}{pk}_%s"


def _score_initial(score: Score, kind: str) -> dict:
    if kind == SELF:
        value, reason = score.self_score, score.self_reason
    else:
        value, reason = score.review_score, score.review_reason
    return {
        f"{kind}_score": "" if value is None else value,
        f"{kind}_reason": reason,
        "version": score.version,
    }


def _card_context(
    request,
    participant: Participant,
    *,
    bound: dict | None = None,
    act_form: ParticipantActForm | None = None,
    line_notes: dict | None = None,
) -> dict:
    """The scorecard with a form wherever the user may act now; `bound` holds the forms
    just refused, by (kind, score or item id), shown whatever the state."""
    user = request.user
    bound = bound or {}
    line_notes = line_notes or {}
    scheme = participant.scheme
    powers = _powers(user, participant)
    lines = selectors.scorecard(participant)
    prefetch_related_objects(
        [piece for line in lines for piece in line.evidence if piece.from_task_id],
        "from_task__task_list",
    )
    evidence_items = set()
    if powers.evidence_open and powers.evidence_all:
        evidence_items = {line.item.pk for line in lines if not line.item.is_heading}
    elif powers.evidence_open and powers.evidence_some:
        evidence_items = scoping.evidence_item_ids(user, participant) or set()
    linkable = (
        list(services.linkable_files(user, participant).order_by("-uploaded_at", "pk"))
        if evidence_items
        else []
    )
    for line in lines:
        item, score = line.item, line.score
        line.note = line_notes.get(item.pk, "")
        line.can_evidence = item.pk in evidence_items
        for piece in line.evidence:
            # A responsible unit takes back what it filed, not the unit's own evidence.
            piece.removable = line.can_evidence and (
                powers.evidence_all or piece.added_by_id == user.pk
            )
        line.evidence_form = bound.get(("evidence", item.pk)) or (
            EvidenceForm(linkable=linkable, auto_id=_auto_id("ev", item.pk))
            if line.can_evidence
            else None
        )
        line.self_form = line.review_form = line.rectify_form = None
        line.deducted = None
        if item.is_heading or score is None:
            continue
        line.self_form = bound.get((SELF, score.pk)) or (
            SelfScoreForm(initial=_score_initial(score, SELF), auto_id=_auto_id("s", score.pk))
            if powers.self_open
            else None
        )
        line.review_form = bound.get((REVIEW, score.pk)) or (
            ReviewScoreForm(initial=_score_initial(score, REVIEW), auto_id=_auto_id("r", score.pk))
            if powers.review_open
            else None
        )
        final = score.final
        if final is not None and final < item.max_score:
            line.deducted = item.max_score - final
        line.rectify_form = bound.get((RECTIFY, score.pk)) or (
            RectifyForm(auto_id=_auto_id("x", score.pk))
            if powers.rectify and line.deducted
            else None
        )
    ranked = selectors.ranking(scheme)
    rank = next((p.rank for p in ranked if p.pk == participant.pk), None)
    version = {"version": participant.version}
    return {
        "participant": participant,
        "scheme": scheme,
        "lines": lines,
        "powers": powers,
        "rank": rank if participant.total is not None else None,
        "rank_count": len(ranked),
        "full_marks": full_marks([line.item for line in lines]),
        "submit_form": (
            act_form
            if act_form is not None and act_form.data.get("action") == ParticipantActForm.SUBMIT
            else ParticipantActForm(
                initial={**version, "action": ParticipantActForm.SUBMIT}, auto_id="id_submit_%s"
            )
            if powers.submit
            else None
        ),
        "return_form": (
            act_form
            if act_form is not None and act_form.data.get("action") == ParticipantActForm.RETURN
            else ParticipantActForm(
                initial={**version, "action": ParticipantActForm.RETURN}, auto_id="id_return_%s"
            )
            if powers.return_
            else None
        ),
        "linkable_count": len(linkable),
    }


def _render_card(request, participant: Participant, *, status: int = 200, **kwargs):
    context = _card_context(request, participant, **kwargs)
    return render(request, "assessment/participant_detail.html", context, status=status)


def _render_line(request, participant: Participant, item_id: int, *, status: int = 200, **kwargs):
    """One item's line (HTMX), with the header's totals swapped in out of band."""
    participant = get_participant_for_user(request.user, participant.pk)  # totals as now
    context = _card_context(request, participant, **kwargs)
    line = next(line for line in context["lines"] if line.item.pk == item_id)
    html = render_to_string(
        "assessment/partials/score_line.html", {**context, "line": line}, request
    ) + render_to_string(
        "assessment/partials/participant_summary.html", {**context, "oob": True}, request
    )
    response = HttpResponse(html, status=status)
    response[PARTIAL_HEADER] = "1"
    return response


def _back(participant: Participant, item_id: int | None = None):
    url = participant.get_absolute_url()
    return redirect(f"{url}#item-{item_id}" if item_id else url)


def _posted_action(request) -> str:
    return request.POST.get("action", "")


# --- the scorecard ------------------------------------------------------------------------


@require_GET
@login_required
def participant_detail(request, pk: int):
    require_business_data(request.user)
    participant = get_participant_for_user(request.user, pk)
    return _render_card(request, participant)


@require_POST
@login_required
def participant_act(request, pk: int):
    """Submit the self-assessment (the unit) or return it with a reason (the office)."""
    require_business_data(request.user)
    participant = get_participant_for_user(request.user, pk)
    action = _posted_action(request)
    if action == ParticipantActForm.SUBMIT and not scoping.can_self_score(
        request.user, participant
    ):
        raise PermissionDenied
    if action == ParticipantActForm.RETURN and not scoping.can_manage(
        request.user, participant.scheme
    ):
        raise PermissionDenied
    form = ParticipantActForm(request.POST, auto_id=f"id_{action or 'act'}_%s")
    if not form.is_valid():
        if "action" in form.errors:
            raise Http404
        return _render_card(request, participant, act_form=form, status=INVALID_STATUS)
    try:
        services.participant_act(
            actor=request.user,
            participant=participant,
            action=action,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        stale = is_concurrent_edit(error)
        if stale:
            form.fresh_version(Participant.objects.get(pk=participant.pk).version)
        return _render_card(
            request,
            participant,
            act_form=form,
            status=STALE_STATUS if stale else INVALID_STATUS,
        )
    if action == ParticipantActForm.SUBMIT:
        messages.success(request, _("The self-assessment was submitted."))
    else:
        messages.success(request, _("The self-assessment was returned to the unit."))
    return _back(participant)


# --- scores ---------------------------------------------------------------------------------


def _save_score(request, score: Score, kind: str):
    """The self-assessment or the review of one score, through its service."""
    participant = score.participant
    form_class, service = (
        (SelfScoreForm, services.score_self)
        if kind == SELF
        else (ReviewScoreForm, services.score_review)
    )
    prefix = "s" if kind == SELF else "r"
    form = form_class(request.POST, auto_id=_auto_id(prefix, score.pk))

    def refused(status: int):
        if request.htmx:
            return _render_line(
                request, participant, score.item_id, bound={(kind, score.pk): form}, status=status
            )
        return _render_card(request, participant, bound={(kind, score.pk): form}, status=status)

    if not form.is_valid():
        return refused(INVALID_STATUS)
    try:
        service(
            actor=request.user,
            score=score,
            value=form.cleaned_data[f"{kind}_score"],
            reason=form.cleaned_data[f"{kind}_reason"],
            expected_version=form.cleaned_data["version"],
        )
    except PermissionDenied as error:
        if not error.args:
            raise
        form.add_error(None, str(error.args[0]))
        return refused(FORBIDDEN_STATUS)
    except ValidationError as error:
        add_service_errors(form, error)
        if is_concurrent_edit(error):
            form.fresh_version(Score.objects.get(pk=score.pk).version)
            return refused(STALE_STATUS)
        return refused(INVALID_STATUS)
    if request.htmx:
        return _render_line(
            request,
            participant,
            score.item_id,
            line_notes={score.item_id: _("Saved.")},
        )
    if kind == SELF:
        messages.success(request, _("The self-assessed score was saved."))
    else:
        messages.success(request, _("The review score was saved."))
    return _back(participant, score.item_id)


@require_POST
@login_required
def score_self(request, pk: int):
    require_business_data(request.user)
    score = get_score_for_user(request.user, pk)
    if not scoping.can_self_score(request.user, score.participant):
        raise PermissionDenied
    return _save_score(request, score, SELF)


@require_POST
@login_required
def score_review(request, pk: int):
    require_business_data(request.user)
    score = get_score_for_user(request.user, pk)
    if not scoping.is_reviewer(request.user, score.participant.scheme):
        raise PermissionDenied
    # A reviewer of the unit's own is refused by the service, which says why.
    return _save_score(request, score, REVIEW)


@require_POST
@login_required
def score_rectify(request, pk: int):
    """Open a rectification item for the points deducted on one score."""
    require_business_data(request.user)
    score = get_score_for_user(request.user, pk)
    participant = score.participant
    if not (
        scoping.can_manage(request.user, participant.scheme)
        or scoping.can_review(request.user, participant)
    ):
        raise PermissionDenied
    form = RectifyForm(request.POST, auto_id=_auto_id("x", score.pk))
    if form.is_valid():
        try:
            item = services.deduction_rectify(
                actor=request.user,
                score=score,
                requirement=form.cleaned_data["requirement"] or "",
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("A rectification item was opened for %(unit)s, due %(date)s.")
                % {"unit": item.unit.name, "date": item.due_date.isoformat()},
            )
            return _back(participant, score.item_id)
    return _render_card(
        request, participant, bound={(RECTIFY, score.pk): form}, status=INVALID_STATUS
    )


# --- the data behind an automatic score --------------------------------------------------------


def _plain(value: Decimal) -> str:
    """20.00 → "20", 2.50 → "2.5" (never the exponent form Decimal.normalize() gives)."""
    return f"{value.normalize():f}"


def _figure(text: str | None) -> str | None:
    """A figure kept in a score's basis as text ("350.000000"), as people write it."""
    if text is None:
        return None
    try:
        return _plain(Decimal(text))
    except InvalidOperation:
        return text


def _formula(item, score: Score, done: int, total: int, what: str) -> str:
    if total == 0:
        return _("Nothing fell due in the period: full marks, %(max)s.") % {
            "max": _plain(item.max_score)
        }
    values = {
        "done": done,
        "total": total,
        "max": _plain(item.max_score),
        "score": score.auto_score,
    }
    if what == "tasks":
        return (
            _(
                "%(done)s of %(total)s tasks closed on time → "
                "%(max)s × %(done)s/%(total)s = %(score)s"
            )
            % values
        )
    return (
        _(
            "%(done)s of %(total)s reports submitted on time → "
            "%(max)s × %(done)s/%(total)s = %(score)s"
        )
        % values
    )


@require_GET
@login_required
def score_basis(request, pk: int):
    require_business_data(request.user)
    score = get_score_for_user(request.user, pk)
    participant, item = score.participant, score.item
    scheme = participant.scheme
    start, end = period_of(scheme)
    basis = score.auto_basis or {}
    context = {
        "score": score,
        "item": item,
        "participant": participant,
        "scheme": scheme,
        "start": start,
        "end": end,
        "Method": Method,
        "rows": [],
        "formula": "",
    }
    if item.method == Method.TASKS:
        tasks = list(
            tasks_of(participant, item, start, end)
            .select_related("lead_unit", "task_list")
            .order_by("due_date", "sort_path", "pk")
        )
        done = sum(1 for task in tasks if task.on_time)
        context["rows"] = tasks
        context["counted"] = (len(tasks), done)
        context["changed"] = bool(basis) and (basis.get("due"), basis.get("on_time")) != (
            len(tasks),
            done,
        )
        context["formula"] = _formula(
            item, score, basis.get("on_time", done), basis.get("due", len(tasks)), "tasks"
        )
    elif item.method == Method.DISPATCH:
        reports = list(
            submissions_of(participant, item, start, end)
            .annotate(on_time=Count("pk", filter=ON_TIME_REPORT))
            .select_related("round", "unit")
            .order_by("round__due_on", "unit__sort_order", "unit__code", "pk")
        )
        done = sum(1 for report in reports if report.on_time)
        context["rows"] = reports
        context["counted"] = (len(reports), done)
        context["changed"] = bool(basis) and (basis.get("reports"), basis.get("on_time")) != (
            len(reports),
            done,
        )
        context["formula"] = _formula(
            item,
            score,
            basis.get("on_time", done),
            basis.get("reports", len(reports)),
            "reports",
        )
    elif item.method == Method.NOTICES:
        received = list(
            notices_of(participant, start, end)
            .select_related("notice", "notice__authority", "unit")
            .order_by("notice__issued_at", "pk")
        )
        context["rows"] = received
        context["counted"] = (len(received), len(received))
        context["changed"] = bool(basis) and basis.get("notices") != len(received)
        context["formula"] = _(
            "%(max)s − %(count)s notices × %(per)s points = %(score)s (never below zero)"
        ) % {
            "max": _plain(item.max_score),
            "count": basis.get("notices", len(received)),
            "per": _plain(item.points_per_notice) if item.points_per_notice else 0,
            "score": score.auto_score,
        }
    elif item.method == Method.INDICATOR:
        context["indicator"] = item.indicator
        # The completion is kept as the indicator page shows it (one decimal place).
        basis = {
            **basis,
            "actual": _figure(basis.get("actual")),
            "target": _figure(basis.get("target")),
        }
        context["figures"] = basis
        if basis.get("actual") is None or not basis.get("target"):
            context["formula"] = _("No target or no value for the year: 0 points.")
        elif item.indicator.higher_is_better:
            context["formula"] = _("%(max)s × min(1, %(actual)s ÷ %(target)s) = %(score)s") % {
                "max": _plain(item.max_score),
                "actual": basis["actual"],
                "target": basis["target"],
                "score": score.auto_score,
            }
        else:
            context["formula"] = _(
                "At or below the target: full marks; above it: %(max)s × %(target)s ÷ "
                "%(actual)s. Here: %(score)s"
            ) % {
                "max": _plain(item.max_score),
                "actual": basis["actual"],
                "target": basis["target"],
                "score": score.auto_score,
            }
    return render(request, "assessment/score_basis.html", context)


# --- evidence -------------------------------------------------------------------------------


@require_POST
@login_required
def evidence_add(request, pk: int, item_pk: int):
    """File evidence against an item: an upload, or a task's file linked (the same stored
    file). A refusal draws the scorecard again (a file cannot survive a redirect)."""
    require_business_data(request.user)
    participant = get_participant_for_user(request.user, pk)
    item = participant.scheme.items.filter(pk=item_pk, is_heading=False).first()
    if item is None:
        raise Http404
    if not scoping.can_add_evidence(request.user, participant, item):
        raise PermissionDenied
    form = EvidenceForm(
        request.POST,
        request.FILES,
        linkable=services.linkable_files(request.user, participant),
        auto_id=_auto_id("ev", item.pk),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"]:
                services.evidence_upload(
                    actor=request.user,
                    participant=participant,
                    item=item,
                    upload=data["file"],
                    description=data["description"],
                )
            else:
                services.evidence_link(
                    actor=request.user,
                    participant=participant,
                    item=item,
                    file_id=data["linked"],
                    description=data["description"],
                )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "file" in error.error_dict and data["linked"]:
                # The service names the file it was asked to link: here, the choice.
                form.add_error("linked", error.error_dict.pop("file"))
            if not hasattr(error, "error_dict") or error.error_dict:
                add_service_errors(form, error)
        else:
            messages.success(request, _("The evidence was filed."))
            return _back(participant, item.pk)
    form.file_again = bool(request.FILES.get("file"))
    return _render_card(
        request, participant, bound={("evidence", item.pk): form}, status=INVALID_STATUS
    )


@require_POST
@login_required
def evidence_remove(request, pk: int):
    require_business_data(request.user)
    evidence = get_evidence_for_user(request.user, pk)
    participant = evidence.participant
    if not scoping.can_add_evidence(request.user, participant, evidence.item):
        raise PermissionDenied
    try:
        services.evidence_remove(actor=request.user, evidence=evidence)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request, _("%(name)s was removed from the evidence.") % {"name": evidence.file.name}
        )
    return _back(participant, evidence.item_id)


@require_GET
@login_required
def evidence_download(request, pk: int):
    """An evidence file, for whoever may see the unit's scorecard."""
    require_business_data(request.user)
    evidence = get_evidence_for_user(request.user, pk)
    return serve_stored_file(request, evidence.file, context=evidence)
