import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhuanban.core.models import AuditEvent, Notification
from zhuanban.tasks import services
from zhuanban.tasks.lifecycle import TRANSITIONS, Action, Party, Status, allowed_actions
from zhuanban.tasks.models import ExtensionStatus, Task


def test_the_whole_loop_from_assignment_to_closure(world, make_task):
    task = make_task()
    assert task.status == Status.DRAFT
    task = services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    assert task.status == Status.ASSIGNED
    assert Notification.objects.filter(recipient=world.zhuozi_liaison, kind="task_assign").exists()

    task = services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)
    services.task_report(actor=world.zhuozi_liaison, task=task, text="完成选址", progress=40)
    task = services.task_act(
        actor=world.zhuozi_liaison, task=task, action=Action.REQUEST_CLOSE, comment="已完成"
    )
    assert Notification.objects.filter(recipient=world.office, kind="task_request_close").exists()
    task = services.task_act(actor=world.office, task=task, action=Action.CLOSE)

    task.refresh_from_db()
    assert (task.status, task.progress) == (Status.CLOSED, 100)
    assert list(task.events.values_list("action", flat=True)) == [
        "create",
        "assign",
        "accept",
        "report",
        "request_close",
        "close",
    ]
    assert AuditEvent.objects.filter(object_type="tasks.task", object_id=str(task.pk)).count() == 6


@pytest.mark.parametrize(
    ("persona", "action"),
    [
        ("huade_liaison", Action.ACCEPT),  # another county
        ("office", Action.ACCEPT),  # the office does not accept its own assignment
        ("brand_staff", Action.URGE),  # another office
        ("leader", Action.ACCEPT),
        ("auditor", Action.URGE),
    ],
)
def test_only_the_right_party_may_act(world, assigned, persona, action):
    with pytest.raises(PermissionDenied):
        services.task_act(actor=getattr(world, persona), task=assigned, action=action)
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED


def test_actions_outside_the_table_are_refused_in_chinese(world, assigned):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.task_act(actor=world.office, task=assigned, action=Action.CLOSE)
    assert caught.value.code == "invalid_transition"


def test_returning_needs_a_reason_and_goes_back_to_the_office(world, assigned):
    with pytest.raises(ValidationError):
        services.task_act(actor=world.zhuozi_liaison, task=assigned, action=Action.RETURN)
    task = services.task_act(
        actor=world.zhuozi_liaison, task=assigned, action=Action.RETURN, comment="不属于我县职责"
    )
    assert task.status == Status.RETURNED
    assert Notification.objects.filter(recipient=world.office, kind="task_return").exists()


def test_closing_a_task_with_open_subtasks_names_them(world, make_task):
    parent = make_task(content="推进种薯基地建设", lead=world.zhuozi)
    make_task(parent=parent, content="子任务一")
    make_task(parent=parent, content="子任务二")
    for task in (parent, *parent.children.all()):
        services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    parent = services.task_act(actor=world.zhuozi_liaison, task=parent, action=Action.ACCEPT)
    parent = services.task_act(actor=world.zhuozi_liaison, task=parent, action=Action.REQUEST_CLOSE)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.task_act(actor=world.office, task=parent, action=Action.CLOSE)
    assert caught.value.code == "open_subtasks"
    assert "(一)" in caught.value.messages[0]
    assert "(二)" in caught.value.messages[0]
    parent.refresh_from_db()
    assert parent.status == Status.CLOSE_REQUESTED


def test_extension_before_the_due_date_keeps_the_original(world, in_progress, today):
    old_due = in_progress.due_date
    request = services.extension_request(
        actor=world.zhuozi_liaison,
        task=in_progress,
        reason="设备到货延迟",
        new_due_date=old_due + datetime.timedelta(days=30),
        progress_so_far="已完成土建",
    )
    services.extension_decide(actor=world.office, request=request, approve=True)
    task = Task.objects.get(pk=in_progress.pk)
    assert task.due_date == old_due + datetime.timedelta(days=30)
    assert task.original_due_date == old_due
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED


def test_extension_after_the_due_date_is_refused(world, make_task, today):
    task = make_task(
        start_date=today - datetime.timedelta(days=30), due_date=today - datetime.timedelta(days=1)
    )
    task = services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    task = services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.extension_request(
            actor=world.zhuozi_liaison,
            task=task,
            reason="来不及",
            new_due_date=today + datetime.timedelta(days=10),
            progress_so_far="",
        )
    assert caught.value.code == "too_late"
    assert not task.extensions.exists()


def test_a_new_due_date_must_be_later(world, in_progress):
    with pytest.raises(ValidationError):
        services.extension_request(
            actor=world.zhuozi_liaison,
            task=in_progress,
            reason="x",
            new_due_date=in_progress.due_date,
            progress_so_far="x",
        )


def test_every_transition_names_known_states_and_parties():
    for (state, action), (target, parties) in TRANSITIONS.items():
        assert state in Status.values
        assert action in Action.values
        assert target is None or target in Status.values
        assert parties <= set(Party.values)


def test_the_ui_offers_what_the_table_allows():
    assert allowed_actions(Status.ASSIGNED, {Party.LEAD}) == [
        Action.ACCEPT,
        Action.RETURN,
        Action.COMMENT,
    ]
    assert Action.CLOSE in allowed_actions(Status.CLOSE_REQUESTED, {Party.OFFICE})
    assert Action.CLOSE not in allowed_actions(Status.CLOSE_REQUESTED, {Party.LEAD})


def test_nobody_verifies_their_own_closing_request(world, task_list):
    # 马晓静 works in 种植业管理科 and is on the potato office's staff: she may act for
    # the section and for the office, but not close what she asked to close.
    task = services.task_create(
        actor=world.office,
        task_list=task_list,
        content="种植业管理科牵头的措施",
        lead_unit=world.crops,
        due_date=task_list.created_at.date().replace(year=task_list.year + 5),
    )
    task = services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    task = services.task_act(actor=world.office, task=task, action=Action.ACCEPT)
    task = services.task_act(actor=world.office, task=task, action=Action.REQUEST_CLOSE)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.task_act(actor=world.office, task=task, action=Action.CLOSE)
    assert caught.value.code == "four_eyes"
    task = services.task_act(actor=world.potato_director, task=task, action=Action.CLOSE)
    assert task.status == Status.CLOSED


def test_a_unit_nobody_acts_for_cannot_be_given_work(world, make_task):
    # 卓资镇 has no liaison and nobody on its staff.
    task = make_task(lead=world.zhuozi_town)
    with pytest.raises(ValidationError) as caught:
        services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    assert caught.value.error_dict["lead_unit"][0].code == "no_liaison"
    task.refresh_from_db()
    assert task.status == Status.DRAFT


def test_administrators_never_act_for_their_unit(world, make_task):
    # sysadmin, secadmin and auditor sit in 市场与信息化科; a task it leads goes to the
    # section's other staff (here: the brand office member), never to them.
    task = make_task(lead=world.it)
    task = services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    recipients = set(
        Notification.objects.filter(kind="task_assign").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"brand-m1"}
    with pytest.raises(PermissionDenied):
        services.task_act(actor=world.sysadmin, task=task, action=Action.ACCEPT)


def test_full_numbers_name_the_ancestors(make_task):
    parent = make_task(content="一级")
    make_task(content="一级二")
    child = make_task(parent=parent, content="二级")
    grandchild = make_task(parent=child, content="三级")
    assert grandchild.full_number() == "一、(一)1."
    assert grandchild.full_number("decimal") == "1.1.1"
