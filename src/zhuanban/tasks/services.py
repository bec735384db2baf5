"""Every change to tasks: one function per use case, transactional, permission-checked
against the lifecycle table, written to the task's timeline and the audit trail."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction
from zhuanban.core.notify import notify
from zhuanban.org.models import OrgUnit
from zhuanban.org.selectors import county_of, office_staff_users, people_acting_for
from zhuanban.tasks import scoping
from zhuanban.tasks.lifecycle import (
    REASON_REQUIRED,
    TRANSITIONS,
    Action,
    Party,
    Status,
    next_state,
)
from zhuanban.tasks.models import (
    ExtensionRequest,
    ExtensionStatus,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    TaskList,
)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """An error attached to one field, keeping its code (a dict of plain strings loses it)."""
    return ValidationError({field: ValidationError(message, code=code)})


# --- people to notify ------------------------------------------------------------------


def office_staff(office_id: int):
    return office_staff_users(office_id)


def lead_people(task: Task):
    """The lead unit's liaisons, and its own staff when it is a section or office."""
    return people_acting_for(task.lead_unit_id)


def _task_url(task: Task) -> str:
    return reverse("tasks:detail", args=[task.pk])


def _notify_about(task: Task, recipients, kind: str, title: str, body: str = "") -> None:
    notify(recipients, kind=kind, title=title, body=body or task.content[:200], url=_task_url(task))


# --- task lists and the tree -----------------------------------------------------------


def _require_list_manager(actor, task_list: TaskList) -> None:
    if actor is not None and not scoping.can_manage_list(actor, task_list):
        raise PermissionDenied


@transaction.atomic
def tasklist_create(*, actor, office: OrgUnit, **fields) -> TaskList:
    task_list = TaskList(office=office, created_by=actor, **fields)
    _require_list_manager(actor, task_list)
    task_list.full_clean()
    task_list.save()
    audit.record_change(actor=actor, instance=task_list, before=None)
    return task_list


_county_of = county_of


def _place(task: Task, position: int) -> None:
    prefix = task.parent.sort_path if task.parent_id else ""
    task.position = position
    task.sort_path = f"{prefix}{position:04d}."
    task.depth = task.sort_path.count(".") - 1


def _check_units(task: Task, cooperating_units: Iterable[OrgUnit]) -> None:
    if task.lead_unit_id and any(u.pk == task.lead_unit_id for u in cooperating_units):
        raise _field_error(
            "cooperating_units",
            _("%(unit)s is the lead unit and cannot also be a cooperating unit.")
            % {"unit": task.lead_unit.name},
            "lead_is_cooperating",
        )


def lag_date(
    start: datetime.date | None, due: datetime.date | None, progress: int
) -> datetime.date | None:
    """The day a task's progress starts to lag the share of its time elapsed by more
    than TASK_LAG_POINTS; None when it never can."""
    lag_points = progress + settings.TASK_LAG_POINTS
    if start and due and due > start and lag_points < 100:
        return start + datetime.timedelta(days=(due - start).days * lag_points / 100)
    return None


_UNSET = object()


def refresh_light_inputs(task: Task, last_report_at=_UNSET) -> None:
    """Recompute the stored dates the warning light is computed from (see Task).

    `last_report_at` saves the query when the caller already has it (scheduled runs).
    """
    start = task.start_date or (timezone.localdate(task.assigned_at) if task.assigned_at else None)
    task.lag_date = lag_date(start, task.due_date, task.progress)
    if last_report_at is _UNSET:
        last_report_at = (
            task.reports.order_by("-reported_at").values_list("reported_at", flat=True).first()
        )
    moments = [m for m in (last_report_at, task.assigned_at) if m is not None]
    task.last_activity_on = timezone.localdate(max(moments)) if moments else None


@transaction.atomic
def task_create(
    *,
    actor,
    task_list: TaskList,
    parent: Task | None = None,
    cooperating_units: Iterable[OrgUnit] = (),
    milestones: Iterable[tuple[str, datetime.date]] = (),
    event_comment: str = "",
    **fields,
) -> Task:
    """Add a task at the end of its parent's subtasks. `milestones` are (title, date)
    pairs, e.g. the twelve of a recurring deadline (每月10日前)."""
    _require_list_manager(actor, task_list)
    cooperating_units = list(cooperating_units)
    task = Task(task_list=task_list, parent=parent, **fields)
    siblings = Task.objects.filter(task_list=task_list, parent=parent)
    _place(task, (siblings.aggregate(m=Max("position"))["m"] or 0) + 1)
    task.county = _county_of(task.lead_unit)
    task.original_due_date = task.due_date
    task.full_clean(exclude=["cooperating_units"])
    _check_units(task, cooperating_units)
    task.save()
    if parent is not None and not parent.is_heading:
        Task.objects.filter(pk=parent.pk).update(is_heading=True)
        parent.is_heading = True
    task.cooperating_units.set(cooperating_units)
    created_milestones = Milestone.objects.bulk_create(
        Milestone(task=task, title=title, due_date=due) for title, due in milestones
    )
    TaskEvent.objects.create(
        task=task, actor=actor, action="create", to_status=task.status, comment=event_comment
    )
    after = audit.snapshot(task) | {
        "cooperating_units": [u.pk for u in cooperating_units],
        "milestones": [[m.title, m.due_date] for m in created_milestones],
    }
    audit.record(actor=actor, action=AuditAction.CREATE, instance=task, after=after)
    return task


