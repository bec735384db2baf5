"""A task's page lists the supervisory visits that checked it, as far as the reader may
see them: a county never learns of a visit still planned, above all an unannounced one."""

import datetime

from django.urls import reverse

from zhuanban.supervision.models import VisitKind, VisitStatus
from zhuanban.tasks import services as tasks
from zhuanban.tasks.lifecycle import Action


def _assigned_task(world, today):
    task_list = tasks.tasklist_create(
        actor=world.office, office=world.potato, title="马铃薯产业重点任务单", year=today.year
    )
    task = tasks.task_create(
        actor=world.office,
        task_list=task_list,
        content="建设马铃薯种薯繁育基地",
        lead_unit=world.zhuozi,
        due_date=today + datetime.timedelta(days=60),
    )
    return tasks.task_act(actor=world.office, task=task, action=Action.ASSIGN)


def test_the_task_page_lists_the_visits_the_reader_may_see(login, world, make_visit, today):
    task = _assigned_task(world, today)
    make_visit(place="巴音锡勒镇种薯繁育基地", tasks=[task])
    make_visit(
        days=5,
        status=VisitStatus.PLANNED,
        kind=VisitKind.UNANNOUNCED,
        place="卓资山镇种薯窖",
        tasks=[task],
    )
    url = reverse("tasks:detail", args=[task.pk])

    office_page = login(world.office).get(url).content.decode()
    assert "巴音锡勒镇种薯繁育基地" in office_page
    assert "卓资山镇种薯窖" in office_page

    county_page = login(world.zhuozi_liaison).get(url).content.decode()
    assert "巴音锡勒镇种薯繁育基地" in county_page
    assert "卓资山镇种薯窖" not in county_page


def test_a_task_no_visit_checked_shows_no_visit_section(login, world, today):
    task = _assigned_task(world, today)
    page = login(world.office).get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert 'id="task-visits"' not in page
