"""Reasons drafted from data: each unit's red tasks, late or missing dispatch reports,
lagging indicators and overdue rectifications, with the real figures, in a fixed number
of queries; filling a draft keeps what was written by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from zhuanban.dispatch import services as dispatch
from zhuanban.dispatch.models import Cadence, Submission, SubmissionStatus
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person
from zhuanban.rectification.models import SourceKind
from zhuanban.rectification.services import rectification_raise
from zhuanban.supervision import notice_services as services
from zhuanban.supervision.models import ReasonKind
from zhuanban.supervision.notice_selectors import reasons_from_data
from zhuanban.tasks import services as tasks
from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.models import Task

from .notice_fixtures import authority, draft, with_reason

# A fixed mid-2023: the data is set up in May, the notice drafted on 20 July.
START = datetime.date(2023, 5, 1)
AS_OF = datetime.date(2023, 7, 20)
SCHEMA = {"columns": [{"key": "beef", "label": "肉牛存栏", "type": "decimal", "unit": "万头"}]}


def red_task(
    world, unit, *, due=datetime.date(2023, 7, 8), progress=35, content="建设种薯繁育基地"
):
    """An assigned task of `unit`'s, due on `due` (12 days before AS_OF by default)."""
    task_list = tasks.tasklist_create(
        actor=world.office,
        office=world.potato,
        title="2023年重点任务清单",
        year=2023,
        level="city",
    )
    task = tasks.task_create(
        actor=world.office,
        task_list=task_list,
        content=content,
        lead_unit=unit,
        start_date=START,
        due_date=due,
    )
    task = tasks.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    # The progress the unit last reported (its reports are the tasks app's business).
    Task.objects.filter(pk=task.pk).update(progress=progress)
    task.refresh_from_db()
    return task


def dispatch_round(world, units, *, code="livestock", due=datetime.date(2023, 7, 10), month=6):
    template = dispatch.template_create(
        actor=world.office,
        office=world.potato,
        code=code,
        title=f"规模养殖场建设情况统计表{code}",
        schema=SCHEMA,
        units=units,
    )
    return dispatch.round_open(
        actor=world.office,
        template=template,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=Period(2023, PeriodKind.MONTH, month),
        opens_on=due - datetime.timedelta(days=10),
        due_on=due,
        locks_on=due + datetime.timedelta(days=60),
    )


def reported(round_, unit, *, days_after_due: int, status=SubmissionStatus.SUBMITTED):
    """The unit's report as the dispatch services leave it, first sent on a given day."""
    moment = timezone.make_aware(
        datetime.datetime.combine(
            round_.due_on + datetime.timedelta(days=days_after_due), datetime.time(10)
        )
    )
    Submission.objects.filter(round=round_, unit=unit).update(
        status=status, first_submitted_at=moment, submitted_at=moment
    )


def lagging_indicator(world, units, *, code="beef", actual="20", target="100"):
    """June's figure against the year's target: 20% done when half the year has gone."""
    indicator = dispatch.indicator_save(
        actor=world.office,
        code=code,
        name="肉牛存栏增量",
        unit_of_measure="万头",
        office=world.potato,
    )
    for unit in units:
        dispatch.target_set(
            actor=world.office, indicator=indicator, unit=unit, year=2023, value=target
        )
        dispatch.indicator_value_set(
            actor=world.office,
            indicator=indicator,
            unit=unit,
            period=Period(2023, PeriodKind.MONTH, 6),
            value=actual,
        )
    return indicator


def overdue_item(world, unit, *, due=datetime.date(2023, 7, 15)):
    """An item from a visit's finding (a task stands in for the source here)."""
    return rectification_raise(
        actor=world.office,
        source=red_task(world, unit, due=datetime.date(2023, 12, 31), content="源任务"),
        source_kind=SourceKind.VISIT,
        source_label="督导检查 2023-05-12",
        office=world.potato,
        unit=unit,
        problem="种薯仓储设施不达标",
        requirement="完成仓储设施改造",
        due_date=due,
        today=START,
    )


def by_kind(reasons, kind):
    return [r for r in reasons if r.kind == kind]


# --- each source, with its figures -------------------------------------------------------


