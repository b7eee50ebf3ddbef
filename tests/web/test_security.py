"""Sign-in, lockout, sessions, CSRF, hashing, headers and the production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from caseload.env import Env
from tests.conftest import World, client_for

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "CASELOAD_SECRET_KEY": "prod-" + "x7Qk2mV9" * 8,
    "CASELOAD_ALLOWED_HOSTS": "caseload.example.gov.uk",
    "DJANGO_SETTINGS_MODULE": "caseload.settings",
}


def _run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CASELOAD_", "DJANGO_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = _run_python(
        "import sys; from caseload.cli import run_manage; "
        "sys.exit(run_manage(['check', '--deploy', '--fail-level', 'WARNING']))",
        PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_static_files_collect_with_hashed_names() -> None:
    # Hashed names rewrite every url() in the CSS: one naming a missing file (GOV.UK's crest,
    # which caseload does not ship) stops the deployment's collectstatic.
    result = _run_python(
        "import sys; from caseload.cli import run_manage; "
        "sys.exit(run_manage(['collectstatic', '--noinput', '--clear', '--verbosity', '0']))",
        PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_hash_passwords_with_argon2_and_secure_cookies() -> None:
    result = _run_python(
        "import django, os; django.setup(); from django.conf import settings as s; "
        "print(s.PASSWORD_HASHERS[0], s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)",
        PRODUCTION_ENV,
    )
    assert result.stdout.split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "False",
        "True",
        "True",
        "True",
        "31536000",
    ], result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CASELOAD_SECRET_KEY"}
    result = _run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "CASELOAD_SECRET_KEY must be set" in result.stderr


def test_bad_setting_values_fail_loudly_naming_the_variable() -> None:
    result = _run_python(
        "import django; django.setup()", {**PRODUCTION_ENV, "CASELOAD_SESSION_IDLE_MINUTES": "ten"}
    )
    assert result.returncode != 0
    assert "CASELOAD_SESSION_IDLE_MINUTES='ten' is not a whole number" in result.stderr


def test_env_rejects_a_bad_boolean() -> None:
    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        Env({"X": "maybe"}).boolean("X", default=False)


@pytest.mark.parametrize(
    ("raw", "message"),
    [("1.5", "X='1.5' is not a whole number"), ("-3", "X=-3 must be at least 0")],
)
def test_env_rejects_a_bad_number(raw: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        Env({"X": raw}).integer("X", 0, minimum=0)


def test_env_reads_good_values_and_defaults() -> None:
    env = Env({"B": "yes", "I": "42", "L": "a, b,,c", "EMPTY": "  "})
    assert env.boolean("B", default=False) is True
    assert env.integer("I", 0) == 42
    assert env.string_list("L", []) == ["a", "b", "c"]
    assert env.string("EMPTY", "fallback") == "fallback"
    assert env.boolean("MISSING", default=True) is True


def _sign_in(client: Client, username: str, password: str) -> int:
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code


def test_sign_in_with_the_right_password(world: World) -> None:
    client = Client()
    response = client.post(
        reverse("login"), {"username": "priya", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # on to her caseload


def test_wrong_password_shows_the_error_summary(world: World) -> None:
    response = Client().post(reverse("login"), {"username": "priya", "password": "wrong"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a correct username and password" in page


def test_lockout_after_repeated_failures_even_with_the_right_password(world: World) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "priya", "wrong") == 200
    assert _sign_in(client, "priya", "wrong") == 429
    locked = client.post(
        reverse("login"), {"username": "priya", "password": "correct-horse-battery"}
    )
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    # Another user from the same address is not locked out by priya's failures.
    assert _sign_in(Client(), "colin", "correct-horse-battery") == 302


def test_sessions_expire_after_inactivity() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_expired_session_is_signed_out(world: World) -> None:
    client = client_for(world.priya)
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get(reverse("team_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_posts_without_a_csrf_token_are_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.priya)
    response = client.post(reverse("referral_new"), {})
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()


def test_pages_with_personal_data_are_not_cached(world: World) -> None:
    response = client_for(world.priya).get(
        reverse("person_detail", args=[world.person_of_priya.pk])
    )
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_health_check_answers_without_signing_in(client: Client) -> None:
    response = client.get(reverse("health"))
    assert (response.status_code, response.content) == (200, b"ok")


def test_only_administrators_can_be_staff(world: World) -> None:
    from django.db import IntegrityError, transaction

    world.priya.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        world.priya.save(update_fields=["is_staff"])
