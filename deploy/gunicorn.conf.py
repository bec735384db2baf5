"""gunicorn's settings for Zhuanban's web process (zhuanban-web.service).

Installed as /etc/zhuanban/gunicorn.conf.py; the unit runs

    gunicorn --config /etc/zhuanban/gunicorn.conf.py zhuanban.wsgi

with the environment of /etc/zhuanban/zhuanban.env. nginx on the same host is the only
client: gunicorn listens on the loopback interface alone."""

import multiprocessing
import os

wsgi_app = "zhuanban.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# The classic sizing for synchronous workers: 2 × CPUs + 1 (WEB_CONCURRENCY overrides).
# Each worker keeps one PostgreSQL connection (DATABASE_CONN_MAX_AGE): mind
# max_connections when adding hosts.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)

# A request may make a PDF with LibreOffice (an issued supervision notice, a published
# bulletin), which may take SOFFICE_TIMEOUT_SECONDS (120): the worker must outlive it.
# Long exports and imports run as background jobs, not in requests.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 180)
# On SIGTERM or a reload (SIGHUP), requests in progress get this long to finish.
graceful_timeout = 30
# Recycle workers now and then (a leak in a library cannot grow for ever), not all at once.
max_requests = 2000
max_requests_jitter = 200

# X-Forwarded-Proto (and -For) are believed from the local nginx only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to standard output/error, i.e. the journal. The access log has the request id
# (the X-Request-ID the app returns: nginx's $request_id, or the app's own), and the path
# without the query string, which may hold personal data.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
)

# LOG_FORMAT=json (zhuanban.env): gunicorn's own lines, the access log's included, are JSON
# objects too, written by the app's formatter, so that the journal holds one format.
if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "zhuanban.core.logging.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["stdout"],
                "level": loglevel.upper(),
                "propagate": False,
            },
            "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
        # Until the app's own LOGGING (the same format) takes over in each worker.
        "root": {"handlers": ["stdout"], "level": "INFO"},
    }

# No control socket: systemd starts, reloads (SIGHUP) and stops gunicorn.
control_socket_disable = True
proc_name = "zhuanban-web"
