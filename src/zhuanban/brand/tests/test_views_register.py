"""The register (原味乌兰察布授权企业名录) and the enterprise screens: who sees which
enterprises and figures, the filters, the record kept by the brand office only (credit
codes refused with their reason, duplicates, stale edits), an enterprise's page, and a
list whose queries do not grow with its rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from stdnum.cn import uscc

from zhuanban.brand import selectors, services
from zhuanban.brand.lifecycle import AppAction, AppStatus, ReviewStatus
from zhuanban.brand.models import Enterprise, EnterpriseKind, Event, Sales
from zhuanban.brand.tests.conftest import (
    approve,
    credit_code,
    enterprise,
    oat_products,
    required_documents,
    shows,
    url,
)

pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    assert response.status_code in (200, 409, 422), response.status_code
    return response.content.decode()


def names_in(response) -> list[str]:
    return [row.name for row in response.context["page"]]


def licence_now(world, application):
    """The application approved, its licence valid from today (the real date)."""
    return approve(world, application, today=timezone.localdate())


@pytest.fixture
def register(world, brand):
    """阴山优麦 (卓资县, association member, licensed, sales up 21.4%), 薯都凯达 (化德县,
    licensed, sales down 10%) and 卓资县's 山野合作社 (no licence, no sales)."""
    year = timezone.localdate().year
    brand.yinshan.association_member = True
    brand.yinshan = services.enterprise_save(
        actor=world.brand_staff, enterprise=brand.yinshan, expected_version=1
    )
    for ent, products in ((brand.yinshan, oat_products()), (brand.shudu, oat_products())):
        products[0]["name"] = f"{ent.name[:4]}燕麦片"
        application = services.application_create(
            actor=world.brand_staff,
            enterprise=ent,
            products=products,
            attachments=required_documents(),
        )
        licence_now(world, application)
    for ent, last, this in ((brand.yinshan, "7000", "8500"), (brand.shudu, "3000", "2700")):
        services.sales_save(
            actor=world.brand_staff, enterprise=ent, year=year - 1, amount=Decimal(last)
        )
        services.sales_save(
            actor=world.brand_staff, enterprise=ent, year=year, amount=Decimal(this)
        )
    brand.coop = enterprise(
        world, "卓资县山野杂粮种植专业合作社", world.zhuozi, 3, kind=EnterpriseKind.COOPERATIVE
    )
    brand.year = year
    return brand


# --- the register: rows and figures per persona ---------------------------------------------


def test_the_office_sees_every_enterprise_its_figures_licence_sales_and_growth(
    world, login, register
):
    response = login(world.brand_staff).get(url("home"))
    page = page_of(response)
    assert response.context["figures"] == {"enterprises": 3, "licensed": 2, "members": 1}
    assert names_in(response) == [
        "内蒙古阴山优麦食品有限公司",
        "卓资县山野杂粮种植专业合作社",
        "化德县薯都凯达食品有限公司",
    ]
    for ent in (register.yinshan, register.shudu, register.coop):
        assert ent.credit_code in page
    # Sales this year in 万元 and the growth on last year, one decimal, coloured.
    assert "8500.00" in page
    assert '<span class="growth growth-high">+21.4%</span>' in page
    assert '<span class="growth growth-down">-10.0%</span>' in page
    rows = {row.name: row for row in response.context["page"]}
    assert rows["卓资县山野杂粮种植专业合作社"].growth is None
    assert rows["卓资县山野杂粮种植专业合作社"].licensed is False
    assert rows["内蒙古阴山优麦食品有限公司"].licensed is True
    assert pgettext("brand licence", "Valid") in page
    # The office's own links.
    assert url("enterprise_create") in page
    assert url("register_xlsx") in page
    assert reverse("verify:enterprises") in page


def test_a_county_liaison_sees_its_countys_enterprises_only(world, login, register):
    response = login(world.zhuozi_liaison).get(url("home"))
    page = page_of(response)
    assert response.context["figures"] == {"enterprises": 2, "licensed": 1, "members": 1}
    assert set(names_in(response)) == {"内蒙古阴山优麦食品有限公司", "卓资县山野杂粮种植专业合作社"}
    assert "薯都凯达" not in page
    assert register.shudu.credit_code not in page
    assert url("enterprise_create") not in page
    response = login(world.huade_liaison).get(url("home"))
    assert names_in(response) == ["化德县薯都凯达食品有限公司"]
    assert response.context["figures"] == {"enterprises": 1, "licensed": 1, "members": 0}


