"""Writing and checking the audit trail.

Services call `record()` beside every write, with the before/after `snapshot()` of
the record. Events are hash-chained: see `verify_chain()`.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

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


def record(
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
    """Append one event. Runs inside the caller's transaction so a rolled-back change
    leaves no trace claiming it happened."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:255]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor if authenticated else None,
            actor_username=(actor.get_username() if authenticated else "")[:150],
            ip=ip if ip is not None else current_ip(),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            before=before,
            after=after,
            message=message[:255],
            outcome=outcome,
            prev_hash=head.hash,
        )
        # Hash what the database will give back (JSON round trip), not Python objects.
        event.before = json.loads(json.dumps(before, cls=DjangoJSONEncoder))
        event.after = json.loads(json.dumps(after, cls=DjangoJSONEncoder))
        event.hash = _event_hash(head.hash, _payload(event))
        event.save()
        AuditChainHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event


def record_change(*, actor, instance: models.Model, before: dict | None) -> AuditEvent:
    """Record a create (before is None) or an update of `instance`, with its new snapshot."""
    after = snapshot(instance)
    action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    return record(actor=actor, action=action, instance=instance, before=before, after=after)


def record_delete(*, actor, instance: models.Model, before: dict) -> AuditEvent:
    return record(actor=actor, action=AuditAction.DELETE, instance=instance, before=before)


def verify_chain(batch_size: int = 2000) -> tuple[bool, int | None]:
    """Recompute every hash in order. Returns (ok, seq of the first broken event)."""
    prev = GENESIS_HASH
    expected_seq = 1
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq or event.prev_hash != prev:
            return False, event.seq
        if _event_hash(prev, _payload(event)) != event.hash:
            return False, event.seq
        prev = event.hash
        expected_seq += 1
    return True, None
