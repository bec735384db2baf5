"""Every change to assessment schemes, scores and evidence: one function per use case,
transactional, checking permission and state, writing the audit trail."""

import datetime
import hashlib
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from zhuanban.assessment import scoping
from zhuanban.assessment.lifecycle import (
    DESIGN_STATES,
    EVIDENCE_STATES,
    REASON_REQUIRED,
    SELF_EDITABLE,
    SELF_TRANSITIONS,
    SchemeAction,
    SchemeStatus,
    allowed_actions,
    next_state,
)
from zhuanban.assessment.models import (
    ZERO,
    Evidence,
    Item,
    Method,
    Participant,
    Scheme,
    Score,
)
from zhuanban.assessment.scoring import compute, points, totals
from zhuanban.core import audit
from zhuanban.core.errors import FieldErrors, check_version
from zhuanban.core.files import check_upload, record_refusal, store_upload
from zhuanban.core.models import AuditAction, StoredFile
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.rectification.lifecycle import LIVE_STATES
from zhuanban.rectification.models import SourceKind
from zhuanban.rectification.services import rectification_raise
from zhuanban.tasks.numbering import chinese_level
from zhuanban.tasks.scoping import visible_tasks

SCHEME_FIELDS = (
    "title",
    "year",
    "assessor",
    "basis",
    "period_start",
    "period_end",
    "self_due",
    "review_due",
    "good_from",
    "fairly_good_from",
    "average_from",
)
ITEM_FIELDS = (
    "title",
    "max_score",
    "weight",
    "method",
    "criteria",
    "evidence_required",
    "responsible_text",
    "task_list",
    "indicator",
    "template",
    "points_per_notice",
)
ASSESSABLE_KINDS = frozenset(
    {
        UnitKind.CITY,
        UnitKind.COUNTY,
        UnitKind.DEPARTMENT,
        UnitKind.SECTION,
        UnitKind.MEMBER_UNIT,
        UnitKind.OFFICE,
    }
)


def _plain(value: Decimal) -> str:
    """A decimal as people write it: 20, 12.5 (normalize() alone gives 2E+1). One typed
    as 1e999999999 stays so: normalize() would overflow, "f" would spell a billion digits."""
    if not -20 < value.adjusted() < 20:
        return str(value)
    return format(value.normalize(), "f")


def _locked(model, pk: int):
    return model.objects.select_for_update().get(pk=pk)


# --- schemes ------------------------------------------------------------------------------------


@transaction.atomic
def scheme_save(
    *,
    actor,
    data: dict,
    office: OrgUnit,
    reviewers=(),
    scheme: Scheme | None = None,
    expected_version: int | None = None,
) -> Scheme:
    """Create a scheme for `office`, or change one (details and reviewers only: the
    office is fixed once created)."""
    if scheme is None:
        if office.pk not in scope_for(actor).office_ids:
            raise PermissionDenied
        scheme = Scheme(office=office, created_by=actor)
        before = None
    else:
        scheme = _locked(Scheme, scheme.pk)
        if not scoping.can_manage(actor, scheme):
            raise PermissionDenied
        check_version(scheme, expected_version)
        if scheme.status == SchemeStatus.CLOSED:
            raise ValidationError(_("The results are confirmed: reopen the scheme to change it."))
        before = audit.snapshot(scheme)
        scheme.version += 1
    for field in SCHEME_FIELDS:
        if field in data:
            setattr(scheme, field, data[field])
    errors = FieldErrors()
    errors.full_clean(scheme)
    if scheme.period_start and scheme.period_end and scheme.period_end < scheme.period_start:
        errors.add("period_end", _("The end of the period cannot be before its start."), "order")
    bands = (scheme.good_from, scheme.fairly_good_from, scheme.average_from)
    if None not in bands and not (bands[0] > bands[1] > bands[2] >= 0):
        errors.add(
            "good_from",
            _("Grade bands must descend: good above fairly good above average, none negative."),
            "bands",
        )
    if (
        scheme.title
        and scheme.year
        and Scheme.objects.filter(year=scheme.year, title=scheme.title)
        .exclude(pk=scheme.pk)
        .exists()
    ):
        errors.add("title", _("A scheme with this title already exists for that year."), "unique")
    errors.raise_if_any()
    scheme.save()
    scheme.reviewers.set(reviewers)
    after = audit.snapshot(scheme)
    after["reviewers"] = sorted(u.pk for u in reviewers)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=scheme,
        before=before,
        after=after,
    )
    return scheme


