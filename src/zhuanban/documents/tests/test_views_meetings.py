"""Meetings and agenda topics through their pages: planning a meeting, offices submitting
topics, the agenda, the decisions and the tasks that follow them, the counts per office,
and who may not do any of it."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from zhuanban.core.models import StoredFile
from zhuanban.documents import services
from zhuanban.documents.lifecycle import MeetingAction, MeetingStatus, Outcome, Stage, TopicStatus
from zhuanban.documents.models import Meeting, MeetingKind, Topic
from zhuanban.documents.tests.conftest import PLAN_V1, docx_upload
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import Task

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=args)


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2023, 6, day, hour, tzinfo=timezone.get_current_timezone())


def plan(world, day: int, kind=MeetingKind.BUREAU, **data) -> Meeting:
    return services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={"kind": kind, "starts_at": at(day), "chair": world.leader, **data},
    )


def submit(world, meeting, title, office=None, actor=None, **kwargs) -> Topic:
    return services.topic_submit(
        actor=actor or world.office,
        meeting=meeting,
        office=office or world.potato,
        data={"title": title},
        **kwargs,
    )


def decided_topic(world, meeting, title="研究马铃薯种薯繁育体系建设", outcome=Outcome.APPROVED):
    topic = submit(world, meeting, title)
    services.topic_act(actor=world.leader, topic=topic, action="approve")
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.HOLD)
    return services.topic_decide(
        actor=world.leader,
        topic=topic,
        outcome=outcome,
        decision="原则同意，由马铃薯产业办抓好落实。",
    )


# --- the whole flow ------------------------------------------------------------------------------


def test_a_meeting_from_topics_to_minutes_by_posts(login, world, meeting, draft):
    later = plan(world, 27)
    office = login(world.office)

    page = page_of(office.get(url("meeting", meeting.pk)))
    assert pgettext("meeting status", "Collecting topics") in page
    assert url("topic_submit", meeting.pk) in page
    assert url("meeting_act", meeting.pk) not in page  # a member does not manage the meeting

    response = office.post(
        url("topic_submit", meeting.pk),
        {
            "office": world.potato.pk,
            "title": "审议马铃薯产业发展示范区建设方案",
            "summary": "方案已征求各旗县意见。",
            "request": "请会议审议。",
            "presenter": world.potato_director.pk,
            "document": draft.pk,
            "materials": [docx_upload(PLAN_V1, name="起草说明.docx")],
        },
    )
    first = Topic.objects.get(title="审议马铃薯产业发展示范区建设方案")
    assert response.status_code == 302
    assert response.url == url("topic", first.pk)
    assert first.materials.get().name == "起草说明.docx"
    draft.refresh_from_db()
    assert draft.stage == Stage.DELIBERATING
    office.post(
        url("topic_submit", meeting.pk),
        {"office": world.potato.pk, "title": "研究马铃薯全产业链招商工作"},
    )
    second = Topic.objects.get(title="研究马铃薯全产业链招商工作")

    leader = login(world.leader)
    page = page_of(leader.get(url("meeting", meeting.pk)))
    assert gettext("Put on the agenda") in page
    assert "审议马铃薯产业发展示范区建设方案" in page
    assert "起草说明.docx" in page
    response = leader.post(url("topic_act", first.pk), {"action": "approve", "back": "meeting"})
    assert response.url == f"{url('meeting', meeting.pk)}#topic-{first.pk}"
    leader.post(
        url("topic_act", second.pk),
        {"action": "defer", "reason": "材料尚需完善", "to_meeting": later.pk, "back": "meeting"},
    )
    second.refresh_from_db()
    assert (second.meeting_id, second.status, second.times_deferred) == (
        later.pk,
        TopicStatus.SUBMITTED,
        1,
    )
    assert "研究马铃薯全产业链招商工作" in page_of(leader.get(url("meeting", later.pk)))

    leader.post(url("meeting_act", meeting.pk), {"action": MeetingAction.FIX_AGENDA})
    leader.post(url("meeting_act", meeting.pk), {"action": MeetingAction.HOLD})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    page = page_of(leader.get(url("meeting", meeting.pk)))
    assert gettext("Topic %(number)s") % {"number": "一"} in page
    assert gettext("Record the decision") in page

    first.refresh_from_db()
    response = leader.post(
        url("topic_decide", first.pk),
        {
            "outcome": Outcome.APPROVED,
            "decision": "原则通过，按程序报市政府印发。",
            "version": first.version,
            "back": "meeting",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == TopicStatus.DECIDED
    assert first.outcome == Outcome.APPROVED
    draft.refresh_from_db()
    assert draft.stage == Stage.APPROVED
    assert draft.deliberation == meeting.title

    office = login(world.office)
    page = page_of(office.get(url("topic", first.pk)))
    assert "原则通过，按程序报市政府印发。" in page
    assert gettext("Create a task from this decision") in page
    response = office.post(
        url("decision_task", first.pk),
        {
            "content": "按程序报市政府印发示范区建设方案",
            "lead_unit": world.crops.pk,
            "cooperating_units": [world.zhuozi.pk],
            "due_date": "2023-07-15",
            "responsible_leader": "王振华",
            "assign": "on",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(content="按程序报市政府印发示范区建设方案")
    assert task.status == TaskStatus.ASSIGNED
    assert task.meeting_link.topic == first
    page = page_of(office.get(url("topic", first.pk)))
    assert reverse("tasks:detail", args=[task.pk]) in page
    assert str(TaskStatus.ASSIGNED.label) in page

    task_page = page_of(office.get(reverse("tasks:detail", args=[task.pk])))
    assert 'id="meeting-source"' in task_page
    assert meeting.title in task_page
    assert url("topic", first.pk) in task_page
    assert url("meeting", meeting.pk) in task_page

    leader = login(world.leader)
    response = leader.post(url("meeting_act", meeting.pk), {"action": MeetingAction.CLOSE})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    page = page_of(leader.get(url("meeting", meeting.pk)))
    assert gettext("The minutes are issued.") in page
    assert pgettext("meeting status", "Minutes issued") in page
    assert url("meeting_edit", meeting.pk) not in page


def test_planning_a_meeting_numbers_it_and_lists_it(login, world):
    leader = login(world.leader)
    response = leader.post(
        url("meeting_create"),
        {
            "kind": MeetingKind.DIRECTOR,
            "convener": world.bureau.pk,
            "starts_at": "2023-06-21T15:00",
            "place": "局二楼会议室",
            "chair": world.leader.pk,
            "attendees": [world.leader.pk, world.potato_director.pk],
            "topic_deadline": "2023-06-19",
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == url("meeting", meeting.pk)
    assert meeting.title == services.default_meeting_title(MeetingKind.DIRECTOR, 2023, 1)
    assert set(meeting.attendees.all()) == {world.leader, world.potato_director}
    page = page_of(leader.get(url("meetings")))
    assert meeting.title in page
    assert "局二楼会议室" in page
    assert str(MeetingKind.DIRECTOR.label) in page

    # The member of an office convenes for their office only, not for the bureau.
    office = login(world.office)
    form = page_of(office.get(url("meeting_create")))
    conveners = form[
        form.index('name="convener"') : form.index("</select>", form.index('name="convener"'))
    ]
    assert world.potato.name in conveners
    assert world.bureau.name not in conveners
    response = office.post(
        url("meeting_create"),
        {"kind": MeetingKind.BUREAU, "convener": world.bureau.pk, "starts_at": "2023-06-22T09:00"},
    )
    assert response.status_code == 200
    assert Meeting.objects.count() == 1


def test_editing_a_held_meeting_records_the_minutes(login, world, meeting):
    decided_topic(world, meeting)
    meeting.refresh_from_db()
    leader = login(world.leader)
    form = page_of(leader.get(url("meeting_edit", meeting.pk)))
    assert 'name="minutes_summary"' in form
    response = leader.post(
        url("meeting_edit", meeting.pk),
        {
            "starts_at": "2023-06-20T09:00",
            "place": "局三楼会议室",
            "chair": world.leader.pk,
            "attendees": [world.leader.pk],
            "title": meeting.title,
            "minutes_number": "局务会纪要〔2023〕3号",
            "minutes_summary": "会议研究了马铃薯种薯繁育体系建设。",
            "version": meeting.version,
        },
    )
    assert response.status_code == 302
    page = page_of(leader.get(url("meeting", meeting.pk)))
    assert "局务会纪要〔2023〕3号" in page
    assert "会议研究了马铃薯种薯繁育体系建设。" in page

    # A stale form is refused and says why; nothing is overwritten.
    response = leader.post(
        url("meeting_edit", meeting.pk),
        {"starts_at": "2023-06-20T09:00", "minutes_number": "旧", "version": meeting.version},
    )
    assert gettext(
        "Someone else changed this in the meantime. Reload the page and try again."
    ) in page_of(response)
    meeting.refresh_from_db()
    assert meeting.minutes_number == "局务会纪要〔2023〕3号"


# --- bad input -----------------------------------------------------------------------------------


def test_a_meeting_with_no_topic_cannot_fix_its_agenda(login, world, meeting):
    leader = login(world.leader)
    response = leader.post(
        url("meeting_act", meeting.pk), {"action": MeetingAction.FIX_AGENDA}, follow=True
    )
    assert gettext(
        "The meeting has no topic on its agenda: put at least one on it first."
    ) in page_of(response)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert gettext("No topic is on the agenda yet.") in page_of(response)


def test_cancelling_needs_a_reason_and_defers_the_topics(login, world, meeting):
    topic = submit(world, meeting, "研究品牌授权工作")
    leader = login(world.leader)
    response = leader.post(
        url("meeting_act", meeting.pk), {"action": MeetingAction.CANCEL}, follow=True
    )
    assert gettext("Please give a reason.") in page_of(response)
    leader.post(url("meeting_act", meeting.pk), {"action": MeetingAction.CANCEL, "reason": "改期"})
    meeting.refresh_from_db()
    topic.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert topic.status == TopicStatus.DEFERRED
    page = page_of(leader.get(url("meeting", meeting.pk)))
    assert "改期" in page
    assert url("meeting_act", meeting.pk) not in page


def test_a_bad_material_refuses_the_whole_topic_and_keeps_what_was_typed(login, world, meeting):
    office = login(world.office)
    stored_before = StoredFile.objects.count()
    response = office.post(
        url("topic_submit", meeting.pk),
        {
            "office": world.potato.pk,
            "title": "研究马铃薯仓储设施建设",
            "materials": [
                docx_upload(PLAN_V1, name="说明.docx"),
                docx_upload(PLAN_V1, name="宏.docm"),
            ],
        },
    )
    assert response.status_code == 200
    page = page_of(response)
    assert "宏.docm" in page
    assert "研究马铃薯仓储设施建设" in page  # the title stays in the form
    assert (
        gettext("The files were not kept because the form was refused: choose them again.") in page
    )
    assert not Topic.objects.exists()
    assert StoredFile.objects.count() == stored_before


def test_deferring_without_a_reason_is_refused_on_the_page(login, world, meeting):
    topic = submit(world, meeting, "研究冷链物流项目")
    leader = login(world.leader)
    response = leader.post(url("topic_act", topic.pk), {"action": "defer", "back": "meeting"})
    assert response.status_code == 200
    assert gettext("Please give a reason.") in page_of(response)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.SUBMITTED


def test_a_decision_without_text_is_refused(login, world, meeting):
    topic = submit(world, meeting, "研究奶业振兴")
    services.topic_act(actor=world.leader, topic=topic, action="approve")
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.HOLD)
    topic.refresh_from_db()
    leader = login(world.leader)
    response = leader.post(
        url("topic_decide", topic.pk),
        {"outcome": Outcome.NOTED, "decision": " ", "version": topic.version},
    )
    assert gettext("Write down what the meeting decided.") in page_of(response)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.ON_AGENDA


# --- who may not ---------------------------------------------------------------------------------


def test_a_county_liaison_finds_no_meeting_page(client, login, world, meeting):
    material = docx_upload(PLAN_V1, name="材料.docx")
    topic = submit(world, meeting, "研究马铃薯种薯补贴", materials=[material])
    stored = topic.materials.get()
    gets = [
        url("meetings"),
        url("meeting_create"),
        url("topic_counts"),
        url("meeting", meeting.pk),
        url("meeting_edit", meeting.pk),
        url("topic_submit", meeting.pk),
        url("topic", topic.pk),
        url("topic_edit", topic.pk),
        url("topic_material", topic.pk, stored.pk),
    ]
    posts = [
        url("meeting_act", meeting.pk),
        url("topic_act", topic.pk),
        url("topic_decide", topic.pk),
        url("decision_task", topic.pk),
    ]
    for persona in (world.zhuozi_liaison, world.auditor, world.outsider):
        client.logout()
        visitor = login(persona)
        for address in gets:
            assert visitor.get(address).status_code == 404, (persona, address)
        for address in posts:
            assert visitor.post(address, {"action": "approve"}).status_code == 404, address
    topic.refresh_from_db()
    assert topic.status == TopicStatus.SUBMITTED


def test_an_office_member_cannot_manage_a_bureau_meeting(login, world, meeting):
    topic = submit(world, meeting, "研究马铃薯产业招商")
    office = login(world.office)
    page = page_of(office.get(url("meeting", meeting.pk)))
    assert 'class="act-approve"' not in page
    assert "defer-form" not in page
    assert 'class="act-withdraw"' in page  # the office may withdraw its own topic
    assert url("meeting_edit", meeting.pk) not in page
    assert office.post(url("topic_act", topic.pk), {"action": "approve"}).status_code == 403
    assert (
        office.post(url("meeting_act", meeting.pk), {"action": MeetingAction.CANCEL, "reason": "x"})
    ).status_code == 403
    assert office.get(url("meeting_edit", meeting.pk)).status_code == 403

    services.topic_act(actor=world.leader, topic=topic, action="approve")
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.HOLD)
    topic.refresh_from_db()
    page = page_of(office.get(url("meeting", meeting.pk)))
    assert gettext("Record the decision") not in page
    response = office.post(
        url("topic_decide", topic.pk),
        {"outcome": Outcome.APPROVED, "decision": "同意", "version": topic.version},
    )
    assert response.status_code == 403
    topic.refresh_from_db()
    assert topic.status == TopicStatus.ON_AGENDA
    assert topic.decision == ""


def test_another_offices_staff_cannot_create_tasks_from_a_decision(login, world, meeting):
    topic = decided_topic(world, meeting)
    brand = login(world.brand_staff)
    page = page_of(brand.get(url("topic", topic.pk)))
    assert "原则同意，由马铃薯产业办抓好落实。" in page
    assert gettext("Create a task from this decision") not in page
    response = brand.post(
        url("decision_task", topic.pk),
        {"content": "越权任务", "lead_unit": world.zhuozi.pk, "due_date": "2023-07-01"},
    )
    assert response.status_code == 403
    assert not Task.objects.filter(content="越权任务").exists()
    # Nor may the brand office edit or withdraw the potato office's topic.
    assert brand.get(url("topic_edit", topic.pk)).status_code == 403


def test_a_decision_not_taken_cannot_be_followed_up(login, world, meeting):
    topic = decided_topic(world, meeting, outcome=Outcome.NOT_APPROVED)
    office = login(world.office)
    assert gettext("Create a task from this decision") not in page_of(
        office.get(url("topic", topic.pk))
    )
    response = office.post(
        url("decision_task", topic.pk),
        {"content": "不应创建", "lead_unit": world.zhuozi.pk, "due_date": "2023-07-01"},
        follow=True,
    )
    assert gettext("Tasks follow a decision the meeting has taken (approved or heard).") in (
        page_of(response)
    )
    assert not Task.objects.filter(content="不应创建").exists()


def test_a_material_is_served_only_from_its_own_topic(login, world, meeting):
    one = submit(world, meeting, "议题甲", materials=[docx_upload(PLAN_V1, name="甲.docx")])
    other = submit(world, meeting, "议题乙", materials=[docx_upload(PLAN_V1, name="乙.docx")])
    leader = login(world.leader)
    own = one.materials.get()
    response = leader.get(url("topic_material", one.pk, own.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"
    foreign = other.materials.get()
    assert leader.get(url("topic_material", one.pk, foreign.pk)).status_code == 404


def test_the_task_page_links_back_to_the_topic_for_the_bureau_only(login, world, meeting):
    topic = decided_topic(world, meeting)
    task = services.decision_task_create(
        actor=world.office,
        topic=topic,
        content="在卓资县建设种薯繁育基地",
        lead_unit=world.zhuozi,
        due_date=datetime.date(2023, 9, 30),
    )
    address = reverse("tasks:detail", args=[task.pk])
    office_page = page_of(login(world.office).get(address))
    assert 'id="meeting-source"' in office_page
    assert pgettext("task origin", "Source") in office_page
    assert meeting.title in office_page
    assert topic.title in office_page
    assert url("topic", topic.pk) in office_page

    # The county leads the task but sees no meeting: the task, yes; the link, no.
    county_page = page_of(login(world.zhuozi_liaison).get(address))
    assert "在卓资县建设种薯繁育基地" in county_page
    assert 'id="meeting-source"' not in county_page
    assert url("topic", topic.pk) not in county_page


def test_the_back_link_costs_the_task_page_no_query_per_link(login, world, meeting):
    from zhuanban.tasks import services as tasks

    topic = decided_topic(world, meeting)
    linked = services.decision_task_create(
        actor=world.office,
        topic=topic,
        content="会议决定的任务",
        lead_unit=world.zhuozi,
        due_date=datetime.date(2023, 9, 30),
    )
    plain = tasks.task_create(
        actor=world.office,
        task_list=linked.task_list,
        content="普通任务",
        lead_unit=world.zhuozi,
        due_date=datetime.date(2023, 9, 30),
    )
    plain = tasks.task_act(actor=world.office, task=plain, action="assign")
    office = login(world.office)
    office.get(reverse("tasks:detail", args=[plain.pk]))  # warm the session

    def queries(task) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert office.get(reverse("tasks:detail", args=[task.pk])).status_code == 200
        return len(ctx.captured_queries)

    assert queries(linked) == queries(plain)


# --- counts and the list -------------------------------------------------------------------------


def test_the_counts_page_shows_the_figures_per_office(login, world, meeting):
    decided = decided_topic(world, meeting, title="研究示范区建设")
    services.decision_task_create(
        actor=world.office,
        topic=decided,
        content="落实示范区建设",
        lead_unit=world.zhuozi,
        due_date=datetime.date(2023, 9, 30),
    )
    second = plan(world, 27)
    deferred = submit(world, second, "研究种薯补贴")
    services.topic_act(actor=world.leader, topic=deferred, action="defer", reason="待测算")
    submit(world, second, "研究仓储设施")
    on_agenda = submit(world, second, "研究品牌授权", office=world.brand, actor=world.brand_staff)
    services.topic_act(actor=world.leader, topic=on_agenda, action="approve")
    submit(world, second, "撤回的议题", office=world.brand, actor=world.brand_staff)
    withdrawn = Topic.objects.get(title="撤回的议题")
    services.topic_act(actor=world.brand_staff, topic=withdrawn, action="withdraw")
    # A topic of another year counts in that year only.
    next_year = services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={"kind": MeetingKind.BUREAU, "starts_at": at(1).replace(year=2024)},
    )
    submit(world, next_year, "下一年的议题")

    page = page_of(login(world.leader).get(url("topic_counts") + "?year=2023"))

    def row(office) -> list[str]:
        start = page.index(f'id="office-{office.pk}"')
        cells = page[start : page.index("</tr>", start)]
        return [c.split("<")[0] for c in cells.split('class="num')[1:]]

    def figures(cells):
        return [c.split(">", 1)[1] for c in cells]

    # submitted, on an agenda (or decided), decided, deferred, tasks
    assert figures(row(world.potato)) == ["3", "1", "1", "1", "1"]
    assert figures(row(world.brand)) == ["1", "1", "0", "0", "0"]
    total = page[page.index('id="counts-total"') :]
    assert [c.split("<")[0] for c in total.split('class="num">')[1:6]] == ["4", "2", "1", "1", "1"]
    line = ngettext(
        "In %(year)s the offices submitted %(n)s topic in all.",
        "In %(year)s the offices submitted %(n)s topics in all.",
        4,
    ) % {"year": 2023, "n": 4}
    assert line in page


def _meetings_with_topics(world, n: int, first_day: int) -> None:
    for i in range(n):
        meeting = plan(world, first_day + i, place=f"会议室{i}")
        submit(world, meeting, f"议题{first_day + i}")


def test_the_meeting_list_costs_the_same_queries_for_more_meetings(login, world):
    leader = login(world.leader)
    leader.get(url("meetings"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = leader.get(url("meetings"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _meetings_with_topics(world, 2, 1)
    few = queries()
    _meetings_with_topics(world, 4, 5)
    assert queries() == few
    page = page_of(leader.get(url("meetings")))
    assert page.count('class="title"') == 6


def test_the_list_shows_meetings_to_come_first(login, world):
    past = plan(world, 1, place="过去的会议室")
    upcoming = services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={
            "kind": MeetingKind.PROMOTION,
            "starts_at": timezone.now() + datetime.timedelta(days=3),
            "place": "将来的会议室",
        },
    )
    submit(world, past, "已审议的议题")
    page = page_of(login(world.leader).get(url("meetings")))
    assert page.index(f'id="meeting-{upcoming.pk}"') < page.index(f'id="meeting-{past.pk}"')
    filtered = page_of(login(world.leader).get(url("meetings") + f"?kind={MeetingKind.PROMOTION}"))
    assert f'id="meeting-{upcoming.pk}"' in filtered
    assert f'id="meeting-{past.pk}"' not in filtered


def test_wrong_methods_are_refused(login, world, meeting):
    leader = login(world.leader)
    assert leader.post(url("meetings")).status_code == 405
    assert leader.get(url("meeting_act", meeting.pk)).status_code == 405
    assert leader.put(url("meeting_create")).status_code == 405


def test_the_meeting_page_costs_the_same_queries_for_more_topics(login, world, meeting):
    leader = login(world.leader)
    address = url("meeting", meeting.pk)
    leader.get(address)

    def add_topics(n: int, start: int) -> None:
        for i in range(start, start + n):
            topic = submit(world, meeting, f"议题{i}", materials=[docx_upload(PLAN_V1)])
            if i % 2:
                services.topic_act(actor=world.leader, topic=topic, action="approve")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert leader.get(address).status_code == 200
        return len(ctx.captured_queries)

    add_topics(2, 0)
    few = queries()
    add_topics(4, 2)
    assert queries() == few
