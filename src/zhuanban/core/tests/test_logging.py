"""Request ids (X-Request-ID in, out and on every log record), the JSON log format and the
slow-request log."""

import json
import logging
import os
import re
import subprocess
import sys
from datetime import datetime

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from zhuanban.core import logging as request_logging
from zhuanban.core.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


def records_of(caplog, logger: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == logger]


# --- request ids -------------------------------------------------------------------------


def test_a_sane_request_id_is_kept_and_returned(client):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-7f3a.b_9"})
    assert response["X-Request-ID"] == "nginx-7f3a.b_9"
    sixty_four = "a" * 64
    assert client.get("/healthz", headers={"X-Request-ID": sixty_four})["X-Request-ID"] == (
        sixty_four
    )


@pytest.mark.parametrize(
    "sent",
    ["abc\ndef", "x" * 200, "a" * 65, "请求一", "id with spaces", "a;b", "", "abc\n"],
)
def test_an_insane_request_id_is_replaced(client, sent):
    returned = client.get("/healthz", headers={"X-Request-ID": sent})["X-Request-ID"]
    assert returned != sent
    assert HEX_ID.fullmatch(returned)


def test_without_a_request_id_each_request_gets_its_own(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert HEX_ID.fullmatch(first)
    assert HEX_ID.fullmatch(second)
    assert first != second


def test_every_record_of_a_request_carries_its_id_and_user(world, login, caplog):
    caplog.set_level(logging.INFO)
    client = login(world.office)
    client.get("/no/such/page/", headers={"X-Request-ID": "req-404"})
    [record] = records_of(caplog, "django.request")  # "Not Found: /no/such/page/"
    assert record.request_id == "req-404"
    assert record.user_id == str(world.office.pk)


def test_an_anonymous_requests_records_have_no_user(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/no/such/page/", headers={"X-Request-ID": "anon-1"})
    [record] = records_of(caplog, "django.request")
    assert (record.request_id, record.user_id) == ("anon-1", "-")


def test_records_outside_a_request_say_so(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("zhuanban.test").warning("from a command")
    [record] = records_of(caplog, "zhuanban.test")
    assert (record.request_id, record.user_id) == ("-", "-")
    # The id of one request does not leak into what follows it.
    token = request_logging.begin("inside")
    logging.getLogger("zhuanban.test").warning("inside")
    request_logging.end(token)
    logging.getLogger("zhuanban.test").warning("after")
    assert [r.request_id for r in records_of(caplog, "zhuanban.test")] == ["-", "inside", "-"]


def test_logging_never_loads_the_user():
    """A record made before anything looked at request.user says '-' rather than query
    the session and the user from inside a log call."""

    class Request:
        pass

    def load():
        raise AssertionError("the log filter loaded the user")

    request = Request()
    request.user = SimpleLazyObject(load)
    record = logging.makeLogRecord({"msg": "x"})
    token = request_logging.begin("r1", request)
    try:
        RequestIdFilter().filter(record)
    finally:
        request_logging.end(token)
    assert (record.request_id, record.user_id) == ("r1", "-")


def test_the_console_handler_labels_records_as_configured():
    console = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in handler.filters)
    ]
    assert len(console) == 1, "the root logger's console handler carries the request filter"
    record = logging.makeLogRecord({"name": "zhuanban.x", "levelname": "INFO", "msg": "你好"})
    console[0].filter(record)
    line = console[0].format(record)
    if django_settings.LOG_FORMAT == "json":
        assert isinstance(console[0].formatter, JsonFormatter)
        assert json.loads(line)["message"] == "你好"
    else:  # plain, the default
        assert "INFO zhuanban.x [-] 你好" in line


# --- the JSON format ---------------------------------------------------------------------


def test_the_json_formatter_writes_one_parsable_object():
    try:
        raise ValueError("行 12 的日期无效")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "zhuanban.tasks", logging.ERROR, __file__, 1, "导入 %s 失败", ("台账.xlsx",), exc_info
    )
    record.request_id = "abc123"
    record.user_id = "7"
    record.duration_ms = 1500
    record.request = "<WSGIRequest: GET '/tasks/?q=张三'>"  # Django's extra: left out
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "导入 台账.xlsx 失败"
    assert (entry["level"], entry["logger"]) == ("ERROR", "zhuanban.tasks")
    assert (entry["request_id"], entry["user_id"]) == ("abc123", "7")
    assert entry["duration_ms"] == 1500
    assert "request" not in entry
    assert "ValueError: 行 12 的日期无效" in entry["exception"]
    when = datetime.fromisoformat(entry["time"])
    assert when.utcoffset() is not None
    assert abs(when.timestamp() - record.created) < 0.01


def test_a_record_without_an_exception_has_no_exception_field():
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "ok"})
    entry = json.loads(JsonFormatter().format(record))
    assert "exception" not in entry
    assert entry["request_id"] == "-"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-m", "zhuanban", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_log_format_json_switches_the_console_to_json_lines(tmp_path):
    result = _run(
        "shell",
        "-c",
        "import logging; logging.getLogger('zhuanban.x').warning('来自 %s', 'shell')",
        LOG_FORMAT="json",
        ZHUANBAN_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.stderr
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    [ours] = [entry for entry in entries if entry["logger"] == "zhuanban.x"]
    assert ours["message"] == "来自 shell"
    assert (ours["level"], ours["request_id"]) == ("WARNING", "-")


def test_an_unknown_log_format_stops_start_up(tmp_path):
    result = _run("check", LOG_FORMAT="xml", ZHUANBAN_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr


# --- the slow-request log ----------------------------------------------------------------


def test_a_request_over_the_threshold_is_logged_without_its_query(world, login, settings, caplog):
    settings.SLOW_REQUEST_MS = 0
    caplog.set_level(logging.INFO)
    client = login(world.office)
    url = reverse("tasks:ledger")
    with CaptureQueriesContext(connection) as executed:
        response = client.get(url, {"q": "张三 13912345678"}, headers={"X-Request-ID": "slow-1"})
    assert response.status_code == 200
    [record] = records_of(caplog, "zhuanban.slow")
    assert record.levelno == logging.WARNING
    assert (record.method, record.path, record.status) == ("GET", url, 200)
    assert record.duration_ms >= 0
    assert record.queries == len(executed.captured_queries) > 0
    assert (record.request_id, record.user_id) == ("slow-1", str(world.office.pk))
    text = record.getMessage()
    assert url in text
    assert "200" in text
    assert "张三" not in text
    assert "139" not in text
    assert "?" not in text


def test_a_request_under_the_threshold_is_not_logged(client, settings, caplog):
    settings.SLOW_REQUEST_MS = 10**9
    caplog.set_level(logging.INFO)
    assert client.get(reverse("login")).status_code == 200
    assert records_of(caplog, "zhuanban.slow") == []