def _reroot(task_list_id: int, old_prefix: str, new_prefix: str) -> None:
    """Move a subtree's paths from one prefix to another in one statement."""
    if old_prefix == new_prefix:
        return
    depth_delta = new_prefix.count(".") - old_prefix.count(".")
    Task.objects.filter(task_list_id=task_list_id, sort_path__startswith=old_prefix).update(
        sort_path=Concat(Value(new_prefix), Substr("sort_path", len(old_prefix) + 1)),
        depth=F("depth") + depth_delta,
    )


def _refresh_heading(task_id: int | None) -> None:
    if task_id is not None:
        has_children = Task.objects.filter(parent_id=task_id).exists()
        Task.objects.filter(pk=task_id).update(is_heading=has_children)


def _close_gap(task_list_id: int, parent_id: int | None, removed_position: int) -> None:
    """Keep sibling positions 1..n after a task left, so official numbers have no gaps;
    and a parent left with no subtasks becomes a measure again."""
    _refresh_heading(parent_id)
    later = Task.objects.filter(
        task_list_id=task_list_id, parent_id=parent_id, position__gt=removed_position
    ).order_by("position")
    for sibling in later:
        old = sibling.sort_path
        new = f"{old[:-5]}{sibling.position - 1:04d}."
        # Park the subtree on a temporary prefix first: the unique (list, path)
        # constraint would otherwise clash with the sibling being shifted onto.
        parking = f"~{sibling.pk}."
        _reroot(task_list_id, old, parking)
        _reroot(task_list_id, parking, new)
        Task.objects.filter(pk=sibling.pk).update(position=sibling.position - 1)


@transaction.atomic
def task_update(
    *,
    actor,
    task: Task,
    expected_version: int,
    cooperating_units: Iterable[OrgUnit] | None = None,
    **fields,
) -> Task:
    """Edit a task's plan. Fails with ConcurrentEditError if it changed since loading."""
    stored = (
        Task.objects.select_for_update(of=("self",)).select_related("task_list").get(pk=task.pk)
    )
    _require_list_manager(actor, stored.task_list)
    if stored.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this task while you were editing it. "
                "Reload the page to see their changes, then make yours again."
            )
        )
    before = audit.snapshot(stored) | {
        "cooperating_units": sorted(stored.cooperating_units.values_list("pk", flat=True))
    }
    old_parent_id, old_position, old_path = stored.parent_id, stored.position, stored.sort_path
    for name, value in fields.items():
        setattr(stored, name, value)
    if "due_date" in fields and stored.status == Status.DRAFT:
        stored.original_due_date = stored.due_date
    moved = stored.parent_id != old_parent_id
    if moved:
        stored.full_clean(exclude=["cooperating_units", "sort_path"])  # cycle check first
        siblings = Task.objects.filter(task_list=stored.task_list, parent_id=stored.parent_id)
        _place(stored, (siblings.aggregate(m=Max("position"))["m"] or 0) + 1)
    stored.county = _county_of(stored.lead_unit)
    coop = (
        list(cooperating_units)
        if cooperating_units is not None
        else list(stored.cooperating_units.all())
    )
    stored.full_clean(exclude=["cooperating_units"])
    _check_units(stored, coop)
    refresh_light_inputs(stored)
    stored.version = F("version") + 1
    if moved:
        new_path = stored.sort_path
        stored.sort_path = old_path  # the subtree (with this task) moves in one statement
        stored.save()
        _reroot(stored.task_list_id, old_path, new_path)
        _close_gap(stored.task_list_id, old_parent_id, old_position)
        _refresh_heading(stored.parent_id)
    else:
        stored.save()
    if cooperating_units is not None:
        stored.cooperating_units.set(coop)
    stored.refresh_from_db()
    after = audit.snapshot(stored) | {"cooperating_units": sorted(u.pk for u in coop)}
    TaskEvent.objects.create(
        task=stored,
        actor=actor,
        action="edit",
        comment=", ".join(audit.changed_fields(before, after)),
    )
    audit.record(
        actor=actor, action=AuditAction.UPDATE, instance=stored, before=before, after=after
    )
    return stored


