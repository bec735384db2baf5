"""The dashboards' data: figures per scope, what a county may not see, as of a past month
end, a constant number of queries, the cache and its invalidation."""

import datetime
import pickle
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhuanban.dispatch.models import Indicator, IndicatorValue, Target
from zhuanban.dispatch.periods import PeriodKind
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.tests.conftest import inv, make_project  # noqa: F401
from zhuanban.rectification.tests.conftest import raise_item  # noqa: F401
from zhuanban.reports import selectors
from zhuanban.reports.selectors import BUREAU, COUNTY, OFFICE, DashboardScope
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.tests.conftest import make_task, task_list, today  # noqa: F401

MAX_QUERIES = 40


def _assign(world, task):
    return task_services.task_act(actor=world.office, task=task, action=Action.ASSIGN)


def _close(world, task):
    liaison = world.zhuozi_liaison if task.lead_unit_id == world.zhuozi.pk else world.huade_liaison
    task = task_services.task_act(actor=liaison, task=task, action=Action.ACCEPT)
    task = task_services.task_act(actor=liaison, task=task, action=Action.REQUEST_CLOSE)
    return task_services.task_act(actor=world.office, task=task, action=Action.CLOSE)


@pytest.fixture
def indicator(world):
    """肉牛存栏增量, targets for the city and both counties, June's values of this year and
    of last year."""
    ind = Indicator.objects.create(
        code="beef_increase",
        name="肉牛存栏增量",
        unit_of_measure="万头",
        office=world.potato,
        aggregation="sum",
        decimals=2,
    )
    year = timezone.localdate().year
    for unit, target in ((world.city, "11.5"), (world.zhuozi, "6"), (world.huade, "4")):
        Target.objects.create(indicator=ind, unit=unit, year=year, value=Decimal(target))
    for y, zhuozi, huade in ((year, "4", "3"), (year - 1, "2", "3")):
        for unit, value in ((world.zhuozi, zhuozi), (world.huade, huade)):
            IndicatorValue.objects.create(
                indicator=ind,
                unit=unit,
                year=y,
                period_kind=PeriodKind.MONTH,
                period_number=1,
                period_end=datetime.date(y, 1, 31),
                value=Decimal(value),
            )
    return ind


def populate(world, inv, make_task, raise_item, n, batch=0):  # noqa: F811
    """n measures per county (one closed each), n projects per county, n rectifications."""
    for unit in (world.zhuozi, world.huade):
        for i in range(n):
            task = _assign(world, make_task(lead=unit, content=f"措施{i}"))
            if i == 0:
                _close(world, task)
        for i in range(n):
            make_project(
                inv,
                f"{unit.name}项目{batch}-{i}",
                county=unit,
                stage=Stage.SIGNED if i % 2 else Stage.PLANNED,
                on=timezone.localdate(),
            )
        for _i in range(n):
            raise_item(unit)


def build(user, kind=BUREAU, unit=None, as_of=None):
    return selectors.build_dashboard(user, DashboardScope(kind, unit), as_of)


def test_bureau_counts_every_measure_by_county_and_office(world, make_task):  # noqa: F811
    _close(world, _assign(world, make_task(lead=world.zhuozi)))
    _assign(
        world,
        make_task(lead=world.zhuozi, due_date=timezone.localdate() - datetime.timedelta(days=3)),
    )
    _assign(world, make_task(lead=world.huade))

    dash = build(world.leader)

    counts = dash.tasks.counts
    assert (counts["total"], counts["closed"], counts["red"]) == (3, 1, 1)
    assert counts["yellow"] + counts["green"] == 1
    assert dash.tasks.closed_share == Decimal("33.3")
    by_county = {
        row["name"]: (row["total"], row["closed"], row["red"]) for row in dash.tasks.by_county
    }
    assert by_county == {"卓资县": (2, 1, 1), "化德县": (1, 0, 0)}
    assert [(r["name"], r["total"]) for r in dash.tasks.by_office] == [("马铃薯产业办", 3)]
    # Every figure drills down to the ledger, filtered the same way.
    zhuozi = next(r for r in dash.tasks.by_county if r["name"] == "卓资县")
    assert zhuozi["urls"]["red"] == f"/tasks/?leaves=1&county={world.zhuozi.pk}&light=red"
    assert counts["urls"]["closed"] == "/tasks/?leaves=1&status=closed"
    assert [c["name"] for c in dash.counties] == ["卓资县", "化德县"]
    assert dash.counties[0]["url"] == f"/reports/county/{world.zhuozi.pk}/"


