"""Settings for Jiceng. Everything a deployment changes comes from the environment.

Local defaults are safe for a laptop: SQLite in WAL mode under ./var, DEBUG on only
when JICENG_DEBUG=1, a generated secret key and data key for development that a
production deployment must replace (see docs/operator-guide.md).
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("JICENG_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("JICENG_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("JICENG_DEBUG", False)
TESTING = env_bool("JICENG_TESTING", False)

# Development keys are fixed strings so that a restarted `make run` keeps sessions and
# can still decrypt its own demo data; production refuses to start with them.
DEV_SECRET_KEY = "jiceng-development-only-secret-key-change-me-0123456789abcdef"
SECRET_KEY = os.environ.get("JICENG_SECRET_KEY", DEV_SECRET_KEY)
# 32 bytes, hex: the first half keys SM4 encryption, the second the SM3-HMAC blind index.
DEV_DATA_KEY = "00112233445566778899aabbccddeeff" * 2
DATA_KEY = os.environ.get("JICENG_DATA_KEY", DEV_DATA_KEY)
PRODUCTION = env_bool("JICENG_PRODUCTION", False)
# Django's own deploy check asks for at least 50 characters and 5 distinct ones; a short
# key signs sessions, password-reset tokens and device cookies that can be forged.
SECRET_KEY_MIN_LENGTH = 50
if PRODUCTION:
    if SECRET_KEY == DEV_SECRET_KEY or DATA_KEY == DEV_DATA_KEY:
        raise RuntimeError("JICENG_SECRET_KEY and JICENG_DATA_KEY must be set in production")
    if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < 5:
        raise RuntimeError(
            f"JICENG_SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} random characters"
        )

# The audit chain's HMAC key (32 bytes, hex), from the environment or a key file whose
# first line is the current key and further lines earlier keys (still needed to verify
# the entries they chained). Never in the database: its owner must not be able to
# recompute the chain (docs/decisions/0010-audit-evidence.md).
DEV_AUDIT_KEY = "a0d17c4a1e5e7c0de" + "0" * 47
AUDIT_KEY_FILE = os.environ.get("JICENG_AUDIT_KEY_FILE", "")
AUDIT_KEY = os.environ.get("JICENG_AUDIT_KEY", "" if AUDIT_KEY_FILE else DEV_AUDIT_KEY)
AUDIT_PREVIOUS_KEYS = env_list("JICENG_AUDIT_PREVIOUS_KEYS", [])
if PRODUCTION and AUDIT_KEY == DEV_AUDIT_KEY:
    raise RuntimeError("JICENG_AUDIT_KEY or JICENG_AUDIT_KEY_FILE must be set in production")
# Where the evidence that lives outside the database goes: signed checkpoints (an
# append-only JSON-lines file), archive segments and, by default, the Ed25519 signing
# key (generated on first use outside production).
AUDIT_DIR = Path(os.environ.get("JICENG_AUDIT_DIR", VAR_DIR / "audit"))
AUDIT_CHECKPOINT_FILE = os.environ.get("JICENG_AUDIT_CHECKPOINT_FILE", "")
AUDIT_SIGNING_KEY_FILE = os.environ.get("JICENG_AUDIT_SIGNING_KEY_FILE", "")
AUDIT_VERIFY_KEY_FILE = os.environ.get("JICENG_AUDIT_VERIFY_KEY_FILE", "")
# A checkpoint is signed after this many entries or this many minutes, whichever first.
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("JICENG_AUDIT_CHECKPOINT_EVERY", "1000"))
AUDIT_CHECKPOINT_MINUTES = int(os.environ.get("JICENG_AUDIT_CHECKPOINT_MINUTES", "10"))

ALLOWED_HOSTS = env_list("JICENG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JICENG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "jiceng.core",
    "jiceng.accounts",
    "jiceng.orgs",
    "jiceng.members",
    "jiceng.places",
    "jiceng.appeals",
    "jiceng.cobuild",
    "jiceng.orglife",
    "jiceng.integrations",
    "jiceng.assessment",
    "jiceng.linkage",
    "jiceng.duties",
    "jiceng.supervision",
    "jiceng.ledgers",
    "jiceng.dashboard",
    "jiceng.demo",
]

MIDDLEWARE = [
    "jiceng.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Open311 filing (a machine POST with an api_key) skips the rest of this list.
    "jiceng.appeals.middleware.Open311FilingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jiceng.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiceng.core.inputs.QueryStringMiddleware",
    "axes.middleware.AxesMiddleware",
    "jiceng.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiceng.accounts.context_processors.roles",
                "jiceng.integrations.context_processors.systems",
                "jiceng.linkage.context_processors.inbox",
            ],
        },
    }
]

# SQLite by default (WAL mode, set on every new connection by core.apps); DATABASE_URL
# switches to PostgreSQL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_SQLITE = VAR_DIR / "jiceng.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DEFAULT_SQLITE}",
        conn_max_age=int(os.environ.get("JICENG_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jiceng.accounts.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "jiceng.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "jiceng.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "jiceng.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: a sliding 30-minute idle timeout, as MLPS level 3 asks.
SESSION_COOKIE_AGE = int(os.environ.get("JICENG_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("JICENG_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The reverse proxies in front of the app servers (addresses or networks). Only their
# X-Forwarded-For and X-Forwarded-Proto are believed: core.clientip reads the client's
# address through them for lockout, login throttles and rate limits alike, and Django
# learns from them that the browser spoke HTTPS. The proxy must overwrite, not pass on,
# X-Forwarded-Proto. JICENG_TRUSTED_PROXY=1 (the earlier switch) means a proxy on the
# same machine.
TRUSTED_PROXIES = env_list("JICENG_TRUSTED_PROXIES", [])
if not TRUSTED_PROXIES and env_bool("JICENG_TRUSTED_PROXY", False):
    TRUSTED_PROXIES = ["127.0.0.1", "::1"]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise RuntimeError(f"JICENG_TRUSTED_PROXIES: not an address or network: {_proxy}") from None
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("JICENG_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# Makes the host eligible for browsers' preload lists (it submits nothing by itself).
SECURE_HSTS_PRELOAD = env_bool("JICENG_HSTS_PRELOAD", PRODUCTION)

# Lockout (django-axes): 5 failures for one username from one client address lock that
# pair for 30 minutes. The pair, not the username alone: a stranger must not be able to
# lock the owner out. The username alone is slowed instead, and one address trying many
# usernames (password spraying) is stopped; see accounts.login_guard.
AXES_FAILURE_LIMIT = int(os.environ.get("JICENG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jiceng.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "jiceng.core.clientip.client_address"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("JICENG_AXES_ENABLED", True)
# Login throttles (accounts.login_guard), counted over the failures of the last window.
LOGIN_THROTTLE_WINDOW_SECONDS = 15 * 60
# One client address, any usernames: this many failures stop it for the rest of the window.
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("JICENG_LOGIN_ADDRESS_LIMIT", "20"))
# One username, any addresses: past this many failures, one attempt per delay.
LOGIN_USERNAME_SLOW_AFTER = int(os.environ.get("JICENG_LOGIN_USERNAME_SLOW_AFTER", "10"))
LOGIN_USERNAME_DELAY_SECONDS = 30
# A browser the owner signed in from before carries a signed device cookie and is spared
# both throttles for that account (OWASP "device cookies").
LOGIN_DEVICE_COOKIE = "jiceng_device"
LOGIN_DEVICE_COOKIE_DAYS = 180

# Second factor: the roles that must pass TOTP after the password. District admins by
# default; a deployment may set JICENG_TOTP_ROLES="" to turn it off, or add roles.
TOTP_REQUIRED_ROLES = env_list("JICENG_TOTP_ROLES", ["district_admin"])
OTP_TOTP_ISSUER = "Jiceng 基层"

# Content Security Policy: no inline script or style anywhere; htmx and ECharts are
# served from static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Cache: rate limits and the like. Local memory on one machine; Redis when several app
# servers share the work.
REDIS_URL = os.environ.get("JICENG_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Appeals: how often one client may file without logging in, and how long a resident has
# to rate a reply before the case closes by itself.
APPEAL_PUBLIC_LIMIT = int(os.environ.get("JICENG_APPEAL_PUBLIC_LIMIT", "10"))
APPEAL_PUBLIC_WINDOW_SECONDS = 3600
APPEAL_RATING_DAYS = 7
# How long an app server trusts what it read of Open311 keys, categories and places when
# filing (appeals.intake); a revoked key is refused at once all the same.
INTAKE_CACHE_SECONDS = int(os.environ.get("JICENG_INTAKE_CACHE_SECONDS", "60"))
# The filing statement is prepared once per PostgreSQL connection; turn off behind a
# pooler in transaction mode that cannot keep prepared statements (PgBouncer < 1.21).
INTAKE_PREPARE = env_bool("JICENG_INTAKE_PREPARE", True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# SQLite cannot enforce "NULLS NOT DISTINCT" on the routing rules' (category, area) pair;
# the service writes rules with update_or_create, so one rule per pair holds anyway.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# Nothing personal is logged: requests are logged by path only, and views never put
# personal data in a path (see DESIGN "Security and personal data").
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JICENG_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "ERROR"}},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
# The bounded offset (core/pagination.py) for a bare `@paginate` too.
NINJA_PAGINATION_CLASS = "jiceng.core.pagination.LimitOffsetPagination"

# Jobs a user starts (member imports, large exports, ledgers: core.jobs): django-tasks.
# The database backend queues them for `jiceng db_worker` (docs/operator-guide.md);
# JICENG_TASKS_BACKEND=immediate runs each in the request that submitted it, which is
# what `make run` sets, so that a laptop or a demo needs no worker process.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[os.environ.get("JICENG_TASKS_BACKEND", "database")]}}

# Full (unmasked) exports of personal data one person may make a day (core.exports).
FULL_EXPORT_DAILY_LIMIT = int(os.environ.get("JICENG_FULL_EXPORT_DAILY_LIMIT", "3"))

# How often the big screen (大屏, dashboard/screen) reads its figures again, in seconds.
SCREEN_REFRESH_SECONDS = max(5, int(os.environ.get("JICENG_SCREEN_REFRESH_SECONDS", "60")))

# A unit registered within this many days and still uncovered is "new" (增加一个，组建一个).
NEW_UNIT_DAYS = 30
# Units with at least this many formal members must form their own organization.
OWN_ORG_MIN_MEMBERS = 3

# What a 503 (the database not answering) tells clients to wait before retrying.
JICENG_RETRY_AFTER_SECONDS = int(os.environ.get("JICENG_RETRY_AFTER_SECONDS", "30"))

# Notifications on other channels than the inbox (linkage.senders), all off by default:
# email through Django's mail settings, a WeCom group robot's webhook, an HTTP SMS gateway.
NOTIFY_EMAIL = os.environ.get("JICENG_NOTIFY_EMAIL", "") == "1"
WECOM_WEBHOOK_URL = os.environ.get("JICENG_WECOM_WEBHOOK_URL", "")
SMS_GATEWAY_URL = os.environ.get("JICENG_SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("JICENG_SMS_GATEWAY_TOKEN", "")
# `jiceng outbox deliver`: attempts before giving up, the first retry's delay (doubled
# each time), and how long a message may stay `sending` before it is `failed_unknown`.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("JICENG_OUTBOX_MAX_ATTEMPTS", "5"))
OUTBOX_RETRY_SECONDS = int(os.environ.get("JICENG_OUTBOX_RETRY_SECONDS", "60"))
OUTBOX_SENDING_TIMEOUT = int(os.environ.get("JICENG_OUTBOX_SENDING_TIMEOUT", "600"))
