"""Dispatch settings: one module, configured from environment variables.

DEBUG is off unless DEBUG=true; development defaults (a generated key, local hosts) apply
only then, and production values (secret key, hosts) fail loudly when missing with DEBUG
off. Every variable is documented in README.md and .env.example.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

from portal.email_url import parse as parse_email_url
from portal.logs import wants_json

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def _development_secret_key() -> str:
    # Kept under var/ (ignored by git) so sessions and signed forms survive a restart.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Off unless asked for (make run asks): guessing "development" from missing variables would
# serve tracebacks to anyone a proxy forwards as Host: 127.0.0.1.
DEBUG = env_bool("DEBUG", False)

if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. python -c "
            "'import secrets; print(secrets.token_urlsafe(50))'). On a development machine, "
            "set DEBUG=true instead (make run, make check and make migrate do)."
        )
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("SITE_NAME", "Dispatch")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "articles",
    "comments",
    "newsletter",
    "django_tasks_db",
    "axes",
    "portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Answers /healthz before the host check, sessions and CSRF (portal/middleware.py).
    "portal.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Cache-Control and Vary for every response (portal/http_cache.py); above the session
    # and CSRF middleware, so it sees the cookies they set.
    "portal.http_cache.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost, so the page it writes gets the security headers of the ones above.
    "portal.errors.MethodNotAllowedPageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site",
                "articles.context_processors.font_size",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise. WAL lets readers work
# while a writer commits; IMMEDIATE transactions and a busy timeout make concurrent
# writers queue instead of failing with "database is locked".
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: it costs tens of milliseconds on a page's short queries whose
        # plans carry a large estimate for a branch that never runs (comments.tallies).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                ),
            },
            # Tests use a file too, so concurrency is tested against real WAL locking; one per
            # process, so two test runs never share it.
            "TEST": {"NAME": VAR_DIR / f"test-{os.getpid()}.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every web process, so rate limits and page
# invalidation hold across processes and machines); otherwise this process's memory, which
# `check --deploy` refuses with DEBUG off (portal/checks.py). Short timeouts: a Redis that
# hangs must not hang the request; pages then render without it (portal/shared_cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, reusing its redis-py client (portal/redis_cache.py).
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dispatch",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions: in the database, read through Redis when there is one (portal/sessions.py: a
# signed-in editor's page costs a cache read, not a query; a Redis outage loses nothing).
# Without Redis, the database alone: a per-process cache would show each process its own.
SESSION_ENGINE = "portal.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"

# Logins go through django-axes first, which refuses a locked-out account and address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login throttling: after AXES_FAILURE_LIMIT wrong passwords for one account from one
# address, that account cannot log in from that address until the cool-off has passed.
# Keyed on the pair, not the account alone (an attacker could then lock a moderator out
# from everywhere) nor the address alone (a newsroom shares one).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True  # a right password forgets the typos before it
AXES_CLIENT_IP_CALLABLE = "portal.login_throttle.client_address"
AXES_LOCKOUT_CALLABLE = "portal.login_throttle.lockout_response"
AXES_VERBOSE = False  # failures and lockouts are still logged; no banner on every command

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Article URLs carry the publication date, so the zone that decides the date is fixed.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Without a manifest (before collectstatic) fall back to plain names instead of failing.
WHITENOISE_MANIFEST_STRICT = False

MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# The shared HTTP cache (nginx, a CDN; portal/http_cache.py): anonymous reader pages are
# kept this many seconds, then served stale for up to SHARED_CACHE_STALE_SECONDS more while
# one request refreshes them. A change reaches readers within about SHARED_CACHE_SECONDS.
SHARED_CACHE_SECONDS = env_int("SHARED_CACHE_SECONDS", 10)
SHARED_CACHE_STALE_SECONDS = env_int("SHARED_CACHE_STALE_SECONDS", 60)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. The CSP allows nothing inline and no origin but our own.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
# Readers' forms are checked by origin (portal/csrf.py); the admin's by Django's token.
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# Both promise something about every subdomain of the site's domain, which only its operator
# knows; so both are asked for, not assumed.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    # Only when a proxy in front terminates TLS and sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append the address they were reached from to X-Forwarded-For
# (nginx: 1). Rate limits key on the address the outermost one saw; 0 uses REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# Articles per page on the home and topic pages.
ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 20)

# Story tips: how many one client may send per window (seconds).
TIP_RATE_LIMIT = (env_int("TIP_RATE_LIMIT", 5), env_int("TIP_RATE_WINDOW", 3600))

# Logs go to standard error: one JSON object per line (portal/logs.py) when DEBUG is off,
# plain text with DEBUG on; LOG_FORMAT=json or text chooses either way. Django's request and
# error logs, runserver's and the project's own loggers all propagate to the root's handler.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "")
if LOG_FORMAT not in {"", "json", "text"}:
    raise ImproperlyConfigured(f'LOG_FORMAT must be "json" or "text", not {LOG_FORMAT!r}')
LOG_FORMAT = "json" if wants_json(debug=DEBUG, log_format=LOG_FORMAT) else "text"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portal.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own handlers are replaced (its console one would print every line twice in
    # development; mail_admins has no ADMINS to write to): everything reaches the root's.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# Comments. Lengths in characters, times in seconds.
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 3000)
COMMENT_MIN_SECONDS = env_int("COMMENT_MIN_SECONDS", 3)  # faster than this is a bot
# A form token sends one comment and expires after this long: room to write at leisure, but
# a harvested token is soon useless. An expired form keeps the text and gets a new token.
COMMENT_FORM_MAX_AGE = env_int("COMMENT_FORM_MAX_AGE", 2 * 3600)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
# Report weight that holds a published comment: a report counts 2 from a client whose own
# comments were published, 1 from anyone else (comments.services.report).
COMMENT_REPORTS_TO_HOLD = env_int("COMMENT_REPORTS_TO_HOLD", 4)
# Reports one client may file per hour; more are refused with 429.
COMMENT_REPORTS_PER_HOUR = env_int("COMMENT_REPORTS_PER_HOUR", 10)
# Seconds after filing a report in which its reader may withdraw it (the "Undo" button).
COMMENT_REPORT_UNDO_SECONDS = env_int("COMMENT_REPORT_UNDO_SECONDS", 60)
# Days a comment's or report's client key is kept (manage.py clear_client_keys blanks it).
COMMENT_CLIENT_KEY_DAYS = env_int("COMMENT_CLIENT_KEY_DAYS", 30)
# Hard limits (refused with 429), (count, window): an office or a mobile carrier puts many
# readers behind one address, so the per-address limit is high; the tight ones are per
# browser (the commenter's fingerprint) and per user name, and trusted commenters skip them.
# The screening's flood hold (SignalsCheck below) counts the same browser and name.
COMMENT_RATE_WINDOW = env_int("COMMENT_RATE_WINDOW", 600)
COMMENT_RATE_LIMIT_ADDRESS = (env_int("COMMENT_RATE_LIMIT_ADDRESS", 60), COMMENT_RATE_WINDOW)
COMMENT_RATE_LIMIT_FINGERPRINT = (
    env_int("COMMENT_RATE_LIMIT_FINGERPRINT", 6),
    COMMENT_RATE_WINDOW,
)
COMMENT_RATE_LIMIT_NAME = (env_int("COMMENT_RATE_LIMIT_NAME", 6), COMMENT_RATE_WINDOW)
# A banned commenter's new comments: "refuse" (told so, the text kept) or "hold" (held for
# the moderators without telling them).
COMMENT_BAN_MODE = os.environ.get("COMMENT_BAN_MODE", "refuse")
if COMMENT_BAN_MODE not in {"refuse", "hold"}:
    raise ImproperlyConfigured(
        f'COMMENT_BAN_MODE must be "refuse" or "hold", not {COMMENT_BAN_MODE!r}'
    )

# Comment screening: every comment passes these checks (comments/screening/); the strictest
# verdict wins. Each check's docstring lists its OPTIONS. The form itself refuses bots (the
# honeypot, and a comment sent faster than COMMENT_MIN_SECONDS) before screening.
COMMENT_SCREENING_CHECKS = [
    # Flood: more than 3 earlier comments in COMMENT_RATE_WINDOW from one browser
    # ("client": the commenter's fingerprint, not the address) or under one name holds.
    {
        "NAME": "comments.screening.signals.SignalsCheck",
        "OPTIONS": {"max_recent_by_client": 3, "max_recent_by_name": 3},
    },
    # Exact rules: banned terms (with obfuscation undone), links and contact details.
    {
        "NAME": "comments.screening.terms.TermCheck",
        "OPTIONS": {"extra_banned": [], "extra_suspect": [], "allow": []},
    },
    {"NAME": "comments.screening.spam.SpamCheck", "OPTIONS": {"max_links": 1}},
    {
        "NAME": "comments.screening.language.LanguageCheck",
        "OPTIONS": {"covered": ["en", "ru", "zh"]},
    },
    {
        "NAME": "comments.screening.shouting.ShoutingCheck",
        "OPTIONS": {"min_letters": 20, "max_upper": 0.7},
    },
    # The learned model (comments/screening/model.py, trained by manage.py train_screening):
    # the calibrated probability of each label holds or removes; below min_ok it holds, and
    # a comment of fewer than min_words_to_remove words is at most held.
    {
        "NAME": "comments.screening.classifier.ModelCheck",
        "OPTIONS": {
            "remove": {"abusive": 0.9995, "hate": 0.9995, "spam": 0.9995},
            "hold": {"abusive": 0.3, "hate": 0.2, "spam": 0.3, "off_topic": 0.3},
            "min_ok": 0.7,
            "min_words_to_remove": 6,
        },
    },
]

# Background tasks (Django's tasks framework) stored in the database; `manage.py db_worker`
# runs them (make run starts one beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# /healthz reports the task queue down when the oldest task ready to run has waited longer
# than this (seconds): no worker is running, or the workers cannot keep up.
HEALTHZ_TASK_MAX_AGE = env_int("HEALTHZ_TASK_MAX_AGE", 600)

# Newsletter and e-mail.

# Where e-mail goes, as one URL (portal/email_url.py): console: (the default), file:/path,
# smtp://host:port, smtp+tls://user:pass@host:587, smtps://...
EMAIL_URL = os.environ.get("EMAIL_URL", "") or "console:"
MAILERS = {"default": parse_email_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "") or f"{SITE_NAME} <news@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if "\r" in DEFAULT_FROM_EMAIL or "\n" in DEFAULT_FROM_EMAIL:
    raise ImproperlyConfigured("DEFAULT_FROM_EMAIL must be on one line")
# The site's public address. E-mails are written by the worker, outside any request, so
# their links (confirm, unsubscribe, articles) are built on this.
SITE_URL = (os.environ.get("SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")) or any(c.isspace() for c in SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL must be an http(s) address, not {SITE_URL!r}")
# Seconds a confirmation link stays valid; a pending address gets at most one new link
# per NEWSLETTER_RESEND_SECONDS.
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", 3 * 24 * 3600)
NEWSLETTER_RESEND_SECONDS = env_int("NEWSLETTER_RESEND_SECONDS", 3600)
# Subscribe attempts one client may make per window (seconds); more are refused with 429.
NEWSLETTER_RATE_LIMIT = (
    env_int("NEWSLETTER_RATE_LIMIT", 10),
    env_int("NEWSLETTER_RATE_WINDOW", 3600),
)
# Messages one task sends over one SMTP connection; a worker holds a batch's rows this
# many seconds at most before another may take what it has not sent.
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 200)
NEWSLETTER_CLAIM_SECONDS = env_int("NEWSLETTER_CLAIM_SECONDS", 600)
# The most articles one issue carries (the newest win).
NEWSLETTER_MAX_ARTICLES = env_int("NEWSLETTER_MAX_ARTICLES", 30)
