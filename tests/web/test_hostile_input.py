"""Every register form, posted by hand as an attacker would: huge numbers, digit-like characters,
date parts of 10^23, control and direction characters, other teams' ids. Never a 500 (the test
client raises what the server would), and nothing written.

(Hostile files, for the command line and imports, have their own suite.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseload.audit.models import ChangeEvent
from caseload.register.models import Allocation, Case, Person, SupportRequest
from tests.conftest import World, client_for
from tests.web.test_pages import valid_referral

HUGE = ["1" + "0" * 23, "9" * 30, "9" * 5000, "-1", "1e308", "NaN", "0x10"]
DIGIT_LIKE = ["²", "¹²", "①", "½", "٣²", "1\u200b2"]
HIDDEN = ["\x00", "Nora\x1b[2J", "Nora\u202eremoc", "\u200b\u200b", "Nora\nSmith"]
DATE_PART = ["1" + "0" * 23, "9" * 5000, "-1", "1e3", "²", "①", "½", "٣²", "\x00", " "]
# A choice is compared as text with its options: a few of each kind stand for the rest.
CHOICE = ["9" * 30, "²", "\x00", "\u202e", "unknown_code"]
NAME = [*HIDDEN, "a" * 81]
REQUEST_FIELDS: dict[str, list[str]] = {
    "team": [*HUGE, *DIGIT_LIKE, "0", "other-team"],
    "received_on_day": DATE_PART,
    "received_on_month": DATE_PART,
    "received_on_year": [*DATE_PART, "99999", "0999"],
    "time_received": ["²²:00", "99:99", "\x00", "1" * 30, "12:00\u202e"],
    "route_of_access": CHOICE,
    "source": CHOICE,
    "summary": ["a" * 4001, "\x00"],
}
PERSON_FIELDS: dict[str, list[str]] = {
    "given_name": NAME,
    "family_name": NAME,
    "date_of_birth_day": DATE_PART,
    "date_of_birth_month": DATE_PART,
    "date_of_birth_year": [*DATE_PART, "1899"],
    "nhs_number": ["9" * 30, "99900000¹⁸", "\x00", "999 000 001\u202e8", "1e9"],
    "postcode": ["QA1 1AA", "AZ1 1AA", "AB1 1CC", "\x00", "ZZ1 1AA\u202e", "A" * 5000],
    "primary_support_reason": CHOICE,
}


def _cases(fields: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    # One test per field, trying each value in turn: the world is built once per field.
    return list(fields.items())


Snapshot = tuple[object, ...]


def snapshot() -> Snapshot:
    """Everything a register form could write."""
    return (
        Person.objects.count(),
        SupportRequest.objects.count(),
        Allocation.objects.count(),
        ChangeEvent.objects.count(),
        list(Case.objects.values_list("pk", "status", "priority", "outcome", "closed_at")),
    )


def post_refused(client: Client, url: str, data: dict[str, Any]) -> str:
    before = snapshot()
    response = client.post(url, data, follow=True)
    assert response.status_code in (200, 404), (response.status_code, data)
    assert snapshot() == before, data
    return response.content.decode()


def _with(world: World, data: dict[str, str], field: str, value: str) -> dict[str, str]:
    """`data` with one field replaced; 'other-team' stands for a team the user may not use."""
    return {**data, field: str(world.team_south.pk) if value == "other-team" else value}


@pytest.mark.parametrize(("field", "values"), _cases({**PERSON_FIELDS, **REQUEST_FIELDS}))
def test_new_person_referral(world: World, field: str, values: list[str]) -> None:
    client = client_for(world.priya)
    for value in values:
        page = post_refused(
            client, reverse("referral_new"), _with(world, valid_referral(world), field, value)
        )
        assert "There is a problem" in page, value


def _known_person_referral(world: World, **overrides: str) -> tuple[Client, str, dict[str, str]]:
    """Mona refers Clara, whose only case in her team is closed: valid as it stands."""
    data = {key: value for key, value in valid_referral(world).items() if key in REQUEST_FIELDS}
    url = reverse("person_referral_new", args=[world.case_closed_north.person_id])
    return client_for(world.mona), url, {**data, **overrides}


def test_the_valid_forms_these_tests_spoil_are_recorded(world: World) -> None:
    # So that each refusal below comes from the one hostile field, not from the rest.
    client, url, data = _known_person_referral(world)
    assert client.post(url, data).status_code == 302
    client = client_for(world.priya)
    assert client.post(reverse("referral_new"), valid_referral(world)).status_code == 302
    case = world.case_held_by_priya
    assert client.post(reverse("case_close", args=[case.pk]), _close_data()).status_code == 302
    assert Case.objects.get(pk=case.pk).closed_at is not None


@pytest.mark.parametrize(("field", "values"), _cases(REQUEST_FIELDS))
def test_referral_for_a_known_person(world: World, field: str, values: list[str]) -> None:
    client, url, data = _known_person_referral(world)
    for value in values:
        page = post_refused(client, url, _with(world, data, field, value))
        assert "There is a problem" in page, value


def _close_data(**overrides: str) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "outcome": "long_term_support_provided",
        "closed_on_day": str(today.day),
        "closed_on_month": str(today.month),
        "closed_on_year": str(today.year),
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "values"),
    _cases(
        {
            "outcome": CHOICE,
            "closed_on_day": DATE_PART,
            "closed_on_month": DATE_PART,
            "closed_on_year": DATE_PART,
        }
    ),
)
def test_closing_a_case(world: World, field: str, values: list[str]) -> None:
    client = client_for(world.priya)
    for value in values:
        page = post_refused(
            client,
            reverse("case_close", args=[world.case_held_by_priya.pk]),
            _close_data(**{field: value}),
        )
        assert "There is a problem" in page, value


def test_setting_a_priority(world: World) -> None:
    client = client_for(world.priya)
    url = reverse("case_priority", args=[world.case_held_by_priya.pk])
    for value in [*HUGE, *DIGIT_LIKE, *HIDDEN, "0", "4", "٣", ""]:
        page = post_refused(client, url, {"priority": value})
        assert "Choose a priority of 1, 2 or 3" in page, value


def _other_teams_case(world: World) -> int:
    return world.case_waiting_south.pk


def _huge_id(world: World) -> int:
    return 10**30


CASE_URLS = ["case_close", "case_priority", "case_screen"]
NOT_YOURS: list[Callable[[World], int]] = [_other_teams_case, _huge_id]


@pytest.mark.parametrize("name", CASE_URLS)
@pytest.mark.parametrize("whose", NOT_YOURS)
def test_a_case_that_is_not_the_users_is_not_found(
    world: World, name: str, whose: Callable[[World], int]
) -> None:
    before = snapshot()
    response = client_for(world.priya).post(
        reverse(name, args=[whose(world)]), {**_close_data(), "priority": "1"}
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("whose", NOT_YOURS)
def test_a_referral_for_a_person_who_is_not_the_users_is_not_found(
    world: World, whose: Callable[[World], int]
) -> None:
    person_id = world.case_waiting_south.person_id if whose is _other_teams_case else 10**30
    before = snapshot()
    response = client_for(world.priya).post(
        reverse("person_referral_new", args=[person_id]), valid_referral(world)
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "values"),
    _cases({"q": [*HUGE, *DIGIT_LIKE, *HIDDEN, "P" + "9" * 30, "%", "_"], "page": HUGE}),
)
def test_searching_people(world: World, field: str, values: list[str]) -> None:
    client = client_for(world.priya)
    before = snapshot()
    for value in values:
        response = client.post(reverse("person_list"), {"q": "Nora", "page": "1", field: value})
        assert response.status_code == 200, value
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "values"),
    _cases(
        {
            "person": [*HUGE, *DIGIT_LIKE, *HIDDEN],
            "user": [*HUGE, *DIGIT_LIKE, *HIDDEN],
            "date_from_day": DATE_PART,
            "page": HUGE,
        }
    ),
)
def test_searching_the_change_log(world: World, field: str, values: list[str]) -> None:
    # It shares the date field and the digit reading with the register's forms.
    client = client_for(world.pat)
    for value in values:
        response = client.post(
            reverse("audit_change_log"),
            {"date_from_day": "1", "date_from_month": "1", "date_from_year": "2026", field: value},
        )
        assert response.status_code == 200, value
