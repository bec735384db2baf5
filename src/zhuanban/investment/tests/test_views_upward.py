"""Upward applications (向上争取) on screen: the yearly totals and the change of granted
funds on the year before against hand-computed values, the year by chain, the list with
its filters and status chips; the form (amounts in 万元 or 亿元, every error by field,
nothing saved on a refusal); the page with exactly the actions its status allows, the
audit history, and who may read (leaders, inspectors, every office's staff) and who may
keep a record (its own office's staff)."""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.investment import services
from zhuanban.investment.lifecycle import UpwardAction, UpwardStatus
from zhuanban.investment.models import UpwardApplication, UpwardKind
from zhuanban.investment.selectors_upward import yoy_text
from zhuanban.investment.templatetags.investment_tags import wan, yi
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db

Y = timezone.localdate().year  # the screens open on the real year
LAST = Y - 1
# Fixtures are entered by the system "on" the last day of the year, so that the dates
# they record are never in the future for the services.
END = datetime.date(Y, 12, 31)


@pytest.fixture(autouse=True)
def _chinese():
    """Pages render in the site's language (zh-hans); the test reads its messages in it."""
    with translation.override("zh-hans"):
        yield


def url(name: str, *args) -> str:
    return reverse(f"investment:{name}", args=args)


def page_of(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())


def section(page: str, anchor: str) -> str:
    """The text of the element opened by `id="anchor"` up to the next section."""
    start = page.index(f'id="{anchor}"')
    end = page.find("</section>", start)
    return page[start : end if end != -1 else None]


