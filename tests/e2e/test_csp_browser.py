"""The Content Security Policy in a real Chromium: the pages people use most run without
a single violation (a refused script, style or eval would break htmx or the data-entry
grid), and the policy really is enforced (an injected inline script is refused)."""

import pytest

from zhuanban.dispatch.models import DispatchRound, RowMode
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import OFFICE_ROLES

pytestmark = pytest.mark.browser

# Registered before any page script (Playwright's init scripts are not subject to the
# page's policy): every violation the browser reports, as the page sees it.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def watched(page):
    """The page, recording Content-Security-Policy messages from the console."""
    page.csp_console = []
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page.csp_console.append(message.text)

    page.on("console", on_console)
    return page


def assert_no_violations(page, where):
    page.wait_for_load_state("load")
    reported = page.evaluate("window.__csp || []")
    assert reported == [], f"{where}: {reported}"
    assert page.csp_console == [], f"{where}: {page.csp_console}"


def open_round_with_records():
    """An open round of a list table (its grid can add rows), else any open round."""
    rounds = DispatchRound.objects.filter(
        locked_at__isnull=True, template__isnull=False
    ).select_related("template")
    round_ = rounds.filter(template__row_mode=RowMode.RECORDS).first() or rounds.first()
    assert round_ is not None, "the demo has an open dispatch round"
    return round_


def test_the_main_pages_run_without_a_policy_violation(new_page, log_in):
    round_ = open_round_with_records()
    submission = round_.submissions.select_related("unit").filter(unit__name="卓资县").first()
    assert submission is not None, "卓资县 reports in the round"

    zhuozi = log_in(watched(new_page()), "zhuozi")
    assert_no_violations(zhuozi, "home (after login)")
    zhuozi.goto("/tasks/")
    assert_no_violations(zhuozi, "task ledger")
    zhuozi.goto("/tasks/inbox/")
    assert_no_violations(zhuozi, "task inbox")
    zhuozi.goto(f"/dispatch/rounds/{round_.pk}/units/{submission.unit_id}/")
    assert zhuozi.locator("[data-testid=grid]").count() == 1
    add_row = zhuozi.locator("[data-add-row]")
    if add_row.count():
        rows = zhuozi.locator("tr[data-row]").count()
        add_row.click()
        # grid.js ran: the policy let the app's own script work.
        assert zhuozi.locator("tr[data-row]").count() == rows + 1
    assert_no_violations(zhuozi, "submission grid")

    officer = (
        RoleAssignment.objects.filter(unit_id=round_.office_id, role__in=OFFICE_ROLES)
        .select_related("user")
        .first()
        .user
    )
    office = log_in(watched(new_page()), officer.username)
    for url in ("/", "/tasks/", "/tasks/lists/", "/dispatch/", f"/dispatch/rounds/{round_.pk}/"):
        office.goto(url)
        assert_no_violations(office, url)
    # htmx loaded and took its settings from the meta tag, eval off.
    assert office.evaluate("window.htmx && htmx.config.allowEval") is False
    assert office.evaluate("htmx.config.includeIndicatorStyles") is False


def test_the_policy_refuses_injected_inline_script(new_page, log_in):
    page = log_in(watched(new_page()), "zhuozi")
    page.evaluate(
        """() => {
        window.__injected = false;
        const s = document.createElement("script");
        s.textContent = "window.__injected = true";
        document.body.appendChild(s);
    }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.__injected") is False
    assert any("script-src" in v for v in page.evaluate("window.__csp"))
