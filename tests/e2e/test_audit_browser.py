"""The audit administrator's screen in a real Chromium: the failed login and the logins
just made are at the top of the trail, and the chain verifies from the screen."""

import pytest

pytestmark = pytest.mark.browser


def test_the_auditor_finds_a_failed_login_and_verifies_the_chain(new_page, log_in, screenshot_path):
    stranger = new_page()
    log_in(stranger, "zhuozi", password="wrong-password")
    assert "/accounts/login/" in stranger.url

    page = new_page()
    log_in(page, "auditor")
    page.goto("/audit/?action=login_failed")
    rows = page.locator("#audit-events tbody tr")
    assert rows.count() == 1
    assert "zhuozi" in rows.first.inner_text()
    assert "失败" in rows.first.inner_text()

    page.goto("/audit/")
    assert page.locator("#audit-events tbody tr").count() > 10
    page.screenshot(path=screenshot_path("audit-trail.png"), full_page=False)
    with page.expect_navigation():
        page.click("form[action$='/audit/verify/'] button")
    assert "审计记录完整" in page.locator("ul.messages").inner_text()
