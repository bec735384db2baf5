"""Who sees which part of the brand register and who they are to an enterprise (every
persona of the shared world), the access helpers built on it, and the reads: sales and
growth, and what the public verification page may find."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from zhuanban.brand import access, scoping, selectors, selectors_reviews, services
from zhuanban.brand.lifecycle import Party
from zhuanban.brand.models import Enterprise, LicenceState, Sales
from zhuanban.brand.tests.conftest import (
    YEAR,
    enterprise,
    licence_for,
)
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db

YINSHAN = "内蒙古阴山优麦食品有限公司"
SHUDU = "化德县薯都凯达食品有限公司"
READ_ALL = ["brand_staff", "office", "potato_director", "leader", "inspector"]
NOBODY = ["outsider", "sysadmin", "secadmin", "auditor"]
JUNE = datetime.date(YEAR, 6, 1)


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def persona(world, brand, who: str):
    return getattr(brand, who, None) or getattr(world, who)


# --- who sees what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        *[(who, {YINSHAN, SHUDU}) for who in READ_ALL],
        ("zhuozi_liaison", {YINSHAN}),
        ("huade_liaison", {SHUDU}),
        ("applicant", {YINSHAN}),
        *[(who, set()) for who in NOBODY],
    ],
)
def test_visible_enterprises_per_persona(world, brand, who, sees):
    assert names(scoping.visible_enterprises(persona(world, brand, who))) == sees


def test_people_of_other_units_see_no_enterprise(world, brand):
    clerk = person("crops-clerk", world.crops, name="种植科科员")
    town = person("town", world.zhuozi_town, (Role.DEPARTMENT_LIAISON, world.zhuozi_town))
    for user in (clerk, town):
        assert not scoping.visible_enterprises(user).exists()
        assert scoping.enterprise_of_user(user) is None


def test_an_enterprise_login_sees_only_its_own_records(world, licensed):
    shudu_login = person("shudu", licensed.shudu.unit, name="薯都凯达申报员")
    for user, own in ((licensed.applicant, licensed.yinshan), (shudu_login, licensed.shudu)):
        assert scoping.enterprise_of_user(user) == own
        assert list(scoping.visible_enterprises(user)) == [own]
        assert {a.enterprise for a in scoping.visible_applications(user)} == {own}
        assert {lic.enterprise for lic in scoping.visible_licences(user)} == {own}


def test_records_follow_the_enterprises(world, review_round):
    counts = {
        who: (
            scoping.visible_applications(persona(world, review_round, who)).count(),
            scoping.visible_licences(persona(world, review_round, who)).count(),
            scoping.visible_reviews(persona(world, review_round, who)).count(),
        )
        for who in ("leader", "zhuozi_liaison", "huade_liaison", "applicant", "outsider", "auditor")
    }
    assert counts == {
        "leader": (2, 2, 2),
        "zhuozi_liaison": (1, 1, 1),
        "huade_liaison": (1, 1, 1),
        "applicant": (1, 1, 1),
        "outsider": (0, 0, 0),
        "auditor": (0, 0, 0),
    }
    assert scoping.visible_reviews(world.huade_liaison).get() == review_round.shudu_review


@pytest.mark.parametrize(
    ("who", "yinshan", "shudu"),
    [
        ("brand_staff", {Party.OFFICE}, {Party.OFFICE}),
        ("leader", {Party.LEADER}, {Party.LEADER}),
        ("zhuozi_liaison", {Party.COUNTY}, set()),
        ("huade_liaison", set(), {Party.COUNTY}),
        ("applicant", {Party.ENTERPRISE}, set()),
        ("office", set(), set()),
        ("potato_director", set(), set()),
        ("inspector", set(), set()),
        *[(who, set(), set()) for who in NOBODY],
    ],
)
def test_parties(world, brand, who, yinshan, shudu):
    user = persona(world, brand, who)
    assert scoping.parties(user, brand.yinshan) == yinshan
    assert scoping.parties(user, brand.shudu) == shudu


def test_only_the_brand_offices_staff_are_brand_staff(world, brand):
    assert scoping.is_brand_staff(world.brand_staff)
    for who in ("office", "potato_director", "leader", "inspector", "zhuozi_liaison", *NOBODY):
        assert not scoping.is_brand_staff(getattr(world, who))
    assert not scoping.is_brand_staff(brand.applicant)


def test_brand_staff_is_worked_out_once_per_user(world, django_assert_num_queries):
    staff = world.brand_staff
    assert scoping.is_brand_staff(staff)
    with django_assert_num_queries(0):
        assert scoping.is_brand_staff(staff)
    # Someone without any office position costs no query at all beyond their scope.
    scoping.visible_enterprises(world.zhuozi_liaison)
    with django_assert_num_queries(0):
        assert not scoping.is_brand_staff(world.zhuozi_liaison)


def test_the_brand_office_is_found_whenever_it_is_created(world, settings):
    settings.BRAND_OFFICE_CODE = "office-brand-2"
    assert scoping.brand_office_id() is None
    office = OrgUnitFactory(
        code="office-brand-2", name="品牌办（新）", kind=UnitKind.OFFICE, parent=world.bureau
    )
    assert scoping.brand_office_id() == office.pk
    staff = person("brand-new", world.it, (Role.OFFICE_MEMBER, office))
    assert scoping.is_brand_staff(staff)
    assert not scoping.is_brand_staff(
        person("brand-old", world.it, (Role.OFFICE_MEMBER, world.brand))
    )
    assert OrgUnit.objects.get(pk=scoping.brand_office_id()).code == "office-brand-2"


# --- the access helpers ------------------------------------------------------------------


def test_access_helpers_hide_what_a_user_may_not_see(world, review_round):
    r = review_round
    getters = [
        (access.get_enterprise_for_user, r.yinshan.pk, r.shudu.pk),
        (
            access.get_application_for_user,
            r.yinshan_licence.application_id,
            r.shudu_licence.application_id,
        ),
        (access.get_licence_for_user, r.yinshan_licence.pk, r.shudu_licence.pk),
        (access.get_review_for_user, r.yinshan_review.pk, r.shudu_review.pk),
    ]
    for get, own, other in getters:
        assert get(world.zhuozi_liaison, own).pk == own
        assert get(r.applicant, own).pk == own
        assert get(world.leader, other).pk == other
        for user in (world.zhuozi_liaison, r.applicant):
            with pytest.raises(Http404):
                get(user, other)
        for user in (world.outsider, world.auditor):
            with pytest.raises(Http404):
                get(user, own)


def test_a_round_is_read_by_those_who_take_part_in_it(world, review_round):
    for user in (
        world.brand_staff,
        world.leader,
        world.office,
        world.inspector,
        world.zhuozi_liaison,
        review_round.applicant,
    ):
        assert access.get_round_for_user(user, YEAR) == review_round.round
    clerk = person("crops-clerk", world.crops)
    for user in (world.outsider, world.sysadmin, world.auditor, clerk):
        with pytest.raises(Http404):
            access.get_round_for_user(user, YEAR)
    with pytest.raises(Http404):
        access.get_round_for_user(world.brand_staff, YEAR + 1)


def test_brand_staff_and_readers_of_everything(world, brand):
    access.require_brand_staff(world.brand_staff)
    for user in (world.leader, world.office, world.zhuozi_liaison, brand.applicant):
        with pytest.raises(Http404):
            access.require_brand_staff(user)
    for user in (world.leader, world.office, world.inspector, world.brand_staff):
        access.require_reads_all(user)
    for user in (world.zhuozi_liaison, brand.applicant, world.outsider, world.auditor):
        with pytest.raises(Http404):
            access.require_reads_all(user)


# --- sales and growth --------------------------------------------------------------------


@pytest.fixture
def sales(world, brand):
    third = enterprise(world, "卓资县山水燕麦有限公司", world.zhuozi, 6)
    figures = [
        (brand.yinshan, YEAR - 1, "8000"),
        (brand.yinshan, YEAR, "9000"),
        (brand.shudu, YEAR - 1, "0"),  # no sales last year: no growth, never a division by 0
        (brand.shudu, YEAR, "100"),
        (third, YEAR, "500"),  # new this year
        (third, YEAR - 2, "450"),
    ]
    Sales.objects.bulk_create(Sales(enterprise=e, year=y, amount=Decimal(a)) for e, y, a in figures)
    brand.third = third
    return brand


def test_growth_against_last_year_hand_computed(world, sales):
    rows = {
        e.name: (e.sales_this, e.sales_last, e.growth)
        for e in selectors.with_sales(Enterprise.objects.all(), YEAR)
    }
    assert rows[YINSHAN] == (Decimal(9000), Decimal(8000), Decimal("12.5"))  # 1000 / 8000
    assert rows[SHUDU][2] is None
    assert rows["卓资县山水燕麦有限公司"] == (Decimal(500), None, None)
    # The year before: only 阴山优麦 has figures for 2022, and none for 2021.
    last = {e.name: e.growth for e in selectors.with_sales(Enterprise.objects.all(), YEAR - 1)}
    assert last[YINSHAN] is None


def test_sales_totals_over_the_same_enterprises(world, sales):
    totals = selectors_reviews.sales_totals(world.leader, YEAR)
    # 阴山优麦 and 薯都凯达 have both years; the newcomer is left out of the comparison.
    assert totals["enterprises"] == 2
    assert (totals["total"], totals["total_last"]) == (Decimal(9100), Decimal(8000))
    assert totals["growth"] == Decimal("13.75")  # 1100 × 100 / 8000
    county = selectors_reviews.sales_totals(world.zhuozi_liaison, YEAR)
    assert (county["enterprises"], county["growth"]) == (1, Decimal("12.5"))
    assert selectors_reviews.sales_totals(world.outsider, YEAR)["total"] is None


# --- the public verification page --------------------------------------------------------


def test_public_lookup_by_exact_number_in_any_case(world, licensed):
    number = licensed.yinshan_licence.number
    for query in (number, number.lower(), f"  {number}  "):
        [found] = selectors.public_lookup(query, day=JUNE)
        assert found.number == number
        assert found.state == LicenceState.VALID
        assert [p.name for p in found.application.products.all()] == ["阴山优麦燕麦片"]
    # Part of a number finds nothing: numbers cannot be walked through by prefix.
    assert selectors.public_lookup(number[:-1], day=JUNE) == []
    assert selectors.public_lookup(f"YW-{YEAR}-", day=JUNE) == []


def test_public_lookup_by_part_of_the_name(world, licensed):
    assert [lic.enterprise.name for lic in selectors.public_lookup("阴山", day=JUNE)] == [YINSHAN]
    assert len(selectors.public_lookup("食品有限公司", day=JUNE)) == 2
    for short in ("", " ", "阴", " 薯 ", None):
        assert selectors.public_lookup(short, day=JUNE) == []


def test_sql_or_html_in_a_query_finds_nothing_and_breaks_nothing(world, licensed):
    for query in (
        "' OR '1'='1",
        "阴山' OR 1=1 --",
        "%%",
        "_%",
        "\\%",
        "<script>alert(1)</script>",
        "'; DROP TABLE brand_licence; --",
    ):
        assert selectors.public_lookup(query, day=JUNE) == [], query
    assert len(selectors.public_lookup("有限公司", day=JUNE)) == 2


def test_a_revoked_or_expired_licence_is_found_as_such(world, licensed):
    services.licence_remove(
        actor=world.brand_staff, licence=licensed.shudu_licence, reason="清退", on=JUNE
    )
    [revoked] = selectors.public_lookup("薯都", day=JUNE)
    assert revoked.state == LicenceState.REVOKED
    [expired] = selectors.public_lookup("阴山优麦", day=datetime.date(2026, 4, 1))
    assert expired.state == LicenceState.EXPIRED
    assert selectors.public_licence(licensed.shudu_licence.number, day=JUNE).state == (
        LicenceState.REVOKED
    )


def test_the_public_list_holds_valid_licences_only(world, licensed):
    services.licence_remove(
        actor=world.brand_staff, licence=licensed.shudu_licence, reason="清退", on=JUNE
    )
    licence_for(world, "兴和县老字号杂粮合作社", world.huade, 5, datetime.date(2019, 1, 1))
    licence_for(world, "卓资县山水燕麦有限公司", world.zhuozi, 6, datetime.date(YEAR, 7, 1))
    assert [lic.enterprise.name for lic in selectors.public_enterprises(JUNE)] == [YINSHAN]
    later = {lic.enterprise.name for lic in selectors.public_enterprises(datetime.date(YEAR, 7, 1))}
    assert later == {YINSHAN, "卓资县山水燕麦有限公司"}


def test_the_public_list_costs_the_same_for_2_or_10_licences(world, licensed):
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = list(selectors.public_enterprises(JUNE))
            for row in rows:
                _ = (row.enterprise.county.name, [p.name for p in row.application.products.all()])
        return len(queries), len(rows)

    few = count()
    for n in range(8):
        licence_for(
            world, f"卓资县第{n}燕麦合作社", world.zhuozi, 10 + n, datetime.date(YEAR, 5, 1)
        )
    many = count()
    assert (few[1], many[1]) == (2, 10)
    assert few[0] == many[0]
