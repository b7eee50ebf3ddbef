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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "axes",
    "caseload.accounts",
    "caseload.audit",
    "caseload.register",
    "caseload.complexity",
    "caseload.allocation",
    "caseload.ui",
    "caseload.web",
]
FORM_RENDERER = "caseload.ui.forms.GovukFormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
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
AXES_IPWARE_PROXY_COUNT = env.integer("CASELOAD_TRUSTED_PROXY_COUNT", 0, minimum=0)

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
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("CASELOAD_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

CASELOAD_PAGE_SIZE = env.integer("CASELOAD_PAGE_SIZE", 25, minimum=5)
