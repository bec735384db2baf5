"""The pipeline's reads against numbers worked out by hand: the funnel by stage, chain and
county, the lights, the activity counts ("开展活动 N 次, 招引项目 M 个") and the upward
totals with their year-on-year change ("支持资金同比增加25%"), scoped to the reader, in a
number of queries that does not grow with the rows.

The register (today 2026-06-30, default clocks):

| project      | county | chain | stage       | since      | key | 万元  | light  |
|--------------|--------|-------|-------------|------------|-----|-------|--------|
| 全粉加工     | 卓资县 | 薯    | planned     | 2026-06-20 | yes |  9800 | green  |
| 肉牛屠宰     | 卓资县 | 牛    | negotiating | 2026-03-01 | yes |  5000 | red    |
| 奶源基地     | 化德县 | 乳    | signed      | 2026-05-01 | no  | 20000 | yellow |
| 薯条加工     | 化德县 | 薯    | producing   | 2026-04-01 | yes | 30000 | grey   |
| 冷链物流     | 卓资县 | 薯    | dropped     | 2026-03-01 | no  |  1200 | grey   |
| 燕麦加工 '25 | 卓资县 | 薯    | landed      | 2025-12-01 | yes |  6000 | red    |

肉牛屠宰: 121 days negotiating, limit 60. 奶源基地: 60 days signed (yellow from 76), but
no report for 60 > 14 days. 燕麦加工: 211 days landed, limit 90.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhuanban.investment import selectors, services
from zhuanban.investment.lifecycle import Stage, UpwardAction
from zhuanban.investment.models import ActivityKind, UpwardApplication, UpwardKind
from zhuanban.investment.tests.conftest import TODAY, make_project
from zhuanban.org.scoping import scope_for
from zhuanban.tasks.models import Light

pytestmark = pytest.mark.django_db

D = datetime.date
P, N, S, LA, ST, PR, DR = (
    Stage.PLANNED,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.LANDED,
    Stage.STARTED,
    Stage.PRODUCING,
    Stage.DROPPED,
)


@pytest.fixture
def register(inv):
    w = inv.world
    found = SimpleNamespace(inv=inv)
    found.flour = make_project(inv, "全粉加工", stage=P, on=D(2026, 6, 20), is_key=True)
    found.beef = make_project(
        inv, "肉牛屠宰", stage=N, on=D(2026, 3, 1), is_key=True, planned="5000", chain=inv.beef
    )
    found.dairy = make_project(
        inv,
        "奶源基地",
        stage=S,
        on=D(2026, 5, 1),
        planned="20000",
        chain=inv.dairy,
        county=w.huade,
    )
    found.fries = make_project(
        inv, "薯条加工", stage=PR, on=D(2026, 4, 1), is_key=True, planned="30000", county=w.huade
    )
    found.cold = services.project_move(
        actor=None,
        project=make_project(inv, "冷链物流", stage=N, on=D(2026, 2, 1), planned="1200"),
        to_stage=DR,
        on=D(2026, 3, 1),
        reason="投资方撤资",
        today=TODAY,
    )
    found.oats = make_project(
        inv, "燕麦加工", stage=LA, on=D(2025, 12, 1), is_key=True, planned="6000"
    )
    return found


# --- funnel ---------------------------------------------------------------------------------


def test_the_funnel_of_the_year_by_stage(register):
    funnel = selectors.funnel(register.inv.world.leader, year=2026)
    assert funnel.stages == {P: 1, N: 1, S: 1, PR: 1, DR: 1}
    assert funnel.total == 5
    assert funnel.planned_by_stage == {
        P: Decimal("9800"),
        N: Decimal("5000"),
        S: Decimal("20000"),
        PR: Decimal("30000"),
        DR: Decimal("1200"),
    }
    # Reached each stage or went further; the dropped one is left out.
    assert funnel.reached() == [(P, 4), (N, 3), (S, 2), (LA, 1), (ST, 1), (PR, 1)]


def test_the_funnel_by_chain_lists_every_chain(register):
    inv = register.inv
    funnel = selectors.funnel(inv.world.leader, year=2026)
    rows = {row.key: row for row in funnel.by_chain}
    assert [row.key for row in funnel.by_chain] == [inv.potato, inv.beef, inv.dairy]
    #                        planned neg signed landed started producing dropped
    assert rows[inv.potato].cells() == [1, 0, 0, 0, 0, 1, 1]
    assert rows[inv.beef].cells() == [0, 1, 0, 0, 0, 0, 0]
    assert rows[inv.dairy].cells() == [0, 0, 1, 0, 0, 0, 0]
    assert [(r.total, r.signed_or_later) for r in funnel.by_chain] == [(3, 1), (1, 0), (1, 1)]


def test_the_funnel_by_county(register):
    w = register.inv.world
    funnel = selectors.funnel(w.leader, year=2026)
    assert [row.key for row in funnel.by_county] == [w.zhuozi, w.huade]
    zhuozi, huade = funnel.by_county
    assert zhuozi.cells() == [1, 1, 0, 0, 0, 0, 1]
    assert huade.cells() == [0, 0, 1, 0, 0, 1, 0]
    assert [(r.total, r.signed_or_later) for r in funnel.by_county] == [(3, 0), (2, 2)]


def test_key_projects_only_and_every_year(register):
    leader = register.inv.world.leader
    key = selectors.funnel(leader, year=2026, key_only=True)
    assert key.stages == {P: 1, N: 1, PR: 1}
    assert key.planned_by_stage[PR] == Decimal("30000")
    every_year = selectors.funnel(leader)
    assert every_year.stages == {P: 1, N: 1, S: 1, LA: 1, PR: 1, DR: 1}
    assert every_year.reached() == [(P, 5), (N, 4), (S, 3), (LA, 2), (ST, 1), (PR, 1)]
    assert selectors.funnel(leader, year=2025).stages == {LA: 1}
    assert selectors.funnel(leader, year=2024).total == 0


def test_the_funnel_is_scoped_to_the_reader(register):
    w = register.inv.world
    zhuozi = selectors.funnel(w.zhuozi_liaison, year=2026)
    assert zhuozi.stages == {P: 1, N: 1, DR: 1}
    assert [row.key for row in zhuozi.by_county] == [w.zhuozi]
    assert [row.total for row in zhuozi.by_chain] == [2, 1, 0]
    huade = selectors.funnel(w.huade_liaison, year=2026)
    assert huade.stages == {S: 1, PR: 1}
    assert huade.planned_by_stage == {S: Decimal("20000"), PR: Decimal("30000")}
    for who in ("sysadmin", "auditor", "outsider"):
        nothing = selectors.funnel(getattr(w, who))
        assert (nothing.total, nothing.by_county) == (0, [])
        assert all(row.total == 0 for row in nothing.by_chain)


def test_the_funnel_takes_the_same_few_queries_for_3_or_30_projects(inv):
    leader = inv.world.leader
    scope_for(leader)  # the reader's scope is worked out once per request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.funnel(leader, year=2026)
        return len(captured)

    counties = [inv.world.zhuozi, inv.world.huade]
    chains = [inv.potato, inv.beef, inv.dairy]
    stages = [P, N, S, LA, ST, PR]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_project(
                inv,
                f"项目{i}",
                county=counties[i % 2],
                chain=chains[i % 3],
                stage=stages[i % 6],
                on=D(2026, 6, 1),
            )

    add(3, 0)
    few = queries()
    add(27, 3)
    assert selectors.funnel(leader, year=2026).total == 30
    assert queries() == few <= 5


# --- lights -----------------------------------------------------------------------------------


def test_light_counts(register):
    w = register.inv.world
    counts = selectors.light_counts(w.leader, year=2026, today=TODAY)
    assert counts == {Light.GREEN: 1, Light.YELLOW: 1, Light.RED: 1, Light.GREY: 2}
    assert selectors.light_counts(w.leader, today=TODAY) == {
        Light.GREEN: 1,
        Light.YELLOW: 1,
        Light.RED: 2,
        Light.GREY: 2,
    }
    assert selectors.light_counts(w.zhuozi_liaison, today=TODAY) == {
        Light.GREEN: 1,
        Light.YELLOW: 0,
        Light.RED: 2,
        Light.GREY: 1,
    }
    assert selectors.light_counts(w.auditor, today=TODAY) == dict.fromkeys(
        (Light.GREEN, Light.YELLOW, Light.RED, Light.GREY), 0
    )


def test_light_counts_move_with_a_report_and_with_the_day(register):
    w = register.inv.world
    # 奶源基地 reports: its report clock is met, and at 60 of 90 days it turns green.
    services.project_report(
        actor=None, project=register.dairy, on=TODAY, text="办理施工许可", today=TODAY
    )
    counts = selectors.light_counts(w.leader, year=2026, today=TODAY)
    assert (counts[Light.GREEN], counts[Light.YELLOW]) == (2, 0)
    # Seventeen days on, 全粉加工 has waited 27 of 30 days (yellow from 24) and the dairy
    # report is 17 days old (> 14): two yellow.
    later = TODAY + datetime.timedelta(days=17)
    counts = selectors.light_counts(w.leader, year=2026, today=later)
    assert counts == {Light.GREEN: 0, Light.YELLOW: 2, Light.RED: 1, Light.GREY: 2}


def test_projects_with_light_carry_the_light_and_the_funds_in_place(register):
    w = register.inv.world
    services.project_report(
        actor=None,
        project=register.fries,
        on=D(2026, 5, 1),
        text="一期",
        received=Decimal("12000"),
        today=TODAY,
    )
    services.project_report(
        actor=None,
        project=register.fries,
        on=D(2026, 6, 1),
        text="二期",
        received=Decimal("3000.50"),
        today=TODAY,
    )
    found = {
        p.name: (p.light, p.received)
        for p in selectors.projects_with_light(w.huade_liaison, today=TODAY)
    }
    assert found == {
        "奶源基地": (Light.YELLOW, Decimal("0")),
        "薯条加工": (Light.GREY, Decimal("15000.50")),
    }


# --- activities -------------------------------------------------------------------------------


@pytest.fixture
def activities(register):
    inv = register.inv
    w = inv.world

    def record(kind, title, date, organiser, county, projects):
        return services.activity_save(
            actor=None,
            projects=projects,
            kind=kind,
            title=title,
            date=date,
            place="集宁区",
            organiser=organiser,
            county=county,
            today=TODAY,
        )

    # 全粉加工 came out of two activities: it is one project attracted, not two.
    record(
        ActivityKind.PROMOTION,
        "马铃薯产业推介会",
        D(2026, 3, 10),
        inv.office,
        None,
        [register.flour, register.beef],
    )
    record(
        ActivityKind.VISIT_OUT,
        "卓资县赴京招商",
        D(2026, 4, 2),
        w.zhuozi,
        w.zhuozi,
        [register.flour, register.cold],
    )
    record(ActivityKind.DELEGATION, "接待伊利考察团", D(2025, 11, 1), w.huade, w.huade, [])
    record(ActivityKind.ONLINE, "云招商会", D(2025, 12, 20), inv.office, None, [register.fries])
    return register


def test_activities_and_the_projects_they_attracted(activities):
    w = activities.inv.world
    year = selectors.activity_summary(w.leader, year=2026)
    assert (year.activities, year.projects) == (2, 3)
    assert year.by_kind == {
        ActivityKind.PROMOTION: 1,
        ActivityKind.VISIT_OUT: 1,
        ActivityKind.DELEGATION: 0,
        ActivityKind.ONLINE: 0,
        ActivityKind.OTHER: 0,
    }
    every = selectors.activity_summary(w.leader)
    assert (every.activities, every.projects) == (4, 4)
    assert sum(every.by_kind.values()) == 4
    last = selectors.activity_summary(w.leader, year=2025)
    assert (last.activities, last.projects) == (2, 1)


def test_activity_counts_are_scoped(activities):
    w = activities.inv.world
    zhuozi = selectors.activity_summary(w.zhuozi_liaison)
    assert (zhuozi.activities, zhuozi.projects) == (1, 2)
    huade = selectors.activity_summary(w.huade_liaison)
    assert (huade.activities, huade.projects) == (1, 0)
    nobody = selectors.activity_summary(w.outsider)
    assert (nobody.activities, nobody.projects) == (0, 0)


def test_activity_counts_take_two_queries_however_many(activities):
    leader = activities.inv.world.leader
    scope_for(leader)
    with CaptureQueriesContext(connection) as captured:
        selectors.activity_summary(leader, year=2026)
    assert len(captured) == 2


# --- upward totals ----------------------------------------------------------------------------


@pytest.fixture
def upward(inv):
    """2025: 4000 of 5000 granted (potato) and a rejection; 2026: 3000 (potato) + 2000 (beef)
    granted, one still submitted, one rejected: 5000 granted, +25% on 2025."""
    w = inv.world

    def application(title, chain, year, requested, *, office=None, granted=None, reject=False):
        app = services.upward_save(
            actor=None,
            title=title,
            kind=UpwardKind.FUNDS,
            authority="农业农村部",
            chain=chain,
            office=office or inv.office,
            year=year,
            amount_requested=Decimal(requested),
            today=TODAY,
        )
        app = services.upward_act(
            actor=None, application=app, action=UpwardAction.SUBMIT, on=D(year, 3, 1), today=TODAY
        )
        if granted is not None:
            app = services.upward_act(
                actor=None,
                application=app,
                action=UpwardAction.APPROVE,
                on=D(year, 6, 1),
                granted=Decimal(granted),
                today=TODAY,
            )
        if reject:
            app = services.upward_act(
                actor=None,
                application=app,
                action=UpwardAction.REJECT,
                on=D(year, 6, 1),
                reason="额度已满",
                today=TODAY,
            )
        return app

    application("马铃薯产业发展支持资金", inv.potato, 2025, "5000", granted="4000")
    rejected = application("肉牛良种补贴", inv.beef, 2025, "1000", reject=True)
    application("马铃薯国家优势特色产业集群", inv.potato, 2026, "3500", granted="3000")
    application("肉牛产业集群", inv.beef, 2026, "2500", granted="2000", office=w.potato)
    application("奶业振兴项目", inv.dairy, 2026, "800")
    application("种薯繁育基地", inv.potato, 2026, "600", reject=True)
    # A rejected application that somehow carries a granted amount (an import, an old
    # record) still grants nothing.
    UpwardApplication.objects.filter(pk=rejected.pk).update(amount_granted=Decimal("999"))
    return inv


def test_upward_totals_per_year_with_the_change_on_the_year_before(upward):
    totals = selectors.upward_totals(upward.world.leader)
    assert [(t.year, t.applications, t.approved) for t in totals] == [(2026, 4, 2), (2025, 2, 1)]
    this, last = totals
    assert (this.requested, this.granted) == (Decimal("7400"), Decimal("5000"))
    assert (last.requested, last.granted) == (Decimal("6000"), Decimal("4000"))
    # (5000 - 4000) / 4000 = 25.0 %; 2025 has no year before it.
    assert this.growth == Decimal("25.0")
    assert last.growth is None


def test_upward_totals_of_one_chain(upward):
    leader = upward.world.leader
    potato = selectors.upward_totals(leader, chain=upward.potato)
    assert [(t.year, t.granted, t.growth) for t in potato] == [
        (2026, Decimal("3000"), Decimal("-25.0")),
        (2025, Decimal("4000"), None),
    ]
    # Beef: nothing granted in 2025 (its one application was rejected): no base, no change.
    beef = selectors.upward_totals(leader, chain=upward.beef)
    assert [(t.year, t.granted, t.growth) for t in beef] == [
        (2026, Decimal("2000"), None),
        (2025, Decimal("0"), None),
    ]
    assert selectors.upward_totals(leader, chain=upward.dairy)[0].granted == Decimal("0")


def test_a_year_without_applications_breaks_the_comparison(upward):
    services.upward_save(
        actor=None,
        title="早年项目",
        kind=UpwardKind.FUNDS,
        authority="自治区农牧厅",
        chain=upward.potato,
        office=upward.office,
        year=2023,
        amount_requested=Decimal("100"),
        today=TODAY,
    )
    years = [(t.year, t.growth) for t in selectors.upward_totals(upward.world.leader)]
    assert years == [(2026, Decimal("25.0")), (2025, None), (2023, None)]


def test_upward_by_chain(upward):
    rows = selectors.upward_by_chain(upward.world.leader, 2026)
    assert [(row["chain"].code, row["this"], row["last"], row["growth"]) for row in rows] == [
        ("potato", Decimal("3000"), Decimal("4000"), Decimal("-25.0")),
        ("beef", Decimal("2000"), Decimal("0"), None),
    ]
    # 2025: beef granted nothing that year nor the year before: left out.
    rows = selectors.upward_by_chain(upward.world.leader, 2025)
    assert [(row["chain"].code, row["this"], row["last"], row["growth"]) for row in rows] == [
        ("potato", Decimal("4000"), Decimal("0"), None),
    ]


def test_upward_totals_are_for_readers_of_the_whole_bureau(upward):
    w = upward.world
    for who in ("office", "inspector", "brand_staff"):
        assert selectors.upward_totals(getattr(w, who))[0].granted == Decimal("5000")
    for who in ("zhuozi_liaison", "sysadmin", "auditor", "outsider"):
        assert selectors.upward_totals(getattr(w, who)) == []
        assert selectors.upward_by_chain(getattr(w, who), 2026) == []


def test_upward_totals_take_one_query(upward):
    leader = upward.world.leader
    scope_for(leader)
    with CaptureQueriesContext(connection) as captured:
        selectors.upward_totals(leader)
    assert len(captured) == 1
    with CaptureQueriesContext(connection) as captured:
        selectors.upward_by_chain(leader, 2026)
    assert len(captured) == 2
