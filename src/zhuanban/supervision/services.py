"""Every change to inspection groups, visits and findings (notices: notice_services.py).

One function per use case, keyword-only, transactional, permission-checked, written to
the audit trail. Errors a user can fix come back as one ValidationError by field, all
of them at once, and nothing is saved.

Uploads are checked (type by content, size) before any transaction starts: a refused
file is recorded in the audit trail as refused, and nothing of the request is stored.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.errors import ConcurrentEditError, FieldErrors
from zhuanban.core.files import check_upload, record_refusal, store_upload
from zhuanban.core.models import AuditAction, StoredFile
from zhuanban.core.notify import notify
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.rectification.lifecycle import Status as RectificationStatus
from zhuanban.rectification.models import Rectification, SourceKind
from zhuanban.rectification.services import rectification_raise
from zhuanban.supervision import scoping, selectors
from zhuanban.supervision.models import (
    Finding,
    FindingKind,
    InspectionGroup,
    Visit,
    VisitStatus,
)
from zhuanban.tasks.models import Task, TaskList

IMAGE_TYPES = frozenset({".jpg", ".jpeg", ".png"})
REPORT_TYPES = frozenset({".docx", ".pdf"})

GROUP_FIELDS = ("name", "year", "office", "leader", "topics", "starts_on", "ends_on")
VISIT_FIELDS = (
    "group",
    "kind",
    "date",
    "place",
    "county",
    "other_participants",
    "topics",
    "summary",
)


def _names(items) -> str:
    return "、".join(str(item.get_full_name() or item.get_username()) for item in items)


def _ids(items) -> list[int]:
    return sorted(item.pk for item in items)


def _check_staff(problems: FieldErrors, field: str, people: list) -> None:
    eligible = set(
        selectors.bureau_people().filter(pk__in=_ids(people)).values_list("pk", flat=True)
    )
    outsiders = [p for p in people if p.pk not in eligible]
    if outsiders:
        problems.add(
            field,
            _("Not active staff of the bureau: %(names)s.") % {"names": _names(outsiders)},
            "not_staff",
        )


# --- uploads ---------------------------------------------------------------------------


def _check_uploads(
    problems: FieldErrors, field: str, uploads: list[UploadedFile], allowed: frozenset[str]
) -> list[tuple[UploadedFile, ValidationError]]:
    """Check every upload without storing anything; returns the refused ones."""
    refused = []
    for upload in uploads:
        try:
            check_upload(upload, allowed=set(allowed))
        except ValidationError as error:
            refused.append((upload, error))
            for message in error.messages:
                if upload.name and upload.name not in message:
                    message = _("%(file)s: %(problem)s") % {"file": upload.name, "problem": message}
                problems.add(field, message, error.code or "upload")
    return refused


def _refuse(actor, problems: FieldErrors, refused) -> None:
    """Raise the problems; the refused uploads stay in the audit trail even though the
    request saves nothing."""
    if problems:
        for upload, error in refused:
            record_refusal(upload, user=actor, error=error)
        problems.raise_if_any()


def _store(actor, uploads: list[UploadedFile], allowed: frozenset[str]) -> list[StoredFile]:
    return [store_upload(upload, user=actor, allowed=set(allowed)) for upload in uploads]


# --- inspection groups -----------------------------------------------------------------


def _check_group(
    problems: FieldErrors,
    group: InspectionGroup,
    members: list,
    counties: list[OrgUnit],
) -> None:
    problems.full_clean(group)
    if group.office_id and group.office.kind != UnitKind.OFFICE:
        problems.add("office", _("Choose the special office that organises the group."), "office")
    if group.leader_id and not selectors.group_leaders().filter(pk=group.leader_id).exists():
        problems.add(
            "leader",
            _("%(name)s is not a bureau leader: the group is led by one.")
            % {"name": _names([group.leader])},
            "not_leader",
        )
    _check_staff(problems, "members", members)
    if not counties:
        problems.add("counties", _("Choose at least one county."), "required")
    not_counties = [c for c in counties if c.kind != UnitKind.COUNTY]
    if not_counties:
        problems.add(
            "counties",
            _("Not counties: %(names)s.") % {"names": "、".join(c.name for c in not_counties)},
            "not_county",
        )
    if group.starts_on and group.ends_on and group.ends_on < group.starts_on:
        problems.add(
            "ends_on",
            _("The period ends on %(end)s, before it starts on %(start)s.")
            % {"end": group.ends_on.isoformat(), "start": group.starts_on.isoformat()},
            "period_order",
        )
    if group.starts_on and group.year and group.starts_on.year != group.year:
        problems.add(
            "starts_on",
            _("The period of a %(year)s group starts in %(year)s.") % {"year": group.year},
            "period_year",
        )
    if (
        group.name
        and group.year
        and InspectionGroup.objects.filter(name=group.name.strip(), year=group.year)
        .exclude(pk=group.pk)
        .exists()
    ):
        problems.add(
            "name",
            _("There is already a group named %(name)s in %(year)s.")
            % {"name": group.name, "year": group.year},
            "duplicate",
        )


def _group_snapshot(group: InspectionGroup) -> dict:
    return audit.snapshot(group) | {
        "members": sorted(group.members.values_list("pk", flat=True)),
        "counties": sorted(group.counties.values_list("pk", flat=True)),
        "task_lists": sorted(group.task_lists.values_list("pk", flat=True)),
    }


def _notify_new_members(group: InspectionGroup, people: Iterable, actor) -> None:
    notify(
        [p for p in people if actor is None or p.pk != actor.pk],
        kind="inspection_group",
        title=_("You are in the inspection group %(group)s") % {"group": group.name},
        body=group.topics[:200],
        url=group.get_absolute_url(),
    )


@transaction.atomic
def group_create(
    *,
    actor,
    office: OrgUnit,
    name: str,
    year: int,
    leader,
    starts_on: datetime.date,
    ends_on: datetime.date,
    counties: Iterable[OrgUnit],
    members: Iterable = (),
    task_lists: Iterable[TaskList] = (),
    topics: str = "",
) -> InspectionGroup:
    """Set up a 督导检查组: a leader from the bureau's leaders, members from its staff,
    the counties it covers and its period."""
    group = InspectionGroup(
        office=office,
        name=(name or "").strip(),
        year=year,
        leader=leader,
        starts_on=starts_on,
        ends_on=ends_on,
        topics=(topics or "").strip(),
        created_by=actor,
    )
    if actor is not None and office is not None and not scoping.can_manage_group(actor, group):
        raise PermissionDenied
    members, counties, task_lists = list(members), list(counties), list(task_lists)
    problems = FieldErrors()
    _check_group(problems, group, members, counties)
    problems.raise_if_any()
    group.save()
    group.members.set(members)
    group.counties.set(counties)
    group.task_lists.set(task_lists)
    audit.record(
        actor=actor, action=AuditAction.CREATE, instance=group, after=_group_snapshot(group)
    )
    _notify_new_members(group, [group.leader, *members], actor)
    return group


@transaction.atomic
def group_update(
    *,
    actor,
    group: InspectionGroup,
    expected_version: int,
    members: Iterable | None = None,
    counties: Iterable[OrgUnit] | None = None,
    task_lists: Iterable[TaskList] | None = None,
    **fields,
) -> InspectionGroup:
    """Change a group's plan. Refused if someone else saved it since it was loaded."""
    stored = InspectionGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if actor is not None and not scoping.can_manage_group(actor, stored):
        raise PermissionDenied
    if stored.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this inspection group while you were editing it. "
                "Reload the page to see their changes, then make yours again."
            )
        )
    before = _group_snapshot(stored)
    old_member_ids = set(before["members"]) | {stored.leader_id}
    for name, value in fields.items():
        if name not in GROUP_FIELDS:
            raise TypeError(f"group_update() got an unexpected field {name!r}")
        setattr(stored, name, value.strip() if isinstance(value, str) else value)
    if actor is not None and not scoping.can_manage_group(actor, stored):
        raise PermissionDenied  # moving a group to an office one does not belong to
    members = list(members) if members is not None else list(stored.members.all())
    counties = list(counties) if counties is not None else list(stored.counties.all())
    problems = FieldErrors()
    _check_group(problems, stored, members, counties)
    problems.raise_if_any()
    stored.version = F("version") + 1
    stored.save()
    stored.refresh_from_db()
    stored.members.set(members)
    stored.counties.set(counties)
    if task_lists is not None:
        stored.task_lists.set(list(task_lists))
    after = _group_snapshot(stored)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, instance=stored, before=before, after=after
    )
    _notify_new_members(
        stored, [p for p in [stored.leader, *members] if p.pk not in old_member_ids], actor
    )
    return stored