def test_leaders_inspectors_and_other_offices_read_the_whole_register(world, login, register):
    for persona in (world.leader, world.inspector, world.office):
        response = login(persona).get(url("home"))
        assert len(names_in(response)) == 3
        assert url("enterprise_create") not in page_of(response)


def test_the_outsider_sees_an_empty_register_and_the_administrators_none(world, login, register):
    response = login(world.outsider).get(url("home"))
    page = page_of(response)
    assert response.context["figures"] == {"enterprises": 0, "licensed": 0, "members": 0}
    assert "阴山优麦" not in page
    assert login(world.outsider).get(url("enterprise", register.yinshan.pk)).status_code == 404
    for admin in (world.sysadmin, world.secadmin, world.auditor):
        client = login(admin)
        assert client.get(url("home")).status_code == 403
        assert client.get(url("enterprise", register.yinshan.pk)).status_code == 404
        assert client.get(url("enterprise_create")).status_code == 403


def test_an_enterprise_login_is_taken_to_its_own_page_and_sees_no_other(world, login, register):
    client = login(register.applicant)
    response = client.get(url("home"))
    assert response.status_code == 302
    assert response["Location"] == url("enterprise", register.yinshan.pk)
    page = page_of(client.get(url("enterprise", register.yinshan.pk)))
    assert "内蒙古阴山优麦食品有限公司" in page
    assert url("application_create", register.yinshan.pk) in page  # no application open
    assert url("enterprise_edit", register.yinshan.pk) not in page
    assert client.get(url("enterprise", register.shudu.pk)).status_code == 404
    assert client.get(url("enterprise", register.coop.pk)).status_code == 404


def test_the_register_answers_get_only(world, login, register):
    assert login(world.brand_staff).post(url("home")).status_code == 405


# --- filters ------------------------------------------------------------------------------


def test_the_register_filters_by_name_county_type_licence_and_membership(world, login, register):
    client = login(world.leader)

    def names(**query):
        return set(names_in(client.get(url("home"), query)))

    everyone = {
        "内蒙古阴山优麦食品有限公司",
        "化德县薯都凯达食品有限公司",
        "卓资县山野杂粮种植专业合作社",
    }
    assert names(q="薯都") == {"化德县薯都凯达食品有限公司"}
    assert names(county=world.zhuozi.pk) == everyone - {"化德县薯都凯达食品有限公司"}
    assert names(kind=EnterpriseKind.COOPERATIVE) == {"卓资县山野杂粮种植专业合作社"}
    assert names(licensed="yes") == everyone - {"卓资县山野杂粮种植专业合作社"}
    assert names(licensed="no") == {"卓资县山野杂粮种植专业合作社"}
    assert names(member="yes") == {"内蒙古阴山优麦食品有限公司"}
    assert names(member="no", county=world.zhuozi.pk) == {"卓资县山野杂粮种植专业合作社"}
    # A value that is not a choice (a hand-edited address) is ignored, not a 500.
    assert names(kind="nonsense", county="x", licensed="maybe") == everyone
    # A county liaison is offered its own county only.
    form = login(world.zhuozi_liaison).get(url("home")).context["form"]
    assert list(form.fields["county"].queryset) == [world.zhuozi]


def test_a_licence_expired_or_removed_is_not_counted_as_valid(world, login, register):
    licence = register.shudu.licences.get()
    services.licence_remove(actor=world.brand_staff, licence=licence, reason="连续两年未使用标识")
    response = login(world.brand_staff).get(url("home"), {"licensed": "yes"})
    assert names_in(response) == ["内蒙古阴山优麦食品有限公司"]
    assert response.context["figures"]["licensed"] == 1


def _register_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url("home"))
    assert response.status_code == 200
    return len(captured)


def test_the_register_runs_the_same_queries_for_2_or_10_enterprises(world, login, brand):
    year = timezone.localdate().year

    def add(start, count):
        for n in range(start, start + count):
            county = world.zhuozi if n % 2 else world.huade
            ent = enterprise(world, f"企业{n}", county, 100 + n)
            services.sales_save(
                actor=world.brand_staff, enterprise=ent, year=year, amount=Decimal(n)
            )
            services.sales_save(
                actor=world.brand_staff, enterprise=ent, year=year - 1, amount=Decimal(1)
            )
            if n % 3 == 0:
                application = services.application_create(
                    actor=world.brand_staff,
                    enterprise=ent,
                    products=oat_products(),
                    attachments=required_documents(),
                )
                licence_now(world, application)

    client = login(world.brand_staff)
    few = _register_queries(client)  # 阴山优麦 and 薯都凯达
    add(0, 8)
    assert len(names_in(client.get(url("home")))) == 10
    assert _register_queries(client) == few


