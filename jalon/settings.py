"""Settings read from the environment (12-factor).

Defaults give a working laptop install: SQLite file and SQLite job queue under ``var/``.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JALON_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Marks the demo/dev profile: it allows the fixed dev key below and the demo-data command.
JALON_PRODUCTION = not DEBUG and not env_bool("JALON_ALLOW_DEMO", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "jalon-dev-only-insecure-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG est désactivé.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "django_bootstrap5",
    "huey.contrib.djhuey",
    "jalon.users",
    "jalon.structures",
    "jalon.people",
    "jalon.audit",
    "jalon.notifications",
    "jalon.referrals",
    "jalon.agenda",
    "jalon.directory",
    "jalon.programmes",
    "jalon.www",
    "jalon.demo",
    # django-ninja serves the API docs' Swagger UI from its own static files only when it is an
    # installed app; otherwise the page loads it from a CDN and stays blank offline.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jalon.structures.middleware.CurrentStructureMiddleware",
    "jalon.www.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "jalon.urls"
WSGI_APPLICATION = "jalon.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jalon" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jalon.structures.context_processors.current_structure",
            ],
            # French agreement and dates (agree, date_fr, ago) in every template without a {% load %}.
            "builtins": ["jalon.templatetags.french"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jalon.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the job consumer writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

from jalon.users import hashers as _hashers  # noqa: E402

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id (about 35 ms of CPU a login instead of PBKDF2's 0.5 s); older hashes still verify.
PASSWORD_HASHERS = _hashers.PASSWORD_HASHERS

# django-allauth: e-mail login, no open sign-up (accounts come from invitations).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "jalon.users.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
# Rate limits: see the authentication block at the end.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "fr"
# The interface is French only for now; an English catalogue comes with the translation work.
# The staff interface is in French; the public directory page also speaks these languages (it
# chooses per request, see jalon.www.directory.public; no LocaleMiddleware elsewhere).
LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("pt", "Português"),
    ("it", "Italiano"),
]
LOCALE_PATHS = [BASE_DIR / "jalon" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

from jalon.ops import storage as _storage  # noqa: E402

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "jalon" / "static"]
# Uploaded and generated files: under var/media/, or on S3-compatible object storage shared by
# every node when JALON_S3_BUCKET is set (jalon/ops/storage.py, docs/deploiement.md).
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": _storage.default_storage_from_env(os.environ, media_root=MEDIA_ROOT),
    # Fingerprinted names and gzip/brotli copies (WhiteNoise's compressed manifest storage) in
    # production and in the demo alike: `serve-demo` runs collectstatic, sets JALON_STATIC_BUILT.
    # Under DEBUG without it (a developer's runserver), pages link the plain files from the sources.
    "staticfiles": {"BACKEND": "jalon.www.staticfiles.JalonStaticStorage"},
}
JALON_STATIC_BUILT = False
WHITENOISE_USE_FINDERS = DEBUG

# Jobs: Huey on a SQLite file by default, on Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "jalon", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "jalon",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"}

# Cache: Redis when REDIS_URL is set (shared by every process: rate limits hold across workers);
# otherwise in the process, which is right for the embedded single-process demo.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit lists neither Django's own RedisCache (atomic incr, fine) nor the local
# cache of a single process; both are deliberate here (see above).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# The client's address, for every rate limit (django-ratelimit here, allauth's login throttle
# through the account adapter): one definition, jalon.users.network.client_ip (see the auth block).
RATELIMIT_IP_META_KEY = "jalon.users.network.client_ip"

# E-mail and SMS: nothing leaves a demo or a test machine unless configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mails"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Jalon <ne-pas-repondre@jalon.localhost>")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "jalon.notifications.sms.ConsoleBackend")
SMS_FILE_PATH = VAR_DIR / "sms"
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Sensitive notes: Fernet keys, newest first; older keys still decrypt (rotation).
JALON_ENCRYPTION_KEYS = env_list("JALON_ENCRYPTION_KEYS")
if not JALON_ENCRYPTION_KEYS:
    if DEBUG:
        # Fixed dev key so a demo database stays readable across restarts.
        JALON_ENCRYPTION_KEYS = ["ZGV2LW9ubHktamFsb24tZW5jcnlwdGlvbi1rZXktMDA="]
    else:
        raise ImproperlyConfigured("JALON_ENCRYPTION_KEYS doit être défini quand DEBUG est désactivé.")

# Security: strict by default outside DEBUG; each can be relaxed behind a TLS proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

JALON_DORMANT_DAYS = int(os.environ.get("JALON_DORMANT_DAYS", "90"))
# Default months without contact before a file is anonymised; each structure sets its own (12-36).
JALON_RETENTION_MONTHS = int(os.environ.get("JALON_RETENTION_MONTHS", "24"))
JALON_BENCH = env_bool("JALON_BENCH", False)

# Forms: one error summary on top, radio groups as fieldsets, only errors marked (see the module).
BOOTSTRAP5 = {
    "form_renderers": {"default": "jalon.www.rendering.JalonFormRenderer"},
    "field_renderers": {"default": "jalon.www.rendering.JalonFieldRenderer"},
}

# --- Single sign-on with ProConnect (docs/proconnect.md) -------------------------------
# allauth's OpenID Connect provider, specialised for ProConnect in jalon.www.sso. Installed
# everywhere (its tables exist on every instance); offered only when the server URL, client id
# and secret are all set. No self sign-up: see jalon.www.sso.adapter.
INSTALLED_APPS += ["allauth.socialaccount", "jalon.www.sso"]
# The project's adapter (jalon.users.adapter) extended with ProConnect's logout.
ACCOUNT_ADAPTER = "jalon.www.sso.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "jalon.www.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False  # ProConnect's tokens live 60 s and we call no API with them
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter matches e-mails itself, with its rules
PROCONNECT_SERVER_URL = os.environ.get("PROCONNECT_SERVER_URL", "").strip()
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "").strip()
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "").strip()
_proconnect = [PROCONNECT_SERVER_URL, PROCONNECT_CLIENT_ID, PROCONNECT_CLIENT_SECRET]
if any(_proconnect) and not all(_proconnect):
    raise ImproperlyConfigured(
        "PROCONNECT_SERVER_URL, PROCONNECT_CLIENT_ID et PROCONNECT_CLIENT_SECRET se définissent ensemble."
    )


def proconnect_app(*, server_url: str, client_id: str, secret: str) -> dict:
    """The allauth app for ProConnect (a function so that tests can point it at their provider)."""
    return {
        "provider_id": "proconnect",
        "name": "ProConnect",
        "client_id": client_id,
        "secret": secret,
        "settings": {
            "server_url": server_url,  # the issuer, e.g. https://<domaine ProConnect>/api/v2
            "token_auth_method": "client_secret_post",
            # Spaces or commas between scopes.
            "scope": os.environ.get("PROCONNECT_SCOPES", "openid email given_name usual_name")
            .replace(",", " ")
            .split(),
            # eIDAS level asked of the identity provider; empty: not asked.
            "acr_values": os.environ.get("PROCONNECT_ACR_VALUES", "eidas1").strip(),
            # ProConnect sends no email_verified: its providers are the organisations' directories.
            "trust_email": env_bool("PROCONNECT_TRUST_EMAIL", True),
        },
    }


SOCIALACCOUNT_PROVIDERS = {
    "proconnect": {
        "APPS": [
            proconnect_app(
                server_url=PROCONNECT_SERVER_URL,
                client_id=PROCONNECT_CLIENT_ID,
                secret=PROCONNECT_CLIENT_SECRET,
            )
        ]
        if all(_proconnect)
        else []
    }
}
# --- end of ProConnect -------------------------------------------------------------------------------

# --- Authentication hardening (login throttle, MFA, sessions, API tokens) ---------------------
# Kept in one block: the single sign-on and security-headers settings live in their own blocks.

# Proxies in front of Jalon that append to X-Forwarded-For: the client is the address the
# outermost trusted one saw. 1 by default behind a proxy, 0 (REMOTE_ADDR) otherwise.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_PROXY", False) else "0")
)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Failed logins: per client address and per account (the e-mail typed); every login per address.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reauthenticate": "10/m/user",
}

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP), security keys and
# passkeys (WebAuthn), recovery codes. Mandatory for the roles of jalon.people.security
# when JALON_MFA_REQUIRED is on (production); the demo and the tests leave it off.
INSTALLED_APPS += ["allauth.mfa"]
MFA_ADAPTER = "jalon.www.account.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Jalon"
MFA_RECOVERY_CODE_COUNT = 10
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
JALON_MFA_REQUIRED = env_bool("JALON_MFA_REQUIRED", JALON_PRODUCTION)
# Reading a sensitive note, creating an API token or exporting asks for the password or a
# second factor again when the last one is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("JALON_REAUTH_MINUTES", "10")) * 60

# Sessions: closed after JALON_SESSION_IDLE_MINUTES without a request (a warning comes shortly
# before), and JALON_SESSION_MAX_HOURS after the login whatever the activity.
JALON_SESSION_IDLE_SECONDS = int(os.environ.get("JALON_SESSION_IDLE_MINUTES", "30")) * 60
JALON_SESSION_WARNING_SECONDS = 120
# The last request's time is written at most this often (a session write costs queries).
JALON_SESSION_TOUCH_SECONDS = 60
JALON_SESSION_MAX_SECONDS = int(os.environ.get("JALON_SESSION_MAX_HOURS", "10")) * 3600
SESSION_COOKIE_AGE = JALON_SESSION_MAX_SECONDS
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "jalon.www.middleware.SessionTimeoutMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("jalon.www.middleware.LoginRequiredMiddleware"),
    "jalon.www.middleware.MFARequiredMiddleware",
)

# API tokens: lifetime chosen at creation.
JALON_API_TOKEN_DEFAULT_DAYS = 90
JALON_API_TOKEN_MAX_DAYS = 365
# --- Hardening: production checks, security headers, legal pages (one block, see docs/deploiement.md) ---
JALON_BEHIND_PROXY = env_bool("BEHIND_PROXY", False)

# A wrong encryption key fails here, when any process starts, never as a 500 on a sensitive note
# (jalon.www.checks repeats it as a system check for `jalon check`).
from cryptography.fernet import Fernet  # noqa: E402

for _position, _key in enumerate(JALON_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key.encode())
    except ValueError:
        raise ImproperlyConfigured(
            f"La clé n° {_position} de JALON_ENCRYPTION_KEYS n'est pas une clé Fernet valide "
            "(32 octets encodés en base64 url-safe)."
        ) from None

# Content-Security-Policy (django-csp): our own files only; an inline <script> or <style> needs
# the request's nonce ({{ request.csp_nonce }}), so injected markup cannot run.
INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware"
)
# After authentication: Cache-Control depends on who asks; Permissions-Policy on every answer.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "jalon.www.middleware.SecurityHeadersMiddleware",
)
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Bootstrap draws its icons (select arrow, close button) as data: SVG in its CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Nothing in Jalon uses these browser features: a page cannot ask for them.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Who runs this instance: shown on the privacy and legal pages and in /.well-known/security.txt.
JALON_ORGANISATION_NAME = os.environ.get("JALON_ORGANISATION_NAME", "Association Jalon (démonstration)")
JALON_ORGANISATION_ADDRESS = os.environ.get("JALON_ORGANISATION_ADDRESS", "1 rue de l'Exemple, 75000 Paris")
JALON_CONTACT_EMAIL = os.environ.get("JALON_CONTACT_EMAIL", "contact@jalon.example.org")
JALON_DPO_EMAIL = os.environ.get("JALON_DPO_EMAIL", "dpo@jalon.example.org")
JALON_PUBLICATION_DIRECTOR = os.environ.get("JALON_PUBLICATION_DIRECTOR", "La présidence de l'association")
JALON_HOST_NAME = os.environ.get("JALON_HOST_NAME", "L'hébergeur de cette instance (à renseigner)")
JALON_SECURITY_CONTACT = os.environ.get("JALON_SECURITY_CONTACT", "mailto:securite@jalon.example.org")

# ---------------------------------------------------------------------------------------------
# Operations (jalon.ops): probes, metrics, error reporting, logs, quiet job consumer.
# Kept in this one block; see docs/deploiement.md ("Supervision") for every variable.
from jalon.ops.logs import logging_config  # noqa: E402
from jalon.ops.network import DEFAULT_NETWORKS, parse_networks  # noqa: E402

INSTALLED_APPS += ["jalon.ops", "django_prometheus"]
MIDDLEWARE = [
    # First: the request id is on every log line, including the other middlewares'.
    "jalon.ops.logs.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Query counts and latencies per database (django-prometheus wrappers of the same backends).
_METRICS_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _METRICS_ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Tests on SQLite stay in memory: pytest-django recognises only Django's own engine name as
    # SQLite and would otherwise give each xdist worker a file named after the database path.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
# Probes over plain HTTP: a balancer talks to gunicorn directly, without TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# /readyz answers only these networks (REMOTE_ADDR); elsewhere it is a 404. /healthz is open.
HEALTH_ALLOWED_NETWORKS = parse_networks(os.environ.get("HEALTH_ALLOWED_NETWORKS", DEFAULT_NETWORKS))
# /metrics needs "Authorization: Bearer <METRICS_TOKEN>"; without a token it does not exist (404).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Queue lag (age of the consumer's minute heartbeat) above which /readyz says "retard".
JOBS_MAX_LAG_SECONDS = int(os.environ.get("JOBS_MAX_LAG_SECONDS", "600"))
# The consumer's backoff while Redis or the database is unreachable, and its warning period.
JOBS_BACKOFF_MAX = float(os.environ.get("JOBS_BACKOFF_MAX", "30"))
JOBS_WARN_EVERY = float(os.environ.get("JOBS_WARN_EVERY", "60"))
HUEY["huey_class"] = "jalon.ops.jobs.RedisHuey" if REDIS_URL else "jalon.ops.jobs.SqliteHuey"

# Errors: Sentry when SENTRY_DSN is set (personal data scrubbed), else e-mail to ADMINS through
# the outbox. ADMINS: comma-separated addresses.
ADMINS = [(email, email) for email in env_list("ADMINS")]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from jalon.ops.errors import init_sentry  # noqa: E402

    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SENTRY_RELEASE", ""),
    )

# Logs: one line per event, a request id on each, e-mails and phone numbers masked;
# LOG_FORMAT=json for one JSON object per line.
LOGGING = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"),
    json=os.environ.get("LOG_FORMAT", "").lower() == "json",
    error_mail=not SENTRY_DSN,
    jobs_level=os.environ.get("JOBS_LOG_LEVEL", ""),
)

# ---------------------------------------------------------------------------------------------
# Backups and degraded operation (jalon.ops.backup, jalon.ops.resilience); docs/deploiement.md.
# `jalon backup` saves the database and the files of a local default storage (MEDIA_ROOT above).
# JALON_BACKUP_KEY is read from the environment by the backup commands only, never kept here.
# Redis down: the cache falls back to this process's memory, a job that cannot be queued never
# turns a committed write into an error, and pages say that the service runs degraded.
if REDIS_URL:
    CACHES["default"]["BACKEND"] = "jalon.ops.resilience.ResilientRedisCache"
    # A dead or unreachable Redis answers within a second, then the fallback takes over.
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    if "socket_connect_timeout" not in REDIS_URL:
        # Huey takes a URL or connection parameters, not both: redis-py reads this one from the URL.
        HUEY["url"] = REDIS_URL + ("&" if "?" in REDIS_URL else "?") + "socket_connect_timeout=2"
TEMPLATES[0]["OPTIONS"]["context_processors"].append("jalon.ops.resilience.degraded")