def row(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</tr>", start)]


def application(
    title: str,
    *,
    year: int,
    chain,
    office,
    kind: str = UpwardKind.FUNDS,
    authority: str = "农业农村部",
    requested: str | None = None,
    status: str = UpwardStatus.PREPARING,
    granted: str | None = None,
    led_by: str = "王振华",
) -> UpwardApplication:
    """An application entered by the system and taken to `status` (submitted on 1 March,
    decided on 1 June of its year)."""
    app = services.upward_save(
        actor=None,
        title=title,
        kind=kind,
        authority=authority,
        chain=chain,
        office=office,
        year=year,
        led_by=led_by,
        amount_requested=Decimal(requested) if requested is not None else None,
        progress="",
        today=END,
    )
    if status == UpwardStatus.PREPARING:
        return app
    app = services.upward_act(
        actor=None,
        application=app,
        action=UpwardAction.SUBMIT,
        on=datetime.date(year, 3, 1),
        today=END,
    )
    decided = datetime.date(year, 6, 1)
    if status == UpwardStatus.APPROVED:
        app = services.upward_act(
            actor=None,
            application=app,
            action=UpwardAction.APPROVE,
            on=decided,
            granted=Decimal(granted) if granted is not None else None,
            today=END,
        )
    elif status == UpwardStatus.REJECTED:
        app = services.upward_act(
            actor=None,
            application=app,
            action=UpwardAction.REJECT,
            on=decided,
            reason="不符合当年申报条件",
            today=END,
        )
    return app


@pytest.fixture
def campaign(inv):
    """Two years of applications, worked out by hand (万元):

    LAST  马铃薯 funds  requested 5000, granted 4000       (potato office)
          奶业   funds  requested 2500, granted 2000       (potato office)
          肉牛   project requested 1000, not approved      (potato office)
          → 3 applications, 2 approved, requested 8500, granted 6000

    Y     马铃薯 funds  requested 6000, granted 5000       potato: 4000 → 5000 = +25.0%
          奶业   funds  requested 2000, granted 1500       dairy:  2000 → 1500 = −25.0%
          肉牛   funds  requested  900, granted  700       beef:      0 →  700 = "—"
          马铃薯 project requested 30000 (3 亿), submitted
          奶业   policy, no amount, preparing               (investment office)
          → 5 applications, 3 approved, requested 38900, granted 7200: +20.0% on 6000
    """
    w = inv.world
    c = inv
    c.last_potato = application(
        "马铃薯产业发展支持资金",
        year=LAST,
        chain=inv.potato,
        office=w.potato,
        requested="5000",
        status=UpwardStatus.APPROVED,
        granted="4000",
    )
    c.last_dairy = application(
        "奶业振兴项目资金",
        year=LAST,
        chain=inv.dairy,
        office=w.potato,
        authority="自治区农牧厅",
        requested="2500",
        status=UpwardStatus.APPROVED,
        granted="2000",
    )
    c.last_beef = application(
        "肉牛良种繁育体系项目",
        year=LAST,
        chain=inv.beef,
        office=w.potato,
        kind=UpwardKind.PROJECT,
        authority="国家发展改革委",
        requested="1000",
        status=UpwardStatus.REJECTED,
    )
    c.potato_funds = application(
        "马铃薯产业发展支持资金",
        year=Y,
        chain=inv.potato,
        office=w.potato,
        requested="6000",
        status=UpwardStatus.APPROVED,
        granted="5000",
    )
    c.dairy_funds = application(
        "奶业振兴奖补资金",
        year=Y,
        chain=inv.dairy,
        office=w.brand,
        authority="自治区财政厅",
        requested="2000",
        status=UpwardStatus.APPROVED,
        granted="1500",
    )
    c.beef_funds = application(
        "肉牛养殖贷款贴息资金",
        year=Y,
        chain=inv.beef,
        office=w.potato,
        authority="财政部",
        requested="900",
        status=UpwardStatus.APPROVED,
        granted="700",
    )
    c.cluster = application(
        "马铃薯国家优势特色产业集群项目",
        year=Y,
        chain=inv.potato,
        office=w.potato,
        kind=UpwardKind.PROJECT,
        requested="30000",
        status=UpwardStatus.SUBMITTED,
    )
    c.policy = application(
        "奶业生产能力提升整县推进政策",
        year=Y,
        chain=inv.dairy,
        office=inv.office,
        kind=UpwardKind.POLICY,
        authority="自治区农牧厅",
        led_by="",
    )
    return c


def up(percent: str) -> str:
    return gettext("Up %(percent)s%% year on year") % {"percent": percent}


def down(percent: str) -> str:
    return gettext("Down %(percent)s%% year on year") % {"percent": percent}


def enterprise_login(world):
    firm = OrgUnitFactory(
        code="ent-yinshan",
        name="阴山优麦食品有限公司",
        kind=UnitKind.ENTERPRISE,
        parent=world.zhuozi,
    )
    return person("yinshan", firm, name="阴山优麦申报员")


# --- the change on the year before, in words -----------------------------------------------


def test_the_change_reads_as_officials_write_it():
    assert yoy_text(Decimal("25.0")) == up("25.0")
    assert "25.0%" in yoy_text(Decimal("25.0"))
    assert yoy_text(Decimal("-12.5")) == down("12.5")
    assert "12.5%" in yoy_text(Decimal("-12.5"))
    assert "-" not in yoy_text(Decimal("-12.5"))
    assert yoy_text(Decimal("0.0")) == gettext("Level with the year before")
    assert yoy_text(None) == "—"


def test_the_catalogue_words_are_the_bureaus():
    """Once the catalogue holds them, the words are 同比增加/同比减少 (until then, English)."""
    text = yoy_text(Decimal("25.0"))
    assert text in ("同比增加25.0%", "Up 25.0% year on year")


# --- the list: totals, by chain, the year's rows ----------------------------------------------


def test_yearly_totals_and_their_change_match_the_hand_computed_figures(inv, campaign, login):
    page = page_of(login(inv.world.leader).get(url("upward_list"), {"year": Y}))
    this = row(page, f"year-{Y}")
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in this.split("<td")[1:]]
    assert cells[1:5] == ["5", "3", wan(Decimal("38900")), wan(Decimal("7200"))]
    assert up("20.0") in this  # 7200 on 6000
    last = row(page, f"year-{LAST}")
    assert wan(Decimal("8500")) in last
    assert wan(Decimal("6000")) in last
    assert "—" in last  # no year before it to compare with
    figures = section(page, "year-figures")
    assert wan(Decimal("7200")) in figures
    assert up("20.0") in figures
    assert 'class="up-current"' in this


