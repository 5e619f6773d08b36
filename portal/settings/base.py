"""Settings shared by every profile.

Every value comes from the environment (one ``env``), with an embedded default that needs no
external service: SQLite, a local-memory cache, Celery tasks run eagerly, the provider sandbox.
Setting ``DATABASE_URL``, ``REDIS_URL``, ``CELERY_BROKER_URL`` or a provider's credentials switches
that part to the real thing. Profiles: ``local`` (the demo), ``test``, ``production``.
"""
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django_guid.integrations import CeleryIntegration

from domain.shared import clock

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(str(BASE_DIR / ".env"), overwrite=False)

# --- Core ---------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-demo-key-only-for-the-embedded-default")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
TIME_ZONE = clock.business_zone().key  # BUSINESS_TIME_ZONE, default Asia/Tokyo (docs/operations.md)
USE_I18N = True

# --- Languages (docs/i18n.md) -------------------------------------------------------------------
# English is the source language; every catalogue in locale/<lang>/LC_MESSAGES/django.po adds a
# language the portal offers (a third language is a new catalogue, nothing else). A first visit
# gets the best match of Accept-Language; a choice made with the switcher is kept in a cookie and,
# for a signed-in user, on the user (User.language).
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]


def catalogued_languages(locale_dir: Path) -> list[tuple[str, str]]:
    """("en", "English") and one (code, name in its own language) per catalogue in ``locale_dir``."""
    from django.conf.locale import LANG_INFO
    from django.utils.translation import to_language

    codes = {"en"} | {to_language(po.parents[1].name) for po in locale_dir.glob("*/LC_MESSAGES/django.po")}
    return [(code, LANG_INFO.get(code, {}).get("name_local", code)) for code in sorted(codes)]


LANGUAGES = catalogued_languages(LOCALE_PATHS[0])
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
# Dates and times by language (portal/formats/<lang>/formats.py): "3 Dec 2026", "2026年12月3日".
FORMAT_MODULE_PATH = ["portal.formats"]
# Japanese consumption tax: prices shown to consumers include it (portal/core/formats.py).
CONSUMPTION_TAX_RATE = Decimal(env("CONSUMPTION_TAX_RATE", default="10"))
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "axes",
    # Two factors (docs/accounts.md): TOTP devices and their recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_guid",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
PORTAL_APPS = [
    "portal.core",
    "portal.accounts",
    "portal.billing",
    "portal.orders",
    "portal.catalog",
    "portal.sim",
    "portal.webhooks",
    "portal.provisioning",
    "portal.support",
    "portal.dashboard",
    "portal.demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + PORTAL_APPS

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the cookie set by the switcher, else Accept-Language (then the user's, below).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.otp_device / is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # A signed-in user's stored language wins over the cookie and Accept-Language.
    "portal.core.i18n.UserLanguageMiddleware",
    # Before any view reads a body: refuses one larger than REQUEST_MAX_BODY_BYTES (413).
    "portal.core.middleware.RequestBodyLimitMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.core.middleware.NoStoreWhenSignedInMiddleware",
    "portal.core.middleware.CacheReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.core.middleware.ProviderUnavailableMiddleware",
    "portal.core.provider_calls.ProviderCallsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
            # {% url %} reversing each name once per process (portal/core/templatetags/portal_urls.py).
            "builtins": ["portal.core.templatetags.portal_urls"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web threads and its in-process event subscriber write concurrently: take the write
    # lock at BEGIN (no deadlock on upgrade), wait for it, and let readers run beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

# --- Cache --------------------------------------------------------------------------------------
def redis_cache(url: str, key_prefix: str) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            # django-redis's client, skipping a Redis that just failed to answer for a few seconds
            "CLIENT_CLASS": "portal.core.redis_client.SkipWhenUnreachableClient",
            # Pickle, with each provider value decoded once per process (portal/core/cache_serializer.py).
            "SERIALIZER": "portal.core.cache_serializer.KeptValuesSerializer",
            "SKIP_AFTER_FAILURE_SECONDS": env.float("REDIS_SKIP_AFTER_FAILURE_SECONDS", default=5.0),
            "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=1.0),
            "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
            # A Redis outage degrades to cache misses, never to an error page.
            "IGNORE_EXCEPTIONS": True,
        },
        "KEY_PREFIX": key_prefix,
    }


REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL, env("CACHE_KEY_PREFIX", default="portal"))}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "portal.cache"

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
# Without a broker the embedded default runs tasks in-process, at once.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With late acks a task unacknowledged for this long is redelivered: keep it above the time limit.
# The socket timeouts and the short publish retry make queueing a task fail within about two
# seconds when Redis is down or stops answering (a hung connection otherwise waits forever, and
# with it the web request that queued the task); the beat sweeps queue the work again later.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=1.0),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=1.0),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {}