# --- visits ----------------------------------------------------------------------------


def _check_visit(
    problems: FieldErrors, visit: Visit, participants: list, today: datetime.date
) -> None:
    # A missing office is reported once, by the caller, in words of its own.
    problems.full_clean(visit, exclude=["office"] if visit.office_id is None else [])
    if visit.office_id and visit.office.kind != UnitKind.OFFICE:
        problems.add("office", _("Choose the special office that organises the visit."), "office")
    if visit.date and visit.status == VisitStatus.DONE and visit.date > today:
        problems.add(
            "date",
            _(
                "A visit that was carried out cannot be dated in the future: %(date)s is "
                "after today (%(today)s). Record it as planned if it is still to come."
            )
            % {"date": visit.date.isoformat(), "today": today.isoformat()},
            "future",
        )
    if visit.county_id and visit.county.kind != UnitKind.COUNTY:
        problems.add(
            "county", _("%(name)s is not a county.") % {"name": visit.county.name}, "not_county"
        )
    group = visit.group
    if group is not None:
        if visit.date and not group.starts_on <= visit.date <= group.ends_on:
            problems.add(
                "date",
                _("The date %(date)s is outside the period of %(group)s (%(start)s to %(end)s).")
                % {
                    "date": visit.date.isoformat(),
                    "group": group.name,
                    "start": group.starts_on.isoformat(),
                    "end": group.ends_on.isoformat(),
                },
                "outside_period",
            )
        covered = list(group.counties.all())
        if visit.county_id is None or visit.county_id not in {c.pk for c in covered}:
            names = "、".join(c.name for c in covered)
            if visit.county_id is None:
                message = _("Choose the county visited, one of the group's: %(counties)s.") % {
                    "counties": names
                }
            else:
                message = _("%(county)s is not among the counties of %(group)s: %(counties)s.") % {
                    "county": visit.county.name,
                    "group": group.name,
                    "counties": names,
                }
            problems.add("county", message, "outside_group")
    _check_staff(problems, "participants", participants)


