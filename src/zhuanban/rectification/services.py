"""Every change to a rectification item: transactional, checked against the lifecycle
table, written to the item's timeline and the audit trail, notified to the other side.

Sources (a visit's finding, a notice's requirement, later assessment and brand
re-review) call `rectification_raise()` after checking who may raise an item from
them; everything after that is the same loop whatever the source.
"""

import datetime
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.models import AuditAction
from zhuanban.core.notify import notify
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.selectors import county_of, office_staff_users, people_acting_for
from zhuanban.rectification import scoping
from zhuanban.rectification.access import parties_for_action
from zhuanban.rectification.lifecycle import (
    FORM_ACTIONS,
    REASON_REQUIRED,
    TRANSITIONS,
    Action,
    Status,
    next_state,
)
from zhuanban.rectification.models import (
    Rectification,
    RectificationEvent,
    RectificationResponse,
    Verdict,
)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def item_url(item: Rectification) -> str:
    return reverse("rectification:detail", args=[item.pk])


def _notify(item: Rectification, recipients, actor, kind: str, title: str, body: str = ""):
    recipients = [u for u in recipients if actor is None or u.pk != actor.pk]
    notify(
        recipients,
        kind=f"rectification_{kind}",
        title=title,
        body=body or item.requirement[:200],
        url=item_url(item),
    )


def _record(
    actor, item: Rectification, action: str, before_status: str, comment: str = ""
) -> RectificationEvent:
    event = RectificationEvent.objects.create(
        item=item,
        actor=actor,
        action=action,
        from_status=before_status,
        to_status=item.status,
        comment=comment,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=item,
        before={"status": before_status},
        after={"status": item.status, "action": action, "comment": comment},
        message=f"rectification {action}",
    )
    return event


@transaction.atomic
def rectification_raise(
    *,
    actor,
    source: models.Model,
    source_kind: str,
    source_label: str,
    office: OrgUnit,
    unit: OrgUnit,
    problem: str,
    requirement: str,
    due_date: datetime.date,
    today: datetime.date | None = None,
) -> Rectification:
    """Open an item for `unit` to fix. The caller has checked that `actor` may raise
    items from `source`; this checks the item itself and tells the unit."""
    today = today or timezone.localdate()
    errors: dict[str, list[ValidationError]] = {}
    if office.kind != UnitKind.OFFICE:
        errors.setdefault("office", []).append(
            ValidationError(_("Choose a special office to verify the rectification."), "office")
        )
    if not requirement.strip():
        errors.setdefault("requirement", []).append(
            ValidationError(_("Say what must be fixed."), code="required")
        )
    if due_date is None:
        errors.setdefault("due_date", []).append(
            ValidationError(_("Give a deadline for the rectification."), code="required")
        )
    elif due_date < today:
        errors.setdefault("due_date", []).append(
            ValidationError(
                _("The deadline %(date)s is in the past.") % {"date": due_date.isoformat()},
                code="past",
            )
        )
    if errors:
        raise ValidationError(errors)
    item = Rectification(
        source_kind=source_kind,
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        source_label=source_label[:200],
        office=office,
        unit=unit,
        county=county_of(unit),
        problem=problem.strip() or requirement.strip(),
        requirement=requirement.strip(),
        due_date=due_date,
        original_due_date=due_date,
        raised_by=actor,
    )
    item.full_clean()
    item.save()
    RectificationEvent.objects.create(item=item, actor=actor, action="raise", to_status=item.status)
    audit.record(actor=actor, action=AuditAction.CREATE, instance=item, after=audit.snapshot(item))
    _notify(
        item,
        people_acting_for(unit.pk),
        actor,
        "raise",
        _("Rectification required by %(date)s: %(source)s")
        % {"date": due_date.isoformat(), "source": item.source_label},
    )
    return item


def _lock(item: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("office", "unit")
        .get(pk=item.pk)
    )


