"""The scale-out test's machinery: a PostgreSQL database of its own, migrated and seeded
by subprocesses, and real processes against it — gunicorn web servers and `zhuanban
worker`s — started, killed and stopped by their process ids.

Nothing here uses pytest-django's test database: the processes could not see its
transactions. The database is dropped and every process stopped when the module ends,
whether its tests passed or not."""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgres")
SKIP_REASON = (
    "the scale-out test runs real web and worker processes on PostgreSQL: "
    "set DATABASE_URL=postgres://... to run it"
)

# The long job: a ledger export of every task takes several seconds in a worker.
LONG_TASKS = 3000
HEARTBEAT_SECONDS = 1
WORKER_TIMEOUT = 5


def wait_for(check: Callable, timeout: float, what: str, every: float = 0.1, logs=None):
    """Call `check` until it answers something true, and answer that."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = logs() if logs else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """A database of our own on the server of DATABASE_URL."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.name = f"zb_scaleout_{secrets.token_hex(4)}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self._conn = None

    def _admin(self, statement, params=None) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement, params)

    def create(self) -> None:
        from psycopg import sql

        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        from psycopg import sql

        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.name],
        )
        self._admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        )

    def disconnect_all(self) -> int:
        """Cut every connection to the database, as a restart of the server would (the
        server's other databases, the rest of the suite's, are left alone); answers how
        many were cut."""
        import psycopg

        if self._conn is not None:
            self._conn.close()
            self._conn = None
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            return len(
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.name],
                ).fetchall()
            )

    def rows(self, query: str, params=None) -> list[tuple]:
        """Run a query on a connection of the test's own (autocommit: every read sees what
        the processes committed)."""
        import psycopg

        if self._conn is None:
            self._conn = psycopg.connect(self.url, autocommit=True)
        return self._conn.execute(query, params).fetchall()

    def value(self, query: str, params=None):
        return self.rows(query, params)[0][0]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    port: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, chars: int = 3000) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return f"--- {self.name} (pid {self.popen.pid}) ---\n{text[-chars:]}"


class Cluster:
    """Web servers and workers on one database and one data directory."""

    def __init__(self, workdir: Path, database: Database):
        self.workdir = workdir
        self.database = database
        self.data_dir = workdir / "data"
        self.data_dir.mkdir()
        self.secret_key = secrets.token_urlsafe(50)
        self.webs: list[Process] = []
        self.workers: dict[str, Process] = {}
        self.seeded: dict = {}
        self.figures: dict[str, float] = {}

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every process: the production settings module in its
        development environment (plain HTTP on 127.0.0.1, DEBUG off), our database and
        data directory, and one secret key for all."""
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ZHUANBAN_", "DJANGO_", "RATELIMIT_", "JOB_", "PYTEST_"))
            and key not in {"DEBUG", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"}
        }
        return inherited | {
            "DJANGO_SETTINGS_MODULE": "zhuanban.settings",
            "ZHUANBAN_ENV": "development",
            "ZHUANBAN_DEMO": "0",
            "DEBUG": "0",
            "DATABASE_URL": self.database.url,
            "ZHUANBAN_DATA_DIR": str(self.data_dir),
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "JOBS_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def run(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            list(args),
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(
                f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}\n"
                f"{done.stderr[-3000:]}",
                pytrace=False,
            )
        return done.stdout

    def prepare(self) -> None:
        started = time.perf_counter()
        self.run(str(BIN / "zhuanban"), "migrate", "--no-input", "-v0")
        self.figures["migrate_s"] = time.perf_counter() - started
        started = time.perf_counter()
        out = self.run(
            str(BIN / "python"), str(Path(__file__).with_name("seed.py")), str(LONG_TASKS)
        )
        self.figures["seed_s"] = time.perf_counter() - started
        line = next(line for line in out.splitlines() if line.startswith("SEEDED "))
        self.seeded = json.loads(line.removeprefix("SEEDED "))

    def _start(self, name: str, args: list[str], env: dict[str, str], port=None) -> Process:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )
        return Process(name=name, popen=popen, log=log, port=port)

    def start_web(self) -> Process:
        port = free_port()
        web = self._start(
            f"web{len(self.webs) + 1}",
            [
                str(BIN / "gunicorn"),
                "zhuanban.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            # 200 exports by one person in a minute: far over the everyday limit, which
            # settings let a load test raise.
            self.env(RATELIMIT_EXPORT="100000/m"),
            port=port,
        )
        self.webs.append(web)
        return web

    def start_worker(self, worker_id: str, **env: str) -> Process:
        worker = self._start(
            worker_id,
            [
                str(BIN / "zhuanban"),
                "worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--worker-id",
                worker_id,
            ],
            self.env(
                JOB_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
                JOB_WORKER_TIMEOUT=str(WORKER_TIMEOUT),
                **env,
            ),
        )
        self.workers[worker_id] = worker
        return worker

    def wait_for_webs(self, timeout: float = 90) -> None:
        import httpx

        def up(web: Process) -> bool:
            if not web.alive():
                pytest.fail(f"{web.name} exited\n{web.tail()}", pytrace=False)
            try:
                return httpx.get(f"{web.base}/accounts/login/", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        for web in self.webs:
            wait_for(lambda web=web: up(web), timeout, f"{web.name} to answer", 0.3, self.tail)

    def beating(self) -> set[str]:
        """Workers whose heartbeat is younger than the timeout."""
        return {
            row[0]
            for row in self.database.rows(
                "SELECT worker_id FROM ops_worker WHERE seen_at > now() - %s * interval '1 second'",
                [WORKER_TIMEOUT],
            )
        }

    def wait_for_workers(self, worker_ids, timeout: float = 90) -> None:
        def up() -> bool:
            for worker_id in worker_ids:
                if not self.workers[worker_id].alive():
                    pytest.fail(f"{worker_id} exited\n{self.workers[worker_id].tail()}")
            return set(worker_ids) <= self.beating()

        wait_for(up, timeout, f"heartbeats of {', '.join(worker_ids)}", 0.3, self.tail)

    def live_workers(self) -> list[str]:
        return [worker_id for worker_id, process in self.workers.items() if process.alive()]

    def new_worker_id(self) -> str:
        return f"scaleout-w{len(self.workers) + 1}"

    def kill(self, worker_id: str) -> None:
        """SIGKILL: the worker gets no chance to say goodbye (no Worker row removed, its
        job and queue row left running)."""
        process = self.workers[worker_id].popen
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        """Terminate every process we started (with its group: gunicorn's own workers),
        then kill what is left; each group is signalled while its leader is unreaped, so
        its id cannot have been reused."""
        processes = [*self.webs, *self.workers.values()]
        for process in processes:
            if process.alive():
                _signal_group(process.popen, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process.popen, signal.SIGKILL)
                process.popen.wait(timeout=10)

    def tail(self) -> str:
        return "\n".join(process.tail(1500) for process in [*self.webs, *self.workers.values()])


def _signal_group(popen: subprocess.Popen, sig: int) -> None:
    # The group id is the pid of the process we started (start_new_session=True).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, sig)
