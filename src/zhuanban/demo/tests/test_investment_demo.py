"""The investment demo tells the seed's story from its data: 76 key projects planned across
the six chains, 120 activities that attracted 104 projects (the dispatch table's June
list, at the table's stages with its funds in place), stage clocks showing red and yellow
today, and upward applications whose granted funds grew by 25%."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from zhuanban.core.models import AuditAction, AuditEvent, Notification
from zhuanban.demo import dispatch_data, investment_data
from zhuanban.dispatch.models import DataValue, DispatchRound
from zhuanban.investment import scoping, selectors
from zhuanban.investment.lifecycle import (
    DATE_FIELDS,
    DEFAULT_CLOCKS,
    LIVE_STAGES,
    Stage,
    UpwardStatus,
)
from zhuanban.investment.models import (
    Activity,
    ActivityKind,
    EventKind,
    ProgressReport,
    Project,
    ProjectEvent,
    StageClock,
    UpwardApplication,
)
from zhuanban.org.models import Chain
from zhuanban.tasks.models import Light

# The dispatch table's words for the stages.
TABLE_STAGE = {
    "已签约": Stage.SIGNED,
    "已落地": Stage.LANDED,
    "已开工": Stage.STARTED,
    "已投产": Stage.PRODUCING,
}
CHAIN_CODES = {"wheat-oats", "vegetables", "potato", "beef-cattle", "sheep", "dairy"}


def _user(username):
    return get_user_model().objects.get(username=username)


def _story(day: datetime.date) -> datetime.date:
    """A story day (2023) on today's calendar."""
    lag = datetime.timedelta(days=investment_data.STORY_LAG_DAYS)
    return day + ((timezone.localdate() - lag) - investment_data.STORY_DAY)


def _june_list() -> dict[tuple[str, str], dict]:
    """The dispatch demo's 签约落地项目情况表 of June 2023 as the counties filled it:
    (county code, name) → the row's cells."""
    june = DispatchRound.objects.get(
        template__code="investment-projects", year=dispatch_data.YEAR, period_number=6
    )
    rows: dict[tuple, dict] = {}
    cells = DataValue.objects.filter(round=june).values_list(
        "unit__code", "row", "column", "text", "number"
    )
    for unit, row, column, text, number in cells:
        rows.setdefault((unit, row), {})[column] = number if number is not None else text
    return {(unit, cells["name"]): cells for (unit, _row), cells in rows.items()}


def _expected_stages() -> Counter:
    """The funnel the data implies: the June list's stages (computed by the dispatch
    demo from its own rows) and the plan's further key projects' stages."""
    stages = Counter(
        TABLE_STAGE[row["stage"]]
        for county in dispatch_data.PROJECT_LIST
        for row in dispatch_data.project_rows(county, 6)
    )
    stages.update(k.stage for k in investment_data.KEY_PROJECTS)
    return stages


