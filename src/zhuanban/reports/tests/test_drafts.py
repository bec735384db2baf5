"""The section generators: real data made through the apps' services, the text and the
links each draft gives, and parameters the user may not see refused like unknown ones."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhuanban.brand import services as brand_services
from zhuanban.brand.tests.conftest import licence_for
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.tests.conftest import LIVESTOCK_SCHEMA, open_round
from zhuanban.investment import services as investment_services
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.models import ActivityKind
from zhuanban.org.tests.factories import ChainFactory
from zhuanban.reports import generators
from zhuanban.reports.tests.test_summary import JUNE_END, links, make_beef, make_tasks
from zhuanban.tasks import services as task_services

pytestmark = pytest.mark.django_db


def draft(source, user, as_of=None, **params):
    return generators.generate(
        source, user=user, params=params, as_of=as_of or timezone.localdate()
    )


def refused(source, user, **params):
    with pytest.raises(ValidationError) as caught:
        draft(source, user, **params)
    return caught.value.message_dict["params"]


def test_every_generator_is_registered():
    assert set(generators.GENERATORS) >= {
        "work_summary",
        "task_progress",
        "dispatch_round",
        "lagging",
        "investment",
        "brand",
    }
    assert generators.GENERATORS["task_progress"].params == ("task_list",)


# --- a task list's progress ---------------------------------------------------------------------


def test_task_progress_counts_lights_and_lists_the_red_measures_with_lead_units(world):
    task_list = make_tasks(world)
    # Ninety days on, the open measures (due in sixty) are overdue.
    later = timezone.localdate() + datetime.timedelta(days=90)
    result = draft("task_progress", world.leader, as_of=later, task_list=task_list.pk)
    assert task_list.title in result.heading
    assert "4项" in result.body
    assert "已完成1项" in result.body
    assert "3项" in result.body  # under way, and red
    assert "建设马铃薯种薯繁育基地2处" in result.body
    assert "卓资县" in result.body
    assert "建设肉牛规模养殖场1处" in result.body
    assert "化德县" in result.body
    assert "建设马铃薯种薯繁育基地1处" not in result.body  # closed: not lagging
    base = f"/tasks/?task_list={task_list.pk}"
    assert [(link.label, link.url) for link in result.links] == [
        ("4项", f"{base}&leaves=1"),
        ("已完成1项", f"{base}&status=closed&leaves=1"),
        ("3项", f"{base}&light=red&leaves=1"),
    ]


def test_task_progress_of_a_list_the_user_cannot_see_is_refused_like_an_unknown_one(world):
    hidden = task_services.tasklist_create(
        actor=world.brand_staff, office=world.brand, title="品牌办清单", year=2026, level="city"
    )
    unknown = refused("task_progress", world.zhuozi_liaison, task_list=hidden.pk + 1000)
    assert refused("task_progress", world.zhuozi_liaison, task_list=hidden.pk) == unknown
    assert refused("task_progress", world.sysadmin, task_list=hidden.pk)
    assert refused("task_progress", world.leader, task_list="abc")
    assert refused("task_progress", world.leader)


def test_a_county_drafts_the_progress_of_its_own_measures_only(world):
    task_list = make_tasks(world)
    result = draft("task_progress", world.zhuozi_liaison, task_list=task_list.pk)
    assert "3项" in result.body
    assert "已完成1项" in result.body
    assert "4项" not in result.body


# --- a dispatch round -----------------------------------------------------------------------------


def test_dispatch_round_reports_completeness_and_totals(world):
    table = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    round_ = open_round(world, table)
    submission = round_.submissions.get(unit=world.zhuozi)
    dispatch_services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=[{"beef": "6.8", "dairy": "0.5", "total": "7.3", "farms": "12", "note": ""}],
        expected_version=submission.lock_version,
    )
    result = draft("dispatch_round", world.leader, round=round_.pk)
    assert round_.title in result.heading
    assert "2个" in result.body
    assert "1个" in result.body
    assert "化德县" in result.body  # not reported
    assert "6.8万头" in result.body
    assert "7.3万头" in result.body
    assert links(result)["6.8万头"] == f"/dispatch/rounds/{round_.pk}/summary/"
    assert links(result)["2个"] == f"/dispatch/rounds/{round_.pk}/"
    # A county answers the round but never sees the others' figures.
    assert refused("dispatch_round", world.zhuozi_liaison, round=round_.pk) == refused(
        "dispatch_round", world.zhuozi_liaison, round=round_.pk + 1000
    )


# --- lagging units ----------------------------------------------------------------------------------


def test_lagging_names_the_counties_behind_time_and_a_county_sees_only_itself(world):
    beef = make_beef(world, zhuozi="1.0", huade="1.0")  # 16.7% and 18.2% at mid-year
    result = draft("lagging", world.leader, as_of=JUNE_END)
    assert "卓资县" in result.body
    assert "化德县" in result.body
    assert "落后时序进度" in result.body
    assert links(result)["肉牛存栏增量"] == (
        f"/dispatch/indicators/{beef.code}/?year=2023&as_of=2023-06-30"
    )
    own = draft("lagging", world.zhuozi_liaison, as_of=JUNE_END)
    assert "卓资县" in own.body
    assert "化德县" not in own.body
    office = draft("lagging", world.leader, as_of=JUNE_END, office=world.brand.pk)
    assert "卓资县" not in office.body  # the brand office keeps no cattle indicator
    assert refused("lagging", world.leader, office=world.zhuozi.pk)  # not an office


# --- investment and brand ------------------------------------------------------------------------


def test_investment_counts_activities_and_the_projects_they_attracted(world):
    today = timezone.localdate()
    chain = ChainFactory(code="potato", name="马铃薯产业链", short_name="薯", sort_order=3)
    project = investment_services.project_create(
        actor=None,
        name="马铃薯全粉加工项目",
        year=today.year,
        chain=chain,
        county=world.zhuozi,
        planned_investment=Decimal("9800"),
        stage=Stage.SIGNED,
        stage_on=today,
        investor="商都县十八顷农业科技有限公司",
        today=today,
    )
    investment_services.activity_save(
        actor=None,
        projects=[project],
        kind=ActivityKind.PROMOTION,
        title="马铃薯产业推介会",
        date=today,
        place="集宁区",
        organiser=world.bureau,
        county=world.zhuozi,
        today=today,
    )
    result = draft("investment", world.leader)
    assert "1次" in result.body
    assert "1个" in result.body
    assert "9800万元" in result.body
    assert links(result)["1次"] == f"/investment/activities/?year={today.year}"
    assert refused("investment", world.auditor)


def test_brand_counts_licensees_and_the_key_ones_sales_growth(world):
    today = timezone.localdate()
    licence = licence_for(
        world, "内蒙古阴山优麦食品有限公司", world.zhuozi, 1, today - datetime.timedelta(days=30)
    )
    company = licence.enterprise
    for year, amount in ((today.year - 1, "8000"), (today.year, "10000")):
        brand_services.sales_save(
            actor=world.brand_staff, enterprise=company, year=year, amount=Decimal(amount)
        )
    result = draft("brand", world.leader)
    assert "1家" in result.body
    assert "内蒙古阴山优麦食品有限公司" in result.body
    assert "25%" in result.body
    assert links(result)["1家"] == "/brand/?licensed=yes"
    assert links(result)["内蒙古阴山优麦食品有限公司"] == f"/brand/enterprises/{company.pk}/"
    # Before the licence was valid there was none.
    before = draft("brand", world.leader, as_of=today - datetime.timedelta(days=31))
    assert "1家" not in before.body


# --- the work summary as a section ---------------------------------------------------------------


def test_work_summary_generator_takes_a_unit_the_user_may_summarise(world):
    make_beef(world)
    result = draft("work_summary", world.zhuozi_liaison, as_of=JUNE_END, unit=world.zhuozi.pk)
    assert "6.8万头" in result.body
    assert refused("work_summary", world.zhuozi_liaison, unit=world.huade.pk)
    assert refused("work_summary", world.zhuozi_liaison, unit=999999)
    assert refused("work_summary", world.zhuozi_liaison, unit="")  # the bureau
    bureau = draft("work_summary", world.leader, as_of=JUNE_END, unit="")
    assert "7.8万头" in bureau.body
