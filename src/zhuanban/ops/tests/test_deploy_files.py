"""The deployment files (deploy/) agree with the code: every variable settings.py reads is
in the example environment, whose values start the app in production mode; the systemd
units run commands that exist; gunicorn's settings are real ones; nginx lets the largest
upload through and passes the request id and the client's address as the app expects."""

import ast
import configparser
import datetime
import importlib.util
import json
import logging
import multiprocessing
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

from zhuanban.brand.forms_reviews import EVIDENCE_MAX_FILES as BRAND_FILES
from zhuanban.investment.forms import EVIDENCE_MAX_FILES as INVESTMENT_FILES
from zhuanban.rectification.forms import EVIDENCE_MAX_FILES as RECTIFICATION_FILES

ROOT = Path(__file__).resolve().parents[4]
DEPLOY = ROOT / "deploy"
SETTINGS = ROOT / "src" / "zhuanban" / "settings.py"
ENV_EXAMPLE = DEPLOY / "zhuanban.env.example"
UNITS = DEPLOY / "systemd"
NGINX = DEPLOY / "nginx" / "zhuanban.conf"
GUNICORN = DEPLOY / "gunicorn.conf.py"

ENV_FILE = "/etc/zhuanban/zhuanban.env"
DATA_DIR = "/var/lib/zhuanban"
VENV_BIN = "/opt/zhuanban/venv/bin/"
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list", "_rate"}


_NO_DEFAULT = object()


def _literal(node) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _NO_DEFAULT  # computed (a path under DATA_DIR, a condition)


