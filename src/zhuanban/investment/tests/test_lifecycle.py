"""The stage table and the clock rules, end to end through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhuanban.investment import services
from zhuanban.investment.lifecycle import MOVERS, STAGE_TRANSITIONS, Move, Stage, move_of
from zhuanban.investment.models import Project, clocks_by_stage
from zhuanban.investment.selectors import funnel, light_counts
from zhuanban.investment.tests.conftest import TODAY, make_project, upload
from zhuanban.tasks.models import Light


def test_every_pair_of_stages_is_one_kind_of_move():
    assert move_of(Stage.PLANNED, Stage.SIGNED) == Move.FORWARD
    assert move_of(Stage.LANDED, Stage.SIGNED) == Move.BACK
    assert move_of(Stage.STARTED, Stage.DROPPED) == Move.DROP
    assert move_of(Stage.DROPPED, Stage.NEGOTIATING) == Move.RESUME
    assert move_of(Stage.SIGNED, Stage.SIGNED) is None
    assert len(STAGE_TRANSITIONS) == 7 * 6
    assert all(who == MOVERS for _move, who in STAGE_TRANSITIONS.values())


@pytest.mark.django_db
def test_a_project_signed_then_stalling_turns_yellow_then_red(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=datetime.date(2026, 1, 5))
    project = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.SIGNED,
        on=datetime.date(2026, 3, 1),
        evidence=[upload("投资协议.pdf")],
        today=TODAY,
    )
    assert project.signed_on == datetime.date(2026, 3, 1)
    clocks = clocks_by_stage()  # signed: 90 days, yellow 15 before, report every 14
    # Yellow past 75 days waited (from 2026-05-16), red past 90 (from 2026-05-31).
    assert project.light_on(datetime.date(2026, 3, 10), clocks) == Light.GREEN
    assert project.light_on(datetime.date(2026, 3, 16), clocks) == Light.YELLOW  # no report
    services.project_report(
        actor=inv.staff,
        project=project,
        on=datetime.date(2026, 5, 10),
        text="用地手续办理中",
        today=TODAY,
    )
    project.refresh_from_db()
    assert project.light_on(datetime.date(2026, 5, 15), clocks) == Light.GREEN
    assert project.light_on(datetime.date(2026, 5, 16), clocks) == Light.YELLOW
    assert project.light_on(datetime.date(2026, 5, 30), clocks) == Light.YELLOW
    assert project.light_on(datetime.date(2026, 5, 31), clocks) == Light.RED
    for day, light in [
        (datetime.date(2026, 5, 15), Light.GREEN),
        (datetime.date(2026, 5, 16), Light.YELLOW),
        (datetime.date(2026, 5, 31), Light.RED),
    ]:
        annotated = Project.objects.with_light(day).get(pk=project.pk)
        assert annotated.light == light


@pytest.mark.django_db
def test_signing_needs_its_evidence_and_a_date_after_negotiations(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.SIGNED,
            on=datetime.date(2026, 2, 1),
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"on", "evidence"}
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    assert project.signed_on is None


@pytest.mark.django_db
def test_going_back_needs_a_reason_and_nobody_outside_moves_a_project(inv):
    project = make_project(inv, stage=Stage.LANDED, on=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.SIGNED,
            on=datetime.date(2026, 5, 1),
            today=TODAY,
        )
    assert "reason" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.project_move(
            actor=inv.world.huade_liaison,
            project=project,
            to_stage=Stage.STARTED,
            on=datetime.date(2026, 5, 1),
            today=TODAY,
        )


@pytest.mark.django_db
def test_funnel_and_lights_count_what_was_entered(inv):
    w = inv.world
    make_project(inv, "甲", stage=Stage.PLANNED, on=datetime.date(2026, 6, 20), is_key=True)
    make_project(inv, "乙", stage=Stage.SIGNED, on=datetime.date(2026, 2, 1), chain=inv.beef)
    make_project(inv, "丙", stage=Stage.PRODUCING, on=datetime.date(2026, 5, 1), county=w.huade)
    result = funnel(w.leader, year=2026)
    assert result.stages == {Stage.PLANNED: 1, Stage.SIGNED: 1, Stage.PRODUCING: 1}
    assert result.reached()[:3] == [
        (Stage.PLANNED, 3),
        (Stage.NEGOTIATING, 2),
        (Stage.SIGNED, 2),
    ]
    # 甲 planned 10 days ago: green; 乙 signed 149 days ago: red; 丙 producing: grey.
    counts = light_counts(w.leader, today=TODAY)
    assert counts == {Light.GREEN: 1, Light.YELLOW: 0, Light.RED: 1, Light.GREY: 1}
    assert funnel(w.zhuozi_liaison).total == 2
