"""Logs that can be followed across the proxy and the app: the request id, the user, one
JSON object per line when LOG_FORMAT=json.

`core.middleware.RequestIdMiddleware` opens a `RequestLog` for each request (the id nginx
sent, or one of ours) and keeps it in a context variable; `RequestIdFilter`, on the console
handler, puts `request_id` and `user_id` on every record (`-` outside a request), and
`JsonFormatter` writes a record as one line of JSON."""

import contextvars
import datetime
import json
import logging
import re
import uuid
from dataclasses import dataclass

from django.utils.functional import LazyObject, empty

NONE = "-"
# What nginx's $request_id and most proxies send; anything else is replaced, so that a
# client cannot put a newline or a page of text into every log line of its request.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass
class RequestLog:
    request_id: str
    request: object = None  # the HttpRequest, for the user once it is known


_current: contextvars.ContextVar[RequestLog | None] = contextvars.ContextVar(
    "zhuanban_request_log", default=None
)


def request_id_from(header: str | None) -> str:
    """The incoming X-Request-ID when it is sane, else a new one (uuid4 hex)."""
    if header and REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def begin(request_id: str, request=None) -> contextvars.Token:
    return _current.set(RequestLog(request_id, request))


def end(token: contextvars.Token) -> None:
    _current.reset(token)


def current_request_id() -> str:
    log = _current.get()
    return log.request_id if log else NONE


def _user_id(request) -> str:
    """The signed-in user's id, if the request has already looked the user up: logging must
    never be what loads it (a query from inside a log call, perhaps one the database made)."""
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return NONE
    if isinstance(user, LazyObject) and user._wrapped is empty:
        return NONE
    if not getattr(user, "is_authenticated", False):
        return NONE
    return str(user.pk)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        log = _current.get()
        record.request_id = log.request_id if log else NONE
        record.user_id = _user_id(log.request) if log and log.request is not None else NONE
        return True


# The attributes every LogRecord has; anything else was passed with `extra=`. Django's
# `request` extra is left out: its text holds the query string, which may be personal data.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "user_id",
    "request",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, local, with its offset), level, logger,
    message, request_id, user_id, the exception's traceback when there is one, and the
    record's `extra=` fields (the slow-request log's method, path, status, duration)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NONE),
            "user_id": getattr(record, "user_id", NONE),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