def test_the_year_by_chain_gives_the_potato_chain_its_25_per_cent(inv, campaign, login):
    page = page_of(login(inv.world.office).get(url("upward_list"), {"year": Y}))
    potato = row(page, "chain-potato")
    assert inv.potato.name in potato
    assert wan(Decimal("4000")) in potato
    assert wan(Decimal("5000")) in potato
    assert up("25.0") in potato
    assert "up-yoy-up" in potato
    dairy = row(page, "chain-dairy")
    assert wan(Decimal("2000")) in dairy
    assert wan(Decimal("1500")) in dairy
    assert down("25.0") in dairy
    assert "up-yoy-down" in dairy
    beef = row(page, "chain-beef")
    assert wan(Decimal("0")) in beef
    assert wan(Decimal("700")) in beef
    assert ">—<" in beef  # nothing granted the year before: no percentage
    by_chain = section(page, "by-chain")
    assert (
        by_chain.index("chain-potato")
        < by_chain.index("chain-beef")
        < by_chain.index("chain-dairy")
    )


def test_the_list_shows_the_years_applications_with_amounts_and_dates(inv, campaign, login):
    page = page_of(login(inv.world.inspector).get(url("upward_list"), {"year": Y}))
    table = section(page, "applications")
    for app in (
        campaign.potato_funds,
        campaign.dairy_funds,
        campaign.beef_funds,
        campaign.cluster,
        campaign.policy,
    ):
        assert f'id="upward-{app.pk}"' in table
    assert f'id="upward-{campaign.last_potato.pk}"' not in table  # another year
    cluster = row(page, f"upward-{campaign.cluster.pk}")
    assert url("upward", campaign.cluster.pk) in cluster
    assert wan(Decimal("30000")) in cluster
    assert str(UpwardStatus.SUBMITTED.label) in cluster
    assert f"{Y}-03-01" in cluster
    assert str(UpwardKind.PROJECT.label) in cluster
    assert "农业农村部" in cluster
    assert inv.world.potato.name in cluster
    assert "王振华" in cluster
    funds = row(page, f"upward-{campaign.potato_funds.pk}")
    assert wan(Decimal("6000")) in funds
    assert wan(Decimal("5000")) in funds
    assert f"{Y}-06-01" in funds
    # Status chips, counted in the database over the year
    assert ">5<" in row_chip(page, "all")
    assert ">1<" in row_chip(page, UpwardStatus.PREPARING)
    assert ">1<" in row_chip(page, UpwardStatus.SUBMITTED)
    assert ">3<" in row_chip(page, UpwardStatus.APPROVED)
    assert ">0<" in row_chip(page, UpwardStatus.REJECTED)
    # The ledger's export for the year
    assert f"{url('export_upward')}?year={Y}" in page


def row_chip(page: str, value: str) -> str:
    """The status chip's link, from its opening tag to its count."""
    start = page.rfind("<a ", 0, page.index(f'id="chip-{value}"'))
    return page[start : page.index("</a>", start)]


def test_the_list_opens_on_this_year_and_another_year_is_chosen(inv, campaign, login):
    client = login(inv.world.leader)
    page = page_of(client.get(url("upward_list")))
    assert f'id="upward-{campaign.potato_funds.pk}"' in page
    page = page_of(client.get(url("upward_list"), {"year": LAST}))
    assert f'id="upward-{campaign.last_beef.pk}"' in page
    assert f'id="upward-{campaign.potato_funds.pk}"' not in page
    assert ">1<" in row_chip(page, UpwardStatus.REJECTED)
    # A year nobody applied in (a hand-edited address) falls back to the default.
    page = page_of(client.get(url("upward_list"), {"year": "1999"}))
    assert f'id="upward-{campaign.potato_funds.pk}"' in page


