"""Signing in through the council's identity provider, end to end against a provider running in
the test (tests/oidc_provider.py): caseload sends the browser there, the provider sends it back
with a code, caseload exchanges the code for a signed id token and matches an existing user."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from caseload.accounts.models import User
from tests.conftest import World
from tests.factories import AuthenticatorFactory
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider
from tests.web.test_security import PRODUCTION_ENV, _run_python

START = reverse("oidc_authentication_init")
CALLBACK = reverse("oidc_authentication_callback")
REFUSED = "Signing in with your council account did not work"


@pytest.fixture
def provider(settings: Settings) -> Iterator[LocalProvider]:
    with LocalProvider() as running:
        found = requests.get(f"{running.issuer}/.well-known/openid-configuration", timeout=5).json()
        settings.CASELOAD_OIDC_ENABLED = True
        settings.CASELOAD_OIDC_ISSUER = found["issuer"]
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "caseload.security.oidc.CouncilOIDCBackend",
        ]
        yield running


def with_email(user: User) -> str:
    user.email = f"{user.username}@council.example"
    user.save(update_fields=["email"])
    return user.email


def council_sign_in(client: Client, provider: LocalProvider, *, next_url: str = "") -> str:
    """Walk the code flow as a browser would; returns where caseload sends the browser last."""
    start = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.issuer}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == CALLBACK
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302
    return str(done["Location"])


def is_signed_in_as(client: Client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_a_practitioner_signs_in_through_the_council(world: World, provider: LocalProvider) -> None:
    provider.claims = {"email": with_email(world.priya).upper()}  # matched case-insensitively
    client = Client()
    assert council_sign_in(client, provider, next_url="/people/") == "/people/"
    assert is_signed_in_as(client, world.priya)
    assert client.get(reverse("person_list")).status_code == 200


def test_the_login_page_offers_the_council_sign_in_only_when_switched_on(
    world: World, settings: Settings
) -> None:
    assert (
        "Sign in with your council account" not in Client().get(reverse("login")).content.decode()
    )
    assert Client().get(START).status_code == 404
    assert Client().get(CALLBACK).status_code == 404
    settings.CASELOAD_OIDC_ENABLED = True
    assert "Sign in with your council account" in Client().get(reverse("login")).content.decode()


def test_a_manager_whose_provider_did_mfa_needs_no_code(
    world: World, provider: LocalProvider
) -> None:
    provider.claims = {"email": with_email(world.mona)}
    provider.amr = ["pwd", "mfa"]
    client = Client()
    council_sign_in(client, provider)
    assert client.get(reverse("person_list")).status_code == 200


def test_a_manager_without_mfa_at_the_provider_still_gives_a_code(
    world: World, provider: LocalProvider
) -> None:
    AuthenticatorFactory.create(user=world.mona)
    provider.claims = {"email": with_email(world.mona)}
    client = Client()
    council_sign_in(client, provider)
    assert is_signed_in_as(client, world.mona)
    assert client.get(reverse("person_list"))["Location"].startswith(reverse("two_factor_verify"))


def test_the_providers_mfa_can_be_distrusted(
    world: World, provider: LocalProvider, settings: Settings
) -> None:
    settings.CASELOAD_OIDC_TRUST_MFA = False
    provider.claims = {"email": with_email(world.mona)}
    provider.amr = ["pwd", "mfa"]
    client = Client()
    council_sign_in(client, provider)
    assert client.get(reverse("person_list"))["Location"].startswith(reverse("two_factor_verify"))


def test_users_can_be_matched_by_username(
    world: World, provider: LocalProvider, settings: Settings
) -> None:
    settings.CASELOAD_OIDC_CLAIM = "preferred_username"
    settings.CASELOAD_OIDC_MATCH_FIELD = "username"
    provider.claims = {"preferred_username": "colin", "email": "someone.else@council.example"}
    client = Client()
    council_sign_in(client, provider)
    assert is_signed_in_as(client, world.colin)


def assert_refused(client: Client, provider: LocalProvider) -> None:
    assert council_sign_in(client, provider) == reverse("login")
    assert "_auth_user_id" not in client.session
    assert REFUSED in client.get(reverse("login")).content.decode()


def test_an_id_token_signed_with_another_key_is_refused(
    world: World, provider: LocalProvider
) -> None:
    provider.claims = {"email": with_email(world.priya)}
    provider.sign_with_another_key = True
    assert_refused(Client(), provider)


def test_an_id_token_with_another_nonce_is_refused(world: World, provider: LocalProvider) -> None:
    provider.claims = {"email": with_email(world.priya)}
    provider.wrong_nonce = True
    assert_refused(Client(), provider)


def test_an_id_token_for_another_client_is_refused(world: World, provider: LocalProvider) -> None:
    provider.claims = {"email": with_email(world.priya)}
    provider.audience = "some-other-application"
    assert_refused(Client(), provider)


def test_someone_with_no_caseload_account_is_refused(world: World, provider: LocalProvider) -> None:
    provider.claims = {"email": "stranger@council.example"}
    assert_refused(Client(), provider)
    assert not User.objects.filter(email="stranger@council.example").exists()


def test_a_switched_off_account_is_refused(world: World, provider: LocalProvider) -> None:
    provider.claims = {"email": with_email(world.priya)}
    world.priya.is_active = False
    world.priya.save(update_fields=["is_active"])
    assert_refused(Client(), provider)


def test_a_callback_with_a_made_up_state_is_refused(world: World, provider: LocalProvider) -> None:
    client = Client()
    client.get(START)
    response = client.get(CALLBACK, {"code": "anything", "state": "made-up"})
    assert response["Location"] == reverse("login")
    assert provider.token_requests == 0
    assert "_auth_user_id" not in client.session


def test_an_unreachable_provider_ends_on_the_sign_in_page(
    world: World, provider: LocalProvider
) -> None:
    provider.claims = {"email": with_email(world.priya)}
    client = Client()
    start = client.get(START)
    back = urlsplit(
        requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    )
    provider.stop()
    response = client.get(f"{back.path}?{back.query}")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_switching_it_on_without_its_settings_fails_loudly() -> None:
    result = _run_python(
        "import django; django.setup()", {**PRODUCTION_ENV, "CASELOAD_OIDC_ENABLED": "true"}
    )
    assert result.returncode != 0
    assert "CASELOAD_OIDC_ISSUER must be set" in result.stderr
