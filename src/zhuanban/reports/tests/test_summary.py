"""The work summary drafted from data, as the user sees it, as of a day: measures of the
year's task lists, indicators with their share of the target (and a county's rank), and a
clause left out when it has nothing to say."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import Indicator
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.reports import summary
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.models import Task

pytestmark = pytest.mark.django_db

TITLE = "2026年马铃薯产业重点工作任务清单"
JUNE_END = datetime.date(2023, 6, 30)


def make_measures(world, task_list, n: int, lead, name="建设马铃薯种薯繁育基地"):
    today = timezone.localdate()
    tasks = []
    for i in range(n):
        task = task_services.task_create(
            actor=world.office,
            task_list=task_list,
            content=f"{name}{i + 1}处",
            lead_unit=lead,
            start_date=today - datetime.timedelta(days=30),
            due_date=today + datetime.timedelta(days=60),
        )
        tasks.append(task_services.task_act(actor=world.office, task=task, action=Action.ASSIGN))
    return tasks


def close(world, task, liaison):
    task = task_services.task_act(actor=liaison, task=task, action=Action.ACCEPT)
    task = task_services.task_act(actor=liaison, task=task, action=Action.REQUEST_CLOSE)
    return task_services.task_act(actor=world.office, task=task, action=Action.CLOSE)


def make_tasks(world, *, zhuozi=3, huade=1):
    """A potato-office list of this year: measures led by 卓资县 (one closed) and 化德县."""
    task_list = task_services.tasklist_create(
        actor=world.office,
        office=world.potato,
        title=TITLE,
        year=timezone.localdate().year,
        level="city",
    )
    ours = make_measures(world, task_list, zhuozi, world.zhuozi)
    make_measures(world, task_list, huade, world.huade, name="建设肉牛规模养殖场")
    close(world, ours[0], world.zhuozi_liaison)
    return task_list


def make_beef(world, *, zhuozi="6.8", huade="1.0"):
    """肉牛存栏增量 of June 2023: the city's target 11.5万头, 卓资县 6 and 化德县 5.5."""
    beef = dispatch_services.indicator_save(
        actor=world.office,
        code="beef_increase",
        name="肉牛存栏增量",
        unit_of_measure="万头",
        office=world.potato,
        aggregation="latest",
        decimals=2,
    )
    for unit, target in ((world.city, "11.5"), (world.zhuozi, "6"), (world.huade, "5.5")):
        dispatch_services.target_set(
            actor=world.office, indicator=beef, unit=unit, year=2023, value=target
        )
    june = Period(2023, PeriodKind.MONTH, 6)
    for unit, value in ((world.zhuozi, zhuozi), (world.huade, huade)):
        dispatch_services.indicator_value_set(
            actor=world.office, indicator=beef, unit=unit, period=june, value=Decimal(value)
        )
    return beef


def links(draft) -> dict[str, str]:
    return {link.label: link.url for link in draft.links}


def test_the_bureau_counts_the_years_measures_with_links_to_the_ledger(world):
    task_list = make_tasks(world)
    draft = summary.work_summary(world.leader, unit=None, as_of=timezone.localdate())
    assert "全市" in draft.body
    assert TITLE in draft.body
    assert "4项已完成1项" in draft.body
    assert links(draft) == {
        "4项": f"/tasks/?task_list={task_list.pk}&leaves=1",
        "已完成1项": f"/tasks/?task_list={task_list.pk}&status=closed&leaves=1",
    }
    assert not re.search(r"(?<![\d.])0[项个次家份]", draft.body)


def test_measures_count_as_of_the_day(world):
    """A measure closed after the day is open on it; one assigned after it is not there."""
    make_tasks(world)
    now = timezone.now()
    Task.objects.update(assigned_at=now - datetime.timedelta(days=10))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    draft = summary.work_summary(world.leader, unit=None, as_of=yesterday)
    assert "4项" in draft.body
    assert "已完成" not in draft.body  # closed today, not by yesterday
    Task.objects.update(assigned_at=now)
    draft = summary.work_summary(world.leader, unit=None, as_of=yesterday)
    assert "项" not in draft.body
    assert draft.links == []


