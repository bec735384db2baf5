"""The minutes (会议纪要) of a held meeting as a Word document."""

import datetime
import io

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core.models import AuditEvent
from zhuanban.documents import minutes, services
from zhuanban.documents.lifecycle import MeetingAction, Outcome
from zhuanban.documents.models import Meeting

pytestmark = pytest.mark.django_db


def _held(world, meeting, titles):
    topics = []
    for title in titles:
        topic = services.topic_submit(
            actor=world.office,
            meeting=meeting,
            office=world.potato,
            data={"title": title, "presenter": world.potato_director},
        )
        services.topic_act(actor=world.leader, topic=topic, action="approve")
        topics.append(topic)
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.HOLD)
    for topic in topics:
        services.topic_decide(
            actor=world.leader,
            topic=topic,
            outcome=Outcome.APPROVED,
            decision=f"同意{topic.title}，由马铃薯产业办牵头落实。",
        )
    return topics


def _text(response) -> list[str]:
    data = b"".join(response.streaming_content)
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_the_minutes_list_every_decision_and_its_tasks(login, world, meeting):
    first, _second = _held(world, meeting, ["研究种薯基地建设", "研究加工企业培育"])
    services.decision_task_create(
        actor=world.office,
        topic=first,
        content="制定种薯基地建设实施细则",
        lead_unit=world.zhuozi,
        due_date=datetime.date(2023, 8, 31),
    )
    response = login(world.leader).get(reverse("documents:minutes_docx", args=[meeting.pk]))
    assert response.status_code == 200
    lines = _text(response)
    assert lines[0] == f"{meeting.title}纪要"
    body = "\n".join(lines)
    assert "王振华主持召开" in body
    assert "研究了2项议题" in body
    assert "一、研究种薯基地建设马铃薯产业办（张海龙）汇报。议定结果：同意。" in body
    assert "同意研究加工企业培育，由马铃薯产业办牵头落实。" in body
    assert (
        "形成任务：制定种薯基地建设实施细则（牵头单位：卓资县，完成时限：2023年8月31日）。" in body
    )
    assert AuditEvent.objects.filter(object_type="documents.meeting", action="export").exists()


def test_minutes_need_a_held_meeting_and_the_bureau(login, world, meeting):
    address = reverse("documents:minutes_docx", args=[meeting.pk])
    assert login(world.leader).get(address).status_code == 404  # not held yet
    _held(world, meeting, ["研究种薯基地建设"])
    assert login(world.zhuozi_liaison).get(address).status_code == 404
    assert login(world.auditor).get(address).status_code == 404


def test_the_minutes_take_the_same_queries_for_more_topics(login, world, meeting):
    client = login(world.leader)
    address = reverse("documents:minutes_docx", args=[meeting.pk])
    _held(world, meeting, ["议题一"])
    with CaptureQueriesContext(connection) as few:
        client.get(address)
    other = services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={"kind": meeting.kind, "starts_at": meeting.starts_at + datetime.timedelta(days=7)},
    )
    _held(world, Meeting.objects.get(pk=other.pk), ["议题一", "议题二", "议题三", "议题四"])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("documents:minutes_docx", args=[other.pk]))
    assert len(many) == len(few)
    # Of them, what the minutes themselves read: topics, tasks, attendees.
    meeting = Meeting.objects.select_related("chair").get(pk=other.pk)
    with CaptureQueriesContext(connection) as own:
        minutes.minutes_docx(meeting)
    assert len(own) == 3
