"""End to end in a real Chromium against the live server, with the Ulanqab demo loaded.

Each test saves a screenshot under docs/screenshots/ for the README and for a human to
look at (Chinese text must render as glyphs, not boxes; the phone layout must fit).
"""

import re

import pytest
from django.utils import translation

from zhuanban.org.models import OrgUnit

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")


def zh(message):
    """What the zh_Hans catalogue says for `message` (the English msgid until translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_leader_logs_in_and_sees_the_bureau_in_chinese(new_page, log_in, screenshot_path):
    page = new_page()
    log_in(page, "leader")
    # A leader's home is the dashboard; the bureau's overview is under 组织机构.
    assert re.fullmatch(r"http://[^/]+/reports/", page.url), page.url
    page.goto("/org/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("main h1").inner_text() == "乌兰察布市农牧局"

    offices_heading = page.locator("#offices h2").inner_text()
    assert offices_heading == zh("Special offices")
    if zh("Special offices") != "Special offices":  # once the catalogue translates it
        assert CJK.search(offices_heading), offices_heading

    offices = page.locator("article.office")
    assert offices.count() == 9
    assert offices.filter(has_text="马铃薯产业办").count() == 1
    zhuozi_row = page.locator("#counties tr", has_text="卓资县")
    assert zhuozi_row.locator(".code").inner_text() == "150921"

    page.screenshot(path=screenshot_path("home.png"), full_page=True)


def test_wrong_password_stays_on_the_login_page_with_an_error(
    new_page, live_server, screenshot_path
):
    page = new_page()
    page.goto("/accounts/login/")
    assert page.locator("#id_username").is_visible()
    page.screenshot(path=screenshot_path("login.png"), full_page=True)

    page.fill("#id_username", "leader")
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation() as navigation:
        page.click("form.stacked button[type=submit]")
    response = navigation.value

    assert response.status == 200
    assert response.request.redirected_from is None
    assert page.url == f"{live_server.url}/accounts/login/"
    assert page.locator(".errorlist").is_visible()
    assert page.locator(".errorlist").inner_text().strip()
    assert page.locator("#id_password").input_value() == ""


def test_chains_page_shows_six_chains_and_the_missing_sheep_work_plan(
    new_page, log_in, screenshot_path
):
    page = new_page()
    log_in(page, "leader")
    response = page.goto("/org/chains/")
    assert response.status == 200

    assert page.locator("article.chain").count() == 6
    sheep = page.locator("#chain-sheep")
    assert "肉羊产业链" in sheep.locator("h3").inner_text()
    missing = sheep.locator(".missing-summary")
    assert missing.is_visible()
    assert zh("work plan") in missing.inner_text()
    # The five complete chains say so instead.
    assert page.locator("article.chain .missing-summary").count() == 1
    assert page.locator("article.chain .complete-summary").count() == 5

    page.screenshot(path=screenshot_path("chains.png"), full_page=True)


def test_phone_home_fits_the_width_and_the_menu_opens(new_page, log_in, screenshot_path):
    page = new_page(width=390, height=844)
    log_in(page, "zhuozi")
    assert page.locator("main h1").inner_text() == "乌兰察布市农牧局"

    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width + 1, (scroll_width, client_width)

    nav = page.locator("nav.mainnav")
    toggle = page.locator("label.nav-toggle-label")
    assert toggle.is_visible()
    assert not nav.is_visible()
    toggle.click()
    assert nav.is_visible()
    assert nav.locator("a").first.is_visible()

    page.screenshot(path=screenshot_path("phone.png"), full_page=True)


def test_county_liaison_gets_404_for_another_county(new_page, log_in):
    huade = OrgUnit.objects.get(code="150922")
    zhuozi = OrgUnit.objects.get(code="150921")
    page = new_page()
    log_in(page, "zhuozi")

    assert page.goto(f"/org/units/{zhuozi.pk}/").status == 200
    response = page.goto(f"/org/units/{huade.pk}/")
    assert response.status == 404
    assert "化德县" not in page.content()
