"""Every URL in the resolver, probed with hostile ids, query strings and form bodies by every
persona: whatever the answer, it is never a server error. An id past the database's integer
range (10**30, past SQLite's; 2**63, past PostgreSQL's bigint) must be "not found", a forbidden
page or a form error, on SQLite and on PostgreSQL alike. (An id no row has, such as 0, is the
ordinary "not found" every app's tests meet.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from caseload.accounts.models import User
from caseload.accounts.permissions import has_permission
from caseload.web.decorators import required_permission
from tests.conftest import World


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    """Hundreds of requests read the same two teams: built once for the module."""
    return shared_world


HOSTILE_IDS = (10**30, 2**63)
HOSTILE_TOKENS = ("%00%1b", "a" * 300, "\u0669\u0669")
# 429: the feedback link's limit on tries per address, which the probe soon reaches.
ALLOWED = {200, 302, 400, 403, 404, 405, 429}
# Namespaces not probed, each with its reason.
SKIPPED_NAMESPACES = {
    # Django's own admin: staff only, its views and their id handling are Django's, not ours.
    "admin",
}
_CONVERTER = re.compile(r"<(?:(?P<kind>[a-z]+):)?(?P<name>\w+)>")
_HUGE = str(10**30)
# Common field names across the app's forms, each with a value no form should choke on:
# ids past the integer range, control characters, non-ASCII digits, absurd dates.
_HOSTILE_FIELDS = {
    "team practitioner case person user assessor owner action_id": _HUGE,
    "page minutes minimum_minutes months amber_percent red_percent hours": _HUGE,
    "tier priority role roles kind reason by sort status": str(2**63),
    "q note summary detail label change_note code postcode": "\x00\x1b",
    "concern response agreed_with": "\x00\x1b",
    "nhs_number time_received definition legal_basis_detail": "\u0669\u0669\u0669\x00",
    "remove positive_risk_taking has_unpaid_carer": "\x00",
}
_DATE_FIELDS = (
    "starts_on received_on held_on due_on closed_on away_until date_of_birth date_from date_to"
    " decided_from decided_to agreed_on worked_on"
)
HOSTILE_BODY = {
    name: value for names, value in _HOSTILE_FIELDS.items() for name in names.split()
} | {
    f"{field}_{part}": value
    for field in _DATE_FIELDS.split()
    # Arabic-Indic digits for the day, a control character for the month, a huge year.
    for part, value in (("day", "\u0663\u0661"), ("month", "\x00"), ("year", _HUGE))
}
HOSTILE_QUERY = {
    "page": _HUGE,
    "q": "\x00",
    "sort": "\x00",
    "status": str(2**63),
    "show": "\x00",
    "team": _HUGE,
    "practitioner": str(2**63),
    "next": "//evil.example/\x00",
}


def _routes(
    patterns: Iterable[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str, Callable[..., object]]]:
    """(name, full route, view) of every named URL, through the apps' included URL lists."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            assert isinstance(pattern.pattern, RoutePattern), pattern
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name:
            # Every app route is a path(); a regex one would escape the probe unnoticed.
            assert isinstance(pattern.pattern, RoutePattern), pattern
            yield pattern.name, prefix + str(pattern.pattern), pattern.callback


_ALL_ROUTES = list(_routes(get_resolver().url_patterns))
ROUTES = {name: route for name, route, _ in _ALL_ROUTES}
VIEWS = {name: view for name, _, view in _ALL_ROUTES}
WITH_IDS = sorted(name for name, route in ROUTES.items() if _CONVERTER.search(route))
WITHOUT_IDS = sorted(set(ROUTES) - set(WITH_IDS))


# The one kind of non-integer URL part: a feedback link's token (no sign-in; unguessable). It
# is probed with the same hostile values as ids, as text, and with control characters.
TOKEN_PARTS = {"token"}


def _with_id(route: str, value: int | str) -> str:
    def replace(match: re.Match[str]) -> str:
        # Only integer ids and tokens in our URLs: anything else must be probed anew.
        assert match["kind"] == "int" or match["name"] in TOKEN_PARTS, route
        return str(value)

    return "/" + _CONVERTER.sub(replace, route)


