"""One settings module for every environment; the environment decides.

ZHUANBAN_ENV=production turns on the HTTPS-only settings and refuses to start without
a real SECRET_KEY and ALLOWED_HOSTS. Everything else behaves the same everywhere.
"""

import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhuanban.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_ROOT = PACKAGE_DIR.parent.parent
# A source checkout keeps its data beside the code; an installed package uses the
# working directory unless ZHUANBAN_DATA_DIR says where.
_default_data_dir = (
    _SOURCE_ROOT / "var" if (_SOURCE_ROOT / "pyproject.toml").exists() else Path.cwd() / "var"
)
DATA_DIR = Path(env_str("ZHUANBAN_DATA_DIR") or _default_data_dir)

ENVIRONMENT = env_str("ZHUANBAN_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("ZHUANBAN_ENV must be 'development' or 'production'")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when ZHUANBAN_ENV=production")

# Demo mode loads and accepts the documented demo accounts; production refuses it.
DEMO_MODE = env_bool("ZHUANBAN_DEMO", default=not PRODUCTION)
if PRODUCTION and DEMO_MODE:
    raise ImproperlyConfigured("ZHUANBAN_DEMO must be off when ZHUANBAN_ENV=production")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production")
    # Development: a key generated once per checkout, kept out of git under var/.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "zhuanban.org.apps.ZhuanbanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "csp",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "zhuanban.core",
    "zhuanban.org.apps.OrgConfig",
    "zhuanban.tasks",
    "zhuanban.dispatch",
    "zhuanban.rectification",
    "zhuanban.supervision",
    "zhuanban.assessment",
    "zhuanban.documents",
    "zhuanban.brand",
    "zhuanban.investment",
    "zhuanban.reports",
    "zhuanban.ops",
    "zhuanban.demo",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "zhuanban.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The request id for the logs and the X-Request-ID header, and the slow-request log:
    # early, so that it times and labels nearly everything.
    "zhuanban.core.middleware.RequestIdMiddleware",
    "csp.middleware.CSPMiddleware",
    "zhuanban.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhuanban.core.middleware.RequestContextMiddleware",
    # After authentication, OTP, messages and the request context (for the audit trail).
    "zhuanban.accounts.middleware.AccountPolicyMiddleware",
    "zhuanban.org.middleware.EnterpriseLoginMiddleware",
    # Last: it turns a lock-out flagged during authentication into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhuanban.urls"
WSGI_APPLICATION = "zhuanban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide overrides (the admin's look) win over the apps' own templates.
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhuanban.core.context_processors.platform",
                "zhuanban.navigation.main_nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'zhuanban.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers work while a request writes; IMMEDIATE avoids "database is locked"
    # on write transactions that start with a read.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password policy (GB/T 22239 level 3, OWASP ASVS L2): at least 8 characters of at
# least 3 kinds, never the username, not a common password.
PASSWORD_MIN_LENGTH = 8
PASSWORD_MIN_CLASSES = 3
# A new password may not be the current one nor one of those before it (5 in all).
PASSWORD_HISTORY_COUNT = env_int("PASSWORD_HISTORY_COUNT", 5)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "zhuanban.accounts.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {"NAME": "zhuanban.accounts.validators.NotUsernameValidator"},
    {
        "NAME": "zhuanban.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"count": PASSWORD_HISTORY_COUNT},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses locked-out accounts and addresses before a password is
# checked, and needs the request (log in through the login page, not client.login()).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie age, renewed by every request, and checked again on the
# server by zhuanban.accounts.middleware (which says why the user must log in again).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True  # the cookie age is an idle timeout, not a hard one
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "zhuanban.reports.staticfinders.PlotlyFinder",  # vendor/plotly.min.js from the package
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Development serves straight from the apps' and packages' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
WHITENOISE_AUTOREFRESH = DEBUG

# Behind a reverse proxy that sets X-Forwarded-For, the client address for the audit
# trail comes from the header; only trust it when the proxy is ours.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", default=False)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features the platform never uses, off for every page (core.headers).
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}
# Content Security Policy (django-csp): every script, style, font and image comes from
# the app itself; no inline script or style, no eval (htmx's is off in base.html), no
# framing, forms post only here. Images may be data: URIs (the 2FA QR code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
        "base-uri": [CSP_NONE],
        "object-src": [CSP_NONE],
    }
}
# The health probes (ops.health) answer over plain HTTP too: a monitor on the host asks
# gunicorn directly, without the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    if env_bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Logs go to standard error (the journal under systemd), each record with the request's
# id and user (zhuanban.core.logging); LOG_FORMAT=json writes one JSON object per line.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'")
# Requests slower than this (in milliseconds) are logged on `zhuanban.slow`; 0 logs them all.
SLOW_REQUEST_MS = env_int("SLOW_REQUEST_MS", 1000)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "zhuanban.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "zhuanban.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