def test_the_list_opens_on_the_last_campaign_when_this_year_has_none(inv, login):
    old = application("往年资金", year=LAST, chain=inv.potato, office=inv.world.potato)
    page = page_of(login(inv.world.leader).get(url("upward_list")))
    assert f'id="upward-{old.pk}"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"chain": "potato"}, ("potato_funds", "cluster")),
        ({"office": "brand"}, ("dairy_funds",)),
        ({"status": UpwardStatus.APPROVED}, ("potato_funds", "dairy_funds", "beef_funds")),
        ({"kind": UpwardKind.POLICY}, ("policy",)),
        ({"authority": "财政"}, ("dairy_funds", "beef_funds")),
        ({"authority": "农业农村部", "kind": UpwardKind.PROJECT}, ("cluster",)),
    ],
)
def test_filters_narrow_the_list(inv, campaign, login, query, expected):
    ids = {"potato": inv.potato.pk, "brand": inv.world.brand.pk}
    params = {"year": Y, **{k: ids.get(v, v) for k, v in query.items()}}
    page = page_of(login(inv.world.leader).get(url("upward_list"), params))
    table = section(page, "upward-table")
    shown = {
        name
        for name in ("potato_funds", "dairy_funds", "beef_funds", "cluster", "policy")
        if f'id="upward-{getattr(campaign, name).pk}"' in table
    }
    assert shown == set(expected)


def test_chips_count_within_the_other_filters(inv, campaign, login):
    page = page_of(
        login(inv.world.leader).get(url("upward_list"), {"year": Y, "chain": inv.potato.pk})
    )
    assert ">2<" in row_chip(page, "all")
    assert ">1<" in row_chip(page, UpwardStatus.APPROVED)
    assert ">1<" in row_chip(page, UpwardStatus.SUBMITTED)
    assert ">0<" in row_chip(page, UpwardStatus.PREPARING)
    chip = row_chip(page, UpwardStatus.APPROVED)
    assert f"chain={inv.potato.pk}" in chip
    assert "status=approved" in chip


def test_a_bad_filter_value_is_left_out_not_an_error(inv, campaign, login):
    page = page_of(
        login(inv.world.leader).get(
            url("upward_list"), {"year": Y, "chain": "999999", "status": "nonsense"}
        )
    )
    assert ">5<" in row_chip(page, "all")


def test_the_new_button_is_for_office_staff_only(inv, campaign, login):
    assert 'id="new-upward"' in page_of(login(inv.world.brand_staff).get(url("upward_list")))
    assert 'id="new-upward"' not in page_of(login(inv.world.leader).get(url("upward_list")))


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page_of(client.get(url("upward_list"), {"year": Y}))
    return len(queries)


def test_the_list_costs_the_same_queries_for_2_and_10_applications(inv, login):
    client = login(inv.world.office)
    chains = (inv.potato, inv.beef, inv.dairy)
    for n in range(2):
        application(
            f"资金{n}", year=Y, chain=chains[n % 3], office=inv.world.potato, requested="100"
        )
    application("上年资金", year=LAST, chain=inv.potato, office=inv.world.potato)
    _list_queries(client)  # warm the session and the caches
    few = _list_queries(client)
    for n in range(2, 10):
        application(
            f"资金{n}",
            year=Y,
            chain=chains[n % 3],
            office=inv.world.brand if n % 2 else inv.world.potato,
            requested="100",
            status=UpwardStatus.APPROVED if n % 3 else UpwardStatus.SUBMITTED,
            granted="50",
        )
    many = _list_queries(client)
    assert many == few, (few, many)


# --- who reads, who keeps ----------------------------------------------------------------------


def test_readers_see_the_list_and_the_page(inv, campaign, login):
    w = inv.world
    for reader in (w.leader, w.inspector, w.office, w.brand_staff, inv.staff):
        client = login(reader)
        assert client.get(url("upward_list")).status_code == 200
        assert client.get(url("upward", campaign.potato_funds.pk)).status_code == 200