def _require_design(scheme: Scheme) -> None:
    if scheme.status not in DESIGN_STATES:
        raise ValidationError(
            _("Items and units assessed change only while the scheme is being designed.")
        )


@transaction.atomic
def participants_set(*, actor, scheme: Scheme, units) -> list[Participant]:
    """The units assessed under `scheme` (design only): added and removed to match."""
    scheme = _locked(Scheme, scheme.pk)
    if not scoping.can_manage(actor, scheme):
        raise PermissionDenied
    _require_design(scheme)
    units = list({u.pk: u for u in units}.values())  # a unit named twice is assessed once
    wrong = [u.name for u in units if u.kind not in ASSESSABLE_KINDS]
    if wrong:
        raise ValidationError(
            {"units": _("These units cannot be assessed: %(names)s.") % {"names": "、".join(wrong)}}
        )
    if not units:
        raise ValidationError({"units": _("Choose at least one unit to assess.")})
    before = sorted(scheme.participants.values_list("unit_id", flat=True))
    wanted = {u.pk for u in units}
    scheme.participants.exclude(unit_id__in=wanted).delete()
    Participant.objects.bulk_create(
        [Participant(scheme=scheme, unit=u) for u in units if u.pk not in set(before)]
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=scheme,
        before={"units": before},
        after={"units": sorted(wanted)},
        message="units assessed",
    )
    return list(scheme.participants.select_related("unit"))


# --- items --------------------------------------------------------------------------------------


# What each automatic method needs: (form field, attribute, message).
METHOD_NEEDS = {
    Method.TASKS: (
        "task_list",
        "task_list_id",
        _lazy("Choose the task list whose tasks are counted."),
    ),
    Method.INDICATOR: (
        "indicator",
        "indicator_id",
        _lazy("Choose the indicator whose completion is scored."),
    ),
    Method.DISPATCH: (
        "template",
        "template_id",
        _lazy("Choose the statistical table whose reports are counted."),
    ),
    Method.NOTICES: (
        "points_per_notice",
        "points_per_notice",
        _lazy("Say how many points each notice deducts."),
    ),
}


def _check_item(item: Item, errors: FieldErrors, *, heading: bool) -> None:
    errors.full_clean(item, exclude=["scheme", "parent", "root", "sort_path", "number"])
    if item.parent_id is not None and item.weight is not None:
        errors.add("weight", _("Only top-level items carry a weight."), "weight_nested")
    if heading:
        return
    needed = METHOD_NEEDS.get(item.method)
    if needed and getattr(item, needed[1]) is None:
        errors.add(needed[0], str(needed[2]), "required")


def renumber(scheme: Scheme) -> None:
    """Tree paths, depths, official numbers, headings and top-level items, from the
    parents and positions (two queries)."""
    items = list(scheme.items.order_by("position", "pk"))
    children: dict[int | None, list[Item]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def walk(parent: Item | None, path: str, depth: int, root: Item | None):
        for n, item in enumerate(children.get(parent.pk if parent else None, []), start=1):
            item.position = n
            item.sort_path = f"{path}{n:04d}."
            item.depth = depth
            item.number = chinese_level(depth, n)
            item.root = root or item
            item.is_heading = bool(children.get(item.pk))
            walk(item, item.sort_path, depth + 1, item.root)

    walk(None, "", 0, None)
    # Paths are unique per scheme: clear them first so a swap never collides mid-update.
    Item.objects.filter(scheme=scheme).update(sort_path=Concat(Value("~"), F("pk")))
    Item.objects.bulk_update(
        items, ["position", "sort_path", "depth", "number", "root", "is_heading"], batch_size=500
    )


@transaction.atomic
def item_save(
    *,
    actor,
    scheme: Scheme,
    data: dict,
    responsible_units=(),
    item: Item | None = None,
    parent: Item | None = None,
) -> Item:
    """Add an item under `parent` (at the end), or change one (design only)."""
    scheme = _locked(Scheme, scheme.pk)
    if not scoping.can_manage(actor, scheme):
        raise PermissionDenied
    _require_design(scheme)
    if item is None:
        if parent is not None and parent.scheme_id != scheme.pk:
            raise ValidationError({"parent": _("The parent item belongs to another scheme.")})
        siblings = scheme.items.filter(parent=parent).count()
        item = Item(scheme=scheme, parent=parent, position=siblings + 1, sort_path="~new")
        before = None
    else:
        if item.scheme_id != scheme.pk:
            raise ValidationError(_("The item belongs to another scheme."))
        before = audit.snapshot(item)
    for field in ITEM_FIELDS:
        if field in data:
            setattr(item, field, data[field])
    errors = FieldErrors()
    _check_item(item, errors, heading=item.pk is not None and item.is_heading)
    errors.raise_if_any()
    item.save()
    item.responsible_units.set(responsible_units)
    renumber(scheme)
    item.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=item,
        before=before,
        after=audit.snapshot(item),
    )
    return item