def test_county_dashboard_shows_only_the_county(world, make_task, indicator):  # noqa: F811
    _assign(world, make_task(lead=world.zhuozi))
    _assign(world, make_task(lead=world.huade))
    _assign(world, make_task(lead=world.huade))

    dash = build(world.zhuozi_liaison, COUNTY, world.zhuozi)

    assert dash.tasks.counts["total"] == 1
    assert [r["name"] for r in dash.tasks.by_county] == ["卓资县"]
    assert dash.tasks.counts["urls"]["total"] == f"/tasks/?leaves=1&county={world.zhuozi.pk}"
    (line,) = dash.indicators
    # 卓资县: 4 of 6 (66.7 %), 化德县 3 of 4 (75 %): second of two, and no other figure.
    assert (line.actual, line.target, line.completion) == (Decimal(4), Decimal(6), Decimal("66.7"))
    assert (line.rank, line.ranked) == (2, 2)
    assert line.counties == []
    assert line.last_year == Decimal(2)
    assert line.yoy == Decimal("100.0")
    assert dash.offices == []
    assert dash.counties == []
    assert dash.investment is not None
    assert dash.investment.upward_url == ""


def test_bureau_indicators_against_target_time_and_last_year(world, indicator):
    dash = build(world.leader)

    (line,) = dash.indicators
    assert (line.actual, line.target) == (Decimal(7), Decimal("11.5"))
    assert line.completion == Decimal("60.9")
    assert line.as_of.month == 1
    assert line.elapsed == Decimal("8.3")
    assert line.last_year == Decimal(5)
    assert line.yoy == Decimal("40.0")
    assert [(c["name"], c["rank"]) for c in line.counties] == [("化德县", 1), ("卓资县", 2)]
    assert line.url == "/dispatch/indicators/beef_increase/"


def test_office_dashboard_keeps_to_its_office(world, make_task, indicator, inv):  # noqa: F811
    _assign(world, make_task(lead=world.zhuozi))
    Indicator.objects.create(code="brand_sales", name="品牌销售额", office=world.brand)

    potato = build(world.office, OFFICE, world.potato)
    brand = build(world.brand_staff, OFFICE, world.brand)

    assert potato.tasks.counts["total"] == 1
    assert [line.code for line in potato.indicators] == ["beef_increase"]
    assert potato.brand is None
    assert potato.investment is None
    assert brand.tasks.counts["total"] == 0
    assert brand.indicators == []
    assert brand.brand is not None
    investment = build(inv.staff, OFFICE, inv.office)
    assert investment.investment is not None
    assert investment.brand is None


def test_investment_funnel_lights_and_activities(world, inv):  # noqa: F811
    make_project(inv, "甲", county=world.zhuozi, stage=Stage.SIGNED, on=timezone.localdate())
    make_project(inv, "乙", county=world.zhuozi, stage=Stage.PLANNED, on=timezone.localdate())
    make_project(inv, "丙", county=world.huade, stage=Stage.PRODUCING, on=timezone.localdate())

    bureau = build(world.leader).investment
    zhuozi = build(world.zhuozi_liaison, COUNTY, world.zhuozi).investment

    assert bureau.projects == 3
    assert [(s["stage"], s["count"], s["reached"]) for s in bureau.stages][:3] == [
        (Stage.PLANNED, 1, 3),
        (Stage.NEGOTIATING, 0, 2),
        (Stage.SIGNED, 1, 2),
    ]
    assert zhuozi.projects == 2
    signed = next(s for s in zhuozi.stages if s["stage"] == Stage.SIGNED)
    year = timezone.localdate().year
    assert (
        signed["url"] == f"/investment/projects/?stage=signed&year={year}&county={world.zhuozi.pk}"
    )


def test_rectifications_open_and_overdue(world, raise_item):  # noqa: F811
    raise_item(world.zhuozi)
    raise_item(world.huade, raised_on=timezone.localdate() - datetime.timedelta(days=40))

    bureau = build(world.leader).supervision
    huade = build(world.huade_liaison, COUNTY, world.huade).supervision

    assert (bureau.open, bureau.overdue) == (2, 1)
    assert (huade.open, huade.overdue) == (1, 1)
    assert huade.overdue_url == f"/rectification/?overdue=1&county={world.huade.pk}"