def _authorise(actor, item: Rectification, action: str) -> str:
    """PermissionDenied for someone who may never take this action on this item (a 403
    even if the item moved on meanwhile); ValidationError when the item's state does not
    allow it now. Returns the state the action leads to."""
    rule = TRANSITIONS.get((item.status, action))
    allowed = rule[1] if rule is not None else parties_for_action(action)
    if actor is not None and not (scoping.parties(actor, item) & allowed):
        raise PermissionDenied
    if rule is None:
        raise ValidationError(
            _("A rectification item that is %(status)s cannot be given the action “%(action)s”.")
            % {"status": Status(item.status).label, "action": Action(action).label},
            code="invalid_transition",
        )
    return next_state(item.status, action)


def _check_version(item: Rectification, expected_version: int | None) -> None:
    if expected_version is not None and item.version != expected_version:
        raise ValidationError(
            _(
                "Someone else acted on this item while you were looking at it. "
                "Reload the page to see what changed, then act again."
            ),
            code="stale",
        )


def _permit(actor, item: Rectification, action: str, expected_version: int | None) -> str:
    """Permission first (403), then a concurrent change (stale), then the state."""
    if actor is not None and not (scoping.parties(actor, item) & parties_for_action(action)):
        raise PermissionDenied
    _check_version(item, expected_version)
    return _authorise(actor, item, action)


def rectification_check(
    *, actor, item: Rectification, action: str, expected_version: int | None = None
) -> None:
    """The checks an action starts with, without changing anything: a view runs them
    before it stores uploaded evidence, so a refused action leaves no file behind."""
    if action not in Action.values:
        raise ValueError(f"unknown rectification action {action!r}")
    _permit(actor, item, action, expected_version)


def _save(item: Rectification, *fields: str) -> None:
    item.version = F("version") + 1
    item.save(update_fields=["status", "version", *fields])
    item.refresh_from_db(fields=["version"])


@transaction.atomic
def rectification_respond(
    *,
    actor,
    item: Rectification,
    text: str,
    evidence: Iterable = (),
    expected_version: int | None = None,
) -> RectificationResponse:
    """整改反馈: the unit says what it did, with evidence; the office verifies next."""
    item = _lock(item)
    new_status = _permit(actor, item, Action.RESPOND, expected_version)
    if not text.strip():
        raise _field_error("text", _("Say what was done to fix the problem."), "required")
    before_status = item.status
    response = RectificationResponse.objects.create(item=item, responder=actor, text=text.strip())
    evidence = list(evidence)
    response.evidence.set(evidence)
    item.status = new_status
    item.responded_at = response.at
    _save(item, "responded_at")
    files = "、".join(f.name for f in evidence)
    _record(actor, item, Action.RESPOND, before_status, f"{text.strip()} {files}".strip()[:500])
    _notify(
        item,
        office_staff_users(item.office_id),
        actor,
        "respond",
        _("Rectification reported, please verify: %(unit)s") % {"unit": item.unit.name},
        text,
    )
    return response


@transaction.atomic
def rectification_act(
    *,
    actor,
    item: Rectification,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
) -> Rectification:
    """accept (验收销号), reject (退回重改), urge, withdraw, reopen."""
    if action not in Action.values or action in FORM_ACTIONS:
        # Responding, extending and commenting carry more than a comment: their own services.
        raise ValueError(f"{action!r} is not a plain rectification action")
    item = _lock(item)
    new_status = _permit(actor, item, action, expected_version)
    comment = comment.strip()
    if action in REASON_REQUIRED and not comment:
        raise _field_error("comment", _("Please give a reason."), "reason_required")
    before_status = item.status
    extra: list[str] = []
    now = timezone.now()
    if action in (Action.ACCEPT, Action.REJECT):
        verdict = Verdict.ACCEPTED if action == Action.ACCEPT else Verdict.REJECTED
        item.responses.filter(verdict=Verdict.PENDING).update(
            verdict=verdict, verified_by=actor, verified_at=now, verdict_comment=comment
        )
    if action == Action.ACCEPT:
        item.closed_at = now
        extra.append("closed_at")
    if action == Action.REOPEN:
        item.closed_at = None
        extra.append("closed_at")
    item.status = new_status
    _save(item, *extra)
    _record(actor, item, action, before_status, comment)
    titles = {
        Action.ACCEPT: _("Rectification verified and closed: %(source)s"),
        Action.REJECT: _("Rectification sent back for rework: %(source)s"),
        Action.URGE: _("Urged: rectification due %(date)s, %(source)s"),
        Action.WITHDRAW: _("Rectification withdrawn: %(source)s"),
        Action.REOPEN: _("Rectification reopened: %(source)s"),
    }
    if action in titles:
        _notify(
            item,
            people_acting_for(item.unit_id),
            actor,
            action,
            titles[action] % {"source": item.source_label, "date": item.due_date.isoformat()},
            comment,
        )
    return item