@transaction.atomic
def item_delete(*, actor, item: Item) -> None:
    scheme = _locked(Scheme, item.scheme_id)
    if not scoping.can_manage(actor, scheme):
        raise PermissionDenied
    _require_design(scheme)
    before = audit.snapshot(item)
    audit.record(actor=actor, action=AuditAction.DELETE, instance=item, before=before)
    item.delete()
    renumber(scheme)


# --- lifecycle ----------------------------------------------------------------------------------


def _open_checks(scheme: Scheme) -> None:
    errors = []
    if not scheme.participants.exists():
        errors.append(_("Choose the units assessed first."))
    leaves = list(scheme.items.filter(is_heading=False))
    if not leaves:
        errors.append(_("The scheme has no items to score."))
    for item in leaves:
        problems = FieldErrors()
        _check_item(item, problems, heading=False)
        for messages in problems.by_field.values():
            for message in messages:
                errors.append(
                    _("Item %(number)s: %(problem)s")
                    % {"number": item.number, "problem": message.message}
                )
    if errors:
        raise ValidationError(errors)


def _create_scores(scheme: Scheme) -> None:
    leaves = list(scheme.items.filter(is_heading=False).values_list("pk", flat=True))
    participants = list(scheme.participants.values_list("pk", flat=True))
    Score.objects.bulk_create(
        [Score(participant_id=p, item_id=i) for p in participants for i in leaves],
        ignore_conflicts=True,
        batch_size=500,
    )


@transaction.atomic
def scheme_act(
    *,
    actor,
    scheme: Scheme,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    as_of: datetime.date | None = None,
) -> Scheme:
    scheme = _locked(Scheme, scheme.pk)
    parties = scoping.scheme_parties(actor, scheme)
    if not parties:
        raise PermissionDenied
    if action not in allowed_actions(scheme.status, parties):
        if any(action in allowed_actions(scheme.status, {p}) for p in ("organiser", "leader")):
            raise PermissionDenied
        raise ValidationError(
            _("This cannot be done while the scheme is %(status)s.")
            % {"status": scheme.get_status_display()}
        )
    check_version(scheme, expected_version)
    if action in REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    before = scheme.status
    if action == SchemeAction.OPEN:
        _open_checks(scheme)
        _create_scores(scheme)
    if action in (SchemeAction.OPEN, SchemeAction.REVIEW, SchemeAction.CLOSE):
        _apply_automatic(scheme, as_of=as_of)
    if action == SchemeAction.CLOSE:
        missing = sum(t.unscored for t in totals(scheme).values())
        if missing:
            raise ValidationError(
                _("%(count)s scores are still missing: review every item before confirming.")
                % {"count": missing}
            )
        scheme.closed_at = timezone.now()
    if action == SchemeAction.REOPEN:
        scheme.closed_at = None
    scheme.status = next_state(scheme.status, action)
    scheme.version += 1
    scheme.save(update_fields=["status", "closed_at", "version"])
    recompute_totals(scheme)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=scheme,
        before={"status": before},
        after={"status": scheme.status, "action": action, "reason": reason},
        message=f"scheme {action}",
    )
    return scheme


def _apply_automatic(scheme: Scheme, *, as_of=None, participants=None) -> int:
    computed = compute(scheme, as_of=as_of, participants=participants)
    if not computed:
        return 0
    now = timezone.now()
    # Written only where they changed: a recompute on the same data writes nothing.
    stored = {
        (pid, iid): (score, basis)
        for pid, iid, score, basis in Score.objects.filter(
            participant_id__in={pid for pid, _iid in computed},
            item_id__in={iid for _pid, iid in computed},
        ).values_list("participant_id", "item_id", "auto_score", "auto_basis")
    }
    Score.objects.bulk_create(
        [
            Score(
                participant_id=pid,
                item_id=iid,
                auto_score=result.score,
                auto_basis=result.basis,
            )
            for (pid, iid), result in computed.items()
            if stored.get((pid, iid)) != (result.score, result.basis)
        ],
        update_conflicts=True,
        unique_fields=["participant", "item"],
        update_fields=["auto_score", "auto_basis"],
        batch_size=500,
    )
    participant_ids = {pid for pid, _iid in computed}
    Participant.objects.filter(pk__in=participant_ids).update(scored_at=now)
    return len(computed)


