"""Register pages: forms, search, the access log, and constant query counts on list pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.audit.models import AccessLogEntry
from caseload.register.models import Case, CaseStatus, Person, SupportRequest
from caseload_engine.identifiers import format_nhs_number
from tests.conftest import World, client_for
from tests.factories import (
    CaseFactory,
    PractitionerFactory,
    allocated_case,
    next_synthetic_nhs_number,
)


def valid_referral(world: World, **overrides: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "given_name": "Nora",
        "family_name": "Newcomer",
        "date_of_birth_day": "3",
        "date_of_birth_month": "2",
        "date_of_birth_year": "1941",
        "nhs_number": format_nhs_number(next_synthetic_nhs_number()),
        "postcode": "zz3 4bc",
        "primary_support_reason": "memory_cognition",
        "team": str(world.team_north.pk),
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "time_received": "00:05",
        "route_of_access": "community_other",
        "source": "gp",
        "summary": "Struggling with meals",
    }
    data.update(overrides)
    return data


def test_recording_a_referral_puts_it_on_the_waiting_list(world: World) -> None:
    client = client_for(world.priya)
    response = client.post(reverse("referral_new"), valid_referral(world), follow=True)
    assert response.status_code == 200
    assert "Referral recorded" in response.content.decode()
    person = Person.objects.get(family_name="Newcomer")
    assert person.postcode == "ZZ3 4BC"
    waiting = client.get(reverse("team_waiting_list", args=[world.team_north.pk]))
    assert "Nora Newcomer" in waiting.content.decode()


def test_empty_referral_names_every_missing_field_and_saves_nothing(world: World) -> None:
    before = Person.objects.count(), SupportRequest.objects.count()
    response = client_for(world.priya).post(reverse("referral_new"), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Enter the first name",
        "Enter the last name",
        "Enter the date of birth",
        "Enter the postcode",
        "Select the primary support reason",
        "Enter the date received",
        "Enter the time received",
        "Select the route of access",
        "Select who made the request",
    ):
        assert message in page
    assert (Person.objects.count(), SupportRequest.objects.count()) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nhs_number", "999 000 0019", "the check digit does not match"),
        ("nhs_number", "12345", "Enter an NHS number of 10 digits"),
        ("postcode", "ZZ1 ABC", "Enter a full UK postcode"),
        ("date_of_birth_month", "13", "must be a real date"),
        ("date_of_birth_year", "", "must include a year"),
        ("time_received", "25:99", "24-hour format"),
        ("team", "999999", "Select a valid choice"),
    ],
)
def test_bad_referral_input_is_named_and_nothing_saved(
    world: World, field: str, value: str, message: str
) -> None:
    before = Person.objects.count(), SupportRequest.objects.count(), Case.objects.count()
    response = client_for(world.priya).post(
        reverse("referral_new"), valid_referral(world, **{field: value})
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    anchor = field.removesuffix("_month").removesuffix("_year")
    assert f'href="#id_{anchor}' in page
    assert (Person.objects.count(), SupportRequest.objects.count(), Case.objects.count()) == before


def test_referral_to_another_team_is_not_offered(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("referral_new"), valid_referral(world, team=str(world.team_south.pk))
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Person.objects.filter(family_name="Newcomer").exists()


def test_referral_for_a_known_person(world: World) -> None:
    data = {
        key: value
        for key, value in valid_referral(world).items()
        if key.startswith(("team", "received_on", "time_received", "route", "source", "summary"))
    }
    person = world.case_waiting_south.person
    response = client_for(world.max).post(
        reverse("person_referral_new", args=[person.pk]),
        {**data, "team": str(world.team_south.pk)},
    )
    # Sid already waits in Mental Health South: a second open case there is refused, named.
    assert "already has an open case in Mental Health South" in response.content.decode()
    assert person.cases.count() == 1


def test_closing_a_case_through_the_page(world: World) -> None:
    today = timezone.localdate()
    response = client_for(world.priya).post(
        reverse("case_close", args=[world.case_held_by_priya.pk]),
        {
            "outcome": "long_term_support_provided",
            "closed_on_day": str(today.day),
            "closed_on_month": str(today.month),
            "closed_on_year": str(today.year),
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=world.case_held_by_priya.pk).status == CaseStatus.CLOSED


def test_closing_without_an_outcome_is_named_and_nothing_changes(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("case_close", args=[world.case_held_by_priya.pk]), {}
    )
    page = response.content.decode()
    assert "Select the outcome" in page
    assert "Enter the date closed" in page
    assert Case.objects.get(pk=world.case_held_by_priya.pk).status == CaseStatus.ALLOCATED


def test_screening_through_the_page(world: World) -> None:
    case = world.case_waiting_north
    case.status = CaseStatus.AWAITING_SCREENING
    case.save(update_fields=["status"])
    client_for(world.colin).post(reverse("case_screen", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_ALLOCATION


def test_viewing_a_person_writes_the_access_log(world: World) -> None:
    person = world.person_of_priya
    client_for(world.priya).get(reverse("person_detail", args=[person.pk]))
    entry = AccessLogEntry.objects.get(subjects__person_id=person.pk)
    assert (entry.user_id, entry.action) == (world.priya.pk, AccessLogEntry.Action.VIEW_PERSON)


def test_viewing_a_case_writes_the_access_log(world: World) -> None:
    case = world.case_held_by_priya
    client_for(world.pat).get(reverse("case_detail", args=[case.pk]))
    entry = AccessLogEntry.objects.get(case_id=case.pk)
    assert (entry.user_id, entry.action) == (world.pat.pk, AccessLogEntry.Action.VIEW_CASE)
    assert list(entry.subjects.values_list("person_id", flat=True)) == [case.person_id]


def test_refused_view_writes_no_access_log(world: World) -> None:
    client_for(world.priya).get(reverse("person_detail", args=[world.case_held_by_colin.person.pk]))
    assert not AccessLogEntry.objects.exists()


def test_person_page_shows_cases_and_history(world: World) -> None:
    page = (
        client_for(world.mona)
        .get(reverse("person_detail", args=[world.case_closed_north.person.pk]))
        .content.decode()
    )
    assert "Closed: NFA: information and advice / signposting only" in page
    assert f"Allocated to {world.priya_practitioner.full_name}" in page
    assert "Recent views of this record" in page


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("heldby", {"Harriet", "Cyril"}),
        ("Harriet Heldbypriya", {"Harriet"}),
        ("harr held", {"Harriet"}),
        ("nobody-matches", set()),
    ],
)
def test_search_by_name(world: World, query: str, expect: set[str]) -> None:
    response = client_for(world.mona).post(reverse("person_list"), {"q": query})
    page = response.content.decode()
    for name in {"Harriet", "Cyril", "Wendy", "Sid"}:
        assert (name in page) == (name in expect), name


def test_search_by_nhs_number_and_council_id(world: World) -> None:
    person = world.person_of_priya
    client = client_for(world.priya)
    spaced = format_nhs_number(person.nhs_number)
    assert (
        escape(person.family_name)
        in client.post(reverse("person_list"), {"q": spaced}).content.decode()
    )
    short_id = "p" + str(int(person.council_person_id[1:]))
    assert (
        escape(person.family_name)
        in client.post(reverse("person_list"), {"q": short_id}).content.decode()
    )


def test_search_only_finds_people_the_user_may_see(world: World) -> None:
    page = client_for(world.priya).post(reverse("person_list"), {"q": "Heldbycolin"}).content
    colins_person = reverse("person_detail", args=[world.case_held_by_colin.person.pk])
    assert colins_person.encode() not in page
    assert b"0 results" in page


def test_search_is_logged_with_the_people_it_found_but_not_its_terms(world: World) -> None:
    client_for(world.priya).post(reverse("person_list"), {"q": "Heldbypriya"})
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.SEARCH_PEOPLE)
    assert entry.user_id == world.priya.pk
    assert list(entry.subjects.values_list("person_id", flat=True)) == [world.person_of_priya.pk]


def test_empty_search_is_named(world: World) -> None:
    page = client_for(world.priya).post(reverse("person_list"), {"q": ""}).content.decode()
    assert "There is a problem" in page
    assert "Enter a name, NHS number or council person id" in page


def test_htmx_search_returns_only_the_results(world: World) -> None:
    response = client_for(world.mona).post(
        reverse("person_list"), {"q": "Heldbypriya"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "Heldbypriya" in page
    assert "<html" not in page


def test_htmx_waiting_list_filter_returns_only_the_table(world: World) -> None:
    response = client_for(world.mona).get(
        reverse("team_waiting_list", args=[world.team_north.pk]),
        {"status": "awaiting_screening"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert "<html" not in page
    assert "Nobody is waiting with this status" in page


# -- query counts: constant as the data grows ---------------------------------------------


def _grow(world: World, n: int) -> None:
    for _ in range(n):
        colleague = PractitionerFactory.create(team=world.team_north)
        allocated_case(colleague, person__family_name="Grower")
        allocated_case(world.priya_practitioner, person__family_name="Grower")
        CaseFactory.create(team=world.team_north, person__family_name="Grower")


def _queries(client_call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        client_call()
    return len(captured)


LIST_PAGES: list[tuple[str, str, Callable[[World], list[int]], dict[str, str]]] = [
    ("team_list", "pat", lambda w: [], {}),
    ("team_detail", "mona", lambda w: [w.team_north.pk], {}),
    ("team_waiting_list", "priya", lambda w: [w.team_north.pk], {}),
    ("practitioner_detail", "priya", lambda w: [w.priya_practitioner.pk], {}),
    ("person_list", "mona", lambda w: [], {}),
]


@pytest.mark.parametrize(("name", "who", "args", "params"), LIST_PAGES)
def test_list_page_query_count_is_constant(
    world: World,
    name: str,
    who: str,
    args: Callable[[World], list[int]],
    params: dict[str, str],
) -> None:
    client = client_for(getattr(world, who))
    url = reverse(name, args=args(world))
    client.get(url, params)  # warm the session
    _grow(world, 3)
    small = _queries(lambda: client.get(url, params))
    _grow(world, 30)
    large = _queries(lambda: client.get(url, params))
    assert small == large, f"{name}: {small} queries with little data, {large} with more"


def test_search_query_count_is_constant(world: World) -> None:
    client = client_for(world.mona)
    url = reverse("person_list")
    client.post(url, {"q": "Grower"})
    _grow(world, 3)
    small = _queries(lambda: client.post(url, {"q": "Grower"}))
    _grow(world, 30)
    large = _queries(lambda: client.post(url, {"q": "Grower"}))
    assert small == large