# --- the enterprise's record: the brand office keeps it ----------------------------------------


def _form(world, **changes) -> dict:
    data = {
        "name": "察右中旗兰格格乳业有限公司",
        "credit_code": credit_code(7, "150927"),
        "county": world.huade.pk,
        "kind": EnterpriseKind.REGIONAL_LEADING,
        "legal_representative": "张兰",
        "contact_name": "王经理",
        "contact_phone": "0474-7654321",
        "address": "化德县长顺镇",
        "association_member": "on",
        "association_joined_on": "2021-05-20",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_office_enters_an_enterprise(world, login):
    response = login(world.brand_staff).post(url("enterprise_create"), _form(world))
    created = Enterprise.objects.get(name="察右中旗兰格格乳业有限公司")
    assert response.status_code == 302
    assert response["Location"] == url("enterprise", created.pk)
    assert created.county == world.huade
    assert created.association_joined_on == datetime.date(2021, 5, 20)
    assert created.unit.parent == world.huade
    assert created.created_by == world.brand_staff


def test_a_credit_code_given_with_spaces_and_lower_case_is_kept_compact(world, login):
    code = credit_code(8, "150921")
    spaced = f"{code[:6]} {code[6:12]} {code[12:]}".lower()
    response = login(world.brand_staff).post(
        url("enterprise_create"), _form(world, credit_code=spaced)
    )
    assert response.status_code == 302
    assert Enterprise.objects.get().credit_code == code


def test_a_corrupted_credit_code_is_refused_with_the_expected_check_character(world, login):
    good = credit_code(7, "150927")
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[-1])
    response = login(world.brand_staff).post(
        url("enterprise_create"), _form(world, credit_code=good[:-1] + wrong)
    )
    page = page_of(response)
    assert response.status_code == 422
    expected = uscc.calc_check_digit(good[:17])
    assert expected == good[-1]
    message = gettext(
        "The check character is wrong: a code beginning %(start)s must end in "
        "%(expected)s, not %(given)s. Check the code against the business licence."
    ) % {"start": good[:17], "expected": expected, "given": wrong}
    assert response.context["form"].errors["credit_code"] == [message]
    assert shows(message, page)
    assert not Enterprise.objects.exists()
    # Too short: the length, in words.
    response = login(world.brand_staff).post(
        url("enterprise_create"), _form(world, credit_code=good[:10])
    )
    assert response.context["form"].errors["credit_code"] == [
        gettext("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": 10}
    ]


