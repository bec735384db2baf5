"""Read queries of the upward-application screens (向上争取): the year's list with its
status counts, the years that hold applications, a record's audit history, and the
year-on-year change written as officials write it ("同比增加25.0%").

The yearly totals and the table by chain are `selectors.upward_totals` and
`selectors.upward_by_chain`; everything here is scoped through
`scoping.visible_upward` and grouped in the database (a constant number of queries
whatever the number of applications)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.investment.lifecycle import UpwardAction, UpwardStatus
from zhuanban.investment.models import EventKind, UpwardApplication
from zhuanban.investment.scoping import visible_upward
from zhuanban.org.models import OrgUnit

# The audit trail's name for an upward application (what `audit.record` writes).
OBJECT_TYPE = UpwardApplication._meta.label_lower
# The services write "upward <action>" as the message of a recorded action.
ACTION_PREFIX = "upward "
# Fields whose change the history does not name (bookkeeping, or told otherwise).
_UNNAMED = frozenset({"id", "version", "created_by", "created_at"})


def yoy_text(growth: Decimal | None) -> str:
    """The change on the year before as a bureau writes it: "同比增加25.0%",
    "同比减少12.5%", "同比持平", or "—" when there is nothing to compare with."""
    if growth is None:
        return "—"
    percent = number_format(abs(growth), 1)
    if growth > 0:
        return _("Up %(percent)s%% year on year") % {"percent": percent}
    if growth < 0:
        return _("Down %(percent)s%% year on year") % {"percent": percent}
    return _("Level with the year before")


def upward_years(user, *, today: datetime.date) -> tuple[list[int], int]:
    """The years the year filter offers (those holding applications the user sees, and
    this year), newest first, and the year the list opens on: this year if it holds
    applications, else the latest earlier year that does (the last campaign). One query."""
    found = set(visible_upward(user).order_by().values_list("year", flat=True).distinct())
    earlier = [year for year in found if year < today.year]
    default = today.year if today.year in found or not earlier else max(earlier)
    return sorted(found | {today.year}, reverse=True), default


def upward_list(user, *, year: int) -> QuerySet[UpwardApplication]:
    """The year's applications with what their rows show."""
    return (
        visible_upward(user)
        .filter(year=year)
        .select_related("chain", "office")
        .order_by("chain__sort_order", "chain__pk", "office__sort_order", "title", "pk")
    )


def status_counts(applications: QuerySet[UpwardApplication]) -> dict[str, int]:
    """Applications per status, every status named (one grouped query)."""
    rows = applications.order_by().values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(UpwardStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def offices_with_upward(user) -> QuerySet[OrgUnit]:
    """The offices whose applications the user sees (what the office filter offers)."""
    return (
        OrgUnit.objects.offices()
        .filter(pk__in=visible_upward(user).values("office"))
        .order_by("sort_order", "code")
    )


# --- a record's history (its audit trail) --------------------------------------------------


@dataclass
class HistoryEntry:
    at: datetime.datetime
    who: str
    label: str
    status_from: str = ""
    status_to: str = ""
    on: str = ""
    granted: Decimal | None = None
    reason: str = ""
    changed: list[str] = field(default_factory=list)


def _action_of(event: AuditEvent) -> str | None:
    """The lifecycle action a service recorded in the event's message, if any."""
    if not event.message.startswith(ACTION_PREFIX):
        return None
    action = event.message[len(ACTION_PREFIX) :].strip()
    action = action.rsplit(".", 1)[-1].lower()  # "UpwardAction.SUBMIT" as well as "submit"
    return action if action in UpwardAction.values else None


def _status_label(value) -> str:
    return str(UpwardStatus(value).label) if value in UpwardStatus.values else ""


def _field_labels() -> dict[str, str]:
    return {
        f.attname: capfirst(f.verbose_name)
        for f in UpwardApplication._meta.concrete_fields
        if f.attname not in _UNNAMED
    }


def _entry(event: AuditEvent, labels: dict[str, str]) -> HistoryEntry:
    before, after = event.before or {}, event.after or {}
    actor = event.actor
    who = (actor.get_full_name() or actor.get_username()) if actor else event.actor_username
    entry = HistoryEntry(at=event.at, who=who or _("the system"), label="")
    action = _action_of(event)
    if event.action == AuditAction.CREATE:
        entry.label = str(EventKind.CREATED.label)
        entry.status_to = _status_label(after.get("status"))
    elif action is not None:
        entry.label = str(UpwardAction(action).label)
        entry.status_from = _status_label(before.get("status"))
        entry.status_to = _status_label(after.get("status"))
        if action == UpwardAction.SUBMIT:
            entry.on = after.get("submitted_on") or ""
        elif action != UpwardAction.REOPEN:
            entry.on = after.get("decided_on") or ""
        if action == UpwardAction.APPROVE and after.get("amount_granted") is not None:
            entry.granted = Decimal(str(after["amount_granted"]))
        if after.get("reason") and after.get("reason") != before.get("reason"):
            entry.reason = after["reason"]
    else:
        entry.label = str(EventKind.EDITED.label)
        entry.changed = [
            labels[name] for name in audit.changed_fields(before, after) if name in labels
        ]
    return entry


def upward_history(application: UpwardApplication) -> list[HistoryEntry]:
    """What was done to the record, oldest first, from the audit trail (one query)."""
    events = (
        AuditEvent.objects.filter(object_type=OBJECT_TYPE, object_id=str(application.pk))
        .select_related("actor")
        .order_by("seq")
    )
    labels = _field_labels()
    return [_entry(event, labels) for event in events]
