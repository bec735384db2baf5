"""Sales and growth on screen (销售额及同比增长): the ranking, its growth figures, the
totals, the 10%–50% band and the county subtotals, worked out by hand; what a county
sees; the office entering and correcting a figure, and who may not; a flat query count."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from zhuanban.brand import services
from zhuanban.brand.lifecycle import AppStatus
from zhuanban.brand.models import Application, Licence, Sales
from zhuanban.brand.tests.conftest import enterprise

pytestmark = pytest.mark.django_db

YEAR = 2023


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def page_of(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())


def sales_url(**query) -> str:
    address = reverse("brand:sales")
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def figures(world, firm, *amounts) -> None:
    """Sales of `firm` for YEAR - 1 and YEAR (None: no figure), entered by the office."""
    for year, amount in zip((YEAR - 1, YEAR), amounts, strict=True):
        if amount is not None:
            services.sales_save(
                actor=world.brand_staff, enterprise=firm, year=year, amount=Decimal(amount)
            )


@pytest.fixture
def market(world, brand):
    """Five enterprises, growth worked out by hand (2022 → 2023, 万元):

    卓资县  阴山优麦 1000 → 1100   +10.0% (in the 10–50% band, highlighted)
    卓资县  新企业        — → 3000   no growth (no figure last year)
    卓资县  老企业      500 → 755    +51.0% (highlighted, outside the band)
    化德县  薯都凯达 2000 → 1900    −5.0%
    化德县  兰格格      800 → 1200   +50.0% (in the band)
    """
    brand.new = enterprise(world, "卓资县新企业农业有限公司", world.zhuozi, 31)
    brand.old = enterprise(world, "卓资县老企业农业有限公司", world.zhuozi, 32)
    brand.langege = enterprise(world, "兰格格乳业有限公司", world.huade, 33)
    figures(world, brand.yinshan, "1000", "1100")
    figures(world, brand.new, None, "3000")
    figures(world, brand.old, "500", "755")
    figures(world, brand.shudu, "2000", "1900")
    figures(world, brand.langege, "800", "1200")
    return brand


def ranking_names(page: str) -> list[str]:
    table = page[page.index('id="ranking"') : page.index("</table>", page.index('id="ranking"'))]
    return re.findall(r'<a href="/brand/enterprises/\d+/">([^<]+)</a>', table)


def row_of(page: str, row_id: str) -> str:
    start = page.index(f'id="{row_id}"')
    return page[start : page.index("</tr>", start)]


def test_the_ranking_and_its_growth_figures(world, login, market):
    page = page_of(login(world.brand_staff).get(sales_url(year=YEAR)))
    assert ranking_names(page) == [
        market.new.name,
        market.shudu.name,
        market.langege.name,
        market.yinshan.name,
        market.old.name,
    ]
    yinshan = row_of(page, f"rank-{market.yinshan.pk}")
    assert "1000.00" in yinshan
    assert "1100.00" in yinshan
    assert "+10.0%" in yinshan
    assert "rev-growth-high" in yinshan
    assert 'class="rev-high"' in yinshan
    shudu = row_of(page, f"rank-{market.shudu.pk}")
    assert "-5.0%" in shudu
    assert "rev-growth-negative" in shudu
    assert "rev-growth-high" not in shudu
    assert "+50.0%" in row_of(page, f"rank-{market.langege.pk}")
    assert "+51.0%" in row_of(page, f"rank-{market.old.pk}")
    new = row_of(page, f"rank-{market.new.pk}")
    assert "3000.00" in new
    assert "%" not in new
    assert re.search(r'<td class="num">1</td>', row_of(page, f"rank-{market.new.pk}"))
    assert re.search(r'<td class="num">5</td>', row_of(page, f"rank-{market.old.pk}"))


def test_the_totals_the_band_and_the_county_subtotals(world, login, market):
    page = page_of(login(world.brand_staff).get(sales_url(year=YEAR)))
    # All five: 3000 + 1900 + 1200 + 1100 + 755.
    assert '<strong id="total-sales">7955.00</strong>' in page
    assert ngettext("%(count)d enterprise", "%(count)d enterprises", 5) % {"count": 5} in page
    # The four with both figures: 4300 → 4955, +15.2%.
    totals = page[page.index('id="total-growth"') : page.index('id="growth-band"')]
    assert "+15.2%" in totals
    assert "4300.00 → 4955.00" in totals
    band = ngettext(
        "Growth of %(low)s%%–%(high)s%%: %(count)d enterprise",
        "Growth of %(low)s%%–%(high)s%%: %(count)d enterprises",
        2,
    ) % {"low": 10, "high": 50, "count": 2}
    assert band in page  # 阴山优麦 at 10.0% and 兰格格 at 50.0%, not 老企业 at 51.0%
    shrank = ngettext(
        "%(count)d enterprise sold less than the year before",
        "%(count)d enterprises sold less than the year before",
        1,
    ) % {"count": 1}
    assert shrank in page
    # 卓资县: 3 enterprises, 4855 this year; last year 1500 over the two with both
    # figures, which sold 1855: +23.7%. 化德县: 2, 2800 → 3100, +10.7%.
    zhuozi = row_of(page, f"county-{world.zhuozi.pk}")
    assert re.search(r'<td class="num">3</td>', zhuozi)
    assert "1500.00" in zhuozi
    assert "4855.00" in zhuozi
    assert "+23.7%" in zhuozi
    huade = row_of(page, f"county-{world.huade.pk}")
    assert "2800.00" in huade
    assert "3100.00" in huade
    assert "+10.7%" in huade


def test_a_county_sees_its_own_enterprises_only(world, login, market):
    page = page_of(login(world.zhuozi_liaison).get(sales_url(year=YEAR)))
    assert ranking_names(page) == [market.new.name, market.yinshan.name, market.old.name]
    assert market.shudu.name not in page
    assert '<strong id="total-sales">4855.00</strong>' in page
    assert f'id="county-{world.huade.pk}"' not in page
    assert reverse("brand:sales_save", args=[market.yinshan.pk]) not in page  # reads only
    page = page_of(login(market.applicant).get(sales_url(year=YEAR)))
    assert ranking_names(page) == [market.yinshan.name]


def test_the_year_defaults_to_this_year_and_a_bad_year_is_no_error(world, login, market):
    this_year = timezone.localdate().year
    client = login(world.brand_staff)
    page = page_of(client.get(sales_url()))
    assert f'<option value="{this_year}" selected>' in page
    assert f'<option value="{YEAR}">' in page  # a year with figures to choose
    assert gettext("No sales figure for %(year)s yet.") % {"year": this_year} in page
    for bad in ("abc", "99999", "1800", "２０２３"):
        page = page_of(client.get(sales_url(year=bad)))
        assert f'<option value="{this_year}" selected>' in page


def test_the_office_enters_and_corrects_a_figure(world, login, market):
    client = login(world.brand_staff)
    address = reverse("brand:sales_save", args=[market.shudu.pk])
    response = client.post(address, {"year": YEAR, "amount": "2100.5"})
    assert response.status_code == 302
    assert response["Location"] == sales_url(year=YEAR)
    assert Sales.objects.get(enterprise=market.shudu, year=YEAR).amount == Decimal("2100.50")
    page = page_of(client.get(response["Location"]))
    message = gettext("The %(year)d sales of %(name)s were saved: %(amount)s (10,000 yuan).") % {
        "year": YEAR,
        "name": market.shudu.name,
        "amount": "2100.50",
    }
    assert message in page
    assert "+5.0%" in row_of(page, f"rank-{market.shudu.pk}")  # 2000 → 2100.5


def test_a_refused_figure_is_shown_with_its_error(world, login, market):
    client = login(world.brand_staff)
    address = reverse("brand:sales_save", args=[market.shudu.pk])
    page = page_of(client.post(address, {"year": YEAR, "amount": "-5"}), 422)
    assert gettext("This figure cannot be negative.") in page
    assert 'id="sales-entry"' in page
    assert market.shudu.name in page
    page = page_of(client.post(address, {"year": YEAR, "amount": "abc"}), 422)
    assert 'id="sales-entry"' in page
    assert Sales.objects.get(enterprise=market.shudu, year=YEAR).amount == Decimal("1900")


def test_only_the_office_enters_figures(world, login, market):
    data = {"year": YEAR, "amount": "1"}
    address = reverse("brand:sales_save", args=[market.yinshan.pk])
    for user in (world.zhuozi_liaison, world.leader, world.office, market.applicant):
        assert login(user).post(address, data).status_code == 403
    for user in (world.huade_liaison, world.outsider):  # they do not see 阴山优麦
        assert login(user).post(address, data).status_code == 404
    assert login(world.brand_staff).get(address).status_code == 405
    assert Sales.objects.get(enterprise=market.yinshan, year=YEAR).amount == Decimal("1100")
    for user in (world.sysadmin, world.auditor):
        assert login(user).get(sales_url()).status_code == 404


def test_the_office_sees_the_licensees_without_a_figure(world, login, brand):
    application = Application.objects.create(
        enterprise=brand.shudu, number="SQT000001", status=AppStatus.APPROVED
    )
    start = datetime.date(YEAR, 3, 1)
    Licence.objects.create(
        number=services.licence_number(YEAR),
        enterprise=brand.shudu,
        application=application,
        valid_from=start,
        valid_until=services.licence_end(start),
    )
    page = page_of(login(world.brand_staff).get(sales_url(year=YEAR)))
    missing = page[page.index('id="sales-missing"') :]
    assert brand.shudu.name in missing
    assert brand.yinshan.name not in missing  # no licence that year
    assert reverse("brand:sales_save", args=[brand.shudu.pk]) in missing


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        page_of(client.get(sales_url(year=YEAR)))
    return len(captured)


def test_the_sales_page_takes_the_same_queries_for_2_and_10_enterprises(world, login, brand):
    figures(world, brand.yinshan, "100", "120")
    figures(world, brand.shudu, "200", "190")
    client = login(world.brand_staff)
    _queries(client)
    few = _queries(client)
    for n in range(8):
        firm = enterprise(world, f"企业{n}", world.huade if n % 2 else world.zhuozi, 40 + n)
        figures(world, firm, str(100 + n), str(110 + 2 * n))
    many = _queries(client)
    assert Sales.objects.filter(year=YEAR).count() == 10
    assert many == few


def test_no_growth_against_a_year_of_no_sales(world, login, brand):
    """0 last year: no percentage (and no division by zero on PostgreSQL)."""
    figures(world, brand.yinshan, "0", "500")
    page = page_of(login(world.brand_staff).get(sales_url(year=YEAR)))
    row = row_of(page, f"rank-{brand.yinshan.pk}")
    assert "0.00" in row
    assert "500.00" in row
    assert "%" not in row
    assert '<strong id="total-sales">500.00</strong>' in page
