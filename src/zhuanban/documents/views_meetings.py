"""Meetings and their agenda topics (议题): a meeting planned, offices submitting topics,
topics put on the agenda or deferred, the agenda fixed, the meeting held and each
topic's decision recorded, decisions followed up with tasks, and the number of topics
each office put before the year's meetings (提交议题 N 次).

Thin views: access helper → form → service → message and redirect. A refused write
renders its page again with the form bound, so nothing typed is lost (files cannot
travel through a refusal: the page says so)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, DateTimeField, F, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors, errors_to_messages
from zhuanban.documents import scoping, selectors, services
from zhuanban.documents.access import get_meeting_for_user, get_topic_for_user
from zhuanban.documents.forms_meetings import (
    TOPIC_ACTION_LABELS,
    DecisionForm,
    DecisionTaskForm,
    MeetingActForm,
    MeetingFilterForm,
    MeetingForm,
    TopicActForm,
    TopicForm,
    convening_units,
    deferral_targets,
    submitting_offices,
)
from zhuanban.documents.lifecycle import (
    MEETING_REASON_REQUIRED,
    TASK_OUTCOMES,
    TOPIC_TRANSITIONS,
    MeetingAction,
    MeetingStatus,
    TopicStatus,
    meeting_actions,
)
from zhuanban.documents.models import Meeting, Topic
from zhuanban.tasks.numbering import chinese_numeral
from zhuanban.tasks.scoping import visible_tasks

PAGE_SIZE = 50
# The stepper of a meeting's life; a cancelled meeting leaves it.
STEPS = (MeetingStatus.PLANNED, MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.CLOSED)
FINISHED = frozenset({MeetingStatus.CLOSED, MeetingStatus.CANCELLED})
AGENDA_STATES = frozenset({TopicStatus.ON_AGENDA, TopicStatus.DECIDED})
PUT_ASIDE_STATES = frozenset({TopicStatus.DEFERRED, TopicStatus.WITHDRAWN})
TOPIC_ACTIONS = tuple(TOPIC_ACTION_LABELS)


def _meeting_done_messages() -> dict[str, str]:
    return {
        MeetingAction.FIX_AGENDA: _("The agenda is fixed."),
        MeetingAction.REOPEN_AGENDA: _("The agenda is open for topics again."),
        MeetingAction.HOLD: _(
            "The meeting is recorded as held: record the decision on each topic."
        ),
        MeetingAction.CLOSE: _("The minutes are issued."),
        MeetingAction.CANCEL: _("The meeting was cancelled and its topics deferred."),
    }


def _topic_done_messages() -> dict[str, str]:
    return {
        "approve": _("The topic is on the agenda."),
        "defer": _("The topic was deferred."),
        "withdraw": _("The topic was withdrawn."),
    }


def _require_bureau(user) -> None:
    """Meetings are the bureau's: anyone else is told there is nothing here (404)."""
    if not scoping.sees_all(user):
        raise Http404


def _year_from(query, default: int) -> int:
    value = query.get("year", "")
    year = int(value) if value.isdigit() else 0
    return year if 2000 <= year <= 2100 else default


def _agenda_number(n: int) -> str:
    """议题一、二… in Chinese; Topic 1, 2 … otherwise."""
    numeral = chinese_numeral(n) if (get_language() or "").startswith("zh") else str(n)
    return _("Topic %(number)s") % {"number": numeral}


def topic_actions(user, topic: Topic, *, can_manage: bool) -> list[str]:
    """What the user may do to a topic now: the transition table allows the move in the
    meeting's state, and scoping allows the user (the meeting's managers put on the
    agenda and defer; the office withdraws its own)."""
    allowed = []
    for action in TOPIC_ACTIONS:
        move = TOPIC_TRANSITIONS.get((topic.status, action))
        if move is None or topic.meeting.status not in move[1]:
            continue
        if action == "withdraw":
            permitted = scoping.can_submit_topic(user, topic.office_id)
        else:
            permitted = can_manage
        if permitted:
            allowed.append(action)
    return allowed


def _may_decide(topic: Topic, can_manage: bool) -> bool:
    move = TOPIC_TRANSITIONS.get((topic.status, "decide"))
    return can_manage and move is not None and topic.meeting.status in move[1]


