import datetime

import pytest
from django.utils import timezone

from zhuanban.tasks import services
from zhuanban.tasks.lifecycle import Action


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def task_list(world):
    return services.tasklist_create(
        actor=world.office,
        office=world.potato,
        title="乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单",
        year=2023,
        level="city",
        source_document="乌兰察布市建设国家重要农畜产品生产基地实施方案",
    )


@pytest.fixture
def make_task(world, task_list, today):
    def _make(parent=None, lead=None, **fields):
        defaults = {
            "content": "建设马铃薯种薯繁育基地",
            "lead_unit": world.zhuozi if lead is None else lead,
            "start_date": today - datetime.timedelta(days=30),
            "due_date": today + datetime.timedelta(days=60),
        }
        return services.task_create(
            actor=world.office, task_list=task_list, parent=parent, **(defaults | fields)
        )

    return _make


@pytest.fixture
def assigned(world, make_task):
    task = make_task()
    return services.task_act(actor=world.office, task=task, action=Action.ASSIGN)


@pytest.fixture
def in_progress(world, assigned):
    return services.task_act(actor=world.zhuozi_liaison, task=assigned, action=Action.ACCEPT)
