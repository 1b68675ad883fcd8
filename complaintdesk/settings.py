"""ComplaintDesk settings: one file, read from the environment with safe local defaults."""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from complaintdesk.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
# Old keys, comma-separated, still accepted while sessions and links signed with them expire (a key rotation).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # django-axes under a name of our catalogue (its package has no Chinese); its label stays "axes".
    "complaintdesk.accounts.login_protection.LoginProtectionConfig",
    "csp",
    # Listed so /api/v1/docs uses ninja's own Swagger UI files, not its CDN fallback (and passes the CSP).
    "ninja",
    "complaintdesk.merchants",
    "complaintdesk.accounts",
    "complaintdesk.deadlines.apps.DeadlinesConfig",
    "complaintdesk.complaints",
    "complaintdesk.centre",
    "complaintdesk.notify",
    "complaintdesk.alerts",
    "complaintdesk.promotions",
    "complaintdesk.pledges",
    "complaintdesk.search",
    "complaintdesk.stats",
    "complaintdesk.ops",
    "complaintdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "complaintdesk.web.middleware.UncoveredYear",
    # Last, as django-axes asks: turns a locked-out login into accounts.lockout's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "complaintdesk.urls"
WSGI_APPLICATION = "complaintdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite is the embedded default: WAL lets readers run beside the one writer, IMMEDIATE transactions take
# the write lock up front (no "database is locked" upgrade deadlocks), and the timeout waits for it.
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))
_SQLITE_DEFAULT = {
    "ENGINE": "complaintdesk.lib.sqlite",  # Django's, with one writer per process (lib/sqlite/base.py)
    "NAME": DATA_DIR / "complaintdesk.sqlite3",
    # Kept open between requests like PostgreSQL's: opening a SQLite connection runs the init PRAGMAs and
    # closing the last one checkpoints the WAL, together more than a whole filing costs.
    "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
    "OPTIONS": {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    },
}
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {"default": _SQLITE_DEFAULT}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "complaintdesk.accounts.backends.RegulatorOfficers",
]
LOGIN_URL = "/accounts/login/"
# After logging in, each role lands on its own home page (web.views.public.start).
LOGIN_REDIRECT_URL = "web:start"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "complaintdesk" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
# The regulator's own time zone: statistics periods and default shop calendars are evaluated in it.
COMPLAINTDESK_TIME_ZONE = env_str("COMPLAINTDESK_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Evidence files live outside the web root and are served only through a permission-checking view.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media-not-served/"

# Local use (DEBUG on) writes each e-mail to a file of its own, EMAIL_FILE_PATH/<id>.eml, which the regulator
# reads in the console (/console/mail/) whenever this backend is the one in use (notify/mailfiles.py).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "complaintdesk.notify.mailfiles.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail")))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Without a timeout a hung SMTP server blocks the worker's loop (sweeps and escalations wait behind it),
# and a send outliving the outbox lease (notify.outbox.LEASE) would let another worker send it again.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ComplaintDesk <noreply@complaintdesk.local>")
# Where people reach the site, for the links in notices (an e-mail has no request to build them from).
# Local use defaults to the development server; in production `check --deploy` warns while it is unset.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# Evidence uploads: what a consumer may attach to a complaint.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# And per complaint, however many uploads bring them (complaints.evidence counts under the complaint's lock).
EVIDENCE_MAX_FILES_PER_COMPLAINT = env_int("EVIDENCE_MAX_FILES_PER_COMPLAINT", 20)
EVIDENCE_MAX_TOTAL_BYTES = env_int("EVIDENCE_MAX_TOTAL_BYTES", 50 * 1024 * 1024)
EVIDENCE_ALLOWED_TYPES = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt",),
}

# Request bodies: evidence uploads are the largest; every other body (JSON, forms) is far smaller, and every
# text field has its own maximum length in its schema or form.
# DATA_UPLOAD_MAX_MEMORY_SIZE counts a body without its files: JSON, form fields. Uploaded files are
# streamed to disk and checked one by one against EVIDENCE_MAX_BYTES; the reverse proxy caps the whole body.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Sessions: 8 hours, cookie only over HTTPS in production, never readable by scripts, not sent on
# cross-site sub-requests.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
# Login throttling and the filing rate limit both count by this address (complaintdesk.lib.clientip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# HSTS preloading is a promise to browser vendors about every subdomain of the operator's domain, which only
# the operator can make: off unless SECURE_HSTS_PRELOAD=1. The check that asks for it is silenced for that.
_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not DEBUG:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _HSTS_PRELOAD
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [] if _HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp): our pages load scripts, styles and images only from our own static
# files; no inline scripts, inline styles or eval anywhere (htmx runs with allowEval off). The API
# documentation page (django-ninja's Swagger UI, served from ninja's own static files) needs the same plus
# data: images, which img-src allows everywhere (harmless: data: images cannot run code).
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

