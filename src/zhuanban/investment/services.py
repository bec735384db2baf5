"""Every change to the investment pipeline: transactional, checked against the lifecycle
tables and the scoping rules, every problem reported at once and nothing half-saved,
written to the project's timeline and the audit trail, and told to whoever must act."""

import datetime
import itertools
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import DecimalValidator
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.errors import FieldErrors, check_version
from zhuanban.core.files import check_upload, record_refusal, store_upload
from zhuanban.core.models import AuditAction
from zhuanban.core.notify import notify
from zhuanban.investment import scoping
from zhuanban.investment.lifecycle import (
    DATE_FIELDS,
    DEFAULT_CLOCKS,
    MOVERS,
    PIPELINE,
    REASON_REQUIRED,
    SIGNED_OR_LATER,
    UPWARD_REASON_REQUIRED,
    UPWARD_TRANSITIONS,
    Move,
    Party,
    Stage,
    UpwardAction,
    move_of,
)
from zhuanban.investment.models import (
    Activity,
    EventKind,
    ProgressReport,
    Project,
    ProjectEvent,
    StageClock,
    UpwardApplication,
    UpwardKind,
    clocks_by_stage,
)
from zhuanban.org.models import Chain, OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.selectors import office_staff_users, people_acting_for_units
from zhuanban.supervision.documents import DOCUMENT_LANGUAGE
from zhuanban.supervision.models import IssuingAuthority, NoticeKind, ReasonKind
from zhuanban.supervision.notice_services import notice_create, notice_reason_save
from zhuanban.tasks.models import Light

