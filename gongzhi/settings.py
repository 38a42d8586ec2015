"""Gongzhi settings, read from the environment (12-factor).

SQLite (WAL) is the embedded default so that a checkout plus ``make run`` just works;
``DATABASE_URL=postgres://...`` switches to PostgreSQL, the production database.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (docker/k8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)
# The development path (`make run`, `make test`, the test settings): the published development keys and plain
# HTTP on 127.0.0.1 are allowed only with DEBUG on or GONGZHI_DEV=1 (the Makefile sets it). Anything else is
# production: it refuses to start without its own SECRET_KEY and FIELD_ENCRYPTION_KEY and turns the HTTPS
# hardening on unless told otherwise.
DEV = DEBUG or env_bool("GONGZHI_DEV", False)
DEV_SECRET_KEY = "gongzhi-dev-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env_secret("SECRET_KEY") or ""
# Key for field-level encryption of personal data (身份证). 32 bytes, base64 or any string (hashed). Never the
# SECRET_KEY's fallback in production: 身份证 ciphertexts under a published key are plaintext.
FIELD_ENCRYPTION_KEY = env_secret("FIELD_ENCRYPTION_KEY") or ""
if DEV:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or SECRET_KEY
else:
    _HOW = " (or set GONGZHI_DEV=1 for a development machine: `make run` does)"
    if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be set to a secret of your own in production" + _HOW)
    if not FIELD_ENCRYPTION_KEY or FIELD_ENCRYPTION_KEY in (SECRET_KEY, DEV_SECRET_KEY):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be set in production, apart from SECRET_KEY (it encrypts 身份证)" + _HOW)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# --- HTTPS hardening (check --deploy): on in production unless switched off, off on a development machine
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEV)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's plain-HTTP health check is answered, not redirected
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEV else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEV)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEV)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips the client's): SECURE_PROXY_SSL_HEADER=1
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# How many reverse proxies in front of the app append to X-Forwarded-For: the client's IP for the audit log is
# the entry that many places from the right. 0 (the default) = REMOTE_ADDR, X-Forwarded-For ignored.
GONGZHI_TRUSTED_PROXIES = env_int("GONGZHI_TRUSTED_PROXIES", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rules",
    "axes",
    "csp",
    "gongzhi.core",
    "gongzhi.places",
    "gongzhi.people",
    "gongzhi.notices",
    "gongzhi.workorders",
    "gongzhi.assembly",
    "gongzhi.meetings",
    "gongzhi.site",
]

MIDDLEWARE = [
    "gongzhi.core.middleware.BodySizeLimitMiddleware",  # first: a too-large body is refused before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongzhi.core.middleware.AbsoluteSessionMiddleware",
    "gongzhi.core.scope.ScopeSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongzhi.core.middleware.RejectNulMiddleware",  # after auth: its 400 page is the site's own
    "gongzhi.core.middleware.ClientIPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gongzhi.site.context_processors.shell",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# SQLite, whether it is the default or named by DATABASE_URL=sqlite:///…: writers queue (IMMEDIATE, busy timeout)
# instead of failing with "database is locked", readers never wait for writers (WAL).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "gongzhi.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_PATH") or None}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # a test database per database name, so two suites on one server do not collide
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "TEST_DB_NAME", f"test_{DATABASES['default']['NAME']}")
    # JIT compiling pays off for long analytic queries, not for an app's: on the requests' queue and
    # 三率 it added 100–300 ms to plans whose cost passed jit_above_cost (docs/bench.md)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "gongzhi.people.auth.UsernameOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "gongzhi.people.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},  # in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the age counts from the last request
# however active, a session ends this long after sign-in (等保: no session lives forever)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own static files — no inline script, no eval
# (Alpine.js is its CSP build, components registered in static/gongzhi/components.js). Inline styles stay
# allowed: a style attribute cannot run code, and the pickers and Swagger UI set them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# django-axes: lock after repeated failures, keyed on the account (people.auth.lockout_key: every spelling of
# a phone and the username of the same account are one key) — the account with one IP after
# AXES_FAILURE_LIMIT failures, and the account from any number of IPs after AXES_ACCOUNT_FAILURE_LIMIT
# (people.auth.AccountLockoutHandler)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ACCOUNT_FAILURE_LIMIT = env_int("AXES_ACCOUNT_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]  # the handler reads them in this order
AXES_HANDLER = "gongzhi.people.auth.AccountLockoutHandler"
AXES_USERNAME_CALLABLE = "gongzhi.people.auth.lockout_key"
AXES_CLIENT_IP_CALLABLE = "gongzhi.core.middleware.ip_of"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "gongzhi" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# a request body's fields without its files (forms, JSON): Django's own default
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# the whole body, files included, refused (413) from its Content-Length before anything parses it: the largest
# legitimate body is an import (IMPORT_MAX_BYTES) or five 5 MB photos, plus the form around them
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 30 * 1024 * 1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Excel import budgets (a crafted .xlsx compresses ~1000×): checked on the zip's entries before parsing, and
# on rows and cells while the sheet is streamed. A file over any of them is refused with the reason on the job.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_RATIO = env_int("IMPORT_MAX_RATIO", 100)  # per entry of more than 1 MB; real workbooks are 5–20×
IMPORT_MAX_SHARED_STRINGS_BYTES = env_int("IMPORT_MAX_SHARED_STRINGS_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 2_000_000)
# A job 校验中/写入中 whose worker has not reported for this long is reclaimed by the tick: queued again
# (its earlier attempt wrote nothing) up to IMPORT_MAX_ATTEMPTS runs, then marked failed with the reason.
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 10)
IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 2)
# Days an uploaded import file (full 身份证 numbers in plaintext) is kept after its job finished; 0 = deleted
# as soon as the job is done, valid or not.
IMPORT_FILE_RETENTION_DAYS = env_int("GONGZHI_IMPORT_FILE_RETENTION_DAYS", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # the log channel (notices.channels.LogChannel) writes at INFO: without a gateway it is how a verification
    # code reaches whoever passes it on
    "loggers": {"gongzhi.notices": {"level": os.environ.get("NOTICES_LOG_LEVEL", "INFO")}},
}

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 200

# Run Excel imports in the request's thread after commit (tests) instead of leaving them to the worker
# (``manage.py tick`` or ``manage.py run_imports``), through the same function the worker calls.
IMPORTS_INLINE = env_bool("IMPORTS_INLINE", False)

# Every setting the code reads is declared here (read with ``settings.X``, never ``getattr(settings, "X", …)``).
# Rows in one Excel export: a sheet that size still opens in Excel and WPS on an office PC.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 50_000)
# The working day, for deadlines in working hours (HH:MM, local time).
WORKDAY_START = os.environ.get("WORKDAY_START", "09:00")
WORKDAY_END = os.environ.get("WORKDAY_END", "17:30")
# 业委会 size (some cities allow 3 for small compounds).
COMMITTEE_MIN_SEATS = env_int("COMMITTEE_MIN_SEATS", 5)
COMMITTEE_MAX_SEATS = env_int("COMMITTEE_MAX_SEATS", 11)
# Outside channels notices go to besides the in-app inbox (dotted paths; comma-separated in the environment).
NOTIFICATION_CHANNELS = [c.strip() for c in os.environ.get(
    "NOTIFICATION_CHANNELS", "gongzhi.notices.channels.LogChannel").split(",") if c.strip()]
# The address residents reach this installation at: the QR sheets (楼栋二维码) encode links under it.
GONGZHI_PUBLIC_URL = os.environ.get("GONGZHI_PUBLIC_URL", "http://127.0.0.1:8000")
# Open311 discovery: who runs this endpoint and how a client gets an api_key.
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "共治平台运维：请联系所在街道办事处或平台管理员")
OPEN311_KEY_SERVICE = os.environ.get(
    "OPEN311_KEY_SERVICE", "api_key 为平台的 API 令牌：由有岗位的工作人员在“API 令牌”页面（/accounts/tokens/）签发，"
    "12345 热线对接账号由平台管理员签发")
# Open311 by location: a point outside every compound's boundary goes to the nearest compound whose centre is
# within this many metres (docs/open311.md); 1..5000.
GONGZHI_OPEN311_RADIUS_M = env_int("GONGZHI_OPEN311_RADIUS_M", 300)
if not 1 <= GONGZHI_OPEN311_RADIUS_M <= 5000:
    raise ImproperlyConfigured("GONGZHI_OPEN311_RADIUS_M must be between 1 and 5000 metres")