def _visit_snapshot(visit: Visit) -> dict:
    return audit.snapshot(visit) | {
        "participants": sorted(visit.participants.values_list("pk", flat=True)),
        "tasks": sorted(visit.tasks.values_list("pk", flat=True)),
    }


def _check_visit_version(visit: Visit, expected_version: int | None) -> None:
    if expected_version is not None and visit.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this visit while you were editing it. "
                "Reload the page to see their changes, then make yours again."
            )
        )


def _lock_visit(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("office", "county", "group")
        .get(pk=visit.pk)
    )


def _require_change(actor, visit: Visit) -> None:
    if actor is not None and not scoping.can_change_visit(actor, visit):
        raise PermissionDenied


def _require_done(visit: Visit, field: str | None = None) -> None:
    if visit.status != VisitStatus.DONE:
        raise ValidationError(
            {
                field or NON_FIELD_ERRORS: ValidationError(
                    _(
                        "This visit is still planned: record it as carried out first, "
                        "then add what was found."
                    ),
                    code="planned",
                )
            }
        )


@transaction.atomic
def visit_create(
    *,
    actor,
    kind: str,
    date: datetime.date,
    place: str,
    office: OrgUnit | None = None,
    group: InspectionGroup | None = None,
    county: OrgUnit | None = None,
    status: str = VisitStatus.DONE,
    participants: Iterable = (),
    other_participants: str = "",
    tasks: Iterable[Task] = (),
    topics: str = "",
    summary: str = "",
    today: datetime.date | None = None,
) -> Visit:
    """Plan a visit (a group's plan) or record one carried out. A group's visit belongs
    to the group's office, falls in its period and goes to one of its counties."""
    today = today or timezone.localdate()
    if group is not None:
        office = group.office
    problems = FieldErrors()
    if office is None:
        problems.add("office", _("Choose the special office that organises the visit."), "required")
    elif actor is not None and not scoping.can_record_visit(
        actor, office_id=office.pk, group=group
    ):
        raise PermissionDenied
    visit = Visit(
        group=group,
        office=office,
        kind=kind,
        status=status,
        date=date,
        place=(place or "").strip(),
        county=county,
        other_participants=(other_participants or "").strip(),
        topics=(topics or "").strip(),
        summary=(summary or "").strip(),
        created_by=actor,
    )
    participants, tasks = list(participants), list(tasks)
    _check_visit(problems, visit, participants, today)
    problems.raise_if_any()
    visit.save()
    visit.participants.set(participants)
    visit.tasks.set(tasks)
    audit.record(
        actor=actor, action=AuditAction.CREATE, instance=visit, after=_visit_snapshot(visit)
    )
    return visit


