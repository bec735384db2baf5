"""The whole life of a policy document, through the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from zhuanban.documents import services
from zhuanban.documents.lifecycle import DocAction, MeetingAction, Outcome, Stage
from zhuanban.documents.models import Disposition
from zhuanban.documents.tests.conftest import PLAN_V2, TODAY, docx_upload
from zhuanban.tasks.lifecycle import Status as TaskStatus

pytestmark = pytest.mark.django_db


def test_drafting_to_issue_through_a_meeting(world, consulting, meeting):
    c = consulting
    assert c.document.stage == Stage.CONSULTING
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=c.zhuozi,
        opinions=[{"location": "二、(一)", "text": "建议基地规模调整为120万亩。"}],
    )
    services.answer_submit(actor=world.leader, request=c.leader, opinions=[], no_opinion=True)
    opinion = c.zhuozi.opinions.get()
    services.opinion_decide(actor=world.office, opinion=opinion, disposition=Disposition.ADOPTED)
    with pytest.raises(ValidationError) as refused:
        services.document_act(
            actor=world.office,
            document=c.document,
            action=DocAction.SUBMIT,
        )
    assert refused.value.code == "open_round"
    services.round_close(actor=world.office, round=c.round)
    c.document.refresh_from_db()
    assert c.document.stage == Stage.REVISING
    services.version_add(
        actor=world.office, document=c.document, upload=docx_upload(PLAN_V2), label="送审稿"
    )
    topic = services.topic_submit(
        actor=world.office,
        meeting=meeting,
        office=world.potato,
        data={"title": "研究马铃薯产业发展示范区建设方案"},
        document=c.document,
    )
    c.document.refresh_from_db()
    assert c.document.stage == Stage.DELIBERATING
    services.topic_act(actor=world.leader, topic=topic, action="approve")
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.HOLD)
    services.topic_decide(
        actor=world.leader, topic=topic, outcome=Outcome.APPROVED, decision="原则通过，按程序印发。"
    )
    c.document.refresh_from_db()
    assert c.document.stage == Stage.APPROVED
    assert c.document.deliberation == meeting.title
    task = services.decision_task_create(
        actor=world.office,
        topic=topic,
        content="按程序报市政府印发方案",
        lead_unit=world.zhuozi,
        due_date=datetime.date(2023, 7, 1),
    )
    assert task.status == TaskStatus.ASSIGNED
    assert task.meeting_link.topic == topic
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.CLOSE)
    services.document_act(
        actor=world.office,
        document=c.document,
        action=DocAction.ISSUE,
        issue_number="乌政办发〔2023〕12号",
        issued_on=TODAY,
        today=TODAY,
    )
    c.document.refresh_from_db()
    assert c.document.stage == Stage.ISSUED
    latest = c.document.versions.order_by("-number").first()
    assert latest.is_issued
    assert latest.number == 2
    with pytest.raises(ValidationError) as refused:
        services.version_update(actor=world.office, version=latest, label="x", change_note="")
    assert refused.value.code == "issued_version"


def _before_meeting(world, draft, meeting):
    return services.topic_submit(
        actor=world.office,
        meeting=meeting,
        office=world.potato,
        data={"title": "研究建设方案"},
        document=draft,
    )


def test_a_withdrawn_topic_sends_its_document_back_for_revision(world, draft, meeting):
    topic = _before_meeting(world, draft, meeting)
    draft.refresh_from_db()
    assert draft.stage == Stage.DELIBERATING
    services.topic_act(actor=world.office, topic=topic, action="withdraw")
    draft.refresh_from_db()
    assert draft.stage == Stage.REVISING
    assert draft.events.last().action == DocAction.SEND_BACK


def test_a_cancelled_meeting_sends_its_documents_back(world, draft, meeting):
    _before_meeting(world, draft, meeting)
    services.meeting_act(
        actor=world.leader, meeting=meeting, action=MeetingAction.CANCEL, reason="改期"
    )
    draft.refresh_from_db()
    assert draft.stage == Stage.REVISING
    assert draft.events.last().comment == "改期"


def test_the_presenter_must_work_in_the_office(world, meeting):
    with pytest.raises(ValidationError) as refused:
        services.topic_submit(
            actor=world.office,
            meeting=meeting,
            office=world.potato,
            data={"title": "汇报", "presenter": world.brand_staff},
        )
    assert refused.value.error_dict["presenter"][0].code == "not_office_staff"
    assert not meeting.topics.exists()


def test_a_leader_may_not_issue_whatever_the_form_says(world, draft):
    from django.core.exceptions import PermissionDenied

    services.document_act(actor=world.leader, document=draft, action=DocAction.APPROVE)
    with pytest.raises(PermissionDenied):
        services.document_act(actor=world.leader, document=draft, action=DocAction.ISSUE)


def test_bureau_topics_are_announced_to_leaders_not_inspectors(world, meeting):
    from zhuanban.core.models import Notification

    _topic = services.topic_submit(
        actor=world.office, meeting=meeting, office=world.potato, data={"title": "汇报"}
    )
    told = set(
        Notification.objects.filter(kind="topic_submitted").values_list("recipient_id", flat=True)
    )
    assert told == {world.leader.pk}


def test_the_list_tells_a_county_only_of_versions_and_rounds_put_to_it(world, consulting):
    from zhuanban.documents.selectors import document_list

    c = consulting
    services.round_close(actor=world.office, round=c.round)
    services.version_add(actor=world.office, document=c.document, upload=docx_upload(PLAN_V2))
    services.round_open(
        actor=world.office,
        document=c.document,
        deadline=TODAY,
        units=[world.huade],
        today=TODAY,
    )
    zhuozi = document_list(world.zhuozi_liaison).get()
    huade = document_list(world.huade_liaison).get()
    office = document_list(world.office).get()
    assert (zhuozi.latest_version, zhuozi.open_round_deadline) == (1, None)
    assert (huade.latest_version, huade.open_round_deadline) == (2, TODAY)
    assert (office.latest_version, office.open_round_deadline) == (2, TODAY)
