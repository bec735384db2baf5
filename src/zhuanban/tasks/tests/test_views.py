import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from zhuanban.core.models import Notification
from zhuanban.tasks import services
from zhuanban.tasks.lifecycle import Action, Status
from zhuanban.tasks.models import Task

D = datetime.timedelta


@pytest.fixture
def two_counties(world, make_task, today):
    zhuozi_task = services.task_act(
        actor=world.office,
        task=make_task(content="卓资县种薯基地", lead=world.zhuozi),
        action=Action.ASSIGN,
    )
    huade_task = services.task_act(
        actor=world.office,
        task=make_task(content="化德县冷库建设", lead=world.huade),
        action=Action.ASSIGN,
    )
    draft = make_task(content="尚未交办的草稿", lead=world.zhuozi)
    return zhuozi_task, huade_task, draft


def test_the_ledger_is_scoped_by_county(login, world, two_counties):
    html = login(world.zhuozi_liaison).get(reverse("tasks:ledger")).content.decode()
    assert "卓资县种薯基地" in html
    assert "化德县冷库建设" not in html
    assert "尚未交办的草稿" not in html  # drafts stay with the office
    office_html = login(world.office).get(reverse("tasks:ledger")).content.decode()
    assert "尚未交办的草稿" in office_html
    assert "化德县冷库建设" in office_html


def test_another_countys_task_is_not_found(login, world, two_counties):
    _zhuozi, huade_task, _draft = two_counties
    assert (
        login(world.zhuozi_liaison).get(reverse("tasks:detail", args=[huade_task.pk])).status_code
        == 404
    )
    assert (
        login(world.brand_staff).get(reverse("tasks:detail", args=[huade_task.pk])).status_code
        == 404
    )
    # the three administrators (三员) read no business data: not even an empty ledger
    assert login(world.auditor).get(reverse("tasks:ledger")).status_code == 403


def test_ledger_filters_and_counts(login, world, two_counties):
    client = login(world.leader)
    response = client.get(reverse("tasks:ledger"), {"county": world.huade.pk})
    tasks = list(response.context["page"])
    assert [t.content for t in tasks] == ["化德县冷库建设"]
    response = client.get(reverse("tasks:ledger"), {"text": "种薯"})
    assert [t.content for t in response.context["page"]] == ["卓资县种薯基地"]
    response = client.get(reverse("tasks:ledger"), {"status": Status.DRAFT})
    assert [t.content for t in response.context["page"]] == ["尚未交办的草稿"]
    assert response.context["counts"]["total"] == 1


def test_ledger_grouped_by_county(login, world, two_counties):
    response = login(world.leader).get(reverse("tasks:ledger"), {"group": "county"})
    rows = {row["name"]: row["total"] for row in response.context["groups"]}
    assert rows == {"卓资县": 2, "化德县": 1}


def test_ledger_page_queries_do_not_grow_with_tasks(login, world, make_task):
    client = login(world.leader)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("tasks:ledger")).status_code == 200
        return len(ctx.captured_queries)

    make_task(cooperating_units=[world.huade])
    few = count()
    for n in range(15):
        make_task(content=f"措施{n}", cooperating_units=[world.huade, world.crops])
    assert count() == few


def test_the_detail_page_offers_only_allowed_actions(login, world, two_counties):
    zhuozi_task, _huade, _draft = two_counties
    url = reverse("tasks:detail", args=[zhuozi_task.pk])
    liaison_html = login(world.zhuozi_liaison).get(url).content.decode()
    assert reverse("tasks:act", args=[zhuozi_task.pk, "accept"]) in liaison_html
    assert reverse("tasks:act", args=[zhuozi_task.pk, "urge"]) not in liaison_html
    office_html = login(world.office).get(url).content.decode()
    assert reverse("tasks:act", args=[zhuozi_task.pk, "urge"]) in office_html
    assert reverse("tasks:act", args=[zhuozi_task.pk, "accept"]) not in office_html


def test_accept_report_and_close_through_the_screens(login, world, two_counties):
    task, _huade, _draft = two_counties
    liaison = login(world.zhuozi_liaison)
    liaison.post(reverse("tasks:act", args=[task.pk, "accept"]))
    liaison.post(
        reverse("tasks:report", args=[task.pk]),
        {"text": "完成选址和土建", "progress": 80, "figures": "面积 500 亩"},
    )
    liaison.post(reverse("tasks:act", args=[task.pk, "request_close"]), {"comment": "已完成"})
    office = login(world.office)
    office.post(reverse("tasks:act", args=[task.pk, "close"]))
    task.refresh_from_db()
    assert task.status == Status.CLOSED
    html = office.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "完成选址和土建" in html
    assert "面积 500 亩" in html