# --- Correlation id (django-guid) ---------------------------------------------------------------
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo serves straight from the source folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = True

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the customer with the user (sessions signed in through
    # django.contrib.auth.backends.ModelBackend before it are signed out once).
    "portal.accounts.backends.CustomerBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Sessions are written to PostgreSQL (durable, shared by every web server) and read from Redis
# (no query per page); with Redis down they are read from PostgreSQL.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Throttles and input limits (docs/security.md lists every limit) -------------------------------
# The client's address: REMOTE_ADDR, or behind this many reverse proxies (each appending to
# X-Forwarded-For) the address the first of them saw. Set it to the number of proxies in front of
# the portal, and make sure the portal cannot be reached any other way (portal/core/client_address.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# django-axes: lock an email from one address after AXES_FAILURE_LIMIT failures, and an address
# after SIGN_IN_ADDRESS_FAILURE_LIMIT failures over any accounts (password spraying), for the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "portal.accounts.lockout.PortalAxesHandler"
AXES_CLIENT_IP_CALLABLE = "portal.core.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.lockout_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Rates are "<count>/<s|m|h|d>" (portal/core/throttle.py, and DRF's throttles for the API).
PASSWORD_RESET_RATE_PER_EMAIL = env("PASSWORD_RESET_RATE_PER_EMAIL", default="3/h")
PASSWORD_RESET_RATE_PER_ADDRESS = env("PASSWORD_RESET_RATE_PER_ADDRESS", default="20/h")
EMAIL_CHANGE_RATE_PER_USER = env("EMAIL_CHANGE_RATE_PER_USER", default="5/h")
API_RATE_PER_USER = env("API_RATE_PER_USER", default="300/m")
API_RATE_ANONYMOUS = env("API_RATE_ANONYMOUS", default="60/m")
# Refused webhook deliveries (bad signature, body, type) per address before every delivery from it is
# answered 429 for the rest of the window; accepted deliveries never count (docs/webhooks.md).
WEBHOOK_REFUSALS_PER_ADDRESS = env("WEBHOOK_REFUSALS_PER_ADDRESS", default="60/m")

# Request bodies: pages and the API (the webhook has its own, smaller WEBHOOK_MAX_BODY_BYTES).
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=500)
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)

# A sign-in email change is confirmed from the new address within this many seconds.
EMAIL_CHANGE_TIMEOUT = env.int("EMAIL_CHANGE_TIMEOUT", default=60 * 60 * 3)

# --- Email --------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Customer Portal <no-reply@portal.example>")

