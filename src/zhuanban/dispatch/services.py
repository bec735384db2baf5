"""Every change to indicators, tables, rounds and submissions: one function per use case,
transactional, permission-checked, written to the audit trail."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, StoredFile
from zhuanban.core.notify import notify
from zhuanban.dispatch import lifecycle, scoping
from zhuanban.dispatch.lifecycle import Action
from zhuanban.dispatch.models import (
    CADENCE_PERIOD,
    DataValue,
    DispatchRound,
    Indicator,
    IndicatorValue,
    RoundSnapshot,
    RowMode,
    Schedule,
    SnapshotReason,
    Source,
    Submission,
    SubmissionEvent,
    SubmissionRevision,
    SubmissionStatus,
    TableTemplate,
    Target,
    TemplateVersion,
)
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.dispatch.schema import ColumnType, TableSchema, parse_schema
from zhuanban.dispatch.validation import CellProblem, Checked, check_rows, row_to_json
from zhuanban.org.models import OrgUnit, RoleAssignment
from zhuanban.org.roles import Role

VALUE_BATCH = 5000


class TableErrors(ValidationError):
    """A submission with problems, by row and column (validation.CellProblem)."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        super().__init__(
            _("The table has %(count)s problems; nothing was submitted.")
            % {"count": len(problems)},
            code="table_errors",
        )


def _require_office(actor, office_id: int) -> None:
    if actor is not None and not scoping.can_manage_office(actor, office_id):
        raise PermissionDenied


# --- indicators and targets --------------------------------------------------------------


@transaction.atomic
def indicator_save(*, actor, indicator: Indicator | None = None, **fields) -> Indicator:
    office = fields.get("office") or (indicator.office if indicator else None)
    if office is not None:
        _require_office(actor, office.pk)
    before = audit.snapshot(indicator) if indicator else None
    indicator = indicator or Indicator()
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    audit.record_change(actor=actor, instance=indicator, before=before)
    return indicator


@transaction.atomic
def target_set(*, actor, indicator: Indicator, unit: OrgUnit, year: int, value) -> Target:
    if indicator.office_id is not None:
        _require_office(actor, indicator.office_id)
    target = Target.objects.filter(indicator=indicator, unit=unit, year=year).first()
    before = audit.snapshot(target) if target else None
    target = target or Target(indicator=indicator, unit=unit, year=year)
    target.value = Decimal(value)
    target.full_clean()
    target.save()
    # A task's progress is measured against its own target_value, so nothing to sync.
    audit.record_change(actor=actor, instance=target, before=before)
    return target


def indicator_value_set(
    *,
    actor,
    indicator: Indicator,
    unit: OrgUnit,
    period: Period,
    value,
    source_round: DispatchRound | None = None,
    sync_tasks: bool = True,
) -> IndicatorValue:
    with transaction.atomic():
        other_kind = (
            IndicatorValue.objects.filter(indicator=indicator, year=period.year)
            .exclude(period_kind=period.kind)
            .values_list("period_kind", flat=True)
            .first()
        )
        if other_kind is not None:
            # Months and quarters of one year would be counted twice in its total.
            raise ValidationError(
                _(
                    "%(indicator)s already has %(kind)s values in %(year)s; one indicator "
                    "takes values of one kind of period a year."
                )
                % {
                    "indicator": indicator.name,
                    "kind": PeriodKind(other_kind).label,
                    "year": period.year,
                },
                code="period_kind",
            )
        current = IndicatorValue.objects.filter(
            indicator=indicator,
            unit=unit,
            period_kind=period.kind,
            year=period.year,
            period_number=period.number,
        ).first()
        before = audit.snapshot(current) if current else None
        current = current or IndicatorValue(
            indicator=indicator,
            unit=unit,
            period_kind=period.kind,
            year=period.year,
            period_number=period.number,
            period_end=period.end,
        )
        current.value = Decimal(value)
        current.source_round = source_round
        current.save()
        audit.record_change(actor=actor, instance=current, before=before)
        if sync_tasks:
            sync_task_progress([indicator], period.year, actor=actor)
    return current


