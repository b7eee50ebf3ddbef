"""Password lockout keyed by username and the client's own address, also behind the load
balancer: an attacker locks out only themselves, not the person whose username they try."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from caseload.security.client_ip import client_ip
from tests.conftest import World

PASSWORD = "correct-horse-battery"
LOAD_BALANCER = "10.0.0.5"


def attempt(client: Client, username: str, password: str, forwarded_for: str = "") -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        reverse("login"), {"username": username, "password": password}, headers=headers
    )
    return response.status_code


def fail_until_locked(client: Client, username: str, forwarded_for: str = "") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, username, "wrong", forwarded_for) == 200
    assert attempt(client, username, "wrong", forwarded_for) == 429


def test_wrong_passwords_from_one_address_lock_that_address_only(world: World) -> None:
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    fail_until_locked(attacker, "priya")
    assert attempt(attacker, "priya", PASSWORD) == 429
    # Priya, at her own desk, signs in as usual.
    assert attempt(Client(REMOTE_ADDR="198.51.100.10"), "priya", PASSWORD) == 302


def test_behind_one_proxy_clients_are_told_apart_by_forwarded_for(
    world: World, settings: Settings
) -> None:
    settings.CASELOAD_TRUSTED_PROXY_COUNT = 1
    through_balancer = Client(REMOTE_ADDR=LOAD_BALANCER)
    fail_until_locked(through_balancer, "priya", forwarded_for="198.51.100.66")
    assert attempt(through_balancer, "priya", PASSWORD, "198.51.100.66") == 429
    # Another client through the same balancer is not locked out.
    assert attempt(through_balancer, "priya", PASSWORD, "198.51.100.10") == 302


def test_behind_a_proxy_a_spoofed_forwarded_for_entry_is_ignored(
    world: World, settings: Settings
) -> None:
    settings.CASELOAD_TRUSTED_PROXY_COUNT = 1
    through_balancer = Client(REMOTE_ADDR=LOAD_BALANCER)
    # The attacker writes Priya's address first; the balancer appends the attacker's own.
    fail_until_locked(through_balancer, "priya", forwarded_for="198.51.100.10, 198.51.100.66")
    # Changing the made-up part changes nothing: still the attacker's address, still locked.
    assert attempt(through_balancer, "priya", PASSWORD, "192.0.2.99, 198.51.100.66") == 429
    assert attempt(through_balancer, "priya", PASSWORD, "198.51.100.10") == 302


def test_without_a_trusted_proxy_forwarded_for_is_ignored(world: World) -> None:
    client = Client(REMOTE_ADDR="198.51.100.66")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "priya", "wrong", forwarded_for=f"192.0.2.{n}") == 200
    assert attempt(client, "priya", "wrong", forwarded_for="192.0.2.200") == 429


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", LOAD_BALANCER),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "203.0.113.9,192.0.2.1", "192.0.2.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "203.0.113.9, 192.0.2.1, 10.1.1.1", "192.0.2.1"),
        # Fewer entries than proxies: the request did not come through them all.
        (2, "192.0.2.1", LOAD_BALANCER),
        (1, "", LOAD_BALANCER),
        (1, "not-an-address", LOAD_BALANCER),
    ],
)
def test_client_address(settings: Settings, count: int, forwarded_for: str, expected: str) -> None:
    settings.CASELOAD_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=LOAD_BALANCER)
    if forwarded_for:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(request) == expected