def test_nobody_else_learns_the_screens_exist(inv, campaign, login):
    w = inv.world
    app = campaign.cluster
    before = UpwardApplication.objects.get(pk=app.pk).version
    for persona in (
        w.zhuozi_liaison,
        w.huade_liaison,
        w.sysadmin,
        w.auditor,
        w.outsider,
        enterprise_login(w),
    ):
        client = login(persona)
        for address in (
            url("upward_list"),
            url("upward_create"),
            url("upward", app.pk),
            url("upward_edit", app.pk),
        ):
            assert client.get(address).status_code == 404, (persona, address)
        response = client.post(
            url("upward_act", app.pk),
            {"action": "approve", "approve-on": str(Y) + "-06-01", "approve-granted": "1"},
        )
        assert response.status_code == 404, persona
        response = client.post(url("upward_create"), {"title": "x"})
        assert response.status_code == 404
    assert UpwardApplication.objects.get(pk=app.pk).version == before
    assert UpwardApplication.objects.count() == 8


def test_a_reader_of_another_office_may_not_keep_the_record(inv, campaign, login):
    app = campaign.cluster  # the potato office's
    for reader in (inv.world.brand_staff, inv.world.leader, inv.world.inspector, inv.staff):
        client = login(reader)
        page = page_of(client.get(url("upward", app.pk)))
        assert 'id="actions"' not in page
        assert 'id="edit-upward"' not in page
        assert client.get(url("upward_edit", app.pk)).status_code == 403
        response = client.post(
            url("upward_edit", app.pk), {"title": "改名", "version": app.version}
        )
        assert response.status_code == 403
        response = client.post(
            url("upward_act", app.pk),
            {
                "action": "approve",
                "approve-version": app.version,
                "approve-on": datetime.date(Y, 6, 1).isoformat(),
                "approve-granted": "5000",
                "approve-granted_unit": "wan",
            },
        )
        assert response.status_code == 403
    app.refresh_from_db()
    assert app.title == "马铃薯国家优势特色产业集群项目"
    assert app.status == UpwardStatus.SUBMITTED


def test_a_leader_reads_but_does_not_enter(inv, login):
    client = login(inv.world.leader)
    assert client.get(url("upward_create")).status_code == 403
    assert client.post(url("upward_create"), {"title": "x"}).status_code == 403
    assert not UpwardApplication.objects.exists()


def test_the_wrong_method_is_refused(inv, campaign, login):
    client = login(inv.world.office)
    assert client.post(url("upward_list")).status_code == 405
    assert client.get(url("upward_act", campaign.cluster.pk)).status_code == 405
    assert client.post(url("upward", campaign.cluster.pk)).status_code == 405


# --- the form ---------------------------------------------------------------------------------


