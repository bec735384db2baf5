"""The dispatch demo tells the seed's story from its data: targets and monthly values,
half a year of rounds worked by the counties, and today's rounds open."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhuanban.core.models import AuditEvent
from zhuanban.demo import dispatch_data
from zhuanban.demo.dispatch_data import BEEF, DAIRY, FACILITY, PROJECTS
from zhuanban.dispatch import selectors
from zhuanban.dispatch.models import (
    DataValue,
    DispatchRound,
    Indicator,
    IndicatorValue,
    RoundState,
    Schedule,
    Submission,
    SubmissionStatus,
    TableTemplate,
    Target,
    UnitGroup,
)
from zhuanban.dispatch.schema import ColumnType
from zhuanban.tasks.models import Task

JUNE_END = datetime.date(2023, 6, 30)
TABLE_TITLES = [
    "马铃薯全产业链建设情况统计表",
    "原味乌兰察布授权企业名单表",
    "农牧业招商引资签约落地项目情况表",
    "规模养殖场建设情况统计表",
]


def _progress(*codes):
    indicators = [Indicator.objects.get(code=code) for code in codes]
    return selectors.indicator_progress(indicators, 2023, as_of=JUNE_END)


def _june(table_code):
    return DispatchRound.objects.get(template__code=table_code, year=2023, period_number=6)


@pytest.mark.usefixtures("loaded", "db")
class TestDispatchDemo:
    def test_the_seeds_cattle_figures_come_from_the_values(self):
        beef, dairy = _progress(BEEF, DAIRY)
        assert beef.elapsed == Decimal("50.0")  # 30 June: half the year gone
        # 肉牛存栏增加7.8万头、完成年度任务的三分之二以上
        assert (beef.total.actual, beef.total.target) == (Decimal("7.8"), Decimal("11.5"))
        assert beef.total.completion == Decimal("67.8") > Decimal(200) / 3
        # The region's city target, not the sum of the counties' (the task list's 12万头).
        assert not beef.total.target_is_sum
        assert sum(row.target for row in beef.rows) == Decimal(12)
        # 奶牛存栏增加0.75万头、完成年度任务的一半以上
        assert dairy.total.actual == Decimal("0.75")
        assert dairy.total.completion > 50

    def test_two_counties_lag_the_time_elapsed_and_rank_last(self):
        (beef,) = _progress(BEEF)
        lagging = [row for row in beef.rows if row.light == "yellow"]
        assert {row.unit.name for row in lagging} == {"商都县", "察哈尔右翼中旗"}
        assert all(row.lead < -20 for row in lagging)
        assert {row.rank for row in lagging} == {10, 11}
        assert all(row.light == "green" for row in beef.rows if row not in lagging)

    def test_facility_area_and_projects_are_the_seeds(self):
        facility, projects = _progress(FACILITY, PROJECTS)
        assert facility.total.actual == 2221  # 开工建设设施农业面积2221亩
        assert projects.total.actual == 104  # 招引项目104个
        for progress in (facility, projects):
            county_sum = sum(row.target for row in progress.rows)
            assert progress.total.target != county_sum

    def test_the_counties_fall_into_the_front_and_back_hills(self):
        groups = {
            group.name: set(group.units.values_list("name", flat=True))
            for group in UnitGroup.objects.all()
        }
        assert groups == {
            "前山地区": {"集宁区", "丰镇市", "卓资县", "凉城县", "兴和县", "察哈尔右翼前旗"},
            "后山地区": {"化德县", "商都县", "四子王旗", "察哈尔右翼中旗", "察哈尔右翼后旗"},
        }

    def test_the_four_tables_are_filled_by_every_county_and_sent_monthly(self):
        templates = {t.title: t for t in TableTemplate.objects.all()}
        assert sorted(templates) == sorted(TABLE_TITLES)
        kinds = set()
        for template in templates.values():
            table = template.latest_version().table
            assert template.units.count() == 11, template.title
            assert table.rules, template.title
            assert any(c.required for c in table.columns), template.title
            kinds |= {c.type for c in table.columns}
            schedule = Schedule.objects.get(template=template)
            assert (
                schedule.cadence,
                schedule.opens_before_end,
                schedule.due_after_end,
                schedule.locks_after_end,
            ) == ("monthly_dispatch", 25, 5, 10)
        assert kinds == set(ColumnType.values)
        livestock = templates["规模养殖场建设情况统计表"].latest_version().table
        assert {c.indicator for c in livestock.columns if c.indicator} == {BEEF, DAIRY}
        assert templates["原味乌兰察布授权企业名单表"].row_mode == "records"
        assert templates["规模养殖场建设情况统计表"].office.code == "office-cattle"

    def test_half_a_year_of_rounds_was_locked_with_its_snapshot(self):
        rounds = list(DispatchRound.objects.filter(year=2023))
        assert len(rounds) == 24
        for round_ in rounds:
            end = round_.period.end
            assert 3 <= round_.opens_on.day <= 6
            assert round_.opens_on.month == end.month
            assert round_.due_on == end + datetime.timedelta(days=5)
            assert round_.locks_on == end + datetime.timedelta(days=10)
            assert round_.is_locked
            assert timezone.localdate(round_.locked_at) == round_.locks_on + datetime.timedelta(1)
            snapshot = round_.snapshots.get()
            assert snapshot.taken_at == round_.locked_at
            assert snapshot.data["expected"] == 11

    def test_one_county_missed_a_round_some_were_late_the_rest_approved(self):
        rounds = DispatchRound.objects.filter(year=2023)
        counts = selectors.completeness_by_round(rounds.values_list("pk", flat=True))
        june = _june("livestock-farms")
        assert counts[june.pk].missing == 1
        assert june.submissions.get(first_submitted_at=None).unit.name == "四子王旗"
        assert sum(c.missing for c in counts.values()) == 1
        late = sum(c.late for c in counts.values())
        on_time = sum(c.on_time for c in counts.values())
        assert 5 <= late < on_time // 10
        assert all(c.approved == c.submitted for c in counts.values())
        submissions = Submission.objects.filter(round__year=2023).exclude(first_submitted_at=None)
        for submission in submissions.select_related("round"):
            assert submission.round.opens_on <= timezone.localdate(submission.first_submitted_at)
            assert submission.submitted_at < submission.approved_at < submission.round.locked_at

    def test_a_returned_table_keeps_both_versions_and_the_reason(self):
        submission = Submission.objects.select_related("unit", "round").get(revision=2)
        assert (submission.unit.name, submission.round.period_number) == ("兴和县", 5)
        assert submission.status == SubmissionStatus.APPROVED
        events = list(submission.events.order_by("at"))
        assert [e.action for e in events] == ["submit", "return", "submit", "approve"]
        assert "累计数" in events[1].comment
        assert all(e.at.year == 2023 for e in events)
        first, second = submission.revisions.order_by("number")
        table = submission.round.template_version.table
        changed = {c.column for c in selectors.diff_rows(table, first.data, second.data)}
        assert changed == {"beef_increase", "beef_stock"}

    def test_the_june_lists_hold_the_83_enterprises_and_the_104_projects(self):
        assert selectors.consolidate(_june("brand-enterprises")).records == 83
        projects = selectors.consolidate(_june("investment-projects"))
        assert projects.records == 104
        assert [group.name for group in projects.groups] == ["前山地区", "后山地区"]
        assert sum(group.records for group in projects.groups) == 104

    def test_todays_rounds_are_open_and_the_browser_test_counties_have_not_started(self):
        today = timezone.localdate()
        for template in TableTemplate.objects.all():
            current = template.rounds.filter(locked_at=None)
            assert any(r.state(today) == RoundState.OPEN for r in current), template.title
        livestock = DispatchRound.objects.filter(
            template__code="livestock-farms", locked_at=None
        ).order_by("-year", "-period_number")
        for round_ in livestock:
            for county in ("卓资县", "化德县"):
                submission = round_.submissions.get(unit__name=county)
                assert submission.status == SubmissionStatus.PENDING
        statuses = set(livestock.first().submissions.values_list("status", flat=True))
        assert {SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED} <= statuses

    def test_the_cattle_task_takes_its_progress_from_the_values(self):
        task = Task.objects.select_related("task_list", "lead_unit").get(
            content__startswith=dispatch_data.CATTLE_TASK
        )
        target = Target.objects.get(indicator__code=BEEF, unit=task.lead_unit, year=2023)
        assert task.indicator_code == BEEF
        assert task.target_value == target.value
        beef = Indicator.objects.get(code=BEEF)
        actuals = selectors.indicator_actuals(beef, task.task_list.year, [task.lead_unit])
        if task.lead_unit_id not in actuals:
            pytest.skip("the open livestock round is last year's (the first days of January)")
        assert task.progress == int(actuals[task.lead_unit_id] * 100 / task.target_value)
        assert AuditEvent.objects.filter(
            message="task progress from indicator", object_id=str(task.pk)
        ).exists()

    def test_loading_twice_duplicates_nothing(self):
        models = [
            UnitGroup,
            Indicator,
            Target,
            IndicatorValue,
            TableTemplate,
            Schedule,
            DispatchRound,
            Submission,
            DataValue,
        ]
        before = [model.objects.count() for model in models]
        call_command("demo", "--quiet-accounts")
        assert [model.objects.count() for model in models] == before
