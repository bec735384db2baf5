"""Chasing opinions and agenda topics: who is told, when, and only once."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.core.models import Notification
from zhuanban.documents import reminders, services
from zhuanban.documents.lifecycle import MeetingAction
from zhuanban.documents.models import Kind, MeetingKind
from zhuanban.documents.reminders import DUE_SOON, OVERDUE, ROUND_OVERDUE, TOPICS_DUE
from zhuanban.documents.tests.conftest import DEADLINE, TODAY

pytestmark = pytest.mark.django_db

D = datetime.timedelta
NOTHING = {DUE_SOON: 0, OVERDUE: 0, ROUND_OVERDUE: 0, TOPICS_DUE: 0}


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_nothing_before_the_day_before_the_deadline(world, consulting):
    assert reminders.remind(DEADLINE - D(days=2)) == NOTHING
    assert not Notification.objects.filter(kind__in=[DUE_SOON, OVERDUE]).exists()


def test_the_day_before_tells_everyone_who_must_still_answer_once(world, consulting):
    services.answer_submit(
        actor=world.zhuozi_liaison, request=consulting.zhuozi, opinions=[{"text": "同意。"}]
    )
    day_before = DEADLINE - D(days=1)
    assert reminders.remind(day_before) == NOTHING | {DUE_SOON: 2}
    # The leader consulted in person, and the liaison acting for 化德县; not 卓资县.
    assert told(DUE_SOON) == {"leader", "huade"}
    note = Notification.objects.get(kind=DUE_SOON, recipient=world.huade_liaison)
    assert note.title == gettext("Opinions due %(date)s: %(title)s") % {
        "date": "2023-06-10",
        "title": consulting.document.title,
    }
    assert note.body == gettext("Answered for: %(name)s") % {"name": "化德县"}
    assert note.url == consulting.round.get_absolute_url()
    # Running again, or on the deadline itself, sends nothing twice.
    assert reminders.remind(day_before) == NOTHING
    assert reminders.remind(DEADLINE) == NOTHING
    assert Notification.objects.filter(kind=DUE_SOON).count() == 2


def test_the_deadline_itself_catches_up_a_missed_day_before(world, consulting):
    assert reminders.remind(DEADLINE)[DUE_SOON] == 3


def test_the_day_after_tells_the_missing_and_the_pen_holder_once(world, consulting):
    services.answer_submit(
        actor=world.leader, request=consulting.leader, opinions=[], no_opinion=True
    )
    day_after = DEADLINE + D(days=1)
    assert reminders.remind(day_after) == NOTHING | {OVERDUE: 2, ROUND_OVERDUE: 1}
    assert told(OVERDUE) == {"zhuozi", "huade"}
    assert told(ROUND_OVERDUE) == {"office"}  # 马晓静 holds the pen
    note = Notification.objects.get(kind=ROUND_OVERDUE)
    assert note.title == gettext(
        "Opinion round %(number)s on %(title)s: %(missing)s of %(total)s have not answered"
    ) % {"number": 1, "title": consulting.document.title, "missing": 2, "total": 3}
    assert reminders.remind(day_after) == NOTHING
    assert reminders.remind(day_after + D(days=5)) == NOTHING
    assert Notification.objects.filter(kind__in=[OVERDUE, ROUND_OVERDUE]).count() == 3


def test_the_pen_holder_is_not_told_when_everyone_answered(world, consulting):
    for request, who in (
        (consulting.zhuozi, world.zhuozi_liaison),
        (consulting.huade, world.huade_liaison),
        (consulting.leader, world.leader),
    ):
        services.answer_submit(actor=who, request=request, opinions=[], no_opinion=True)
    assert reminders.remind(DEADLINE + D(days=1)) == NOTHING


def test_an_ended_round_is_not_chased(world, consulting):
    services.round_close(actor=world.office, round=consulting.round)
    assert reminders.remind(DEADLINE - D(days=1)) == NOTHING
    assert reminders.remind(DEADLINE + D(days=1)) == NOTHING


def _planned(world, topic_deadline: datetime.date, kind=MeetingKind.BUREAU):
    return services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={
            "kind": kind,
            "starts_at": datetime.datetime(
                2023, 6, 20, 9, 0, tzinfo=timezone.get_current_timezone()
            ),
            "topic_deadline": topic_deadline,
        },
    )


def test_every_offices_staff_hear_of_topics_due_tomorrow_once(world):
    meeting = _planned(world, TODAY + D(days=1))
    assert reminders.remind(TODAY - D(days=1)) == NOTHING
    assert reminders.remind(TODAY)[TOPICS_DUE] == 1
    assert told(TOPICS_DUE) == {"office", "potato-dir", "brand-m1"}
    note = Notification.objects.filter(kind=TOPICS_DUE).first()
    assert note.title == gettext("Topics for %(meeting)s are due %(date)s") % {
        "meeting": meeting.title,
        "date": "2023-06-02",
    }
    assert note.url == meeting.get_absolute_url()
    assert reminders.remind(TODAY)[TOPICS_DUE] == 0


def test_no_topic_reminder_once_the_agenda_is_fixed(world):
    meeting = _planned(world, TODAY + D(days=1))
    services.topic_submit(
        actor=world.office, meeting=meeting, office=world.potato, data={"title": "种薯基地建设"}
    )
    topic = meeting.topics.get()
    services.topic_act(actor=world.leader, topic=topic, action="approve")
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    assert reminders.remind(TODAY)[TOPICS_DUE] == 0


def test_the_command_reports_the_counts_beside_the_others(world, consulting):
    out = StringIO()
    call_command("remind", stdout=out)
    words = out.getvalue().split()
    # Today the 2023 round is long overdue: each party is chased once, the pen holder too.
    assert f"{OVERDUE}=3" in words
    assert f"{ROUND_OVERDUE}=1" in words
    assert f"{TOPICS_DUE}=0" in words
    out = StringIO()
    call_command("remind", stdout=out)
    assert f"{OVERDUE}=0" in out.getvalue().split()


def _open_rounds(world, n: int):
    for i in range(n):
        document = services.document_save(
            actor=world.office,
            office=world.potato,
            data={"title": f"方案{i}", "kind": Kind.PLAN, "lead_author": world.office},
        )
        services.version_add(actor=world.office, document=document, text=f"第{i}稿")
        services.round_open(
            actor=world.office,
            document=document,
            deadline=DEADLINE,
            units=[world.zhuozi, world.huade],
            today=TODAY,
        )


def test_who_answers_for_a_unit_is_looked_up_once_per_unit(world):
    def lookups_for(n: int) -> int:
        _open_rounds(world, n)
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            assert reminders.remind(DEADLINE - D(days=1))[DUE_SOON] > 0
        return sum("org_roleassignment" in q["sql"] for q in ctx.captured_queries)

    few = lookups_for(1)
    assert 0 < few == lookups_for(3)