def settings_reads() -> dict[str, object]:
    """Every environment variable settings.py reads (through zhuanban.env's helpers), with
    its default where the call spells it out."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    # The helpers' own bodies (`_rate` passes its `name` on) are not reads.
    helpers = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name in ENV_READERS
        for inner in ast.walk(node)
    }
    # `env_str("MEDIA_ROOT") or DATA_DIR / "media"`: the default is computed.
    with_fallback = {
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.BoolOp)
        for value in node.values
    }
    found: dict[str, object] = {}
    for node in ast.walk(tree):
        if id(node) in helpers:
            continue
        if isinstance(node, ast.DictComp) and "UPLOAD_MAX_MB_" in ast.unparse(node):
            # {kind: min(env_int(f"UPLOAD_MAX_MB_{kind.upper()}", default), …)
            #  for kind, default in {"image": 10, …}.items()}
            for kind, default in ast.literal_eval(node.generators[0].iter.func.value).items():
                found[f"UPLOAD_MAX_MB_{kind.upper()}"] = default
            continue
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_READERS
            and node.args
        ):
            continue
        name = node.args[0]
        if isinstance(name, ast.JoinedStr):
            assert "UPLOAD_MAX_MB_" in ast.unparse(name), "teach this test the names it builds"
            continue
        assert isinstance(name, ast.Constant), f"a variable this test cannot name: {name}"
        defaults = node.args[1:] + [kw.value for kw in node.keywords if kw.arg == "default"]
        if id(node) in with_fallback:
            found[name.value] = _NO_DEFAULT
        else:
            found[name.value] = _literal(defaults[0]) if defaults else ""
    return found


def variables_settings_read() -> set[str]:
    return set(settings_reads())


def example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()


def active_example() -> dict[str, str]:
    pairs = [line.split("=", 1) for line in example_lines() if line and not line.startswith("#")]
    return dict(pairs)


def commented_defaults() -> dict[str, str]:
    found = {}
    for line in example_lines():
        match = re.fullmatch(r"#([A-Z][A-Z0-9_]*)=(\S*)", line)
        if match:
            found[match[1]] = match[2]
    return found


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(UNITS / name, encoding="utf-8")
    return parser


# --- the example environment -------------------------------------------------------------


def test_every_variable_settings_reads_is_in_the_example():
    names = variables_settings_read()
    assert {"SECRET_KEY", "DATABASE_URL", "LOG_FORMAT", "SLOW_REQUEST_MS", "JOBS_BACKEND"} <= names
    assert "UPLOAD_MAX_MB_PDF" in names
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    missing = sorted(
        name for name in names if not re.search(rf"^#?{name}(_FILE)?=", text, re.MULTILINE)
    )
    assert not missing, f"deploy/zhuanban.env.example does not mention {missing}"


def test_the_example_is_read_alike_by_systemd_and_the_shell():
    for line in example_lines():
        if line.startswith("#") or not line:
            continue
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\s\"'$`\\]*", line), (
            f"{line!r}: NAME=value without quotes, spaces or shell syntax"
        )
    example = active_example()
    assert example["ZHUANBAN_ENV"] == "production"
    assert example["ZHUANBAN_DATA_DIR"] == DATA_DIR
    assert "SECRET_KEY" not in example, "the key goes in a file (SECRET_KEY_FILE), not here"


def test_the_commented_defaults_are_the_defaults():
    """A commented line shows the value the app uses without it (as settings.py says)."""
    shown = commented_defaults()
    reads = settings_reads()
    compared = 0
    for name, value in shown.items():
        if name not in reads or reads[name] is _NO_DEFAULT:
            continue
        default = reads[name]
        if isinstance(default, bool):
            expected = "1" if default else "0"
        elif default is None:
            expected = ""
        else:
            expected = str(default)
        assert value == expected, f"#{name}={value}, but settings.py's default is {default!r}"
        compared += 1
    assert compared > 30
    assert shown["UPLOAD_MAX_MB_PDF"] == "20"
    assert shown["SLOW_REQUEST_MS"] == "1000"


def test_the_example_starts_the_app_in_production_mode(tmp_path):
    """The example's values, and every commented default switched on, pass Django's
    deployment checklist (with a key, data folder and database of the test's own)."""
    key = tmp_path / "secret_key"
    key.write_text("k" * 20 + "9-Xq2vN4pL7mR1sT8wY3zB6cF0hJ5dG", encoding="utf-8")
    values = {**commented_defaults(), **active_example()}
    values = {
        name: value.replace(DATA_DIR, str(tmp_path / "data"))
        for name, value in values.items()
        if not name.endswith("_FILE")
    }
    values |= {
        "SECRET_KEY_FILE": str(key),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZHUANBAN_", "SECRET_KEY", "DJANGO_", "DATABASE_URL", "DEBUG"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "zhuanban", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **values},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
    # LOG_FORMAT=json: what the start-up logged is JSON.
    logged = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert logged, result.stderr


# --- systemd -----------------------------------------------------------------------------


UNIT_FILES = ["zhuanban-web.service", "zhuanban-worker@.service", "zhuanban-scheduler.service"]


@pytest.mark.parametrize("name", UNIT_FILES)
def test_each_unit_runs_as_the_service_user_with_the_env_file_and_hardening(name):
    service = unit(name)["Service"]
    assert service["User"] == "zhuanban"
    assert service["Group"] == "zhuanban"
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["WorkingDirectory"] == DATA_DIR
    assert service["Restart"] == "on-failure"
    assert service["ProtectSystem"] == "full"
    assert service["ReadWritePaths"] == DATA_DIR
    assert service["NoNewPrivileges"] == "yes"
    assert service["PrivateTmp"] == "yes"
    assert service["ExecStart"].startswith(VENV_BIN)
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def _command_line(name: str) -> list[str]:
    executable, *args = unit(name)["Service"]["ExecStart"].split()
    return [executable.removeprefix(VENV_BIN), *args]


@pytest.mark.parametrize(
    ("name", "command"),
    [("zhuanban-worker@.service", "worker"), ("zhuanban-scheduler.service", "scheduler")],
)
def test_the_worker_and_scheduler_units_run_zhuanbans_own_commands(name, command, settings):
    settings.JOBS_BACKEND = "database"  # production's queue (the tests run jobs at once)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    program, *args = _command_line(name)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert program == "zhuanban"
    assert re.search(r'^zhuanban = "zhuanban.__main__:main"$', pyproject, re.MULTILINE)
    assert args[0] == command
    app = get_commands()[command]
    assert app == "zhuanban.ops"
    # The arguments the unit passes are ones the command takes.
    load_command_class(app, command).create_parser("zhuanban", command).parse_args(args[1:])


def test_the_web_unit_runs_gunicorn_on_the_projects_wsgi_module():
    program, *args = _command_line("zhuanban-web.service")
    assert program == "gunicorn"
    assert (Path(sys.executable).parent / "gunicorn").exists(), "gunicorn is a dependency"
    assert args == ["--config", "/etc/zhuanban/gunicorn.conf.py", "zhuanban.wsgi"]
    assert importlib.util.find_spec("zhuanban.wsgi") is not None
    assert settings.WSGI_APPLICATION == "zhuanban.wsgi.application"
    service = unit("zhuanban-web.service")["Service"]
    assert service["Type"] == "notify"  # gunicorn tells systemd when it listens
    assert service["ExecReload"] == "/bin/kill -s HUP $MAINPID"


def test_workers_are_given_time_to_finish_their_job_on_stop():
    service = unit("zhuanban-worker@.service")["Service"]
    assert "--worker-id" not in service["ExecStart"], "each start must beat under a new id"
    assert service["KillMode"] == "mixed"
    assert re.fullmatch(r"\d+min", service["TimeoutStopSec"])
    assert int(service["TimeoutStopSec"].removesuffix("min")) >= 5


# --- gunicorn ----------------------------------------------------------------------------


def gunicorn_config(monkeypatch, **environ):
    """gunicorn's Config as deploy/gunicorn.conf.py sets it, in `environ` (and no other of
    the variables it reads)."""
    from gunicorn.config import Config

    for name in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    values = {
        name: value
        for name, value in runpy.run_path(str(GUNICORN)).items()
        if not name.startswith("__") and not callable(value) and not hasattr(value, "__file__")
    }
    config = Config()
    unknown = sorted(set(values) - set(config.settings))
    assert not unknown, f"gunicorn ignores unknown settings silently: {unknown}"
    for name, value in values.items():
        config.set(name, value)  # gunicorn's own validation
    return config


def test_gunicorns_settings_are_real_ones_and_fit_the_app(monkeypatch):
    config = gunicorn_config(monkeypatch)
    assert not config.logconfig_dict  # plain lines, as the app's
    assert config.bind == ["127.0.0.1:8000"]
    assert config.workers == 2 * multiprocessing.cpu_count() + 1
    assert config.timeout > settings.SOFFICE_TIMEOUT_SECONDS
    assert "{x-request-id}o" in config.access_log_format
    assert "%(r)s" not in config.access_log_format  # the request line has the query string
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert config.wsgi_app == "zhuanban.wsgi:application"


# --- nginx -------------------------------------------------------------------------------


def _size(value: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit_.lower()]


def nginx_text() -> str:
    return "\n".join(
        line.split("#", 1)[0] for line in NGINX.read_text(encoding="utf-8").splitlines()
    )


def test_nginx_lets_the_largest_upload_through():
    [body] = re.findall(r"client_max_body_size\s+(\S+);", nginx_text())
    largest_file = max(
        settings.UPLOAD_MAX_BYTES,
        *(mb * 1_048_576 for mb in settings.UPLOAD_MAX_MB_BY_TYPE.values()),
    )
    assert _size(body) >= largest_file
    # A form takes up to this many files at once (evidence): all of them at the limit.
    most_files = max(BRAND_FILES, INVESTMENT_FILES, RECTIFICATION_FILES)
    assert _size(body) >= most_files * settings.UPLOAD_MAX_BYTES


def test_nginx_passes_what_the_app_relies_on():
    text = nginx_text()
    assert re.search(r"proxy_set_header\s+X-Request-ID\s+\$request_id;", text)
    # The app takes the first address of X-Forwarded-For: nginx must not append the
    # client's own header to it ($proxy_add_x_forwarded_for).
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", text)
    assert "proxy_add_x_forwarded_for" not in text
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", text)
    assert re.search(r"server\s+127\.0\.0\.1:8000;", text)
    [protocols] = re.findall(r"ssl_protocols\s+([^;]+);", text)
    assert protocols.split() == ["TLSv1.2", "TLSv1.3"]
    assert re.search(r"return\s+301\s+https://\$host\$request_uri;", text)
    for probe in ("/healthz", "/readyz"):
        block = re.search(rf"location\s*=\s*{probe}\s*\{{([^}}]*)\}}", text)
        assert block, probe
        assert "proxy_pass http://zhuanban_web;" in block[1]
        assert "deny" not in block[1]
    [read_timeout] = re.findall(r"proxy_read_timeout\s+(\d+)s;", text)
    gunicorn = runpy.run_path(str(GUNICORN))
    assert int(read_timeout) > gunicorn["timeout"]


def test_nginx_serves_the_collected_static_files_and_never_the_uploads():
    text = nginx_text()
    static = re.search(r"location\s+/static/\s*\{\s*root\s+(\S+);", text)
    assert static, "static files come from STATIC_ROOT"
    # STATIC_URL /static/ under that root is the default STATIC_ROOT: DATA_DIR/static.
    assert static[1] == DATA_DIR
    assert settings.STATIC_URL == "/static/"
    assert "immutable" in text
    assert re.search(r"location\s+/media/\s*\{\s*return\s+404;", text)


@pytest.fixture
def logging_restored():
    """gunicorn's logger configures logging for the whole process: put it back after."""
    names = ["", "gunicorn.error", "gunicorn.access"]
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name in names
        for logger in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def test_gunicorn_writes_json_lines_when_the_app_does(monkeypatch, capsys, logging_restored):
    from gunicorn.glogging import Logger

    config = gunicorn_config(monkeypatch, LOG_FORMAT="json")
    logger = Logger(config)
    logger.warning("Worker (pid:%s) was sent SIGKILL", 4242)
    response = SimpleNamespace(
        status="200 OK", sent=17, headers=[("X-Request-ID", "5f0c9a")], response_length=17
    )
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "10.8.0.12")])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/tasks/?q=张三",
        "PATH_INFO": "/tasks/",
        "QUERY_STRING": "q=张三",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger.access(response, request, environ, datetime.timedelta(milliseconds=84))

    warning, access = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (warning["level"], warning["logger"]) == ("WARNING", "gunicorn.error")
    assert warning["message"] == "Worker (pid:4242) was sent SIGKILL"
    assert access["logger"] == "gunicorn.access"
    assert access["message"] == '10.8.0.12 "GET /tasks/" 200 17 84ms rid=5f0c9a'
    assert "张三" not in json.dumps(access, ensure_ascii=False)  # no query string
