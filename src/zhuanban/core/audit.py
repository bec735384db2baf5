"""Writing and checking the audit trail.

Services call `record()` beside every write, with the before/after `snapshot()` of
the record. Events are hash-chained: see `verify_chain()`. The only deletion is the
deliberate, recorded `prune()` of events older than the retention period.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome
from zhuanban.core.request_context import current_ip

GENESIS_HASH = "0" * 64


def snapshot(instance: models.Model, exclude: Iterable[str] = ("password",)) -> dict[str, Any]:
    """The concrete field values of a record, JSON-safe, for before/after comparison."""
    skip = set(exclude)
    data = {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if field.attname not in skip and field.name not in skip
    }
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _event_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "ip": event.ip,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "message": event.message,
        "outcome": event.outcome,
    }


def record(*, actor, action: str, **details) -> AuditEvent:
    """Append one event (`details`: what `new_event` takes besides the actor and action).
    Runs inside the caller's transaction so a rolled-back change leaves no trace claiming
    it happened."""
    event = new_event(actor=actor, action=action, **details)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        _chain(event, head.seq + 1, head.hash, timezone.now())
        event.save()
        AuditChainHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event


def new_event(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
    ip: str | None = None,
    outcome: str = AuditOutcome.SUCCESS,
) -> AuditEvent:
    """An event not yet in the chain, as `record` takes it: for `record_many`."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:255]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor=actor if authenticated else None,
        actor_username=(actor.get_username() if authenticated else "")[:150],
        ip=ip if ip is not None else current_ip(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        # Hash what the database will give back (JSON round trip), not Python objects.
        before=json.loads(json.dumps(before, cls=DjangoJSONEncoder)),
        after=json.loads(json.dumps(after, cls=DjangoJSONEncoder)),
        message=message[:255],
        outcome=outcome,
    )


def record_many(events: list[AuditEvent], *, batch_size: int = 500) -> None:
    """Append `new_event`s in their order, in the caller's transaction: the chain's head
    locked once, the events inserted a batch at a time, the head moved once. For a bulk
    write (an import of thousands of rows), where `record` costs three statements an
    event and every audited write of every user waits for the head's lock meanwhile:
    call it last in the transaction, so the head is locked for the least time."""
    if not events:
        return
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        seq, previous, now = head.seq, head.hash, timezone.now()
        for event in events:
            seq += 1
            previous = _chain(event, seq, previous, now)
        AuditEvent.objects.bulk_create(events, batch_size=batch_size)
        AuditChainHead.objects.filter(id=1).update(seq=seq, hash=previous)


def _chain(event: AuditEvent, seq: int, previous: str, at: datetime.datetime) -> str:
    """Give `event` its place after `previous` in the chain; answers its hash."""
    event.seq, event.at, event.prev_hash = seq, at, previous
    event.hash = _event_hash(previous, _payload(event))
    return event.hash


def record_change(*, actor, instance: models.Model, before: dict | None) -> AuditEvent:
    """Record a create (before is None) or an update of `instance`, with its new snapshot."""
    after = snapshot(instance)
    action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    return record(actor=actor, action=action, instance=instance, before=before, after=after)


def record_delete(*, actor, instance: models.Model, before: dict) -> AuditEvent:
    return record(actor=actor, action=AuditAction.DELETE, instance=instance, before=before)


class ChainProblem(models.TextChoices):
    ALTERED = "altered"  # an event's content or link does not match its hash
    MISSING = "missing"  # events are gone between the first and the last kept one
    MISSING_TAIL = "missing_tail"  # the newest events are gone (the head says more exist)