# --- Security headers (every profile) -----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "portal.core.api_limits.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Rates: API_RATE_PER_USER and API_RATE_ANONYMOUS (read when a request is throttled).
    "DEFAULT_THROTTLE_CLASSES": ["portal.core.api_limits.PerUserThrottle",
                                 "portal.core.api_limits.AnonymousThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customer Portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Providers ----------------------------------------------------------------------------------
# Empty URLs mean "use the sandbox" (the later provider issues fill these in).
SALESFORCE_LOGIN_URL = env("SALESFORCE_LOGIN_URL", default="")
SALESFORCE_CLIENT_ID = env("SALESFORCE_CLIENT_ID", default="")
SALESFORCE_USERNAME = env("SALESFORCE_USERNAME", default="")
SALESFORCE_PRIVATE_KEY = env("SALESFORCE_PRIVATE_KEY", default="")
SALESFORCE_PRIVATE_KEY_FILE = env("SALESFORCE_PRIVATE_KEY_FILE", default="")
SALESFORCE_AUDIENCE = env("SALESFORCE_AUDIENCE", default="")  # default: the login URL
SALESFORCE_API_VERSION = env("SALESFORCE_API_VERSION", default="62.0")
SALESFORCE_PRICEBOOK_NAME = env("SALESFORCE_PRICEBOOK_NAME", default="Portal")
SALESFORCE_CURRENCY = env("SALESFORCE_CURRENCY", default="JPY")
SALESFORCE_PUBSUB_TARGET = env("SALESFORCE_PUBSUB_TARGET", default="api.pubsub.salesforce.com:7443")
SALESFORCE_PUBSUB_TLS = env.bool("SALESFORCE_PUBSUB_TLS", default=True)
SALESFORCE_PUBSUB_TOPIC = env("SALESFORCE_PUBSUB_TOPIC", default="/event/OrderProvisionRequested__e")
SALESFORCE_PUBSUB_BATCH_SIZE = env.int("SALESFORCE_PUBSUB_BATCH_SIZE", default=100)
# Where a subscriber with no stored replay id starts, and where it restarts when Salesforce no
# longer knows the stored one (older than 72 hours): LATEST or EARLIEST.
SALESFORCE_PUBSUB_FIRST_START = env("SALESFORCE_PUBSUB_FIRST_START", default="LATEST")
SALESFORCE_PUBSUB_FALLBACK = env("SALESFORCE_PUBSUB_FALLBACK", default="EARLIEST")
# One active Platform Event subscriber (docs/pubsub.md, "One active subscriber"): the others wait as
# hot standbys. A holder silent for SUBSCRIBER_LEASE_SECONDS (paused, cut off) loses the lease; a
# standby tries to take it every SUBSCRIBER_STANDBY_POLL_SECONDS.
SUBSCRIBER_LEASE_NAME = env("SUBSCRIBER_LEASE_NAME", default="platform-events")
SUBSCRIBER_LEASE_SECONDS = env.int("SUBSCRIBER_LEASE_SECONDS", default=10)
SUBSCRIBER_STANDBY_POLL_SECONDS = env.float("SUBSCRIBER_STANDBY_POLL_SECONDS", default=1.0)
WHMCS_API_URL = env("WHMCS_API_URL", default="")
WHMCS_API_IDENTIFIER = env("WHMCS_API_IDENTIFIER", default="")
WHMCS_API_SECRET = env("WHMCS_API_SECRET", default="")
WHMCS_WEBHOOK_SECRET = env("WHMCS_WEBHOOK_SECRET", default="")
# Freebit's MVNO API: https://<host>/emptool/api, and the OEM id and key Freebit issued (authOem).
FREEBIT_API_URL = env("FREEBIT_API_URL", default="")
FREEBIT_OEM_ID = env("FREEBIT_OEM_ID", default="")
FREEBIT_OEM_KEY = env("FREEBIT_OEM_KEY", default="")

# Setting names whose values must never reach a log line (see portal.core.logging).
SECRET_SETTING_NAMES = [
    "SECRET_KEY",
    "SALESFORCE_PRIVATE_KEY",
    "WHMCS_API_SECRET",
    "WHMCS_WEBHOOK_SECRET",
    "FREEBIT_OEM_KEY",
    "EMAIL_HOST_PASSWORD",
]

# --- Logging ------------------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", default="text")  # "text" (readable) or "json"
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "correlation_id": {"()": "django_guid.log_filters.CorrelationId"},
        "celery_tracing": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
        "redact_secrets": {"()": "portal.core.logging.RedactSecretsFilter"},
        "once_a_minute": {"()": "portal.core.logging.OncePerInterval", "seconds": 60},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)-7s [%(correlation_id)s] %(name)s: %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["correlation_id", "celery_tracing", "redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
        # django-redis logs every cache call it swallows: during a Redis outage, once a minute is enough.
        "portal.cache": {"filters": ["once_a_minute"]},
    },
}

# --- Provider data caching (seconds; docs/decisions.md §6) ----------------------------------------------
# Invoices and services change in WHMCS with a signed webhook that forgets the customer's cached
# copies at once (docs/webhooks.md), orders with the provisioning job's every attempt: their TTLs
# only bound what a missed event could leave stale (docs/performance.md, "provider calls per page").
CACHE_TTL_INVOICES = env.int("CACHE_TTL_INVOICES", default=600)
CACHE_TTL_SUBSCRIPTIONS = env.int("CACHE_TTL_SUBSCRIPTIONS", default=600)
CACHE_TTL_ORDERS = env.int("CACHE_TTL_ORDERS", default=300)
CACHE_TTL_PAYMENT_METHODS = env.int("CACHE_TTL_PAYMENT_METHODS", default=300)
CACHE_TTL_CURRENCIES = env.int("CACHE_TTL_CURRENCIES", default=3600)
CACHE_TTL_CATALOG = env.int("CACHE_TTL_CATALOG", default=1200)
# How long a copy is kept to show (with a notice) when its provider is failing.
CACHE_TTL_STALE = env.int("CACHE_TTL_STALE", default=60 * 60 * 24)