# Types core.files checks by content (a .doc it does not know, so it is not offered).
EVIDENCE_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx"}
# What a money field holds (万元, two decimals): larger or finer amounts are refused by
# field rather than failing in the database.
MONEY_DIGITS = DecimalValidator(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")
# What a project record holds besides its stage (the fields `project_update` edits).
PROJECT_FIELDS = (
    "name",
    "year",
    "chain",
    "county",
    "investor",
    "investor_origin",
    "planned_investment",
    "is_key",
    "leader",
    "responsible_unit",
    "content",
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _require(actor, project: Project, allowed: Iterable[str]) -> set[str]:
    """PermissionDenied unless the actor is one of the allowed parties (actor None is the
    system itself: the demo loader)."""
    if actor is None:
        return set(allowed)
    found = scoping.parties(actor, project) & set(allowed)
    if not found:
        raise PermissionDenied
    return found


def _require_office(actor) -> None:
    if actor is not None and not scoping.is_investment_staff(actor):
        raise PermissionDenied


def _require_enters_county(actor, county: OrgUnit | None) -> None:
    """The office enters anything; a county liaison only its own county's records."""
    if actor is None:
        return
    allowed = scoping.counties_entered_by(actor)
    if allowed is None:
        return
    if not allowed or (county is not None and county.pk not in allowed):
        raise PermissionDenied


def _event(actor, project: Project, kind: str, on: datetime.date, **fields) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, kind=kind, on=on, actor=actor, **fields)


def _store_evidence(actor, uploads: Iterable[UploadedFile]) -> list:
    return [store_upload(upload, user=actor, allowed=EVIDENCE_TYPES) for upload in uploads]


def _tell(recipients, actor, kind: str, title: str, url: str, body: str = "") -> None:
    notify(
        [u for u in recipients if actor is None or u.pk != actor.pk],
        kind=f"investment_{kind}",
        title=title,
        body=body,
        url=url,
    )


def _office_staff() -> list:
    office_id = scoping.investment_office_id()
    return office_staff_users(office_id) if office_id else []


def _project_people(project: Project) -> list:
    """Who works a project on the ground: the county, the responsible unit and leader."""
    units = [project.county_id] + (
        [project.responsible_unit_id] if project.responsible_unit_id else []
    )
    people = people_acting_for_units(units)
    if project.leader is not None and project.leader not in people:
        people.append(project.leader)
    return people


def _money_problem(errors: FieldErrors, field: str, value, *, required: bool) -> None:
    if value is None:
        if required:
            errors.add(field, _("Enter the amount in 10,000 yuan (万元)."), "required")
    elif value < 0:
        errors.add(field, _("An amount is never negative."), "negative")
    else:
        try:
            MONEY_DIGITS(value if isinstance(value, Decimal) else Decimal(str(value)))
        except ValidationError as error:
            for message in error.messages:
                errors.add(field, message, error.code or "digits")


def _cents(value):
    """An amount as the database gives it back (two decimals), so that the audit trail's
    before and after compare equal when nothing changed. Checked by `_money_problem`
    first: no rounding happens here."""
    return value.quantize(CENT) if isinstance(value, Decimal) else value


def _model_problems(errors: FieldErrors, instance, exclude) -> None:
    """The model's own field checks (lengths, choices) on the fields not reported yet, so
    nothing too long reaches the database and no field gets two messages."""
    found = FieldErrors()
    found.full_clean(instance, exclude=[*exclude, *errors.by_field])
    for field, problems in found.by_field.items():
        errors.by_field.setdefault(field, []).extend(problems)


def _future_problem(errors: FieldErrors, field: str, value, today: datetime.date) -> None:
    if value is not None and value > today:
        errors.add(
            field,
            _("%(date)s is in the future: record what has happened.") % {"date": value.isoformat()},
            "future",
        )


def _order_problems(errors: FieldErrors, project: Project) -> None:
    """Each stage's date is on or after the dates of the stages before it: a project is
    not signed before its negotiations began."""
    reached = [
        (stage, project.date_of(stage)) for stage in PIPELINE if project.date_of(stage) is not None
    ]
    pairs = list(itertools.pairwise(reached))
    if project.dropped_on is not None and reached:
        # Dropped after the last stage it reached, not before.
        pairs.append((max(reached, key=lambda r: r[1]), (Stage.DROPPED, project.dropped_on)))
    for (earlier, earlier_on), (later, later_on) in pairs:
        if later_on < earlier_on:
            errors.add(
                DATE_FIELDS[later],
                _("%(later)s on %(later_on)s cannot come before %(earlier)s on %(earlier_on)s.")
                % {
                    "later": Stage(later).label,
                    "later_on": later_on.isoformat(),
                    "earlier": Stage(earlier).label,
                    "earlier_on": earlier_on.isoformat(),
                },
                "date_order",
            )


def _project_problems(project: Project, errors: FieldErrors, today: datetime.date) -> None:
    if not (project.name or "").strip():
        errors.add("name", _("Enter the project's name."), "required")
    if project.chain_id is None:
        errors.add("chain", _("Choose the industry chain the project belongs to."), "required")
    if project.county_id is None:
        errors.add("county", _("Choose the county where the project is built."), "required")
    elif project.county.kind != UnitKind.COUNTY:
        errors.add("county", _("Choose a county, banner, city or district."), "not_county")
    _money_problem(errors, "planned_investment", project.planned_investment, required=True)
    if project.year is None or not 2000 <= project.year <= today.year + 1:
        errors.add("year", _("Enter the project's year (2000 to next year)."), "year")
    for field in DATE_FIELDS.values():
        _future_problem(errors, field, getattr(project, field), today)
    _order_problems(errors, project)
    if (
        project.county_id is not None
        and project.year is not None
        and Project.objects.filter(
            year=project.year, county_id=project.county_id, name=project.name
        )
        .exclude(pk=project.pk)
        .exists()
    ):
        errors.add(
            "name",
            _("%(county)s already has a project of this name in %(year)s.")
            % {"county": project.county.name, "year": project.year},
            "duplicate",
        )
    _model_problems(
        errors, project, exclude=["chain", "county", "leader", "responsible_unit", "created_by"]
    )


# --- projects ------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor,
    name: str,
    year: int | None,
    chain: Chain | None,
    county: OrgUnit | None,
    planned_investment: Decimal | None,
    stage: str = Stage.PLANNED,
    stage_on: datetime.date | None = None,
    investor: str = "",
    investor_origin: str = "",
    is_key: bool = False,
    leader=None,
    responsible_unit: OrgUnit | None = None,
    content: str = "",
    today: datetime.date | None = None,
) -> Project:
    """A project entered at the stage it has reached (a county often hears of a project
    at its signing). Every problem is reported at once; nothing is saved unless all is
    well."""
    today = _today(today)
    _require_enters_county(actor, county)
    errors = FieldErrors()
    stage_on = stage_on or today
    if stage not in PIPELINE:
        errors.add("stage", _("A project is entered at a stage of the pipeline."), "stage")
        stage = Stage.PLANNED
    project = Project(
        name=(name or "").strip(),
        year=year,
        chain=chain,
        county=county,
        planned_investment=planned_investment,
        investor=(investor or "").strip(),
        investor_origin=(investor_origin or "").strip(),
        is_key=is_key,
        leader=leader,
        responsible_unit=responsible_unit,
        content=(content or "").strip(),
        stage=stage,
        stage_since=stage_on,
        last_report_on=stage_on,
        created_by=actor,
    )
    setattr(project, DATE_FIELDS[stage], stage_on)
    _project_problems(project, errors, today)
    # The date was given as `stage_on`: its problems are reported there.
    if DATE_FIELDS[stage] in errors.by_field:
        errors.by_field.setdefault("stage_on", []).extend(errors.by_field.pop(DATE_FIELDS[stage]))
    errors.raise_if_any()
    project.planned_investment = _cents(project.planned_investment)
    project.save()
    _event(actor, project, EventKind.CREATED, stage_on, to_stage=stage)
    audit.record_change(actor=actor, instance=project, before=None)
    return project