@transaction.atomic
def visit_update(
    *,
    actor,
    visit: Visit,
    expected_version: int,
    participants: Iterable | None = None,
    tasks: Iterable[Task] | None = None,
    today: datetime.date | None = None,
    **fields,
) -> Visit:
    """Edit what a visit records (not its status: see visit_mark_done)."""
    today = today or timezone.localdate()
    stored = _lock_visit(visit)
    _require_change(actor, stored)
    _check_visit_version(stored, expected_version)
    before = _visit_snapshot(stored)
    for name, value in fields.items():
        if name not in VISIT_FIELDS:
            raise TypeError(f"visit_update() got an unexpected field {name!r}")
        setattr(stored, name, value.strip() if isinstance(value, str) else value)
    if stored.group_id is not None:
        stored.office = stored.group.office
    if actor is not None and not scoping.can_record_visit(
        actor, office_id=stored.office_id, group=stored.group
    ):
        raise PermissionDenied  # moving a visit to a group or office one has no part in
    participants = (
        list(participants) if participants is not None else list(stored.participants.all())
    )
    tasks = list(tasks) if tasks is not None else list(stored.tasks.all())
    problems = FieldErrors()
    _check_visit(problems, stored, participants, today)
    problems.raise_if_any()
    stored.version = F("version") + 1
    stored.save()
    stored.refresh_from_db()
    stored.participants.set(participants)
    stored.tasks.set(tasks)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=stored,
        before=before,
        after=_visit_snapshot(stored),
    )
    return stored


