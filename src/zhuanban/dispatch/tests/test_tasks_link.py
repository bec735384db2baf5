"""Where dispatch meets the task lists: a progress request answered by reporting on the
tasks, and tasks with a quantitative target that take their progress from indicators."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhuanban.dispatch import services
from zhuanban.dispatch.models import Cadence, SubmissionStatus, Target
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action


@pytest.fixture
def task_list(world):
    return task_services.tasklist_create(
        actor=world.office, office=world.potato, title="2023年重点任务单", year=2023, level="city"
    )


def started_task(world, task_list, lead, liaison, **fields):
    today = timezone.localdate()
    task = task_services.task_create(
        actor=world.office,
        task_list=task_list,
        content=fields.pop("content", "推进肉牛养殖"),
        lead_unit=lead,
        start_date=today - datetime.timedelta(days=30),
        due_date=today + datetime.timedelta(days=60),
        **fields,
    )
    task = task_services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    return task_services.task_act(actor=liaison, task=task, action=Action.ACCEPT)


def test_a_progress_request_is_answered_by_reporting_on_every_open_task(world, login, task_list):
    first = started_task(world, task_list, world.zhuozi, world.zhuozi_liaison)
    second = started_task(
        world, task_list, world.zhuozi, world.zhuozi_liaison, content="建设种薯基地"
    )
    started_task(world, task_list, world.huade, world.huade_liaison)
    today = timezone.localdate()
    round_ = services.round_open(
        actor=world.office,
        task_list=task_list,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=Period.containing(PeriodKind.MONTH, today),
        opens_on=today,
        due_on=today + datetime.timedelta(days=5),
        locks_on=today + datetime.timedelta(days=9),
    )
    assert sorted(round_.submissions.values_list("unit__name", flat=True)) == ["化德县", "卓资县"]
    task_services.task_report(
        actor=world.zhuozi_liaison, task=first, text="已完成选址", progress=30
    )
    assert services.refresh_task_list_round(round_) == 0  # one of two tasks reported
    task_services.task_report(actor=world.zhuozi_liaison, task=second, text="已开工", progress=20)
    assert services.refresh_task_list_round(round_) == 1
    zhuozi = round_.submissions.get(unit=world.zhuozi)
    assert zhuozi.status == SubmissionStatus.SUBMITTED
    assert zhuozi.first_submitted_at is not None
    assert round_.submissions.get(unit=world.huade).status == SubmissionStatus.PENDING
    response = login(world.zhuozi_liaison).get(
        reverse("dispatch:submission", args=[round_.pk, world.zhuozi.pk])
    )
    assert response.url.startswith(reverse("tasks:ledger"))


def test_a_task_with_a_quantitative_target_takes_its_progress_from_the_indicator(
    world, task_list, beef_indicator, livestock_round
):
    task = started_task(
        world,
        task_list,
        world.zhuozi,
        world.zhuozi_liaison,
        content="肉牛存栏增加2万头",
        target_value=Decimal("2"),
        target_unit="万头",
        indicator_code="beef_increase",
    )
    Target.objects.create(
        indicator=beef_indicator, unit=world.zhuozi, year=2023, value=Decimal("2")
    )
    submission = livestock_round.submissions.get(unit=world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=[{"beef": "1.5", "dairy": "0.5", "total": "2.0"}],
        expected_version=None,
    )
    task.refresh_from_db()
    assert task.progress == 0  # only approved figures count
    services.submission_approve(actor=world.office, submission=submission)
    task.refresh_from_db()
    assert task.progress == 75