NINJA_PAGINATION_PER_PAGE = 100
# A larger `limit` is refused (422): SQLite fails on one beyond 64 bits, and no client
# needs more than this in one page.
NINJA_PAGINATION_MAX_LIMIT = 1000

# Accounts (zhuanban.accounts): password age, lock-out, second factor.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Roles that must use a TOTP second factor: the bureau leader and the three
# administrators (org.roles.Role values; accounts' tests hold it to Role.LEADER | ADMIN_ROLES).
TWO_FACTOR_REQUIRED_ROLES = ["leader", "system_admin", "security_admin", "audit_admin"]
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Zhuanban")
# django-axes: the account and the address are each locked after LOGIN_FAILURE_LIMIT
# failures (wrong codes at the second step count too), for LOGIN_LOCKOUT_MINUTES from
# the failure that reached the limit; attempts refused meanwhile do not extend it.
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "zhuanban.core.request_context.client_ip"
AXES_LOCKOUT_CALLABLE = "zhuanban.accounts.views.locked_out"
# Axes would show its records to every administrator; accounts/admin.py shows them to
# the security administrator only.
AXES_ENABLE_ADMIN = False

# A cache every web process shares, for the rate-limit counters: the database (no extra
# service; migration core 0004 creates the table, so `migrate` is enough).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "zhuanban_cache",  # core/migrations/0004_cache_table.py
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
# django-ratelimit warns that the database cache increments by read-then-write, not
# atomically: two requests at the same instant may be counted once, so a burst can pass
# a limit by a request or two. These limits stop scraping and floods, not exact counts
# (account lockout on failed logins is django-axes, in its own table), so the database
# cache serves; W001 only says the backend is not on the library's list.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]


def _rate(name: str, default: str) -> str:
    """A rate limit from the environment: a count per period, such as 20/m or 1000/h."""
    value = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/([1-9][0-9]*)?[smhd]", value):
        raise ImproperlyConfigured(f"{name} must be a count per period such as 20/m, got {value!r}")
    return value


# Per client address: login attempts (POSTs). Per user: Excel exports and downloads,
# uploads and imports, API calls; API calls without valid credentials per address.
# Raise them for a load test; zhuanban.core.ratelimits reads them on every request.
RATELIMIT_LOGIN = _rate("RATELIMIT_LOGIN", "30/m")
RATELIMIT_EXPORT = _rate("RATELIMIT_EXPORT", "20/m")
RATELIMIT_IMPORT = _rate("RATELIMIT_IMPORT", "20/m")
RATELIMIT_API = _rate("RATELIMIT_API", "600/m")
RATELIMIT_API_ANON = _rate("RATELIMIT_API_ANON", "60/m")

