"""Two-factor sign-in: set-up, the code step, wrong codes, recovery codes, who needs it, and the
admin. Sign-ins here go through the real forms; only the phone is played by the test."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from caseload.accounts.models import User
from caseload.security.two_factor import IDP_MFA_SESSION_KEY, RECOVERY_CODE_COUNT
from tests.conftest import World, client_for
from tests.factories import AuthenticatorFactory, authenticator_code
from tests.web.test_security import PRODUCTION_ENV, _run_python

PASSWORD = "correct-horse-battery"
VERIFY = reverse("two_factor_verify")
SETUP = reverse("two_factor_setup")


def password_only(user: User) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_for_secret(secret: str) -> str:
    """What an authenticator app shows for a key typed in from the set-up page."""
    from base64 import b32decode

    key = "".join(secret.split())
    key += "=" * (-len(key) % 8)
    return f"{TOTP(b32decode(key)).token():06d}"


def test_first_sign_in_of_a_manager_sets_up_an_authenticator(world: World) -> None:
    client = password_only(world.mona)

    # Every page sends her to the code step, which sends her on to set-up, keeping her way.
    wanted = reverse("team_detail", args=[world.team_north.pk])
    response = client.get(wanted, follow=True)
    assert response.redirect_chain[0][0] == f"{VERIFY}?next={wanted.replace('/', '%2F')}"
    assert response.redirect_chain[-1][0].startswith(SETUP)
    page = response.content.decode()
    assert "Set up your sign-in codes" in page
    assert '<svg width="' in page  # the QR code, drawn on the page itself
    assert 'name="next" value="' + wanted + '"' in page
    secret = re.search(r'<p class="govuk-body caseload-secret" id="secret">([A-Z2-7 ]+)</p>', page)
    assert secret is not None

    confirmed = client.post(SETUP, {"code": code_for_secret(secret[1]), "next": wanted})
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    assert all(code in confirmed.content.decode() for code in codes)
    assert TOTPDevice.objects.get(user=world.mona).confirmed

    # Signed in fully: the page she wanted opens, and the codes are not shown again.
    assert client.get(wanted).status_code == 200
    again = client.get(SETUP)
    assert again.status_code == 302
    assert not any(code in again.content.decode() for code in codes)


def test_a_wrong_code_does_not_confirm_the_authenticator(world: World) -> None:
    client = password_only(world.dee)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.dee, confirmed=True).exists()
    assert client.get(reverse("team_list"))["Location"].startswith(VERIFY)


def test_the_secret_stays_the_same_until_confirmed(world: World) -> None:
    client = password_only(world.pat)
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first


def test_next_sign_in_asks_for_a_code_and_goes_on_to_the_page_asked_for(world: World) -> None:
    device = AuthenticatorFactory.create(user=world.mona)
    client = password_only(world.mona)
    wanted = reverse("person_list")
    assert client.get(wanted)["Location"] == f"{VERIFY}?next=%2Fpeople%2F"

    response = client.post(VERIFY, {"code": authenticator_code(device), "next": wanted})
    assert response.status_code == 302
    assert response["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_the_same_code_works_only_once(world: World) -> None:
    device = AuthenticatorFactory.create(user=world.mona)
    code = authenticator_code(device)
    assert password_only(world.mona).post(VERIFY, {"code": code}).status_code == 302
    replay = password_only(world.mona).post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert "The code is not right" in replay.content.decode()


def test_the_next_address_must_be_our_own(world: World) -> None:
    device = AuthenticatorFactory.create(user=world.mona)
    client = password_only(world.mona)
    response = client.post(
        VERIFY, {"code": authenticator_code(device), "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == reverse("home")


def test_a_wrong_code_is_refused_with_an_error(world: World) -> None:
    AuthenticatorFactory.create(user=world.mona)
    client = password_only(world.mona)
    response = client.post(VERIFY, {"code": "123456"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The code is not right" in page
    assert client.get(reverse("person_list"))["Location"].startswith(VERIFY)


@pytest.mark.parametrize(("code", "message"), [("", "Enter the code"), ("12 34;56", "letters")])
def test_a_malformed_code_is_an_error_not_a_failure(world: World, code: str, message: str) -> None:
    AuthenticatorFactory.create(user=world.mona)
    response = password_only(world.mona).post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_five_wrong_codes_sign_out_and_lock_the_code_step(world: World) -> None:
    device = AuthenticatorFactory.create(user=world.mona)
    client = password_only(world.mona)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"code": "123456"}).status_code == 200
    locked = client.post(VERIFY, {"code": "123456"})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.content.decode()
    # Signed out: the password session is gone.
    assert client.get(reverse("person_list"))["Location"].startswith(reverse("login"))

    # From anywhere, even with the right code, the code step stays locked for the cool-off.
    elsewhere = password_only(world.mona)
    refused = elsewhere.post(VERIFY, {"code": authenticator_code(device)})
    assert refused.status_code == 429
    assert elsewhere.get(reverse("person_list"))["Location"].startswith(reverse("login"))


def test_a_right_code_resets_the_count_of_wrong_ones(world: World) -> None:
    device = AuthenticatorFactory.create(user=world.mona)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_only(world.mona).post(VERIFY, {"code": "123456"})
    assert (
        password_only(world.mona).post(VERIFY, {"code": authenticator_code(device)}).status_code
        == 302
    )
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_only(world.mona).post(VERIFY, {"code": "123456"}).status_code == 200


def test_a_recovery_code_works_once(world: World) -> None:
    client = password_only(world.ada)
    secret = client.get(SETUP).context["secret"]
    codes = client.post(SETUP, {"code": code_for_secret(secret)}).context["codes"]

    first = password_only(world.ada)
    used = first.post(VERIFY, {"code": codes[3].upper()}, follow=True)
    assert used.redirect_chain[0][1] == 302
    assert f"You have {RECOVERY_CODE_COUNT - 1} left" in used.content.decode()
    assert StaticToken.objects.filter(device__user=world.ada).count() == RECOVERY_CODE_COUNT - 1
    assert first.get(reverse("admin:index")).status_code == 200

    again = password_only(world.ada).post(VERIFY, {"code": codes[3]})
    assert again.status_code == 200
    assert "The code is not right" in again.content.decode()
    # Another of the codes still works.
    assert password_only(world.ada).post(VERIFY, {"code": codes[4]}).status_code == 302


def test_practitioners_sign_in_with_a_password_alone(world: World) -> None:
    client = password_only(world.priya)
    assert client.get(reverse("person_list")).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("home")
    assert client.get(SETUP)["Location"] == reverse("home")
    assert not TOTPDevice.objects.filter(user=world.priya).exists()


def test_the_admin_needs_the_code_step(world: World) -> None:
    AuthenticatorFactory.create(user=world.ada)
    client = password_only(world.ada)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_the_admin_refuses_an_unverified_session_without_the_middleware(
    world: World, settings: Settings
) -> None:
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "caseload.security.middleware.SecondFactorMiddleware"
    ]
    AuthenticatorFactory.create(user=world.ada)
    client = password_only(world.ada)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_signing_out_needs_no_code(world: World) -> None:
    AuthenticatorFactory.create(user=world.mona)
    client = password_only(world.mona)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("person_list"))["Location"].startswith(reverse("login"))


def test_an_htmx_request_is_sent_to_the_code_page_whole(world: World) -> None:
    AuthenticatorFactory.create(user=world.mona)
    client = password_only(world.mona)
    response = client.post(reverse("person_list"), {"q": "x"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == VERIFY


def test_a_provider_vouching_for_one_user_vouches_for_no_other(world: World) -> None:
    AuthenticatorFactory.create(user=world.mona)
    client = password_only(world.mona)
    session = client.session
    session[IDP_MFA_SESSION_KEY] = world.max.pk
    session.save()
    assert client.get(reverse("person_list"))["Location"].startswith(VERIFY)
    session[IDP_MFA_SESSION_KEY] = world.mona.pk
    session.save()
    assert client.get(reverse("person_list")).status_code == 200


def test_development_runs_may_go_without(world: World, settings: Settings) -> None:
    settings.CASELOAD_REQUIRE_2FA = False
    assert password_only(world.mona).get(reverse("person_list")).status_code == 200


def test_production_settings_require_two_factor_sign_in() -> None:
    on = _run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CASELOAD_REQUIRE_2FA)",
        PRODUCTION_ENV,
    )
    assert on.stdout.split() == ["True"], on.stderr
    off = _run_python(
        "import django; django.setup()", {**PRODUCTION_ENV, "CASELOAD_REQUIRE_2FA": "false"}
    )
    assert off.returncode != 0
    assert "CASELOAD_REQUIRE_2FA can be false only with CASELOAD_DEBUG=true" in off.stderr


def test_an_administrator_resets_a_lost_authenticator(world: World) -> None:
    device = AuthenticatorFactory.create(user=world.mona)
    admin = client_for(world.ada)
    change = admin.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    assert device.key not in change.content.decode()  # the secret stays on her phone
    deleted = admin.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert password_only(world.mona).get(VERIFY)["Location"].startswith(SETUP)