def form_data(inv, **changes) -> dict:
    data = {
        "title": "马铃薯种薯繁育基地建设项目",
        "kind": UpwardKind.PROJECT,
        "authority": "农业农村部",
        "chain": inv.potato.pk,
        "office": inv.world.potato.pk,
        "year": Y,
        "led_by": "王振华",
        "amount_requested": "1.5",
        "amount_requested_unit": "yi",
        "progress": "已完成项目可研，待报送",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_offers_the_common_authorities_and_only_the_users_offices(inv, login):
    page = page_of(login(inv.world.office).get(url("upward_create")))
    assert 'list="up-authorities"' in page
    assert '<datalist id="up-authorities">' in page
    for name in ("农业农村部", "中国农业科学院", "国家发展改革委", "财政部", "自治区农牧厅"):
        assert f'<option value="{name}">' in page
    office_select = page[page.index('name="office"') :]
    office_select = office_select[: office_select.index("</select>")]
    assert inv.world.potato.name in office_select
    assert inv.world.brand.name not in office_select
    assert inv.office.name not in office_select
    assert f'value="{inv.world.potato.pk}" selected' in office_select  # the only one: chosen
    assert 'name="amount_requested_unit"' in page
    assert str(gettext("100 million yuan (亿元)")) in page


def test_an_application_in_yi_is_saved_in_wan_and_audited(inv, login):
    response = login(inv.world.office).post(url("upward_create"), form_data(inv))
    app = UpwardApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("upward", app.pk)
    assert app.amount_requested == Decimal("15000.00")
    assert app.office == inv.world.potato
    assert app.chain == inv.potato
    assert app.status == UpwardStatus.PREPARING
    assert app.created_by == inv.world.office
    event = AuditEvent.objects.get(object_type="investment.upwardapplication")
    assert event.action == AuditAction.CREATE
    assert event.object_id == str(app.pk)
    assert event.actor == inv.world.office
    page = page_of(login(inv.world.office).get(url("upward", app.pk)))
    facts = section(page, "facts")
    assert wan(Decimal("15000")) in facts
    assert yi(Decimal("15000")) in facts
    assert "1.50" in yi(Decimal("15000"))


def test_an_amount_in_wan_is_kept_as_typed(inv, login):
    login(inv.world.office).post(
        url("upward_create"), form_data(inv, amount_requested="860.5", amount_requested_unit="wan")
    )
    assert UpwardApplication.objects.get().amount_requested == Decimal("860.50")


def test_a_negative_amount_is_refused_by_field_and_nothing_saved(inv, login):
    response = login(inv.world.office).post(
        url("upward_create"), form_data(inv, amount_requested="-20")
    )
    page = page_of(response, 422)
    form = response.context["form"]
    assert form.errors["amount_requested"] == [gettext("An amount is never negative.")]
    assert gettext("An amount is never negative.") in page
    assert not UpwardApplication.objects.exists()
    assert not AuditEvent.objects.filter(object_type="investment.upwardapplication").exists()


def test_every_missing_field_is_named_at_once(inv, login):
    response = login(inv.world.office).post(
        url("upward_create"),
        form_data(inv, title="", authority="", chain="", kind=None, amount_requested="-1"),
    )
    page_of(response, 422)
    errors = response.context["form"].errors
    assert {"title", "authority", "chain", "kind", "amount_requested"} <= set(errors)
    assert not UpwardApplication.objects.exists()


def test_too_fine_an_amount_and_a_bad_year_are_refused(inv, login):
    client = login(inv.world.office)
    response = client.post(url("upward_create"), form_data(inv, amount_requested="0.0000001"))
    assert "amount_requested" in response.context["form"].errors
    response = client.post(url("upward_create"), form_data(inv, year=str(Y + 5)))
    page_of(response, 422)
    assert response.context["form"].errors["year"] == [
        gettext("Enter the year (2000 to next year).")
    ]
    assert not UpwardApplication.objects.exists()


def test_an_office_that_is_not_the_users_is_refused(inv, login):
    response = login(inv.world.office).post(
        url("upward_create"), form_data(inv, office=inv.world.brand.pk)
    )
    page_of(response, 422)
    assert "office" in response.context["form"].errors
    assert not UpwardApplication.objects.exists()


def test_the_owner_edits_and_a_stale_page_loses_nothing(inv, campaign, login):
    app = campaign.cluster
    client = login(inv.world.potato_director)
    page = page_of(client.get(url("upward_edit", app.pk)))
    assert 'value="30000.00"' in page  # the amount in 万元, the unit said next to it
    assert f'name="version" value="{app.version}"' in page
    data = form_data(
        inv,
        title="马铃薯国家优势特色产业集群项目",
        amount_requested="3.2",
        amount_requested_unit="yi",
        version=app.version,
    )
    services.upward_save(
        actor=inv.world.office, application=app, progress="已报农业农村部", expected_version=None
    )
    response = client.post(url("upward_edit", app.pk), data)
    page = page_of(response, 409)
    assert (
        gettext("Someone else changed this in the meantime. Reload the page and try again.") in page
    )
    assert 'value="3.2"' in page  # what was typed is still there
    app.refresh_from_db()
    assert app.amount_requested == Decimal("30000.00")
    data["version"] = app.version
    response = client.post(url("upward_edit", app.pk), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.amount_requested == Decimal("32000.00")
    edits = AuditEvent.objects.filter(
        object_type="investment.upwardapplication", object_id=str(app.pk), message=""
    ).filter(action=AuditAction.UPDATE)
    assert edits.count() == 2
    history = section(page_of(client.get(url("upward", app.pk))), "history")
    requested = UpwardApplication._meta.get_field("amount_requested").verbose_name
    changed = gettext("Changed: %(fields)s").split("%(fields)s")[0]
    assert changed + capfirst(requested) in history  # the form's edit, amount first


# --- the page and its actions -----------------------------------------------------------------


def act(client, app, action, **data):
    app.refresh_from_db()
    payload = {"action": action, f"{action}-version": app.version}
    payload.update({f"{action}-{key}": value for key, value in data.items()})
    return client.post(url("upward_act", app.pk), payload)


def action_ids(page: str) -> set[str]:
    return {a for a in UpwardAction.values if f'id="act-{a}"' in page}


def test_the_page_offers_exactly_the_actions_of_the_status(inv, campaign, login):
    client = login(inv.world.office)
    assert action_ids(page_of(client.get(url("upward", campaign.cluster.pk)))) == {
        "approve",
        "reject",
        "reopen",
    }
    page = page_of(client.get(url("upward", campaign.potato_funds.pk)))
    assert action_ids(page) == set()
    assert 'id="edit-upward"' in page
    # The policy belongs to the investment office: its staff act on it, the potato office reads.
    assert action_ids(page_of(client.get(url("upward", campaign.policy.pk)))) == set()
    staff = login(inv.staff)
    assert action_ids(page_of(staff.get(url("upward", campaign.policy.pk)))) == {"submit"}


def test_the_page_shows_the_record_with_its_units_and_history(inv, campaign, login):
    page = page_of(login(inv.world.leader).get(url("upward", campaign.last_beef.pk)))
    facts = section(page, "facts")
    assert "国家发展改革委" in facts
    assert inv.beef.name in facts
    assert wan(Decimal("1000")) in facts
    assert yi(Decimal("1000")) in facts
    assert f"{LAST}-03-01" in facts
    assert f"{LAST}-06-01" in facts
    assert "不符合当年申报条件" in facts
    history = section(page, "history")
    labels = [
        pgettext_entered(),
        str(UpwardAction.SUBMIT.label),
        str(UpwardAction.REJECT.label),
    ]
    positions = [history.index(label) for label in labels]
    assert positions == sorted(positions)
    assert str(UpwardStatus.REJECTED.label) in history
    assert "不符合当年申报条件" in history
    assert gettext("the system") in history


def pgettext_entered() -> str:
    return translation.pgettext("investment event", "Entered")


def test_submit_then_approve_in_yi_through_the_page(inv, login):
    app = application("马铃薯种薯补贴", year=Y, chain=inv.potato, office=inv.world.potato)
    client = login(inv.world.office)
    submitted_on = timezone.localdate() - datetime.timedelta(days=10)
    response = act(client, app, "submit", on=submitted_on.isoformat())
    assert response.status_code == 302
    assert response["Location"] == url("upward", app.pk)
    page = page_of(client.get(response["Location"]))
    assert (
        gettext("Recorded: the application is now %(status)s.")
        % {"status": UpwardStatus.SUBMITTED.label}
        in page
    )
    response = act(
        client,
        app,
        "approve",
        on=timezone.localdate().isoformat(),
        granted="0.5",
        granted_unit="yi",
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == UpwardStatus.APPROVED
    assert app.submitted_on == submitted_on
    assert app.decided_on == timezone.localdate()
    assert app.amount_granted == Decimal("5000.00")
    events = AuditEvent.objects.filter(
        object_type="investment.upwardapplication", object_id=str(app.pk)
    ).order_by("seq")
    assert [e.message for e in events] == ["", "upward submit", "upward approve"]
    assert events.last().actor == inv.world.office
    assert events.last().after["amount_granted"] == "5000.00"
    history = section(page_of(client.get(url("upward", app.pk))), "history")
    assert str(UpwardAction.APPROVE.label) in history
    assert wan(Decimal("5000")) in history
    assert inv.world.office.get_full_name() in history


def test_approving_funds_needs_the_amount_granted(inv, campaign, login):
    app = campaign.cluster
    response = act(login(inv.world.office), app, "approve", on=timezone.localdate().isoformat())
    page = page_of(response, 422)
    message = gettext("Enter the amount in 10,000 yuan (万元).")
    assert message in section(page, "act-approve")
    app.refresh_from_db()
    assert app.status == UpwardStatus.SUBMITTED
    assert app.amount_granted is None


def test_a_policy_is_approved_without_an_amount(inv, campaign, login):
    app = campaign.policy
    client = login(inv.staff)
    assert act(client, app, "submit", on=timezone.localdate().isoformat()).status_code == 302
    page = page_of(client.get(url("upward", app.pk)))
    assert gettext("Optional for a policy.") in section(page, "act-approve")
    assert act(client, app, "approve", on=timezone.localdate().isoformat()).status_code == 302
    app.refresh_from_db()
    assert app.status == UpwardStatus.APPROVED
    assert app.amount_granted is None


def test_a_negative_grant_is_refused(inv, campaign, login):
    app = campaign.cluster
    response = act(
        login(inv.world.office),
        app,
        "approve",
        on=timezone.localdate().isoformat(),
        granted="-3",
        granted_unit="wan",
    )
    page = page_of(response, 422)
    assert gettext("An amount is never negative.") in section(page, "act-approve")
    app.refresh_from_db()
    assert app.status == UpwardStatus.SUBMITTED


def test_a_decision_dated_before_the_submission_is_refused(inv, campaign, login):
    app = campaign.cluster  # submitted on 1 March
    client = login(inv.world.office)
    audited = AuditEvent.objects.count()
    response = act(
        client,
        app,
        "reject",
        on=datetime.date(Y, 2, 1).isoformat(),
        reason="材料不全",
    )
    page = page_of(response, 422)
    message = gettext("The decision cannot come before the submission on %(date)s.") % {
        "date": datetime.date(Y, 3, 1).isoformat()
    }
    form = section(page, "act-reject")
    assert message in form
    assert "材料不全" in form  # what was typed stays
    app.refresh_from_db()
    assert app.status == UpwardStatus.SUBMITTED
    assert app.decided_on is None
    assert AuditEvent.objects.count() == audited


def test_rejecting_and_going_back_need_a_reason(inv, campaign, login):
    app = campaign.cluster
    client = login(inv.world.office)
    for action in ("reject", "reopen"):
        response = act(client, app, action, on=timezone.localdate().isoformat())
        page = page_of(response, 422)
        assert gettext("Give the reason.") in section(page, f"act-{action}")
    response = act(
        client, app, "reopen", on=timezone.localdate().isoformat(), reason="补充可研报告后重报"
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == UpwardStatus.PREPARING
    assert app.submitted_on is None
    assert app.reason == "补充可研报告后重报"


def test_a_stale_action_and_one_the_status_no_longer_allows(inv, campaign, login):
    app = campaign.cluster
    client = login(inv.world.office)
    stale = app.version
    services.upward_save(actor=inv.world.office, application=app, progress="已答辩")
    response = client.post(
        url("upward_act", app.pk),
        {
            "action": "approve",
            "approve-version": stale,
            "approve-on": timezone.localdate().isoformat(),
            "approve-granted": "28000",
            "approve-granted_unit": "wan",
        },
    )
    page = page_of(response, 409)
    assert (
        gettext("Someone else changed this in the meantime. Reload the page and try again.") in page
    )
    assert 'value="28000"' in section(page, "act-approve")
    app.refresh_from_db()
    assert app.status == UpwardStatus.SUBMITTED
    # Submitting an application already submitted: said, nothing changed.
    response = act(client, app, "submit", on=timezone.localdate().isoformat())
    page = page_of(response, 422)
    assert (
        gettext("This cannot be done to an application that is %(status)s.")
        % {"status": UpwardStatus.SUBMITTED.label}
        in page
    )
    assert client.post(url("upward_act", app.pk), {"action": "delete"}).status_code == 404