# Uploads: evidence, attachments, imports.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10) * 1_048_576
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_MB", 100) * 1_048_576
# Per kind of file, in MB (UPLOAD_MAX_MB_IMAGE etc.); never above UPLOAD_MAX_MB.
UPLOAD_MAX_MB_BY_TYPE = {
    kind: min(env_int(f"UPLOAD_MAX_MB_{kind.upper()}", default), UPLOAD_MAX_BYTES // 1_048_576)
    for kind, default in {"image": 10, "pdf": 20, "docx": 20, "xlsx": 10, "txt": 2}.items()
}
# Entries an Office file (a zip) may hold; its central directory is checked before parsing.
UPLOAD_MAX_ZIP_ENTRIES = env_int("UPLOAD_MAX_ZIP_ENTRIES", 10_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1_048_576
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1_048_576

# Notifications by e-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "zhuanban@localhost")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Task warning lights (DESIGN.md 红黄绿灯): yellow when due within N days, when progress
# lags the share of time elapsed by more than M points, or when nothing was reported
# for a reporting cycle.
TASK_DUE_SOON_DAYS = env_int("TASK_DUE_SOON_DAYS", 7)
TASK_LAG_POINTS = env_int("TASK_LAG_POINTS", 20)
TASK_REPORT_CYCLE_DAYS = env_int("TASK_REPORT_CYCLE_DAYS", 30)

# Dispatch (调度): the most rows one table submission or upload may hold; an indicator
# lags (yellow, as a task does) when its completion trails time elapsed by TASK_LAG_POINTS.
DISPATCH_MAX_ROWS = env_int("DISPATCH_MAX_ROWS", 20_000)

# Supervision notices (督办通报): on issue, the .docx is also converted to PDF by
# LibreOffice (`soffice`, looked up on PATH unless SOFFICE_BINARY names it) when it is
# installed; without it the notice is issued with its .docx only.
NOTICE_PDF = env_bool("NOTICE_PDF", True)
# Published bulletin issues get a PDF beside the .docx where LibreOffice is installed.
BULLETIN_PDF = env_bool("BULLETIN_PDF", True)
SOFFICE_BINARY = env_str("SOFFICE_BINARY", "soffice")
SOFFICE_TIMEOUT_SECONDS = env_int("SOFFICE_TIMEOUT_SECONDS", 120)

# The regional public brand (原味乌兰察布): the special office that keeps the register,
# how long a licence runs, and how often one address may query the public verification
# page (django-ratelimit syntax).
BRAND_OFFICE_CODE = env_str("BRAND_OFFICE_CODE", "office-brand")
BRAND_LICENCE_YEARS = env_int("BRAND_LICENCE_YEARS", 3)
BRAND_VERIFY_RATE = _rate("BRAND_VERIFY_RATE", "30/m")

# The investment pipeline (招商引资) and upward applications: the special office that keeps
# the project register, the stage clocks and the activities.
INVESTMENT_OFFICE_CODE = env_str("INVESTMENT_OFFICE_CODE", "office-investment")

# Audit trail: events younger than this are never pruned (`zhuanban audit prune`).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)

# The scheduled prune (zhuanban.ops.schedule) removes events older than this many days;
# 0 keeps the audit trail for ever. Never below AUDIT_RETENTION_DAYS.
AUDIT_PRUNE_AFTER_DAYS = env_int("AUDIT_PRUNE_AFTER_DAYS", 365)

# Background jobs (zhuanban.ops): django-tasks with its database backend. `database`
# queues in the application's own database and `zhuanban worker` runs the jobs (`make run`
# starts one); `immediate` runs each job inside the request that starts it (no worker, no
# progress bar to watch: for a quick look only).
JOBS_BACKEND = env_str("JOBS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[JOBS_BACKEND]
    }
}
# A worker records its heartbeat every JOB_HEARTBEAT_SECONDS; a running job whose worker
# has been silent (and which has not moved) for JOB_WORKER_TIMEOUT seconds is queued again,
# up to JOB_MAX_ATTEMPTS runs in all, then failed. /readyz wants a heartbeat younger than
# the timeout.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 5)
JOB_WORKER_TIMEOUT = env_int("JOB_WORKER_TIMEOUT", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 2)
# Finished jobs are listed under "my downloads" for this many days.
JOB_KEEP_DAYS = env_int("JOB_KEEP_DAYS", 14)
# Operations with more rows than this run in the background with a progress bar; smaller
# ones answer at once.
JOB_SYNC_ROWS = env_int("JOB_SYNC_ROWS", 2000)

# Scheduled work (zhuanban.ops.schedule): checked every SCHEDULER_INTERVAL seconds by
# `zhuanban scheduler`; SCHEDULE_DISABLED names items to leave out.
SCHEDULER_INTERVAL = env_int("SCHEDULER_INTERVAL", 30)
SCHEDULE_DISABLED = env_list("SCHEDULE_DISABLED")
# The nightly backup keeps this many archives in DATA_DIR/backups.
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
