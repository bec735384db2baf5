"""`zhuanban remind` also chases rectification items: the unit before the deadline, the
unit and the verifying office once it has passed; each notice once per deadline."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhuanban.core.models import Notification
from zhuanban.rectification import services
from zhuanban.rectification.lifecycle import Action

D = datetime.timedelta


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_due_soon_goes_to_the_unit_and_overdue_to_the_unit_and_the_office(world, raise_item, today):
    raise_item(due_in=3)  # yellow
    raise_item(unit=world.huade, raised_on=today - D(20), due_in=10)  # red since 10 days
    Notification.objects.all().delete()  # the notices of raising them

    counts = services.remind(today)

    assert counts == {"rectification_due_soon": 1, "rectification_overdue": 1}
    assert _kinds(world.zhuozi_liaison) == ["rectification_due_soon"]
    assert _kinds(world.huade_liaison) == ["rectification_overdue"]
    assert "rectification_overdue" in _kinds(world.office)
    overdue = Notification.objects.get(recipient=world.huade_liaison)
    assert (today - D(10)).isoformat() in overdue.title


def test_running_it_twice_sends_nothing_twice_but_a_new_deadline_is_news(world, raise_item, today):
    item = raise_item(due_in=2)
    assert services.remind(today)["rectification_due_soon"] == 1
    assert services.remind(today)["rectification_due_soon"] == 0
    services.rectification_extend(
        actor=world.office, item=item, due_date=today + D(5), comment="汛期施工受阻"
    )
    assert services.remind(today)["rectification_due_soon"] == 1


def test_items_answered_or_closed_are_not_chased(world, raise_item, today):
    answered = raise_item(due_in=1)
    services.rectification_respond(actor=world.zhuozi_liaison, item=answered, text="已整改")
    withdrawn = raise_item(due_in=1)
    services.rectification_act(
        actor=world.office, item=withdrawn, action=Action.WITHDRAW, comment="重复交办"
    )
    assert services.remind(today) == {"rectification_due_soon": 0, "rectification_overdue": 0}


def test_the_command_reports_rectification_counts_beside_the_tasks(world, raise_item, today):
    raise_item(raised_on=today - D(5), due_in=1)
    out = StringIO()
    call_command("remind", stdout=out)
    assert "rectification_overdue=1" in out.getvalue()


def test_who_to_tell_is_looked_up_once_per_unit_and_office(world, raise_item, today):
    def lookups_for(n):
        Notification.objects.all().delete()
        for _ in range(n):
            raise_item(raised_on=today - D(5), due_in=1)
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            services.remind(today)
        return sum("org_roleassignment" in q["sql"] for q in ctx.captured_queries)

    assert lookups_for(2) == lookups_for(8) > 0
