"""Meetings and agenda topics (议题) through the services: numbering, who convenes, who
submits, every topic move of the table in every meeting status, fixing the agenda,
holding, cancelling, the decisions (and what they do to a document before the meeting),
tasks created from a decision, and the per-office figures of selectors.topic_counts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditEvent, AuditOutcome, Notification, StoredFile
from zhuanban.documents import scoping, selectors, services
from zhuanban.documents.lifecycle import (
    TOPIC_TRANSITIONS,
    DocAction,
    MeetingAction,
    MeetingStatus,
    Outcome,
    Stage,
    TopicStatus,
)
from zhuanban.documents.models import Document, Kind, Meeting, MeetingKind, Topic, TopicTask
from zhuanban.documents.tests.conftest import PLAN_V1, docx_bytes, docx_upload
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action as TaskAction
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import Task, TaskList

pytestmark = pytest.mark.django_db

MEETING_DAY = datetime.date(2023, 6, 20)


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


def at(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))  # noqa: DTZ001


def plan(world, kind=MeetingKind.BUREAU, when=None, actor=None, convener=None, **data) -> Meeting:
    return services.meeting_save(
        actor=actor or world.leader,
        convener=convener or world.bureau,
        data={"kind": kind, "starts_at": when or at(2023, 7, 5)} | data,
    )


def submit(world, meeting, title="研究马铃薯产业发展示范区建设方案", office=None, actor=None, **kw):
    return services.topic_submit(
        actor=actor or world.office,
        meeting=meeting,
        office=office or world.potato,
        data={"title": title, "request": "审议通过"},
        **kw,
    )


def set_status(meeting: Meeting, status: str) -> Meeting:
    Meeting.objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    return meeting


def held(world, meeting: Meeting) -> Meeting:
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    return services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.HOLD)


def approve(world, topic: Topic) -> Topic:
    return services.topic_act(actor=world.leader, topic=topic, action="approve")


def decide(world, topic: Topic, outcome=Outcome.APPROVED, decision="原则同意，抓紧落实。"):
    return services.topic_decide(
        actor=world.leader, topic=topic, outcome=outcome, decision=decision
    )


# --- planning a meeting ------------------------------------------------------------------------


def test_meetings_are_numbered_per_kind_and_year(world, meeting):
    second = plan(world)
    party = plan(world, kind=MeetingKind.PARTY_GROUP)
    next_year = plan(world, when=at(2024, 1, 8))
    assert [(m.kind, m.year, m.sequence) for m in (meeting, second, party, next_year)] == [
        (MeetingKind.BUREAU, 2023, 1),
        (MeetingKind.BUREAU, 2023, 2),
        (MeetingKind.PARTY_GROUP, 2023, 1),
        (MeetingKind.BUREAU, 2024, 1),
    ]
    assert second.title == gettext("%(year)s %(kind)s no. %(number)s") % {
        "year": 2023,
        "kind": MeetingKind.BUREAU.label,
        "number": 2,
    }
    assert party.title == services.default_meeting_title(MeetingKind.PARTY_GROUP, 2023, 1)
    # A title of its own is kept.
    named = plan(world, kind=MeetingKind.PROMOTION, title="马铃薯产业专项推进会")
    assert (named.title, named.sequence) == ("马铃薯产业专项推进会", 1)
    record = AuditEvent.objects.filter(object_type="documents.meeting", object_id=str(meeting.pk))
    assert record.get().after["attendees"] == sorted([world.leader.pk, world.potato_director.pk])


def test_a_meeting_keeps_its_year_and_kind(world, meeting):
    with pytest.raises(ValidationError) as refused:
        services.meeting_save(
            actor=world.leader, meeting=meeting, data={"starts_at": at(2024, 1, 3)}
        )
    assert codes(refused.value) == {"starts_at": {"year_changed"}}
    assert refused.value.message_dict["starts_at"] == [
        gettext("The meeting is numbered among %(year)s's: keep it in that year.") % {"year": 2023}
    ]
    moved = services.meeting_save(
        actor=world.leader,
        meeting=meeting,
        data={"starts_at": at(2023, 6, 21), "kind": MeetingKind.PARTY_GROUP},
        expected_version=meeting.version,
    )
    assert (moved.kind, moved.sequence, timezone.localdate(moved.starts_at)) == (
        MeetingKind.BUREAU,
        1,
        datetime.date(2023, 6, 21),
    )


def test_a_stale_meeting_edit_is_refused(world, meeting):
    loaded = meeting.version
    services.meeting_save(actor=world.leader, meeting=meeting, data={"place": "二楼会议室"})
    with pytest.raises(ConcurrentEditError):
        services.meeting_save(
            actor=world.leader, meeting=meeting, data={"place": "一楼"}, expected_version=loaded
        )
    meeting.refresh_from_db()
    assert meeting.place == "二楼会议室"


@pytest.mark.parametrize(
    ("who", "convener", "may"),
    [
        ("leader", "bureau", True),
        ("leader", "potato", True),
        ("office", "potato", True),
        ("potato_director", "potato", True),
        ("office", "bureau", False),
        ("office", "brand", False),
        ("brand_staff", "potato", False),
        ("zhuozi_liaison", "zhuozi", False),
        ("zhuozi_liaison", "bureau", False),
        ("inspector", "bureau", False),
        ("sysadmin", "bureau", False),
        ("outsider", "bureau", False),
    ],
)
def test_who_convenes_a_meeting(world, who, convener, may):
    def convene():
        return plan(
            world,
            kind=MeetingKind.PROMOTION,
            actor=getattr(world, who),
            convener=getattr(world, convener),
        )

    if may:
        assert convene().convener == getattr(world, convener)
        return
    with pytest.raises(PermissionDenied):
        convene()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who", ["office", "potato_director", "zhuozi_liaison", "inspector"])
def test_only_its_managers_change_a_bureau_meeting(world, meeting, who):
    with pytest.raises(PermissionDenied):
        services.meeting_save(actor=getattr(world, who), meeting=meeting, data={"place": "x"})
    with pytest.raises(PermissionDenied):
        services.meeting_act(
            actor=getattr(world, who), meeting=meeting, action=MeetingAction.CANCEL, reason="x"
        )
    meeting.refresh_from_db()
    assert (meeting.place, meeting.status) == ("局三楼会议室", MeetingStatus.PLANNED)


@pytest.mark.parametrize("status", [MeetingStatus.CLOSED, MeetingStatus.CANCELLED])
def test_a_finished_meeting_no_longer_changes(world, meeting, status):
    set_status(meeting, status)
    with pytest.raises(ValidationError) as refused:
        services.meeting_save(actor=world.leader, meeting=meeting, data={"place": "x"})
    assert refused.value.code == "finished"


# --- submitting topics ------------------------------------------------------------------------


def test_office_staff_submit_their_offices_topics(world, meeting):
    topic = submit(world, meeting)
    assert (topic.status, topic.office, topic.submitted_by) == (
        TopicStatus.SUBMITTED,
        world.potato,
        world.office,
    )
    # The meeting's managers hear of it (for the bureau: its own people).
    note = Notification.objects.get(kind="topic_submitted", recipient=world.leader)
    assert note.title == gettext("New topic for %(meeting)s: %(title)s") % {
        "meeting": meeting.title,
        "title": topic.title,
    }
    assert note.url == topic.get_absolute_url()
    for who, office in (
        ("brand_staff", "potato"),
        ("leader", "potato"),
        ("zhuozi_liaison", "potato"),
        ("office", "brand"),
        ("sysadmin", "potato"),
    ):
        with pytest.raises(PermissionDenied):
            submit(world, meeting, actor=getattr(world, who), office=getattr(world, office))
    assert meeting.topics.count() == 1


def test_an_offices_own_meeting_tells_its_staff(world):
    promotion = plan(
        world, kind=MeetingKind.PROMOTION, actor=world.potato_director, convener=world.potato
    )
    submit(world, promotion, office=world.brand, actor=world.brand_staff, title="品牌推介")
    assert sorted(
        Notification.objects.filter(kind="topic_submitted").values_list(
            "recipient__username", flat=True
        )
    ) == ["office", "potato-dir"]


@pytest.mark.parametrize(
    "status", [MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.CLOSED]
)
def test_topics_are_submitted_while_the_meeting_collects_them(world, meeting, status):
    set_status(meeting, status)
    with pytest.raises(ValidationError) as refused:
        submit(world, meeting)
    assert codes(refused.value) == {"__all__": {"agenda_fixed"}}
    assert refused.value.messages == [
        gettext("%(meeting)s is no longer collecting topics: submit it to a later meeting.")
        % {"meeting": meeting.title}
    ]
    assert not Topic.objects.exists()


def test_a_document_attached_goes_forward_for_deliberation(world, meeting, draft):
    topic = submit(world, meeting, document=draft)
    assert topic.document == draft
    draft.refresh_from_db()
    assert draft.stage == Stage.DELIBERATING
    event = draft.events.order_by("-pk").first()
    assert (event.action, event.from_stage, event.to_stage, event.comment) == (
        DocAction.SUBMIT,
        Stage.DRAFTING,
        Stage.DELIBERATING,
        meeting.title,
    )
    # Put before the next meeting too, it stays where it is.
    later = plan(world)
    submit(world, later, document=draft)
    draft.refresh_from_db()
    assert draft.stage == Stage.DELIBERATING


def test_the_document_must_be_the_offices_and_ready_for_a_meeting(world, meeting, consulting):
    brand_doc = services.document_save(
        actor=world.brand_staff,
        office=world.brand,
        data={
            "title": "原味乌兰察布品牌管理规则",
            "kind": Kind.RULES,
            "lead_author": world.brand_staff,
        },
    )
    with pytest.raises(ValidationError) as refused:
        submit(world, meeting, document=brand_doc)
    assert codes(refused.value) == {"document": {"other_office"}}
    with pytest.raises(ValidationError) as refused:
        submit(world, meeting, document=consulting.document)
    assert codes(refused.value) == {"document": {"bad_stage"}}
    assert refused.value.message_dict["document"] == [
        gettext("%(title)s is at the stage %(stage)s and cannot go before a meeting.")
        % {"title": consulting.document.title, "stage": Stage.CONSULTING.label}
    ]
    for stage in (Stage.APPROVED, Stage.ISSUED):
        Document.objects.filter(pk=consulting.document.pk).update(stage=stage)
        with pytest.raises(ValidationError):
            submit(world, meeting, document=consulting.document)
    assert not Topic.objects.exists()


def test_materials_are_stored_with_the_topic(world, meeting):
    topic = submit(
        world,
        meeting,
        materials=[
            SimpleUploadedFile("汇报提纲.txt", "一、基本情况".encode()),
            docx_upload(PLAN_V1, name="方案.docx"),
        ],
    )
    assert sorted(topic.materials.values_list("name", flat=True)) == ["方案.docx", "汇报提纲.txt"]
    record = AuditEvent.objects.filter(object_type="documents.topic", object_id=str(topic.pk))
    assert len(record.get().after["materials"]) == 2


def test_one_bad_material_stores_nothing_at_all(world, meeting, draft):
    failures = AuditEvent.objects.filter(outcome=AuditOutcome.FAILURE).count()
    with pytest.raises(ValidationError) as refused:
        submit(
            world,
            meeting,
            document=draft,
            materials=[
                SimpleUploadedFile("汇报提纲.txt", "一、基本情况".encode()),
                SimpleUploadedFile("测算表.docm", docx_bytes(["宏"])),
            ],
        )
    assert codes(refused.value) == {"materials": {"macro"}}
    assert "测算表.docm" in refused.value.message_dict["materials"][0]
    assert not Topic.objects.exists()
    assert not StoredFile.objects.filter(name="汇报提纲.txt").exists()
    assert StoredFile.objects.count() == 1  # the draft's own version
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFTING
    # The refused file stays on the audit trail.
    assert AuditEvent.objects.filter(outcome=AuditOutcome.FAILURE).count() == failures + 1


def test_a_topic_changes_until_it_is_handled(world, meeting):
    topic = submit(world, meeting)
    edited = services.topic_submit(
        actor=world.potato_director,
        meeting=meeting,
        office=world.potato,
        topic=topic,
        data={"title": "研究示范区建设方案（修改）"},
        expected_version=topic.version,
    )
    assert edited.title == "研究示范区建设方案（修改）"
    with pytest.raises(ConcurrentEditError):
        services.topic_submit(
            actor=world.office,
            meeting=meeting,
            office=world.potato,
            topic=topic,
            data={"title": "旧"},
            expected_version=topic.version,
        )
    with pytest.raises(PermissionDenied):
        services.topic_submit(
            actor=world.brand_staff,
            meeting=meeting,
            office=world.brand,
            topic=topic,
            data={"title": "品牌"},
        )
    approve(world, topic)
    with pytest.raises(ValidationError) as refused:
        services.topic_submit(
            actor=world.office, meeting=meeting, office=world.potato, topic=topic, data={}
        )
    assert refused.value.code == "handled"
    topic.refresh_from_db()
    assert topic.title == "研究示范区建设方案（修改）"


# --- the topic table ------------------------------------------------------------------------

ACTORS = {"approve": "leader", "defer": "leader", "withdraw": "office", "decide": "leader"}
TOPIC_MOVES = [
    pytest.param(
        status,
        action,
        target,
        meeting_status,
        meeting_status in meeting_statuses,
        id=f"{status}-{action}-{meeting_status}",
    )
    for (status, action), (target, meeting_statuses) in TOPIC_TRANSITIONS.items()
    for meeting_status in MeetingStatus.values
]


def move(world, topic, action, actor=None):
    actor = actor or getattr(world, ACTORS[action])
    if action == "decide":
        return services.topic_decide(
            actor=actor, topic=topic, outcome=Outcome.NOTED, decision="听取了汇报。"
        )
    return services.topic_act(actor=actor, topic=topic, action=action, reason="材料不全")


@pytest.mark.parametrize(("status", "action", "target", "meeting_status", "allowed"), TOPIC_MOVES)
def test_every_topic_move_in_every_meeting_status(
    world, meeting, status, action, target, meeting_status, allowed
):
    topic = submit(world, meeting)
    Topic.objects.filter(pk=topic.pk).update(status=status)
    set_status(meeting, meeting_status)
    if not allowed:
        with pytest.raises(ValidationError) as refused:
            move(world, topic, action)
        assert refused.value.code == "bad_state"
        assert refused.value.messages == [
            gettext(
                "This cannot be done to a topic that is %(status)s while the meeting is "
                "%(meeting)s."
            )
            % {
                "status": TopicStatus(status).label,
                "meeting": MeetingStatus(meeting_status).label,
            }
        ]
        topic.refresh_from_db()
        assert topic.status == status
        return
    moved = move(world, topic, action)
    assert moved.status == target
    assert moved.version == topic.version + 1
    record = AuditEvent.objects.filter(
        object_type="documents.topic", object_id=str(topic.pk)
    ).latest("seq")
    assert (record.before["status"], record.after["status"]) == (status, target)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        pytest.param(status, action, id=f"{status}-{action}")
        for status in TopicStatus.values
        for action in ACTORS
        if (status, action) not in TOPIC_TRANSITIONS
    ],
)
def test_a_topic_move_the_table_does_not_have(world, meeting, status, action):
    topic = submit(world, meeting)
    Topic.objects.filter(pk=topic.pk).update(status=status)
    set_status(meeting, MeetingStatus.HELD if action == "decide" else MeetingStatus.PLANNED)
    with pytest.raises(ValidationError) as refused:
        move(world, topic, action)
    assert refused.value.code == "bad_state"


@pytest.mark.parametrize(
    ("action", "who"),
    [
        ("approve", "office"),
        ("approve", "brand_staff"),
        ("defer", "potato_director"),
        ("defer", "zhuozi_liaison"),
        ("withdraw", "leader"),
        ("withdraw", "brand_staff"),
        ("decide", "office"),
        ("decide", "inspector"),
    ],
)
def test_topic_moves_by_the_wrong_people(world, meeting, action, who):
    topic = submit(world, meeting)
    if action == "decide":
        approve(world, topic)
        held(world, meeting)
    topic.refresh_from_db()
    status = topic.status
    with pytest.raises(PermissionDenied):
        move(world, topic, action, actor=getattr(world, who))
    topic.refresh_from_db()
    assert topic.status == status


def test_an_unknown_topic_action(world, meeting):
    with pytest.raises(ValidationError) as refused:
        services.topic_act(actor=world.leader, topic=submit(world, meeting), action="delete")
    assert refused.value.code == "bad_action"


def test_approved_topics_are_put_on_the_agenda_in_order(world, meeting):
    first, second = submit(world, meeting, title="甲"), submit(world, meeting, title="乙")
    assert approve(world, second).position == 1
    assert approve(world, first).position == 2


def test_deferring_to_a_later_meeting_moves_the_topic(world, meeting):
    later = plan(world)
    topic = approve(world, submit(world, meeting))
    with pytest.raises(ValidationError) as refused:
        services.topic_act(actor=world.leader, topic=topic, action="defer", reason=" ")
    assert codes(refused.value) == {"reason": {"reason_required"}}
    for target in (meeting, set_status(plan(world), MeetingStatus.SCHEDULED)):
        with pytest.raises(ValidationError) as refused:
            services.topic_act(
                actor=world.leader, topic=topic, action="defer", reason="会期紧", to_meeting=target
            )
        assert codes(refused.value) == {"to_meeting": {"bad_meeting"}}
    moved = services.topic_act(
        actor=world.leader, topic=topic, action="defer", reason="会期紧", to_meeting=later
    )
    assert (moved.meeting, moved.status, moved.times_deferred, moved.defer_reason) == (
        later,
        TopicStatus.SUBMITTED,
        1,
        "会期紧",
    )
    assert moved.position == 0
    assert sorted(
        Notification.objects.filter(kind="topic_deferred").values_list(
            "recipient__username", flat=True
        )
    ) == ["office", "potato-dir"]
    # Deferred for now (to no meeting in particular) it stays where it was.
    again = services.topic_act(actor=world.leader, topic=moved, action="defer", reason="再议")
    assert (again.meeting, again.status, again.times_deferred) == (
        later,
        TopicStatus.DEFERRED,
        2,
    )


# --- the meeting's own moves -------------------------------------------------------------------


def test_an_agenda_is_fixed_with_at_least_one_topic_and_none_waiting(world, meeting):
    with pytest.raises(ValidationError) as refused:
        services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    assert refused.value.code == "no_topics"
    assert refused.value.messages == [
        gettext("The meeting has no topic on its agenda: put at least one on it first.")
    ]
    withdrawn = submit(world, meeting, title="已撤回议题")
    services.topic_act(actor=world.office, topic=withdrawn, action="withdraw")
    with pytest.raises(ValidationError) as refused:
        services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    assert refused.value.code == "no_topics"
    submit(world, meeting, title="议题甲")
    submit(world, meeting, title="议题乙")
    with pytest.raises(ValidationError) as refused:
        services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    assert refused.value.code == "topics_waiting"
    assert refused.value.messages == [
        gettext("Put these topics on the agenda or defer them first: %(titles)s.")
        % {"titles": "议题甲、议题乙"}
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    for topic in meeting.topics.filter(status=TopicStatus.SUBMITTED):
        approve(world, topic)
    fixed = services.meeting_act(
        actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA
    )
    assert fixed.status == MeetingStatus.SCHEDULED
    record = AuditEvent.objects.filter(
        object_type="documents.meeting", object_id=str(meeting.pk)
    ).latest("seq")
    assert (record.before["status"], record.after["status"], record.message) == (
        MeetingStatus.PLANNED,
        MeetingStatus.SCHEDULED,
        MeetingAction.FIX_AGENDA,
    )
    reopened = services.meeting_act(
        actor=world.leader, meeting=meeting, action=MeetingAction.REOPEN_AGENDA
    )
    assert reopened.status == MeetingStatus.PLANNED


def test_the_minutes_are_issued_once_every_topic_is_decided(world, meeting):
    first, second = submit(world, meeting, title="议题甲"), submit(world, meeting, title="议题乙")
    approve(world, first)
    approve(world, second)
    held(world, meeting)
    decide(world, first)
    with pytest.raises(ValidationError) as refused:
        services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.CLOSE)
    assert refused.value.code == "undecided"
    assert refused.value.messages == [
        gettext("Record the decision on these topics first: %(titles)s.") % {"titles": "议题乙"}
    ]
    decide(world, second, Outcome.AGAIN, "下次会议再议。")
    closed = services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.CLOSE)
    assert closed.status == MeetingStatus.CLOSED
    # Once the minutes are issued, decisions are on record.
    with pytest.raises(ValidationError) as refused:
        decide(world, first, Outcome.NOTED, "改")
    assert refused.value.code == "bad_state"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (MeetingStatus.PLANNED, MeetingAction.HOLD),
        (MeetingStatus.PLANNED, MeetingAction.CLOSE),
        (MeetingStatus.SCHEDULED, MeetingAction.CLOSE),
        (MeetingStatus.HELD, MeetingAction.CANCEL),
        (MeetingStatus.CANCELLED, MeetingAction.FIX_AGENDA),
    ],
)
def test_a_meeting_move_not_in_the_table(world, meeting, status, action):
    set_status(meeting, status)
    with pytest.raises(ValidationError) as refused:
        services.meeting_act(actor=world.leader, meeting=meeting, action=action, reason="x")
    assert refused.value.code == "bad_state"


def test_cancelling_defers_the_open_topics(world, meeting):
    waiting = submit(world, meeting, title="待审议题")
    on_agenda = approve(world, submit(world, meeting, title="已列入议程"))
    withdrawn = submit(world, meeting, title="撤回的议题")
    services.topic_act(actor=world.office, topic=withdrawn, action="withdraw")
    with pytest.raises(ValidationError) as refused:
        services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.CANCEL)
    assert codes(refused.value) == {"reason": {"reason_required"}}
    cancelled = services.meeting_act(
        actor=world.leader, meeting=meeting, action=MeetingAction.CANCEL, reason="领导出差"
    )
    assert (cancelled.status, cancelled.cancel_reason) == (MeetingStatus.CANCELLED, "领导出差")
    for topic in (waiting, on_agenda):
        loaded = topic.version
        topic.refresh_from_db()
        assert (topic.status, topic.defer_reason, topic.times_deferred, topic.position) == (
            TopicStatus.DEFERRED,
            "领导出差",
            1,
            0,
        )
        assert topic.version == loaded + 1
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.times_deferred) == (TopicStatus.WITHDRAWN, 0)


# --- decisions --------------------------------------------------------------------------------


@pytest.fixture
def deliberated(world, meeting, draft):
    """The draft before the meeting, held, its topic on the agenda."""
    topic = approve(world, submit(world, meeting, document=draft))
    held(world, meeting)
    return topic


@pytest.mark.parametrize(
    ("outcome", "stage"),
    [
        (Outcome.APPROVED, Stage.APPROVED),
        (Outcome.APPROVED_WITH_CHANGES, Stage.REVISING),
        (Outcome.NOT_APPROVED, Stage.REVISING),
        (Outcome.AGAIN, Stage.REVISING),
        (Outcome.NOTED, Stage.DELIBERATING),
    ],
)
def test_a_decision_moves_the_document_before_the_meeting(
    world, meeting, draft, deliberated, outcome, stage
):
    topic = decide(world, deliberated, outcome, "会议决定如下。")
    assert (topic.status, topic.outcome, topic.decision) == (
        TopicStatus.DECIDED,
        outcome,
        "会议决定如下。",
    )
    assert topic.decided_at is not None
    draft.refresh_from_db()
    assert draft.stage == stage
    if stage == Stage.APPROVED:
        assert (draft.deliberation, draft.approved_on) == (meeting.title, MEETING_DAY)
    else:
        assert (draft.deliberation, draft.approved_on) == ("", None)
    if stage != Stage.DELIBERATING:
        event = draft.events.order_by("-pk").first()
        assert (event.from_stage, event.to_stage, event.actor, event.comment) == (
            Stage.DELIBERATING,
            stage,
            world.leader,
            "会议决定如下。",
        )


def test_a_decision_needs_an_outcome_and_what_was_decided(world, deliberated):
    with pytest.raises(ValidationError) as refused:
        services.topic_decide(actor=world.leader, topic=deliberated, outcome="yes", decision=" ")
    assert codes(refused.value) == {"outcome": {"invalid"}, "decision": {"required"}}
    deliberated.refresh_from_db()
    assert deliberated.status == TopicStatus.ON_AGENDA
    with pytest.raises(ConcurrentEditError):
        services.topic_decide(
            actor=world.leader,
            topic=deliberated,
            outcome=Outcome.APPROVED,
            decision="同意",
            expected_version=deliberated.version - 1,
        )


# --- tasks from decisions ---------------------------------------------------------------------


def follow_up(world, topic, actor=None, **kwargs):
    values = {
        "content": "按程序报市政府印发方案",
        "lead_unit": world.zhuozi,
        "due_date": datetime.date(2023, 7, 31),
    } | kwargs
    return services.decision_task_create(actor=actor or world.office, topic=topic, **values)


def decisions_title(year: int) -> str:
    with translation.override("zh-hans"):
        return gettext("%(year)s meeting decisions") % {"year": year}


def test_a_decision_becomes_an_assigned_task_of_the_offices_decisions_list(
    world, meeting, deliberated
):
    topic = decide(world, deliberated)
    with translation.override("en"):
        task = follow_up(world, topic, responsible_leader="王振华")
    assert task.status == TaskStatus.ASSIGNED
    assert (task.content, task.lead_unit, task.due_date, task.start_date) == (
        "按程序报市政府印发方案",
        world.zhuozi,
        datetime.date(2023, 7, 31),
        MEETING_DAY,
    )
    assert task.remarks == gettext("Decided at %(meeting)s on the topic %(topic)s.") % {
        "meeting": meeting.title,
        "topic": topic.title,
    }
    assert (task.task_list.office, task.task_list.year, task.task_list.title) == (
        world.potato,
        2023,
        decisions_title(2023),
    )
    assert TopicTask.objects.get(task=task).topic == topic
    assert task.meeting_link.created_by == world.office
    assert Notification.objects.filter(kind="task_assign", recipient=world.zhuozi_liaison).exists()
    record = AuditEvent.objects.filter(object_type="documents.topictask").get()
    assert record.after == {"topic": topic.pk, "task": task.pk, "meeting": meeting.pk}
    # A second task, asked for in another language, goes to the same list.
    second = follow_up(world, topic, lead_unit=world.huade, content="做好政策解读")
    assert second.task_list == task.task_list
    assert TaskList.objects.filter(office=world.potato).count() == 1
    assert topic.task_links.count() == 2
    # The task then lives its normal life: the county accepts it.
    accepted = task_services.task_act(
        actor=world.zhuozi_liaison, task=task, action=TaskAction.ACCEPT
    )
    assert accepted.status == TaskStatus.IN_PROGRESS


def test_a_task_can_wait_to_be_assigned(world, deliberated):
    task = follow_up(world, decide(world, deliberated), assign=False)
    assert task.status == TaskStatus.DRAFT
    assert not Notification.objects.filter(kind="task_assign").exists()


def test_what_is_missing_from_a_decision_task_is_reported_together(world, deliberated):
    topic = decide(world, deliberated)
    with pytest.raises(ValidationError) as refused:
        follow_up(world, topic, content=" ", lead_unit=None, due_date=None)
    assert codes(refused.value) == {
        "content": {"required"},
        "lead_unit": {"required"},
        "due_date": {"required"},
    }
    assert not Task.objects.exists()
    assert not TaskList.objects.exists()


def test_a_task_follows_a_decision_taken(world, meeting, deliberated):
    with pytest.raises(ValidationError) as refused:
        follow_up(world, deliberated)
    assert refused.value.code == "not_decided"
    decide(world, deliberated, Outcome.NOT_APPROVED, "不同意，修改后再报。")
    with pytest.raises(ValidationError) as refused:
        follow_up(world, deliberated)
    assert refused.value.code == "not_decided"
    assert not Task.objects.exists()


@pytest.mark.parametrize("who", ["leader", "brand_staff", "zhuozi_liaison", "inspector"])
def test_only_the_topics_office_creates_its_tasks(world, deliberated, who):
    topic = decide(world, deliberated)
    with pytest.raises(PermissionDenied):
        follow_up(world, topic, actor=getattr(world, who))
    assert not Task.objects.exists()


# --- the per-office figures -------------------------------------------------------------------


@pytest.fixture
def year_of_topics(world, meeting):
    """2023: the bureau meeting no. 1 (held), no. 2 (collecting) and a party group
    meeting; a 2024 meeting whose topic is not counted."""
    second = plan(world, when=at(2023, 7, 10))
    party = plan(world, kind=MeetingKind.PARTY_GROUP, when=at(2023, 8, 1))
    next_year = plan(world, when=at(2024, 2, 1))
    decided = approve(world, submit(world, meeting, title="示范区方案"))
    deferred = submit(world, meeting, title="种薯补贴")
    services.topic_act(
        actor=world.leader, topic=deferred, action="defer", reason="再调研", to_meeting=second
    )
    withdrawn = submit(world, meeting, title="撤回")
    services.topic_act(actor=world.office, topic=withdrawn, action="withdraw")
    heard = approve(world, submit(world, meeting, title="上半年工作汇报"))
    brand_decided = approve(
        world, submit(world, meeting, title="品牌授权", office=world.brand, actor=world.brand_staff)
    )
    submit(world, party, title="品牌管理规则", office=world.brand, actor=world.brand_staff)
    submit(world, next_year, title="2024年计划")
    held(world, meeting)
    decide(world, decided)
    decide(world, heard, Outcome.NOTED, "听取汇报")
    decide(world, brand_decided)
    follow_up(world, decided)
    follow_up(world, decided, content="制定配套政策", lead_unit=world.huade)
    follow_up(world, brand_decided, actor=world.brand_staff, content="授权审查")
    return second


def figures(user, year=2023) -> list[tuple]:
    return [
        (o.name, o.submitted, o.on_agenda, o.decided, o.deferred, o.tasks)
        for o in selectors.topic_counts(user, year)
    ]


def test_topic_counts_per_office(world, year_of_topics):
    assert figures(world.leader) == [
        # submitted (not the withdrawn one), on an agenda, decided, deferred, tasks
        ("马铃薯产业办", 3, 2, 2, 1, 2),
        ("品牌办", 2, 1, 1, 0, 1),
    ]
    assert figures(world.leader, 2024) == [("马铃薯产业办", 1, 0, 0, 0, 0)]
    assert figures(world.leader, 2022) == []


@pytest.mark.parametrize("who", ["zhuozi_liaison", "sysadmin", "outsider"])
def test_topic_counts_are_the_bureaus(world, year_of_topics, who, django_assert_num_queries):
    user = getattr(world, who)
    scoping.sees_all(user)
    with django_assert_num_queries(0):
        assert figures(user) == []


def test_topic_counts_take_one_query_however_many_topics(
    world, year_of_topics, django_assert_num_queries
):
    scoping.sees_all(world.leader)  # the scope, once per user object
    with django_assert_num_queries(1):
        assert figures(world.leader)[0] == ("马铃薯产业办", 3, 2, 2, 1, 2)
    for n in range(6):
        submit(world, year_of_topics, title=f"新议题{n}")
        submit(
            world, year_of_topics, title=f"品牌议题{n}", office=world.brand, actor=world.brand_staff
        )
    with django_assert_num_queries(1):
        assert figures(world.leader) == [
            ("马铃薯产业办", 9, 2, 2, 1, 2),
            ("品牌办", 8, 1, 1, 0, 1),
        ]
