"""Chasing opinions and agenda topics (`zhuanban remind`):

- the day before a round's deadline, and the day after it, tell whoever must still
  answer (a leader consulted in person; the people who act for a unit consulted);
- once a round's deadline has passed with answers missing, tell the document's pen
  holder, once;
- the day before a meeting's topics are due, tell the staff of every office (any office
  may put a topic before any meeting).

Idempotent like the other reminders: each key names the request, round or meeting, the
kind and the date, so a second run sends nothing twice and a new date is a new
reminder. The people acting for each unit and the offices' staff are looked up once per
run."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from zhuanban.core.notify import notify
from zhuanban.documents.lifecycle import MeetingStatus
from zhuanban.documents.models import Meeting, OpinionRequest, OpinionRound
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import OFFICE_ROLES, UnitKind
from zhuanban.org.selectors import people_acting_for

DUE_SOON = "opinion_due_soon"
OVERDUE = "opinion_overdue"
ROUND_OVERDUE = "opinion_round_overdue"
TOPICS_DUE = "meeting_topics_due"
TITLE_LENGTH = 200  # Notification.title


def remind(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return (
        _remind_answers(today)
        | _remind_pen_holders(today)
        | {TOPICS_DUE: _remind_topic_deadlines(today)}
    )


def _title(text: str) -> str:
    # A document's title alone may take the whole length of a notification's title.
    return Truncator(text).chars(TITLE_LENGTH)


def _remind_answers(today: datetime.date) -> dict[str, int]:
    """Due soon on the day before the deadline (or on the day itself, if the command did
    not run the day before); overdue from the day after it on. Each is sent once."""
    counts = {DUE_SOON: 0, OVERDUE: 0}
    tomorrow = today + datetime.timedelta(days=1)
    waiting = (
        OpinionRequest.objects.filter(
            round__closed_at__isnull=True,
            round__deadline__lte=tomorrow,
            answered_at__isnull=True,
        )
        .select_related("round", "round__document", "person", "unit")
        .order_by("round_id", "pk")
    )
    people: dict[int, list] = {}
    for request in waiting.iterator(chunk_size=500):
        round, document = request.round, request.round.document
        if request.person_id is not None:
            recipients = [request.person]
        else:
            if request.unit_id not in people:
                people[request.unit_id] = people_acting_for(request.unit_id)
            recipients = people[request.unit_id]
        overdue = round.deadline < today
        kind = OVERDUE if overdue else DUE_SOON
        values = {"title": document.title, "date": round.deadline.isoformat()}
        title = (
            _("Opinions overdue since %(date)s: %(title)s")
            if overdue
            else _("Opinions due %(date)s: %(title)s")
        ) % values
        sent = notify(
            recipients,
            kind=kind,
            title=_title(title),
            body=_("Answered for: %(name)s") % {"name": request.consulted_name},
            url=round.get_absolute_url(),
            dedupe_key=f"{kind}:{request.pk}:{round.deadline.isoformat()}",
        )
        counts[kind] += bool(sent)
    return counts


def _remind_pen_holders(today: datetime.date) -> dict[str, int]:
    rounds = (
        OpinionRound.objects.filter(closed_at__isnull=True, deadline__lt=today)
        .annotate(
            total=Count("requests"),
            missing=Count("requests", filter=Q(requests__answered_at__isnull=True)),
        )
        .filter(missing__gt=0)
        .select_related("document", "document__pen_holder")
        .order_by("pk")
    )
    sent_rounds = 0
    for round in rounds:
        document = round.document
        title = _(
            "Opinion round %(number)s on %(title)s: %(missing)s of %(total)s have not answered"
        ) % {
            "number": round.number,
            "title": document.title,
            "missing": round.missing,
            "total": round.total,
        }
        sent = notify(
            [document.pen_holder],
            kind=ROUND_OVERDUE,
            title=_title(title),
            body=_("The answers were due %(date)s: urge them or end the round.")
            % {"date": round.deadline.isoformat()},
            url=round.get_absolute_url(),
            dedupe_key=f"{ROUND_OVERDUE}:{round.pk}:{round.deadline.isoformat()}",
        )
        sent_rounds += bool(sent)
    return {ROUND_OVERDUE: sent_rounds}


def _remind_topic_deadlines(today: datetime.date) -> int:
    meetings = list(
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED, topic_deadline=today + datetime.timedelta(days=1)
        ).order_by("starts_at", "pk")
    )
    if not meetings:
        return 0
    staff = [
        assignment.user
        for assignment in RoleAssignment.objects.filter(
            role__in=OFFICE_ROLES, unit__kind=UnitKind.OFFICE, unit__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]
    sent_meetings = 0
    for meeting in meetings:
        sent = notify(
            staff,
            kind=TOPICS_DUE,
            title=_title(
                _("Topics for %(meeting)s are due %(date)s")
                % {"meeting": meeting.title, "date": meeting.topic_deadline.isoformat()}
            ),
            url=meeting.get_absolute_url(),
            dedupe_key=f"{TOPICS_DUE}:{meeting.pk}:{meeting.topic_deadline.isoformat()}",
        )
        sent_meetings += bool(sent)
    return sent_meetings
