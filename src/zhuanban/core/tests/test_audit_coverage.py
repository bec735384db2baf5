"""Every kind of security-relevant event, done through the real screens, leaves an
audit record with who, from where, what, on which record, the outcome, and the
before/after where a record changed. (Uploads and downloads: see their own tests.)"""

from django.urls import reverse

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome
from zhuanban.dispatch import services as dispatch
from zhuanban.dispatch.models import SubmissionStatus
from zhuanban.dispatch.tests.conftest import LIVESTOCK_SCHEMA, open_round
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import Role
from zhuanban.org.tests.factories import UserFactory
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Task

IP = "127.0.0.1"  # the test client's REMOTE_ADDR


def only_event_after(mark: int, **conditions) -> AuditEvent:
    return AuditEvent.objects.filter(seq__gt=mark, **conditions).get()


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_the_screens_leave_a_complete_trail(client, login, world):
    mark = last_seq()

    # failed login, login
    client.post(reverse("login"), {"username": "office", "password": "wrong"})
    failed = only_event_after(mark, action=AuditAction.LOGIN_FAILED)
    assert (failed.actor, failed.ip, failed.outcome) == (None, IP, AuditOutcome.FAILURE)
    assert failed.object_type == "auth.user"
    assert failed.object_repr == "office"

    mark = last_seq()
    response = client.post(reverse("login"), {"username": "office", "password": "Demo@2023"})
    assert response.status_code == 302
    login_event = only_event_after(mark, action=AuditAction.LOGIN)
    assert (login_event.actor, login_event.ip, login_event.outcome) == (
        world.office,
        IP,
        AuditOutcome.SUCCESS,
    )
    assert (login_event.object_type, login_event.object_id) == ("auth.user", str(world.office.pk))

    # a task list and a task created on screen, then assigned
    mark = last_seq()
    client.post(
        reverse("tasks:list_create"),
        {
            "title": "2024年马铃薯产业重点任务清单",
            "year": 2024,
            "level": "city",
            "office": world.potato.pk,
            "numbering": "chinese",
        },
    )
    task_list = world.potato.task_lists.get()
    list_event = only_event_after(mark, action=AuditAction.CREATE, object_type="tasks.tasklist")
    assert (list_event.actor, list_event.ip, list_event.object_id) == (
        world.office,
        IP,
        str(task_list.pk),
    )
    assert list_event.before is None
    assert list_event.after["title"] == "2024年马铃薯产业重点任务清单"

    mark = last_seq()
    client.post(
        reverse("tasks:task_create", args=[task_list.pk]),
        {"content": "扩大种薯繁育面积", "lead_unit": world.zhuozi.pk, "due_date": "2024-06-30"},
    )
    task = Task.objects.get(task_list=task_list)
    created = only_event_after(mark, action=AuditAction.CREATE, object_type="tasks.task")
    assert (created.actor, created.ip, created.object_id) == (world.office, IP, str(task.pk))
    assert created.object_repr
    assert created.after["content"] == "扩大种薯繁育面积"

    mark = last_seq()
    client.post(reverse("tasks:act", args=[task.pk, "assign"]))
    task.refresh_from_db()
    assert task.status == Status.ASSIGNED
    moved = only_event_after(
        mark, action=AuditAction.UPDATE, object_type="tasks.task", object_id=str(task.pk)
    )
    assert (moved.actor, moved.ip, moved.outcome) == (world.office, IP, AuditOutcome.SUCCESS)
    assert moved.before["status"] == Status.DRAFT
    assert moved.after["status"] == Status.ASSIGNED

    # the ledger exported
    mark = last_seq()
    assert client.get(reverse("tasks:export"), {"text": "种薯"}).status_code == 200
    export = only_event_after(mark, action=AuditAction.EXPORT)
    assert (export.actor, export.ip, export.object_type) == (world.office, IP, "tasks.ledger")
    assert "text=" in export.after["query"]

    # logout
    mark = last_seq()
    client.post(reverse("logout"))
    logout = only_event_after(mark, action=AuditAction.LOGOUT)
    assert (logout.actor, logout.ip) == (world.office, IP)

    # a role granted in the administration screens
    newcomer = UserFactory(username="newcomer")
    login(world.secadmin)
    mark = last_seq()
    response = client.post(
        reverse("admin:org_roleassignment_add"),
        {"user": newcomer.pk, "role": Role.INSPECTOR, "unit": ""},
    )
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=newcomer)
    granted = only_event_after(mark, object_type="org.roleassignment")
    assert (granted.actor, granted.ip, granted.action) == (world.secadmin, IP, AuditAction.CREATE)
    assert granted.object_id == str(grant.pk)
    assert granted.after["role"] == Role.INSPECTOR

    # a dispatch table submitted by the county
    template = dispatch.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi],
    )
    round_ = open_round(world, template)
    submission = round_.submissions.get(unit=world.zhuozi)
    login(world.zhuozi_liaison)
    mark = last_seq()
    values = {"beef": "3.2", "dairy": "1.1", "total": "4.3", "farms": "12", "note": "正常"}
    data = {"lock_version": submission.lock_version, "row_count": 1, "action": "submit"}
    data.update({f"cell-0-{key}": value for key, value in values.items()})
    response = client.post(reverse("dispatch:submission", args=[round_.pk, world.zhuozi.pk]), data)
    assert response.status_code == 302
    submitted = only_event_after(
        mark, object_type="dispatch.submission", object_id=str(submission.pk)
    )
    assert (submitted.actor, submitted.ip, submitted.action) == (
        world.zhuozi_liaison,
        IP,
        AuditAction.UPDATE,
    )
    assert submitted.before["status"] == SubmissionStatus.PENDING
    assert submitted.after["status"] == SubmissionStatus.SUBMITTED

    # and the whole trail still verifies
    assert audit.verify_chain() == (True, None)