@transaction.atomic
def task_attach(*, actor, task: Task, files) -> None:
    _require_list_manager(actor, task.task_list)
    task.attachments.add(*files)
    names = "、".join(f.name for f in files)
    TaskEvent.objects.create(task=task, actor=actor, action="attach", comment=names)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=task,
        after={"attachments_added": [{"name": f.name, "sha256": f.sha256} for f in files]},
        message="task attach",
    )


@transaction.atomic
def task_delete(*, actor, task: Task) -> None:
    """Only drafts are deleted (with their subtasks); assigned work is closed, not erased."""
    stored = (
        Task.objects.select_for_update(of=("self",)).select_related("task_list").get(pk=task.pk)
    )
    _require_list_manager(actor, stored.task_list)
    subtree = Task.objects.filter(
        task_list=stored.task_list, sort_path__startswith=stored.sort_path
    )
    if subtree.exclude(status=Status.DRAFT).exists():
        raise ValidationError(
            _("Only draft tasks can be deleted; this task or a subtask has been assigned."),
            code="not_draft",
        )
    for doomed in subtree:
        audit.record_delete(actor=actor, instance=doomed, before=audit.snapshot(doomed))
    subtree.delete()
    _close_gap(stored.task_list_id, stored.parent_id, stored.position)


# --- the lifecycle ---------------------------------------------------------------------


def _lock(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("task_list", "lead_unit")
        .get(pk=task.pk)
    )


def _authorise(actor, task: Task, action: str) -> str:
    """The state after `action`, if the table allows it for this actor; else an error."""
    rule = TRANSITIONS.get((task.status, action))
    if rule is None:
        raise ValidationError(
            _("A task that is %(status)s cannot be given the action “%(action)s”.")
            % {"status": Status(task.status).label, "action": Action(action).label},
            code="invalid_transition",
        )
    if actor is not None and not (scoping.parties(actor, task) & rule[1]):
        raise PermissionDenied
    return next_state(task.status, action)


def _record(actor, task: Task, action: str, before_status: str, comment: str = "") -> None:
    TaskEvent.objects.create(
        task=task,
        actor=actor,
        action=action,
        from_status=before_status,
        to_status=task.status,
        comment=comment,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=task,
        before={"status": before_status},
        after={"status": task.status, "action": action, "comment": comment},
        message=f"task {action}",
    )


def _save_state(task: Task, *extra_fields: str) -> None:
    task.version = F("version") + 1
    task.save(update_fields=["status", "version", "updated_at", *extra_fields])
    task.refresh_from_db(fields=["version"])


def open_subtasks(task: Task):
    return (
        Task.objects.filter(task_list_id=task.task_list_id, sort_path__startswith=task.sort_path)
        .exclude(pk=task.pk)
        .exclude(status=Status.CLOSED)
    )


@transaction.atomic
def task_act(*, actor, task: Task, action: str, comment: str = "") -> Task:
    """Apply a plain lifecycle action: assign, accept, return, request_close, close,
    reject_close, urge, reopen."""
    task = _lock(task)
    comment = comment.strip()
    if action in REASON_REQUIRED and not comment:
        raise _field_error("comment", _("Please give a reason."), "reason_required")
    new_status = _authorise(actor, task, action)
    before_status = task.status
    extra: list[str] = []
    if action == Action.ASSIGN:
        if task.lead_unit_id is None:
            raise _field_error(
                "lead_unit", _("Choose a lead unit before assigning the task."), "no_lead_unit"
            )
        if task.due_date is None and not task.is_ongoing:
            raise _field_error(
                "due_date",
                _("Give a due date (or mark the task ongoing) before assigning it."),
                "no_due_date",
            )
        if not lead_people(task):
            raise _field_error(
                "lead_unit",
                _(
                    "Nobody can act for %(unit)s yet: ask the system administrator to "
                    "appoint its liaison before assigning the task."
                )
                % {"unit": task.lead_unit.name},
                "no_liaison",
            )
        task.assigned_at = timezone.now()
        extra += ["assigned_at"]
    if action == Action.CLOSE:
        requester = (
            task.events.filter(action=Action.REQUEST_CLOSE)
            .order_by("-pk")
            .values_list("actor_id", flat=True)
            .first()
        )
        if actor is not None and requester == actor.pk:
            raise ValidationError(
                _(
                    "You asked to close this task yourself; "
                    "another member of the office verifies it."
                ),
                code="four_eyes",
            )
        still_open = list(open_subtasks(task).order_by("sort_path")[:10])
        if still_open:
            numbers = "、".join(t.number() for t in still_open)
            raise ValidationError(
                _("Subtasks are still open: %(numbers)s. Close them first.") % {"numbers": numbers},
                code="open_subtasks",
            )
        task.closed_at = timezone.now()
        task.progress = 100
        extra += ["closed_at", "progress"]
    if action == Action.REOPEN:
        task.closed_at = None
        extra += ["closed_at"]
    task.status = new_status
    if action in (Action.ASSIGN, Action.CLOSE, Action.REOPEN):
        refresh_light_inputs(task)
        extra += ["lag_date", "last_activity_on"]
    _save_state(task, *extra)
    _record(actor, task, action, before_status, comment)
    _notify_transition(actor, task, action, comment)
    return task