def sync_task_progress(indicators: Iterable[Indicator], year: int, *, actor=None) -> int:
    """Set the progress of open tasks with a quantitative target from their indicator's
    year-to-date value for their lead unit. Returns how many tasks changed."""
    from zhuanban.dispatch.selectors import indicator_actuals
    from zhuanban.tasks.lifecycle import OPEN_STATES
    from zhuanban.tasks.models import Task
    from zhuanban.tasks.services import refresh_light_inputs

    by_code = {i.code: i for i in indicators}
    tasks = list(
        Task.objects.filter(
            indicator_code__in=by_code,
            task_list__year=year,
            target_value__gt=0,
            lead_unit__isnull=False,
            status__in=OPEN_STATES,
        ).select_related("lead_unit")
    )
    changed = 0
    for code, indicator in by_code.items():
        mine = [t for t in tasks if t.indicator_code == code]
        if not mine:
            continue
        actuals = indicator_actuals(indicator, year, [t.lead_unit for t in mine])
        for task in mine:
            actual = actuals.get(task.lead_unit_id)
            if actual is None:
                continue
            progress = int(min(Decimal(100), max(Decimal(0), actual * 100 / task.target_value)))
            if progress == task.progress:
                continue
            before = {"progress": task.progress}
            task.progress = progress
            refresh_light_inputs(task)
            task.save(update_fields=["progress", "lag_date", "last_activity_on", "updated_at"])
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=task,
                before=before,
                after={"progress": progress, "indicator": code, "actual": str(actual)},
                message="task progress from indicator",
            )
            changed += 1
    return changed


# --- table templates ------------------------------------------------------------------------


@transaction.atomic
def template_create(
    *,
    actor,
    office: OrgUnit,
    code: str,
    title: str,
    schema: dict,
    units: Iterable[OrgUnit],
    row_mode: str = RowMode.PER_UNIT,
    instructions: str = "",
) -> TableTemplate:
    _require_office(actor, office.pk)
    table = parse_schema(schema)
    template = TableTemplate(
        office=office, code=code, title=title, row_mode=row_mode, instructions=instructions
    )
    template.full_clean()
    template.save()
    template.units.set(units)
    TemplateVersion.objects.create(
        template=template, number=1, schema=table.to_dict(), created_by=actor
    )
    audit.record_change(actor=actor, instance=template, before=None)
    return template


@transaction.atomic
def template_update(
    *,
    actor,
    template: TableTemplate,
    expected_version: int,
    schema: dict | None = None,
    units: Iterable[OrgUnit] | None = None,
    **fields,
) -> TemplateVersion:
    """Change a table. New columns or rules make a new version when the current one has
    been sent out; until then the current version is edited in place."""
    _require_office(actor, template.office_id)
    template = TableTemplate.objects.select_for_update().get(pk=template.pk)
    if template.lock_version != expected_version:
        raise ConcurrentEditError(
            _("Someone else changed this table while you were editing it. Reload the page.")
        )
    before = audit.snapshot(template)
    latest = template.latest_version()
    before["schema"] = latest.schema
    for name, value in fields.items():
        setattr(template, name, value)
    template.full_clean()
    if schema is not None:
        table = parse_schema(schema).to_dict()
        if table != latest.schema:
            if latest.rounds.exists():
                latest = TemplateVersion.objects.create(
                    template=template, number=latest.number + 1, schema=table, created_by=actor
                )
            else:
                latest.schema = table
                latest.save(update_fields=["schema"])
    template.lock_version = F("lock_version") + 1
    template.save()
    template.refresh_from_db(fields=["lock_version"])
    if units is not None:
        template.units.set(units)
    after = audit.snapshot(template) | {"schema": latest.schema, "schema_version": latest.number}
    audit.record(
        actor=actor, action=AuditAction.UPDATE, instance=template, before=before, after=after
    )
    return latest


@transaction.atomic
def schedule_save(*, actor, template: TableTemplate, cadence: str, **fields) -> Schedule:
    """Set when a table goes out on a cadence (one schedule per table and cadence)."""
    _require_office(actor, template.office_id)
    schedule = Schedule.objects.filter(template=template, cadence=cadence).first()
    before = audit.snapshot(schedule) if schedule else None
    schedule = schedule or Schedule(template=template, cadence=cadence)
    for name, value in fields.items():
        setattr(schedule, name, value)
    schedule.full_clean()
    schedule.save()
    audit.record_change(actor=actor, instance=schedule, before=before)
    return schedule


# --- rounds ---------------------------------------------------------------------------------


