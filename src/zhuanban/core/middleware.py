import logging
import time

from django.conf import settings
from django.db import connection
from django.utils.log import log_response

from zhuanban.core import logging as request_logging
from zhuanban.core.request_context import client_ip, reset_current_ip, set_current_ip

slow_log = logging.getLogger("zhuanban.slow")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_current_ip(token)


class _QueryCounter:
    """A database execute wrapper that only counts (no SQL kept, nothing timed)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestIdMiddleware:
    """Early in the chain (right after SecurityMiddleware): gives the request an id (the
    proxy's X-Request-ID when it is sane, else a new one), which every log record made
    while serving it carries and the response returns in X-Request-ID; and logs a WARNING
    on `zhuanban.slow` for a request slower than SLOW_REQUEST_MS, with its method, path
    (never the query string: it may hold personal data), status, time and query count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_logging.request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_logging.begin(request_id, request)
        queries = _QueryCounter()
        started = time.monotonic()
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
            elapsed_ms = (time.monotonic() - started) * 1000
            response["X-Request-ID"] = request_id
            if response.status_code >= 400:
                # What Django's handler logs once the middlewares are done ("Not Found:
                # /x"), logged here instead, while the request's id is still known (the
                # handler skips a response logged already).
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
            if elapsed_ms > settings.SLOW_REQUEST_MS:
                self._log_slow(request, response, elapsed_ms, queries.count)
            return response
        finally:
            request_logging.end(token)

    @staticmethod
    def _log_slow(request, response, elapsed_ms: float, queries: int) -> None:
        duration = round(elapsed_ms)
        slow_log.warning(
            "slow request: %s %s %s in %s ms, %s queries",
            request.method,
            request.path,
            response.status_code,
            duration,
            queries,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration,
                "queries": queries,
            },
        )