def _notify_transition(actor, task: Task, action: str, comment: str) -> None:
    number = task.number()
    to_office = {Action.RETURN, Action.REQUEST_CLOSE}
    titles = {
        Action.ASSIGN: _("New task assigned: %(n)s"),
        Action.RETURN: _("Task returned: %(n)s"),
        Action.URGE: _("Urged: task %(n)s"),
        Action.REQUEST_CLOSE: _("Closing requested: task %(n)s"),
        Action.CLOSE: _("Task closed: %(n)s"),
        Action.REJECT_CLOSE: _("Closing refused: task %(n)s"),
        Action.REOPEN: _("Task reopened: %(n)s"),
    }
    if action not in titles:
        return
    recipients = (
        office_staff(task.task_list.office_id) if action in to_office else lead_people(task)
    )
    title = titles[action]
    recipients = [u for u in recipients if actor is None or u.pk != actor.pk]
    _notify_about(task, recipients, f"task_{action}", title % {"n": number}, comment or "")


@transaction.atomic
def task_report(
    *, actor, task: Task, text: str, progress: int, figures: str = "", evidence=()
) -> ProgressReport:
    task = _lock(task)
    _authorise(actor, task, Action.REPORT)
    if not 0 <= progress <= 100:
        raise _field_error("progress", _("Progress is a percentage from 0 to 100."), "range")
    report = ProgressReport(
        task=task, reporter=actor, text=text, progress=progress, figures=figures
    )
    report.full_clean()
    report.save()
    report.evidence.set(list(evidence))
    task.progress = progress
    refresh_light_inputs(task)
    task.version = F("version") + 1
    task.save(update_fields=["progress", "lag_date", "last_activity_on", "version", "updated_at"])
    _record(actor, task, Action.REPORT, task.status, f"{progress}% {text}"[:500])
    return report


@transaction.atomic
def task_request_close(*, actor, task: Task, comment: str, evidence) -> Task:
    """申请办结 with the evidence that the work is done (kept as a progress report)."""
    task_report(
        actor=actor,
        task=task,
        text=comment.strip() or _("Evidence for closing"),
        progress=100,  # asking to close says the work is done
        evidence=evidence,
    )
    return task_act(actor=actor, task=task, action=Action.REQUEST_CLOSE, comment=comment)


@transaction.atomic
def task_comment(*, actor, task: Task, text: str) -> TaskEvent:
    task = _lock(task)
    _authorise(actor, task, Action.COMMENT)
    if not text.strip():
        raise _field_error("text", _("Write a comment."), "required")
    _record(actor, task, Action.COMMENT, task.status, text.strip())
    if Party.LEADER in scoping.parties(actor, task):
        recipients = office_staff(task.task_list.office_id) + lead_people(task)
        _notify_about(
            task,
            recipients,
            "task_comment",
            _("A leader commented on task %(n)s") % {"n": task.number()},
            text,
        )
    return task.events.order_by("-pk").first()


@transaction.atomic
def extension_request(
    *, actor, task: Task, reason: str, new_due_date: datetime.date, progress_so_far: str
) -> ExtensionRequest:
    task = _lock(task)
    _authorise(actor, task, Action.REQUEST_EXTENSION)
    today = timezone.localdate()
    if task.due_date is None:
        raise ValidationError(_("An ongoing task has no deadline to extend."), code="no_due_date")
    if today > task.due_date:
        raise ValidationError(
            _("The due date %(due)s has passed; an extension must be asked before it.")
            % {"due": task.due_date.isoformat()},
            code="too_late",
        )
    request = ExtensionRequest(
        task=task,
        requested_by=actor,
        reason=reason,
        old_due_date=task.due_date,
        new_due_date=new_due_date,
        progress_so_far=progress_so_far,
    )
    request.full_clean()
    request.save()
    _record(
        actor,
        task,
        Action.REQUEST_EXTENSION,
        task.status,
        f"{task.due_date} → {new_due_date}: {reason}",
    )
    _notify_about(
        task,
        office_staff(task.task_list.office_id),
        "task_extension_requested",
        _("Extension requested: task %(n)s") % {"n": task.number()},
        reason,
    )
    return request