@transaction.atomic
def project_update(
    *,
    actor,
    project: Project,
    expected_version: int | None = None,
    today: datetime.date | None = None,
    **changes,
) -> Project:
    """Edit the record (`PROJECT_FIELDS`) and correct the dates of the stages reached; the
    stage itself moves only through `project_move`."""
    today = _today(today)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require(actor, project, {Party.OFFICE, Party.COUNTY})
    check_version(project, expected_version)
    unknown = set(changes) - set(PROJECT_FIELDS) - set(DATE_FIELDS.values())
    if unknown:
        raise TypeError(f"project_update() cannot change {sorted(unknown)}")
    if "county" in changes:
        _require_enters_county(actor, changes["county"])
    before = audit.snapshot(project)
    # The clock started on the present stage's date unless the project came back to it later.
    clock_from_date = project.date_of(project.stage) == project.stage_since
    errors = FieldErrors()
    for field, value in changes.items():
        if field in DATE_FIELDS.values():
            stage = next(s for s, f in DATE_FIELDS.items() if f == field)
            if stage not in _reached(project) and value is not None:
                errors.add(
                    field,
                    _("The project has not reached %(stage)s.") % {"stage": Stage(stage).label},
                    "not_reached",
                )
                continue
            if stage in _reached(project) and value is None and stage == project.stage:
                errors.add(field, _("The present stage keeps its date."), "required")
                continue
        if isinstance(value, str):
            value = value.strip()
        setattr(project, field, value)
    _project_problems(project, errors, today)
    errors.raise_if_any()
    present = project.date_of(project.stage)
    if present is not None and (clock_from_date or present > project.stage_since):
        project.stage_since = present
    # A stage change counts as a report: the report clock never starts before it.
    project.last_report_on = max(project.last_report_on, project.stage_since)
    project.planned_investment = _cents(project.planned_investment)
    project.version += 1
    project.save()
    _event(actor, project, EventKind.EDITED, today, text=", ".join(sorted(changes)))
    audit.record_change(actor=actor, instance=project, before=before)
    return project


def _reached(project: Project) -> set[str]:
    """The stages whose date the project holds: the pipeline up to its stage (or, once
    dropped, up to where it was), and DROPPED while dropped."""
    reached = {stage for stage in DATE_FIELDS if project.date_of(stage) is not None}
    reached.add(project.stage)
    # The stages it went past count too (a project first heard of at its signing may
    # have the day its negotiations began filled in afterwards).
    furthest = max((PIPELINE.index(s) for s in reached if s in PIPELINE), default=-1)
    reached.update(PIPELINE[: furthest + 1])
    return reached