def _round_title(template: TableTemplate | None, task_list, period: Period) -> str:
    subject = template.title if template else task_list.title
    return f"{subject}（{period.label()}）"


@transaction.atomic
def round_open(
    *,
    actor,
    template: TableTemplate | None = None,
    task_list=None,
    cadence: str,
    period: Period,
    opens_on: datetime.date,
    due_on: datetime.date,
    locks_on: datetime.date,
    units: Iterable[OrgUnit] | None = None,
    schedule: Schedule | None = None,
    title: str = "",
) -> DispatchRound:
    """Send a table (or a task list's progress request) out for one period: a round with
    an empty submission for every unit that must answer."""
    office = template.office if template else task_list.office
    _require_office(actor, office.pk)
    if units is None:
        units = template.units.all() if template else _lead_units(task_list)
    units = list(units)
    if not units:
        raise ValidationError(_("Choose the units that must answer."), code="no_units")
    round_ = DispatchRound(
        office=office,
        template=template,
        template_version=template.latest_version() if template else None,
        task_list=task_list,
        schedule=schedule,
        title=title or _round_title(template, task_list, period),
        cadence=cadence,
        period_kind=period.kind,
        year=period.year,
        period_number=period.number,
        opens_on=opens_on,
        due_on=due_on,
        locks_on=locks_on,
        created_by=actor,
    )
    round_.full_clean()
    round_.save()
    round_.units.set(units)
    Submission.objects.bulk_create(Submission(round=round_, unit=unit) for unit in units)
    audit.record_change(actor=actor, instance=round_, before=None)
    return round_


def _lead_units(task_list):
    from zhuanban.tasks.lifecycle import OPEN_STATES

    return OrgUnit.objects.filter(
        led_tasks__task_list=task_list, led_tasks__status__in=OPEN_STATES
    ).distinct()


def open_scheduled_rounds(today: datetime.date | None = None) -> dict[str, int]:
    """Open the rounds their schedules call for today, and lock the rounds past their
    lock date (taking their snapshot). Safe to run as often as you like."""
    today = today or timezone.localdate()
    opened = 0
    schedules = Schedule.objects.filter(is_active=True).select_related(
        "template__office", "task_list__office"
    )
    for schedule in schedules:
        kind = CADENCE_PERIOD[schedule.cadence]
        current = Period.containing(kind, today)
        for period in (current.previous(), current, current.next()):
            opens_on, due_on, locks_on = schedule.dates(period)
            if not opens_on <= today < locks_on:
                continue
            exists = DispatchRound.objects.filter(
                template=schedule.template,
                task_list=schedule.task_list,
                cadence=schedule.cadence,
                period_kind=period.kind,
                year=period.year,
                period_number=period.number,
            ).exists()
            if exists:
                continue
            round_open(
                actor=None,
                template=schedule.template,
                task_list=schedule.task_list,
                cadence=schedule.cadence,
                period=period,
                opens_on=opens_on,
                due_on=due_on,
                locks_on=locks_on,
                schedule=schedule,
            )
            opened += 1
    for round_ in DispatchRound.objects.filter(
        task_list__isnull=False, locked_at__isnull=True, opens_on__lte=today
    ):
        refresh_task_list_round(round_)
    locked = 0
    for round_ in DispatchRound.objects.filter(locked_at__isnull=True, locks_on__lt=today):
        round_lock(actor=None, round_=round_)
        locked += 1
    return {"opened": opened, "locked": locked}


def remind_rounds(today: datetime.date | None = None) -> int:
    """Remind the units that have not reported: when the due date is near
    (TASK_DUE_SOON_DAYS) and once it has passed. Each reminder goes out once per
    submission and kind, however often this runs. Returns how many were sent."""
    from django.conf import settings

    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.TASK_DUE_SOON_DAYS)
    waiting = list(
        Submission.objects.filter(
            round__locked_at__isnull=True,
            round__template__isnull=False,
            round__opens_on__lte=today,
            round__due_on__lte=soon,
            status__in=lifecycle.NOT_REPORTED,
        ).select_related("round")
    )
    people = liaisons_of({s.unit_id for s in waiting})
    sent = 0
    for submission in waiting:
        round_ = submission.round
        overdue = round_.due_on < today
        if overdue:
            title = _("Overdue: %(round)s was due on %(due)s") % {
                "round": round_.title,
                "due": round_.due_on.isoformat(),
            }
        else:
            title = _("Due soon: %(round)s, due on %(due)s") % {
                "round": round_.title,
                "due": round_.due_on.isoformat(),
            }
        kind = "dispatch_overdue" if overdue else "dispatch_due_soon"
        sent += len(
            notify(
                people.get(submission.unit_id, []),
                kind=kind,
                title=title,
                url=submission_url(submission),
                dedupe_key=f"{kind}:{submission.pk}:{round_.due_on.isoformat()}",
            )
        )
    return sent


