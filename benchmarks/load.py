"""Load test: the reporting deadline. Hundreds of liaisons log in and submit their
dispatch tables within minutes while leaders browse the dashboards, against the app
under gunicorn on 127.0.0.1 with PostgreSQL.

    .venv/bin/python benchmarks/load.py            # 500 liaisons, 5 leaders
    .venv/bin/python benchmarks/load.py --quick    # 50 liaisons (CI, about a minute)
    .venv/bin/python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:5432/zhuanban_load

It drops and re-creates the database given (its name must contain "load" or "bench":
it is wiped), migrates it and seeds it: a province-sized organisation from
`zhuanban.tasks.scale` (one county per liaison, each liaison with the county liaison
role, tasks for the dashboards), a records table of 8 columns sent to every county in
an open round, an indicator, and leaders with a confirmed TOTP authenticator. Every
account has the production password hasher (PBKDF2; each login costs what it costs in
production). Then it collects the static files and starts gunicorn in production mode
(`ZHUANBAN_ENV=production`, DEBUG off, WhiteNoise's manifest storage, secure cookies;
plain HTTP on 127.0.0.1 stands in for the bureau's TLS proxy, so the clients send
`X-Forwarded-Proto: https` and their own `X-Forwarded-For`, as the proxy would, and
keep their cookies as a browser behind it does). Each simulated person comes from an
address of their own, so the login rate limit and lockout count per person as they do
in reality.

Measured, with an httpx (asyncio) client in this process:

- the floor: the same server's GET of the login page (a small page with a form, no
  database query) at the same concurrency, for a few seconds;
- the surge: the leaders log in first (password, then the 6-digit code computed from
  their authenticator's key: they are at their desks before the deadline, and a code
  lives 30 seconds, less than a request may queue in the surge); then every liaison (at
  most --concurrency at a time) opens the login page, logs in, opens the table, saves a
  draft with its records, submits it and follows the redirect back to the table, as the
  browser's form does, while each leader keeps browsing their dashboard (their home
  page), the dispatch home, the round's status page and the indicator page until the
  last liaison is done.

Any status other than the one the step expects (>= 400, or a redirect to the login
page) and any connection error counts as an error. Afterwards the database is counted:
one submitted Submission, one SubmissionRevision, two SubmissionEvents (draft, submit)
and records × 8 DataValues per liaison, none lost and none duplicated.

Output is one figure per line, `NAME VALUE UNIT`, and `ratio NAME VALUE` (ours ÷ floor,
lower is better): the surge's median latency against the floor's. The exit status is
non-zero when there was an error or a lost or duplicated submission.
"""

