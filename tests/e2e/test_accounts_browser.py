"""Two-factor login in a real Chromium: a leader who is not a demo account must set up an
authenticator at the first login, keeps the recovery codes, and is asked for a code at
the next login (a recovery code serves once)."""

import base64
import re

import pytest
from django_otp.oath import totp

from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role
from zhuanban.org.tests.factories import person

pytestmark = pytest.mark.browser


def code_for(secret_text: str) -> str:
    """What an authenticator app shows for the base32 key printed on the enrolment page."""
    secret = secret_text.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, t0=0, step=30, digits=6, drift=0):06d}"


def test_a_leader_sets_up_two_factor_login_and_uses_a_recovery_code(
    new_page, log_in, screenshot_path
):
    bureau = OrgUnit.objects.get(code="bureau")
    person("leader-2fa", bureau, (Role.LEADER, None), name="贺建国")

    page = new_page()
    log_in(page, "leader-2fa")
    assert "/accounts/two-factor/" in page.url, page.url
    assert page.locator(".qr svg").count() == 1  # drawn by the server, no script
    page.screenshot(path=screenshot_path("two-factor-enrol.png"), full_page=True)

    page.fill("#id_code", code_for(page.locator("code.secret").inner_text()))
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    page.screenshot(path=screenshot_path("two-factor-recovery-codes.png"), full_page=True)
    with page.expect_navigation():
        page.click("a.btn")
    # A leader's home is the dashboard.
    assert re.fullmatch(r"http://[^/]+/reports/", page.url), page.url
    dashboard = page.locator("main h1").inner_text()
    assert dashboard

    # The next login asks for the second factor; a recovery code works once.
    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")
    log_in(page, "leader-2fa")
    assert "/accounts/verify/" in page.url, page.url
    assert page.locator("main h1").inner_text() != dashboard
    page.fill("#id_code", codes[0])
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    assert page.locator("main h1").inner_text() == dashboard

    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")
    log_in(page, "leader-2fa")
    page.fill("#id_code", codes[0])  # already used
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    assert "/accounts/verify/" in page.url
    assert page.locator("ul.errorlist").count() == 1