@transaction.atomic
def refresh_task_list_round(round_: DispatchRound) -> int:
    """A progress request on a task list is answered by reporting progress (反馈) on the
    tasks: a unit has answered once every open task it leads in the list has a report
    since the round opened, at the time of the last of those first reports. Two grouped
    queries; returns how many units were found to have answered."""
    from zhuanban.tasks.lifecycle import OPEN_STATES
    from zhuanban.tasks.models import ProgressReport, Task

    waiting = {
        s.unit_id: s
        for s in Submission.objects.select_for_update().filter(
            round=round_, status__in=lifecycle.NOT_REPORTED
        )
    }
    if not waiting:
        return 0
    opened = timezone.make_aware(datetime.datetime.combine(round_.opens_on, datetime.time.min))
    open_tasks = dict(
        Task.objects.filter(
            task_list_id=round_.task_list_id, lead_unit_id__in=waiting, status__in=OPEN_STATES
        )
        .values("lead_unit_id")
        .annotate(n=Count("pk"))
        .values_list("lead_unit_id", "n")
    )
    reported: dict[int, list] = {}
    for unit_id, first in (
        ProgressReport.objects.filter(
            task__task_list_id=round_.task_list_id,
            task__lead_unit_id__in=waiting,
            task__status__in=OPEN_STATES,
            reported_at__gte=opened,
        )
        .values("task_id", "task__lead_unit_id")
        .annotate(first=Min("reported_at"))
        .values_list("task__lead_unit_id", "first")
    ):
        reported.setdefault(unit_id, []).append(first)
    answered = 0
    for unit_id, submission in waiting.items():
        times = reported.get(unit_id, [])
        if not open_tasks.get(unit_id) or len(times) < open_tasks[unit_id]:
            continue
        before = submission.status
        submission.status = SubmissionStatus.SUBMITTED
        submission.first_submitted_at = submission.first_submitted_at or max(times)
        submission.submitted_at = max(times)
        submission.revision += 1
        _save(submission, None, "status", "first_submitted_at", "submitted_at", "revision")
        _record(
            None,
            submission,
            Action.SUBMIT,
            before,
            _("Progress reported on all %(count)s open tasks.") % {"count": len(times)},
        )
        answered += 1
    return answered


@transaction.atomic
def round_lock(*, actor, round_: DispatchRound) -> RoundSnapshot:
    """Lock a round (units can only correct what the office sends back) and keep its
    consolidated figures as they stand."""
    from zhuanban.dispatch.selectors import snapshot_data

    if actor is not None:
        _require_office(actor, round_.office_id)
    round_ = DispatchRound.objects.select_for_update().get(pk=round_.pk)
    if round_.locked_at is not None:
        raise ValidationError(_("The round is already locked."), code="locked")
    round_.locked_at = timezone.now()
    round_.save(update_fields=["locked_at"])
    snapshot = RoundSnapshot.objects.create(
        round=round_, reason=SnapshotReason.LOCKED, data=snapshot_data(round_)
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round_,
        before={"locked_at": None},
        after={"locked_at": round_.locked_at, "snapshot": snapshot.pk},
        message="round locked",
    )
    return snapshot


def liaisons_of(unit_ids: Iterable[int]) -> dict[int, list]:
    """The people who answer for each unit: its liaisons."""
    people: dict[int, list] = {}
    for assignment in RoleAssignment.objects.filter(
        unit_id__in=list(unit_ids), role__in=[Role.COUNTY_LIAISON, Role.DEPARTMENT_LIAISON]
    ).select_related("user"):
        people.setdefault(assignment.unit_id, []).append(assignment.user)
    return people


def round_url(round_: DispatchRound) -> str:
    return reverse("dispatch:round", args=[round_.pk])