@pytest.mark.usefixtures("loaded", "db")
class TestInvestmentDemo:
    # --- 规划了农牧业招商引资重点项目76个 --------------------------------------------------

    def test_76_key_projects_of_this_year_across_the_six_chains(self):
        year = timezone.localdate().year
        key = Project.objects.filter(is_key=True, year=year)
        assert key.count() == 76
        by_chain = Counter(key.values_list("chain__code", flat=True))
        # What the data says: the table's key projects (其他 mapped by name) and the plan's.
        expected = Counter()
        for rows in dispatch_data.PROJECT_LIST.values():
            for name, _inv, _origin, industry, _signed, _planned, is_key, _pace in rows:
                if is_key:
                    chain = investment_data.CHAIN_OF_INDUSTRY.get(industry)
                    expected[chain or investment_data.OTHER_CHAIN[name]] += 1
        expected.update(k.chain for k in investment_data.KEY_PROJECTS)
        assert by_chain == expected
        assert set(by_chain) == CHAIN_CODES
        assert min(by_chain.values()) >= 8
        # 40 of them were attracted and signed, 36 more are planned, negotiating or dropped.
        assert key.signed_or_later().count() == 40
        assert key.filter(stage=Stage.DROPPED).count() == 3
        assert all(p.drop_reason for p in key.filter(stage=Stage.DROPPED))

    def test_key_projects_have_their_chains_leader_and_lead_unit(self):
        chains = {c.pk: c for c in Chain.objects.all()}
        for project in Project.objects.filter(is_key=True):
            chain = chains[project.chain_id]
            assert project.leader_id == chain.leader_id, project.name
            assert project.responsible_unit_id == (chain.lead_office_id or chain.lead_section_id)

    def test_every_project_has_chain_county_and_this_years_plan(self):
        year = timezone.localdate().year
        assert Project.objects.count() == 104 + 36
        assert not Project.objects.filter(chain=None).exists()
        assert set(Project.objects.values_list("county__kind", flat=True)) == {"county"}
        assert set(Project.objects.values_list("year", flat=True)) == {year}
        # Every 其他 of the table is mapped to a chain, by name.
        others = {
            name
            for rows in dispatch_data.PROJECT_LIST.values()
            for name, _i, _o, industry, *_rest in rows
            if industry == dispatch_data.I_OTHER
        }
        assert others == set(investment_data.OTHER_CHAIN)

    # --- 开展招商引资活动120次,招引项目104个 ----------------------------------------------

    def test_120_activities_attracted_104_projects(self):
        summary = selectors.activity_summary(_user("leader"))
        assert (summary.activities, summary.projects) == (120, 104)
        assert all(summary.by_kind[kind] > 0 for kind in ActivityKind.values)
        # Each attracted project came from an activity, the largest from two; the plan's
        # further key projects came from the plan.
        links = Counter(Activity.projects.through.objects.values_list("project_id", flat=True))
        attracted = Project.objects.filter(pk__in=links)
        assert attracted.count() == 104
        assert set(attracted.values_list("stage", flat=True)) <= set(Stage.values[2:6])
        twice = Project.objects.filter(pk__in=[pk for pk, n in links.items() if n == 2])
        assert 2 <= twice.count() <= 6
        assert max(links.values()) == 2
        assert all(p.planned_investment >= investment_data.SITE_VISIT_FROM for p in twice)

    def test_activities_are_the_citys_and_the_countys_with_their_leaders(self):
        city = Activity.objects.filter(county=None)
        assert set(city.values_list("organiser__kind", flat=True)) == {"office"}
        assert city.filter(organiser__code="office-investment").exists()
        assert city.exclude(organiser__code="office-investment").exists()
        assert Activity.objects.filter(title="乌兰察布马铃薯产业招商推介会（北京）").exists()
        counties = Activity.objects.exclude(county=None)
        assert all(a.organiser_id == a.county_id for a in counties)
        assert counties.values("county").distinct().count() == 11
        assert not Activity.objects.filter(leader="").exists()
        # The city's were entered by the office, the counties' by their liaisons.
        assert set(city.values_list("created_by__username", flat=True)) <= {
            "invest-m1",
            "invest-m2",
        }
        for activity in counties.select_related("county", "created_by")[:20]:
            assert scoping.counties_entered_by(activity.created_by) == [activity.county_id]
        # An activity comes before the negotiations it opened.
        for activity in Activity.objects.prefetch_related("projects"):
            for project in activity.projects.all():
                assert activity.date <= project.negotiating_on, (activity.title, project.name)

    def test_a_county_liaison_sees_the_countys_projects_and_activities(self):
        zhuozi = _user("zhuozi")
        names = {p.name for p in scoping.visible_projects(zhuozi)}
        expected = {row[0] for row in dispatch_data.PROJECT_LIST["150921"]}
        expected |= {k.name for k in investment_data.KEY_PROJECTS if k.county == "150921"}
        assert names == expected
        seen = scoping.visible_activities(zhuozi)
        assert seen.exists()
        assert set(seen.values_list("county__code", flat=True)) == {"150921"}

    # --- 签约落地项目情况表: the June list ----------------------------------------------------

    def test_the_signed_and_later_projects_are_the_june_list_at_its_stages(self):
        june = _june_list()
        assert len(june) == 104
        projects = {
            (p.county.code, p.name): p
            for p in Project.objects.signed_or_later()
            .annotate(in_place=selectors.received_subquery())
            .select_related("county")
        }
        assert set(projects) == set(june)
        for key, row in june.items():
            project = projects[key]
            assert project.stage == TABLE_STAGE[row["stage"]], key
            assert project.investor == row["investor"]
            assert project.investor_origin == row["origin"]
            assert project.planned_investment == Decimal(row["planned"])
            assert project.in_place == Decimal(row["received"]), key  # 到位资金
            assert project.is_key == (row["key_project"] == Decimal(1))
            assert project.signed_on == _story(datetime.date.fromisoformat(row["signed_on"]))
            if row.get("started_on"):
                started = datetime.date.fromisoformat(row["started_on"])
                assert project.started_on == _story(started), key

    def test_the_funnel_counts_by_stage(self):
        year = timezone.localdate().year
        funnel = selectors.funnel(_user("leader"), year=year)
        expected = _expected_stages()
        assert funnel.stages == dict(expected)
        assert funnel.total == 140
        reached = dict(funnel.reached())
        assert reached[Stage.SIGNED] == 104
        assert reached[Stage.PLANNED] == 140 - expected[Stage.DROPPED]
        assert sum(row.total for row in funnel.by_chain) == 140
        assert sum(row.total for row in funnel.by_county) == 140
        assert len(funnel.by_county) == 11
        key = selectors.funnel(_user("leader"), year=year, key_only=True)
        assert key.total == 76
        assert key.stages[Stage.PLANNED] == sum(
            k.stage == Stage.PLANNED for k in investment_data.KEY_PROJECTS
        )

    def test_each_stage_reached_has_its_date_and_the_signing_its_agreement(self):
        for project in Project.objects.signed_or_later().prefetch_related("events__evidence"):
            assert project.negotiating_on < project.signed_on, project.name
            signing = [e for e in project.events.all() if e.to_stage == Stage.SIGNED]
            assert len(signing) == 1
            (agreement,) = signing[0].evidence.all()
            assert agreement.content_type == "application/pdf"
            assert len(agreement.sha256) == 64
            dates = [project.date_of(s) for s in Stage.values[1:6] if project.date_of(s)]
            assert dates == sorted(dates)
        # The stalled ones report what the table notes.
        stalled = [
            (county, row[0])
            for county, rows in dispatch_data.PROJECT_LIST.items()
            for row in rows
            if row[7] == 0 and row[4] <= "04-30"
        ]
        for county, name in stalled:
            latest = ProgressReport.objects.filter(project__county__code=county, project__name=name)
            assert latest.first().text == dispatch_data.STALLED_NOTE

    # --- stage clocks and lights --------------------------------------------------------

    def test_the_clocks_keep_their_defaults_with_the_offices_commitments(self):
        clocks = {c.stage: c for c in StageClock.objects.all()}
        assert set(clocks) == set(LIVE_STAGES)
        for stage, (limit, warn, report, evidence) in DEFAULT_CLOCKS.items():
            clock = clocks[stage]
            assert (clock.limit_days, clock.warn_days, clock.report_days) == (limit, warn, report)
            assert clock.evidence_required == evidence
            assert clock.commitment == investment_data.CLOCK_COMMITMENTS[stage]
            assert clock.updated_by.username == "invest-dir"

    def test_lights_today_red_for_the_long_stalled_yellow_for_late_reports(self):
        today = timezone.localdate()
        lights = selectors.light_counts(_user("leader"), today=today)
        assert lights[Light.RED] >= 1
        assert lights[Light.YELLOW] >= 1
        assert lights[Light.GREY] == _expected_stages()[Stage.PRODUCING] + 3
        assert sum(lights.values()) == 140
        light = {
            (p.county.code, p.name): p.light
            for p in Project.objects.with_light(today).select_related("county")
        }
        # Stalled at 签约 since signing: red once 90 days have passed (hand-computed from
        # the table's signing days), yellow in the last 15 days before.
        for county, rows in dispatch_data.PROJECT_LIST.items():
            for name, _i, _o, _ind, signed, _p, _k, pace in rows:
                if pace:
                    continue
                waited = (today - _story(datetime.date.fromisoformat(f"2023-{signed}"))).days
                if waited > 90:
                    assert light[(county, name)] == Light.RED, name
                elif waited > 75:
                    assert light[(county, name)] == Light.YELLOW, name
        assert light[("150924", "肉牛活畜交易市场项目")] == Light.RED
        assert light[("150923", "年屠宰50万只肉羊精深加工项目")] == Light.RED
        # Reports overdue: the two without a June report.
        for key in investment_data.REPORT_OVERDUE:
            assert light[key] == Light.YELLOW
            project = Project.objects.get(county__code=key[0], name=key[1])
            assert (today - project.last_report_on).days > 14

    def test_the_red_projects_were_urged_by_their_chains_leaders(self):
        urges = ProjectEvent.objects.filter(kind=EventKind.URGE).select_related(
            "project__chain", "actor"
        )
        assert urges.count() == len(investment_data.URGES)
        by_leader = [u for u in urges if u.actor.username.startswith("ldr-")]
        assert len(by_leader) == 2
        for urge in by_leader:
            assert urge.actor == urge.project.chain.leader
            assert urge.project.light_on(timezone.localdate(), _clocks()) == Light.RED
        # The county still has to answer: its notice is unread.
        for county in ("xinghe", "shangdu"):
            unread = Notification.objects.filter(
                recipient__username=county, kind="investment_urge", read_at=None
            )
            assert unread.count() == 1

    # --- 向上争取: 支持资金同比增加25% -----------------------------------------------------

    def test_upward_funds_grew_25_percent_for_the_potato_and_in_total(self):
        leader = _user("leader")
        year = timezone.localdate().year
        totals = {t.year: t for t in selectors.upward_totals(leader)}
        assert set(totals) == {year - 1, year}
        assert totals[year].growth == Decimal("25.0")
        assert totals[year].granted == totals[year - 1].granted * Decimal("1.25")
        potato = Chain.objects.get(code="potato")
        (this, last) = selectors.upward_totals(leader, chain=potato)
        assert (this.granted, last.granted) == (Decimal(5000), Decimal(4000))
        assert this.growth == Decimal("25.0")
        rows = {r["chain"].code: r for r in selectors.upward_by_chain(leader, year)}
        assert rows["potato"]["growth"] == Decimal("25.0")
        assert set(rows) == CHAIN_CODES
        cluster = UpwardApplication.objects.get(title="马铃薯国家优势特色产业集群项目")
        assert (cluster.year, cluster.status) == (year, UpwardStatus.APPROVED)
        assert cluster.submitted_on <= cluster.decided_on <= timezone.localdate()

    def test_upward_applications_by_several_offices_in_every_status(self):
        applications = UpwardApplication.objects.all()
        assert 18 <= applications.count() <= 24
        assert set(applications.values_list("status", flat=True)) == set(UpwardStatus.values)
        assert applications.values("office").distinct().count() >= 5
        assert {"农业农村部", "中国农业科学院", "自治区农牧厅"} <= set(
            applications.values_list("authority", flat=True)
        )
        for application in applications.select_related("office", "created_by"):
            assert scoping.may_keep_upward(application.created_by, application)
            if application.status == UpwardStatus.REJECTED:
                assert application.reason
            if application.status in (UpwardStatus.APPROVED, UpwardStatus.REJECTED):
                assert application.submitted_on <= application.decided_on

    # --- the story's dates and the audit trail --------------------------------------------

    def test_nothing_is_dated_in_the_future(self):
        today, now = timezone.localdate(), timezone.now()
        for field in DATE_FIELDS.values():
            assert not Project.objects.filter(**{f"{field}__gt": today}).exists(), field
        assert not Project.objects.filter(stage_since__gt=today).exists()
        assert not Project.objects.filter(created_at__gt=now).exists()
        assert not ProjectEvent.objects.filter(on__gt=today).exists()
        assert not ProjectEvent.objects.filter(at__gt=now).exists()
        assert not ProgressReport.objects.filter(reported_on__gt=today).exists()
        assert not Activity.objects.filter(date__gt=today).exists()
        assert not UpwardApplication.objects.filter(decided_on__gt=today).exists()
        notes = Notification.objects.filter(kind__startswith="investment_")
        assert not notes.filter(created_at__gt=now).exists()
        # The story's past was read; the timeline's moments are the story's days.
        assert notes.filter(read_at__isnull=False).count() > notes.count() * 0.9
        for event in ProjectEvent.objects.filter(kind=EventKind.STAGE)[:50]:
            assert timezone.localtime(event.at).date() == event.on

    def test_the_audit_trail_has_the_creates(self):
        created = AuditEvent.objects.filter(action=AuditAction.CREATE)
        for model, count in (
            ("investment.project", Project.objects.count()),
            ("investment.activity", 120),
            ("investment.upwardapplication", UpwardApplication.objects.count()),
            ("investment.progressreport", ProgressReport.objects.count()),
        ):
            assert created.filter(object_type=model).count() == count, model
        moves = AuditEvent.objects.filter(
            object_type="investment.project", message__startswith="stage"
        )
        assert moves.count() == ProjectEvent.objects.filter(kind=EventKind.STAGE).count()
        assert moves.filter(actor__username="zhuozi").exists()


def _clocks():
    return {c.stage: c for c in StageClock.objects.all()}


def test_the_story_is_deterministic():
    """Same data, same story: activities() gives the 120 activities and links every
    attracted project, without a database."""
    first, began = investment_data.activities()
    again, began_again = investment_data.activities()
    assert [(a.day, a.title, a.projects) for a in first] == [
        (a.day, a.title, a.projects) for a in again
    ]
    assert began == began_again
    assert len(first) == 120
    linked = Counter(key for a in first for key in a.projects)
    assert len(linked) == 104
    assert sum(investment_data.key_counts().values()) == 76