@dataclass(frozen=True)
class ChainReport:
    """What `check_chain()` found. On a problem, `seq` is the first altered or missing
    sequence number and `event` the altered event or, for a gap, the event after it."""

    ok: bool
    count: int
    first_seq: int | None
    last_seq: int | None
    problem: str = ""
    seq: int | None = None
    event: AuditEvent | None = None
    head_seq: int = 0

    def describe(self) -> str:
        """One translated sentence for the operator or the audit administrator."""
        if self.ok:
            if not self.count:
                return _("The audit trail is intact: it holds no records yet.")
            return _("The audit trail is intact: %(count)s records, #%(first)s–#%(last)s.") % {
                "count": self.count,
                "first": self.first_seq,
                "last": self.last_seq,
            }
        if self.problem == ChainProblem.MISSING_TAIL:
            return _(
                "The audit trail is broken: the newest records #%(seq)s–#%(head)s are "
                "missing (the last record present is #%(last)s)."
            ) % {"seq": self.seq, "head": self.head_seq, "last": self.last_seq or "—"}
        event = self.event
        details = {
            "seq": self.seq,
            "time": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S") if event else "",
            "user": (event.actor_username or "—") if event else "",
            "action": event.get_action_display() if event else "",
            "next": event.seq if event else "",
        }
        if self.problem == ChainProblem.MISSING:
            return (
                _(
                    "The audit trail is broken: record #%(seq)s is missing; the next record "
                    "present is #%(next)s (%(time)s, %(user)s, %(action)s)."
                )
                % details
            )
        return (
            _(
                "The audit trail is broken: record #%(seq)s (%(time)s, %(user)s, "
                "%(action)s) has been altered."
            )
            % details
        )


def check_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order, from where the retained chain starts
    (`AuditChainHead.base_seq`/`base_hash`, moved by `prune()`) to the head.

    Comparing the last row with the head catches removal of the newest events, which
    leaves no broken link behind. Events appended while this runs are not checked
    (the head is read first)."""
    head = AuditChainHead.objects.filter(id=1).first() or AuditChainHead(id=1)
    prev, expected = head.base_hash, head.base_seq
    count, first_seq = 0, None
    events = AuditEvent.objects.filter(seq__gte=head.base_seq, seq__lte=head.seq).order_by("seq")
    for event in events.iterator(chunk_size=batch_size):
        last_seq = expected - 1 if count else None
        if event.seq != expected:
            return ChainReport(
                False, count, first_seq, last_seq, ChainProblem.MISSING, expected, event, head.seq
            )
        if event.prev_hash != prev or _event_hash(prev, _payload(event)) != event.hash:
            return ChainReport(
                False, count, first_seq, last_seq, ChainProblem.ALTERED, event.seq, event, head.seq
            )
        first_seq = event.seq if first_seq is None else first_seq
        prev = event.hash
        expected += 1
        count += 1
    last_seq = expected - 1 if count else None
    if expected <= head.seq:
        return ChainReport(
            False, count, first_seq, last_seq, ChainProblem.MISSING_TAIL, expected, None, head.seq
        )
    if prev != head.hash:
        # The newest event was rewritten with hashes recomputed: the head disagrees.
        last = AuditEvent.objects.filter(seq=last_seq).first()
        return ChainReport(
            False, count, first_seq, last_seq, ChainProblem.ALTERED, last_seq, last, head.seq
        )
    return ChainReport(True, count, first_seq, last_seq, head_seq=head.seq)


def verify_chain(batch_size: int = 2000) -> tuple[bool, int | None]:
    """(ok, seq of the first event that does not fit, or the first missing seq when the
    newest events are gone)."""
    report = check_chain(batch_size)
    if report.ok:
        return True, None
    return False, report.event.seq if report.event is not None else report.seq


# --- pruning ---------------------------------------------------------------------


def retention_limit(today: datetime.date | None = None) -> datetime.date:
    """The latest `before` date a prune may use: events younger than the retention
    period (AUDIT_RETENTION_DAYS, 180 by default) are never pruned."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


