"""Chasing self-assessments: in the last days before a scheme's self-assessment is due
tell the unit's people; once it has passed, tell them and the organising office.

Idempotent like the other reminders (`zhuanban remind`): each key names the unit
assessed, the kind and the due date, so a second run sends nothing twice. The people of
each unit and office are looked up once per run."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.assessment.lifecycle import SELF_EDITABLE, SchemeStatus
from zhuanban.assessment.models import Participant
from zhuanban.core.notify import notify
from zhuanban.org.roles import UnitKind
from zhuanban.org.selectors import office_staff_users, people_acting_for

DUE_SOON_DAYS = 3


def remind(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    counts = {"self_assessment_due_soon": 0, "self_assessment_overdue": 0}
    waiting = (
        Participant.objects.filter(
            scheme__status=SchemeStatus.SELF,
            scheme__self_due__isnull=False,
            scheme__self_due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            self_status__in=SELF_EDITABLE,
        )
        .select_related("scheme", "unit")
        .order_by("scheme_id", "unit__sort_order", "unit__code")
    )
    people: dict[int, list] = {}
    staff: dict[int, list] = {}
    for participant in waiting.iterator(chunk_size=500):
        scheme, unit = participant.scheme, participant.unit
        if scheme.office_id not in staff:
            staff[scheme.office_id] = office_staff_users(scheme.office_id)
        if unit.pk not in people:
            # The city's self-assessment is compiled by the organising office.
            people[unit.pk] = [] if unit.kind == UnitKind.CITY else people_acting_for(unit.pk)
        unit_people = people[unit.pk] or staff[scheme.office_id]
        due = scheme.self_due.isoformat()
        values = {"date": due, "unit": unit.name, "scheme": scheme.title}
        url = reverse("assessment:participant", args=[participant.pk])
        overdue = scheme.self_due < today
        kind = "self_assessment_overdue" if overdue else "self_assessment_due_soon"
        title = (
            _("Self-assessment overdue since %(date)s: %(unit)s, %(scheme)s")
            if overdue
            else _("Self-assessment due %(date)s: %(unit)s, %(scheme)s")
        ) % values
        recipients = unit_people + staff[scheme.office_id] if overdue else unit_people
        sent = notify(
            recipients,
            kind=kind,
            title=title,
            url=url,
            dedupe_key=f"assessment:{participant.pk}:{kind}:{due}",
        )
        counts[kind] += bool(sent)
    return counts