@transaction.atomic
def compute_automatic(*, actor, scheme: Scheme, as_of: datetime.date | None = None) -> int:
    """Recompute every automatic item from today's data (the organising office, while
    the scheme is open)."""
    scheme = _locked(Scheme, scheme.pk)
    if not scoping.can_manage(actor, scheme):
        raise PermissionDenied
    if scheme.status not in (SchemeStatus.SELF, SchemeStatus.REVIEW):
        raise ValidationError(_("Automatic items are computed while the scheme is open."))
    count = _apply_automatic(scheme, as_of=as_of)
    recompute_totals(scheme)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=scheme,
        after={"computed": count, "as_of": as_of},
        message="automatic scores computed",
    )
    return count


def recompute_totals(scheme: Scheme, participant_ids=None) -> None:
    """Cache each participant's totals and grade (two queries and one update)."""
    found = totals(scheme, participant_ids)
    participants = list(
        scheme.participants.all()
        if participant_ids is None
        else scheme.participants.filter(pk__in=participant_ids)
    )
    for participant in participants:
        result = found.get(participant.pk)
        participant.self_total = result.self_total if result else None
        participant.total = result.total if result else None
        participant.unscored = result.unscored if result else 0
        participant.grade = (
            scheme.grade_for(participant.total) if result and not result.unscored else ""
        )
    Participant.objects.bulk_update(
        participants, ["self_total", "total", "unscored", "grade"], batch_size=500
    )


# --- scores -------------------------------------------------------------------------------------


def _score_value(raw, item: Item, field: str, errors: FieldErrors) -> Decimal | None:
    if raw in (None, ""):
        errors.add(field, _("Enter a score."), "required")
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.add(field, _("Enter a number."), "invalid")
        return None
    if not value.is_finite():
        errors.add(field, _("Enter a number."), "invalid")
        return None
    if value < 0:
        errors.add(field, _("A score cannot be negative."), "negative")
    elif value > item.max_score:
        errors.add(
            field,
            _("The score %(score)s is above this item's maximum of %(max)s.")
            % {"score": _plain(value), "max": _plain(item.max_score)},
            "above_max",
        )
    elif value != points(value):
        errors.add(field, _("Give the score to at most two decimal places."), "decimals")
    else:
        return abs(points(value))  # as stored: "1e1" is 10.00, "-0" is 0.00
    return value


def _lock_score(score: Score) -> Score:
    return (
        Score.objects.select_for_update()
        .select_related("item", "participant__scheme", "participant__unit")
        .get(pk=score.pk)
    )


# What a self-assessment and a review write: score, reason, who, when.
SELF_FIELDS = ("self_score", "self_reason", "self_by", "self_at")
REVIEW_FIELDS = ("review_score", "review_reason", "reviewer", "reviewed_at")


def _write_score(actor, score: Score, fields, value, reason: str, no_reason: str, what: str):
    value_field, reason_field, by_field, at_field = fields
    errors = FieldErrors()
    number = _score_value(value, score.item, value_field, errors)
    if not reason.strip():
        errors.add(reason_field, no_reason, "required")
    errors.raise_if_any()
    before = {value_field: getattr(score, value_field), reason_field: getattr(score, reason_field)}
    setattr(score, value_field, number)
    setattr(score, reason_field, reason.strip())
    setattr(score, by_field, actor)
    setattr(score, at_field, timezone.now())
    score.version += 1
    score.save(update_fields=[*fields, "version"])
    recompute_totals(score.participant.scheme, [score.participant_id])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=score,
        before=before,
        after={value_field: number, reason_field: reason.strip()},
        message=what,
    )
    return score