@transaction.atomic
def project_move(
    *,
    actor,
    project: Project,
    to_stage: str,
    on: datetime.date | None,
    reason: str = "",
    evidence: Iterable[UploadedFile] = (),
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Project:
    """Move a project to another stage on a day, with its evidence (the signed agreement,
    the land certificate …). Backwards, dropping and taking up again need a reason."""
    today = _today(today)
    project = Project.objects.select_for_update().select_related("county").get(pk=project.pk)
    _require(actor, project, MOVERS)
    check_version(project, expected_version)
    evidence = list(evidence)
    reason = (reason or "").strip()
    errors = FieldErrors()
    move = move_of(project.stage, to_stage)
    if move is None:
        errors.add(
            "to_stage",
            _("The project is already at %(stage)s.") % {"stage": project.get_stage_display()}
            if to_stage == project.stage
            else _("Choose a stage."),
            "stage",
        )
    elif move in REASON_REQUIRED and not reason:
        errors.add(
            "reason",
            {
                Move.BACK: _("Say why the project goes back to an earlier stage."),
                Move.DROP: _("Say why the project is dropped."),
                Move.RESUME: _("Say why the project is taken up again."),
            }[move],
            "reason_required",
        )
    if on is None:
        errors.add("on", _("Enter the date of the change."), "required")
    else:
        _future_problem(errors, "on", on, today)
        if on < project.stage_since:
            errors.add(
                "on",
                _(
                    "The project has been at %(stage)s since %(since)s: the change cannot "
                    "be earlier."
                )
                % {"stage": project.get_stage_display(), "since": project.stage_since.isoformat()},
                "before_stage",
            )
        if move == Move.FORWARD:
            earlier = [
                (stage, project.date_of(stage))
                for stage in PIPELINE[: PIPELINE.index(to_stage)]
                if project.date_of(stage) is not None and project.date_of(stage) > on
            ]
            for stage, stage_on in earlier:
                errors.add(
                    "on",
                    _("%(later)s on %(later_on)s cannot come before %(earlier)s on %(earlier_on)s.")
                    % {
                        "later": Stage(to_stage).label,
                        "later_on": on.isoformat(),
                        "earlier": Stage(stage).label,
                        "earlier_on": stage_on.isoformat(),
                    },
                    "date_order",
                )
    # A stage is reached when the move gives it its date: forward, or back or taken up
    # again at a stage the project had skipped.
    reaches = move == Move.FORWARD or (
        move in (Move.BACK, Move.RESUME) and project.date_of(to_stage) is None
    )
    if reaches and not evidence:
        clock = StageClock.objects.filter(stage=to_stage, evidence_required=True).first()
        if clock is not None:
            errors.add(
                "evidence",
                _("Reaching %(stage)s needs its evidence (e.g. the signed agreement).")
                % {"stage": Stage(to_stage).label},
                "evidence_required",
            )
    # Every file checked before anything is written: one bad file, nothing stored.
    for upload in evidence:
        try:
            check_upload(upload, allowed=EVIDENCE_TYPES)
        except ValidationError as error:
            record_refusal(upload, user=actor, error=error)
            errors.add(
                "evidence", f"{upload.name}: {' '.join(error.messages)}", error.code or "upload"
            )
    errors.raise_if_any()

    before = audit.snapshot(project)
    from_stage = project.stage
    if move == Move.DROP:
        project.dropped_on = on
        project.drop_reason = reason
    else:
        if move in (Move.BACK, Move.RESUME):
            # The later stages' dates are kept on the timeline, not on the record.
            for stage in PIPELINE[PIPELINE.index(to_stage) + 1 :]:
                setattr(project, DATE_FIELDS[stage], None)
            project.dropped_on = None
            project.drop_reason = ""
        if project.date_of(to_stage) is None or move == Move.FORWARD:
            setattr(project, DATE_FIELDS[to_stage], on)
    project.stage = to_stage
    project.stage_since = on
    project.last_report_on = max(project.last_report_on, on)
    project.version += 1
    project.save()
    event = _event(
        actor, project, EventKind.STAGE, on, from_stage=from_stage, to_stage=to_stage, text=reason
    )
    if evidence:
        event.evidence.set(_store_evidence(actor, evidence))
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=project,
        before=before,
        after=audit.snapshot(project),
        message=f"stage {from_stage} → {to_stage}",
    )
    title = _("%(project)s: %(from)s → %(to)s") % {
        "project": project.name,
        "from": Stage(from_stage).label,
        "to": Stage(to_stage).label,
    }
    _tell(
        _office_staff() + _project_people(project),
        actor,
        "stage",
        title,
        project.get_absolute_url(),
        reason,
    )
    return project