# --- Provider connections -----------------------------------------------------------------------
# Without a provider's URL the portal starts that provider's sandbox in-process (the demo). Off in
# production, where a missing URL is a configuration error.
PROVIDERS_USE_SANDBOX = env.bool("PROVIDERS_USE_SANDBOX", default=True)
DEMO_CLOCK_CONTROL = False
"""``POST /__demo__/clock`` moves the demo's clock (``portal.settings.local`` only; portal/demo/clock.py)."""
# Circuit breaker per provider (portal/core/circuit.py): this many failed calls in a row open it
# for CIRCUIT_RESET_SECONDS, during which calls fail at once without reaching the provider.
CIRCUIT_BREAKER_ENABLED = env.bool("CIRCUIT_BREAKER_ENABLED", default=True)
CIRCUIT_FAILURE_THRESHOLD = env.int("CIRCUIT_FAILURE_THRESHOLD", default=5)
CIRCUIT_RESET_SECONDS = env.float("CIRCUIT_RESET_SECONDS", default=30.0)
PROVIDER_CONNECT_TIMEOUT = env.float("PROVIDER_CONNECT_TIMEOUT", default=3.0)
PROVIDER_READ_TIMEOUT = env.float("PROVIDER_READ_TIMEOUT", default=10.0)
# One provider's own read timeout, e.g. "freebit=20,whmcs=5"; the others keep PROVIDER_READ_TIMEOUT.
PROVIDER_READ_TIMEOUTS = {
    name: float(seconds) for name, seconds in env.dict("PROVIDER_READ_TIMEOUTS", default={}).items()}
PROVIDER_MAX_ATTEMPTS = env.int("PROVIDER_MAX_ATTEMPTS", default=3)
# A background job the provider asks to wait (portal/core/jobs.py, JobWait: e.g. Freebit's line locked
# for about 30 minutes by a 4G/5G switch) asks again after JOB_WAIT_SECONDS, without spending an
# attempt, for at most JOB_MAX_WAIT_SECONDS in a row.
JOB_WAIT_SECONDS = env.int("JOB_WAIT_SECONDS", default=300)
JOB_MAX_WAIT_SECONDS = env.int("JOB_MAX_WAIT_SECONDS", default=7200)
WHMCS_API_ACCESS_KEY = env("WHMCS_API_ACCESS_KEY", default="")
SECRET_SETTING_NAMES += ["WHMCS_API_ACCESS_KEY", "WHMCS_API_IDENTIFIER"]  # the pair's other half is a secret too