@transaction.atomic
def visit_mark_done(
    *,
    actor,
    visit: Visit,
    date: datetime.date | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Visit:
    """A planned visit was carried out (on `date`, by default the planned date)."""
    today = today or timezone.localdate()
    stored = _lock_visit(visit)
    _require_change(actor, stored)
    _check_visit_version(stored, expected_version)
    if stored.status != VisitStatus.PLANNED:
        raise ValidationError(
            _("This visit is already recorded as carried out."), code="already_done"
        )
    before = audit.snapshot(stored)
    stored.status = VisitStatus.DONE
    stored.date = date or stored.date
    problems = FieldErrors()
    _check_visit(problems, stored, list(stored.participants.all()), today)
    problems.raise_if_any()
    stored.version = F("version") + 1
    stored.save(update_fields=["status", "date", "version", "updated_at"])
    stored.refresh_from_db()
    audit.record_change(actor=actor, instance=stored, before=before)
    return stored


def visit_add_photos(*, actor, visit: Visit, uploads: Iterable[UploadedFile]) -> list[StoredFile]:
    """Photos of the visit: JPEG or PNG only. One refused file refuses them all."""
    uploads = list(uploads)
    _require_change(actor, visit)
    _require_done(visit, "photos")
    problems = FieldErrors()
    if not uploads:
        problems.add("photos", _("Choose at least one photo."), "required")
    refused = _check_uploads(problems, "photos", uploads, IMAGE_TYPES)
    _refuse(actor, problems, refused)
    return _attach_photos(actor=actor, visit=visit, uploads=uploads)


@transaction.atomic
def _attach_photos(*, actor, visit: Visit, uploads: list[UploadedFile]) -> list[StoredFile]:
    stored = _lock_visit(visit)
    _require_done(stored, "photos")
    files = _store(actor, uploads, IMAGE_TYPES)
    before = sorted(stored.photos.values_list("pk", flat=True))
    stored.photos.add(*files)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=stored,
        before={"photos": before},
        after={"photos": sorted([*before, *(f.pk for f in files)])},
        message="visit photos added",
    )
    return files


