"""Health probes for the proxy, systemd and monitoring: no login, no session, JSON.

    /healthz   liveness: the process answers (no database)                → 200
    /readyz    readiness: the database answers, every migration is applied and, with the
               database queue (JOBS_BACKEND=database), a worker beat within
               JOB_WORKER_TIMEOUT seconds                                  → 200, else 503

The answer names each check and the failing ones; the reasons stay in the server's log
(an error's text may name hosts or users, and the probes are public)."""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from zhuanban.ops import selectors

log = logging.getLogger(__name__)

# Their paths (urls.py), for the middlewares that leave them alone (accounts.middleware).
PATHS = frozenset({"/healthz", "/readyz"})

# Once every migration is applied it stays so for the life of this process (new
# migrations come with new code, hence a restart): the migration graph is not loaded
# again on every probe. While some are unapplied, each probe looks again.
_migrations_applied = False


def _answer(request, body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)  # Cache-Control: no-store (and max-age=0 …)
    _forget_session(request)
    return response


def _forget_session(request) -> None:
    """A probe never creates, saves or extends a session, even when a signed-in browser
    opens it (SESSION_SAVE_EVERY_REQUEST would save it): SessionMiddleware leaves a
    request without `session` alone."""
    if hasattr(request, "session"):
        del request.session


@require_safe
def healthz(request):
    return _answer(request, {"status": "ok"})


def check_database() -> tuple[bool | None, str]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        log.warning("readyz: the database does not answer: %s", error)
        return False, "unreachable"
    return True, "ok"


def check_migrations() -> tuple[bool | None, str]:
    global _migrations_applied
    if _migrations_applied:
        return True, "ok"
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        log.warning("readyz: the migration state could not be read: %s", error)
        return False, "unknown"
    if plan:
        log.warning("readyz: %s migrations are not applied", len(plan))
        return False, f"{len(plan)} unapplied"
    _migrations_applied = True
    return True, "ok"


DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"


def worker_needed() -> bool:
    """Jobs wait for a worker only in the database queue (JOBS_BACKEND=database, which
    settings.py turns into this TASKS backend); the immediate backend runs each job inside
    its request, and so do the tests, whatever JOBS_BACKEND says there."""
    backend = settings.TASKS.get("default", {}).get("BACKEND")
    return settings.JOBS_BACKEND == "database" and backend == DATABASE_QUEUE


def check_worker() -> tuple[bool | None, str]:
    if not worker_needed():
        return True, "not needed: jobs run inside the request"
    try:
        live = selectors.live_workers().count()
    except Exception as error:
        log.warning("readyz: the workers' heartbeats could not be read: %s", error)
        return False, "unknown"
    if not live:
        log.warning("readyz: no worker heartbeat within %s seconds", settings.JOB_WORKER_TIMEOUT)
        return False, f"no heartbeat within {settings.JOB_WORKER_TIMEOUT} s"
    return True, f"{live} live"


@require_safe
def readyz(request):
    checks: dict[str, dict] = {}
    ok, detail = check_database()
    checks["database"] = {"ok": ok, "detail": detail}
    for name, check in (("migrations", check_migrations), ("worker", check_worker)):
        # Without the database the others cannot be known: not checked, not failing.
        ok, detail = check() if checks["database"]["ok"] else (None, "not checked")
        checks[name] = {"ok": ok, "detail": detail}
    failing = [name for name, result in checks.items() if result["ok"] is False]
    body = {"status": "fail" if failing else "ok", "checks": checks, "failing": failing}
    response = _answer(request, body, status=503 if failing else 200)
    # The checks above logged why; Django's "Service Unavailable: /readyz" at ERROR on
    # every probe (every few seconds) would only bury it.
    response._has_been_logged = True
    return response