def test_a_forbidden_action_changes_nothing(login, world, two_counties):
    task, _huade, _draft = two_counties
    response = login(world.huade_liaison).post(reverse("tasks:act", args=[task.pk, "accept"]))
    assert response.status_code == 404
    response = login(world.office).post(reverse("tasks:act", args=[task.pk, "accept"]))
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).status == Status.ASSIGNED


def test_returning_without_a_reason_is_explained(login, world, two_counties):
    task, _huade, _draft = two_counties
    client = login(world.zhuozi_liaison)
    response = client.post(reverse("tasks:act", args=[task.pk, "return"]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    with translation.override("zh-hans"):
        assert messages == [gettext("Please give a reason.")]
    assert Task.objects.get(pk=task.pk).status == Status.ASSIGNED


def test_actions_need_post(login, world, two_counties):
    task, _huade, _draft = two_counties
    assert (
        login(world.zhuozi_liaison).get(reverse("tasks:act", args=[task.pk, "accept"])).status_code
        == 405
    )


def test_editing_with_a_stale_version_shows_a_clear_message(login, world, make_task):
    task = make_task(content="原内容")
    stale_version = task.version
    services.task_update(
        actor=world.potato_director, task=task, expected_version=task.version, content="主任的修改"
    )
    data = {
        "content": "我的修改",
        "lead_unit": world.zhuozi.pk,
        "start_date": task.start_date.isoformat(),
        "due_date": task.due_date.isoformat(),
        "version": stale_version,
    }
    response = login(world.office).post(reverse("tasks:edit", args=[task.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Task.objects.get(pk=task.pk).content == "主任的修改"


def test_create_a_list_and_a_task(login, world):
    client = login(world.office)
    response = client.post(
        reverse("tasks:list_create"),
        {
            "title": "2024年马铃薯产业重点任务清单",
            "year": 2024,
            "level": "city",
            "office": world.potato.pk,
            "numbering": "chinese",
        },
    )
    assert response.status_code == 302
    task_list = world.potato.task_lists.get()
    response = client.post(
        reverse("tasks:task_create", args=[task_list.pk]),
        {
            "content": "扩大种薯繁育面积",
            "lead_unit": world.zhuozi.pk,
            "cooperating_units": [world.huade.pk],
            "due_date": "2024-06-30",
        },
    )
    assert response.status_code == 302
    task = task_list.tasks.get()
    assert (task.number(), task.lead_unit, list(task.cooperating_units.all())) == (
        "一、",
        world.zhuozi,
        [world.huade],
    )


def test_other_offices_cannot_create_lists_for_this_office(login, world):
    response = login(world.brand_staff).post(
        reverse("tasks:list_create"),
        {
            "title": "越权清单",
            "year": 2024,
            "level": "city",
            "office": world.potato.pk,
            "numbering": "chinese",
        },
    )
    assert response.status_code == 200
    assert "office" in response.context["form"].errors
    assert login(world.zhuozi_liaison).get(reverse("tasks:list_create")).status_code == 403


def test_the_inbox_lists_what_waits_for_each_side(login, world, two_counties):
    task, _huade, _draft = two_counties
    inbox = login(world.zhuozi_liaison).get(reverse("tasks:inbox")).context["inbox"]
    assert [t.pk for t in inbox["to_accept"]] == [task.pk]
    services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)
    services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.REQUEST_CLOSE)
    inbox = login(world.office).get(reverse("tasks:inbox")).context["inbox"]
    assert [t.pk for t in inbox["to_verify"]] == [task.pk]


def test_the_bell_counts_unread_notifications(login, world, two_counties):
    client = login(world.zhuozi_liaison)
    response = client.get(reverse("tasks:ledger"))
    assert response.context["unread_notifications"] == 1  # the assignment
    note = Notification.objects.get(recipient=world.zhuozi_liaison)
    response = client.get(reverse("core:notification_open", args=[note.pk]))
    assert response.url == reverse("tasks:detail", args=[two_counties[0].pk])
    assert client.get(reverse("tasks:ledger")).context["unread_notifications"] == 0
    # Someone else's notification is not found.
    assert (
        login(world.huade_liaison)
        .get(reverse("core:notification_open", args=[note.pk]))
        .status_code
        == 404
    )


def test_extension_requested_and_approved_on_screen(login, world, two_counties):
    task, _huade, _draft = two_counties
    services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)
    new_due = task.due_date + D(30)
    login(world.zhuozi_liaison).post(
        reverse("tasks:extension", args=[task.pk]),
        {
            "new_due_date": new_due.isoformat(),
            "reason": "设备到货延迟",
            "progress_so_far": "土建完成",
        },
    )
    extension = task.extensions.get()
    login(world.office).post(
        reverse("tasks:extension_decide", args=[extension.pk]), {"approve": "1", "comment": "同意"}
    )
    task.refresh_from_db()
    assert task.due_date == new_due
    html = login(world.office).get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "设备到货延迟" in html
    assert task.original_due_date.strftime("%Y-%m-%d") in html


def test_a_liaison_sees_the_heading_without_a_link_to_it(login, world, make_task):
    heading = make_task(content="推进种薯基地建设", lead=world.zhuozi)  # stays a draft
    measure = services.task_act(
        actor=world.office,
        task=make_task(parent=heading, content="新建脱毒种薯基地"),
        action=Action.ASSIGN,
    )
    html = (
        login(world.zhuozi_liaison).get(reverse("tasks:detail", args=[measure.pk])).content.decode()
    )
    assert "推进种薯基地建设" in html
    assert reverse("tasks:detail", args=[heading.pk]) not in html
    assert "一、(一)" in html  # the full number, since the heading is not on the page
    office_html = (
        login(world.office).get(reverse("tasks:detail", args=[measure.pk])).content.decode()
    )
    assert reverse("tasks:detail", args=[heading.pk]) in office_html


def test_exports_are_audited(login, world, make_task):
    from zhuanban.core.models import AuditAction, AuditEvent

    make_task()
    login(world.office).get(reverse("tasks:export"), {"text": "种薯"})
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == world.office
    assert "text=" in event.after["query"]


def test_the_deadline_as_written_fills_the_date_and_milestones(login, world, task_list):
    client = login(world.office)
    url = reverse("tasks:task_create", args=[task_list.pk])
    client.post(
        url, {"content": "每月调度种薯生产", "lead_unit": world.zhuozi.pk, "due_text": "每月10日前"}
    )
    task = task_list.tasks.get()
    assert task.due_date == datetime.date(task_list.year, 12, 10)
    assert task.milestones.count() == 12
    assert task.milestones.first().due_date == datetime.date(task_list.year, 1, 10)

    response = client.post(
        url, {"content": "看不懂的时限", "lead_unit": world.zhuozi.pk, "due_text": "尽快吧"}
    )
    assert "due_text" in response.context["form"].errors
    assert task_list.tasks.count() == 1


def test_asking_to_close_with_evidence(login, world, in_progress):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(world.zhuozi_liaison).post(
        reverse("tasks:act", args=[in_progress.pk, "request_close"]),
        {"comment": "已全部完成", "evidence": SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 done")},
    )
    in_progress.refresh_from_db()
    assert in_progress.status == Status.CLOSE_REQUESTED
    report = in_progress.reports.get()
    assert (report.progress, report.text) == (100, "已全部完成")
    assert [f.name for f in report.evidence.all()] == ["验收报告.pdf"]


def test_headings_show_how_many_of_their_measures_are_closed(login, world, make_task):
    heading = make_task(content="推进种薯基地建设", lead=None)
    for n in range(3):
        task = make_task(parent=heading, content=f"措施{n}")
        if n == 0:
            task = services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
            task = services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)
            task = services.task_act(
                actor=world.zhuozi_liaison, task=task, action=Action.REQUEST_CLOSE
            )
            services.task_act(actor=world.potato_director, task=task, action=Action.CLOSE)
    response = login(world.office).get(reverse("tasks:ledger"))
    row = next(t for t in response.context["page"] if t.pk == heading.pk)
    assert (row.measures_closed, row.measures_total) == (1, 3)
    with translation.override("zh-hans"):
        expected = gettext("%(closed)s of %(total)s closed") % {"closed": 1, "total": 3}
    assert expected in response.content.decode()


def test_form_errors_on_the_task_page_name_their_field(login, world, in_progress):
    response = login(world.zhuozi_liaison).post(
        reverse("tasks:extension", args=[in_progress.pk]),
        {"new_due_date": "2026-02-30", "reason": "", "progress_so_far": "x"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    with translation.override("zh-hans"):
        assert any(m.startswith(str(gettext("New due date"))) for m in messages)
        assert any(m.startswith(str(gettext("Reason"))) for m in messages)
    assert not in_progress.extensions.exists()