def test_a_red_task_gives_its_days_overdue_and_progress(world):
    task = red_task(world, world.zhuozi, progress=35)
    red_task(world, world.huade, content="化德县的任务")  # another unit's: not a reason here
    reasons = reasons_from_data([world.zhuozi], as_of=AS_OF)
    assert [r.kind for r in reasons] == [ReasonKind.RED_TASK]
    reason = reasons[0]
    assert reason.unit == world.zhuozi
    assert reason.source_ref == f"tasks.task:{task.pk}"
    assert reason.figures["days_overdue"] == 12
    assert reason.figures["progress"] == 35
    assert reason.figures["due"] == task.due_date.isoformat()
    assert "12" in reason.text
    assert "35%" in reason.text
    assert "建设种薯繁育基地" in reason.text
    assert "2023年重点任务清单" in reason.text
    with translation.override("en"):
        english = reasons_from_data([world.zhuozi], as_of=AS_OF)[0].text
    assert "is 12 days overdue; progress stands at 35%." in english


def test_a_task_not_yet_due_is_no_reason(world):
    red_task(world, world.zhuozi, due=datetime.date(2023, 7, 20))  # due that very day
    assert reasons_from_data([world.zhuozi], as_of=AS_OF) == []


def test_missing_and_late_dispatch_reports_with_their_days(world):
    first = dispatch_round(world, [world.zhuozi, world.huade])
    second = dispatch_round(world, [world.zhuozi], code="cattle", due=datetime.date(2023, 6, 30))
    reported(first, world.zhuozi, days_after_due=7)  # late by 7
    reported(first, world.huade, days_after_due=-1, status=SubmissionStatus.APPROVED)  # on time
    reported(second, world.zhuozi, days_after_due=2, status=SubmissionStatus.RETURNED)
    reasons = reasons_from_data([world.zhuozi, world.huade], as_of=AS_OF)
    assert all(r.unit == world.zhuozi for r in reasons)
    late = by_kind(reasons, ReasonKind.LATE_SUBMISSION)
    missing = by_kind(reasons, ReasonKind.MISSING_SUBMISSION)
    assert len(late) == len(missing) == 1
    assert late[0].figures["days_late"] == 7
    assert "7" in late[0].text
    assert first.title in late[0].text
    # Sent back and never sent again: not reported, 20 days past its due date at AS_OF.
    assert missing[0].figures["days_overdue"] == 20
    assert "20" in missing[0].text
    assert missing[0].source_ref.startswith("dispatch.submission:")


def test_a_round_not_yet_due_is_no_reason(world):
    dispatch_round(world, [world.zhuozi], due=datetime.date(2023, 7, 25))
    assert reasons_from_data([world.zhuozi], as_of=AS_OF) == []


def test_a_lagging_indicator_gives_completion_and_time_elapsed(world):
    lagging_indicator(world, [world.zhuozi])
    reasons = reasons_from_data([world.zhuozi], as_of=AS_OF)
    assert [r.kind for r in reasons] == [ReasonKind.LAGGING_INDICATOR]
    figures = reasons[0].figures
    # Measured at the end of June, the last month reported: half the year gone.
    assert figures["as_of"] == "2023-06-30"
    assert (figures["completion"], figures["time_elapsed"]) == ("20", "50")
    assert (figures["actual"], figures["target"]) == ("20", "100")
    assert "20%" in reasons[0].text
    assert "50%" in reasons[0].text
    assert "肉牛存栏增量" in reasons[0].text


def test_an_indicator_on_track_is_no_reason(world):
    lagging_indicator(world, [world.zhuozi], actual="45")
    assert reasons_from_data([world.zhuozi], as_of=AS_OF) == []


def test_an_overdue_rectification_gives_its_days(world):
    item = overdue_item(world, world.zhuozi)
    reasons = reasons_from_data([world.zhuozi], as_of=AS_OF)
    assert [r.kind for r in reasons] == [ReasonKind.OVERDUE_RECTIFICATION]
    assert reasons[0].figures["days_overdue"] == 5
    assert "5" in reasons[0].text
    assert "完成仓储设施改造" in reasons[0].text
    assert reasons[0].source_ref == f"rectification.rectification:{item.pk}"


def test_many_overdue_rectifications_become_one_reason_naming_the_oldest(world):
    """Up to three overdue items are named one by one; more are counted in one reason
    that names the three oldest, so a notice does not run to pages."""
    dues = [datetime.date(2023, 7, day) for day in (1, 3, 5, 7, 9)]
    items = [overdue_item(world, world.zhuozi, due=due) for due in reversed(dues)]
    for _ in range(3):
        overdue_item(world, world.huade)

    reasons = reasons_from_data([world.zhuozi, world.huade], as_of=AS_OF)

    zhuozi = [r for r in reasons if r.unit == world.zhuozi]
    assert len(zhuozi) == 1
    summary = zhuozi[0]
    assert summary.kind == ReasonKind.OVERDUE_RECTIFICATION
    assert summary.figures["overdue_items"] == 5
    assert summary.figures["oldest_due"] == "2023-07-01"
    assert summary.figures["days_overdue"] == (AS_OF - dues[0]).days
    assert summary.source_ref == f"rectification.rectification:{items[-1].pk}"
    assert str((AS_OF - dues[0]).days) in summary.text
    assert str((AS_OF - dues[3]).days) not in summary.text  # only the three oldest named
    assert len([r for r in reasons if r.unit == world.huade]) == 3


