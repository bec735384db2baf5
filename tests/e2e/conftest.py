"""Fixtures for the end-to-end tests: one headless Debian Chromium per module, a fresh
browser context per test, and the Ulanqab demo loaded into the live server's database.

Playwright's sync API keeps an asyncio event loop in the test thread, so Django would
refuse ORM calls made from the test (SynchronousOnlyOperation); the tests are plain
synchronous code, so allowing it is safe here. DJANGO_ALLOW_ASYNC_UNSAFE is set before
the browser starts and only while this directory's tests run: left set for the whole
session it would leak into the other tests, and `check --deploy` rightly fails with it.
"""

import os
import sqlite3
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_CHROMIUM = (
    "Chromium not found at /usr/bin/chromium: browser tests skipped "
    "(apt-get install chromium fonts-wqy-microhei)"
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_PASSWORD = "Demo@2023"
_demo_copy: list[sqlite3.Connection] = []  # the demo as first loaded in this process


@pytest.fixture(scope="module", autouse=True)
def _allow_django_orm_beside_playwright():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_allow_django_orm_beside_playwright):
    if not CHROMIUM.exists():
        if os.environ.get("ZHUANBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    """The Ulanqab demo in the test database. The loader takes a minute or more; on the
    in-memory SQLite test database it runs once per test process, and each later test
    gets a copy of what it wrote (sqlite3's backup API, a fraction of a second). On
    another database it runs for every test."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from zhuanban.demo import loader

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        loader.load()
        return
    connection.ensure_connection()
    if _demo_copy:
        _demo_copy[0].backup(connection.connection)
        # Cached rows of the previous test's database (same ids, other contents).
        ContentType.objects.clear_cache()
        return
    loader.load()
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)
    _demo_copy.append(copy)


@pytest.fixture
def new_page(browser, live_server, demo):
    """Open a page in a fresh context (own cookies); `new_page(width=, height=)`."""
    contexts = []

    def _new_page(width=1280, height=900):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="zh-CN",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def log_in():
    """Log in through the real login form and wait for the redirect to finish."""

    def _log_in(page, username, password=DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("form.stacked button[type=submit]")
        return page

    return _log_in


@pytest.fixture(scope="session")
def screenshot_path():
    def _path(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / name

    return _path
