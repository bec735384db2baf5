"""Opinion rounds (征求意见) through the services: opening one, who answers which request,
late and corrected answers, urging, ending the round, and how each opinion was handled;
with the figures of selectors.round_progress and the order of the adoption table."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent, Notification
from zhuanban.documents import selectors, services
from zhuanban.documents.lifecycle import DocAction, Stage
from zhuanban.documents.models import Disposition, Document, Kind, Opinion, OpinionRound
from zhuanban.documents.tests.conftest import DEADLINE, PLAN_V2, TODAY, docx_upload

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
OPINION = {"location": "二、(一)", "text": "建议基地规模调整为120万亩。"}


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


def notified(kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def not_yet_due(round: OpinionRound) -> None:
    """Move the deadline after today (the fixtures' is in 2023)."""
    OpinionRound.objects.filter(pk=round.pk).update(deadline=timezone.localdate() + 10 * DAY)
    round.refresh_from_db()


def open_round(world, document, **kwargs):
    values = {
        "actor": world.office,
        "document": document,
        "deadline": DEADLINE,
        "units": [world.zhuozi],
        "today": TODAY,
    } | kwargs
    return services.round_open(**values)


def blank_document(world) -> Document:
    return services.document_save(
        actor=world.office,
        office=world.potato,
        data={"title": "马铃薯种薯补贴方案", "kind": Kind.SUBSIDY, "lead_author": world.office},
    )


# --- opening a round ---------------------------------------------------------------------------


def test_a_round_needs_whom_to_consult_a_deadline_and_a_version(world):
    document = blank_document(world)
    with pytest.raises(ValidationError) as refused:
        open_round(world, document, deadline=None, units=[])
    assert codes(refused.value) == {
        "units": {"nobody"},
        "deadline": {"required"},
        "__all__": {"no_version"},
    }
    assert refused.value.message_dict["units"] == [gettext("Choose whom to consult.")]
    services.version_add(actor=world.office, document=document, text="补贴方案正文")
    with pytest.raises(ValidationError) as refused:
        open_round(world, document, deadline=TODAY - DAY)
    assert codes(refused.value) == {"deadline": {"past"}}
    assert not document.rounds.exists()
    document.refresh_from_db()
    assert document.stage == Stage.DRAFTING
    # The deadline may be today.
    assert open_round(world, document, deadline=TODAY).deadline == TODAY


def test_only_bureau_leaders_are_consulted_in_person(world, draft):
    with pytest.raises(ValidationError) as refused:
        open_round(world, draft, people=[world.inspector, world.leader, world.office])
    assert codes(refused.value) == {"people": {"not_leader"}}
    assert refused.value.message_dict["people"] == [
        gettext("%(name)s is not a bureau leader.") % {"name": "邵军"},
        gettext("%(name)s is not a bureau leader.") % {"name": "马晓静"},
    ]
    assert not draft.rounds.exists()


def test_the_drafting_office_does_not_consult_itself(world, draft):
    with pytest.raises(ValidationError) as refused:
        open_round(world, draft, units=[world.potato, world.city, world.brand])
    assert codes(refused.value) == {"units": {"bad_unit"}}
    assert refused.value.message_dict["units"] == [
        gettext("%(unit)s cannot be consulted.") % {"unit": "马铃薯产业办"},
        gettext("%(unit)s cannot be consulted.") % {"unit": "乌兰察布市"},
    ]
    # Another office, a section and a county's department can be.
    round = open_round(world, draft, units=[world.brand, world.crops, world.zhuozi_town])
    assert round.requests.count() == 3


def test_opening_a_round_asks_each_party_and_moves_the_document(world, consulting):
    c = consulting
    assert c.document.stage == Stage.CONSULTING
    assert (c.round.number, c.round.draft.number, c.round.opened_by) == (1, 1, world.office)
    event = c.document.events.order_by("-pk").first()
    assert (event.action, event.from_stage, event.to_stage) == (
        DocAction.CONSULT,
        Stage.DRAFTING,
        Stage.CONSULTING,
    )
    assert event.comment == gettext(
        "Round %(number)s: %(count)s consulted, answers due %(deadline)s."
    ) % {"number": 1, "count": 3, "deadline": DEADLINE}
    # The counties' liaisons and the leader consulted are told; nobody else.
    assert notified("opinion_request") == ["huade", "leader", "zhuozi"]
    note = Notification.objects.get(kind="opinion_request", recipient=world.zhuozi_liaison)
    assert note.title == gettext("Opinions sought: %(title)s") % {"title": c.document.title}
    assert note.body == gettext("Please answer by %(deadline)s.") % {"deadline": DEADLINE}
    assert note.url == c.round.get_absolute_url()
    record = AuditEvent.objects.get(object_type="documents.opinionround", object_id=str(c.round.pk))
    assert record.action == AuditAction.CREATE
    assert record.after["units"] == [world.zhuozi.pk, world.huade.pk]
    assert record.after["people"] == [world.leader.pk]


def test_one_open_round_per_document(world, consulting):
    with pytest.raises(ValidationError) as refused:
        open_round(world, consulting.document, units=[world.brand])
    assert codes(refused.value) == {"__all__": {"open_round"}}
    assert refused.value.messages == [
        gettext("Opinion round %(number)s is still open: end it before opening another.")
        % {"number": 1}
    ]
    assert consulting.document.rounds.count() == 1
    services.round_close(actor=world.office, round=consulting.round)
    second = open_round(world, consulting.document, units=[world.brand])
    assert second.number == 2
    consulting.document.refresh_from_db()
    assert consulting.document.stage == Stage.CONSULTING


@pytest.mark.parametrize("who", ["brand_staff", "leader", "zhuozi_liaison", "inspector"])
def test_only_the_drafting_office_opens_a_round(world, draft, who):
    with pytest.raises(PermissionDenied):
        open_round(world, draft, actor=getattr(world, who))
    assert not draft.rounds.exists()


def test_a_round_is_on_a_version_of_the_same_document(world, draft):
    other = blank_document(world)
    services.version_add(actor=world.office, document=other, text="别的文件")
    with pytest.raises(PermissionDenied):
        open_round(world, draft, draft=other.versions.get())


def test_opinions_are_sought_while_drafting_or_revising_only(world, draft):
    Document.objects.filter(pk=draft.pk).update(stage=Stage.APPROVED)
    with pytest.raises(ValidationError) as refused:
        open_round(world, draft)
    assert codes(refused.value) == {"__all__": {"bad_stage"}}


# --- answers -------------------------------------------------------------------------------


def test_each_request_is_answered_by_its_own_party(world, consulting):
    c = consulting
    refusals = [
        (world.huade_liaison, c.zhuozi),
        (world.office, c.zhuozi),
        (world.leader, c.zhuozi),
        (world.zhuozi_liaison, c.leader),
        (world.office, c.leader),
        (world.potato_director, c.leader),
        (world.sysadmin, c.zhuozi),
        (world.outsider, c.huade),
    ]
    for actor, request in refusals:
        with pytest.raises(PermissionDenied):
            services.answer_submit(actor=actor, request=request, opinions=[OPINION])
    assert not Opinion.objects.exists()
    services.answer_submit(actor=world.zhuozi_liaison, request=c.zhuozi, opinions=[OPINION])
    services.answer_submit(actor=world.leader, request=c.leader, opinions=[], no_opinion=True)
    c.zhuozi.refresh_from_db()
    c.leader.refresh_from_db()
    assert (c.zhuozi.answered_by, c.zhuozi.no_opinion) == (world.zhuozi_liaison, False)
    assert list(c.zhuozi.opinions.values_list("position", "location", "text")) == [
        (1, "二、(一)", "建议基地规模调整为120万亩。")
    ]
    assert (c.leader.answered_by, c.leader.no_opinion) == (world.leader, True)
    assert not c.leader.opinions.exists()


def test_an_answer_is_opinions_or_no_opinion(world, consulting):
    request = consulting.zhuozi
    cases = [
        ({"opinions": [OPINION], "no_opinion": True}, "both"),
        ({"opinions": []}, "empty"),
        ({"opinions": [{"location": " ", "text": "  "}]}, "empty"),
        ({"opinions": [{"location": "第三条", "text": ""}]}, "no_text"),
        ({"opinions": [{"location": "条" * 101, "text": "意见"}]}, "too_long"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationError) as refused:
            services.answer_submit(actor=world.zhuozi_liaison, request=request, **kwargs)
        assert codes(refused.value) == {"__all__": {code}}
    with pytest.raises(ValidationError) as refused:
        services.answer_submit(
            actor=world.zhuozi_liaison,
            request=request,
            opinions=[OPINION, {"location": "第三条", "text": ""}],
        )
    assert refused.value.messages == [
        gettext("Opinion %(number)s has a clause but no text.") % {"number": 2}
    ]
    request.refresh_from_db()
    assert request.answered_at is None
    assert not Opinion.objects.exists()


def test_an_answer_after_the_deadline_is_taken_and_marked_late(world, consulting):
    # The fixture's deadline (2023-06-10) is long past.
    late = services.answer_submit(
        actor=world.zhuozi_liaison, request=consulting.zhuozi, opinions=[OPINION]
    )
    assert late.answered_at is not None
    assert late.is_late
    not_yet_due(consulting.round)
    on_time = services.answer_submit(
        actor=world.huade_liaison, request=consulting.huade, opinions=[], no_opinion=True
    )
    assert not on_time.is_late


def test_the_pen_holder_hears_of_each_answer(world, consulting):
    services.answer_submit(
        actor=world.zhuozi_liaison, request=consulting.zhuozi, opinions=[OPINION]
    )
    note = Notification.objects.get(kind="opinion_answer")
    assert note.recipient == world.office
    assert note.title == gettext("%(who)s answered on %(title)s") % {
        "who": "卓资县",
        "title": consulting.document.title,
    }


def test_no_answer_once_the_round_has_ended(world, consulting):
    round = services.round_close(actor=world.office, round=consulting.round)
    with pytest.raises(ValidationError) as refused:
        services.answer_submit(
            actor=world.zhuozi_liaison, request=consulting.zhuozi, opinions=[OPINION]
        )
    assert refused.value.code == "round_closed"
    assert refused.value.messages == [
        gettext("This opinion round ended on %(date)s: answers are no longer taken.")
        % {"date": timezone.localdate(round.closed_at)}
    ]
    consulting.zhuozi.refresh_from_db()
    assert consulting.zhuozi.answered_at is None
    assert not Opinion.objects.exists()


def test_an_answer_is_corrected_until_the_office_handles_it(world, consulting):
    request = consulting.zhuozi
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=request,
        opinions=[OPINION, {"location": "三", "text": "增加资金保障内容。"}],
    )
    services.answer_submit(
        actor=world.zhuozi_liaison, request=request, opinions=[], no_opinion=True
    )
    request.refresh_from_db()
    assert request.no_opinion
    assert not request.opinions.exists()
    services.answer_submit(actor=world.zhuozi_liaison, request=request, opinions=[OPINION])
    record = AuditEvent.objects.filter(
        object_type="documents.opinionrequest", object_id=str(request.pk)
    ).latest("seq")
    assert record.before == {"no_opinion": True, "opinions": []}
    assert record.after["opinions"] == [["二、(一)", "建议基地规模调整为120万亩。"]]
    opinion = request.opinions.get()
    services.opinion_decide(actor=world.office, opinion=opinion, disposition=Disposition.ADOPTED)
    with pytest.raises(ValidationError) as refused:
        services.answer_submit(
            actor=world.zhuozi_liaison, request=request, opinions=[], no_opinion=True
        )
    assert refused.value.messages == [
        gettext("The drafting office has begun handling this answer: it can no longer change.")
    ]
    assert list(request.opinions.values_list("pk", "disposition")) == [
        (opinion.pk, Disposition.ADOPTED)
    ]


# --- urging and ending -----------------------------------------------------------------------


def test_urging_reminds_those_who_have_not_answered_once_a_day(world, consulting):
    c = consulting
    services.answer_submit(actor=world.zhuozi_liaison, request=c.zhuozi, opinions=[OPINION])
    assert services.round_urge(actor=world.office, round=c.round, today=TODAY) == 2
    assert notified("opinion_urge") == ["huade", "leader"]
    note = Notification.objects.filter(kind="opinion_urge").first()
    assert note.title == gettext("Reminder: opinions on %(title)s are due %(deadline)s") % {
        "title": c.document.title,
        "deadline": DEADLINE,
    }

    def urged():
        return {r.consulted_name: r.urge_count for r in c.round.requests.all()}

    assert urged() == {"卓资县": 0, "化德县": 1, "王振华": 1}
    # Again the same day: nobody is reminded twice, nothing is counted twice.
    with pytest.raises(ValidationError) as refused:
        services.round_urge(actor=world.potato_director, round=c.round, today=TODAY)
    assert refused.value.code == "urged_today"
    assert refused.value.messages == [
        gettext("Everyone who has not answered was already reminded today.")
    ]
    assert Notification.objects.filter(kind="opinion_urge").count() == 2
    assert urged() == {"卓资县": 0, "化德县": 1, "王振华": 1}
    # The next day they are reminded again.
    assert services.round_urge(actor=world.office, round=c.round, today=TODAY + DAY) == 2
    assert Notification.objects.filter(kind="opinion_urge").count() == 4
    assert urged() == {"卓资县": 0, "化德县": 2, "王振华": 2}
    assert c.round.requests.get(pk=c.leader.pk).last_urged_at is not None


def test_urging_when_everyone_has_answered_or_the_round_ended(world, consulting):
    c = consulting
    for actor, request in (
        (world.zhuozi_liaison, c.zhuozi),
        (world.huade_liaison, c.huade),
        (world.leader, c.leader),
    ):
        services.answer_submit(actor=actor, request=request, opinions=[], no_opinion=True)
    with pytest.raises(ValidationError) as refused:
        services.round_urge(actor=world.office, round=c.round, today=TODAY)
    assert refused.value.code == "all_answered"
    services.round_close(actor=world.office, round=c.round)
    with pytest.raises(ValidationError) as refused:
        services.round_urge(actor=world.office, round=c.round, today=TODAY)
    assert refused.value.code == "round_closed"
    assert not Notification.objects.filter(kind="opinion_urge").exists()


@pytest.mark.parametrize("who", ["brand_staff", "leader", "zhuozi_liaison"])
def test_only_the_drafting_office_urges_and_ends_a_round(world, consulting, who):
    with pytest.raises(PermissionDenied):
        services.round_urge(actor=getattr(world, who), round=consulting.round, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.round_close(actor=getattr(world, who), round=consulting.round)
    consulting.round.refresh_from_db()
    assert consulting.round.is_open
    assert not Notification.objects.filter(kind="opinion_urge").exists()


def test_ending_a_round_brings_the_document_to_revision(world, consulting):
    c = consulting
    services.answer_submit(actor=world.zhuozi_liaison, request=c.zhuozi, opinions=[OPINION])
    round = services.round_close(actor=world.office, round=c.round)
    assert round.closed_at is not None
    c.document.refresh_from_db()
    assert c.document.stage == Stage.REVISING
    event = c.document.events.order_by("-pk").first()
    assert (event.action, event.from_stage, event.to_stage) == (
        DocAction.CLOSE_ROUND,
        Stage.CONSULTING,
        Stage.REVISING,
    )
    assert event.comment == gettext(
        "Round %(number)s ended: %(answered)s of %(total)s answered."
    ) % {"number": 1, "answered": 1, "total": 3}
    record = AuditEvent.objects.filter(
        object_type="documents.opinionround", object_id=str(round.pk)
    ).latest("seq")
    assert record.after == {"closed": True, "answered": 1, "total": 3}
    with pytest.raises(ValidationError) as refused:
        services.round_close(actor=world.office, round=c.round)
    assert refused.value.code == "round_closed"


# --- handling opinions -----------------------------------------------------------------------


@pytest.fixture
def opinion(world, consulting):
    services.answer_submit(
        actor=world.zhuozi_liaison, request=consulting.zhuozi, opinions=[OPINION]
    )
    return consulting.zhuozi.opinions.get()


@pytest.mark.parametrize(
    ("disposition", "reason", "problem"),
    [
        (Disposition.ADOPTED, "", None),
        (Disposition.PARTLY, "", "reason_required"),
        (Disposition.PARTLY, "规模调整为110万亩", None),
        (Disposition.NOT_ADOPTED, "  ", "reason_required"),
        (Disposition.NOT_ADOPTED, "与市级规划不符", None),
        (Disposition.PENDING, "", "invalid"),
        ("maybe", "", "invalid"),
    ],
)
def test_an_opinion_is_adopted_or_not_with_a_reason(world, opinion, disposition, reason, problem):
    if problem:
        field = "reason" if problem == "reason_required" else "disposition"
        with pytest.raises(ValidationError) as refused:
            services.opinion_decide(
                actor=world.office, opinion=opinion, disposition=disposition, reason=reason
            )
        assert codes(refused.value) == {field: {problem}}
        opinion.refresh_from_db()
        assert (opinion.disposition, opinion.decided_by) == (Disposition.PENDING, None)
        return
    decided = services.opinion_decide(
        actor=world.potato_director, opinion=opinion, disposition=disposition, reason=reason
    )
    assert (decided.disposition, decided.reason, decided.decided_by) == (
        disposition,
        reason,
        world.potato_director,
    )
    assert decided.decided_at is not None
    record = AuditEvent.objects.filter(
        object_type="documents.opinion", object_id=str(opinion.pk)
    ).latest("seq")
    assert (record.before["disposition"], record.after["disposition"]) == (
        Disposition.PENDING,
        disposition,
    )


@pytest.mark.parametrize("who", ["leader", "brand_staff", "zhuozi_liaison", "inspector"])
def test_only_the_drafting_office_handles_opinions(world, opinion, who):
    with pytest.raises(PermissionDenied):
        services.opinion_decide(
            actor=getattr(world, who), opinion=opinion, disposition=Disposition.ADOPTED
        )
    opinion.refresh_from_db()
    assert opinion.disposition == Disposition.PENDING


def test_a_stale_decision_on_an_opinion_is_refused(world, opinion):
    services.opinion_decide(actor=world.office, opinion=opinion, disposition=Disposition.ADOPTED)
    with pytest.raises(ConcurrentEditError):
        services.opinion_decide(
            actor=world.potato_director,
            opinion=opinion,
            disposition=Disposition.NOT_ADOPTED,
            reason="不采纳",
            expected_version=opinion.version,
        )
    opinion.refresh_from_db()
    assert opinion.disposition == Disposition.ADOPTED


def test_handling_is_on_record_once_the_document_is_issued(world, consulting, opinion):
    Document.objects.filter(pk=consulting.document.pk).update(stage=Stage.ISSUED)
    with pytest.raises(ValidationError) as refused:
        services.opinion_decide(
            actor=world.office, opinion=opinion, disposition=Disposition.ADOPTED
        )
    assert refused.value.code == "issued"
    assert refused.value.messages == [
        gettext("The document is issued: how its opinions were handled is on record.")
    ]


# --- figures and the adoption table ----------------------------------------------------------


def test_round_progress(world, consulting):
    c = consulting
    assert selectors.round_progress(c.round) == {
        "total": 3,
        "answered": 0,
        "late": 0,
        "no_opinion": 0,
    }
    services.answer_submit(actor=world.zhuozi_liaison, request=c.zhuozi, opinions=[OPINION])
    not_yet_due(c.round)
    services.answer_submit(actor=world.leader, request=c.leader, opinions=[], no_opinion=True)
    assert selectors.round_progress(c.round) == {
        "total": 3,
        "answered": 2,
        "late": 1,
        "no_opinion": 1,
    }


def test_the_adoption_table_goes_by_round_then_party_as_asked_then_as_written(world, consulting):
    c = consulting
    # 化德县 answers before 卓资县, but 卓资县 was asked first.
    services.answer_submit(
        actor=world.huade_liaison,
        request=c.huade,
        opinions=[{"location": "三", "text": "化德意见"}],
    )
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=c.zhuozi,
        opinions=[
            {"location": "一", "text": "卓资意见一"},
            {"location": "二", "text": "卓资意见二"},
        ],
    )
    services.round_close(actor=world.office, round=c.round)
    services.version_add(actor=world.office, document=c.document, upload=docx_upload(PLAN_V2))
    second = open_round(world, c.document, units=[world.zhuozi, world.huade])
    requests = {r.unit_id: r for r in second.requests.all()}
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=requests[world.zhuozi.pk],
        opinions=[{"location": "", "text": "二轮卓资意见"}],
    )
    rows = selectors.adoption_rows(c.document)
    assert [(o.request.round.number, o.request.consulted_name, o.text) for o in rows] == [
        (1, "卓资县", "卓资意见一"),
        (1, "卓资县", "卓资意见二"),
        (1, "化德县", "化德意见"),
        (2, "卓资县", "二轮卓资意见"),
    ]
    assert [o.text for o in selectors.adoption_rows(c.document, second)] == ["二轮卓资意见"]
    first_opinion = rows[0]
    services.opinion_decide(
        actor=world.office, opinion=first_opinion, disposition=Disposition.PARTLY, reason="部分"
    )
    assert selectors.adoption_summary(selectors.adoption_rows(c.document)) == {
        "total": 4,
        "adopted": 0,
        "partly": 1,
        "not_adopted": 0,
        "pending": 3,
    }