def test_as_of_a_past_month_end_counts_what_stood_then(world, make_task, indicator):  # noqa: F811
    now_day = timezone.localdate()
    month_end = now_day.replace(day=1) - datetime.timedelta(days=1)
    early, _late = (
        _assign(
            world, make_task(lead=world.zhuozi, due_date=month_end + datetime.timedelta(days=60))
        ),
        _assign(world, make_task(lead=world.zhuozi)),
    )
    early = _close(world, early)
    # The first was entered before the month end and closed after it; the second is new.
    type(early).objects.filter(pk=early.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(month_end, datetime.time(9)))
    )

    now = build(world.leader)
    then = build(world.leader, as_of=month_end)

    assert (now.tasks.counts["total"], now.tasks.counts["closed"]) == (2, 1)
    assert (then.tasks.counts["total"], then.tasks.counts["closed"]) == (1, 0)
    assert then.tasks.counts["green"] + then.tasks.counts["yellow"] == 1
    assert then.as_of == month_end
    assert now.as_of is None
    (line,) = then.indicators
    if month_end.year == now_day.year:  # January's values count once January has ended
        assert line.as_of == month_end


def test_month_ends_are_those_with_data(world, indicator):
    year = timezone.localdate().year
    ends = selectors.month_ends(world.leader)
    assert datetime.date(year - 1, 1, 31) in ends
    assert ends == sorted(ends, reverse=True)
    assert selectors.month_ends(world.auditor) == []


@pytest.mark.parametrize("kind", [BUREAU, OFFICE, COUNTY])
def test_query_count_is_constant(world, inv, make_task, raise_item, indicator, kind):  # noqa: F811
    user, unit = {
        BUREAU: (world.leader, None),
        OFFICE: (world.office, world.potato),
        COUNTY: (world.zhuozi_liaison, world.zhuozi),
    }[kind]
    populate(world, inv, make_task, raise_item, 2)
    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as few:
        small = build(user, kind, unit)
    populate(world, inv, make_task, raise_item, 8, batch=1)
    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as many:
        large = build(user, kind, unit)

    assert large.tasks.counts["total"] > small.tasks.counts["total"]
    assert len(many) == len(few)
    assert len(many) <= MAX_QUERIES


def test_cached_dashboard_takes_few_queries_and_pickles(world, make_task):  # noqa: F811
    _assign(world, make_task(lead=world.zhuozi))
    scope = DashboardScope(BUREAU)
    first = selectors.dashboard(world.leader, scope)
    pickle.loads(pickle.dumps(first))  # noqa: S301 (our own object: the cache pickles it)
    with CaptureQueriesContext(connection) as warm:
        again = selectors.dashboard(world.leader, scope)
    assert len(warm) <= 3
    assert again.tasks.counts["total"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_shows_on_the_next_dashboard(world, make_task):  # noqa: F811
    # Real commits: the cache moves to a new generation once a transaction has committed.
    task = _assign(world, make_task(lead=world.zhuozi))
    scope = DashboardScope(BUREAU)
    assert selectors.dashboard(world.leader, scope).tasks.counts["closed"] == 0

    _close(world, task)

    assert selectors.dashboard(world.leader, scope).tasks.counts["closed"] == 1


def test_people_sharing_a_scope_share_the_entry(world, make_task):  # noqa: F811
    _assign(world, make_task(lead=world.zhuozi))
    scope = DashboardScope(COUNTY, world.zhuozi)
    selectors.dashboard(world.leader, scope)
    selectors.dashboard(world.zhuozi_liaison, scope)
    with CaptureQueriesContext(connection) as warm:
        selectors.dashboard(world.zhuozi_liaison, scope)
    assert len(warm) <= 3


def test_charts_are_plain_json_with_the_figures(world, make_task, indicator, inv):  # noqa: F811
    _assign(world, make_task(lead=world.zhuozi))
    _assign(world, make_task(lead=world.huade))
    make_project(inv, "甲", county=world.zhuozi, stage=Stage.SIGNED, on=timezone.localdate())
    import json

    charts = selectors.charts(build(world.leader))

    by_county = json.loads(charts["tasks_by_county"])
    assert by_county["data"][0]["x"] == ["卓资县", "化德县"]
    assert by_county["layout"]["legend"]["orientation"] == "h"
    indicators = json.loads(charts["indicators"])
    assert indicators["data"][0]["x"] == [60.9]
    (elapsed,) = indicators["layout"]["shapes"]  # time elapsed: a line across the plot
    assert (elapsed["x0"], elapsed["x1"], elapsed["yref"]) == (8.3, 8.3, "paper")
    assert indicators["layout"]["xaxis"]["range"][1] >= 100  # the line is inside the axis
    funnel = json.loads(charts["funnel"])
    assert funnel["data"][0]["type"] == "funnel"
    assert funnel["data"][0]["x"][:3] == [1, 1, 1]