@transaction.atomic
def score_self(
    *, actor, score: Score, value, reason: str, expected_version: int | None = None
) -> Score:
    """A unit's own score on an item, with its reason (while self-assessing)."""
    score = _lock_score(score)
    participant, scheme = score.participant, score.participant.scheme
    if not scoping.can_self_score(actor, participant):
        raise PermissionDenied
    if scheme.status != SchemeStatus.SELF:
        raise ValidationError(_("Self-assessment is closed for this scheme."))
    if participant.self_status not in SELF_EDITABLE:
        raise ValidationError(
            _("The self-assessment has been submitted; ask the office to return it to change it.")
        )
    check_version(score, expected_version)
    return _write_score(
        actor,
        score,
        SELF_FIELDS,
        value,
        reason,
        _("Say why: what was done, and where the evidence is."),
        "self-assessment",
    )


@transaction.atomic
def score_review(
    *, actor, score: Score, value, reason: str, expected_version: int | None = None
) -> Score:
    """A reviewer's score: required for manual items, an override with a reason for
    automatic ones. Nobody reviews their own unit."""
    score = _lock_score(score)
    participant, scheme = score.participant, score.participant.scheme
    if not scoping.is_reviewer(actor, scheme):
        raise PermissionDenied
    if scoping.belongs_to(actor, participant.unit):
        raise PermissionDenied(_("You cannot review a unit you belong to."))
    if scheme.status != SchemeStatus.REVIEW:
        raise ValidationError(_("Scores are reviewed while the scheme is under review."))
    check_version(score, expected_version)
    return _write_score(
        actor,
        score,
        REVIEW_FIELDS,
        value,
        reason,
        _("Give the reason for the score (what was deducted and why)."),
        "review",
    )


@transaction.atomic
def participant_act(
    *, actor, participant: Participant, action: str, reason: str = "", expected_version=None
) -> Participant:
    """Submit a self-assessment (the unit) or return it (the organising office)."""
    participant = (
        Participant.objects.select_for_update()
        .select_related("scheme", "unit")
        .get(pk=participant.pk)
    )
    scheme = participant.scheme
    if action == "submit" and not scoping.can_self_score(actor, participant):
        raise PermissionDenied
    if action == "return" and not scoping.can_manage(actor, scheme):
        raise PermissionDenied
    if (
        scheme.status != SchemeStatus.SELF
        or (participant.self_status, action) not in SELF_TRANSITIONS
    ):
        raise ValidationError(_("This cannot be done now."))
    check_version(participant, expected_version)
    if action == "return" and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if action == "submit":
        missing = participant.scores.filter(
            item__method=Method.MANUAL, self_score__isnull=True
        ).count()
        if missing:
            raise ValidationError(
                _("Score every item yourself before submitting: %(count)s still without a score.")
                % {"count": missing}
            )
    before = participant.self_status
    participant.self_status = SELF_TRANSITIONS[(before, action)]
    if action == "submit":
        participant.self_submitted_at, participant.self_submitted_by = timezone.now(), actor
        participant.return_reason = ""
    else:
        participant.return_reason = reason.strip()
    participant.version += 1
    participant.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=participant,
        before={"self_status": before},
        after={"self_status": participant.self_status, "reason": reason},
        message=f"self-assessment {action}",
    )
    return participant


# --- evidence -----------------------------------------------------------------------------------


def _evidence_target(actor, participant: Participant, item: Item, *, lock: bool = True) -> Scheme:
    schemes = Scheme.objects.select_for_update() if lock else Scheme.objects
    scheme = schemes.get(pk=participant.scheme_id)
    if item.scheme_id != scheme.pk or item.is_heading:
        raise ValidationError(_("Evidence is filed against an item of this scheme."))
    if not scoping.can_add_evidence(actor, participant, item):
        raise PermissionDenied
    if scheme.status not in EVIDENCE_STATES:
        raise ValidationError(
            _("The results of this scheme are confirmed: no more evidence can be added.")
        )
    return scheme


def _evidence_record(actor, evidence: Evidence, how: str) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=evidence,
        after={
            "participant": evidence.participant_id,
            "item": evidence.item_id,
            "file": evidence.file_id,
            "sha256": evidence.file.sha256,
            "from_task": evidence.from_task_id,
            "how": how,
        },
    )


def evidence_upload(
    *, actor, participant: Participant, item: Item, upload, description: str = ""
) -> Evidence:
    """Upload a file against an item. Who and when are checked first; a refused file
    stores nothing and its refusal stays in the audit trail (outside the transaction
    that its refusal rolls back)."""
    _evidence_target(actor, participant, item, lock=False)
    try:
        check_upload(upload)
    except ValidationError as error:
        record_refusal(upload, user=actor, error=error)
        raise
    return _evidence_store(
        actor=actor, participant=participant, item=item, upload=upload, description=description
    )


