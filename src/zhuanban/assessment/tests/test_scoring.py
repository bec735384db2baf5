"""Automatic scores, totals and grades against values computed by hand from the data
in conftest.py."""

from decimal import Decimal

import pytest

from zhuanban.assessment import services
from zhuanban.assessment.lifecycle import SchemeAction, SchemeStatus
from zhuanban.assessment.models import Grade
from zhuanban.assessment.scoring import compute, totals, weight_checks
from zhuanban.assessment.tests.conftest import score_of

pytestmark = pytest.mark.django_db


def test_tasks_share_closed_on_time(opened):
    # 卓资县: due 3/31 (on time), 5/31 (closed late), 9/30 (open), 4/30 by 卓资镇 (on time):
    # 2 of 4 → 20 × 2/4 = 10. 化德县: 1 of 1 → 20.
    zhuozi = score_of(opened.zhuozi, opened.items.tasks)
    assert zhuozi.auto_score == Decimal("10.00")
    assert zhuozi.auto_basis == {"due": 4, "on_time": 2}
    assert score_of(opened.huade, opened.items.tasks).auto_score == Decimal("20.00")


def test_dispatch_share_on_time(opened):
    # 卓资县: on time, two days late, never: 1 of 3 → 10 × 1/3 = 3.33. 化德县: 3 of 3.
    zhuozi = score_of(opened.zhuozi, opened.items.dispatch)
    assert zhuozi.auto_score == Decimal("3.33")
    assert zhuozi.auto_basis == {"reports": 3, "on_time": 1}
    assert score_of(opened.huade, opened.items.dispatch).auto_score == Decimal("10.00")


def test_indicator_completion_capped_at_the_maximum(opened):
    # 卓资县 6 of 8 → 75 % → 7.50; 化德县 12 of 10 → capped at 10.
    zhuozi = score_of(opened.zhuozi, opened.items.indicator)
    assert zhuozi.auto_score == Decimal("7.50")
    assert zhuozi.auto_basis["completion"] == "75.0"
    assert score_of(opened.huade, opened.items.indicator).auto_score == Decimal("10.00")


def test_notices_deduct_per_notice_in_the_period(opened):
    # Two notices of 2023 (the 2022 one is outside the period): 5 − 2 × 2 = 1.
    zhuozi = score_of(opened.zhuozi, opened.items.notices)
    assert zhuozi.auto_score == Decimal("1.00")
    assert zhuozi.auto_basis["notices"] == 2
    assert score_of(opened.huade, opened.items.notices).auto_score == Decimal("5.00")


def test_deductions_never_go_below_zero(world, opened):
    opened.items.notices.points_per_notice = Decimal(3)
    opened.items.notices.save()
    computed = compute(opened.scheme)
    assert computed[(opened.zhuozi.pk, opened.items.notices.pk)].score == Decimal("0.00")


def test_manual_item_is_unscored_until_reviewed(opened):
    opened.zhuozi.refresh_from_db()
    # 10 + 3.33 + 7.50 + 1 computed; the manual item is still missing.
    assert opened.zhuozi.total == Decimal("21.83")
    assert opened.zhuozi.unscored == 1
    assert opened.zhuozi.grade == ""


def _review_all(world, scheme, zhuozi_manual: str, huade_manual: str):
    scheme = services.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.REVIEW)
    for participant, value in (
        (scheme.participants.get(unit=world.zhuozi), zhuozi_manual),
        (scheme.participants.get(unit=world.huade), huade_manual),
    ):
        score = participant.scores.get(item__method="manual")
        services.score_review(
            actor=world.potato_director, score=score, value=value, reason="材料齐全，成效一般。"
        )
    return scheme


def test_totals_grades_and_ranking_after_review(world, opened):
    scheme = _review_all(world, opened.scheme, "12", "15")
    scheme = services.scheme_act(actor=world.leader, scheme=scheme, action=SchemeAction.CLOSE)
    assert scheme.status == SchemeStatus.CLOSED
    zhuozi = scheme.participants.get(unit=world.zhuozi)
    huade = scheme.participants.get(unit=world.huade)
    # 卓资县 10 + 3.33 + 7.50 + 1 + 12 = 33.83 of 60; 化德县 20 + 10 + 10 + 5 + 15 = 60.
    assert zhuozi.total == Decimal("33.83")
    assert huade.total == Decimal("60.00")
    assert zhuozi.grade == Grade.POOR
    assert huade.grade == Grade.AVERAGE  # 60 ≥ 60, below 80


def test_weighted_total(world, opened):
    heading = opened.items.heading
    for item, weight in (
        (heading, 50),
        (opened.items.indicator, 20),
        (opened.items.notices, 10),
        (opened.items.manual, 20),
    ):
        item.weight = Decimal(weight)
        item.save()
    scheme = _review_all(world, opened.scheme, "12", "15")
    zhuozi = scheme.participants.get(unit=world.zhuozi)
    # 13.33/30 × 50 + 7.5/10 × 20 + 1/5 × 10 + 12/15 × 20 = 22.2167 + 15 + 2 + 16
    assert totals(scheme)[zhuozi.pk].total == Decimal("55.22")


def test_heading_score_is_capped_at_its_maximum(world, opened):
    opened.items.heading.max_score = Decimal(25)
    opened.items.heading.save()
    huade = opened.huade
    # 化德县 scores 20 + 10 under a heading now worth 25.
    found = totals(opened.scheme)[huade.pk]
    assert found.total == Decimal("25") + Decimal("10") + Decimal("5")


def test_weights_that_do_not_add_up_are_reported_by_how_much(opened):
    items = list(opened.scheme.items.all())
    for item in items:
        if item.parent_id is None:
            item.weight = Decimal(20)
    checks = weight_checks(items)
    weights = [c for c in checks if c.message_key == "weights"]
    assert len(weights) == 1
    assert weights[0].difference == Decimal(-20)
    items[0].max_score = Decimal(35)  # the heading: children add to 30
    children = [c for c in weight_checks(items) if c.message_key == "children"]
    assert children[0].difference == Decimal(-5)


def test_scoring_queries_do_not_grow_with_data(world, opened, django_assert_max_num_queries):
    from zhuanban.assessment.tests.conftest import d, make_task

    with django_assert_max_num_queries(12) as before:
        compute(opened.scheme)
    for _ in range(20):
        make_task(world, opened.scheme.items.get(method="tasks").task_list, world.huade, d(8, 1))
    with django_assert_max_num_queries(len(before.captured_queries)):
        compute(opened.scheme)