@transaction.atomic
def rectification_extend(
    *,
    actor,
    item: Rectification,
    due_date: datetime.date | None,
    comment: str,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Rectification:
    """Move the deadline (the original stays on the item), with a reason."""
    today = today or timezone.localdate()
    item = _lock(item)
    _permit(actor, item, Action.EXTEND, expected_version)
    comment = comment.strip()
    errors: dict[str, list[ValidationError]] = {}
    if not comment:
        errors["comment"] = [ValidationError(_("Please give a reason."), "reason_required")]
    if due_date is None:
        errors["due_date"] = [
            ValidationError(_("Give a deadline for the rectification."), code="required")
        ]
    elif due_date <= item.due_date:
        errors["due_date"] = [
            ValidationError(
                _("The new deadline must be later than %(date)s.")
                % {"date": item.due_date.isoformat()},
                code="not_later",
            )
        ]
    elif due_date < today:
        errors["due_date"] = [
            ValidationError(
                _("The deadline %(date)s is in the past.") % {"date": due_date.isoformat()},
                code="past",
            )
        ]
    if errors:
        raise ValidationError(errors)
    before = item.due_date
    item.due_date = due_date
    _save(item, "due_date")
    _record(actor, item, Action.EXTEND, item.status, f"{before} → {due_date}: {comment}")
    _notify(
        item,
        people_acting_for(item.unit_id),
        actor,
        "extend",
        _("Rectification deadline moved to %(date)s") % {"date": due_date.isoformat()},
        comment,
    )
    return item


@transaction.atomic
def rectification_comment(*, actor, item: Rectification, text: str) -> RectificationEvent:
    """A remark on the timeline; it changes nothing, so it needs no version check."""
    item = _lock(item)
    _authorise(actor, item, Action.COMMENT)
    if not text.strip():
        raise _field_error("text", _("Write a comment."), "required")
    return _record(actor, item, Action.COMMENT, item.status, text.strip())


def remind(today: datetime.date | None = None) -> dict[str, int]:
    """Tell units of items due soon, and units and offices of overdue ones.

    Idempotent like the task reminders: each notice's key names the item, the kind and
    the deadline, so a second run (or another host's) sends nothing twice, and a moved
    deadline is a new key."""
    today = today or timezone.localdate()
    counts = {"rectification_due_soon": 0, "rectification_overdue": 0}
    flagged = (
        Rectification.objects.pending()
        .with_light(today)
        .filter(light__in=["yellow", "red"])
        .select_related("unit")
        .order_by("pk")
    )
    people: dict[int, list] = {}
    staff: dict[int, list] = {}
    for item in flagged.iterator(chunk_size=500):
        if item.unit_id not in people:
            people[item.unit_id] = people_acting_for(item.unit_id)
        due = item.due_date.isoformat()
        if item.light == "red":
            if item.office_id not in staff:
                staff[item.office_id] = office_staff_users(item.office_id)
            sent = notify(
                people[item.unit_id] + staff[item.office_id],
                kind="rectification_overdue",
                title=_("Rectification overdue since %(date)s: %(unit)s, %(source)s")
                % {"date": due, "unit": item.unit.name, "source": item.source_label},
                body=item.requirement[:200],
                url=item_url(item),
                dedupe_key=f"rectification:{item.pk}:overdue:{due}",
            )
            counts["rectification_overdue"] += bool(sent)
            continue
        sent = notify(
            people[item.unit_id],
            kind="rectification_due_soon",
            title=_("Rectification due %(date)s: %(source)s")
            % {"date": due, "source": item.source_label},
            body=item.requirement[:200],
            url=item_url(item),
            dedupe_key=f"rectification:{item.pk}:due_soon:{due}",
        )
        counts["rectification_due_soon"] += bool(sent)
    return counts