def test_reasons_come_unit_by_unit_in_the_order_given(world):
    red_task(world, world.huade, content="化德县任务")
    red_task(world, world.zhuozi, content="卓资县任务")
    overdue_item(world, world.zhuozi)
    reasons = reasons_from_data([world.zhuozi, world.huade], as_of=AS_OF)
    assert [(r.unit, r.kind) for r in reasons] == [
        (world.zhuozi, ReasonKind.RED_TASK),
        (world.zhuozi, ReasonKind.OVERDUE_RECTIFICATION),
        (world.huade, ReasonKind.RED_TASK),
    ]


# --- a fixed number of queries -----------------------------------------------------------


def _everything_for(world, unit, n):
    red_task(world, unit, content=f"任务{n}")
    round_ = dispatch_round(world, [unit], code=f"t{n}")
    reported(round_, unit, days_after_due=3)
    overdue_item(world, unit)


def test_the_queries_do_not_grow_with_the_units(world):
    shangdu = OrgUnitFactory(
        code="150923",
        name="商都县",
        kind=UnitKind.COUNTY,
        parent=world.city,
        division_code="150923",
    )
    person("shangdu", shangdu, (Role.COUNTY_LIAISON, shangdu), name="商都联络员")
    units = [world.zhuozi, world.huade, shangdu]
    for n, unit in enumerate(units):
        _everything_for(world, unit, n)
    lagging_indicator(world, units)

    def count(some_units):
        with CaptureQueriesContext(connection) as queries:
            reasons = reasons_from_data(some_units, as_of=AS_OF)
        return len(queries), reasons

    one, reasons_one = count(units[:1])
    three, reasons_three = count(units)
    assert len(reasons_three) == 3 * len(reasons_one) == 12
    assert one == three


# --- filling a draft ---------------------------------------------------------------------


def test_filling_replaces_the_drafted_reasons_and_keeps_the_hand_written(world):
    authority()
    notice = draft(world, units=[world.zhuozi, world.huade])
    with_reason(world, notice, world.huade, "化德县专项资金拨付迟缓。")
    red_task(world, world.zhuozi, progress=35)
    services.notice_fill_reasons(actor=world.office, notice=notice, as_of=AS_OF)
    services.notice_fill_reasons(actor=world.office, notice=notice, as_of=AS_OF)  # again
    reasons = list(notice.reasons.order_by("position"))
    assert [(r.unit, r.kind) for r in reasons] == [
        (world.zhuozi, ReasonKind.RED_TASK),
        (world.huade, ReasonKind.OTHER),
    ]
    assert reasons[0].figures["days_overdue"] == 12
    assert reasons[1].text == "化德县专项资金拨付迟缓。"
    # A drafted reason's text is edited by hand like any other.
    services.notice_reason_save(
        actor=world.office, notice=notice, reason=reasons[0], text="改写后的原因，逾期12天。"
    )
    reasons[0].refresh_from_db()
    assert reasons[0].text == "改写后的原因，逾期12天。"
    assert notice.events.filter(action="fill_reasons").count() == 2


def test_only_the_drafting_office_fills_and_writes_reasons(world):
    authority()
    notice = draft(world)
    for intruder in (world.zhuozi_liaison, world.brand_staff, world.leader):
        with pytest.raises(PermissionDenied):
            services.notice_fill_reasons(actor=intruder, notice=notice)
        with pytest.raises(PermissionDenied):
            services.notice_reason_save(
                actor=intruder, notice=notice, unit=world.zhuozi, text="插话"
            )
    with pytest.raises(ValidationError) as caught:
        services.notice_reason_save(actor=world.office, notice=notice, unit=world.huade, text="")
    assert set(caught.value.message_dict) == {"unit", "text"}
    assert not notice.reasons.exists()


def test_indicator_figures_are_plain_numbers(world):
    lagging_indicator(world, [world.zhuozi], actual="12.5", target="50")
    [reason] = reasons_from_data([world.zhuozi], as_of=AS_OF)
    assert reason.figures["completion"] == "25"
    assert reason.figures["actual"] == "12.5"
    assert Decimal(reason.figures["target"]) == 50
