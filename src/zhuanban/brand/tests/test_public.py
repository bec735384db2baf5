"""The public verification pages (no login): a valid, an expired, a removed and a
not-yet-valid licence each show their true state, found by number, by name or through
the QR code's address; hostile queries find nothing and come back escaped; one address
gets 30 requests a minute; the public list holds only licences valid today."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, pgettext

from zhuanban.brand import selectors, services
from zhuanban.brand.models import Category, LicenceState
from zhuanban.brand.tests.conftest import day, enterprise, issue, oat_products, shows
from zhuanban.brand.views_public import masked_code

pytestmark = pytest.mark.django_db

SEARCH = reverse("verify:search")
LIST = reverse("verify:enterprises")
NUMBER = re.compile(
    rf"^YW-\d{{4}}-[{services.LICENCE_ALPHABET}]{{{services.LICENCE_RANDOM_LENGTH}}}$"
)


def product(name: str) -> list[dict]:
    return [
        {
            "name": name,
            "category": Category.POTATO,
            "standard": "GB/T 40772",
            "origin_base": "化德县马铃薯基地",
            "annual_output": "3000",
        }
    ]


@pytest.fixture
def four(world, brand):
    """阴山优麦: valid; 薯都凯达: expired (issued four years ago); 兰格格: removed
    yesterday for a reason the public must not read; 察哈尔: valid from next month."""
    brand.valid = issue(world, brand.yinshan, oat_products(), day(-30))
    brand.expired = issue(world, brand.shudu, product("薯都凯达马铃薯全粉"), day(-4 * 366))
    brand.langege = enterprise(world, "内蒙古兰格格乳业有限公司", world.zhuozi, 3)
    brand.revoked = issue(world, brand.langege, product("兰格格酸奶"), day(-60))
    services.licence_remove(
        actor=world.brand_staff, licence=brand.revoked, reason="内部原因甲乙丙", on=day(-1)
    )
    brand.chahar = enterprise(world, "察哈尔羊肉食品有限公司", world.huade, 4)
    brand.not_yet = issue(world, brand.chahar, product("察哈尔羊肉"), day(30))
    return brand


def page_of(response) -> str:
    return response.content.decode()


def state_word(state: str) -> str:
    return {
        LicenceState.VALID: pgettext("public verification", "Valid"),
        LicenceState.EXPIRED: pgettext("public verification", "Expired"),
        LicenceState.REVOKED: pgettext("public verification", "Removed"),
        LicenceState.NOT_YET: pgettext("public verification", "Not yet in force"),
    }[state]


def card_state(page: str) -> str:
    """The state class of the (one) card on the page."""
    found = re.findall(r'class="pub-state pub-state-(\w+)"', page)
    assert len(found) == 1, found
    return found[0]


# --- the states -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("valid", LicenceState.VALID),
        ("expired", LicenceState.EXPIRED),
        ("revoked", LicenceState.REVOKED),
        ("not_yet", LicenceState.NOT_YET),
    ],
)
def test_each_licence_shows_its_true_state_by_number_and_by_qr_address(client, four, name, state):
    licence = getattr(four, name)
    by_number = page_of(client.get(SEARCH, {"q": licence.number.lower()}))
    by_qr = client.get(reverse("verify:licence", args=[licence.number]))
    assert by_qr.status_code == 200
    for page in (by_number, page_of(by_qr)):
        assert card_state(page) == state
        assert shows(state_word(state), page)
        assert licence.number in page
        assert shows(licence.enterprise.name, page)
        assert licence.enterprise.county.name in page
        assert licence.valid_from.isoformat() in page
        assert licence.valid_until.isoformat() in page
        for item in licence.application.products.all():
            assert item.name in page


def test_the_state_note_says_until_when_or_since_when(client, four):
    page = page_of(client.get(reverse("verify:licence", args=[four.valid.number])))
    assert four.valid.valid_until.isoformat() in page
    page = page_of(client.get(reverse("verify:licence", args=[four.revoked.number])))
    assert day(-1).isoformat() in page  # the removal date


def test_the_public_never_reads_contacts_sales_reasons_or_the_full_credit_code(client, four):
    for licence in (four.valid, four.revoked):
        for page in (
            page_of(client.get(SEARCH, {"q": licence.number})),
            page_of(client.get(reverse("verify:licence", args=[licence.number]))),
        ):
            company = licence.enterprise
            assert company.credit_code not in page
            assert masked_code(company.credit_code) in page
            assert masked_code(company.credit_code).endswith(company.credit_code[-4:])
            assert company.contact_phone not in page
            assert company.contact_name not in page
            assert "内部原因甲乙丙" not in page
            assert world_name_absent(page)


def world_name_absent(page: str) -> bool:
    """Who removed or approved a licence is the bureau's business: 萧然 is the brand
    office's member in the `world` personas."""
    return "萧然" not in page


def test_search_by_part_of_the_name(client, four):
    page = page_of(client.get(SEARCH, {"q": "阴山优麦"}))
    assert four.valid.number in page
    assert four.expired.number not in page
    page = page_of(client.get(SEARCH, {"q": "有限公司"}))  # all four
    assert all(lic.number in page for lic in (four.valid, four.expired, four.revoked, four.not_yet))


