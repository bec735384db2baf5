"""The stage clocks' daily reminders: who is told, and never twice."""

import datetime

import pytest
from django.core.management import call_command

from zhuanban.core.models import Notification
from zhuanban.investment import reminders
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.tests.conftest import TODAY, make_project

pytestmark = pytest.mark.django_db


def test_yellow_tells_the_county_red_tells_the_office_too_and_never_twice(inv):
    w = inv.world
    # Signed: yellow past 75 days, red past 90 (the default clock).
    make_project(inv, "黄灯项目", stage=Stage.SIGNED, on=TODAY - datetime.timedelta(days=80))
    make_project(inv, "红灯项目", stage=Stage.SIGNED, on=TODAY - datetime.timedelta(days=91))
    make_project(inv, "绿灯项目", stage=Stage.SIGNED, on=TODAY - datetime.timedelta(days=3))
    counts = reminders.remind(TODAY)
    assert counts == {"investment_stage_warning": 1, "investment_stage_overdue": 2}
    county = set(
        Notification.objects.filter(recipient=w.zhuozi_liaison).values_list("kind", "title")
    )
    assert {kind for kind, _title in county} == {
        "investment_stage_warning",
        "investment_stage_overdue",
    }
    assert not any("绿灯项目" in title for _kind, title in county)
    office = Notification.objects.filter(recipient=inv.staff).values_list("title", flat=True)
    assert [("红灯项目" in title) for title in office] == [True]
    assert reminders.remind(TODAY) == {"investment_stage_warning": 0, "investment_stage_overdue": 0}


def test_the_daily_command_includes_the_clocks(inv, capsys):
    make_project(inv, "红灯项目", stage=Stage.SIGNED, on=datetime.date(2020, 1, 1), today=TODAY)
    call_command("remind")
    assert "investment_stage_overdue=2" in capsys.readouterr().out
