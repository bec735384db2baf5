"""What the browser tests share: a page that records CSP violations, console errors and
refused answers, and the checks made on it."""

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

FAILED_LOAD = "Failed to load resource: the server responded with a status of"


def watched(page):
    """The page, recording CSP violations (as the page sees them and as the console
    says), console errors and uncaught exceptions, and every answer of 400 or more
    (Chromium logs those as failed loads without always saying which URL they were)."""
    page.csp = []
    page.errors = []
    page.refused = []
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            page.csp.append(text)
        elif message.type == "error" and not text.startswith(FAILED_LOAD):
            page.errors.append(text)

    def on_response(response):
        # The browser asks for /favicon.ico by itself, and the app serves none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            page.refused.append((response.status, response.url))

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.errors.append(f"uncaught: {error}"))
    page.on("response", on_response)
    return page


def assert_clean(page, where, *, refused=()):
    """No CSP violation, no console error, and no answer of 400 or more but the
    `refused` ones (status, path) the test provoked on purpose."""
    page.wait_for_load_state("load")
    reported = page.evaluate("window.__csp || []")
    assert reported == [], f"{where}: {reported}"
    assert page.csp == [], f"{where}: {page.csp}"
    assert page.errors == [], f"{where}: {page.errors}"
    origin = page.url.split("/", 3)[:3]
    answers = [(status, url.removeprefix("/".join(origin))) for status, url in page.refused]
    assert answers == list(refused), f"{where}: {answers}"
    page.errors.clear()
    page.refused.clear()


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def assert_no_horizontal_scroll(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def assert_no_error(page):
    errors = page.locator(".messages li.error, .errorlist")
    assert errors.count() == 0, errors.all_inner_texts()


def text_of(page, selector) -> str:
    return page.locator(selector).inner_text().strip()