def test_too_short_and_nothing_found_say_so(client, four):
    page = page_of(client.get(SEARCH, {"q": "阴"}))
    assert shows(
        gettext(
            "Enter at least %(n)d characters: the whole licence number, or part of the "
            "enterprise's name."
        )
        % {"n": selectors.PUBLIC_QUERY_MIN_LENGTH},
        page,
    )
    assert four.valid.number not in page
    page = page_of(client.get(SEARCH, {"q": "YW-2023-AAAAAAAA"}))
    assert "pub-card" not in page
    assert shows(
        gettext(
            "No licence was found. Check the number on the packaging, or try part of the enterprise's name. A product whose licence cannot be found here may not carry the 原味乌兰察布 logo."
        ),
        page,
    )
    # A number missing one character is not a number: no partial match on numbers.
    page = page_of(client.get(SEARCH, {"q": four.valid.number[:-1]}))
    assert "pub-card" not in page
    # The empty form: no message at all.
    page = page_of(client.get(SEARCH))
    assert "pub-message" not in page


@pytest.mark.parametrize(
    "query",
    ["' OR 1=1 --", "%' OR '1'='1", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'],
)
def test_hostile_queries_find_nothing_and_come_back_escaped(client, four, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    page = page_of(response)
    assert "pub-card" not in page
    for licence in (four.valid, four.expired, four.revoked, four.not_yet):
        assert licence.number not in page
    assert query not in page or query == escape(query)
    assert escape(query) in page  # in the search field, escaped
    assert "<script>alert" not in page
    assert "<img src=x" not in page


@pytest.mark.parametrize(
    "number",
    [
        "YW-2023-AAAAAAAA",
        "<script>alert(1)",
        '"><img src=x onerror=alert(1)>',
        "' OR 1=1 --",
        "x" * 500,
    ],
)
def test_an_unknown_number_is_404_with_the_same_page_whatever_was_asked(client, four, number):
    response = client.get(reverse("verify:licence", args=[number]))
    assert response.status_code == 404
    page = page_of(response)
    content = main_of(page)
    assert shows(gettext("No such licence"), content)
    # The page's own text never repeats what was asked (the language switch keeps the
    # address to come back to, escaped).
    assert number not in content
    assert escape(number) not in content
    assert "pub-card" not in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert content == main_of(page_of(client.get(reverse("verify:licence", args=["Q"]))))


def main_of(page: str) -> str:
    return page.split('<main class="content">', 1)[1].split("</main>", 1)[0]


def test_licence_numbers_are_random_not_sequential(four):
    numbers = [four.valid.number, four.revoked.number]
    assert all(NUMBER.match(number) for number in numbers), numbers
    assert numbers[0][-8:] != numbers[1][-8:]


# --- the public list --------------------------------------------------------------------------


def test_the_public_list_holds_only_licences_valid_today(client, four, world):
    page = page_of(client.get(LIST))
    assert shows(four.valid.enterprise.name, page)
    assert "阴山优麦燕麦片" in page
    assert four.valid.valid_until.isoformat() in page
    for gone in (four.expired, four.revoked, four.not_yet):
        assert not shows(gone.enterprise.name, page), gone
    assert world.zhuozi.name in page
    assert f'id="county-{world.zhuozi.pk}"' in page
    assert f'id="county-{world.huade.pk}"' not in page  # 化德县 has nothing valid
    assert four.valid.enterprise.credit_code not in page
    assert four.valid.enterprise.contact_phone not in page


def _list_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(captured), page_of(response)


def test_the_public_list_runs_the_same_queries_for_2_or_10_licences(client, world, brand):
    counties = [world.zhuozi, world.huade]

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            company = enterprise(world, f"测试食品{n}有限公司", counties[n % 2], 10 + n)
            issue(world, company, product(f"产品{n}"), day(-10))

    add(2, 0)
    small, page = _list_queries(client)
    assert page.count('class="pub-enterprise"') == 2
    add(8, 2)
    large, page = _list_queries(client)
    assert page.count('class="pub-enterprise"') == 10
    assert page.count('class="pub-county"') == 2
    assert large == small


# --- the rate limit ---------------------------------------------------------------------------


def test_the_31st_request_in_a_minute_from_one_address_is_refused(client, four, settings):
    settings.BRAND_VERIFY_RATE = "30/m"
    address = reverse("verify:licence", args=[four.valid.number])
    for n in range(30):
        target = address if n % 3 else SEARCH + "?q=" + four.valid.number
        assert client.get(target, REMOTE_ADDR="203.0.113.7").status_code == 200, n
    response = client.get(address, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert four.valid.number not in main_of(page_of(response))
    assert client.get(SEARCH, {"q": "阴山"}, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get(LIST, REMOTE_ADDR="203.0.113.7").status_code == 429
    # Another address is not held back.
    assert client.get(address, REMOTE_ADDR="203.0.113.8").status_code == 200


# --- anonymous, and from the login page --------------------------------------------------------


def test_the_pages_are_public_and_show_no_internal_navigation(client, four):
    for address in (SEARCH, LIST, reverse("verify:licence", args=[four.valid.number])):
        response = client.get(address)
        assert response.status_code == 200, address
        page = page_of(response)
        assert 'class="mainnav"' not in page
        assert f'href="{reverse("brand:home")}"' not in page
        assert "<script>" not in page.split("</head>", 1)[1]  # no inline script (CSP)
        assert "style=" not in page
    assert client.post(SEARCH, {"q": "阴山"}).status_code == 405


def test_the_login_page_links_to_the_verification_page(client):
    page = page_of(client.get(reverse("login")))
    assert f'href="{SEARCH}"' in page
    assert shows(gettext("Verify a 原味乌兰察布 licence"), page)