def visit_report(
    *,
    actor,
    visit: Visit,
    text: str,
    upload: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Visit:
    """The research report (调研报告): written here, attached as .docx or .pdf, or both."""
    _require_change(actor, visit)
    _require_done(visit)
    problems = FieldErrors()
    text = (text or "").strip()
    if not text and upload is None and visit.report_file_id is None:
        problems.add(
            "report_text",
            _("Write the report here or attach it as a .docx or .pdf file."),
            "required",
        )
    refused = _check_uploads(problems, "report_file", [upload] if upload else [], REPORT_TYPES)
    _refuse(actor, problems, refused)
    return _save_report(
        actor=actor, visit=visit, text=text, upload=upload, expected_version=expected_version
    )


@transaction.atomic
def _save_report(*, actor, visit: Visit, text: str, upload, expected_version) -> Visit:
    stored = _lock_visit(visit)
    _check_visit_version(stored, expected_version)
    before = audit.snapshot(stored)
    if upload is not None:
        stored.report_file = _store(actor, [upload], REPORT_TYPES)[0]
    stored.report_text = text
    stored.version = F("version") + 1
    stored.save(update_fields=["report_text", "report_file", "version", "updated_at"])
    stored.refresh_from_db()
    audit.record_change(actor=actor, instance=stored, before=before)
    return stored


# --- findings --------------------------------------------------------------------------


def source_label(visit: Visit) -> str:
    """How the item's source reads in rectification lists, in the bureau's language
    whoever raised it: "督导检查 2023-05-12 卓资县"."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(visit)


def _check_rectification(
    problems: FieldErrors,
    *,
    unit: OrgUnit | None,
    requirement: str,
    due_date: datetime.date | None,
    today: datetime.date,
) -> None:
    """The same checks as rectification_raise() (same messages), made before anything is
    saved so that they come back together with the finding's own."""
    if unit is None:
        problems.add("unit", _("Choose the unit responsible for the rectification."), "required")
    if not (requirement or "").strip():
        problems.add("requirement", _("Say what must be fixed."), "required")
    if due_date is None:
        problems.add("due_date", _("Give a deadline for the rectification."), "required")
    elif due_date < today:
        problems.add(
            "due_date",
            _("The deadline %(date)s is in the past.") % {"date": due_date.isoformat()},
            "past",
        )


def _raise_item(
    *, actor, finding: Finding, visit: Visit, unit: OrgUnit, requirement: str, due_date, today
) -> Rectification:
    return rectification_raise(
        actor=actor,
        source=finding,
        source_kind=SourceKind.VISIT,
        source_label=source_label(visit),
        office=visit.office,
        unit=unit,
        problem=finding.text,
        requirement=requirement,
        due_date=due_date,
        today=today,
    )


def finding_add(
    *,
    actor,
    visit: Visit,
    kind: str,
    text: str,
    unit: OrgUnit | None = None,
    photos: Iterable[UploadedFile] = (),
    rectify: bool = False,
    requirement: str = "",
    due_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Finding:
    """A finding written on site, with photos; a problem to be fixed opens its
    rectification item in the same transaction (all or nothing)."""
    today = today or timezone.localdate()
    photos = list(photos)
    _require_change(actor, visit)
    _require_done(visit)
    finding = Finding(
        visit=visit, kind=kind, text=(text or "").strip(), unit=unit, recorded_by=actor
    )
    problems = FieldErrors()
    problems.full_clean(finding, exclude=["text"])
    if not finding.text:
        problems.add("text", _("Write what was found."), "required")
    if rectify:
        if kind != FindingKind.PROBLEM:
            problems.add("rectify", _("Only a problem is sent for rectification."), "not_a_problem")
        _check_rectification(
            problems, unit=unit, requirement=requirement, due_date=due_date, today=today
        )
    refused = _check_uploads(problems, "photos", photos, IMAGE_TYPES)
    _refuse(actor, problems, refused)
    return _save_finding(
        actor=actor,
        finding=finding,
        photos=photos,
        rectify=rectify,
        requirement=requirement,
        due_date=due_date,
        today=today,
    )


@transaction.atomic
def _save_finding(
    *, actor, finding: Finding, photos, rectify: bool, requirement: str, due_date, today
) -> Finding:
    visit = _lock_visit(finding.visit)
    _require_done(visit)  # still carried out now that it is locked
    files = _store(actor, photos, IMAGE_TYPES)
    finding.visit = visit
    finding.save()
    finding.photos.set(files)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=finding,
        after=audit.snapshot(finding) | {"photos": _ids(files)},
    )
    if rectify:
        _raise_item(
            actor=actor,
            finding=finding,
            visit=visit,
            unit=finding.unit,
            requirement=requirement,
            due_date=due_date,
            today=today,
        )
    return finding


@transaction.atomic
def finding_rectify(
    *,
    actor,
    finding: Finding,
    requirement: str,
    due_date: datetime.date | None,
    unit: OrgUnit | None = None,
    today: datetime.date | None = None,
) -> Rectification:
    """Open the rectification item of a problem recorded earlier without one."""
    today = today or timezone.localdate()
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit", "visit__office", "visit__county", "visit__group", "unit")
        .get(pk=finding.pk)
    )
    _require_change(actor, finding.visit)
    if finding.kind != FindingKind.PROBLEM:
        raise ValidationError(_("Only a problem is sent for rectification."), code="not_a_problem")
    if finding.rectifications.exclude(status=RectificationStatus.WITHDRAWN).exists():
        raise ValidationError(
            _("This finding already has a rectification item."), code="already_raised"
        )
    unit = unit or finding.unit
    problems = FieldErrors()
    _check_rectification(
        problems, unit=unit, requirement=requirement, due_date=due_date, today=today
    )
    problems.raise_if_any()
    if finding.unit_id is None:
        before = audit.snapshot(finding)
        finding.unit = unit
        finding.save(update_fields=["unit"])
        audit.record_change(actor=actor, instance=finding, before=before)
    return _raise_item(
        actor=actor,
        finding=finding,
        visit=finding.visit,
        unit=unit,
        requirement=requirement,
        due_date=due_date,
        today=today,
    )
