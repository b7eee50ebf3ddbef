"""Settings for caseload, read from the environment.

Defaults are the safe ones (DEBUG off, secure cookies, HSTS); `make run` switches on the
development conveniences explicitly. Bad values stop start-up with a message naming the variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from caseload.env import Env

# Lets generic classes such as ModelAdmin[Team] be subscripted at run time, for the type checker.
django_stubs_ext.monkeypatch()

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("CASELOAD_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.string("CASELOAD_SECRET_KEY", "dev-only-insecure-key") or ""
else:
    SECRET_KEY = env.required_string(
        "CASELOAD_SECRET_KEY", "a long random value, kept secret, when CASELOAD_DEBUG is off"
    )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("CASELOAD_SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env.string_list("CASELOAD_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.string_list("CASELOAD_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin, its site asking for the second sign-in step and recording every
    # change in the change log.
    "caseload.audit.admin_config.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "caseload.accounts",
    "caseload.security",
    "caseload.audit",
    "caseload.register",
    "caseload.complexity",
    "caseload.allocation",
    "caseload.asye",
    "caseload.supervision",
    "caseload.ui",
    "django_tasks",
    "django_tasks_db",
    "caseload.jobs",
    "caseload.notifications",
    "caseload.decisions",
    "caseload.resource",
    "caseload.demand",
    "caseload.workload",
    "caseload.healthcheck",
    "caseload.planning",
    "caseload.audits",
    "caseload.safeguarding",
    "caseload.sacreport",
    "caseload.learning",
    "caseload.annualreport",
    "caseload.web",
]
FORM_RENDERER = "caseload.ui.forms.GovukFormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "caseload.security.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "caseload.security.middleware.SecondFactorMiddleware",
    "caseload.accounts.middleware.NoStoreMiddleware",
    # Last, so that it sees the outcome of authentication for lockouts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caseload.urls"
WSGI_APPLICATION = "caseload.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "caseload" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caseload.web.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.string("DATABASE_URL", f"sqlite:///{BASE_DIR / 'caseload.sqlite3'}") or "",
        conn_max_age=env.integer("CASELOAD_DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the development server and a loader share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures, per username and address, held in the database so that
# every web node behind the load balancer sees the same count.
AXES_FAILURE_LIMIT = env.integer("CASELOAD_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("CASELOAD_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address behind the load balancer: the number of proxies in front of the app whose
# X-Forwarded-For entries are believed (0: none, X-Forwarded-For ignored). See security/client_ip.
CASELOAD_TRUSTED_PROXY_COUNT = env.integer("CASELOAD_TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "caseload.security.client_ip.client_ip"

# Two-factor sign-in for every role above practitioner (caseload/security/two_factor.py). Only a
# development run (CASELOAD_DEBUG) may go without it; wrong codes lock like wrong passwords.
CASELOAD_REQUIRE_2FA = env.boolean("CASELOAD_REQUIRE_2FA", default=not DEBUG)
if not DEBUG and not CASELOAD_REQUIRE_2FA:
    raise ImproperlyConfigured("CASELOAD_REQUIRE_2FA can be false only with CASELOAD_DEBUG=true")
OTP_TOTP_ISSUER = "caseload"
# django-otp's own growing delays are off: our count of wrong codes locks instead.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sign-in through the council's identity provider (OpenID Connect), off unless configured.
CASELOAD_OIDC_ENABLED = env.boolean("CASELOAD_OIDC_ENABLED", default=False)
_OIDC_WHY = "when CASELOAD_OIDC_ENABLED is on (see the provider's discovery document)"


def _oidc_setting(name: str) -> str | None:
    if CASELOAD_OIDC_ENABLED:
        return env.required_string(name, _OIDC_WHY)
    return None


CASELOAD_OIDC_ISSUER = _oidc_setting("CASELOAD_OIDC_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc_setting("CASELOAD_OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = _oidc_setting("CASELOAD_OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = _oidc_setting("CASELOAD_OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = _oidc_setting("CASELOAD_OIDC_JWKS_URI")
OIDC_RP_CLIENT_ID = _oidc_setting("CASELOAD_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = _oidc_setting("CASELOAD_OIDC_CLIENT_SECRET")
# Which claim names the user, and which field of an existing user it must equal.
CASELOAD_OIDC_CLAIM = env.string("CASELOAD_OIDC_CLAIM", "email") or "email"
CASELOAD_OIDC_MATCH_FIELD = env.string("CASELOAD_OIDC_MATCH_FIELD", "email") or "email"
if CASELOAD_OIDC_MATCH_FIELD not in {"email", "username"}:
    raise ImproperlyConfigured("CASELOAD_OIDC_MATCH_FIELD must be email or username")
# Whether the provider's word that it did multi-factor authentication (amr holds "mfa") stands
# in for caseload's own code step.
CASELOAD_OIDC_TRUST_MFA = env.boolean("CASELOAD_OIDC_TRUST_MFA", default=True)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
if CASELOAD_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("caseload.security.oidc.CouncilOIDCBackend")

# Sessions end after inactivity: each request renews the cookie, idle ones expire.
SESSION_COOKIE_AGE = env.integer("CASELOAD_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_SSL_REDIRECT = env.boolean("CASELOAD_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.boolean("CASELOAD_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.integer("CASELOAD_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("CASELOAD_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.boolean("CASELOAD_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: scripts and styles come from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features the service never uses, switched off for it (the Permissions-Policy header).
CASELOAD_PERMISSIONS_POLICY = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
]
X_FRAME_OPTIONS = "DENY"
if env.boolean("CASELOAD_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "collected-static"
STATICFILES_DIRS = [BASE_DIR / "build" / "static", BASE_DIR / "caseload" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.boolean("CASELOAD_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Logs carry no personal data: request paths hold only numeric ids, never names or NHS numbers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "client_errors_without_traceback": {
            "()": "caseload.web.logging.ClientErrorsWithoutTraceback"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("CASELOAD_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default handlers print what the root handler prints a second time (in
        # debug): everything goes through the root handler once.
        "django": {"handlers": []},
        "django.request": {"filters": ["client_errors_without_traceback"]},
        "axes": {"level": "WARNING"},
        "mozilla_django_oidc": {"level": "WARNING"},
    },
}

CASELOAD_PAGE_SIZE = env.integer("CASELOAD_PAGE_SIZE", 25, minimum=5)

# Background jobs (docs/decisions/0002-task-queue.md). "database" queues tasks in the database,
# for any number of workers (`caseload manage db_worker`) on any machine; "immediate" runs each
# task at once in the process that queues it (the tests, or a machine with no worker).
TASKS = {
    "default": {
        "BACKEND": env.choice(
            "CASELOAD_TASK_BACKEND",
            {
                "database": "django_tasks_db.DatabaseBackend",
                "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            },
            "database",
        )
    }
}

# Email goes out from a task, never inside a request. "console" prints it (development).
EMAIL_BACKEND = env.choice(
    "CASELOAD_EMAIL_BACKEND",
    {
        "console": "django.core.mail.backends.console.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
    },
    "console",
)
if EMAIL_BACKEND.endswith(".smtp.EmailBackend"):
    EMAIL_HOST = env.required_string(
        "CASELOAD_EMAIL_HOST", "the SMTP server, when CASELOAD_EMAIL_BACKEND is smtp"
    )
    EMAIL_PORT = env.integer("CASELOAD_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env.string("CASELOAD_EMAIL_USER", "") or ""
    EMAIL_HOST_PASSWORD = env.string("CASELOAD_EMAIL_PASSWORD", "") or ""
    EMAIL_USE_TLS = env.boolean("CASELOAD_EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = env.integer("CASELOAD_EMAIL_TIMEOUT_SECONDS", 20, minimum=1)
DEFAULT_FROM_EMAIL = env.string("CASELOAD_EMAIL_FROM", "caseload <caseload@localhost>")
# Emails link back to the service: its address as users reach it.
CASELOAD_BASE_URL = (env.string("CASELOAD_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
# Notices ahead of a planned handover, and of a Social Work England registration renewal.
CASELOAD_HANDOVER_NOTICE_DAYS = env.integer("CASELOAD_HANDOVER_NOTICE_DAYS", 3, minimum=0)
# A job waiting or running this long has lost its worker (stopped, or none running): it is
# failed with a message rather than left for its page to poll for ever.
CASELOAD_JOB_STALL_MINUTES = env.integer("CASELOAD_JOB_STALL_MINUTES", 30, minimum=1)
CASELOAD_RENEWAL_NOTICE_DAYS = env.integer("CASELOAD_RENEWAL_NOTICE_DAYS", 30, minimum=1)
# A held case whose next review is this many days away or fewer becomes work to allocate.
CASELOAD_REVIEW_LEAD_DAYS = env.integer("CASELOAD_REVIEW_LEAD_DAYS", 28, minimum=0)
