"""Settings for Bình Yên: one module, every deployment difference comes from the environment.

Variables (all optional in development, documented in README.md):
DEBUG, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, DATABASE_URL, TIME_ZONE,
LANGUAGE_CODE, MAP_TILE_URL, MAP_TILE_ATTRIBUTION, SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS,
OTP_REQUIRED_ROLES, AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES, MEDIA_ROOT, STATIC_ROOT,
CACHE_URL (redis://...), LOG_LEVEL, LOG_FORMAT, LOG_ACCESS_LEVEL, TASKS_BACKEND,
SCHEDULER_CRONTABS, SCHEDULER_LEASE_SECONDS, SCHEDULER_HEARTBEAT_SECONDS,
SCHEDULER_MISFIRE_GRACE_SECONDS, BACKUP_DIR, BACKUP_KEEP, METRICS_TOKEN, HEALTH_QUEUE_MAX_DEPTH,
HEALTH_QUEUE_MAX_WAIT_SECONDS, HEALTH_REPLICA_MAX_LAG_SECONDS, EXPORT_SYNC_MAX_ROWS,
EXPORT_KEEP_DAYS, TASKS_RUNNING_TIMEOUT_SECONDS, CASES_RETENTION_DAYS,
CASES_SUBJECT_REQUEST_WORKING_DAYS, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL, SITE_URL, COMPLETENESS_REMIND_HOURS.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        # A missing key in production must fail loudly, never fall back to a known value.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "binhyen.core",
    "binhyen.accounts",
    "binhyen.orgunits",
    "binhyen.indicators",
    "binhyen.tips",
    "binhyen.community",
    "binhyen.activities",
    "binhyen.hotspots",
    "binhyen.programs",
    "binhyen.cases",
    "binhyen.documents",
    "binhyen.targets",
    "binhyen.awards",
    "binhyen.field",
]

MIDDLEWARE = [
    # Request counts and latencies for /metrics (two timers and counters per request).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "binhyen.core.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "binhyen.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "binhyen.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "binhyen.core.middleware.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "binhyen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "binhyen.core.context_processors.site",
                "binhyen.core.context_processors.notifications",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL >= 15 in production and CI (DATABASE_URL).
# DATABASE_REPLICA_URL (optional) adds a streaming replica that serves analytics reads only
# (binhyen/core/db_router.py; docs/deployment.md). DATABASE_STATEMENT_TIMEOUT_MS bounds every
# PostgreSQL statement (0: no bound). DATABASE_POOL=1 uses psycopg's connection pool when the
# ``psycopg-pool`` package is installed (not by default: PgBouncer in transaction mode in front
# of PostgreSQL does the same for many app servers, see docs/deployment.md).


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            ),
        }
        config["CONN_MAX_AGE"] = 0
        if os.environ.get("SQLITE_TEST_NAME"):
            # A file, not memory, for the test database (make pytest sets it): the browser
            # tests' live server then gives each thread its own connection, with the WAL and
            # busy timeout above, as in production, instead of one shared in-memory connection.
            config["TEST"] = {"NAME": os.environ["SQLITE_TEST_NAME"]}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        options = dict(config.get("OPTIONS") or {})
        timeout_ms = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "0"))
        if timeout_ms > 0:
            options["options"] = f"-c statement_timeout={timeout_ms}"
        options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))
        if env_bool("DATABASE_POOL", False) and importlib.util.find_spec("psycopg_pool"):
            # Django >= 5.1: one pool per process; persistent connections must be off.
            options["pool"] = {
                "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
                "max_size": int(os.environ.get("DATABASE_POOL_MAX", "8")),
            }
            config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = options
    return config


DATABASES = {
    "default": _database(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'binhyen.sqlite3'}"
    )
}
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database(os.environ["DATABASE_REPLICA_URL"])
    # Tests read the replica through the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["binhyen.core.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Roles that must pass a TOTP second factor before any page is served (comma-separated).
OTP_REQUIRED_ROLES = env_list(
    "OTP_REQUIRED_ROLES", "ministry_officer,province_officer,system_admin"
)
OTP_TOTP_ISSUER = "Bình Yên"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# Content Security Policy: everything from our own origin; map tiles from the configured host.
_tile_origin = ""
if MAP_TILE_URL.startswith(("http://", "https://")):
    _tile_origin = "/".join(MAP_TILE_URL.split("/")[:3])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # blob: shows the photo an officer picked before it is sent (field app)
        "img-src": ["'self'", "data:", "blob:", *([_tile_origin] if _tile_origin else [])],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
# Numbers and dates in the Vietnamese way ("1.234.567", "8,5", "15/06/2026") and English:
# binhyen/core/locale_formats/<lang>/formats.py, used through binhyen.core.formats.
FORMAT_MODULE_PATH = ["binhyen.core.locale_formats"]
# Lists sorted in SQL use PostgreSQL's ICU Vietnamese collation (binhyen/core/collation.py);
# a server built without ICU may name another Vietnamese collation here.
VI_COLLATION = os.environ.get("VI_COLLATION", "vi-x-icu")

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "binhyen" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded files: local disk (MEDIA_ROOT) by default; MEDIA_STORAGE=s3 keeps them in an
# S3-compatible bucket (MinIO, Ceph, a cloud's object storage) through django-storages, which
# several app servers and workers must share. Files are only ever read through the storage
# API (FileField.open, default_storage), never from a path. See docs/deployment.md.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local").strip().lower()
if MEDIA_STORAGE == "s3":
    _media_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", "binhyen-media"),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_S3_ACCESS_KEY_ID")
            or os.environ.get("AWS_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("AWS_S3_SECRET_ACCESS_KEY")
            or os.environ.get("AWS_SECRET_ACCESS_KEY"),
            # Files are served by permission-checked views, never by a public URL.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            "default_acl": None,
            "file_overwrite": False,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
            "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4"),
            "location": os.environ.get("AWS_LOCATION", ""),
        },
    }
elif MEDIA_STORAGE == "local":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Cache, tasks -------------------------------------------------------------------------
_cache_url = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        # Django's Redis cache, reusing one client per pool (binhyen/core/cache.py).
        {"BACKEND": "binhyen.core.cache.RedisCache", "LOCATION": _cache_url}
        if _cache_url.startswith("redis")
        # Per process. Room for the tips' rate-limit counters and spent challenges (about
        # 270 bytes each, so at most ~27 MB): at Django's default of 300 entries a few
        # hundred sources culled them, reopening replays (docs/adr/0009-fast-tip-intake.md).
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    )
}

# --- Background tasks and schedules (docs/architecture.md, docs/adr/0011-scheduler.md) ------
# Workers (`manage.py db_worker`) on any number of machines share the database queue; tests
# run tasks in the caller (ImmediateBackend) unless a test switches to the database backend.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
        ),
        "QUEUES": ["default"],
    }
}
# --- E-mail of notifications (docs/adr/0020-notifications.md, docs/deployment.md) -------
# Sent only by the task worker and only when EMAIL_HOST is set; unset, nothing is e-mailed
# and nothing fails (notifications stay in the product).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_HOST_CONFIGURED = bool(EMAIL_HOST)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "binhyen@localhost")
# The address of the site, put before the links of e-mailed notifications ("https://...").
SITE_URL = os.environ.get("SITE_URL", "")
# A late unit is reminded of one form and period at most once in this many hours.
COMPLETENESS_REMIND_HOURS = int(os.environ.get("COMPLETENESS_REMIND_HOURS", "24"))

# A task still running after this long was orphaned by a dead worker: the "tasks_requeue"
# job makes it ready again (tasks are idempotent). Longer than the longest task.
TASKS_RUNNING_TIMEOUT_SECONDS = int(os.environ.get("TASKS_RUNNING_TIMEOUT_SECONDS", "1800"))
# The scheduler enqueues these jobs: (job id, task import path, cron expression in TIME_ZONE).
# Adding a job is one entry here; SCHEDULER_CRONTABS overrides a job's cron by id
# ("job_id=*/10 * * * *;other_job=0 3 * * *"), an empty cron turns a job off.
SCHEDULER_JOBS: list[tuple[str, str, str]] = [
    ("tips_escalate", "binhyen.tips.tasks.escalate_overdue_tips", "*/5 * * * *"),
    ("tips_metrics_sync", "binhyen.tips.tasks.tips_metrics_sync", "*/5 * * * *"),
    ("community_metrics_sync", "binhyen.community.tasks.community_metrics_sync", "10 1 * * *"),
    ("hotspots_metrics_sync", "binhyen.hotspots.tasks.hotspots_metrics_sync", "20 1 * * *"),
    ("indicators_metrics_sync", "binhyen.indicators.tasks.indicators_metrics_sync", "30 1 * * *"),
    ("indicators_rollups", "binhyen.indicators.tasks.rollups_if_stale", "0 2 * * *"),
    ("backup", "binhyen.core.tasks.backup_daily", "30 2 * * *"),
    ("exports_prune", "binhyen.core.tasks.exports_prune", "45 2 * * *"),
    ("idempotency_purge", "binhyen.core.tasks.idempotency_purge", "50 2 * * *"),
    ("tasks_requeue", "binhyen.core.tasks.requeue_stale_tasks", "*/5 * * * *"),
    ("webhooks_deliver", "binhyen.core.tasks.webhooks_deliver_due", "* * * * *"),
    ("zalo_pushes", "binhyen.tips.tasks.zalo_pushes_due", "* * * * *"),
    ("zalo_token_refresh", "binhyen.tips.tasks.zalo_token_refresh", "*/30 * * * *"),
    ("zalo_contacts_purge", "binhyen.tips.tasks.zalo_contacts_purge", "15 3 * * *"),
    ("cases_retention", "binhyen.cases.tasks.cases_anonymise_expired", "40 3 * * *"),
    ("cases_metrics_sync", "binhyen.cases.tasks.cases_metrics_sync", "25 1 * * *"),
]
SCHEDULER_CRONTABS = dict(
    item.split("=", 1)
    for item in os.environ.get("SCHEDULER_CRONTABS", "").split(";")
    if "=" in item
)
# One scheduler is active at a time: it holds a lease row renewed every HEARTBEAT seconds; a
# standby takes over once the lease is LEASE seconds old.
SCHEDULER_LEASE_SECONDS = int(os.environ.get("SCHEDULER_LEASE_SECONDS", "60"))
SCHEDULER_HEARTBEAT_SECONDS = int(os.environ.get("SCHEDULER_HEARTBEAT_SECONDS", "15"))
# A run missed by at most this long (no scheduler running) is caught up once at start.
SCHEDULER_MISFIRE_GRACE_SECONDS = int(
    os.environ.get("SCHEDULER_MISFIRE_GRACE_SECONDS", str(24 * 3600))
)
# Reintegration cases: a closed case is anonymised CASES_RETENTION_DAYS after its closure
# (the daily "cases_retention" job; no period is fixed by law yet, so it is a setting), and a
# data-subject request is due CASES_SUBJECT_REQUEST_WORKING_DAYS working days after receipt
# (Decree 356/2025/NĐ-CP).
CASES_RETENTION_DAYS = int(os.environ.get("CASES_RETENTION_DAYS", str(5 * 365)))
CASES_SUBJECT_REQUEST_WORKING_DAYS = int(os.environ.get("CASES_SUBJECT_REQUEST_WORKING_DAYS", "2"))
# Backups (`manage.py backup`, the daily "backup" job): where archives go, how many to keep.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "7"))
# Excel exports above this many rows are built by a worker (a page polls, then a download);
# their files are deleted after EXPORT_KEEP_DAYS.
EXPORT_SYNC_MAX_ROWS = int(os.environ.get("EXPORT_SYNC_MAX_ROWS", "2000"))
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "3"))
# PostgreSQL: a worker holds a lock per running task (binhyen/core/task_recovery.py), so
# "tasks_requeue" requeues a RUNNING task as soon as its lock is free (its worker died) and
# this many seconds have passed since the claim; TASKS_RUNNING_TIMEOUT_SECONDS is the rule
# on SQLite only.
TASKS_REQUEUE_GRACE_SECONDS = int(os.environ.get("TASKS_REQUEUE_GRACE_SECONDS", "30"))

# --- Logging, health, metrics (docs/architecture.md "Operations") ---------------------------
# LOG_FORMAT=json: one JSON object per line with request_id and user_id (binhyen/core/logging.py);
# never request bodies, tip contents or personal data.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "binhyen.core.logging.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "binhyen.core.logging.json_formatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # One access line per request (method, URL pattern, status, time): set to INFO.
        "binhyen.request": {"level": os.environ.get("LOG_ACCESS_LEVEL", "WARNING")},
        # The scheduler says when it takes or loses the lease and what it enqueues.
        "binhyen.scheduler": {"level": "INFO"},
        "apscheduler": {"level": "WARNING"},
    },
}
# /metrics (Prometheus) answers only "Authorization: Bearer <METRICS_TOKEN>"; unset: 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Detailed health page thresholds: queue depth, oldest waiting task, replica lag.
HEALTH_QUEUE_MAX_DEPTH = int(os.environ.get("HEALTH_QUEUE_MAX_DEPTH", "1000"))
HEALTH_QUEUE_MAX_WAIT_SECONDS = int(os.environ.get("HEALTH_QUEUE_MAX_WAIT_SECONDS", "900"))
HEALTH_REPLICA_MAX_LAG_SECONDS = int(os.environ.get("HEALTH_REPLICA_MAX_LAG_SECONDS", "30"))

# --- Product settings ---------------------------------------------------------------------
# The day pre-2025 units closed (NQ 202/2025/QH15: two-level local government from 01/07/2025).
BOUNDARY_REFORM_DATE = os.environ.get("BOUNDARY_REFORM_DATE", "2025-07-01")
PAGE_SIZE = 25
API_PAGE_SIZE_MAX = 500

# --- Citizen tips (binhyen.tips; see docs/adr/0005-tip-media.md) ---------------------------
# Service levels: acknowledge within N hours, conclude within N days, else escalate upwards.
TIPS_ACK_HOURS = int(os.environ.get("TIPS_ACK_HOURS", "24"))
TIPS_CONCLUDE_DAYS = int(os.environ.get("TIPS_CONCLUDE_DAYS", "15"))
TIPS_CLAIM_HOURS = int(os.environ.get("TIPS_CLAIM_HOURS", "8"))  # a claim lapses after this
TIPS_DUPLICATE_WINDOW_DAYS = int(os.environ.get("TIPS_DUPLICATE_WINDOW_DAYS", "7"))
# Where tips without any location go when the citizen names no province either.
TIPS_DEFAULT_PROVINCE_CODE = os.environ.get("TIPS_DEFAULT_PROVINCE_CODE", "")
# Uploads: counts and sizes per tip or follow-up; whole request size; videos on/off.
TIPS_MAX_FILES = int(os.environ.get("TIPS_MAX_FILES", "5"))
TIPS_MAX_IMAGE_BYTES = int(os.environ.get("TIPS_MAX_IMAGE_BYTES", str(10 * 1024 * 1024)))
TIPS_MAX_VIDEO_BYTES = int(os.environ.get("TIPS_MAX_VIDEO_BYTES", str(25 * 1024 * 1024)))
TIPS_MAX_REQUEST_BYTES = int(os.environ.get("TIPS_MAX_REQUEST_BYTES", str(60 * 1024 * 1024)))
TIPS_ALLOW_VIDEO = env_bool("TIPS_ALLOW_VIDEO", True)
TIPS_MAX_IMAGE_SIDE = int(os.environ.get("TIPS_MAX_IMAGE_SIDE", "2560"))
# Abuse: requests per source and window ("count/seconds"); proof-of-work difficulty in bits.
TIPS_RATE_LIMITS = {
    "submit": os.environ.get("TIPS_RATE_SUBMIT", "10/3600"),
    "follow": os.environ.get("TIPS_RATE_FOLLOW", "60/3600"),
    "lookup": os.environ.get("TIPS_RATE_LOOKUP", "20/600"),
    "challenge": os.environ.get("TIPS_RATE_CHALLENGE", "120/600"),
}
# Request header naming the client address, only behind a proxy that sets it (e.g.
# "X-Real-IP"). Empty: the socket address is used and no forwarded header is ever trusted.
TIPS_CLIENT_IP_HEADER = os.environ.get("TIPS_CLIENT_IP_HEADER", "")
TIPS_POW_BITS = int(os.environ.get("TIPS_POW_BITS", "14"))
TIPS_POW_TTL_SECONDS = int(os.environ.get("TIPS_POW_TTL_SECONDS", "1800"))
# Seconds a process keeps the units tips were routed to (0: look each one up); a change of
# the map is seen by other processes after this long.
TIPS_UNIT_CACHE_SECONDS = int(os.environ.get("TIPS_UNIT_CACHE_SECONDS", "60"))
# Indicators: at most one provider sync per period in this many seconds from public intake
# (the scheduled ``tips_escalate`` run catches up the rest).
TIPS_METRICS_SYNC_SECONDS = int(os.environ.get("TIPS_METRICS_SYNC_SECONDS", "60"))
# Zalo Official Account webhook.
TIPS_ZALO_APP_ID = os.environ.get("TIPS_ZALO_APP_ID", "")
TIPS_ZALO_OA_SECRET = os.environ.get("TIPS_ZALO_OA_SECRET", "")
TIPS_ZALO_MAX_AGE_SECONDS = int(os.environ.get("TIPS_ZALO_MAX_AGE_SECONDS", "900"))
TIPS_ZALO_OA_UNITS = dict(  # "oa_id=unit_code,oa_id=unit_code": the unit each OA serves
    item.split("=", 1) for item in env_list("TIPS_ZALO_OA_UNITS") if "=" in item
)
TIPS_ZALO_SENDER = os.environ.get("TIPS_ZALO_SENDER", "binhyen.tips.zalo.RecordingSender")
# OA API (replies pushed by workers). The access/refresh tokens seed the ZaloToken row once;
# after that the refreshed pair lives in the database (the refresh token is single-use).
TIPS_ZALO_API_BASE = os.environ.get("TIPS_ZALO_API_BASE", "https://openapi.zalo.me")
TIPS_ZALO_OAUTH_BASE = os.environ.get("TIPS_ZALO_OAUTH_BASE", "https://oauth.zaloapp.com")
TIPS_ZALO_APP_SECRET = os.environ.get("TIPS_ZALO_APP_SECRET", "")
TIPS_ZALO_ACCESS_TOKEN = os.environ.get("TIPS_ZALO_ACCESS_TOKEN", "")
TIPS_ZALO_REFRESH_TOKEN = os.environ.get("TIPS_ZALO_REFRESH_TOKEN", "")
# Refresh the access token when it expires within this many seconds (it lives ~25 hours).
TIPS_ZALO_TOKEN_MARGIN_SECONDS = int(os.environ.get("TIPS_ZALO_TOKEN_MARGIN_SECONDS", "3600"))
# Pushes of officer replies: attempts before the dead-letter list, first backoff (doubles).
TIPS_ZALO_MAX_ATTEMPTS = int(os.environ.get("TIPS_ZALO_MAX_ATTEMPTS", "6"))
TIPS_ZALO_BACKOFF_SECONDS = int(os.environ.get("TIPS_ZALO_BACKOFF_SECONDS", "30"))
# Days the OA may still write to a sender after their last message (Zalo's customer-service
# window); the Zalo user id is kept this long, then purged.
TIPS_ZALO_CONTACT_DAYS = int(os.environ.get("TIPS_ZALO_CONTACT_DAYS", "7"))
TIPS_ZALO_MEDIA_FETCHER = os.environ.get("TIPS_ZALO_MEDIA_FETCHER", "")

# --- Outbound webhooks (binhyen.core.webhooks; docs/privacy.md) ----------------------------
# Loopback/private/link-local targets are refused unless this is set (tests, closed networks).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
WEBHOOKS_TIMEOUT_SECONDS = int(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "10"))
WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("WEBHOOKS_MAX_ATTEMPTS", "8"))
# Attempt n+1 waits BACKOFF × 2^(n−1) seconds, at most BACKOFF_MAX.
WEBHOOKS_BACKOFF_SECONDS = int(os.environ.get("WEBHOOKS_BACKOFF_SECONDS", "30"))
WEBHOOKS_BACKOFF_MAX_SECONDS = int(os.environ.get("WEBHOOKS_BACKOFF_MAX_SECONDS", "21600"))
# A subscription is switched off after this many failed attempts in a row.
WEBHOOKS_DISABLE_AFTER = int(os.environ.get("WEBHOOKS_DISABLE_AFTER", "20"))
# While no webhook is active, writes skip the look-up; another process sees a newly
# registered webhook after at most this long (without a shared cache).
WEBHOOKS_NONE_CACHE_SECONDS = int(os.environ.get("WEBHOOKS_NONE_CACHE_SECONDS", "30"))

# --- Community records (binhyen.community) ------------------------------------------------
# National defaults of the numbers DOMAIN.md marks unconfirmed; a province overrides them in
# the app's GradingRules (Tổ bảo vệ ANTT: Law 30/2023/QH15, Hướng dẫn 01/HD-BCA-V05).
COMMUNITY = {
    "TEAM_SIZE_MIN": 3,  # members of one team (provincial HĐND criteria differ)
    "TEAM_SIZE_MAX": 6,
    "MEMBER_MIN_AGE": 18,  # Law 30/2023/QH15: members are citizens aged 18 or over
    "MIN_ACTIVITY_MONTHS": 9,  # months of activity in the team year needed to be graded
    "EXCELLENT_MAX_PCT_OF_GOOD": 20,  # "xuất sắc" at most this % of those graded "tốt"
    "EXCELLENT_MIN_TASK_PCT": "95",  # "xuất sắc" needs more than this % of tasks done
    "LEADER_NOT_ABOVE_TEAM": True,  # a leader's grade may not exceed the team's
    "PLEDGE_EARLY_DAYS": 60,  # a pledge for year N may be signed this many days before 1/1/N
    "UPLOAD_MAX_MB": 10,  # scanned decisions: PDF, JPG or PNG up to this size
    "RESYNC_MAX_PERIODS": 3,  # latest periods resynced at once after one change (older: the worker)
}

# --- Hotspot areas (binhyen.hotspots) -------------------------------------------------------
# Targets of the yearly transformation lists (KH 113/KH-BCA-V01): share of a year's list
# transformed, and share of the transformed areas that do not relapse, in percent.
HOTSPOTS_TRANSFORMATION_TARGET_PCT = int(os.environ.get("HOTSPOTS_TRANSFORMATION_TARGET_PCT", "60"))
HOTSPOTS_NO_RELAPSE_TARGET_PCT = int(os.environ.get("HOTSPOTS_NO_RELAPSE_TARGET_PCT", "85"))
# Periods of the hotspot state metrics re-published in the request of a write (the latest
# ones); the older ones are re-published by the worker right after commit.
HOTSPOTS_RESYNC_MAX_PERIODS = int(os.environ.get("HOTSPOTS_RESYNC_MAX_PERIODS", "3"))

# --- Indicators (binhyen.indicators) --------------------------------------------------------
# Police statistical month: from this day of the previous month to the day before it in the
# named month (SM2025M07 = 15/06–14/07/2025).
INDICATORS_STAT_MONTH_START_DAY = int(os.environ.get("INDICATORS_STAT_MONTH_START_DAY", "15"))
# Movement years as (day, month) of their first day; the year named N ends in N.
# Residential areas (TT 124/2021 Art. 8.2): 01/11–31/10. Security teams (HD 01): 15/11–14/11.
INDICATORS_MOVEMENT_YEAR_START = (1, 11)
INDICATORS_TEAM_YEAR_START = (15, 11)
# Largest value accepted for a metric that sets no maximum of its own: one billion, far
# above any count a unit reports, far below where float sums lose whole units (2^53).
INDICATORS_DEFAULT_MAX_VALUE = float(os.environ.get("INDICATORS_DEFAULT_MAX_VALUE", "1000000000"))
# Key metrics of the unit dashboard, in order.
INDICATORS_DASHBOARD_METRICS = env_list(
    "INDICATORS_DASHBOARD_METRICS",
    "crimes,serious_crimes,tips_received,tips_valuable,outreach_sessions,weapons_surrendered,"
    "cameras_installed,traffic_accidents,fires,eid_activations",
)

# --- Official documents (binhyen.documents) -------------------------------------------------
DOCUMENTS = {
    # LibreOffice's command for PDFs (Debian's libreoffice-writer-nogui; `make setup` installs it)
    "SOFFICE": os.environ.get("DOCUMENTS_SOFFICE", "soffice"),
    "PDF_TIMEOUT": int(os.environ.get("DOCUMENTS_PDF_TIMEOUT", "120")),  # seconds per conversion
    # Figures of the periodic report, in order (rows without any value are left out).
    "REPORT_METRICS": env_list(
        "DOCUMENTS_REPORT_METRICS",
        "outreach_sessions,outreach_participants,leaflets,media_posts,weapons_surrendered,"
        "cameras_installed,light_points,lit_road_km,schemes_active,villages_pledged,"
        "households_registered,tips_received,tips_valuable,crimes,serious_crimes,drug_users,"
        "traffic_accidents,fires,eid_activations",
    ),
    # The six columns of the province report's annex by commune.
    "ANNEX_METRICS": env_list(
        "DOCUMENTS_ANNEX_METRICS",
        "outreach_sessions,weapons_surrendered,cameras_installed,tips_received,crimes,"
        "eid_activations",
    ),
    "HOTSPOT_METRICS": [
        "hotspots_in_force",
        "hotspots_designated",
        "hotspots_removed",
        "hotspots_relapsed",
        "hotspot_tasks_overdue",
    ],
    "TIP_METRICS": ["tips_received", "tips_valuable", "tips_concluded", "tips_on_time"],
    "REPORT_FORM": "bao_cao_thang",  # the monthly form whose submissions the pack counts
    "TABLE_ROWS": 30,  # rows of the activity, scheme and hotspot tables
    "HIGHLIGHTS": 8,  # sentences of figures at the head of a report
    # Hooks, dotted paths (empty: none). TARGETS: f(*, user, unit, period, metric_codes) ->
    # {metric_code: target}; REWARDS: f(*, user, unit, period) -> [{"name", "parent", "result"}].
    "TARGETS": os.environ.get("DOCUMENTS_TARGETS", "binhyen.documents.hooks.unit_targets"),
    "REWARDS": os.environ.get("DOCUMENTS_REWARDS", "binhyen.documents.hooks.unit_rewards"),
}

# --- emulation and rewards (binhyen.awards) ---------------------------------------------------
# Numbers the law leaves to the unit, or that could not be confirmed: keep them here.
AWARDS = {
    # "Xuất sắc" may go to at most this share of a review's collectives (and of its officers).
    "EXCELLENT_CAP_PERCENT": int(os.environ.get("AWARDS_EXCELLENT_CAP_PERCENT", "20")),
    # Mức lương cơ sở (đồng) that the catalogue's reward coefficients multiply.
    "BASE_SALARY_VND": int(os.environ.get("AWARDS_BASE_SALARY_VND", "2340000")),
    # Days a level has to act on a proposal before it shows as late on the to-do home.
    "REGULAR_DAYS": int(os.environ.get("AWARDS_REGULAR_DAYS", "20")),
    "ADHOC_DAYS": int(os.environ.get("AWARDS_ADHOC_DAYS", "5")),
    # A review is due on this day of the movement year's last month (day, month).
    "REVIEW_DUE": (30, 11),
    # Metrics of the engine shown as evidence in a review.
    "EVIDENCE_METRICS": env_list(
        "AWARDS_EVIDENCE_METRICS", "tips_valuable,hotspots_removed,outreach_sessions"
    ),
}

# Offline field app (binhyen.field, ADR 0016): the device locks after this many idle minutes,
# offline too; the bundle holds at most this many communes; stored answers of idempotent API
# writes (header Idempotency-Key) are kept this many days.
FIELD_IDLE_MINUTES = int(os.environ.get("FIELD_IDLE_MINUTES", "60"))
FIELD_MAX_COMMUNES = int(os.environ.get("FIELD_MAX_COMMUNES", "20"))
IDEMPOTENCY_KEEP_DAYS = int(os.environ.get("IDEMPOTENCY_KEEP_DAYS", "30"))
