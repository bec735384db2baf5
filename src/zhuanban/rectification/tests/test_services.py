"""The rectification loop through its services: every transition, who may not take it,
lights, deadlines, concurrency, the timeline, the audit trail and notifications."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditEvent, Notification
from zhuanban.rectification import services
from zhuanban.rectification.lifecycle import Action, Status
from zhuanban.rectification.models import Rectification, Verdict
from zhuanban.tasks.models import Light

D = datetime.timedelta
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def _unchanged(item: Rectification) -> None:
    fresh = Rectification.objects.get(pk=item.pk)
    assert (fresh.status, fresh.version, fresh.due_date) == (
        item.status,
        item.version,
        item.due_date,
    )


def _audit_messages(item: Rectification) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="rectification.rectification", object_id=str(item.pk))
        .order_by("seq")
        .values_list("message", flat=True)
    )


# --- raising --------------------------------------------------------------------------------


def test_raise_opens_an_item_for_the_unit_and_tells_it(world, item, today):
    assert item.status == Status.OPEN
    assert item.county == world.zhuozi
    assert item.due_date == item.original_due_date == today + D(days=30)
    assert item.raised_by == world.office
    assert item.version == 1
    assert list(item.events.values_list("action", "to_status")) == [("raise", Status.OPEN)]
    created = AuditEvent.objects.get(
        object_type="rectification.rectification", object_id=str(item.pk)
    )
    assert created.action == "create"
    assert created.after["problem"] == "种薯仓储库房消防设施不全"
    notes = Notification.objects.filter(kind="rectification_raise")
    assert [n.recipient for n in notes] == [world.zhuozi_liaison]
    assert notes[0].url == f"/rectification/{item.pk}/"


def test_an_item_of_a_town_counts_for_its_county(world, raise_item):
    town_item = raise_item(world.zhuozi_town)
    assert town_item.county == world.zhuozi
    section_item = raise_item(world.crops)
    assert section_item.county is None


def test_raise_names_every_problem_at_once_and_saves_nothing(world, today):
    with pytest.raises(ValidationError) as caught:
        services.rectification_raise(
            actor=world.office,
            source=world.zhuozi,
            source_kind="visit",
            source_label="督导检查",
            office=world.crops,  # a section, not an office
            unit=world.zhuozi,
            problem="问题",
            requirement="  ",
            due_date=today - D(days=1),
            today=today,
        )
    assert _codes(caught.value) == {
        "office": ["office"],
        "requirement": ["required"],
        "due_date": ["past"],
    }
    assert not Rectification.objects.exists()
    assert not Notification.objects.exists()


# --- the unit reports -----------------------------------------------------------------------


def test_the_unit_reports_with_evidence_and_the_office_is_told(world, item):
    evidence = store_upload(SimpleUploadedFile("整改照片.pdf", PDF), user=world.zhuozi_liaison)
    response = services.rectification_respond(
        actor=world.zhuozi_liaison,
        item=item,
        text="已配齐灭火器12具",
        evidence=[evidence],
        expected_version=1,
    )
    item.refresh_from_db()
    assert item.status == Status.RESPONDED
    assert item.version == 2
    assert item.responded_at == response.at
    assert response.verdict == Verdict.PENDING
    assert list(response.evidence.all()) == [evidence]
    recipients = {n.recipient for n in Notification.objects.filter(kind="rectification_respond")}
    assert recipients == {world.office, world.potato_director}
    event = item.events.get(action=Action.RESPOND)
    assert (event.from_status, event.to_status, event.actor) == (
        Status.OPEN,
        Status.RESPONDED,
        world.zhuozi_liaison,
    )
    assert "整改照片.pdf" in event.comment
    assert "rectification respond" in _audit_messages(item)


def test_another_countys_liaison_cannot_report_for_zhuozi(world, item):
    with pytest.raises(PermissionDenied):
        services.rectification_respond(actor=world.huade_liaison, item=item, text="代为反馈")
    _unchanged(item)
    assert not item.responses.exists()


def test_the_office_cannot_report_for_the_unit(world, item):
    with pytest.raises(PermissionDenied):
        services.rectification_respond(actor=world.office, item=item, text="办公室代填")
    _unchanged(item)
    assert not item.responses.exists()


def test_a_report_says_what_was_done(world, item):
    with pytest.raises(ValidationError) as caught:
        services.rectification_respond(actor=world.zhuozi_liaison, item=item, text="  ")
    assert _codes(caught.value) == {"text": ["required"]}
    _unchanged(item)


# --- the office verifies --------------------------------------------------------------------


def test_the_unit_cannot_accept_its_own_report(world, responded):
    with pytest.raises(PermissionDenied):
        services.rectification_act(actor=world.zhuozi_liaison, item=responded, action=Action.ACCEPT)
    _unchanged(responded)
    assert responded.responses.get().verdict == Verdict.PENDING


def test_an_inspector_and_another_office_only_read(world, responded):
    for outsider in (world.inspector, world.brand_staff, world.sysadmin, world.outsider):
        with pytest.raises(PermissionDenied):
            services.rectification_act(actor=outsider, item=responded, action=Action.ACCEPT)
    _unchanged(responded)


def test_accept_closes_the_item_and_marks_the_report_accepted(world, responded):
    Notification.objects.all().delete()
    item = services.rectification_act(
        actor=world.office,
        item=responded,
        action=Action.ACCEPT,
        comment="现场核验属实",
        expected_version=responded.version,
    )
    assert item.status == Status.CLOSED
    assert item.closed_at is not None
    response = item.responses.get()
    assert (response.verdict, response.verified_by, response.verdict_comment) == (
        Verdict.ACCEPTED,
        world.office,
        "现场核验属实",
    )
    assert response.verified_at is not None
    assert [n.recipient for n in Notification.objects.filter(kind="rectification_accept")] == [
        world.zhuozi_liaison
    ]
    assert _audit_messages(item)[-1] == "rectification accept"


def test_reject_needs_a_reason(world, responded):
    with pytest.raises(ValidationError) as caught:
        services.rectification_act(
            actor=world.office, item=responded, action=Action.REJECT, comment=" "
        )
    assert _codes(caught.value) == {"comment": ["reason_required"]}
    _unchanged(responded)
    assert responded.responses.get().verdict == Verdict.PENDING


def test_reject_sends_back_and_the_unit_reports_again(world, responded):
    item = services.rectification_act(
        actor=world.office, item=responded, action=Action.REJECT, comment="应急照明未安装到位"
    )
    assert item.status == Status.REWORK
    first = item.responses.get()
    assert (first.verdict, first.verdict_comment) == (Verdict.REJECTED, "应急照明未安装到位")
    assert Notification.objects.filter(
        kind="rectification_reject", recipient=world.zhuozi_liaison
    ).exists()

    second = services.rectification_respond(
        actor=world.zhuozi_liaison, item=item, text="应急照明已全部安装并通电测试"
    )
    item.refresh_from_db()
    assert item.status == Status.RESPONDED
    assert [r.verdict for r in item.responses.order_by("at", "pk")] == [
        Verdict.REJECTED,
        Verdict.PENDING,
    ]
    item = services.rectification_act(actor=world.potato_director, item=item, action=Action.ACCEPT)
    assert item.status == Status.CLOSED
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.verdict, second.verdict) == (Verdict.REJECTED, Verdict.ACCEPTED)
    assert list(item.events.values_list("action", flat=True)) == [
        "raise",
        Action.RESPOND,
        Action.REJECT,
        Action.RESPOND,
        Action.ACCEPT,
    ]


def test_nothing_to_verify_before_the_unit_reports(world, item):
    with pytest.raises(ValidationError) as caught:
        services.rectification_act(actor=world.office, item=item, action=Action.ACCEPT)
    assert caught.value.code == "invalid_transition"
    _unchanged(item)


def test_a_closed_item_is_reopened_with_a_reason(world, responded):
    closed = services.rectification_act(actor=world.office, item=responded, action=Action.ACCEPT)
    with pytest.raises(ValidationError):
        services.rectification_act(actor=world.office, item=closed, action=Action.REOPEN)
    with pytest.raises(PermissionDenied):
        services.rectification_act(
            actor=world.zhuozi_liaison, item=closed, action=Action.REOPEN, comment="想重开"
        )
    item = services.rectification_act(
        actor=world.office, item=closed, action=Action.REOPEN, comment="复查发现问题反弹"
    )
    assert item.status == Status.REWORK
    assert item.closed_at is None


def test_withdraw_needs_a_reason_and_ends_the_item(world, item):
    with pytest.raises(ValidationError):
        services.rectification_act(actor=world.office, item=item, action=Action.WITHDRAW)
    item = services.rectification_act(
        actor=world.office, item=item, action=Action.WITHDRAW, comment="问题系误报"
    )
    assert item.status == Status.WITHDRAWN
    with pytest.raises(ValidationError):  # nothing more happens to a withdrawn item
        services.rectification_respond(actor=world.zhuozi_liaison, item=item, text="已整改")
    with pytest.raises(ValidationError):
        services.rectification_comment(actor=world.office, item=item, text="备注")


def test_urge_by_the_office_or_a_leader_tells_the_unit(world, item):
    services.rectification_act(actor=world.office, item=item, action=Action.URGE, comment="请抓紧")
    services.rectification_act(actor=world.leader, item=item, action=Action.URGE)
    item.refresh_from_db()
    assert item.status == Status.OPEN
    assert (
        Notification.objects.filter(
            kind="rectification_urge", recipient=world.zhuozi_liaison
        ).count()
        == 2
    )
    with pytest.raises(PermissionDenied):
        services.rectification_act(actor=world.zhuozi_liaison, item=item, action=Action.URGE)
    assert item.events.filter(action=Action.URGE).count() == 2


def test_urging_waits_for_the_unit_only(world, responded):
    with pytest.raises(ValidationError) as caught:
        services.rectification_act(actor=world.office, item=responded, action=Action.URGE)
    assert caught.value.code == "invalid_transition"


def test_a_form_action_is_not_a_plain_action(world, item):
    with pytest.raises(ValueError, match="not a plain rectification action"):
        services.rectification_act(actor=world.zhuozi_liaison, item=item, action=Action.RESPOND)
    _unchanged(item)


# --- deadlines and lights -------------------------------------------------------------------


def test_extend_moves_the_deadline_and_keeps_the_original(world, item, today):
    original = item.due_date
    item = services.rectification_extend(
        actor=world.office,
        item=item,
        due_date=original + D(days=15),
        comment="涉及设备采购，需延长",
        expected_version=1,
    )
    item.refresh_from_db()
    assert item.due_date == original + D(days=15)
    assert item.original_due_date == original
    assert item.version == 2
    assert Notification.objects.filter(
        kind="rectification_extend", recipient=world.zhuozi_liaison
    ).exists()
    assert item.events.get(action=Action.EXTEND).comment.startswith(f"{original} → ")


def test_extend_names_every_problem_at_once(world, item):
    with pytest.raises(ValidationError) as caught:
        services.rectification_extend(
            actor=world.office, item=item, due_date=item.due_date, comment=""
        )
    assert _codes(caught.value) == {"comment": ["reason_required"], "due_date": ["not_later"]}
    _unchanged(item)


def test_only_the_office_moves_a_deadline(world, item):
    for who in (world.zhuozi_liaison, world.leader, world.brand_staff):
        with pytest.raises(PermissionDenied):
            services.rectification_extend(
                actor=who, item=item, due_date=item.due_date + D(days=5), comment="理由"
            )
    _unchanged(item)


@pytest.mark.parametrize(
    ("days_after_due", "light"),
    [(1, Light.RED), (0, Light.YELLOW), (-7, Light.YELLOW), (-8, Light.GREEN)],
)
def test_lights_follow_the_deadline(item, days_after_due, light):
    on = item.due_date + D(days=days_after_due)
    assert Rectification.objects.with_light(today=on).get(pk=item.pk).light == light


def test_a_reported_item_is_green_and_an_ended_one_grey(world, responded):
    late = responded.due_date + D(days=10)
    assert Rectification.objects.with_light(today=late).get().light == Light.GREEN
    services.rectification_act(actor=world.office, item=responded, action=Action.ACCEPT)
    assert Rectification.objects.with_light(today=late).get().light == Light.GREY


def test_overdue_counts_only_what_the_unit_owes(world, item, responded):
    late = item.due_date + D(days=1)
    assert list(Rectification.objects.overdue(today=late)) == []  # reported: the unit is done
    services.rectification_act(
        actor=world.office, item=responded, action=Action.REJECT, comment="x"
    )
    assert list(Rectification.objects.overdue(today=late)) == [item]


# --- concurrency ----------------------------------------------------------------------------


def test_a_stale_page_is_refused(world, responded):
    seen = responded.version
    services.rectification_act(
        actor=world.potato_director, item=responded, action=Action.REJECT, comment="不合格"
    )
    with pytest.raises(ValidationError) as caught:
        services.rectification_act(
            actor=world.office, item=responded, action=Action.ACCEPT, expected_version=seen
        )
    assert caught.value.code == "stale"
    fresh = Rectification.objects.get(pk=responded.pk)
    assert fresh.status == Status.REWORK
    with pytest.raises(ValidationError) as caught:
        services.rectification_extend(
            actor=world.office,
            item=fresh,
            due_date=fresh.due_date + D(days=3),
            comment="理由",
            expected_version=seen,
        )
    assert caught.value.code == "stale"
    assert Rectification.objects.get(pk=responded.pk).due_date == fresh.due_date


def test_permission_comes_before_a_stale_version(world, responded):
    with pytest.raises(PermissionDenied):
        services.rectification_act(
            actor=world.zhuozi_liaison, item=responded, action=Action.ACCEPT, expected_version=1
        )


def test_the_check_changes_nothing(world, item):
    services.rectification_check(
        actor=world.zhuozi_liaison, item=item, action=Action.RESPOND, expected_version=1
    )
    _unchanged(item)
    with pytest.raises(ValidationError):
        services.rectification_check(
            actor=world.zhuozi_liaison, item=item, action=Action.RESPOND, expected_version=7
        )


# --- comments and the trail -----------------------------------------------------------------


def test_both_sides_comment_on_the_timeline(world, item):
    services.rectification_comment(actor=world.zhuozi_liaison, item=item, text="灭火器已下单")
    event = services.rectification_comment(actor=world.office, item=item, text="收到")
    assert event.comment == "收到"
    assert list(item.events.values_list("action", "actor__username")) == [
        ("raise", "office"),
        (Action.COMMENT, "zhuozi"),
        (Action.COMMENT, "office"),
    ]
    with pytest.raises(PermissionDenied):
        services.rectification_comment(actor=world.inspector, item=item, text="旁观")
    with pytest.raises(ValidationError):
        services.rectification_comment(actor=world.office, item=item, text="")
    item.refresh_from_db()
    assert item.version == 1  # a comment is not a change of the item


def test_every_step_is_in_the_audit_trail(world, responded):
    item = services.rectification_act(
        actor=world.office, item=responded, action=Action.REJECT, comment="不合格"
    )
    services.rectification_respond(actor=world.zhuozi_liaison, item=item, text="再次整改")
    services.rectification_act(actor=world.office, item=item, action=Action.ACCEPT)
    assert _audit_messages(item) == [
        "",  # the creation
        "rectification respond",
        "rectification reject",
        "rectification respond",
        "rectification accept",
    ]
    last = AuditEvent.objects.filter(object_id=str(item.pk)).order_by("-seq").first()
    assert last.before == {"status": Status.RESPONDED}
    assert last.after["status"] == Status.CLOSED