@transaction.atomic
def extension_decide(
    *, actor, request: ExtensionRequest, approve: bool, comment: str = ""
) -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    task = _lock(request.task)
    action = Action.APPROVE_EXTENSION if approve else Action.REJECT_EXTENSION
    _authorise(actor, task, action)
    if request.status != ExtensionStatus.PENDING:
        raise ValidationError(_("This extension request has already been decided."), code="decided")
    if not approve and not comment.strip():
        raise _field_error("comment", _("Please give a reason."), "reason_required")
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment.strip()
    request.save()
    if approve:
        task.due_date = request.new_due_date
        refresh_light_inputs(task)
        task.version = F("version") + 1
        task.save(
            update_fields=["due_date", "lag_date", "last_activity_on", "version", "updated_at"]
        )
    _record(actor, task, action, task.status, comment.strip())
    title = _("Extension approved: task %(n)s") if approve else _("Extension rejected: task %(n)s")
    _notify_about(task, lead_people(task), f"task_{action}", title % {"n": task.number()}, comment)
    return request


# --- scheduled work --------------------------------------------------------------------


def remind(today: datetime.date | None = None) -> dict[str, int]:
    """Raise due-soon and overdue notices and the automatic urge at yellow.

    Idempotent: each notice has a key naming the task, the kind and the deadline, so a
    second run the same day (or on another host) sends nothing twice. A new deadline
    (an approved extension) is a new key.
    """
    today = today or timezone.localdate()
    counts = {"refreshed": 0, "due_soon": 0, "overdue": 0, "auto_urged": 0}
    live = Task.objects.filter(
        status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.CLOSE_REQUESTED]
    )
    # The light's stored inputs depend on settings that may have changed since the last run.
    stale = []
    inputs = live.only(
        "pk", "start_date", "due_date", "assigned_at", "progress", "lag_date", "last_activity_on"
    ).annotate(last_report_at=Max("reports__reported_at"))
    for task in inputs.iterator(chunk_size=2000):
        old = (task.lag_date, task.last_activity_on)
        refresh_light_inputs(task, last_report_at=task.last_report_at)
        if (task.lag_date, task.last_activity_on) != old:
            stale.append(task)
    Task.objects.bulk_update(stale, ["lag_date", "last_activity_on"], batch_size=1000)
    counts["refreshed"] = len(stale)

    flagged = (
        live.with_light(today)
        .filter(light__in=["yellow", "red"])
        .select_related("task_list", "lead_unit")
        .order_by("pk")
    )
    staff_by_office: dict[int, list] = {}
    people_by_lead: dict[int | None, list] = {}
    for task in flagged.iterator(chunk_size=500):
        if task.task_list.office_id not in staff_by_office:
            staff_by_office[task.task_list.office_id] = office_staff(task.task_list.office_id)
        if task.lead_unit_id not in people_by_lead:
            people_by_lead[task.lead_unit_id] = lead_people(task)
        office, lead = staff_by_office[task.task_list.office_id], people_by_lead[task.lead_unit_id]
        number = task.number()
        due = task.due_date.isoformat() if task.due_date else "none"
        if task.light == "red":
            sent = notify(
                lead + office,
                kind="task_overdue",
                title=_("Overdue: task %(n)s") % {"n": number},
                body=task.content[:200],
                url=_task_url(task),
                dedupe_key=f"task:{task.pk}:overdue:{due}",
            )
            counts["overdue"] += bool(sent)
            continue
        sent = notify(
            lead,
            kind="task_due_soon",
            title=_("Needs attention: task %(n)s") % {"n": number},
            body=task.content[:200],
            url=_task_url(task),
            dedupe_key=f"task:{task.pk}:yellow:{due}",
        )
        if (
            sent
            and not TaskEvent.objects.filter(task=task, action="auto_urge", comment=due).exists()
        ):
            # The escalation ladder: yellow raises an urge on the task's timeline once.
            TaskEvent.objects.create(task=task, actor=None, action="auto_urge", comment=due)
            counts["auto_urged"] += 1
        counts["due_soon"] += bool(sent)
    return counts