def submission_url(submission: Submission) -> str:
    return reverse("dispatch:submission", args=[submission.round_id, submission.unit_id])


@transaction.atomic
def round_urge(*, actor, round_: DispatchRound, unit_ids: Iterable[int] | None = None) -> int:
    """Urge the units that have not reported (all of them, or those named). Each urge
    goes into the submission's timeline and the audit trail, at most once a day."""
    _require_office(actor, round_.office_id)
    if round_.is_locked:
        raise ValidationError(_("The round is locked."), code="locked")
    pending = Submission.objects.filter(round=round_, status__in=lifecycle.NOT_REPORTED)
    if unit_ids is not None:
        pending = pending.filter(unit_id__in=list(unit_ids))
    pending = list(pending.select_related("unit"))
    people = liaisons_of(s.unit_id for s in pending)
    today = timezone.localdate()
    for submission in pending:
        SubmissionEvent.objects.create(
            submission=submission,
            action=Action.URGE,
            actor=actor,
            status_before=submission.status,
            status_after=submission.status,
        )
        notify(
            people.get(submission.unit_id, []),
            kind="dispatch_urge",
            title=_("Please report: %(round)s, due %(due)s")
            % {"round": round_.title, "due": round_.due_on.isoformat()},
            url=submission_url(submission),
            dedupe_key=f"dispatch-urge:{submission.pk}:{today.isoformat()}",
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=submission,
            after={"action": Action.URGE, "status": submission.status},
            message="submission urge",
        )
    return len(pending)


# --- submissions ----------------------------------------------------------------------------


def _lock_submission(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("round", "round__template_version", "round__template", "unit")
        .get(pk=submission.pk)
    )


def _authorise(actor, submission: Submission, action: str) -> str:
    rule = lifecycle.TRANSITIONS.get((submission.status, action))
    if rule is None:
        raise ValidationError(
            _("A submission that is %(status)s cannot be given the action “%(action)s”.")
            % {
                "status": SubmissionStatus(submission.status).label,
                "action": Action(action).label,
            },
            code="invalid_transition",
        )
    if actor is not None and not (scoping.parties(actor, submission) & rule[1]):
        raise PermissionDenied
    round_ = submission.round
    if action == Action.URGE and round_.is_locked:
        raise ValidationError(_("The round is locked."), code="locked")
    if rule[1] == lifecycle.UNIT:
        if timezone.localdate() < round_.opens_on:
            raise ValidationError(
                _("This round opens on %(date)s.") % {"date": round_.opens_on.isoformat()},
                code="not_open",
            )
        if round_.is_locked and (submission.status, action) not in lifecycle.ALLOWED_WHEN_LOCKED:
            raise ValidationError(
                _("The round was locked on %(date)s; ask the office to reopen your table.")
                % {"date": timezone.localdate(round_.locked_at).isoformat()},
                code="locked",
            )
    return rule[0] or submission.status


def available_actions(user, submission: Submission) -> list[str]:
    """What `user` can do to `submission` now: the transition table, narrowed by the
    round's dates (not open yet; locked). The screens and the API offer exactly these."""
    actions = []
    for action in lifecycle.allowed_actions(submission.status, scoping.parties(user, submission)):
        try:
            _authorise(None, submission, action)
        except ValidationError:
            continue
        actions.append(action)
    return actions


def _check_version(submission: Submission, expected_version: int | None) -> None:
    if expected_version is not None and submission.lock_version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else saved this table while you were editing it. Reload the page to "
                "see their version; your entries have not been saved."
            )
        )


def _record(actor, submission: Submission, action: str, before: str, comment: str = "") -> None:
    SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        actor=actor,
        status_before=before,
        status_after=submission.status,
        comment=comment,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=submission,
        before={"status": before},
        after={
            "status": submission.status,
            "action": action,
            "comment": comment,
            "revision": submission.revision,
        },
        message=f"submission {action}",
    )


def _save(submission: Submission, actor, *fields: str) -> None:
    submission.updated_by = actor
    submission.lock_version = F("lock_version") + 1
    submission.save(update_fields=["lock_version", "updated_at", "updated_by", *fields])
    submission.refresh_from_db(fields=["lock_version"])


def table_of(submission: Submission) -> TableSchema:
    return submission.round.template_version.table


