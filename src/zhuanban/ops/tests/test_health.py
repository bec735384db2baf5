"""The health probes: /healthz answers without the database, /readyz names the check that
fails (database, migrations, worker); both for anyone, without sessions or redirects."""

import datetime
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhuanban.accounts.middleware import LAST_ACTIVITY_KEY
from zhuanban.ops import health
from zhuanban.ops.models import Job, Worker

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _migrations_not_yet_known(monkeypatch):
    """Each test starts as a fresh process would: the migrations not yet found applied."""
    monkeypatch.setattr(health, "_migrations_applied", False)


@pytest.fixture
def database_queue(settings):
    """Production's configuration: jobs wait in the database for a worker."""
    settings.JOBS_BACKEND = "database"
    settings.TASKS = DATABASE_QUEUE


def beat(seconds_ago: int = 0) -> Worker:
    now = timezone.now()
    return Worker.objects.create(
        worker_id=f"w-{seconds_ago}",
        host="web1",
        pid=4242,
        started_at=now - datetime.timedelta(hours=1),
        seen_at=now - datetime.timedelta(seconds=seconds_ago),
    )


def assert_uncached(response) -> None:
    assert "no-store" in response["Cache-Control"]


# --- /healthz ----------------------------------------------------------------------------


def test_healthz_answers_anyone_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert_uncached(response)
    assert not response.cookies  # no session, no CSRF or language cookie
    assert reverse("healthz") == "/healthz"
    assert reverse("readyz") == "/readyz"
    assert {reverse("healthz"), reverse("readyz")} == health.PATHS


def test_healthz_takes_no_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_healthz_is_not_rate_limited(client):
    assert {client.get("/healthz").status_code for _ in range(80)} == {200}


def test_a_probe_neither_redirects_nor_touches_a_signed_in_session(world, client, settings):
    """The account policy would send this leader (no second factor yet) to enrol, and an
    idle session to the login page; the probe answers instead and leaves the session as
    it was: not saved, not extended, not flushed."""
    client.force_login(world.leader)
    session = client.session
    idle_since = int(time.time()) - settings.SESSION_IDLE_SECONDS - 60
    session[LAST_ACTIVITY_KEY] = idle_since
    session.save()
    key = session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code in (200, 503), path
        assert "Location" not in response, path
        assert not response.cookies, path
    stored = SessionStore(session_key=key)
    assert stored.exists(key)
    assert stored[LAST_ACTIVITY_KEY] == idle_since
    assert Session.objects.get(session_key=key).expire_date == expiry
    # The same session on a page: the policy does apply there.
    page = client.get(reverse("home"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("login"))


def test_probes_answer_over_plain_http_when_everything_else_is_redirected(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # built after the change: SecurityMiddleware reads it when created
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("login")).status_code == 301


# --- /readyz -----------------------------------------------------------------------------


def test_readyz_is_ready_with_a_fresh_heartbeat(client, database_queue):
    beat(seconds_ago=2)
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "migrations": True,
        "worker": True,
    }
    assert body["checks"]["worker"]["detail"] == "1 live"
    assert_uncached(response)
    assert not response.cookies


def test_readyz_fails_on_the_worker_without_a_heartbeat(client, database_queue, settings, caplog):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["status"] == "fail"
    assert_uncached(response)
    # The log says why, once, as a warning (not Django's ERROR on every probe).
    [warning] = [r for r in caplog.records if r.name == "zhuanban.ops.health"]
    assert warning.levelname == "WARNING"
    assert "no worker heartbeat" in warning.getMessage()
    assert not [r for r in caplog.records if r.name == "django.request"]
    # A worker silent for longer than the timeout is no better.
    beat(seconds_ago=settings.JOB_WORKER_TIMEOUT + 5)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["database"]["ok"] is True
    # It beats again: ready.
    beat(seconds_ago=0)
    assert client.get("/readyz").status_code == 200


def test_readyz_needs_no_worker_when_jobs_run_in_the_request(client, settings):
    settings.JOBS_BACKEND = "immediate"
    settings.TASKS = IMMEDIATE
    assert not Worker.objects.exists()
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"]["ok"] is True


def test_readyz_fails_on_unapplied_migrations_and_looks_again(client, monkeypatch):
    real_plan = MigrationExecutor.migration_plan
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("ops", False), ("core", False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == {"ok": False, "detail": "2 unapplied"}
    # Not applied yet: every probe looks again (here, still unapplied).
    assert client.get("/readyz").status_code == 503

    # `migrate` has run: ready, and from now on the answer is kept for this process.
    monkeypatch.setattr(MigrationExecutor, "migration_plan", real_plan)
    assert client.get("/readyz").status_code == 200

    def must_not_load(self, *args, **kwargs):
        raise AssertionError("the migration graph was loaded again")

    monkeypatch.setattr(MigrationExecutor, "__init__", must_not_load)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["migrations"]["ok"] is True


def test_readyz_costs_the_same_few_queries_once_migrations_are_known(
    client, database_queue, django_assert_num_queries
):
    beat()
    client.get("/readyz")  # finds the migrations applied
    # SELECT 1 and the heartbeat count; no session, no user, whatever the data.
    with django_assert_num_queries(2):
        assert client.get("/readyz").status_code == 200
    for n in range(10):
        beat(seconds_ago=n + 1)
    with django_assert_num_queries(2):
        response = client.get("/readyz")
    assert response.json()["checks"]["worker"]["detail"] == "11 live"


class _Unreachable:
    """connections[...] of a database that refuses us, with a reason that must stay in
    the server's log."""

    def __getitem__(self, alias):
        return self

    def cursor(self):
        raise OperationalError('password authentication failed for user "zb_secret_user"')


def test_readyz_names_the_database_when_it_is_unreachable(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "connections", _Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "detail": "unreachable"}
    # Without the database the other checks are not made, and not reported as failing.
    assert body["checks"]["migrations"] == {"ok": None, "detail": "not checked"}
    assert body["checks"]["worker"] == {"ok": None, "detail": "not checked"}
    # The reason is for the operator's log, never for whoever asks.
    assert "zb_secret_user" not in response.content.decode()
    assert any("zb_secret_user" in record.getMessage() for record in caplog.records)


def test_probes_change_nothing(client, database_queue):
    beat()
    jobs, workers = Job.objects.count(), list(Worker.objects.values())
    client.get("/readyz")
    client.get("/healthz")
    assert Job.objects.count() == jobs
    assert list(Worker.objects.values()) == workers
