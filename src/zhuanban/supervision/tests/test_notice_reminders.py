"""`zhuanban remind` chases the replies to supervision notices: the units that have not
replied, in the last days before the deadline; them and the drafting office once it has
passed. Replied units, closed notices and commendations are left alone; each reminder
goes out once per unit and deadline."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhuanban.core.models import Notification
from zhuanban.supervision import notice_services as services
from zhuanban.supervision.lifecycle import NoticeAction
from zhuanban.supervision.models import IssuingAuthority, NoticeKind, ReasonKind

from .notice_fixtures import authority, today, with_reason

D = datetime.timedelta
DUE_SOON, OVERDUE = "notice_reply_due_soon", "notice_reply_overdue"
NOTHING = {DUE_SOON: 0, OVERDUE: 0}


def issuer() -> IssuingAuthority:
    return IssuingAuthority.objects.order_by("pk").first() or authority()


def issued(world, *, due_in: int, units=None, kind=NoticeKind.SUPERVISION):
    """A notice issued 20 days ago whose replies are due `due_in` days from today
    (negative: passed), built with the services as of the day it was issued."""
    units = [world.zhuozi] if units is None else units
    on = today() - D(days=20)
    supervision = kind == NoticeKind.SUPERVISION
    notice = services.notice_create(
        actor=world.office,
        office=world.potato,
        authority=issuer(),
        kind=kind,
        title="关于种薯基地建设进度滞后的督办通报" if supervision else "关于表扬种薯基地建设的通报",
        addressees="各旗县市区农牧局",
        units=units,
        opening="现将有关情况通报如下。",
        reply_deadline=today() + D(days=due_in),
        requirements=["立即组织整改"] if supervision else [],
        today=on,
    )
    for unit in units:
        services.notice_reason_save(
            actor=world.office,
            notice=notice,
            unit=unit,
            kind=ReasonKind.OTHER if supervision else ReasonKind.ACHIEVEMENT,
            text=f"{unit.name}进度滞后。",
        )
    services.notice_act(actor=world.office, notice=notice, action=NoticeAction.SUBMIT, today=on)
    notice = services.notice_issue(actor=world.potato_director, notice=notice, today=on)
    Notification.objects.all().delete()  # the notices of issuing it
    return notice


def told(user, kind=None) -> list[Notification]:
    notes = Notification.objects.filter(recipient=user)
    if kind:
        notes = notes.filter(kind=kind)
    return list(notes.order_by("pk"))


def test_a_unit_is_reminded_three_days_before_its_deadline_not_earlier(world):
    soon = issued(world, due_in=3)
    issued(world, due_in=4)  # not yet

    counts = services.remind_replies()

    assert counts == {DUE_SOON: 1, OVERDUE: 0}
    [note] = told(world.zhuozi_liaison)
    assert note.kind == DUE_SOON
    assert soon.number in note.title
    assert (today() + D(days=3)).isoformat() in note.title
    assert world.zhuozi.name in note.title
    assert note.url == f"{soon.get_absolute_url()}#replies"
    assert note.body == soon.title
    assert told(world.office) == []  # the office hears only once it has passed
    assert told(world.huade_liaison) == []


def test_on_the_deadline_day_it_is_still_a_reminder(world):
    issued(world, due_in=0)
    assert services.remind_replies() == {DUE_SOON: 1, OVERDUE: 0}


def test_once_the_deadline_has_passed_the_unit_and_the_drafting_office_are_told(world):
    notice = issued(world, due_in=-1)

    assert services.remind_replies() == {DUE_SOON: 0, OVERDUE: 1}

    for user in (world.zhuozi_liaison, world.office, world.potato_director):
        [note] = told(user)
        assert note.kind == OVERDUE
        assert notice.number in note.title
        assert (today() - D(days=1)).isoformat() in note.title
    assert told(world.brand_staff) == []  # another office's
    assert told(world.huade_liaison) == []


def test_a_unit_that_replied_is_not_told(world):
    notice = issued(world, due_in=-2, units=[world.zhuozi, world.huade])
    recipient = notice.recipients.get(unit=world.zhuozi)
    services.notice_reply(
        actor=world.zhuozi_liaison, notice=notice, recipient=recipient, text="已完成整改。"
    )
    Notification.objects.all().delete()  # the office's "replied" notice

    assert services.remind_replies() == {DUE_SOON: 0, OVERDUE: 1}

    assert told(world.zhuozi_liaison) == []
    [note] = told(world.huade_liaison, OVERDUE)
    assert world.huade.name in note.title
    [office_note] = told(world.office)
    assert world.huade.name in office_note.title


def test_closed_notices_and_drafts_are_not_chased(world):
    closed = issued(world, due_in=-3)
    services.notice_act(
        actor=world.office, notice=closed, action=NoticeAction.CLOSE, comment="已当面汇报"
    )
    draft = services.notice_create(
        actor=world.office,
        office=world.potato,
        authority=issuer(),
        kind=NoticeKind.SUPERVISION,
        title="尚未印发的督办通报",
        addressees="各旗县市区农牧局",
        units=[world.zhuozi],
        opening="现将有关情况通报如下。",
        reply_deadline=today() + D(days=1),
        requirements=["立即组织整改"],
    )
    with_reason(world, draft)
    Notification.objects.all().delete()

    assert services.remind_replies() == NOTHING
    assert not Notification.objects.exists()


def test_commendations_are_never_chased(world):
    issued(world, due_in=-5, kind=NoticeKind.COMMENDATION)
    issued(world, due_in=1, kind=NoticeKind.COMMENDATION)
    assert services.remind_replies() == NOTHING
    assert not Notification.objects.exists()


def test_running_it_twice_sends_nothing_twice(world):
    issued(world, due_in=2)
    issued(world, due_in=-2, units=[world.zhuozi, world.huade])
    assert services.remind_replies() == {DUE_SOON: 1, OVERDUE: 2}
    sent = Notification.objects.count()

    assert services.remind_replies() == NOTHING
    assert Notification.objects.count() == sent


def test_the_reminder_before_does_not_stand_for_the_one_after(world):
    """Due soon on one day, overdue a few days later: two different reminders."""
    issued(world, due_in=1)
    assert services.remind_replies() == {DUE_SOON: 1, OVERDUE: 0}
    assert services.remind_replies(today() + D(days=2)) == {DUE_SOON: 0, OVERDUE: 1}
    assert [n.kind for n in told(world.zhuozi_liaison)] == [DUE_SOON, OVERDUE]


def test_the_command_reports_the_notice_counts_beside_the_others(world):
    issued(world, due_in=-1, units=[world.zhuozi, world.huade])
    issued(world, due_in=2)
    out = StringIO()

    call_command("remind", stdout=out)

    words = out.getvalue().split()
    assert "notice_reply_overdue=2" in words
    assert "notice_reply_due_soon=1" in words
    assert "rectification_overdue=2" in words  # the items the notice opened, chased too
    out = StringIO()
    call_command("remind", stdout=out)
    assert "notice_reply_overdue=0" in out.getvalue().split()


def test_who_to_tell_is_looked_up_once_per_unit_and_office(world):
    def lookups_for(n):
        for _ in range(n):
            issued(world, due_in=-1, units=[world.zhuozi, world.huade])
        with CaptureQueriesContext(connection) as ctx:
            assert services.remind_replies()[OVERDUE] > 0
        return sum("org_roleassignment" in q["sql"] for q in ctx.captured_queries)

    assert lookups_for(2) == lookups_for(6) > 0
