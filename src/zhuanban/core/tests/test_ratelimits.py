"""Rate limits: exports and uploads per user, login attempts per address, the API per
user and, without valid credentials, per address. Over the limit: 429, a page (or JSON)
that says to wait, and the view does not run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.ratelimits import limit_login
from zhuanban.core.tests.hardening import bearer, business_data

EXPORT = reverse("tasks:export")


def exports() -> int:
    return AuditEvent.objects.filter(action=AuditAction.EXPORT).count()


def assert_refused(response):
    """429, a Retry-After header and a page that says what happened and what to do."""
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    with translation.override("zh-hans"):
        assert gettext("Too many requests") in html
        assert (
            gettext(
                "You have done this too many times in a short while, so the platform has "
                "paused it for you. Please wait a minute and try again."
            )
            in html
        )


@override_settings(RATELIMIT_EXPORT="3/m")
def test_the_exports_beyond_the_limit_are_refused_and_not_made(world, login):
    client = login(world.office)
    for _ in range(3):
        response = client.get(EXPORT)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert exports() == 3
    assert_refused(client.get(EXPORT))
    # The refused export was never made: no file, no audit event.
    assert exports() == 3


@override_settings(RATELIMIT_EXPORT="2/m")
def test_the_limit_is_per_user(world, login, client):
    client = login(world.office)
    for _ in range(2):
        assert client.get(EXPORT).status_code == 200
    assert client.get(EXPORT).status_code == 429
    client.force_login(world.potato_director)
    assert client.get(EXPORT).status_code == 200
    client.force_login(world.office)
    assert client.get(EXPORT).status_code == 429


@override_settings(RATELIMIT_EXPORT="3/m")
def test_every_excel_download_draws_on_the_same_budget(world, login):
    data = business_data(world)
    client = login(world.zhuozi_liaison)
    download = reverse("dispatch:submission_download", args=[data.round.pk, world.zhuozi.pk])
    assert client.get(EXPORT).status_code == 200
    assert client.get(download).status_code == 200
    assert client.get(download).status_code == 200
    assert client.get(EXPORT).status_code == 429
    assert client.get(download).status_code == 429


@override_settings(RATELIMIT_EXPORT="1/m")
def test_the_consolidated_export_is_limited(world, login):
    data = business_data(world)
    client = login(world.office)
    url = reverse("dispatch:consolidation_export", args=[data.round.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def not_a_workbook():
    return SimpleUploadedFile("表.xlsx", b"not a workbook", content_type="application/zip")


@override_settings(RATELIMIT_IMPORT="2/m")
def test_uploads_beyond_the_limit_are_refused_but_the_form_still_shows(world, login):
    data = business_data(world)
    client = login(world.zhuozi_liaison)
    url = reverse("dispatch:submission_upload", args=[data.round.pk, world.zhuozi.pk])
    for _ in range(5):  # looking at the form costs nothing
        assert client.get(url).status_code == 200
    for _ in range(2):
        assert client.post(url, {"file": not_a_workbook()}).status_code != 429
    assert_refused(client.post(url, {"file": not_a_workbook()}))
    # Another county's liaison uploads its own file as usual.
    other = reverse("dispatch:submission_upload", args=[data.round.pk, world.huade.pk])
    client.force_login(world.huade_liaison)
    assert client.post(other, {"file": not_a_workbook()}).status_code != 429


@override_settings(RATELIMIT_IMPORT="1/m")
def test_task_list_imports_are_limited(world, login):
    data = business_data(world)
    client = login(world.office)
    url = reverse("tasks:import", args=[data.task_list.pk])
    assert client.post(url, {"file": not_a_workbook()}).status_code == 200
    assert client.post(url, {"file": not_a_workbook()}).status_code == 429
    assert client.get(url).status_code == 200


# --- login: per address ----------------------------------------------------------------


@override_settings(RATELIMIT_LOGIN="3/m", TRUST_X_FORWARDED_FOR=False)
def test_login_attempts_are_limited_per_address(db):
    view = limit_login(lambda request: HttpResponse("the login form"))
    factory = RequestFactory()

    def attempt(ip, **extra):
        request = factory.post("/accounts/login/", {"username": "x"}, REMOTE_ADDR=ip, **extra)
        return view(request).status_code

    assert [attempt("10.0.0.7") for _ in range(3)] == [200, 200, 200]
    assert attempt("10.0.0.7") == 429
    # A forged X-Forwarded-For does not buy more attempts when no proxy of ours sets it.
    assert attempt("10.0.0.7", HTTP_X_FORWARDED_FOR="192.0.2.1") == 429
    # Showing the form is not an attempt; another address has its own budget.
    assert view(factory.get("/accounts/login/", REMOTE_ADDR="10.0.0.7")).status_code == 200
    assert attempt("10.0.0.8") == 200


@override_settings(RATELIMIT_LOGIN="1/m", TRUST_X_FORWARDED_FOR=True)
def test_behind_our_proxy_the_forwarded_address_counts(db):
    view = limit_login(lambda request: HttpResponse("the login form"))
    factory = RequestFactory()

    def attempt(client_ip):
        request = factory.post(
            "/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_ip
        )
        return view(request).status_code

    assert attempt("198.51.100.4") == 200
    assert attempt("198.51.100.4") == 429
    assert attempt("198.51.100.5") == 200


# --- the API ---------------------------------------------------------------------------


@override_settings(RATELIMIT_API="5/m")
def test_api_calls_beyond_the_limit_get_429_in_json(world, client):
    office = bearer(world.office)
    for _ in range(5):
        assert client.get("/api/v1/tasks", **office).status_code == 200
    response = client.get("/api/v1/tasks", **office)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    with translation.override("zh-hans"):
        assert response.json() == {
            "detail": gettext("Too many requests. Please wait a minute and try again.")
        }
    # Per user: another token of the same user shares the budget, another user does not.
    assert client.get("/api/v1/tasks", **bearer(world.office, "second")).status_code == 429
    assert client.get("/api/v1/tasks", **bearer(world.potato_director)).status_code == 200


@override_settings(RATELIMIT_API="3/m")
def test_the_session_and_the_token_share_the_budget(world, login):
    client = login(world.office)
    for _ in range(2):
        assert client.get("/api/v1/org/offices").status_code == 200
    assert client.get("/api/v1/org/offices", **bearer(world.office)).status_code == 200
    assert client.get("/api/v1/org/offices").status_code == 429


@override_settings(RATELIMIT_API_ANON="3/m", TRUST_X_FORWARDED_FOR=False)
def test_guessing_tokens_is_limited_per_address(world, client):
    wrong = {"HTTP_AUTHORIZATION": "Bearer zb_not-a-token"}
    for _ in range(3):
        assert client.get("/api/v1/tasks", **wrong).status_code == 401
    response = client.get("/api/v1/tasks", **wrong, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429
    assert "detail" in response.json()
    # Another address is not affected, nor is a valid token from this one.
    assert client.get("/api/v1/tasks", **wrong, REMOTE_ADDR="10.1.1.1").status_code == 401
    assert client.get("/api/v1/tasks", **bearer(world.office)).status_code == 200


# --- the shared cache --------------------------------------------------------------------

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "zhuanban_cache",
    }
}


@override_settings(CACHES=DATABASE_CACHE, RATELIMIT_EXPORT="2/m", RATELIMIT_API="2/m")
def test_the_counters_work_in_the_database_cache_that_migrate_creates(world, login):
    """Production's cache: the table exists after `migrate` (core 0004) and holds the
    counters every process reads."""
    client = login(world.office)
    for _ in range(2):
        assert client.get(EXPORT).status_code == 200
    assert client.get(EXPORT).status_code == 429
    for _ in range(2):
        assert client.get("/api/v1/tasks").status_code == 200
    assert client.get("/api/v1/tasks").status_code == 429
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM zhuanban_cache")
        assert cursor.fetchone()[0] >= 2


@pytest.mark.parametrize("setting", ["RATELIMIT_EXPORT", "RATELIMIT_API"])
def test_limits_are_read_on_each_request(world, login, setting, settings):
    """A load test raises the limits through the environment; so does override here."""
    client = login(world.office)
    url = EXPORT if setting == "RATELIMIT_EXPORT" else "/api/v1/tasks"
    setattr(settings, setting, "1/m")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429
    setattr(settings, setting, "100/m")
    assert client.get(url).status_code == 200


@override_settings(RATELIMIT_LOGIN="3/m", TRUST_X_FORWARDED_FOR=False)
def test_the_login_page_itself_is_limited_per_address(world):
    """The real login URL carries the limit: a fourth attempt from one address within the
    minute is refused before any password is checked, even with the right password."""
    url = reverse("login")
    for person in (world.office, world.zhuozi_liaison, world.huade_liaison):
        response = Client().post(url, {"username": person.username, "password": "Demo@2023"})
        assert response.status_code == 302
    late = Client()
    assert_refused(late.post(url, {"username": world.inspector.username, "password": "Demo@2023"}))
    assert "_auth_user_id" not in late.session