@transaction.atomic
def project_report(
    *,
    actor,
    project: Project,
    on: datetime.date | None,
    text: str,
    received: Decimal | None = None,
    today: datetime.date | None = None,
) -> ProgressReport:
    """A progress report with the funds that arrived since the last one (万元). The funds
    in place never exceed the planned investment."""
    today = _today(today)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require(actor, project, MOVERS)
    text = (text or "").strip()
    received = Decimal(0) if received is None else received
    errors = FieldErrors()
    if not text:
        errors.add("text", _("Say how the project is progressing."), "required")
    if on is None:
        errors.add("on", _("Enter the date of the report."), "required")
    else:
        _future_problem(errors, "on", on, today)
    _money_problem(errors, "received", received, required=False)
    if received > 0:
        # The day it was signed (or, if the signing was skipped, reached a later stage);
        # kept when the project was dropped after it.
        signed_on = min(
            (d for d in map(project.date_of, SIGNED_OR_LATER) if d is not None), default=None
        )
        if signed_on is None or (
            project.stage not in SIGNED_OR_LATER and project.stage != Stage.DROPPED
        ):
            errors.add(
                "received",
                _("Funds arrive once the project is signed; it is at %(stage)s.")
                % {"stage": project.get_stage_display()},
                "not_signed",
            )
        elif on is not None and on < signed_on:
            errors.add(
                "received",
                _(
                    "Funds arrive once the project is signed (on %(date)s); this report is "
                    "dated earlier."
                )
                % {"date": signed_on.isoformat()},
                "before_signing",
            )
        in_place = project.reports.aggregate(total=Sum("received"))["total"] or Decimal(0)
        if in_place + received > project.planned_investment:
            errors.add(
                "received",
                _(
                    "The funds in place would be %(total)s 万元, more than the planned "
                    "investment of %(planned)s 万元."
                )
                % {"total": in_place + received, "planned": project.planned_investment},
                "over_planned",
            )
    errors.raise_if_any()
    report = ProgressReport.objects.create(
        project=project, reported_on=on, text=text, received=_cents(received), reported_by=actor
    )
    if on > project.last_report_on:
        project.last_report_on = on
        project.save(update_fields=["last_report_on"])
    _event(actor, project, EventKind.REPORT, on, text=text)
    audit.record_change(actor=actor, instance=report, before=None)
    return report


@transaction.atomic
def project_urge(*, actor, project: Project, text: str, today: datetime.date | None = None) -> None:
    """催办: the office or a leader presses the county and the responsible unit."""
    today = _today(today)
    _require(actor, project, {Party.OFFICE, Party.LEADER})
    text = (text or "").strip()
    errors = FieldErrors()
    if not text:
        errors.add("text", _("Write what is expected, and by when."), "required")
    if project.stage in (Stage.PRODUCING, Stage.DROPPED):
        errors.add(
            None,
            _("A project at %(stage)s is not urged.") % {"stage": project.get_stage_display()},
            "ended",
        )
    errors.raise_if_any()
    _event(actor, project, EventKind.URGE, today, text=text)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=project,
        after={"urge": text},
        message="project urged",
    )
    title = _("Urged: %(project)s") % {"project": project.name}
    _tell(_project_people(project), actor, "urge", title, project.get_absolute_url(), text)


