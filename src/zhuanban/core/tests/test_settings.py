"""Settings come from the environment; production refuses unsafe configurations."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhuanban.env import env_bool, env_int

PRODUCTION = {
    "ZHUANBAN_ENV": "production",
    "ZHUANBAN_DEMO": "0",
    "SECRET_KEY": "x7Kq2-vN9pL4mR8sT1wY6zB3cF5hJ0dG-aE2uI7oP9kM4nQ8rS1tV6xZ3yW5bD",
    "ALLOWED_HOSTS": "zhuanban.example.gov.cn",
}


def run_zhuanban(*args: str, env: dict[str, str], tmp_path: Path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHUANBAN_", "SECRET_KEY"))}
    for name in ("DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "zhuanban", *args],
        env={**clean, "ZHUANBAN_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = run_zhuanban(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ZHUANBAN_DEMO": "1"}, "ZHUANBAN_DEMO"),
        ({"DEBUG": "1"}, "DEBUG"),
    ],
)
def test_production_refuses_to_start_unsafely(tmp_path, override, complaint):
    result = run_zhuanban("check", env={**PRODUCTION, **override}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_development_generates_a_private_secret_once(tmp_path):
    first = run_zhuanban("check", env={}, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    run_zhuanban("check", env={}, tmp_path=tmp_path)
    assert key_file.read_text() == key


def test_the_data_folder_is_kept_out_of_git():
    gitignore = Path(__file__).resolve().parents[4] / ".gitignore"
    assert "/var/" in gitignore.read_text().splitlines()


def test_env_helpers_reject_typos(monkeypatch):
    monkeypatch.setenv("ZB_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured):
        env_bool("ZB_FLAG")
    monkeypatch.setenv("ZB_NUMBER", "3o")
    with pytest.raises(ImproperlyConfigured):
        env_int("ZB_NUMBER", 1)
    monkeypatch.setenv("ZB_FLAG", "yes")
    assert env_bool("ZB_FLAG") is True


def settings_values(env: dict[str, str], tmp_path: Path) -> dict:
    """The settings a process started with `env` ends up with (a fresh interpreter: the
    settings module reads the environment once, at import)."""
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({name: getattr(s, name) for name in dir(s) if name.isupper()},"
        " default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHUANBAN_", "SECRET_KEY"))}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        clean.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "zhuanban.settings",
            "ZHUANBAN_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_is_https_only_with_hsts_and_secure_cookies(tmp_path):
    values = settings_values(PRODUCTION, tmp_path)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    # The same headers as in development: the policy is not a production-only behaviour.
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    directives = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Rate-limit counters in a cache every process shares: the database's.
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    development = settings_values({}, tmp_path)
    assert development["CONTENT_SECURITY_POLICY"] == values["CONTENT_SECURITY_POLICY"]
    assert development["SESSION_COOKIE_SECURE"] is False


def test_rate_limits_come_from_the_environment(tmp_path):
    defaults = settings_values({}, tmp_path)
    assert defaults["RATELIMIT_LOGIN"] == "30/m"
    assert defaults["RATELIMIT_EXPORT"] == defaults["RATELIMIT_IMPORT"] == "20/m"
    assert defaults["RATELIMIT_API"] == "600/m"
    assert defaults["RATELIMIT_API_ANON"] == "60/m"
    raised = settings_values({"RATELIMIT_API": "100000/m", "RATELIMIT_EXPORT": "500/h"}, tmp_path)
    assert raised["RATELIMIT_API"] == "100000/m"
    assert raised["RATELIMIT_EXPORT"] == "500/h"


@pytest.mark.parametrize("rate", ["lots", "20", "20/min", "0/m", "20/0m"])
def test_a_mistyped_rate_limit_stops_start_up(tmp_path, rate):
    result = run_zhuanban("check", env={"RATELIMIT_EXPORT": rate}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "RATELIMIT_EXPORT" in result.stderr
