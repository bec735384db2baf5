"""The submission lifecycle, versions, the value store and who may do what."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhuanban.core.models import AuditEvent, Notification
from zhuanban.dispatch import services
from zhuanban.dispatch.models import (
    DataValue,
    IndicatorValue,
    SubmissionEvent,
    SubmissionStatus,
    TemplateVersion,
)
from zhuanban.dispatch.selectors import completeness_by_round
from zhuanban.dispatch.tests.conftest import LIVESTOCK_SCHEMA, open_round, submission_of

GOOD = [{"beef": "3.2", "dairy": "1.1", "total": "4.3", "farms": "12", "note": "正常"}]


def test_a_draft_keeps_bad_entries_and_reports_them_by_cell(world, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    checked = services.submission_save(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=[{"beef": "abc", "dairy": "-1", "total": "9", "farms": "3"}],
        expected_version=submission.lock_version,
    )
    codes = {(p.column, p.code) for p in checked.problems}
    assert ("beef", "not_number") in codes
    assert ("dairy", "below_min") in codes
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.data == [{"beef": "abc", "dairy": "-1", "total": "9.00", "farms": 3}]
    assert not DataValue.objects.exists()


def test_submitting_a_table_with_problems_stores_nothing(world, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    rows = [{"beef": "3.2", "dairy": "1.1", "total": "5", "farms": "1e309"}]
    with pytest.raises(services.TableErrors) as caught:
        services.submission_submit(
            actor=world.zhuozi_liaison,
            submission=submission,
            rows=rows,
            expected_version=submission.lock_version,
        )
    assert {(p.column, p.code) for p in caught.value.problems} == {
        ("farms", "out_of_range"),
        ("total", "rule_sum"),
    }
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert submission.revision == 0
    assert not DataValue.objects.exists()


def test_submit_return_resubmit_approve_keeps_every_version(world, livestock_round, beef_indicator):
    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=GOOD,
        expected_version=submission.lock_version,
    )
    assert DataValue.objects.filter(submission=submission).count() == 5
    services.submission_return(
        actor=world.office,
        submission=submission,
        comment="肉牛数据偏低",
        row_comments={"0": "请核实肉牛存栏"},
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    assert submission.row_comments == {"0": "请核实肉牛存栏"}
    fixed = [dict(GOOD[0], beef="4.2", total="5.3")]
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=fixed,
        expected_version=submission.lock_version,
    )
    services.submission_approve(actor=world.office, submission=submission)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert [r.data[0]["beef"] for r in submission.revisions.all()] == ["3.20", "4.20"]
    assert submission.row_comments == {}
    value = IndicatorValue.objects.get(indicator=beef_indicator, unit=world.zhuozi)
    assert value.value == Decimal("4.2")
    assert value.period_end == datetime.date(2023, 6, 30)
    actions = list(
        SubmissionEvent.objects.filter(submission=submission).values_list("action", flat=True)
    )
    assert actions == ["submit", "return", "submit", "approve"]
    assert (
        AuditEvent.objects.filter(
            object_type="dispatch.submission", object_id=str(submission.pk)
        ).count()
        == 4
    )
    assert Notification.objects.filter(
        recipient=world.zhuozi_liaison, kind="dispatch_returned"
    ).exists()


def test_approved_data_is_locked_until_the_office_reopens_it_with_a_reason(world, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=submission, rows=GOOD, expected_version=None
    )
    services.submission_approve(actor=world.office, submission=submission)
    with pytest.raises(ValidationError):
        services.submission_save(
            actor=world.zhuozi_liaison, submission=submission, rows=GOOD, expected_version=None
        )
    with pytest.raises(ValidationError):
        services.submission_reopen(actor=world.office, submission=submission, reason=" ")
    services.submission_reopen(actor=world.office, submission=submission, reason="统计口径调整")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    assert submission.events.last().comment == "统计口径调整"


def test_who_may_not_act(world, livestock_round):
    zhuozi = submission_of(livestock_round, world.zhuozi)
    for actor in (world.huade_liaison, world.office, world.leader, world.sysadmin):
        with pytest.raises(PermissionDenied):
            services.submission_submit(
                actor=actor, submission=zhuozi, rows=GOOD, expected_version=None
            )
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=zhuozi, rows=GOOD, expected_version=None
    )
    for actor in (world.zhuozi_liaison, world.brand_staff, world.leader):
        with pytest.raises(PermissionDenied):
            services.submission_approve(actor=actor, submission=zhuozi)
    with pytest.raises(PermissionDenied):
        services.round_urge(actor=world.brand_staff, round_=livestock_round)


def test_a_stale_edit_is_refused_and_loses_nothing(world, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    loaded = submission.lock_version
    services.submission_save(
        actor=world.zhuozi_liaison, submission=submission, rows=GOOD, expected_version=loaded
    )
    with pytest.raises(services.ConcurrentEditError):
        services.submission_save(
            actor=world.zhuozi_liaison,
            submission=submission,
            rows=[{"beef": "9"}],
            expected_version=loaded,
        )
    submission.refresh_from_db()
    assert submission.data[0]["beef"] == "3.20"


def test_a_locked_round_refuses_new_entries_but_takes_corrections(world, livestock_round):
    zhuozi = submission_of(livestock_round, world.zhuozi)
    huade = submission_of(livestock_round, world.huade)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=zhuozi, rows=GOOD, expected_version=None
    )
    snapshot = services.round_lock(actor=world.office, round_=livestock_round)
    assert snapshot.data["total"]["beef"] == "3.20"
    with pytest.raises(ValidationError) as caught:
        services.submission_submit(
            actor=world.huade_liaison, submission=huade, rows=GOOD, expected_version=None
        )
    assert caught.value.code == "locked"
    services.submission_return(actor=world.office, submission=zhuozi, comment="请更正")
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=zhuozi,
        rows=[dict(GOOD[0], beef="5", total="6.1")],
        expected_version=None,
    )
    snapshot.refresh_from_db()
    assert snapshot.data["total"]["beef"] == "3.20"  # the snapshot keeps the figures at lock


def test_editing_a_table_in_use_makes_a_new_version(world, livestock, livestock_round):
    schema = dict(
        LIVESTOCK_SCHEMA,
        columns=[
            *LIVESTOCK_SCHEMA["columns"],
            {"key": "sheep", "label": "肉羊存栏", "type": "integer"},
        ],
    )
    version = services.template_update(
        actor=world.office,
        template=livestock,
        expected_version=livestock.lock_version,
        schema=schema,
    )
    assert version.number == 2
    livestock_round.refresh_from_db()
    assert livestock_round.template_version.number == 1
    assert [c.key for c in TemplateVersion.objects.get(template=livestock, number=1).table.columns][
        -1
    ] == "note"
    with pytest.raises(services.ConcurrentEditError):
        services.template_update(
            actor=world.office, template=livestock, expected_version=1, title="x"
        )


def test_completeness_counts_on_time_late_and_missing(world, livestock, django_assert_num_queries):
    round_ = open_round(world, livestock)
    zhuozi = submission_of(round_, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=zhuozi, rows=GOOD, expected_version=None
    )
    with django_assert_num_queries(1):
        counts = completeness_by_round([round_.pk])[round_.pk]
    assert (counts.expected, counts.submitted, counts.on_time, counts.late, counts.missing) == (
        2,
        1,
        1,
        0,
        1,
    )
    round_.due_on = timezone.localdate() - datetime.timedelta(days=1)
    round_.save()
    counts = completeness_by_round([round_.pk])[round_.pk]
    assert (counts.on_time, counts.late) == (0, 1)


def test_urging_notifies_the_units_that_have_not_reported_once_a_day(world, livestock_round):
    zhuozi = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=zhuozi, rows=GOOD, expected_version=None
    )
    assert services.round_urge(actor=world.office, round_=livestock_round) == 1
    services.round_urge(actor=world.office, round_=livestock_round)
    assert (
        Notification.objects.filter(kind="dispatch_urge", recipient=world.huade_liaison).count()
        == 1
    )
    assert not Notification.objects.filter(
        kind="dispatch_urge", recipient=world.zhuozi_liaison
    ).exists()
    assert SubmissionEvent.objects.filter(action="urge", submission__unit=world.huade).count() == 2


def test_available_actions_follow_the_round_dates(world, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    assert services.available_actions(world.zhuozi_liaison, submission) == ["save", "submit"]
    assert services.available_actions(world.office, submission) == ["urge"]
    assert services.available_actions(world.huade_liaison, submission) == []
    services.round_lock(actor=world.office, round_=livestock_round)
    submission.refresh_from_db()
    assert services.available_actions(world.zhuozi_liaison, submission) == []
    assert services.available_actions(world.office, submission) == []


def test_open_rounds_opens_the_current_period_once_and_locks_past_rounds(world, livestock):
    from django.core.management import call_command

    from zhuanban.dispatch.models import DispatchRound, RoundSnapshot

    services.schedule_save(
        actor=world.office,
        template=livestock,
        cadence="monthly_dispatch",
        opens_before_end=25,
        due_after_end=5,
        locks_after_end=10,
    )
    call_command("open_rounds", date=datetime.date(2026, 11, 20), stdout=io.StringIO())
    call_command("open_rounds", date=datetime.date(2026, 11, 20), stdout=io.StringIO())
    rounds = DispatchRound.objects.filter(template=livestock)
    # October's round (locks 11-10) is past; November's opened on 11-05.
    assert [(r.year, r.period_number) for r in rounds] == [(2026, 11)]
    november = rounds.get()
    assert (november.opens_on, november.due_on, november.locks_on) == (
        datetime.date(2026, 11, 5),
        datetime.date(2026, 12, 5),
        datetime.date(2026, 12, 10),
    )
    assert november.submissions.count() == 2
    call_command("open_rounds", date=datetime.date(2026, 12, 11), stdout=io.StringIO())
    november.refresh_from_db()
    assert november.locked_at is not None
    assert RoundSnapshot.objects.filter(round=november).count() == 1
    assert DispatchRound.objects.filter(template=livestock, period_number=12).exists()


def test_a_schedule_keeps_its_days_in_order(world, livestock):
    with pytest.raises(ValidationError):
        services.schedule_save(
            actor=world.office,
            template=livestock,
            cadence="monthly_dispatch",
            due_after_end=10,
            locks_after_end=5,
        )
    with pytest.raises(PermissionDenied):
        services.schedule_save(
            actor=world.brand_staff, template=livestock, cadence="monthly_dispatch"
        )


def test_a_returned_table_leaves_the_consolidation_until_resubmitted(world, livestock_round):
    from zhuanban.dispatch.selectors import consolidate

    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=submission, rows=GOOD, expected_version=None
    )
    assert consolidate(livestock_round).total["beef"] == Decimal("3.20")
    services.submission_return(actor=world.office, submission=submission, comment="请核实")
    assert not DataValue.objects.filter(submission=submission).exists()
    assert consolidate(livestock_round).total == {}
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=submission, rows=GOOD, expected_version=None
    )
    assert consolidate(livestock_round).total["beef"] == Decimal("3.20")


def test_units_that_have_not_reported_are_reminded_once_before_and_once_after_the_due_date(
    world, livestock_round
):
    from zhuanban.core.models import Notification

    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission_of(livestock_round, world.zhuozi),
        rows=GOOD,
        expected_version=None,
    )
    due = livestock_round.due_on
    assert services.remind_rounds(due - datetime.timedelta(days=30)) == 0  # not due soon yet
    assert services.remind_rounds(due - datetime.timedelta(days=2)) == 1
    assert services.remind_rounds(due - datetime.timedelta(days=1)) == 0
    assert services.remind_rounds(due + datetime.timedelta(days=1)) == 1
    assert services.remind_rounds(due + datetime.timedelta(days=2)) == 0
    kinds = list(
        Notification.objects.filter(recipient=world.huade_liaison)
        .values_list("kind", flat=True)
        .order_by("pk")
    )
    assert kinds == ["dispatch_due_soon", "dispatch_overdue"]
    assert not Notification.objects.filter(
        recipient=world.zhuozi_liaison, kind__startswith="dispatch_due"
    ).exists()