@transaction.atomic
def _evidence_store(*, actor, participant: Participant, item: Item, upload, description: str):
    _evidence_target(actor, participant, item)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # The same content already filed against the item: kept once, not stored again.
    same = Evidence.objects.filter(
        participant=participant, item=item, file__sha256=digest.hexdigest()
    ).first()
    if same is not None:
        return same
    stored = store_upload(upload, user=actor)
    evidence = Evidence.objects.create(
        participant=participant,
        item=item,
        file=stored,
        description=description.strip()[:200],
        added_by=actor,
    )
    _evidence_record(actor, evidence, "upload")
    return evidence


def linkable_files(user, participant: Participant):
    """Task evidence and attachments the user may see, from tasks of the unit assessed:
    what can be linked instead of uploaded again."""
    tasks = visible_tasks(user).filter(
        Q(lead_unit__path__startswith=participant.unit.path)
        | Q(county__path__startswith=participant.unit.path)
    )
    return StoredFile.objects.filter(
        Q(task_reports__task__in=tasks) | Q(tasks__in=tasks)
    ).distinct()


@transaction.atomic
def evidence_link(
    *, actor, participant: Participant, item: Item, file_id: int, description: str = ""
) -> Evidence:
    """File a task's progress evidence (or attachment) against an item: the same stored
    file, so its hash and uploader stay those of the original."""
    _evidence_target(actor, participant, item)
    stored = linkable_files(actor, participant).filter(pk=file_id).first()
    if stored is None:
        raise ValidationError(
            {"file": _("Choose a file from a task of this unit that you can see.")}
        )
    task = (
        visible_tasks(actor)
        .filter(Q(reports__evidence=stored) | Q(attachments=stored))
        .order_by("pk")
        .first()
    )
    evidence, created = Evidence.objects.get_or_create(
        participant=participant,
        item=item,
        file=stored,
        defaults={
            "description": description.strip()[:200],
            "added_by": actor,
            "from_task": task,
        },
    )
    if created:
        _evidence_record(actor, evidence, "link")
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence) -> None:
    evidence = Evidence.objects.select_related("participant", "item", "file").get(pk=evidence.pk)
    _evidence_target(actor, evidence.participant, evidence.item)
    # A responsible unit files evidence for the unit assessed; it does not take away
    # what the unit itself (or the office) filed.
    participant = evidence.participant
    if not (
        evidence.added_by_id == actor.pk
        or scoping.can_self_score(actor, participant)
        or scoping.can_manage(actor, participant.scheme)
    ):
        raise PermissionDenied
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=evidence,
        before={
            "participant": evidence.participant_id,
            "item": evidence.item_id,
            "file": evidence.file_id,
            "sha256": evidence.file.sha256,
        },
    )
    evidence.delete()


# --- deductions become rectification items -------------------------------------------------------


@transaction.atomic
def deduction_rectify(
    *,
    actor,
    score: Score,
    requirement: str,
    due_date: datetime.date | None,
    today: datetime.date | None = None,
):
    """Open a rectification item for a deduction (the shared loop): reviewers and the
    organising office, once the score is below the item's maximum."""
    score = _lock_score(score)
    participant, scheme = score.participant, score.participant.scheme
    if not (scoping.can_manage(actor, scheme) or scoping.can_review(actor, participant)):
        raise PermissionDenied
    final = score.final
    if final is None or final >= score.item.max_score:
        raise ValidationError(_("Only an item with points deducted opens a rectification."))
    if score.rectifications.filter(status__in=LIVE_STATES).exists():
        raise ValidationError(_("A rectification item for this deduction is already open."))
    lost = score.item.max_score - final
    problem = score.review_reason or _("%(points)s points deducted") % {"points": _plain(lost)}
    return rectification_raise(
        actor=actor,
        source=score,
        source_kind=SourceKind.ASSESSMENT,
        source_label=f"{scheme.title} {score.item.number}{score.item.title}"[:200],
        office=scheme.office,
        unit=participant.unit,
        problem=problem,
        requirement=requirement,
        due_date=due_date,
        today=today,
    )


def deducted_points(score: Score) -> Decimal:
    final = score.final
    return ZERO if final is None else score.item.max_score - final
