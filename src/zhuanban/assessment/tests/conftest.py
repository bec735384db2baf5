"""A 2023 scheme of the potato office assessing 卓资县 and 化德县, with data behind
each automatic method whose scores are computed by hand in test_scoring.py.

Items (60 points, no weights):
    一、重点任务落实 (heading, 30)
        (一) tasks closed on time (20) — the scheme's task list
        (二) dispatch reports on time (10) — the livestock table
    二、肉牛存栏增量 completion (10)
    三、督办通报扣分 (5, 2 points per notice)
    四、工作成效 (15, manual)
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from zhuanban.assessment import services
from zhuanban.assessment.lifecycle import SchemeAction
from zhuanban.assessment.models import Method
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import (
    Cadence,
    DispatchRound,
    Indicator,
    IndicatorValue,
    SubmissionStatus,
    Target,
)
from zhuanban.dispatch.periods import PeriodKind
from zhuanban.dispatch.tests.conftest import LIVESTOCK_SCHEMA
from zhuanban.supervision.models import Notice
from zhuanban.supervision.tests.notice_fixtures import issued
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import Task

YEAR = 2023


def at(month: int, day: int, year: int = YEAR) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, 0, tzinfo=timezone.get_current_timezone())


def d(month: int, day: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, day)


def make_task(world, task_list, lead, due, *, closed=None, counts=True, status=None):
    task = task_services.task_create(
        actor=world.office,
        task_list=task_list,
        content=f"任务{Task.objects.count() + 1}",
        lead_unit=lead,
        start_date=d(1, 1),
        due_date=due,
    )
    Task.objects.filter(pk=task.pk).update(
        counts_in_assessment=counts,
        status=status or (TaskStatus.CLOSED if closed else TaskStatus.IN_PROGRESS),
        closed_at=closed,
        due_date=due,
    )
    return task


@pytest.fixture
def data(world):
    """Tasks, reports, indicator values and notices of 2023 (hand-counted below)."""
    task_list = task_services.tasklist_create(
        actor=world.office,
        office=world.potato,
        title="2023年马铃薯重点任务",
        year=YEAR,
        level="city",
    )
    tasks = SimpleNamespace(
        # 卓资县: 4 due in 2023, 2 on time (one of them by a unit within the county).
        on_time=make_task(world, task_list, world.zhuozi, d(3, 31), closed=at(3, 25)),
        late=make_task(world, task_list, world.zhuozi, d(5, 31), closed=at(6, 5)),
        open=make_task(world, task_list, world.zhuozi, d(9, 30)),
        town=make_task(world, task_list, world.zhuozi_town, d(4, 30), closed=at(4, 30)),
        # Not counted: flagged out of the assessment, and due after the period.
        not_counted=make_task(
            world, task_list, world.zhuozi, d(4, 30), closed=at(4, 1), counts=False
        ),
        next_year=make_task(world, task_list, world.zhuozi, d(2, 1, YEAR + 1)),
        # 化德县: 1 due, 1 on time.
        huade=make_task(world, task_list, world.huade, d(7, 31), closed=at(7, 1)),
    )
    template = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    version = template.versions.order_by("-number").first()
    rounds = []
    for month in (1, 2, 3):
        round_ = DispatchRound.objects.create(
            office=world.potato,
            template=template,
            template_version=version,
            title=f"{month}月调度",
            cadence=Cadence.MONTHLY_DISPATCH,
            period_kind=PeriodKind.MONTH,
            year=YEAR,
            period_number=month,
            opens_on=d(month + 1, 1),
            due_on=d(month + 1, 5),
            locks_on=d(month + 1, 10),
        )
        round_.units.set([world.zhuozi, world.huade])
        rounds.append(round_)
    submitted = SubmissionStatus.SUBMITTED
    for round_, zhuozi_at in zip(rounds, (at(2, 5), at(3, 7), None), strict=True):
        round_.submissions.create(
            unit=world.zhuozi,
            status=submitted if zhuozi_at else SubmissionStatus.PENDING,
            first_submitted_at=zhuozi_at,
        )
        round_.submissions.create(
            unit=world.huade, status=submitted, first_submitted_at=at(round_.due_on.month, 1)
        )
    beef = Indicator.objects.create(
        code="beef",
        name="肉牛存栏",
        unit_of_measure="万头",
        aggregation="latest",
        office=world.potato,
    )
    for unit, value, target in ((world.zhuozi, 6, 8), (world.huade, 12, 10)):
        Target.objects.create(indicator=beef, unit=unit, year=YEAR, value=target)
        IndicatorValue.objects.create(
            indicator=beef,
            unit=unit,
            year=YEAR,
            period_kind=PeriodKind.MONTH,
            period_number=6,
            period_end=d(6, 30),
            value=value,
        )
    # 卓资县 was named in two notices issued in 2023 and one of 2022 (not counted).
    notices = [issued(world) for _ in range(3)]
    for notice, when in zip(notices, (at(3, 1), at(8, 1), at(12, 1, YEAR - 1)), strict=True):
        Notice.objects.filter(pk=notice.pk).update(issued_at=when)
    return SimpleNamespace(
        task_list=task_list, tasks=tasks, template=template, rounds=rounds, beef=beef
    )


@pytest.fixture
def design(world, data):
    """The scheme, designed but not opened."""
    scheme = services.scheme_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": "2023年度马铃薯产业发展考核",
            "year": YEAR,
            "assessor": "市农牧局",
            "period_start": d(1, 1),
            "period_end": d(12, 31),
        },
    )

    def add(title, max_score, method=Method.MANUAL, parent=None, **fields):
        return services.item_save(
            actor=world.office,
            scheme=scheme,
            parent=parent,
            data={"title": title, "max_score": Decimal(max_score), "method": method, **fields},
        )

    heading = add("重点任务落实", 30)
    items = SimpleNamespace(
        heading=heading,
        tasks=add("重点任务按期办结", 20, Method.TASKS, heading, task_list=data.task_list),
        dispatch=add("调度数据按时报送", 10, Method.DISPATCH, heading, template=data.template),
        indicator=add("肉牛存栏增量", 10, Method.INDICATOR, indicator=data.beef),
        notices=add("督办通报扣分", 5, Method.NOTICES, points_per_notice=Decimal(2)),
        manual=add(
            "工作成效",
            15,
            evidence_required="总结材料、典型案例",
            criteria="成效显著得15分，较好得10分，一般得5分。",
        ),
    )
    services.participants_set(actor=world.office, scheme=scheme, units=[world.zhuozi, world.huade])
    scheme.refresh_from_db()
    return SimpleNamespace(scheme=scheme, items=items)


@pytest.fixture
def opened(world, design):
    """Self-assessment under way (automatic items computed)."""
    design.scheme = services.scheme_act(
        actor=world.office, scheme=design.scheme, action=SchemeAction.OPEN
    )
    design.zhuozi = design.scheme.participants.get(unit=world.zhuozi)
    design.huade = design.scheme.participants.get(unit=world.huade)
    return design


def score_of(participant, item):
    return participant.scores.get(item=item)