def stalled_text(project: Project, clock: StageClock, today: datetime.date) -> str:
    """One sentence on a stalled project, as an official writes it (in the notice's
    language, whatever the drafter reads the site in)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _(
            "%(project)s (%(investor)s, planned investment %(planned)s 万元) has been at "
            "%(stage)s since %(since)s, %(days)s days, beyond the %(limit)s-day limit."
        ) % {
            "project": project.name,
            "investor": project.investor or "—",
            "planned": project.planned_investment,
            "stage": project.get_stage_display(),
            "since": _day(project.stage_since),
            "days": (today - project.stage_since).days,
            "limit": clock.limit_days,
        }


@transaction.atomic
def projects_to_notice(*, actor, projects: Iterable[Project], today: datetime.date | None = None):
    """Put red projects into a draft supervision notice of the investment office,
    addressed to their counties, one reason per project; the office then edits and
    issues it through the supervision workflow."""
    today = _today(today)
    _require_office(actor)
    clocks = clocks_by_stage()
    projects = list(
        Project.objects.filter(pk__in=[p.pk for p in projects])
        .select_related("county")
        .order_by("county__sort_order", "county__code", "name", "pk")
    )
    errors = FieldErrors()
    if not projects:
        errors.add("projects", _("Choose at least one stalled project."), "required")
    not_red = [p.name for p in projects if p.light_on(today, clocks) != Light.RED]
    if not_red:
        errors.add(
            "projects",
            _("Only projects past their stage's time limit go into a notice: %(names)s.")
            % {"names": "、".join(not_red)},
            "not_red",
        )
    authority = IssuingAuthority.objects.filter(active=True).order_by("pk").first()
    office_id = scoping.investment_office_id()
    if authority is None or office_id is None:
        errors.add(None, _("No issuing authority is in use for supervision notices."), "authority")
    errors.raise_if_any()
    counties = list({p.county_id: p.county for p in projects}.values())
    with translation.override(DOCUMENT_LANGUAGE):
        title = _("Supervision notice on investment projects behind their time limits")
        opening = _(
            "The following investment projects have stayed in their stage beyond the service "
            "time limit. The counties concerned are asked to find the causes and report."
        )
        requirements = [
            _("Find the cause of each delay and name who resolves it, and by when."),
            _("Report the progress of each project in the platform within the deadline."),
        ]
    notice = notice_create(
        actor=actor,
        office=OrgUnit.objects.get(pk=office_id),
        authority=authority,
        kind=NoticeKind.SUPERVISION,
        title=title,
        addressees="、".join(c.name for c in counties),
        units=counties,
        opening=opening,
        requirements=requirements,
        reply_deadline=today + datetime.timedelta(days=15),
        today=today,
    )
    for project in projects:
        notice_reason_save(
            actor=actor,
            notice=notice,
            unit=project.county,
            kind=ReasonKind.OTHER,
            text=stalled_text(project, clocks[project.stage], today),
        )
        _event(actor, project, EventKind.NOTICE, today, notice=notice)
    return notice


# --- stage clocks ----------------------------------------------------------------------


@transaction.atomic
def clocks_ensure(*, actor=None) -> list[StageClock]:
    """Create the default clock of every live stage that has none (a database emptied by
    `flush`, say), so that no stage silently loses its clock; existing clocks are kept."""
    existing = set(StageClock.objects.values_list("stage", flat=True))
    created = []
    for stage, (limit, warn, report, evidence) in DEFAULT_CLOCKS.items():
        if stage in existing:
            continue
        clock = StageClock.objects.create(
            stage=stage,
            limit_days=limit,
            warn_days=warn,
            report_days=report,
            evidence_required=evidence,
            updated_by=actor,
        )
        audit.record_change(actor=actor, instance=clock, before=None)
        created.append(clock)
    return created


@transaction.atomic
def clock_save(
    *,
    actor,
    stage: str,
    limit_days: int | None,
    warn_days: int | None = 0,
    report_days: int | None = None,
    evidence_required: bool = False,
    commitment: str = "",
    expected_version: int | None = None,
) -> StageClock:
    _require_office(actor)
    clock = StageClock.objects.select_for_update().filter(stage=stage).first()
    if clock is not None:
        check_version(clock, expected_version)
        before = audit.snapshot(clock)
    else:
        clock, before = StageClock(stage=stage), None
    errors = FieldErrors()
    if limit_days is None or limit_days < 1:
        errors.add("limit_days", _("The time limit is at least one day."), "limit")
    warn_days = warn_days or 0
    # Compared with the limit only when the limit itself is right (one error per mistake).
    limit_ok = limit_days is not None and limit_days >= 1
    if warn_days < 0 or (limit_ok and warn_days >= limit_days):
        errors.add(
            "warn_days", _("The warning comes before the limit: fewer days than it."), "warn"
        )
    if report_days is not None and report_days < 1:
        errors.add("report_days", _("Reports are due at least one day apart."), "report")
    clock.limit_days = limit_days
    clock.warn_days = warn_days
    clock.report_days = report_days
    clock.evidence_required = evidence_required
    clock.commitment = (commitment or "").strip()
    clock.updated_by = actor
    clock.updated_at = timezone.now()
    # The model's own checks on the rest: a stage with a clock (not an end, not unknown),
    # the commitment's length. The day counts are checked above, with clearer words.
    errors.full_clean(clock, exclude=["limit_days", "warn_days", "report_days", "updated_by"])
    errors.raise_if_any()
    if before is not None:
        clock.version += 1
    clock.save()
    audit.record_change(actor=actor, instance=clock, before=before)
    return clock


# --- activities ----------------------------------------------------------------------


ACTIVITY_FIELDS = (
    "kind",
    "title",
    "date",
    "place",
    "organiser",
    "county",
    "leader",
    "participants",
    "summary",
)


@transaction.atomic
def activity_save(
    *,
    actor,
    activity: Activity | None = None,
    projects: Iterable[Project] = (),
    expected_version: int | None = None,
    today: datetime.date | None = None,
    **fields,
) -> Activity:
    """Record a promotion activity (or correct it) with the projects it produced."""
    today = _today(today)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"activity_save() cannot set {sorted(unknown)}")
    if activity is None:
        activity, before = Activity(created_by=actor), None
    else:
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        check_version(activity, expected_version)
        before = audit.snapshot(activity) | {
            "projects": sorted(activity.projects.values_list("pk", flat=True))
        }
        _require_enters_county(actor, activity.county)
        if activity.county is None:
            _require_office(actor)
    for field, value in fields.items():
        setattr(activity, field, value.strip() if isinstance(value, str) else value)
    _require_enters_county(actor, activity.county if activity.county_id else None)
    if activity.county_id is None:
        _require_office(actor)
    projects = list(projects)
    errors = FieldErrors()
    if activity.organiser_id is None:
        errors.add("organiser", _("Choose the unit that organised the activity."), "required")
    _future_problem(errors, "date", activity.date, today)
    if activity.county_id is not None and activity.county.kind != UnitKind.COUNTY:
        errors.add("county", _("Choose a county, banner, city or district."), "not_county")
    # The model's checks on the rest (one message per field: a unit that is not a county
    # is told once, in the words above, not again as an invalid choice).
    _model_problems(errors, activity, exclude=["created_by"])
    project_ids = {p.pk for p in projects}
    linked = set(before["projects"]) if before is not None else set()
    if actor is not None and (project_ids or linked):
        seen = set(
            scoping.visible_projects(actor)
            .filter(pk__in=project_ids | linked)
            .values_list("pk", flat=True)
        )
        # A project the actor cannot see is never added by them; one already linked
        # stays linked (they cannot see it, so they cannot have meant to take it off).
        if project_ids - seen - linked:
            raise PermissionDenied
        project_ids |= linked - seen
    errors.raise_if_any()
    if before is not None:
        activity.version += 1
    activity.save()
    activity.projects.set(project_ids)
    after = audit.snapshot(activity) | {"projects": sorted(project_ids)}
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=activity,
        before=before,
        after=after,
    )
    return activity


# --- upward applications ----------------------------------------------------------------


UPWARD_FIELDS = (
    "title",
    "kind",
    "authority",
    "chain",
    "office",
    "year",
    "led_by",
    "amount_requested",
    "progress",
)


def _require_keeps_upward(
    actor, application: UpwardApplication | None, office: OrgUnit | None
) -> None:
    if actor is None:
        return
    if not scoping.may_keep_upward(actor, application):
        raise PermissionDenied
    if office is not None and not scoping.may_keep_upward(actor, UpwardApplication(office=office)):
        raise PermissionDenied


@transaction.atomic
def upward_save(
    *,
    actor,
    application: UpwardApplication | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
    **fields,
) -> UpwardApplication:
    today = _today(today)
    unknown = set(fields) - set(UPWARD_FIELDS)
    if unknown:
        raise TypeError(f"upward_save() cannot set {sorted(unknown)}")
    if application is None:
        application, before = UpwardApplication(created_by=actor), None
    else:
        application = UpwardApplication.objects.select_for_update().get(pk=application.pk)
        _require_keeps_upward(actor, application, None)
        check_version(application, expected_version)
        before = audit.snapshot(application)
    for field, value in fields.items():
        setattr(application, field, value.strip() if isinstance(value, str) else value)
    _require_keeps_upward(actor, None, application.office if application.office_id else None)
    errors = FieldErrors()
    if application.chain_id is None:
        errors.add("chain", _("Choose the industry chain the support is for."), "required")
    _money_problem(errors, "amount_requested", application.amount_requested, required=False)
    if application.year is not None and not 2000 <= application.year <= today.year + 1:
        errors.add("year", _("Enter the year (2000 to next year)."), "year")
    # The model's checks on the other fields (a negative amount is told once, above).
    _model_problems(errors, application, exclude=["created_by"])
    errors.raise_if_any()
    application.amount_requested = _cents(application.amount_requested)
    if before is not None:
        application.version += 1
    application.save()
    audit.record_change(actor=actor, instance=application, before=before)
    return application


@transaction.atomic
def upward_act(
    *,
    actor,
    application: UpwardApplication,
    action: str,
    on: datetime.date | None,
    granted: Decimal | None = None,
    reason: str = "",
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> UpwardApplication:
    """Record what happened: submitted on a day; approved with the amount granted (万元);
    not approved, or back to preparing, with a reason."""
    today = _today(today)
    application = UpwardApplication.objects.select_for_update().get(pk=application.pk)
    _require_keeps_upward(actor, application, None)
    check_version(application, expected_version)
    reason = (reason or "").strip()
    errors = FieldErrors()
    target = UPWARD_TRANSITIONS.get((application.status, action))
    if target is None:
        raise ValidationError(
            _("This cannot be done to an application that is %(status)s.")
            % {"status": application.get_status_display()},
            code="transition",
        )
    if on is None:
        errors.add("on", _("Enter the date."), "required")
    else:
        _future_problem(errors, "on", on, today)
        if (
            application.submitted_on
            and action != UpwardAction.SUBMIT
            and on < application.submitted_on
        ):
            errors.add(
                "on",
                _("The decision cannot come before the submission on %(date)s.")
                % {"date": application.submitted_on.isoformat()},
                "before_submission",
            )
    if action in UPWARD_REASON_REQUIRED and not reason:
        errors.add("reason", _("Give the reason."), "reason_required")
    if action == UpwardAction.APPROVE:
        policy = application.kind == UpwardKind.POLICY
        _money_problem(errors, "granted", granted, required=not policy)
    errors.raise_if_any()
    before = audit.snapshot(application)
    application.status = target
    if action == UpwardAction.SUBMIT:
        application.submitted_on = on
    elif action == UpwardAction.REOPEN:
        application.submitted_on = None
    else:
        application.decided_on = on
    if action == UpwardAction.APPROVE:
        application.amount_granted = _cents(granted)
    if reason:
        application.reason = reason
    application.version += 1
    application.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=application,
        before=before,
        after=audit.snapshot(application),
        message=f"upward {action}",
    )
    return application
