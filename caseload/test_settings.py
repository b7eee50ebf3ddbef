"""Test settings: the real settings, with a throwaway key and fast password hashing."""

import os

os.environ.setdefault("CASELOAD_SECRET_KEY", "test-only-" + "k" * 60)
os.environ.setdefault("CASELOAD_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CASELOAD_SECURE_COOKIES", "false")
os.environ.setdefault("CASELOAD_STATIC_MANIFEST", "false")
# Tasks run as they are queued; a test that exercises the worker switches to the database.
os.environ.setdefault("CASELOAD_TASK_BACKEND", "immediate")

from caseload.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests create many users. Production hashing is tested separately.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