def check_submission_rows(submission: Submission, rows: list[dict]) -> Checked:
    return check_rows(
        table_of(submission), rows, one_row=submission.round.template.row_mode == RowMode.PER_UNIT
    )


def _draft_rows(table: TableSchema, rows: list[dict], checked: Checked) -> list[dict]:
    """Rows to keep as a draft: checked values in their stored form, and what the user
    typed in the cells that have a problem, so a draft never loses an entry."""
    bad = {(p.row, p.column) for p in checked.problems}
    kept = []
    for index, typed in zip(checked.source_rows, checked.rows, strict=True):
        row = row_to_json(table, typed)
        for column in table.columns:
            if (index, column.key) in bad:
                raw = rows[index].get(column.key)
                if raw not in (None, ""):
                    row[column.key] = str(raw)
        kept.append(row)
    return kept


@transaction.atomic
def submission_save(
    *, actor, submission: Submission, rows: list[dict], expected_version: int | None
) -> Checked:
    """Save a draft, problems and all; returns the check so the screen can show them."""
    submission = _lock_submission(submission)
    _check_version(submission, expected_version)
    after = _authorise(actor, submission, Action.SAVE)
    table = table_of(submission)
    checked = check_submission_rows(submission, rows)
    if any(p.code == "too_many_rows" for p in checked.problems):
        raise TableErrors(checked.problems)
    before = submission.status
    submission.status = after
    submission.data = _draft_rows(table, rows, checked)
    _save(submission, actor, "status", "data")
    if before != after:
        _record(actor, submission, Action.SAVE, before)
    return checked


@transaction.atomic
def submission_submit(
    *,
    actor,
    submission: Submission,
    rows: list[dict] | None = None,
    expected_version: int | None,
    source: str = Source.SCREEN,
    file: StoredFile | None = None,
) -> Submission:
    """Submit the rows given (or the saved draft). Any problem refuses the whole table
    and stores nothing (TableErrors lists them)."""
    submission = _lock_submission(submission)
    _check_version(submission, expected_version)
    after = _authorise(actor, submission, Action.SUBMIT)
    table = table_of(submission)
    checked = check_submission_rows(submission, submission.data if rows is None else rows)
    if checked.problems:
        raise TableErrors(checked.problems)
    before = submission.status
    now = timezone.now()
    submission.status = after
    submission.data = [row_to_json(table, row) for row in checked.rows]
    submission.revision += 1
    submission.submitted_at = now
    submission.first_submitted_at = submission.first_submitted_at or now
    submission.row_comments = {}
    _save(
        submission,
        actor,
        "status",
        "data",
        "revision",
        "submitted_at",
        "first_submitted_at",
        "row_comments",
    )
    SubmissionRevision.objects.create(
        submission=submission,
        number=submission.revision,
        data=submission.data,
        template_version=submission.round.template_version,
        source=source,
        file=file,
        created_by=actor,
        created_at=now,
    )
    _store_values(submission, table, checked.rows)
    _record(actor, submission, Action.SUBMIT, before)
    if submission.round.office_id:
        from zhuanban.tasks.services import office_staff

        notify(
            office_staff(submission.round.office_id),
            kind="dispatch_submitted",
            title=_("%(unit)s submitted %(round)s")
            % {"unit": submission.unit.name, "round": submission.round.title},
            url=submission_url(submission),
        )
    return submission


def _store_values(submission: Submission, table: TableSchema, rows: list[dict]) -> None:
    """Put a submitted table in the value store. The store holds only what counts as
    reported (submitted or approved): a return or reopen takes the table out again, so
    consolidation is a plain GROUP BY with no join on the submission's status."""
    DataValue.objects.filter(submission=submission).delete()
    batch = []
    for index, row in enumerate(rows):
        for column in table.columns:
            value = row.get(column.key)
            if value is None:
                continue
            number, text = None, ""
            if column.is_numeric:
                number = value
            elif column.type == ColumnType.BOOLEAN:
                number = 1 if value else 0
            else:
                text = value.isoformat() if isinstance(value, datetime.date) else str(value)
            batch.append(
                DataValue(
                    submission=submission,
                    round_id=submission.round_id,
                    unit_id=submission.unit_id,
                    row=index,
                    column=column.key,
                    number=number,
                    text=text,
                )
            )
        if len(batch) >= VALUE_BATCH:
            DataValue.objects.bulk_create(batch)
            batch = []
    DataValue.objects.bulk_create(batch)