import argparse
import asyncio
import contextlib
import datetime
import http.cookiejar
import logging
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harness import ROOT, figure, setup_django

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/zhuanban_load"
PASSWORD = "Load-Test@2023"  # noqa: S105 (the seeded accounts' made-up password)
COLUMNS = 8
STAGES = ["洽谈", "签约", "落地", "开工"]
LEADER_PAGES = ("dashboard", "dispatch", "round", "indicator")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 liaisons, a shorter floor")
    parser.add_argument("--liaisons", type=int, help="liaisons submitting (500)")
    parser.add_argument("--leaders", type=int, default=5, help="leaders browsing (5)")
    parser.add_argument("--concurrency", type=int, default=100, help="liaisons at once (100)")
    parser.add_argument("--records", type=int, default=5, help="records per table (5)")
    parser.add_argument("--tasks", type=int, help="tasks seeded for the dashboards")
    parser.add_argument("--floor-seconds", type=float, help="length of the floor (15 s)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    args.liaisons = args.liaisons or (50 if args.quick else 500)
    args.tasks = args.tasks if args.tasks is not None else (500 if args.quick else 5_000)
    args.floor_seconds = args.floor_seconds or (5.0 if args.quick else 15.0)
    args.workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    return args


# --- the database ------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the database named in `url` (a PostgreSQL URL)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("the load test runs on PostgreSQL: give a postgres:// URL")
    if not re.search(r"load|bench", name):
        raise SystemExit(f"refusing to wipe {name!r}: its name must contain 'load' or 'bench'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@dataclass
class Seeded:
    round_id: int
    indicator: str
    liaisons: list[tuple[str, int]]  # (username, unit id)
    leaders: list[tuple[str, bytes]]  # (username, TOTP key)
    columns: list[str]


def schema() -> dict:
    return {
        "columns": [
            {"key": "name", "label": "项目名称", "type": "text", "required": True},
            {"key": "stage", "label": "进展阶段", "type": "choice", "choices": STAGES},
            {"key": "signed", "label": "签约项目数", "type": "integer", "min": 0},
            {"key": "landed", "label": "落地项目数", "type": "integer", "min": 0},
            {
                "key": "investment",
                "label": "计划投资",
                "type": "decimal",
                "decimals": 2,
                "unit": "万元",
                "min": 0,
                "indicator": "load_investment",
            },
            {"key": "jobs", "label": "带动就业", "type": "integer", "unit": "人", "min": 0},
            {"key": "signed_on", "label": "签约日期", "type": "date"},
            {"key": "note", "label": "备注", "type": "text"},
        ],
        "rules": [{"kind": "compare", "left": "signed", "op": ">=", "right": "landed"}],
    }


def seed(args) -> Seeded:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhuanban.dispatch import services
    from zhuanban.dispatch.models import Cadence, RowMode
    from zhuanban.dispatch.periods import Period, PeriodKind
    from zhuanban.org.models import OrgUnit, Profile, RoleAssignment
    from zhuanban.org.roles import Role, UnitKind
    from zhuanban.tasks import scale

    with transaction.atomic():
        scale.seed(counties=args.liaisons, tasks=args.tasks, password=PASSWORD)
        office = OrgUnit.objects.get(code=f"{scale.PREFIX}office-1")
        staff = get_user_model().objects.get(username=f"{scale.PREFIX}office-1-member")
        counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("pk"))
        indicator = services.indicator_save(
            actor=staff,
            code="load_investment",
            name="招商引资计划投资",
            unit_of_measure="万元",
            decimals=2,
            office=office,
        )
        template = services.template_create(
            actor=staff,
            office=office,
            code="load-projects",
            title="农牧业招商引资签约落地项目情况表",
            schema=schema(),
            units=counties,
            row_mode=RowMode.RECORDS,
        )
        today = timezone.localdate()
        round_ = services.round_open(
            actor=staff,
            template=template,
            cadence=Cadence.MONTHLY_DISPATCH,
            period=Period(today.year, PeriodKind.MONTH, today.month),
            opens_on=today - datetime.timedelta(days=5),
            due_on=today,
            locks_on=today + datetime.timedelta(days=5),
        )
        liaisons = list(
            RoleAssignment.objects.filter(role=Role.COUNTY_LIAISON, unit__in=counties)
            .order_by("unit_id")
            .values_list("user__username", "unit_id")
        )
        hashed = make_password(PASSWORD)
        bureau = OrgUnit.objects.get(code=scale.BUREAU_CODE)
        leaders = []
        for n in range(1, args.leaders + 1):
            user = get_user_model().objects.create(
                username=f"load-leader-{n}", first_name=f"局领导{n}", password=hashed
            )
            Profile.objects.create(user=user, unit=bureau)
            RoleAssignment.objects.create(user=user, role=Role.LEADER)
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            leaders.append((user.username, device.bin_key))
    return Seeded(
        round_id=round_.pk,
        indicator=indicator.code,
        liaisons=liaisons,
        leaders=leaders,
        columns=[c["key"] for c in schema()["columns"]],
    )


def records(rng: random.Random, unit_id: int, count: int) -> list[dict[str, str]]:
    rows = []
    for n in range(count):
        signed = rng.randint(1, 9)
        rows.append(
            {
                "name": f"县{unit_id}招商项目{n + 1}",
                "stage": rng.choice(STAGES),
                "signed": str(signed),
                "landed": str(rng.randint(0, signed)),
                "investment": f"{rng.randint(10, 900_000) / 100:.2f}",
                "jobs": str(rng.randint(0, 300)),
                "signed_on": f"2023-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}",
                "note": "按期推进" if n % 2 else "",
            }
        )
    return rows


def count_results(seeded: Seeded, args) -> dict[str, int]:
    from django.db.models import Count

    from zhuanban.dispatch.models import (
        DataValue,
        Submission,
        SubmissionEvent,
        SubmissionRevision,
        SubmissionStatus,
    )

    submissions = Submission.objects.filter(round_id=seeded.round_id)
    submitted = submissions.filter(status=SubmissionStatus.SUBMITTED, revision=1).count()
    # One row per (round, unit) is a database constraint; counted anyway.
    doubled_rows = sum(
        row["n"] - 1
        for row in submissions.values("unit_id").annotate(n=Count("id")).filter(n__gt=1)
    )
    revisions = SubmissionRevision.objects.filter(submission__round_id=seeded.round_id).count()
    extra_revisions = max(0, revisions - submitted)
    submits = SubmissionEvent.objects.filter(
        submission__round_id=seeded.round_id, action="submit"
    ).count()
    values = DataValue.objects.filter(round_id=seeded.round_id).count()
    expected_values = len(seeded.liaisons) * args.records * COLUMNS - sum(
        1 for n in range(args.records) if n % 2 == 0
    ) * len(seeded.liaisons)  # the empty notes are not stored
    return {
        "submitted": submitted,
        "lost": len(seeded.liaisons) - submitted,
        "duplicated": doubled_rows + extra_revisions + max(0, submits - submitted),
        "revisions": revisions,
        "values": values,
        "values_expected": expected_values,
        "events": SubmissionEvent.objects.filter(submission__round_id=seeded.round_id).count(),
    }


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(workdir: Path, database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ZHUANBAN_", "RATELIMIT_", "DJANGO_")) and key != "DEBUG"
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "zhuanban.settings",
        "ZHUANBAN_ENV": "production",
        "ZHUANBAN_DEMO": "0",
        "ZHUANBAN_DATA_DIR": str(workdir),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "TRUST_X_FORWARDED_FOR": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }


def start_server(env: dict[str, str], port: int, args, workdir: Path) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    subprocess.run(  # noqa: S603 (our own commands)
        [str(bin_dir / "zhuanban"), "collectstatic", "--noinput", "-v0"], env=env, check=True
    )
    log = (workdir / "gunicorn.log").open("w")
    return subprocess.Popen(  # noqa: S603
        [
            str(bin_dir / "gunicorn"),
            "zhuanban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--timeout",
            "120",
            # As behind the proxy, which keeps its upstream connections open: longer than
            # the client's own keep-alive, so no request goes out on a closing connection.
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def wait_for_server(base: str, server: subprocess.Popen, workdir: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                response = await client.get(f"{base}/accounts/login/")
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    print((workdir / "gunicorn.log").read_text()[-3000:], file=sys.stderr)
    raise SystemExit("gunicorn did not start")


# --- the clients -------------------------------------------------------------------------


class Failed(Exception):
    """A request that did not get the answer its step expects (already counted)."""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def all(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOCK_VERSION = re.compile(r'name="lock_version" value="(\d+)"')
ROW_COUNT = re.compile(r'name="row_count" value="(\d+)"')


def _match(pattern: re.Pattern, text: str, what: str) -> str:
    found = pattern.search(text)
    if found is None:
        raise Failed(f"no {what} on the page")
    return found.group(1)


class Browser:
    """One person's browser behind the bureau's TLS proxy: their own cookies and address."""

    def __init__(self, client, base: str, address: str, stats: Stats):
        self.client = client
        self.base = base
        self.origin = "https://" + urlsplit(base).netloc
        self.address = address
        self.stats = stats
        self.cookies: dict[str, str] = {}

    async def request(
        self, kind: str, method: str, path: str, *, data=None, expect=200, to: str = ""
    ):
        headers = {
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-hans",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        started = time.perf_counter()
        try:
            response = await self.client.request(
                method, self.base + path, data=data, headers=headers
            )
        except Exception as error:  # any failure to get an answer is an error
            self.stats.requests += 1
            self.stats.errors.append(f"{method} {path}: {type(error).__name__} {error}")
            raise Failed from error
        self.stats.requests += 1
        self.stats.latencies[kind].append(time.perf_counter() - started)
        for header in response.headers.get_list("set-cookie"):
            name, _, value = header.split(";", 1)[0].partition("=")
            if value in ("", '""'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        location = response.headers.get("location", "")
        if response.status_code != expect or (to and not location.startswith(to)):
            problem = f"{method} {path}: {response.status_code} {location}".strip()
            self.stats.errors.append(problem)
            raise Failed(problem)
        if "/accounts/login/" in location and not to.startswith("/accounts/login/"):
            self.stats.errors.append(f"{method} {path}: sent to the login page")
            raise Failed(location)
        return response

    async def log_in(self, username: str) -> str:
        """Password step; returns where the server sends the user next."""
        page = await self.request("login_page", "GET", "/accounts/login/")
        response = await self.request(
            "login",
            "POST",
            "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _match(CSRF, page.text, "CSRF token"),
            },
            expect=302,
        )
        return response.headers["location"]


async def liaison(browser: Browser, username: str, unit_id: int, seeded: Seeded, args, rng):
    await browser.log_in(username)
    path = f"/dispatch/rounds/{seeded.round_id}/units/{unit_id}/"
    page = await browser.request("grid", "GET", path)
    rows = records(rng, unit_id, args.records)
    cells = {
        f"cell-{index}-{key}": value for index, row in enumerate(rows) for key, value in row.items()
    }

    def form(text: str, action: str) -> dict[str, str]:
        return {
            "csrfmiddlewaretoken": _match(CSRF, text, "CSRF token"),
            "lock_version": _match(LOCK_VERSION, text, "lock version"),
            # The browser posts the blank rows under the records too.
            "row_count": _match(ROW_COUNT, text, "row count"),
            "action": action,
            **cells,
        }

    saved = await browser.request("save", "POST", path, data=form(page.text, "save"))
    await browser.request(
        "submit", "POST", path, data=form(saved.text, "submit"), expect=302, to=path
    )
    await browser.request("grid", "GET", path)


async def leader_log_in(browser: Browser, username: str, key: bytes) -> None:
    """Password, then the 6-digit code from the authenticator (computed from its key)."""
    from django_otp.oath import TOTP

    next_url = await browser.log_in(username)
    home = await browser.request(
        "leader_login", "GET", next_url, expect=302, to="/accounts/verify/"
    )
    verify = home.headers["location"]
    page = await browser.request("leader_login", "GET", verify)
    await browser.request(
        "leader_login",
        "POST",
        verify,
        data={
            "code": f"{TOTP(key).token():06d}",
            "next": "/",
            "csrfmiddlewaretoken": _match(CSRF, page.text, "CSRF token"),
        },
        expect=302,
        to="/",
    )


async def leader_browse(browser: Browser, seeded: Seeded, done: asyncio.Event) -> None:
    pages = {
        # "/" answers a leader with a redirect to the dashboard; browse the page itself.
        "dashboard": "/reports/",
        "dispatch": "/dispatch/",
        "round": f"/dispatch/rounds/{seeded.round_id}/",
        "indicator": f"/dispatch/indicators/{seeded.indicator}/",
    }
    while not done.is_set():
        for name in LEADER_PAGES:
            await browser.request("leader_page", "GET", pages[name])


def address(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def client(concurrency: int):
    import httpx

    # The Browser keeps each person's cookies; the shared client keeps none.
    jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=10
    )
    return httpx.AsyncClient(cookies=jar, limits=limits, timeout=120)


async def floor(base: str, concurrency: int, seconds: float, stats: Stats) -> float:
    """GET the login page from `concurrency` clients for `seconds`; returns the time taken."""
    async with client(concurrency) as shared:
        deadline = time.perf_counter() + seconds

        async def loop(n: int):
            browser = Browser(shared, base, address(200_000 + n), stats)
            while time.perf_counter() < deadline:
                browser.cookies.clear()
                with contextlib.suppress(Failed):  # counted as an error already
                    await browser.request("floor", "GET", "/accounts/login/")

        started = time.perf_counter()
        await asyncio.gather(*(loop(n) for n in range(concurrency)))
        return time.perf_counter() - started


async def surge(base: str, seeded: Seeded, args, stats: Stats, logins: Stats) -> float:
    """The leaders log in first (they are at their desks before the deadline; a 6-digit
    code lives 30 seconds, less than a request may wait in the surge's queue), then the
    liaisons arrive while the leaders browse. Returns the surge's duration."""
    gate = asyncio.Semaphore(args.concurrency)
    done = asyncio.Event()
    rng = random.Random(2023)  # noqa: S311 (made-up figures)
    async with client(args.concurrency + args.leaders) as shared:
        leaders = []

        async def log_in(n: int, username: str, key: bytes):
            browser = Browser(shared, base, address(100_000 + n), logins)
            with contextlib.suppress(Failed):  # counted; the leader does not browse
                await leader_log_in(browser, username, key)
                browser.stats = stats
                leaders.append(browser)

        async def browse(browser: Browser):
            with contextlib.suppress(Failed):  # counted; the leader stops browsing
                await leader_browse(browser, seeded, done)

        async def one_liaison(n: int, username: str, unit_id: int):
            async with gate:
                with contextlib.suppress(Failed):  # counted; the liaison gives up
                    browser = Browser(shared, base, address(n), stats)
                    await liaison(browser, username, unit_id, seeded, args, rng)

        await asyncio.gather(
            *(log_in(n, username, key) for n, (username, key) in enumerate(seeded.leaders, 1))
        )
        started = time.perf_counter()
        browsing = [asyncio.create_task(browse(browser)) for browser in leaders]
        await asyncio.gather(
            *(
                one_liaison(n, username, unit_id)
                for n, (username, unit_id) in enumerate(seeded.liaisons, start=1)
            )
        )
        elapsed = time.perf_counter() - started
        done.set()
        await asyncio.gather(*browsing)
        return elapsed


# --- figures -----------------------------------------------------------------------------


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        value = values[0] if values else 0.0
        return value, value, value
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def latency_figures(prefix: str, values: list[float]) -> tuple[float, float, float]:
    p50, p95, p99 = (v * 1000 for v in percentiles(values))
    figure(f"{prefix}_p50", p50, "ms")
    figure(f"{prefix}_p95", p95, "ms")
    figure(f"{prefix}_p99", p99, "ms")
    return p50, p95, p99


def main() -> int:
    args = parse_args()
    load_before = os.getloadavg()[0]
    recreate_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="zhuanban-load-"))
    server = None
    try:
        started = time.perf_counter()
        setup_django(workdir, args.database_url)
        logging.getLogger("httpx").setLevel(logging.WARNING)
        seeded = seed(args)
        figure("seed_s", time.perf_counter() - started, "s")
        figure("liaisons", len(seeded.liaisons), "count")
        figure("leaders", len(seeded.leaders), "count")
        figure("concurrency", args.concurrency, "count")
        figure("workers", args.workers, "count")
        figure("threads", args.threads, "count")
        # The client runs on the same machine; other load on it shows in the figures.
        figure("load_average_before", round(load_before, 1), "processes")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(server_environment(workdir, args.database_url), port, args, workdir)
        asyncio.run(wait_for_server(base, server, workdir))

        warm = Stats()
        asyncio.run(floor(base, args.concurrency, 2.0, warm))
        floor_stats = Stats()
        floor_s = asyncio.run(floor(base, args.concurrency, args.floor_seconds, floor_stats))
        floor_rps = len(floor_stats.latencies["floor"]) / floor_s

        surge_stats, leader_logins = Stats(), Stats()
        surge_s = asyncio.run(surge(base, seeded, args, surge_stats, leader_logins))
        surge_all = surge_stats.all()

        figure("floor_requests", len(floor_stats.latencies["floor"]), "requests")
        figure("floor_rps", floor_rps, "req/s")
        floor_p50, _p95, _p99 = latency_figures("floor", floor_stats.latencies["floor"])
        figure("surge_s", surge_s, "s")
        figure("surge_requests", surge_stats.requests, "requests")
        figure("surge_rps", len(surge_all) / surge_s, "req/s")
        figure("submissions_per_minute", len(seeded.liaisons) / surge_s * 60, "count")
        surge_p50, _p95, _p99 = latency_figures("surge", surge_all)
        for kind in ("login", "grid", "save", "submit", "leader_page"):
            _p50, p95, _p99 = (v * 1000 for v in percentiles(surge_stats.latencies[kind]))
            figure(f"{kind}_p95", p95, "ms")
        figure("leader_pages", len(surge_stats.latencies["leader_page"]), "requests")
        _p50, p95, _p99 = (v * 1000 for v in percentiles(leader_logins.all()))
        figure("leader_login_p95", p95, "ms")

        errors = floor_stats.errors + leader_logins.errors + surge_stats.errors
        counted = count_results(seeded, args)
        figure("load_average_after", round(os.getloadavg()[0], 1), "processes")
        figure("errors", len(errors), "count")
        figure("submissions_submitted", counted["submitted"], "count")
        figure("submissions_lost", counted["lost"], "count")
        figure("submissions_duplicated", counted["duplicated"], "count")
        figure("data_values", counted["values"], "count")
        print(f"ratio surge_p50_vs_floor_p50 {surge_p50 / floor_p50:.1f}")
        for problem in errors[:10]:
            print(f"error: {problem}", file=sys.stderr)
        if counted["values"] != counted["values_expected"]:
            print(
                f"error: {counted['values']} values stored, {counted['values_expected']} expected",
                file=sys.stderr,
            )
        failed = errors or counted["lost"] or counted["duplicated"]
        return 1 if failed or counted["values"] != counted["values_expected"] else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