# --- Webhooks (docs/webhooks.md) ----------------------------------------------------------------
# The WHMCS hook module (contrib/whmcs/) signs with WHMCS_WEBHOOK_SECRET (above). During a secret
# rotation the receiver also accepts the previous one. With neither set, the demo (the WHMCS sandbox
# in-process) uses a fixed demo secret; anywhere else every webhook is refused.
WHMCS_WEBHOOK_PREVIOUS_SECRET = env("WHMCS_WEBHOOK_PREVIOUS_SECRET", default="")
SECRET_SETTING_NAMES += ["WHMCS_WEBHOOK_PREVIOUS_SECRET"]
WHMCS_WEBHOOK_TOLERANCE_SECONDS = env.int("WHMCS_WEBHOOK_TOLERANCE_SECONDS", default=300)
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=64 * 1024)
# Processing: attempts per event, exponential backoff between them (10 s, 20 s, 40 s, ... capped).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_BACKOFF_SECONDS = env.int("WEBHOOK_RETRY_BACKOFF_SECONDS", default=10)
WEBHOOK_RETRY_BACKOFF_MAX_SECONDS = env.int("WEBHOOK_RETRY_BACKOFF_MAX_SECONDS", default=600)
# How long a processing run holds its event (keep it above the task's time limit); an event whose
# worker died is released by the sweep after it.
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# The receiver sends nothing to the broker: each Celery worker's dispatcher hands stored events to
# Celery when PostgreSQL signals one (LISTEN/NOTIFY) and at least this often (portal/webhooks/outbox.py).
WEBHOOK_DISPATCHER = env.bool("WEBHOOK_DISPATCHER", default=True)
WEBHOOK_DISPATCH_POLL_SECONDS = env.float("WEBHOOK_DISPATCH_POLL_SECONDS", default=2.0)
# Events still waiting this long (the broker was down, a worker died) are queued again by the sweep.
WEBHOOK_SWEEP_AFTER_SECONDS = env.int("WEBHOOK_SWEEP_AFTER_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "portal.webhooks.sweep_webhook_events",
    "schedule": env.int("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=300),
}
# Where the portal is reached from outside; the demo's WHMCS sandbox posts its webhooks here.
PORTAL_PUBLIC_URL = env("PORTAL_PUBLIC_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")

# --- SIM top-ups ---------------------------------------------------------------------------------
SIM_TOPUP_MIN_MB = 100
SIM_TOPUP_MAX_MB = 50 * 1024
SIM_TOPUP_PRICE_PER_GB = Decimal(env("SIM_TOPUP_PRICE_PER_GB", default="500"))  # before tax, WHMCS default currency
# A top-up is a durable job (docs/jobs.md): attempts, backoff between them (short: the customer may
# have paid already), how long an attempt holds it (keep it above the task's time limit: the first
# attempt runs in the customer's request), and when the sweep resumes one nobody is working on.
SIM_TOPUP_MAX_ATTEMPTS = env.int("SIM_TOPUP_MAX_ATTEMPTS", default=6)
SIM_TOPUP_RETRY_BACKOFF_SECONDS = env.int("SIM_TOPUP_RETRY_BACKOFF_SECONDS", default=30)
SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS = env.int("SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS", default=60)
SIM_TOPUP_LEASE_SECONDS = env.int("SIM_TOPUP_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
SIM_TOPUP_SWEEP_AFTER_SECONDS = env.int("SIM_TOPUP_SWEEP_AFTER_SECONDS", default=60)
# Freebit's quota addition has no idempotency key. After a lost answer the quota history is read;
# a call not in it is sent again only once it has had this long to finish, and at most this many
# calls are sent in all; otherwise the top-up waits for staff (needs review).
SIM_TOPUP_QUOTA_SETTLE_SECONDS = env.int("SIM_TOPUP_QUOTA_SETTLE_SECONDS", default=120)
SIM_TOPUP_QUOTA_MAX_SENDS = env.int("SIM_TOPUP_QUOTA_MAX_SENDS", default=2)
# A SIM's details and data left (PA03-02): no event tells of a change made outside the portal, so
# this is how old the gauge may be; the portal's own changes forget it at once.
CACHE_TTL_SIM_DETAILS = env.int("CACHE_TTL_SIM_DETAILS", default=300)
# A SIM's traffic (Freebit PA05-01) is read for the one SIM a customer looks at, never in a sweep:
# kept this long, and read at most this many times a day per SIM (docs/freebit.md).
CACHE_TTL_SIM_TRAFFIC = env.int("CACHE_TTL_SIM_TRAFFIC", default=900)
SIM_TRAFFIC_READS_PER_DAY = env.int("SIM_TRAFFIC_READS_PER_DAY", default=48)
CELERY_BEAT_SCHEDULE["sim-resume-topups"] = {
    "task": "portal.sim.resume_topups",
    "schedule": env.int("SIM_TOPUP_SWEEP_INTERVAL_SECONDS", default=120),
}
# A plan change is a durable job too (docs/plan-changes.md): the same knobs as a top-up's. Changes
# booked for the first of next month are started by a beat task that runs this often.
SIM_PLAN_CHANGE_MAX_ATTEMPTS = env.int("SIM_PLAN_CHANGE_MAX_ATTEMPTS", default=8)
SIM_PLAN_CHANGE_RETRY_BACKOFF_SECONDS = env.int("SIM_PLAN_CHANGE_RETRY_BACKOFF_SECONDS", default=30)
SIM_PLAN_CHANGE_RETRY_BACKOFF_MAX_SECONDS = env.int("SIM_PLAN_CHANGE_RETRY_BACKOFF_MAX_SECONDS", default=600)
SIM_PLAN_CHANGE_LEASE_SECONDS = env.int("SIM_PLAN_CHANGE_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
SIM_PLAN_CHANGE_SWEEP_AFTER_SECONDS = env.int("SIM_PLAN_CHANGE_SWEEP_AFTER_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["sim-plan-changes-sweep"] = {
    "task": "portal.sim.sweep_plan_changes",
    "schedule": env.int("SIM_PLAN_CHANGE_SWEEP_INTERVAL_SECONDS", default=120),
}
CELERY_BEAT_SCHEDULE["sim-plan-changes-start-due"] = {
    "task": "portal.sim.start_due_plan_changes",
    "schedule": env.int("SIM_PLAN_CHANGE_START_INTERVAL_SECONDS", default=300),
}

# --- A SIM's lifecycle: voice options, 4G/5G, eSIM reissue, cancellation (docs/sim-lifecycle.md) --------
# Each is a durable job (portal.core.jobs). Fees are before tax, in WHMCS's currency; the rules of
# which plan allows which option are here, never in templates.
SIM_ACTION_MAX_ATTEMPTS = env.int("SIM_ACTION_MAX_ATTEMPTS", default=8)
SIM_ACTION_RETRY_BACKOFF_SECONDS = env.int("SIM_ACTION_RETRY_BACKOFF_SECONDS", default=30)
SIM_ACTION_RETRY_BACKOFF_MAX_SECONDS = env.int("SIM_ACTION_RETRY_BACKOFF_MAX_SECONDS", default=300)
SIM_ACTION_LEASE_SECONDS = env.int("SIM_ACTION_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
SIM_ACTION_SWEEP_AFTER_SECONDS = env.int("SIM_ACTION_SWEEP_AFTER_SECONDS", default=60)
SIM_ACTION_RESEND_AFTER_SECONDS = env.int("SIM_ACTION_RESEND_AFTER_SECONDS", default=120)
"""After a lost answer, how long the SIM's details are given to show the change before it is sent again."""
SIM_ACTION_MAX_SENDS = env.int("SIM_ACTION_MAX_SENDS", default=2)
SIM_ACTION_CONFIRM_TIMEOUT_SECONDS = env.int("SIM_ACTION_CONFIRM_TIMEOUT_SECONDS", default=3 * 3600)
"""How long a change Freebit accepted may take to show in the SIM's details before it is failed for staff."""
CELERY_BEAT_SCHEDULE["sim-actions-sweep"] = {
    "task": "portal.sim.sweep_sim_actions",
    "schedule": env.int("SIM_ACTION_SWEEP_INTERVAL_SECONDS", default=120),
}
CELERY_BEAT_SCHEDULE["sim-actions-start-due"] = {
    "task": "portal.sim.start_due_cancellations",
    "schedule": env.int("SIM_ACTION_START_INTERVAL_SECONDS", default=600),
}
SIM_ESIM_REISSUE_FEE = Decimal(env("SIM_ESIM_REISSUE_FEE", default="3000"))
SIM_REPLACEMENT_FEE = Decimal(env("SIM_REPLACEMENT_FEE", default="3000"))
SIM_CANCELLATION_CUTOFF_DAY = env.int("SIM_CANCELLATION_CUTOFF_DAY", default=25)
"""Asked by this day of the month (Japan time): the service ends at this month's end; after it, next month's."""
SIM_CANCELLATION_MONTHS_OFFERED = env.int("SIM_CANCELLATION_MONTHS_OFFERED", default=3)
SIM_CANCELLATION_SEND_DAYS_BEFORE = env.int("SIM_CANCELLATION_SEND_DAYS_BEFORE", default=3)
"""Freebit and WHMCS are told this many days before the last day; until then the customer may withdraw."""
SERVICE_CANCELLATION_GROUPS = env.list("SERVICE_CANCELLATION_GROUPS", default=["Internet"])
"""WHMCS product groups whose services a customer cancels on their subscription page (by the SIM rules' cutoff
day and send days; WHMCS AddCancelRequest only). SIMs are cancelled on their own page."""
SIM_VOICE_OPTIONS = ["Voicemail", "Call waiting", "International roaming"]
"""The voice options a customer may switch on a voice SIM (domain.sim.types.VoiceOption values)."""
SIM_PLANS_WITHOUT_ROAMING = env.list("SIM_PLANS_WITHOUT_ROAMING", default=["MOB-VOICE-3G"])
SIM_5G_PLANS = env.list("SIM_5G_PLANS", default=["MOB-VOICE-20G", "MOB-DATA-10G", "MOB-DATA-20G"])
"""The plans whose SIMs may switch to 5G (PA05-38); any SIM may go back to 4G."""

# --- Provisioning (docs/provisioning.md) --------------------------------------------------------
# Attempts of a provisioning job before it is failed for support (Celery retries it with exponential
# backoff and jitter in between), and the job task's own time limits (a job makes several calls).
PROVISIONING_MAX_ATTEMPTS = env.int("PROVISIONING_MAX_ATTEMPTS", default=6)
PROVISIONING_RETRY_BACKOFF_SECONDS = env.int("PROVISIONING_RETRY_BACKOFF_SECONDS", default=15)
PROVISIONING_RETRY_BACKOFF_MAX_SECONDS = env.int("PROVISIONING_RETRY_BACKOFF_MAX_SECONDS", default=900)
PROVISIONING_TASK_SOFT_TIME_LIMIT = env.int("PROVISIONING_TASK_SOFT_TIME_LIMIT", default=240)
PROVISIONING_TASK_TIME_LIMIT = env.int("PROVISIONING_TASK_TIME_LIMIT", default=300)
# How long a run holds its job (keep it above the time limit, or a live run could lose it). When the
# worker dies mid-run, the sweep queues the job again once its lease is over.
PROVISIONING_LEASE_SECONDS = env.int("PROVISIONING_LEASE_SECONDS", default=PROVISIONING_TASK_TIME_LIMIT + 60)
# Jobs nobody is working on this long (the broker was down, a retry was lost, a worker died) are
# queued again by the sweep.
PROVISIONING_SWEEP_AFTER_SECONDS = env.int("PROVISIONING_SWEEP_AFTER_SECONDS", default=1200)
CELERY_BEAT_SCHEDULE["provisioning-sweep"] = {
    "task": "portal.provisioning.sweep_jobs",
    "schedule": env.int("PROVISIONING_SWEEP_INTERVAL_SECONDS", default=300),
}

# Send X-Provider-Calls (provider calls made by the request) with every response: debug and tests.
PROVIDER_CALLS_HEADER = env.bool("PROVIDER_CALLS_HEADER", default=DEBUG)
DASHBOARD_DEADLINE_SECONDS = env.float("DASHBOARD_DEADLINE_SECONDS", default=4.0)

# --- Support cases (docs/support.md) --------------------------------------------------------------
# New cases a customer may open (a rate, "<count>/<s|m|h|d>"), files per case and their size, how
# long a submit holds a write it is sending, and how long cases stay cached (the Platform Event
# Case_Status_Update__e and the customer's own writes forget them sooner).
SUPPORT_CASE_RATE = env("SUPPORT_CASE_RATE", default="5/h")
SUPPORT_ATTACHMENT_MAX_BYTES = env.int("SUPPORT_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
SUPPORT_ATTACHMENTS_PER_CASE = env.int("SUPPORT_ATTACHMENTS_PER_CASE", default=10)
# An upload's whole body (the file and the form around it): allowed on the attachment routes only.
SUPPORT_UPLOAD_MAX_BODY_BYTES = SUPPORT_ATTACHMENT_MAX_BYTES + 64 * 1024
# Uploads stay in memory, never in a temporary file: the body limits above bound them.
FILE_UPLOAD_MAX_MEMORY_SIZE = SUPPORT_UPLOAD_MAX_BODY_BYTES
SUPPORT_SEND_LEASE_SECONDS = env.int("SUPPORT_SEND_LEASE_SECONDS", default=60)
CACHE_TTL_CASES = env.int("CACHE_TTL_CASES", default=120)
CACHE_TTL_CASE_RECORD_TYPES = env.int("CACHE_TTL_CASE_RECORD_TYPES", default=3600)
# The Platform Event that tells the portal staff changed a case: a second topic of the subscriber,
# with its own replay cursor (empty: not subscribed). Replaying case events only forgets caches
# again, so a first start reads what Salesforce still keeps.
SALESFORCE_PUBSUB_CASE_TOPIC = env("SALESFORCE_PUBSUB_CASE_TOPIC", default="/event/Case_Status_Update__e")
SALESFORCE_PUBSUB_CASE_FIRST_START = env("SALESFORCE_PUBSUB_CASE_FIRST_START", default="EARLIEST")

# --- Accounts: sign-up, linking, identity, two factors (docs/accounts.md) ---------------------------
# Sign-up: a 6-digit code to the address, valid this long, this many wrong tries (a warning when
# SIGNUP_CODE_WARN_REMAINING or fewer are left), a new one at most every SIGNUP_RESEND_SECONDS;
# codes sent per address asked for and per client address (over either: the same answer, nothing sent).
SIGNUP_CODE_TTL_SECONDS = env.int("SIGNUP_CODE_TTL_SECONDS", default=600)
SIGNUP_CODE_MAX_ATTEMPTS = env.int("SIGNUP_CODE_MAX_ATTEMPTS", default=5)
SIGNUP_CODE_WARN_REMAINING = env.int("SIGNUP_CODE_WARN_REMAINING", default=2)
SIGNUP_RESEND_SECONDS = env.int("SIGNUP_RESEND_SECONDS", default=60)
SIGNUP_RATE_PER_EMAIL = env("SIGNUP_RATE_PER_EMAIL", default="3/h")
SIGNUP_RATE_PER_ADDRESS = env("SIGNUP_RATE_PER_ADDRESS", default="20/h")
# Linking an existing customer: tries per portal user and per client address (client-area sign-in
# checks and codes asked for), and codes sent per customer number.
LINK_RATE_PER_USER = env("LINK_RATE_PER_USER", default="10/h")
LINK_RATE_PER_ADDRESS = env("LINK_RATE_PER_ADDRESS", default="30/h")
LINK_CODE_RATE_PER_CLIENT = env("LINK_CODE_RATE_PER_CLIENT", default="3/h")
# A new customer's billing client, CRM Account and Contact: one durable job (docs/jobs.md).
ACCOUNT_CREATION_MAX_ATTEMPTS = env.int("ACCOUNT_CREATION_MAX_ATTEMPTS", default=8)
ACCOUNT_CREATION_RETRY_BACKOFF_SECONDS = env.int("ACCOUNT_CREATION_RETRY_BACKOFF_SECONDS", default=15)
ACCOUNT_CREATION_RETRY_BACKOFF_MAX_SECONDS = env.int("ACCOUNT_CREATION_RETRY_BACKOFF_MAX_SECONDS", default=600)
ACCOUNT_CREATION_LEASE_SECONDS = env.int("ACCOUNT_CREATION_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
ACCOUNT_CREATION_SWEEP_AFTER_SECONDS = env.int("ACCOUNT_CREATION_SWEEP_AFTER_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["account-creation-sweep"] = {
    "task": "portal.accounts.sweep_account_creations",
    "schedule": env.int("ACCOUNT_CREATION_SWEEP_INTERVAL_SECONDS", default=120),
}
# Identity documents (the residence card's two sides): size of each, the whole upload's body, and
# how long the status staff set in the CRM stays cached (the customer's own upload forgets it).
IDENTITY_DOCUMENT_MAX_BYTES = env.int("IDENTITY_DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
IDENTITY_UPLOAD_MAX_BODY_BYTES = 2 * IDENTITY_DOCUMENT_MAX_BYTES + 64 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = max(FILE_UPLOAD_MAX_MEMORY_SIZE, IDENTITY_DOCUMENT_MAX_BYTES + 64 * 1024)
CACHE_TTL_IDENTITY = env.int("CACHE_TTL_IDENTITY", default=60)
CACHE_TTL_PROFILE = env.int("CACHE_TTL_PROFILE", default=300)
# Second factor: codes tried per user (signing in, confirming a new authenticator) before a pause;
# how long a password-checked sign-in waits for its code; the name authenticator apps show.
TWO_FACTOR_RATE_PER_USER = env("TWO_FACTOR_RATE_PER_USER", default="10/h")
TWO_FACTOR_PENDING_SECONDS = env.int("TWO_FACTOR_PENDING_SECONDS", default=300)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Customer Portal")