def _admitted(world: World, name: str) -> dict[str, User]:
    """The personas, by role, whom the view's permission decorator lets in. The others get a
    403 before the view reads its id or body (the permission matrix asserts that answer), so
    probing them too would only send thousands more requests down that one path."""
    permission = required_permission(VIEWS[name])
    return {
        role: user
        for role, user in world.by_role().items()
        if permission is None or has_permission(user, permission)
    }


def _clients(world: World, name: str, client_for: Callable[[User], Client]) -> dict[str, Client]:
    return {role: client_for(user) for role, user in _admitted(world, name).items()}


def test_some_persona_reaches_every_view(world: World) -> None:
    assert [name for name in ROUTES if not _admitted(world, name)] == []


def _assert_no_server_error(role: str, method: str, url: str, status: int) -> None:
    assert status in ALLOWED, f"{role} {method} {url!r}: {status}"


def test_the_probe_sees_the_apps_urls() -> None:
    assert {"case_detail", "home"} <= set(ROUTES)
    assert len(WITH_IDS) > 20


@pytest.mark.parametrize("name", WITH_IDS)
def test_hostile_ids_never_give_a_server_error(
    world: World, name: str, shared_client_for: Callable[[User], Client]
) -> None:
    for role, client in _clients(world, name, shared_client_for).items():
        tokens = HOSTILE_TOKENS if "<str:token>" in ROUTES[name] else ()
        for value in (*HOSTILE_IDS, *tokens):
            url = _with_id(ROUTES[name], value)
            # An empty POST is not sent as well: the hostile body is as far from a valid form.
            for method, data in (("GET", None), ("POST", HOSTILE_BODY)):
                send = client.get if method == "GET" else client.post
                response = send(url, data)
                _assert_no_server_error(role, method, url, response.status_code)


@pytest.mark.parametrize("name", WITHOUT_IDS)
def test_hostile_queries_and_bodies_never_give_a_server_error(
    world: World, name: str, shared_client_for: Callable[[User], Client]
) -> None:
    url = "/" + ROUTES[name]
    for role, client in _clients(world, name, shared_client_for).items():
        response = client.get(url, HOSTILE_QUERY)
        _assert_no_server_error(role, "GET", url, response.status_code)
        # The forms without ids (a new referral, the policies) take the hostile body too.
        response = client.post(url, HOSTILE_BODY)
        _assert_no_server_error(role, "POST", url, response.status_code)


# The world's records, by the URL segment before their id: a hostile id 404s before any form
# is read, so the forms are probed on real records too.
_RECORDS: dict[str, Callable[[World], int]] = {
    "cases": lambda world: world.case_held_by_priya.pk,
    "teams": lambda world: world.team_north.pk,
    "practitioners": lambda world: world.priya_practitioner.pk,
    "people": lambda world: world.person_of_priya.pk,
    "assessments": lambda world: world.assessment_of_priyas_case.pk,
}
_RECORD = re.compile(r"(\w+)/<int:pk>")


def _record_of(route: str) -> str | None:
    match = _RECORD.search(route)
    return match[1] if match and match[1] in _RECORDS else None


ON_RECORDS = sorted(name for name in WITH_IDS if _record_of(ROUTES[name]))


def test_the_records_probe_covers_the_world_records() -> None:
    assert {"case_close", "team_detail", "person_detail", "assessment_override"} <= set(ON_RECORDS)


@pytest.mark.parametrize("name", ON_RECORDS)
def test_hostile_bodies_on_real_records_never_give_a_server_error(
    world: World, name: str, shared_client_for: Callable[[User], Client]
) -> None:
    route = ROUTES[name]
    url = _with_id(route, _RECORDS[str(_record_of(route))](world))
    for role, client in _clients(world, name, shared_client_for).items():
        for data in ({}, HOSTILE_BODY):
            response = client.post(url, data)
            _assert_no_server_error(role, "POST", url, response.status_code)
