"""Milepost settings, read from the environment (see README "Configuration").

Development defaults are safe: DEBUG is off unless DJANGO_DEBUG says otherwise, and without
DEBUG a real DJANGO_SECRET_KEY is required.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (or DJANGO_SECRET_KEY_FILE) to a long random "
            "string, or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

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
    "csp",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "teams",
    "milestones",
    "reviews",
    "dashboard",
    "sheets",
    "nudges",
    "demo",
    "sheets_emulator",
    "api",
]

MIDDLEWARE = [
    "config.timing.ServerTimingMiddleware",  # only with MILEPOST_SERVER_TIMING=1
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "config.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "milestones.history.HistorySourceMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# A `Server-Timing` header (wall and CPU time of the request) on every response: `make load`
# turns it on to compare pages by CPU; off by default (config/timing.py).
MILEPOST_SERVER_TIMING = env_bool("MILEPOST_SERVER_TIMING", False)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL in production (postgres://user@host:5432/name); the embedded
# default is a SQLite file beside the code.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite tuned for a web app: WAL lets readers run beside the writer, IMMEDIATE takes the
    # write lock at BEGIN (no "database is locked" upgrade deadlocks), and a busy timeout
    # makes a second writer wait instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("MILEPOST_SQLITE_TIMEOUT", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # No server-side cursors: Django opens one (DECLARE ... WITH HOLD, then FETCH and CLOSE:
    # three round trips, and a result PostgreSQL copies at commit) for every .iterator(), which
    # forms run for each ModelChoiceField's options; measured on the edit row under `make load`
    # it was a third of the request's database time. Our iterations are a team's or a page's
    # rows, never big enough to need a cursor, and this is also what a transaction-pooling
    # PgBouncer in front of the database requires.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# The dashboard's reports are cached (issue 17), keyed by per-quarter change counters that
# every write bumps (`milestones.changes`), so no server ever serves a stale one. By default
# each process keeps its own in local memory; MILEPOST_CACHE_URL (redis://host:6379/0) makes
# one cache every app server shares, so a report is built once for all of them.
MILEPOST_CACHE_URL = env_str("MILEPOST_CACHE_URL")
MILEPOST_REPORT_CACHE_SECONDS = env_int("MILEPOST_REPORT_CACHE_SECONDS", 86400, minimum=1)
if MILEPOST_CACHE_URL:
    if not MILEPOST_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "MILEPOST_CACHE_URL must be a Redis URL (redis://, rediss:// or unix://), "
            f"not {MILEPOST_CACHE_URL!r}."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": MILEPOST_CACHE_URL,
            "KEY_PREFIX": "milepost",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "milepost-reports",
            "OPTIONS": {"MAX_ENTRIES": 64},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "teams.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Django's password check behind the sign-in throttle (teams/throttle.py).
    "teams.backends.ThrottledModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("MILEPOST_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# In development whitenoise serves from the app folders; production serves collected files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (secure by default once DEBUG is off) -------------------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_PROXY", False):
    # Only behind a proxy that sets this header itself (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy: nothing inline, nothing from elsewhere. htmx is configured to match
# (no indicator styles injected, no eval) in templates/base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in throttling (teams/throttle.py): wrong passwords slow an account down, never lock it.
# After this many wrong passwords for one username in an hour, each try waits 1, 2, 4 ... s.
MILEPOST_SIGNIN_FREE_FAILURES = env_int("MILEPOST_SIGNIN_FREE_FAILURES", 3, minimum=1)
# The longest wait: the right password is never refused for longer (a minute at most).
MILEPOST_SIGNIN_MAX_DELAY_SECONDS = env_int("MILEPOST_SIGNIN_MAX_DELAY_SECONDS", 60, minimum=1)
if MILEPOST_SIGNIN_MAX_DELAY_SECONDS > 60:
    raise ImproperlyConfigured(
        "MILEPOST_SIGNIN_MAX_DELAY_SECONDS must be at most 60: a longer wait would lock people "
        "out of their own account."
    )
# An address with wrong passwords for this many usernames is blocked for the minutes below
# (counted from its latest failure).
MILEPOST_SIGNIN_ADDRESS_ACCOUNTS = env_int("MILEPOST_SIGNIN_ADDRESS_ACCOUNTS", 10, minimum=2)
MILEPOST_SIGNIN_ADDRESS_BLOCK_MINUTES = env_int(
    "MILEPOST_SIGNIN_ADDRESS_BLOCK_MINUTES", 15, minimum=1
)
# A browser that signed in to an account gets a signed device cookie naming it, good for this
# many days after its latest sign-in there; with it, that account's sign-ins from that browser
# wait only for that browser's own wrong passwords (OWASP's device cookies).
MILEPOST_SIGNIN_DEVICE_DAYS = env_int("MILEPOST_SIGNIN_DEVICE_DAYS", 365, minimum=1)
# A browser with this many wrong passwords in an hour for its device cookie's account is no
# longer trusted: until they are an hour old it waits like any other client.
MILEPOST_SIGNIN_DEVICE_FAILURES = env_int("MILEPOST_SIGNIN_DEVICE_FAILURES", 10, minimum=1)
# Password-reset e-mails (teams/resets.py): one e-mail address gets at most one link per this
# many minutes and this many an hour (further requests are answered alike and send nothing);
# one client address may ask this many times an hour, for any e-mail addresses, then waits.
MILEPOST_RESET_EMAIL_INTERVAL_MINUTES = env_int(
    "MILEPOST_RESET_EMAIL_INTERVAL_MINUTES", 5, minimum=1
)
MILEPOST_RESET_EMAILS_PER_HOUR = env_int("MILEPOST_RESET_EMAILS_PER_HOUR", 3, minimum=1)
MILEPOST_RESET_ADDRESS_REQUESTS_PER_HOUR = env_int(
    "MILEPOST_RESET_ADDRESS_REQUESTS_PER_HOUR", 20, minimum=1
)
# Behind a proxy, the client's address is the X-Forwarded-For entry the nearest of this many
# proxies appended (clients can forge the rest); otherwise REMOTE_ADDR.
MILEPOST_PROXY_COUNT = (
    env_int("DJANGO_PROXY_COUNT", 1, minimum=1) if env_bool("DJANGO_BEHIND_PROXY", False) else 0
)

# --- Sign in with Google (OpenID Connect, through django-allauth) --------------------------
# The OAuth client of a Google Cloud project (README "Sign in with Google"). Without a client
# id there is no Google button. A Google account signs in as the roster person with its
# (verified) e-mail address, only from the allowed domains; nobody new is ever created.
MILEPOST_GOOGLE_CLIENT_ID = env_str("MILEPOST_GOOGLE_CLIENT_ID", "")
MILEPOST_GOOGLE_CLIENT_SECRET = env_secret("MILEPOST_GOOGLE_CLIENT_SECRET")
MILEPOST_GOOGLE_ALLOWED_DOMAINS = [
    domain.lower().lstrip("@") for domain in env_list("MILEPOST_GOOGLE_ALLOWED_DOMAINS", [])
]
# Google's OpenID Connect issuer; another provider's (or the tests' own) works the same way.
MILEPOST_OIDC_SERVER_URL = env_str("MILEPOST_OIDC_SERVER_URL", "https://accounts.google.com")
if MILEPOST_GOOGLE_CLIENT_ID and not (
    MILEPOST_GOOGLE_CLIENT_SECRET and MILEPOST_GOOGLE_ALLOWED_DOMAINS
):
    raise ImproperlyConfigured(
        "MILEPOST_GOOGLE_CLIENT_ID is set: set MILEPOST_GOOGLE_CLIENT_SECRET (or its _FILE) and "
        "MILEPOST_GOOGLE_ALLOWED_DOMAINS (your Google Workspace domains) too."
    )
# Off: only Google signs people in (the password form, reset and change are gone).
MILEPOST_PASSWORD_SIGN_IN = env_bool("MILEPOST_PASSWORD_SIGN_IN", True)
if not MILEPOST_PASSWORD_SIGN_IN and not MILEPOST_GOOGLE_CLIENT_ID:
    raise ImproperlyConfigured(
        "MILEPOST_PASSWORD_SIGN_IN=0 needs Google sign-in (MILEPOST_GOOGLE_CLIENT_ID): "
        "nobody could sign in."
    )
SOCIALACCOUNT_ADAPTER = "teams.google.RosterSocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "google",
                "name": "Google",
                "client_id": MILEPOST_GOOGLE_CLIENT_ID,
                "secret": MILEPOST_GOOGLE_CLIENT_SECRET,
                "settings": {"server_url": MILEPOST_OIDC_SERVER_URL},
            }
        ]
        if MILEPOST_GOOGLE_CLIENT_ID
        else [],
    }
}
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
if MILEPOST_GOOGLE_CLIENT_ID:
    # The sign-in form posts to Milepost, which redirects to Google: CSP's form-action covers
    # the redirect too.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        "/".join(MILEPOST_OIDC_SERVER_URL.split("/", 3)[:3])
    )

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a commitment to the browsers' preload list that only the operator of the
    # domain can make; DJANGO_SECURE_HSTS_PRELOAD=1 turns it on.
    "security.W021",
]

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("MILEPOST_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces itself at INFO in every process (`make run` starts several),
        # and runserver's reloader says it is watching, twice.
        "axes": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
    },
}

# --- E-mail (the nudges: `manage.py send_nudges`) -------------------------------------------
# The console backend prints e-mails in development; production sends through SMTP.
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set one of DJANGO_EMAIL_USE_TLS (STARTTLS, port 587) and DJANGO_EMAIL_USE_SSL "
        "(port 465), not both."
    )
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("MILEPOST_FROM_EMAIL", "Milepost <milepost@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work (django-tasks, database backend) ---------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Milepost -------------------------------------------------------------------------------
# Month in which the fiscal year starts (1 = January): quarter 1 of fiscal year Y starts on the
# first of that month in calendar year Y.
MILEPOST_FISCAL_YEAR_START_MONTH = env_int("MILEPOST_FISCAL_YEAR_START_MONTH", 1, minimum=1)
if MILEPOST_FISCAL_YEAR_START_MONTH > 12:
    raise ImproperlyConfigured("MILEPOST_FISCAL_YEAR_START_MONTH must be between 1 and 12.")
# A team whose last review is older than this is "review overdue".
MILEPOST_REVIEW_CADENCE_DAYS = env_int("MILEPOST_REVIEW_CADENCE_DAYS", 14, minimum=1)
# Where the app is served, for the links in e-mails (no trailing slash).
MILEPOST_BASE_URL = env_str("MILEPOST_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not MILEPOST_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"MILEPOST_BASE_URL={MILEPOST_BASE_URL!r} is not an http:// or https:// address."
    )
# The day leadership gets the weekly digest: 0 = Monday … 6 = Sunday.
MILEPOST_DIGEST_WEEKDAY = env_int("MILEPOST_DIGEST_WEEKDAY", 0, minimum=0)
if MILEPOST_DIGEST_WEEKDAY > 6:
    raise ImproperlyConfigured("MILEPOST_DIGEST_WEEKDAY must be between 0 (Monday) and 6 (Sunday).")

# --- Slack (issue 20) -------------------------------------------------------------------------
# The organisation's Slack incoming webhook. Set here, it wins over one set in the app (the
# Slack page shows it masked and read-only); leadership sets team and squad webhooks there.
MILEPOST_SLACK_WEBHOOK_URL = env_secret("MILEPOST_SLACK_WEBHOOK_URL").strip()
# Hosts a webhook may point at (https only). The tests' loopback receiver is let in by
# MILEPOST_SLACK_ALLOW_LOOPBACK, which only the tests set (never from the environment).
MILEPOST_SLACK_WEBHOOK_HOSTS = ["hooks.slack.com"]
MILEPOST_SLACK_ALLOW_LOOPBACK = False
if MILEPOST_SLACK_WEBHOOK_URL and not MILEPOST_SLACK_WEBHOOK_URL.startswith(
    "https://hooks.slack.com/"
):
    raise ImproperlyConfigured(
        "MILEPOST_SLACK_WEBHOOK_URL must be a Slack incoming webhook "
        "(https://hooks.slack.com/services/…)."
    )
# The key that encrypts secrets kept in the database (the webhooks set in the app). Empty: one
# is derived from SECRET_KEY, so rotating SECRET_KEY makes them unreadable (set them again);
# set this to rotate SECRET_KEY freely.
MILEPOST_SECRETS_KEY = env_secret("MILEPOST_SECRETS_KEY")
# Seconds before a post to Slack gives up (it is tried again on the next run).
MILEPOST_SLACK_TIMEOUT = env_float("MILEPOST_SLACK_TIMEOUT", 10.0, minimum=0.1)
# The longest Retry-After of a 429 that a run waits for before trying once more; longer, the
# post is left for the next run.
MILEPOST_SLACK_MAX_RETRY_AFTER = env_int("MILEPOST_SLACK_MAX_RETRY_AFTER", 10, minimum=0)

# --- The leadership Google Sheet (SPEC section 4) --------------------------------------------
# The spreadsheet's key (the long id in its URL). Empty: no sheet is configured.
MILEPOST_SHEET_KEY = env_str("MILEPOST_SHEET_KEY", "")
# Base URL of the Sheets API. Anything other than Google's is taken to be the local emulator
# (`manage.py sheets_emulator`) and is reached with anonymous credentials.
MILEPOST_SHEETS_API_URL = env_str("MILEPOST_SHEETS_API_URL", "https://sheets.googleapis.com")
# Path of the Google service-account JSON file; the sheet must be shared with that account.
GOOGLE_APPLICATION_CREDENTIALS = env_str("GOOGLE_APPLICATION_CREDENTIALS", "")
# Retries of quota (429) and server (5xx) errors: exponential backoff with jitter, honouring
# Retry-After, bounded both in attempts and in total time.
MILEPOST_SHEETS_MAX_ATTEMPTS = env_int("MILEPOST_SHEETS_MAX_ATTEMPTS", 6, minimum=1)
MILEPOST_SHEETS_BACKOFF_BASE = env_float("MILEPOST_SHEETS_BACKOFF_BASE", 1.0, minimum=0)
MILEPOST_SHEETS_BACKOFF_MAX = env_float("MILEPOST_SHEETS_BACKOFF_MAX", 32.0, minimum=0)
MILEPOST_SHEETS_RETRY_DEADLINE = env_float("MILEPOST_SHEETS_RETRY_DEADLINE", 120.0, minimum=0)
MILEPOST_SHEETS_TIMEOUT = env_float("MILEPOST_SHEETS_TIMEOUT", 30.0, minimum=0.1)
# How a bare ticket key typed in a column mapped to the ticket link ("PLAT-123") becomes its
# link: a web address with {key} where the key goes. Empty: such a key is reported per cell.
MILEPOST_TICKET_URL_TEMPLATE = env_str("MILEPOST_TICKET_URL_TEMPLATE", "")
if MILEPOST_TICKET_URL_TEMPLATE and not (
    MILEPOST_TICKET_URL_TEMPLATE.startswith(("http://", "https://"))
    and "{key}" in MILEPOST_TICKET_URL_TEMPLATE
):
    raise ImproperlyConfigured(
        f"MILEPOST_TICKET_URL_TEMPLATE={MILEPOST_TICKET_URL_TEMPLATE!r} must be an http:// or "
        "https:// address with {key} where the ticket key goes, e.g. "
        "https://jira.example.com/browse/{key}."
    )
# How long a sync run's lock lasts if its process dies (a live run renews it between steps).
MILEPOST_SYNC_LOCK_SECONDS = env_int("MILEPOST_SYNC_LOCK_SECONDS", 15 * 60, minimum=30)