@transaction.atomic
def submission_approve(*, actor, submission: Submission, comment: str = "") -> Submission:
    """Approve and lock the data; columns that feed indicators set the unit's values."""
    submission = _lock_submission(submission)
    after = _authorise(actor, submission, Action.APPROVE)
    before = submission.status
    submission.status = after
    submission.approved_at = timezone.now()
    submission.comment = comment
    _save(submission, actor, "status", "approved_at", "comment")
    _record(actor, submission, Action.APPROVE, before, comment)
    _feed_indicators(actor, submission)
    notify(
        liaisons_of([submission.unit_id]).get(submission.unit_id, []),
        kind="dispatch_approved",
        title=_("Approved: %(round)s") % {"round": submission.round.title},
        url=submission_url(submission),
    )
    return submission


def _feed_indicators(actor, submission: Submission) -> None:
    if submission.round.template_version_id is None:
        return
    table = table_of(submission)
    feeding = [c for c in table.columns if c.indicator]
    if not feeding:
        return
    indicators = Indicator.objects.in_bulk([c.indicator for c in feeding], field_name="code")
    rows = submission.data
    period = submission.round.period
    fed = []
    for column in feeding:
        indicator = indicators.get(column.indicator)
        if indicator is None:
            continue
        numbers = [Decimal(str(row[column.key])) for row in rows if row.get(column.key) is not None]
        if not numbers:
            continue
        indicator_value_set(
            actor=actor,
            indicator=indicator,
            unit=submission.unit,
            period=period,
            value=sum(numbers, Decimal(0)),
            source_round=submission.round,
            sync_tasks=False,
        )
        fed.append(indicator)
    if fed:
        sync_task_progress(fed, period.year, actor=actor)


def _require_reason(comment: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Give the reason.")}, code="reason_required")
    return comment


@transaction.atomic
def submission_return(
    *, actor, submission: Submission, comment: str, row_comments: dict | None = None
) -> Submission:
    """Send a submission back for correction, with a reason and comments by row."""
    comment = _require_reason(comment)
    submission = _lock_submission(submission)
    after = _authorise(actor, submission, Action.RETURN)
    before = submission.status
    submission.status = after
    submission.comment = comment
    submission.row_comments = {
        str(row): text.strip() for row, text in (row_comments or {}).items() if text.strip()
    }
    _save(submission, actor, "status", "comment", "row_comments")
    DataValue.objects.filter(submission=submission).delete()
    _record(actor, submission, Action.RETURN, before, comment)
    notify(
        liaisons_of([submission.unit_id]).get(submission.unit_id, []),
        kind="dispatch_returned",
        title=_("Returned for correction: %(round)s") % {"round": submission.round.title},
        body=comment,
        url=submission_url(submission),
    )
    return submission


@transaction.atomic
def submission_reopen(*, actor, submission: Submission, reason: str) -> Submission:
    """Unlock approved data for correction; the reason is recorded. The round's
    snapshot keeps the figures as they were."""
    reason = _require_reason(reason)
    submission = _lock_submission(submission)
    after = _authorise(actor, submission, Action.REOPEN)
    before = submission.status
    submission.status = after
    submission.comment = reason
    _save(submission, actor, "status", "comment")
    DataValue.objects.filter(submission=submission).delete()
    _record(actor, submission, Action.REOPEN, before, reason)
    notify(
        liaisons_of([submission.unit_id]).get(submission.unit_id, []),
        kind="dispatch_returned",
        title=_("Reopened for correction: %(round)s") % {"round": submission.round.title},
        body=reason,
        url=submission_url(submission),
    )
    return submission


def submission_act(*, actor, submission: Submission, action: str, comment: str = "") -> Submission:
    """The office's decisions, by name (for views and the API)."""
    if action == Action.APPROVE:
        return submission_approve(actor=actor, submission=submission, comment=comment)
    if action == Action.RETURN:
        return submission_return(actor=actor, submission=submission, comment=comment)
    if action == Action.REOPEN:
        return submission_reopen(actor=actor, submission=submission, reason=comment)
    raise ValidationError(_("Unknown action."), code="unknown_action")
