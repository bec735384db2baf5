"""Helpers for the web and API hardening tests: bearer tokens and a little business data
(a task list with an assigned task, a per-unit table with a round open to both counties)
so that every API operation has ids to work on."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from zhuanban.core.models import ApiToken
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.tests.conftest import LIVESTOCK_SCHEMA, open_round
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action


def bearer(user, name: str = "tests") -> dict[str, str]:
    """Headers for the test client carrying a new API token of `user`."""
    raw, digest = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, digest=digest)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def business_data(world) -> SimpleNamespace:
    today = timezone.localdate()
    task_list = task_services.tasklist_create(
        actor=world.office,
        office=world.potato,
        title="2023年马铃薯产业重点任务单",
        year=2023,
        level="city",
        source_document="乌兰察布市马铃薯产业高质量发展实施方案",
    )
    task = task_services.task_create(
        actor=world.office,
        task_list=task_list,
        parent=None,
        content="建设马铃薯种薯繁育基地",
        lead_unit=world.zhuozi,
        start_date=today - datetime.timedelta(days=30),
        due_date=today + datetime.timedelta(days=60),
    )
    task = task_services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    template = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    round_ = open_round(world, template)
    return SimpleNamespace(task_list=task_list, task=task, template=template, round=round_)