# Login throttling (django-axes), for the web login, the admin and POST /api/v1/auth/token alike: after
# AXES_FAILURE_LIMIT failures for one username from one address, that pair is locked for the cool-off time.
# Username *and* address: locking a username alone would let anyone lock a shop's staff out on purpose.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "complaintdesk.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "complaintdesk.lib.clientip.client_ip"
# Failed attempts are kept (they are the evidence); successful logins are not logged a second time.
AXES_DISABLE_ACCESS_LOG = True
# Attempts are in the database (admin: Axes); not in the log, where usernames and addresses would land.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2"]

# Filing rate limits (accounts.ratelimit), shared by all web processes through the database: per account
# and per client address in a fixed window. 0 switches a limit off (load tests from one loopback address).
COMPLAINT_RATE_PER_ACCOUNT = env_int("COMPLAINT_RATE_PER_ACCOUNT", 10)
COMPLAINT_RATE_PER_ADDRESS = env_int("COMPLAINT_RATE_PER_ADDRESS", 30)
COMPLAINT_RATE_WINDOW_SECONDS = env_int("COMPLAINT_RATE_WINDOW_SECONDS", 3600)

# Repeat-complainant flags (complaints.flags, docs/flags.md): a complainant who filed more than this many
# complaints against more than this many shops within this many days is flagged for an officer's review
# (never refused).
REPEAT_COMPLAINANT_COMPLAINTS = env_int("REPEAT_COMPLAINANT_COMPLAINTS", 10)
REPEAT_COMPLAINANT_SHOPS = env_int("REPEAT_COMPLAINANT_SHOPS", 5)
REPEAT_COMPLAINANT_DAYS = env_int("REPEAT_COMPLAINANT_DAYS", 30)

# API bearer tokens (POST /api/v1/auth/token) stop working this many days after they were issued, counted
# at each use (a shorter setting applies to tokens already out). Every token expires: 0 is refused. A new
# password, deactivation, or another role or shop revokes a user's tokens at once (accounts.models.User).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
if API_TOKEN_DAYS < 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"API_TOKEN_DAYS must be at least 1 (every token expires): {API_TOKEN_DAYS}")

# Everything goes through handlers that mask phone numbers, ID numbers and e-mail addresses
# (complaintdesk.lib.logfilter), Django's own request and server logs included.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "complaintdesk.lib.logfilter.MaskPersonalData"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default sends these to a debug-only console and to e-mail; here they reach ours.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
# A year no statutory source covers (intake must never refuse a complaint): "estimate" takes the
# `holidays` package's rule-based days off and Mon–Fri otherwise, "weekends" only Mon–Fri; both put a
# warning on every deadline they touched. "error" refuses to compute such deadlines.
DEADLINE_UNCOVERED_YEARS = env_str("DEADLINE_UNCOVERED_YEARS", "estimate")
# The consumer's window to answer a shop's request for information, in the shop's working days. The
# resolution clock is paused meanwhile (SPEC §2); when the window passes unanswered the complaint goes to
# the 12315 centre, so a shop cannot park a complaint by asking questions. 0: no window.
CONSUMER_ANSWER_WORKING_DAYS = env_int("CONSUMER_ANSWER_WORKING_DAYS", 7)
# The least customer-service hours a shop may publish (the regulator's rule): at least this many days a
# week open at least this many hours each. Hours stored before keep counting as they are.
SERVICE_HOURS_MIN_DAYS = env_int("SERVICE_HOURS_MIN_DAYS", 5)
SERVICE_HOURS_MIN_HOURS_PER_DAY = env_int("SERVICE_HOURS_MIN_HOURS_PER_DAY", 4)
if not (0 <= SERVICE_HOURS_MIN_DAYS <= 7 and 0 <= SERVICE_HOURS_MIN_HOURS_PER_DAY <= 24):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SERVICE_HOURS_MIN_DAYS must be 0–7 and SERVICE_HOURS_MIN_HOURS_PER_DAY 0–24")
# The centre's satisfaction figures (SPEC §10): a shop's average rating shows on its scorecard only from
# this many ratings on; the console suggests this many of the week's closed complaints and matters for
# follow-up calls (回访).
RATING_MIN_COUNT = env_int("RATING_MIN_COUNT", 5)
FOLLOW_UP_SAMPLE_SIZE = env_int("FOLLOW_UP_SAMPLE_SIZE", 10)
if RATING_MIN_COUNT < 1 or FOLLOW_UP_SAMPLE_SIZE < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("RATING_MIN_COUNT must be at least 1 and FOLLOW_UP_SAMPLE_SIZE at least 0")