@dataclass(frozen=True)
class PrunePlan:
    before: datetime.date
    count: int
    first_seq: int | None = None
    last_seq: int | None = None
    first_at: datetime.datetime | None = None
    last_at: datetime.datetime | None = None
    first_hash: str = ""
    last_hash: str = ""
    new_base_seq: int | None = None
    new_base_hash: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def prune_plan(before: datetime.date) -> PrunePlan:
    """Which events a prune before `before` (local midnight) removes: the oldest ones up
    to the first event of that day or later, so the kept chain has no gap."""
    head = AuditChainHead.objects.filter(id=1).first() or AuditChainHead(id=1)
    first_kept = (
        AuditEvent.objects.filter(
            seq__gte=head.base_seq, seq__lte=head.seq, at__gte=_start_of(before)
        )
        .order_by("seq")
        .only("seq", "prev_hash")
        .first()
    )
    if first_kept is not None:
        end_seq, base_hash = first_kept.seq, first_kept.prev_hash
    else:
        end_seq, base_hash = head.seq + 1, head.hash
    doomed = AuditEvent.objects.filter(seq__lt=end_seq).order_by("seq")
    first, last = doomed.first(), doomed.last()
    if first is None:
        return PrunePlan(before=before, count=0)
    return PrunePlan(
        before=before,
        count=doomed.count(),
        first_seq=first.seq,
        last_seq=last.seq,
        first_at=first.at,
        last_at=last.at,
        first_hash=first.hash,
        last_hash=last.hash,
        new_base_seq=end_seq,
        new_base_hash=base_hash,
    )


def check_prune_date(before: datetime.date) -> None:
    limit = retention_limit()
    if before > limit:
        raise ValidationError(
            _(
                "Audit events are kept for %(days)s days: the date must be %(limit)s or "
                "earlier. Nothing was deleted."
            )
            % {"days": settings.AUDIT_RETENTION_DAYS, "limit": limit.isoformat()},
            code="too_recent",
        )


def prune(*, before: datetime.date, actor=None) -> tuple[PrunePlan, AuditEvent | None]:
    """Delete the events before `before` and record that it was done.

    Under the head lock, in one transaction: check the chain (a broken chain is
    evidence and is not pruned), delete the oldest events, move the head's base to the
    first kept event (its seq and prev_hash) so `check_chain()` starts there, and append
    a PRUNE event naming who, how many, the dates and the first and last hash removed.
    """
    check_prune_date(before)
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(id=1)
        report = check_chain()
        if not report.ok:
            raise ValidationError(
                _(
                    "The audit trail does not verify (record #%(seq)s); it is not pruned "
                    "so that the evidence stays. Nothing was deleted."
                )
                % {"seq": report.seq},
                code="chain_broken",
            )
        plan = prune_plan(before)
        if plan.count == 0:
            return plan, None
        # Deliberately past the append-only queryset (whose delete() refuses): this is
        # the one sanctioned deletion, bounded to a prefix of the chain, done under the
        # head lock and recorded below in the same transaction.
        AuditEvent.objects.filter(seq__lt=plan.new_base_seq)._raw_delete(AuditEvent.objects.db)
        AuditChainHead.objects.filter(id=1).update(
            base_seq=plan.new_base_seq, base_hash=plan.new_base_hash
        )
        event = record(
            actor=actor,
            action=AuditAction.PRUNE,
            object_type=AuditEvent._meta.label_lower,
            object_repr=f"#{plan.first_seq}–#{plan.last_seq}",
            before={
                "count": plan.count,
                "first_seq": plan.first_seq,
                "last_seq": plan.last_seq,
                "first_at": plan.first_at,
                "last_at": plan.last_at,
                "first_hash": plan.first_hash,
                "last_hash": plan.last_hash,
            },
            after={
                "before": plan.before,
                "base_seq": plan.new_base_seq,
                "base_hash": plan.new_base_hash,
            },
            message=f"pruned {plan.count} events before {plan.before.isoformat()}",
        )
    return plan, event
