"""Licences and the annual re-review through the services: a licence's state on every
boundary day, removal (清退), opening a year's re-review, the licensee's report and its
sales, and the office's conclusions, with rectification through the shared loop."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from zhuanban.brand import selectors, services
from zhuanban.brand.lifecycle import ReviewAction, ReviewStatus
from zhuanban.brand.models import (
    Inspection,
    Licence,
    LicenceState,
    Review,
    ReviewRound,
    Sales,
)
from zhuanban.brand.tests.conftest import (
    TODAY,
    YEAR,
    licence_for,
    upload,
)
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent, Notification
from zhuanban.org.selectors import people_acting_for
from zhuanban.rectification import services as rectification
from zhuanban.rectification.lifecycle import Action as RectAction
from zhuanban.rectification.lifecycle import Status as RectStatus
from zhuanban.rectification.models import Rectification, SourceKind

pytestmark = pytest.mark.django_db

JUNE = datetime.date(YEAR, 6, 1)
DEADLINE = datetime.date(YEAR, 8, 31)


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def state(licence: Licence, day: datetime.date) -> str:
    """The state computed both ways, which must agree, and valid_on with them."""
    in_python = Licence.objects.get(pk=licence.pk).state_on(day)
    in_database = Licence.objects.with_state(day).get(pk=licence.pk).state
    assert in_python == in_database, day
    listed = Licence.objects.valid_on(day).filter(pk=licence.pk).exists()
    assert listed == (in_python == LicenceState.VALID), day
    return in_python


def report(actor, review, **values) -> Review:
    data = {
        "sales": Decimal("8500"),
        "output": Decimal("1300"),
        "complaints": 0,
        "inspection": Inspection.PASSED,
        "logo_note": "500克袋装燕麦片使用原味乌兰察布标识",
    } | values
    return services.review_submit(actor=actor, review=review, **data)


def conclude(actor, review, action, comment="", **kwargs) -> Review:
    return services.review_act(
        actor=actor, review=review, action=action, comment=comment, today=JUNE, **kwargs
    )


def reloaded(review: Review) -> Review:
    return Review.objects.get(pk=review.pk)


# --- licences ----------------------------------------------------------------------------


def test_a_licences_state_on_its_boundary_days(licensed):
    licence = licensed.yinshan_licence
    assert (licence.valid_from, licence.valid_until) == (TODAY, datetime.date(2026, 3, 31))
    assert state(licence, datetime.date(2023, 3, 31)) == LicenceState.NOT_YET
    assert state(licence, TODAY) == LicenceState.VALID
    assert state(licence, datetime.date(2024, 2, 29)) == LicenceState.VALID
    # The last day is still valid; the next one is not.
    assert state(licence, datetime.date(2026, 3, 31)) == LicenceState.VALID
    assert state(licence, datetime.date(2026, 4, 1)) == LicenceState.EXPIRED


def test_a_removed_licence_is_revoked_from_its_removal_day(world, licensed):
    licence = services.licence_remove(
        actor=world.brand_staff,
        licence=licensed.shudu_licence,
        reason="连续两年未使用标识",
        on=datetime.date(2024, 6, 1),
    )
    assert state(licence, datetime.date(2024, 5, 31)) == LicenceState.VALID
    assert state(licence, datetime.date(2024, 6, 1)) == LicenceState.REVOKED
    # Revoked stays revoked, also after the date it would have expired.
    assert state(licence, datetime.date(2027, 1, 1)) == LicenceState.REVOKED
    assert state(licence, datetime.date(2023, 3, 1)) == LicenceState.NOT_YET
    valid = Licence.objects.valid_on(datetime.date(2024, 6, 1))
    assert list(valid) == [licensed.yinshan_licence]
    public = selectors.public_enterprises(datetime.date(2024, 6, 1))
    assert [lic.enterprise.name for lic in public] == ["内蒙古阴山优麦食品有限公司"]


def test_removal_needs_a_reason_and_happens_once(world, licensed):
    with pytest.raises(ValidationError) as refused:
        services.licence_remove(actor=world.brand_staff, licence=licensed.shudu_licence, reason=" ")
    assert refused.value.message_dict == {"comment": [gettext("Give the reason.")]}
    services.licence_remove(
        actor=world.brand_staff, licence=licensed.shudu_licence, reason="违规用标", on=JUNE
    )
    with pytest.raises(ValidationError) as refused:
        services.licence_remove(
            actor=world.brand_staff, licence=licensed.shudu_licence, reason="再次清退"
        )
    assert refused.value.code == "removed"
    assert refused.value.messages == [
        gettext("This licence was already removed on %(date)s.") % {"date": "2023-06-01"}
    ]
    licence = Licence.objects.get(pk=licensed.shudu_licence.pk)
    assert (licence.revoked_on, licence.revoked_reason, licence.revoked_by) == (
        JUNE,
        "违规用标",
        world.brand_staff,
    )
    record = AuditEvent.objects.filter(object_type="brand.licence", object_id=str(licence.pk))
    assert record.filter(action=AuditAction.UPDATE, message="brand licence removed").count() == 1


def test_only_the_brand_office_removes_a_licence(world, licensed):
    for who in ("huade_liaison", "leader", "inspector", "office", "outsider"):
        with pytest.raises(PermissionDenied):
            services.licence_remove(
                actor=getattr(world, who), licence=licensed.shudu_licence, reason="清退"
            )
    with pytest.raises(PermissionDenied):
        services.licence_remove(
            actor=licensed.applicant, licence=licensed.yinshan_licence, reason="清退"
        )
    assert not Licence.objects.filter(revoked_on__isnull=False).exists()


def test_removal_tells_the_enterprise_and_its_county(world, licensed):
    services.licence_remove(
        actor=world.brand_staff, licence=licensed.yinshan_licence, reason="违规用标", on=JUNE
    )
    for user in (licensed.applicant, world.zhuozi_liaison):
        [note] = Notification.objects.filter(recipient=user, kind="brand_removed")
        assert licensed.yinshan_licence.number in note.title
        assert note.body == "违规用标"
    assert not Notification.objects.filter(
        recipient=world.huade_liaison, kind="brand_removed"
    ).exists()


# --- opening a re-review -----------------------------------------------------------------


def test_a_round_covers_the_licences_valid_that_day_only(world, licensed):
    services.licence_remove(
        actor=world.brand_staff,
        licence=licensed.shudu_licence,
        reason="清退",
        on=datetime.date(YEAR, 4, 5),
    )
    expired = licence_for(
        world, "兴和县老字号杂粮合作社", world.huade, 5, datetime.date(2019, 1, 1)
    )
    later = licence_for(world, "卓资县山水燕麦有限公司", world.zhuozi, 6, datetime.date(YEAR, 5, 1))
    round = services.review_round_open(
        actor=world.brand_staff,
        year=YEAR,
        due_date=datetime.date(YEAR, 5, 31),
        note="报送年度经营数据和用标证明",
        today=datetime.date(YEAR, 4, 10),
    )
    assert round.opened_by == world.brand_staff
    assert list(round.reviews.values_list("licence", flat=True)) == [licensed.yinshan_licence.pk]
    assert {expired.pk, later.pk, licensed.shudu_licence.pk}.isdisjoint(
        round.reviews.values_list("licence", flat=True)
    )
    assert round.reviews.get().status == ReviewStatus.AWAITING
    [note] = Notification.objects.filter(recipient=licensed.applicant, kind="brand_review_open")
    assert "2023-05-31" in note.title
    assert note.body == "报送年度经营数据和用标证明"


def test_a_year_is_opened_once_and_the_deadline_is_not_past(world, review_round):
    with pytest.raises(ValidationError) as refused:
        services.review_round_open(
            actor=world.brand_staff,
            year=YEAR,
            due_date=datetime.date(YEAR, 4, 9),
            today=datetime.date(YEAR, 4, 10),
        )
    assert codes(refused.value) == {"year": ["duplicate"], "due_date": ["past"]}
    assert refused.value.message_dict["year"] == [
        gettext("The %(year)d re-review is already open.") % {"year": YEAR}
    ]
    with pytest.raises(ValidationError) as refused:
        services.review_round_open(
            actor=world.brand_staff,
            year=20024,
            due_date=datetime.date(YEAR, 5, 1),
            today=datetime.date(YEAR, 4, 10),
        )
    assert codes(refused.value) == {"year": ["year"]}
    assert ReviewRound.objects.count() == 1
    assert Review.objects.count() == 2


def test_only_the_brand_office_opens_a_round(world, licensed):
    for who in ("zhuozi_liaison", "leader", "office", "potato_director"):
        with pytest.raises(PermissionDenied):
            services.review_round_open(
                actor=getattr(world, who), year=YEAR, due_date=DEADLINE, today=JUNE
            )
    with pytest.raises(PermissionDenied):
        services.review_round_open(
            actor=licensed.applicant, year=YEAR, due_date=DEADLINE, today=JUNE
        )
    assert not ReviewRound.objects.exists()


# --- the licensee's report -----------------------------------------------------------------


def test_the_report_moves_the_review_and_becomes_the_years_sales(world, review_round):
    review = report(
        review_round.applicant, review_round.yinshan_review, evidence=[upload("包装.png")]
    )
    assert review.status == ReviewStatus.SUBMITTED
    assert (review.sales, review.output, review.complaints) == (Decimal(8500), Decimal(1300), 0)
    assert review.submitted_by == review_round.applicant
    assert [f.name for f in review.evidence.all()] == ["包装.png"]
    sales = Sales.objects.get(enterprise=review_round.yinshan, year=YEAR)
    assert (sales.amount, sales.recorded_by) == (Decimal(8500), review_round.applicant)
    [note] = Notification.objects.filter(recipient=world.brand_staff, kind="brand_reported")
    assert review_round.yinshan.name in note.title
    # Sent back and reported again: the year's figure is replaced, never duplicated.
    returned = conclude(world.brand_staff, review, ReviewAction.RETURN, "销售额与报表不符")
    assert returned.status == ReviewStatus.AWAITING
    assert returned.concluded_by is None
    report(review_round.applicant, returned, sales=Decimal("8800.50"))
    assert list(
        Sales.objects.filter(enterprise=review_round.yinshan).values_list("amount", flat=True)
    ) == [Decimal("8800.50")]


def test_the_office_reports_for_a_licensee(world, review_round):
    services.sales_save(
        actor=world.brand_staff, enterprise=review_round.shudu, year=YEAR, amount=Decimal(1)
    )
    review = report(world.brand_staff, review_round.shudu_review, sales=Decimal("12000"))
    assert review.submitted_by == world.brand_staff
    assert Sales.objects.get(enterprise=review_round.shudu, year=YEAR).amount == Decimal(12000)


def test_every_missing_figure_is_reported_at_once(world, review_round):
    with pytest.raises(ValidationError) as refused:
        report(
            review_round.applicant,
            review_round.yinshan_review,
            sales=None,
            output=None,
            complaints=None,
            inspection="",
            logo_note=" ",
        )
    assert codes(refused.value) == {
        "sales": ["required"],
        "output": ["required"],
        "complaints": ["required"],
        "inspection": ["required"],
        "logo_note": ["required"],
    }
    assert refused.value.message_dict["sales"] == [gettext("This figure is required.")]
    assert reloaded(review_round.yinshan_review).status == ReviewStatus.AWAITING
    assert not Sales.objects.exists()


def test_negative_oversized_and_unknown_answers_are_refused(world, review_round):
    with pytest.raises(ValidationError) as refused:
        report(
            review_round.applicant,
            review_round.yinshan_review,
            sales=Decimal("-1"),
            output=Decimal("1234567890123"),
            complaints=-2,
            inspection="maybe",
        )
    assert codes(refused.value) == {
        "sales": ["negative"],
        "output": ["max_digits"],
        "complaints": ["negative"],
        "inspection": ["invalid"],
    }
    assert refused.value.message_dict["complaints"] == [gettext("This figure cannot be negative.")]
    assert reloaded(review_round.yinshan_review).status == ReviewStatus.AWAITING
    assert not Sales.objects.exists()


def test_others_cannot_report(world, review_round):
    for who in ("zhuozi_liaison", "huade_liaison", "leader", "inspector", "outsider"):
        with pytest.raises(PermissionDenied):
            report(getattr(world, who), review_round.yinshan_review)
    with pytest.raises(PermissionDenied):
        report(review_round.applicant, review_round.shudu_review)
    assert not Review.objects.exclude(status=ReviewStatus.AWAITING).exists()
    assert not Sales.objects.exists()


def test_a_stale_report_is_refused(world, review_round):
    review = review_round.yinshan_review
    with pytest.raises(ConcurrentEditError):
        report(review_round.applicant, review, expected_version=review.version + 1)
    assert reloaded(review).status == ReviewStatus.AWAITING
    done = report(review_round.applicant, review, expected_version=review.version)
    assert done.version == review.version + 1


def test_no_report_after_the_conclusion(world, review_round):
    review = report(review_round.applicant, review_round.yinshan_review)
    conclude(world.brand_staff, review, ReviewAction.PASS)
    with pytest.raises(ValidationError) as refused:
        report(review_round.applicant, reloaded(review), sales=Decimal(1))
    assert refused.value.code == "invalid_transition"
    assert Sales.objects.get(enterprise=review_round.yinshan, year=YEAR).amount == Decimal(8500)


# --- the office's conclusion ---------------------------------------------------------------


def test_rectify_needs_a_reason_and_a_deadline_after_today(world, review_round):
    review = report(review_round.applicant, review_round.yinshan_review)
    with pytest.raises(ValidationError) as refused:
        conclude(world.brand_staff, review, ReviewAction.RECTIFY, " ")
    assert codes(refused.value) == {"comment": ["required"], "due_date": ["required"]}
    for due in (JUNE, JUNE - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            conclude(
                world.brand_staff, review, ReviewAction.RECTIFY, "包装标识不规范", due_date=due
            )
        assert refused.value.message_dict == {
            "due_date": [gettext("The rectification deadline must be after today.")]
        }
    assert reloaded(review).status == ReviewStatus.SUBMITTED
    assert not Rectification.objects.exists()


def test_rectification_runs_through_the_shared_loop(world, review_round):
    review = report(review_round.applicant, review_round.yinshan_review)
    review = conclude(
        world.brand_staff, review, ReviewAction.RECTIFY, "包装标识位置不规范", due_date=DEADLINE
    )
    assert review.status == ReviewStatus.RECTIFYING
    item = Rectification.objects.get()
    assert review.rectification == item
    assert item.source_kind == SourceKind.BRAND
    assert item.source == review
    assert item.unit_id == review_round.yinshan.unit_id
    assert item.office_id == world.brand.pk
    assert item.county_id == world.zhuozi.pk
    assert (item.requirement, item.due_date) == ("包装标识位置不规范", DEADLINE)
    assert str(YEAR) in item.source_label
    assert review_round.yinshan.name in item.source_label
    # The enterprise's own login answers for its unit and is told of the item.
    assert people_acting_for(review_round.yinshan.unit_id) == [review_round.applicant]
    assert Notification.objects.filter(
        recipient=review_round.applicant, kind="rectification_raise"
    ).exists()

    with pytest.raises(ValidationError) as refused:
        conclude(world.brand_staff, review, ReviewAction.PASS)
    assert refused.value.code == "rectification_open"
    rectification.rectification_respond(actor=review_round.applicant, item=item, text="已更换包装")
    with pytest.raises(ValidationError):
        conclude(world.brand_staff, reloaded(review), ReviewAction.PASS)
    rectification.rectification_act(actor=world.brand_staff, item=item, action=RectAction.ACCEPT)
    passed = conclude(world.brand_staff, reloaded(review), ReviewAction.PASS)
    assert passed.status == ReviewStatus.PASSED
    assert passed.concluded_by == world.brand_staff
    [note] = Notification.objects.filter(recipient=review_round.applicant, kind="brand_concluded")
    assert str(ReviewStatus.PASSED.label) in note.title


def test_a_withdrawn_rectification_lets_the_review_pass(world, review_round):
    review = report(review_round.applicant, review_round.yinshan_review)
    review = conclude(world.brand_staff, review, ReviewAction.RECTIFY, "标识", due_date=DEADLINE)
    rectification.rectification_act(
        actor=world.brand_staff,
        item=review.rectification,
        action=RectAction.WITHDRAW,
        comment="误判",
    )
    assert Rectification.objects.get().status == RectStatus.WITHDRAWN
    assert conclude(world.brand_staff, reloaded(review), ReviewAction.PASS).status == (
        ReviewStatus.PASSED
    )


def test_removal_ends_the_licence_and_its_other_open_reviews(world, review_round):
    later = services.review_round_open(
        actor=world.brand_staff,
        year=YEAR + 1,
        due_date=datetime.date(YEAR + 1, 5, 31),
        today=datetime.date(YEAR + 1, 1, 10),
    )
    earlier = review_round.shudu_review
    review = later.reviews.get(licence=review_round.shudu_licence)
    removed = services.review_act(
        actor=world.brand_staff,
        review=review,
        action=ReviewAction.REMOVE,
        comment="连续两年未使用标识",
        today=datetime.date(YEAR + 1, 3, 1),
    )
    assert removed.status == ReviewStatus.REMOVED
    licence = Licence.objects.get(pk=review_round.shudu_licence.pk)
    assert (licence.revoked_on, licence.revoked_reason) == (
        datetime.date(YEAR + 1, 3, 1),
        "连续两年未使用标识",
    )
    other = reloaded(earlier)
    assert other.status == ReviewStatus.REMOVED
    assert other.conclusion == "连续两年未使用标识"
    # A page drawn before the removal can no longer act on it.
    assert other.version == earlier.version + 1
    assert reloaded(review_round.yinshan_review).status == ReviewStatus.AWAITING
    public = selectors.public_enterprises(datetime.date(YEAR + 1, 3, 1))
    assert [lic.enterprise_id for lic in public] == [review_round.yinshan.pk]


def test_the_enterprise_and_the_county_cannot_conclude(world, review_round):
    review = report(review_round.applicant, review_round.yinshan_review)
    for action in ReviewAction.values:
        for actor in (review_round.applicant, world.zhuozi_liaison, world.leader):
            with pytest.raises(PermissionDenied):
                conclude(actor, review, action, "自行通过", due_date=DEADLINE)
    assert reloaded(review).status == ReviewStatus.SUBMITTED
    assert not Rectification.objects.exists()
    assert Licence.objects.get(pk=review_round.yinshan_licence.pk).revoked_on is None


def test_out_of_turn_and_stale_conclusions_are_refused(world, review_round):
    review = review_round.yinshan_review
    with pytest.raises(ValidationError) as refused:
        conclude(world.brand_staff, review, ReviewAction.PASS)
    assert refused.value.code == "invalid_transition"
    review = report(review_round.applicant, review)
    with pytest.raises(ConcurrentEditError):
        conclude(world.brand_staff, review, ReviewAction.PASS, expected_version=review.version - 1)
    assert reloaded(review).status == ReviewStatus.SUBMITTED


# --- sales entered by the office -----------------------------------------------------------


def test_the_office_enters_and_corrects_a_years_sales(world, brand):
    services.sales_save(
        actor=world.brand_staff, enterprise=brand.yinshan, year=2022, amount=Decimal(7000)
    )
    record = services.sales_save(
        actor=world.brand_staff, enterprise=brand.yinshan, year=2022, amount=Decimal("7100.5")
    )
    assert Sales.objects.get(pk=record.pk).amount == Decimal("7100.5")
    audit = AuditEvent.objects.filter(object_type="brand.sales").order_by("seq")
    assert [(a.action, a.before) for a in audit] == [
        (AuditAction.CREATE, None),
        (AuditAction.UPDATE, {"amount": "7000.00"}),
    ]


def test_sales_figures_are_checked(world, brand):
    with pytest.raises(ValidationError) as refused:
        services.sales_save(
            actor=world.brand_staff, enterprise=brand.yinshan, year=1899, amount=None
        )
    assert codes(refused.value) == {"year": ["year"], "amount": ["required"]}
    with pytest.raises(ValidationError) as refused:
        services.sales_save(
            actor=world.brand_staff, enterprise=brand.yinshan, year=2022, amount=Decimal(-3)
        )
    assert codes(refused.value) == {"amount": ["negative"]}
    for who in (world.zhuozi_liaison, brand.applicant, world.leader):
        with pytest.raises(PermissionDenied):
            services.sales_save(actor=who, enterprise=brand.yinshan, year=2022, amount=Decimal(1))
    assert not Sales.objects.exists()