def test_duplicates_by_code_or_name_are_refused_by_field(world, login, brand):
    client = login(world.brand_staff)
    response = client.post(
        url("enterprise_create"),
        _form(world, credit_code=brand.yinshan.credit_code, name=brand.shudu.name),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["credit_code"] == [
        gettext("This credit code is already registered, for %(name)s.")
        % {"name": brand.yinshan.name}
    ]
    assert errors["name"] == [gettext("An enterprise of this name is already registered.")]
    assert shows(errors["credit_code"][0], page_of(response))
    assert Enterprise.objects.count() == 2


def test_only_the_brand_office_enters_enterprises(world, login):
    for persona in (world.zhuozi_liaison, world.leader, world.office, world.outsider):
        client = login(persona)
        assert client.get(url("enterprise_create")).status_code == 403
        assert client.post(url("enterprise_create"), _form(world)).status_code == 403
    assert not Enterprise.objects.exists()
    assert login(world.brand_staff).put(url("enterprise_create")).status_code == 405


def test_the_office_corrects_a_record_and_a_stale_edit_is_409(world, login, brand):
    client = login(world.brand_staff)
    ent = brand.yinshan
    form = client.get(url("enterprise_edit", ent.pk)).context["form"]
    assert form["version"].value() == 1
    data = _form(
        world,
        name=ent.name,
        credit_code=ent.credit_code,
        county=world.zhuozi.pk,
        contact_phone="13900000000",
        version=1,
    )
    response = client.post(url("enterprise_edit", ent.pk), data)
    assert response.status_code == 302
    ent.refresh_from_db()
    assert ent.contact_phone == "13900000000"
    assert ent.version == 2
    # The same page sent again (drawn at version 1): refused, nothing written.
    response = client.post(url("enterprise_edit", ent.pk), {**data, "contact_phone": "1"})
    assert response.status_code == 409
    assert shows(
        gettext("Someone else changed this in the meantime. Reload the page and try again."),
        page_of(response),
    )
    ent.refresh_from_db()
    assert ent.contact_phone == "13900000000"


def test_who_may_not_edit_an_enterprise_gets_403_or_404_and_nothing_changes(world, login, brand):
    ent = brand.yinshan
    data = _form(world, name="改名", credit_code=ent.credit_code, county=world.zhuozi.pk)
    # They see it, but do not keep the register.
    for persona in (world.zhuozi_liaison, world.leader, brand.applicant):
        client = login(persona)
        assert client.get(url("enterprise_edit", ent.pk)).status_code == 403
        assert client.post(url("enterprise_edit", ent.pk), data).status_code == 403
    # They do not see it at all.
    for persona in (world.huade_liaison, world.outsider, world.auditor):
        assert login(persona).post(url("enterprise_edit", ent.pk), data).status_code == 404
    ent.refresh_from_db()
    assert ent.name == "内蒙古阴山优麦食品有限公司"
    assert ent.version == 1


# --- the enterprise's page ----------------------------------------------------------------


def test_the_enterprise_page_shows_licences_applications_reviews_sales_and_timeline(
    world, login, register
):
    today = timezone.localdate()
    ent = register.yinshan
    licence = ent.licences.get()
    services.review_round_open(
        actor=world.brand_staff, year=today.year, due_date=today + datetime.timedelta(days=30)
    )
    draft = services.application_create(
        actor=register.applicant,
        enterprise=ent,
        products=[{**oat_products()[0], "name": "阴山优麦燕麦米"}],
    )
    client = login(world.brand_staff)
    response = client.get(url("enterprise", ent.pk))
    page = page_of(response)
    # The record.
    assert ent.credit_code in page
    assert "卓资县" in page
    # Its licence: number, products, period, state, link.
    assert url("licence", licence.pk) in page
    assert licence.number in page
    assert "内蒙古阴燕麦片" in page
    assert licence.valid_until.isoformat() in page
    assert pgettext("brand licence", "Valid") in page
    # Its applications, with their status; the open one is linked, no second one offered.
    assert draft.number in page
    assert url("application", draft.pk) in page
    assert str(AppStatus.APPROVED.label) in page
    assert url("application_create", ent.pk) not in page
    # Its re-review of this year.
    review = licence.reviews.get()
    assert url("review", review.pk) in page
    assert shows(str(ReviewStatus.AWAITING.label), page)
    # Sales by year, with growth.
    assert "8500.00" in page
    assert "7000.00" in page
    assert "+21.4%" in page
    # The timeline in words, with who and the status change.
    assert str(AppAction.APPROVE.label) in page
    assert str(AppAction.COUNTY_PASS.label) in page
    assert gettext("Licence issued") in page
    assert "郭晓军" in page  # the county's first review
    assert "同意" in page
    events = response.context["events"]
    assert len(events) == Event.objects.filter(enterprise=ent).count()
    assert url("enterprise_edit", ent.pk) in page


def test_a_removed_licence_shows_as_revoked_on_the_enterprise_page(world, login, register):
    licence = register.shudu.licences.get()
    services.licence_remove(actor=world.brand_staff, licence=licence, reason="停产")
    page = page_of(login(world.huade_liaison).get(url("enterprise", register.shudu.pk)))
    assert '<span class="tag licence-revoked">' in page
    assert gettext("Licence removed (清退)") in page
    assert "停产" in page
    # The county reads, but applies for nothing and edits nothing.
    assert url("application_create", register.shudu.pk) not in page
    assert url("enterprise_edit", register.shudu.pk) not in page


def test_the_enterprise_page_answers_get_only(world, login, brand):
    client = login(world.brand_staff)
    assert client.post(url("enterprise", brand.yinshan.pk)).status_code == 405


def test_sales_growth_is_exact_on_whole_numbers_and_unknown_without_last_year(world, brand):
    """8500 against 7000 is 21.43%, not 21 (SQLite divides whole numbers as integers), and
    a year after a zero is unknown, not a division by zero (PostgreSQL raises)."""
    for year, amount in ((2021, "0"), (2022, "7000"), (2023, "8500")):
        Sales.objects.create(enterprise=brand.yinshan, year=year, amount=Decimal(amount))
    growth = {row.year: row.growth for row in selectors.enterprise_sales(brand.yinshan)}
    assert growth[2021] is None
    assert growth[2022] is None
    assert round(growth[2023], 2) == Decimal("21.43")
    rows = selectors.with_sales(Enterprise.objects.filter(pk=brand.yinshan.pk), 2023)
    assert round(rows.get().growth, 2) == Decimal("21.43")
    assert (
        selectors.with_sales(Enterprise.objects.filter(pk=brand.yinshan.pk), 2022).get().growth
        is None
    )
