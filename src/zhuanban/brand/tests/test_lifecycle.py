"""The whole register, end to end through the services: application → licence →
re-review → rectification in the shared loop → pass, and removal (清退)."""

import datetime
from decimal import Decimal

from zhuanban.brand import selectors, services
from zhuanban.brand.lifecycle import ReviewAction, ReviewStatus
from zhuanban.brand.models import Inspection, LicenceState, Sales
from zhuanban.brand.tests.conftest import TODAY, upload
from zhuanban.rectification import services as rectification
from zhuanban.rectification.lifecycle import Action, Status


def test_licence_is_issued_with_a_random_number_and_computed_validity(licensed):
    licence = licensed.yinshan_licence
    assert licence.number.startswith("YW-2023-")
    assert len(licence.number) == 16
    assert licence.number != licensed.shudu_licence.number
    assert licence.valid_from == TODAY
    assert licence.valid_until == datetime.date(2026, 3, 31)
    assert licence.state_on(TODAY) == LicenceState.VALID
    assert licence.state_on(datetime.date(2026, 4, 1)) == LicenceState.EXPIRED
    assert licence.state_on(datetime.date(2023, 3, 31)) == LicenceState.NOT_YET
    found = selectors.public_licence(licence.number, day=datetime.date(2026, 4, 1))
    assert found.state == LicenceState.EXPIRED


def test_rectify_then_pass_after_the_loop_closes_and_remove(world, review_round):
    review = services.review_submit(
        actor=review_round.applicant,
        review=review_round.yinshan_review,
        sales=Decimal("8500"),
        output=Decimal("1300"),
        complaints=0,
        inspection=Inspection.PASSED,
        logo_note="500克袋装燕麦片使用原味乌兰察布标识",
        evidence=[upload("包装.png")],
    )
    assert review.status == ReviewStatus.SUBMITTED
    assert Sales.objects.get(enterprise=review_round.yinshan, year=2023).amount == Decimal("8500")
    review = services.review_act(
        actor=world.brand_staff,
        review=review,
        action=ReviewAction.RECTIFY,
        comment="包装标识位置不规范",
        due_date=datetime.date(2023, 8, 31),
        today=datetime.date(2023, 6, 1),
    )
    assert review.status == ReviewStatus.RECTIFYING
    item = review.rectification
    assert item.unit_id == review_round.yinshan.unit_id
    assert item.county_id == world.zhuozi.pk
    rectification.rectification_respond(actor=review_round.applicant, item=item, text="已更换包装")
    rectification.rectification_act(actor=world.brand_staff, item=item, action=Action.ACCEPT)
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    review = services.review_act(actor=world.brand_staff, review=review, action=ReviewAction.PASS)
    assert review.status == ReviewStatus.PASSED

    removed = services.review_act(
        actor=world.brand_staff,
        review=review_round.shudu_review,
        action=ReviewAction.REMOVE,
        comment="连续两年未使用标识",
        today=datetime.date(2023, 6, 1),
    )
    assert removed.status == ReviewStatus.REMOVED
    licence = removed.licence
    licence.refresh_from_db()
    assert licence.revoked_on == datetime.date(2023, 6, 1)
    assert licence.state_on(datetime.date(2023, 6, 2)) == LicenceState.REVOKED
    public = [
        lic.enterprise.name for lic in selectors.public_enterprises(datetime.date(2023, 6, 2))
    ]
    assert public == ["内蒙古阴山优麦食品有限公司"]