def _decision_form(topic: Topic, bound: DecisionForm | None = None) -> DecisionForm:
    if bound is not None:
        return bound
    return DecisionForm(
        initial={"outcome": topic.outcome, "decision": topic.decision, "version": topic.version},
        auto_id=f"decide-{topic.pk}-%s",
    )


def _tasks_by_topic(user, **where) -> dict[int, list]:
    """The tasks created from decisions that the user may see, with their light, by
    topic (one query)."""
    tasks = (
        visible_tasks(user)
        .filter(**where)
        .with_light()
        .select_related("meeting_link", "lead_unit")
        .order_by("meeting_link__pk")
    )
    found: dict[int, list] = {}
    for task in tasks:
        found.setdefault(task.meeting_link.topic_id, []).append(task)
    return found


def _labels(model) -> dict:
    """The fields' verbose names, for the pages' label/value pairs."""
    fields = [*model._meta.fields, *model._meta.many_to_many]
    return {field.name: field.verbose_name for field in fields}


def _stepper(meeting: Meeting) -> list[dict]:
    current = STEPS.index(meeting.status) if meeting.status in STEPS else -1
    return [
        {
            "label": MeetingStatus(step).label,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, step in enumerate(STEPS)
    ]


# --- meetings ------------------------------------------------------------------------------------


def _upcoming_first(meetings, now):
    """Meetings to come, soonest first, then those past, latest first."""
    upcoming = Q(starts_at__gte=now)
    return meetings.annotate(
        is_past=Case(When(upcoming, then=Value(0)), default=Value(1), output_field=IntegerField()),
        upcoming_at=Case(When(upcoming, then=F("starts_at")), output_field=DateTimeField()),
    ).order_by("is_past", F("upcoming_at").asc(nulls_last=True), "-starts_at", "-pk")


@require_GET
@login_required
def meeting_list(request):
    _require_bureau(request.user)
    form = MeetingFilterForm(request.GET or None, user=request.user)
    meetings = selectors.meeting_list(request.user).filter(**form.filters())
    page = Paginator(_upcoming_first(meetings, timezone.now()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/meeting_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_convene": bool(convening_units(request.user)),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_create(request):
    _require_bureau(request.user)
    form = MeetingForm(request.POST or None, user=request.user)
    if not form.conveners:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_save(
                actor=request.user,
                data=form.service_data(),
                convener=form.cleaned_data["convener"],
                attendees=form.cleaned_data["attendees"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(meeting)s is planned.") % {"meeting": meeting.title})
            return redirect(meeting)
    return render(request, "documents/meeting_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def meeting_edit(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    if not scoping.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save(
                actor=request.user,
                meeting=meeting,
                data=form.service_data(),
                attendees=form.cleaned_data["attendees"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect(meeting)
    return render(request, "documents/meeting_form.html", {"form": form, "meeting": meeting})


def _meeting_page(request, meeting: Meeting, *, act_forms=None, decision_forms=None):
    """The meeting page; `act_forms` and `decision_forms` (by topic) are refused forms
    shown again with their errors."""
    user = request.user
    act_forms, decision_forms = act_forms or {}, decision_forms or {}
    can_manage = scoping.can_manage_meeting(user, meeting)
    tasks = _tasks_by_topic(user, meeting_link__topic__meeting=meeting)
    agenda, waiting, put_aside = [], [], []
    for topic in selectors.agenda(meeting):
        topic.meeting = meeting  # one meeting object for all: its status decides the moves
        topic.actions = topic_actions(user, topic, can_manage=can_manage)
        topic.act_form = act_forms.get(topic.pk)
        topic.created_tasks = tasks.get(topic.pk, [])
        topic.may_follow_up = topic.outcome in TASK_OUTCOMES and scoping.can_follow_up(user, topic)
        if topic.status in AGENDA_STATES:
            topic.number_label = _agenda_number(len(agenda) + 1)
            if _may_decide(topic, can_manage):
                topic.decision_form = _decision_form(topic, decision_forms.get(topic.pk))
            agenda.append(topic)
        elif topic.status in PUT_ASIDE_STATES:
            put_aside.append(topic)
        else:
            waiting.append(topic)
    context = {
        "meeting": meeting,
        "steps": _stepper(meeting),
        "agenda": agenda,
        "waiting": waiting,
        "put_aside": put_aside,
        "attendees": meeting.attendees.order_by("first_name", "username"),
        "can_manage": can_manage,
        "can_edit": can_manage and meeting.status not in FINISHED,
        "actions": [(a, MeetingAction(a).label) for a in meeting_actions(meeting.status)]
        if can_manage
        else [],
        "reason_required": MEETING_REASON_REQUIRED,
        "can_submit": meeting.status == MeetingStatus.PLANNED and bool(submitting_offices(user)),
        "defer_targets": list(deferral_targets(user, meeting))
        if any("defer" in t.actions for t in agenda + waiting)
        else [],
        "action_labels": TOPIC_ACTION_LABELS,
        "labels": _labels(Meeting),
        "topic_labels": _labels(Topic),
    }
    return render(request, "documents/meeting_detail.html", context)


@require_GET
@login_required
def meeting_detail(request, pk: int):
    return _meeting_page(request, get_meeting_for_user(request.user, pk))


@require_POST
@login_required
def meeting_act(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    form = MeetingActForm(request.POST)
    if not form.is_valid():
        raise Http404  # not an action of a meeting
    action = form.cleaned_data["action"]
    try:
        services.meeting_act(
            actor=request.user, meeting=meeting, action=action, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _meeting_done_messages()[action])
    return redirect(meeting)


# --- topics --------------------------------------------------------------------------------------


def _files_again(request, form) -> None:
    if request.FILES.getlist("materials"):
        form.add_error(
            "materials",
            _("The files were not kept because the form was refused: choose them again."),
        )


@require_http_methods(["GET", "POST"])
@login_required
def topic_submit(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    form = TopicForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.offices:
        raise PermissionDenied
    if request.method == "POST":
        if form.is_valid():
            try:
                topic = services.topic_submit(
                    actor=request.user,
                    meeting=meeting,
                    office=form.cleaned_data["office"],
                    data=form.service_data(),
                    materials=form.cleaned_data["materials"],
                    document=form.cleaned_data["document"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The topic was submitted."))
                return redirect(topic)
        _files_again(request, form)
    return render(request, "documents/topic_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@login_required
def topic_edit(request, pk: int):
    topic = get_topic_for_user(request.user, pk)
    if not scoping.can_submit_topic(request.user, topic.office_id):
        raise PermissionDenied
    form = TopicForm(request.POST or None, request.FILES or None, instance=topic, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.topic_submit(
                    actor=request.user,
                    meeting=topic.meeting,
                    office=topic.office,
                    topic=topic,
                    data=form.service_data(),
                    materials=form.cleaned_data["materials"],
                    document=form.cleaned_data.get("document"),
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The topic was saved."))
                return redirect(topic)
        _files_again(request, form)
    return render(
        request,
        "documents/topic_form.html",
        {"form": form, "meeting": topic.meeting, "topic": topic},
    )


def _new_task_form(meeting: Meeting) -> DecisionTaskForm:
    # The chair usually answers for what the meeting decided.
    chair = meeting.chair.get_full_name() if meeting.chair_id else ""
    return DecisionTaskForm(initial={"assign": True, "responsible_leader": chair})


def _topic_page(request, topic: Topic, *, act_form=None, decision_form=None, task_form=None):
    user = request.user
    meeting = topic.meeting
    can_manage = scoping.can_manage_meeting(user, meeting)
    can_follow_up = (
        topic.status == TopicStatus.DECIDED
        and topic.outcome in TASK_OUTCOMES
        and scoping.can_follow_up(user, topic)
    )
    actions = topic_actions(user, topic, can_manage=can_manage)
    context = {
        "topic": topic,
        "meeting": meeting,
        "actions": actions,
        "action_labels": TOPIC_ACTION_LABELS,
        "act_form": act_form,
        "defer_targets": list(deferral_targets(user, meeting)) if "defer" in actions else [],
        "decision_form": _decision_form(topic, decision_form)
        if _may_decide(topic, can_manage)
        else None,
        "task_form": (task_form or _new_task_form(meeting)) if can_follow_up else None,
        "tasks": _tasks_by_topic(user, meeting_link__topic=topic).get(topic.pk, []),
        "materials": topic.materials.order_by("pk"),
        "labels": _labels(Topic),
        "can_edit": topic.status == TopicStatus.SUBMITTED
        and meeting.status == MeetingStatus.PLANNED
        and scoping.can_submit_topic(user, topic.office_id),
    }
    return render(request, "documents/topic_detail.html", context)


@require_GET
@login_required
def topic_detail(request, pk: int):
    return _topic_page(request, get_topic_for_user(request.user, pk))


def _back_to_meeting(request) -> bool:
    """Whether the form was sent from the meeting page (else from the topic page)."""
    return request.POST.get("back") == "meeting"


@require_POST
@login_required
def topic_act(request, pk: int):
    topic = get_topic_for_user(request.user, pk)
    meeting = topic.meeting
    form = TopicActForm(request.POST, user=request.user, topic=topic)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            services.topic_act(
                actor=request.user,
                topic=topic,
                action=action,
                reason=form.cleaned_data["reason"],
                to_meeting=form.cleaned_data["to_meeting"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _topic_done_messages()[action])
            if _back_to_meeting(request):
                return redirect(f"{meeting.get_absolute_url()}#topic-{topic.pk}")
            return redirect(topic)
    if _back_to_meeting(request):
        meeting = get_meeting_for_user(request.user, meeting.pk)
        return _meeting_page(request, meeting, act_forms={topic.pk: form})
    return _topic_page(request, topic, act_form=form)


@require_POST
@login_required
def topic_decide(request, pk: int):
    topic = get_topic_for_user(request.user, pk)
    form = DecisionForm(request.POST, auto_id=f"decide-{topic.pk}-%s")
    if form.is_valid():
        try:
            services.topic_decide(
                actor=request.user,
                topic=topic,
                outcome=form.cleaned_data["outcome"],
                decision=form.cleaned_data["decision"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision was recorded."))
            if _back_to_meeting(request):
                return redirect(f"{topic.meeting.get_absolute_url()}#topic-{topic.pk}")
            return redirect(topic)
    if _back_to_meeting(request):
        meeting = get_meeting_for_user(request.user, topic.meeting_id)
        return _meeting_page(request, meeting, decision_forms={topic.pk: form})
    return _topic_page(request, topic, decision_form=form)


@require_POST
@login_required
def decision_task(request, pk: int):
    topic = get_topic_for_user(request.user, pk)
    if not scoping.can_follow_up(request.user, topic):
        raise PermissionDenied
    form = DecisionTaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = services.decision_task_create(
                actor=request.user,
                topic=topic,
                content=data["content"],
                lead_unit=data["lead_unit"],
                due_date=data["due_date"],
                cooperating_units=data["cooperating_units"],
                responsible_leader=data["responsible_leader"],
                assign=data["assign"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # The decision takes no task (any more): the page will not show the form.
                errors_to_messages(request, error)
                return redirect(topic)
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The task was created: %(task)s") % {"task": task.content[:40]}
            )
            return redirect(f"{reverse('documents:topic', args=[topic.pk])}#tasks")
    return _topic_page(request, topic, task_form=form)


@require_GET
@login_required
def topic_material(request, pk: int, file_pk: int):
    """A material of the topic (never another file), for whoever may see the topic; the
    download is audited by serve_stored_file."""
    topic = get_topic_for_user(request.user, pk)
    stored = topic.materials.filter(pk=file_pk).first()
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=topic)


# --- counts --------------------------------------------------------------------------------------

COUNT_COLUMNS = ("submitted", "on_agenda", "decided", "deferred", "tasks")


@require_GET
@login_required
def topic_counts(request):
    _require_bureau(request.user)
    year = _year_from(request.GET, timezone.localdate().year)
    rows = list(selectors.topic_counts(request.user, year))
    # A handful of offices: the totals row is summed from the rows already fetched.
    totals = {column: sum(getattr(row, column) for row in rows) for column in COUNT_COLUMNS}
    return render(
        request,
        "documents/topic_counts.html",
        {"rows": rows, "totals": totals, "year": year},
    )