def test_indicators_with_their_share_of_the_target_as_of_the_day(world):
    beef = make_beef(world)
    draft = summary.work_summary(world.leader, unit=None, as_of=JUNE_END)
    assert "7.8万头、完成年度任务的三分之二以上" in draft.body  # 7.8 of 11.5: 67.8%
    assert links(draft) == {
        "7.8万头": f"/dispatch/indicators/{beef.code}/?year=2023&as_of=2023-06-30",
    }
    # Before June's values: nothing to say about the indicator.
    before = summary.work_summary(world.leader, unit=None, as_of=datetime.date(2023, 5, 31))
    assert "万头" not in before.body


def test_a_county_sees_its_own_figures_and_its_rank_not_the_others(world):
    make_tasks(world)
    make_beef(world)
    draft = summary.work_summary(world.zhuozi_liaison, unit=world.zhuozi, as_of=JUNE_END)
    assert "卓资县" in draft.body
    assert "6.8万头、超额完成年度任务，居全市第1位" in draft.body
    assert "1万头" not in draft.body  # 化德县's value
    today = summary.work_summary(
        world.zhuozi_liaison, unit=world.zhuozi, as_of=timezone.localdate()
    )
    assert "3项已完成1项" in today.body  # 化德县's measure not counted
    assert "4项" not in today.body
    assert links(today)["3项"].endswith(f"&county={world.zhuozi.pk}&leaves=1")


def test_an_office_sees_its_lists_and_indicators_only(world):
    make_tasks(world)
    make_beef(world)
    potato = summary.work_summary(world.office, unit=world.potato, as_of=JUNE_END)
    assert "7.8万头" in potato.body
    brand = summary.work_summary(world.brand_staff, unit=world.brand, as_of=JUNE_END)
    assert "万头" not in brand.body
    assert brand.links == []
    assert "品牌办" in brand.body


def test_who_may_summarise_which_scope(world):
    leader = summary.summary_choices(world.leader)
    assert leader.bureau
    assert {u.pk for u in leader.offices} == {world.potato.pk, world.brand.pk}
    assert {u.pk for u in leader.counties} == {world.zhuozi.pk, world.huade.pk}
    office = summary.summary_choices(world.office)
    assert (office.bureau, [u.pk for u in office.offices], office.counties) == (
        False,
        [world.potato.pk],
        [],
    )
    county = summary.summary_choices(world.zhuozi_liaison)
    assert (county.bureau, county.offices, [u.pk for u in county.counties]) == (
        False,
        [],
        [world.zhuozi.pk],
    )
    for admin in (world.sysadmin, world.secadmin, world.auditor, world.outsider):
        assert not summary.summary_choices(admin)
    refused = [
        (world.zhuozi_liaison, world.huade),
        (world.zhuozi_liaison, None),
        (world.office, None),
        (world.office, world.brand),
        (world.sysadmin, None),
    ]
    for user, unit in refused:
        with pytest.raises(ValidationError) as caught:
            summary.work_summary(user, unit=unit, as_of=JUNE_END)
        assert "params" in caught.value.message_dict


def test_the_summarys_queries_stay_flat_as_data_grows(world):
    make_tasks(world, zhuozi=2, huade=0)
    make_beef(world)
    day = timezone.localdate()
    summary.work_summary(world.leader, unit=None, as_of=day)  # the user's scope, once
    with CaptureQueriesContext(connection) as few:
        summary.work_summary(world.leader, unit=None, as_of=day)
    make_tasks(world, zhuozi=10, huade=5)  # a second list of the same title
    other = task_services.tasklist_create(
        actor=world.office, office=world.potato, title="另一清单", year=day.year, level="city"
    )
    make_measures(world, other, 3, world.huade)
    # Another indicator of the same aggregation (each kind of aggregation is one query).
    Indicator.objects.create(
        code="dairy", name="奶牛存栏增量", unit_of_measure="万头", aggregation="latest"
    )
    with CaptureQueriesContext(connection) as many:
        draft = summary.work_summary(world.leader, unit=None, as_of=day)
    assert "另一清单" in draft.body
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
