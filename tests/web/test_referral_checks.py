"""What a referral checks before anything is written: digits, names, plausible dates, the same
person twice, a second open case, and two referrals racing each other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.audit.models import AccessAction, AccessLogEntry
from caseload.register import actions
from caseload.register.models import Case, Person, SupportRequest
from caseload.web.errors import ActionRefused
from caseload_engine.identifiers import format_nhs_number
from tests.conftest import World, client_for
from tests.factories import CaseFactory, PersonFactory, next_synthetic_nhs_number
from tests.web.test_actions import person_details, request_details
from tests.web.test_pages import valid_referral

ARABIC_INDIC_ZERO = 0x0660
FULLWIDTH_ZERO = 0xFF10


def in_digits_of(zero: int, text: str) -> str:
    return "".join(chr(zero + int(char)) if char.isdigit() else char for char in text)


def register_counts() -> tuple[int, int, int]:
    return Person.objects.count(), SupportRequest.objects.count(), Case.objects.count()


def refer(world: World, who: str = "priya", **overrides: str) -> str:
    user = getattr(world, who)
    response = client_for(user).post(reverse("referral_new"), valid_referral(world, **overrides))
    assert response.status_code in (200, 302)
    return response.content.decode()


def known_details(person: Person) -> dict[str, str]:
    """The referral form's person fields, typed as they are recorded for `person`."""
    return {
        "given_name": person.given_name.upper(),
        "family_name": f"  {person.family_name.lower()} ",
        "date_of_birth_day": str(person.date_of_birth.day),
        "date_of_birth_month": str(person.date_of_birth.month),
        "date_of_birth_year": str(person.date_of_birth.year),
        "postcode": person.postcode.lower(),
    }


# Digits: ASCII, or read as ASCII; never a 500.


@pytest.mark.parametrize("part", ["day", "month", "year"])
@pytest.mark.parametrize("field", ["date_of_birth", "received_on"])
def test_a_date_part_of_10_to_the_23_is_a_field_error(world: World, field: str, part: str) -> None:
    before = register_counts()
    page = refer(world, **{f"{field}_{part}": "1" + "0" * 23})
    assert "must be a real date" in page
    assert f'href="#id_{field}_0"' in page
    assert register_counts() == before


@pytest.mark.parametrize("day", ["²", "①", "٣٣٣", "3.0", "-3"])
def test_date_parts_that_are_not_plain_digits_are_a_field_error(world: World, day: str) -> None:
    before = register_counts()
    assert "must be a real date" in refer(world, date_of_birth_day=day)
    assert register_counts() == before


def test_date_parts_in_another_scripts_digits_read_as_the_date(world: World) -> None:
    refer(
        world,
        date_of_birth_day=in_digits_of(ARABIC_INDIC_ZERO, "3"),
        date_of_birth_month=in_digits_of(FULLWIDTH_ZERO, "2"),
        date_of_birth_year=in_digits_of(ARABIC_INDIC_ZERO, "1941"),
    )
    assert Person.objects.get(family_name="Newcomer").date_of_birth == date(1941, 2, 3)


@pytest.mark.parametrize("zero", [ARABIC_INDIC_ZERO, FULLWIDTH_ZERO])
def test_an_nhs_number_in_other_digits_is_stored_in_ascii(world: World, zero: int) -> None:
    number = next_synthetic_nhs_number()
    refer(world, nhs_number=in_digits_of(zero, format_nhs_number(number)))
    assert Person.objects.get(family_name="Newcomer").nhs_number == number


def test_an_nhs_number_in_other_digits_finds_the_person_it_belongs_to(world: World) -> None:
    # Stored as typed, it got round both uniqueness and the same-person check.
    known = world.case_waiting_south.person
    before = register_counts()
    page = refer(world, nhs_number=in_digits_of(FULLWIDTH_ZERO, known.nhs_number))
    assert "recorded for someone with a different name or date of birth" in page
    assert register_counts() == before


@pytest.mark.parametrize("number", ["99900000¹⁸", "999000001⑧"])
def test_an_nhs_number_with_digit_like_characters_is_refused(world: World, number: str) -> None:
    before = register_counts()
    assert "Enter an NHS number of 10 digits" in refer(world, nhs_number=number)
    assert register_counts() == before


def test_the_database_refuses_an_nhs_number_that_is_not_ten_ascii_digits(world: World) -> None:
    for number in (in_digits_of(FULLWIDTH_ZERO, next_synthetic_nhs_number()), "999000001"):
        with pytest.raises(IntegrityError), transaction.atomic():
            PersonFactory.create(nhs_number=number)


@pytest.mark.parametrize("team", ["1" * 30, "-1", "²", "1e3", "x"])
def test_a_team_id_that_is_no_team_is_a_field_error(world: World, team: str) -> None:
    before = register_counts()
    assert "Select a valid choice" in refer(world, team=team)
    assert register_counts() == before


@pytest.mark.parametrize("priority", ["²", "٣", "1" * 30, "0", "4", ""])
def test_a_priority_that_is_not_1_2_or_3_changes_nothing(world: World, priority: str) -> None:
    case = world.case_held_by_priya
    response = client_for(world.priya).post(
        reverse("case_priority", args=[case.pk]), {"priority": priority}, follow=True
    )
    assert "Choose a priority of 1, 2 or 3" in response.content.decode()
    assert Case.objects.get(pk=case.pk).priority == case.priority


# Names and plausible dates.


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Nora\u202ereltuB", "must not contain characters that change the direction of text"),
        ("No\x00ra", "must not contain control characters"),
        ("Nora\x1b[2J", "must not contain control characters"),
        ("\u200b\u200c\u200d", "must contain letters"),
    ],
)
@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_a_name_hiding_characters_is_refused(
    world: World, field: str, name: str, message: str
) -> None:
    before = register_counts()
    page = refer(world, **{field: name})
    assert f"The name {message}" in page
    assert f'href="#id_{field}"' in page
    assert register_counts() == before


def test_a_practitioner_name_hiding_characters_fails_model_validation(world: World) -> None:
    # Model validation is what the Django admin's forms run.
    practitioner = world.priya_practitioner
    practitioner.family_name = "Patel\u202e"
    with pytest.raises(ValidationError, match="direction of text"):
        practitioner.full_clean()


def _date_parts(field: str, day: date) -> dict[str, str]:
    return {
        f"{field}_day": str(day.day),
        f"{field}_month": str(day.month),
        f"{field}_year": str(day.year),
    }


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(1899, 12, 31), "The date of birth must be 1 January 1900 or later"),
        (None, "The date of birth cannot be in the future"),
    ],
)
def test_an_implausible_date_of_birth_is_refused(
    world: World, born: date | None, message: str
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = register_counts()
    assert message in refer(world, **_date_parts("date_of_birth", born or tomorrow))
    assert register_counts() == before


def test_a_request_before_the_person_was_born_is_refused(world: World) -> None:
    today = timezone.localdate()
    before = register_counts()
    page = refer(
        world,
        **_date_parts("date_of_birth", today - timedelta(days=10)),
        **_date_parts("received_on", today - timedelta(days=20)),
    )
    assert "The date received cannot be before the date of birth" in page
    assert register_counts() == before


def test_a_request_for_a_known_person_before_their_birth_is_refused(world: World) -> None:
    person = world.case_waiting_south.person
    received_at = timezone.make_aware(
        datetime.combine(person.date_of_birth - timedelta(days=1), time(12))
    )
    with pytest.raises(ActionRefused, match="before the person's date of birth") as refused:
        actions.record_referral_for_person(
            by=world.priya,
            person=person,
            request=request_details(world, received_at=received_at),
        )
    assert refused.value.field == "received_on"


def test_a_request_in_the_future_is_refused(world: World) -> None:
    before = register_counts()
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert "The date received cannot be in the future" in refer(
        world, **_date_parts("received_on", tomorrow)
    )
    assert register_counts() == before


def test_the_referral_form_offers_today_as_the_date_received(world: World) -> None:
    today = timezone.localdate()
    for url in (
        reverse("referral_new"),
        reverse("person_referral_new", args=[world.case_waiting_north.person_id]),
    ):
        page = client_for(world.priya).get(url).content.decode()
        for part, value in _date_parts("received_on", today).items():
            assert f'name="{part}" value="{value}"' in page, url


# The same person twice, and a second open case.


def test_a_new_person_matching_someone_known_is_stopped_with_a_link_to_them(
    world: World,
) -> None:
    known = world.case_held_by_colin.person
    before = register_counts()
    page = refer(world, who="mona", nhs_number="", **known_details(known))
    assert f"{known.full_name}, born on the same day at the same postcode" in page
    assert f'href="{reverse("person_detail", args=[known.pk])}"' in page
    assert register_counts() == before


def test_a_match_the_user_may_not_see_says_whom_to_ask_and_nothing_more(world: World) -> None:
    known = world.case_held_by_colin.person  # priya sees her team's waiting cases, not Colin's
    before = register_counts()
    page = refer(world, nhs_number="", **known_details(known))
    assert "already on the register, in a record you cannot open" in page
    assert "principal social worker" in page
    assert reverse("person_detail", args=[known.pk]) not in page
    assert escape(known.full_name) not in page
    assert register_counts() == before


def test_a_match_is_access_logged_naming_the_person_matched(world: World) -> None:
    # The refusal told the user that someone with these details is known.
    known = world.case_held_by_colin.person
    refer(world, nhs_number="", **known_details(known))
    entry = AccessLogEntry.objects.get(action=AccessAction.KNOWN_PERSON_MATCHED)
    assert entry.user_id == world.priya.pk
    assert list(entry.subjects.values_list("person_id", flat=True)) == [known.pk]


def test_a_namesake_at_another_postcode_is_a_new_person(world: World) -> None:
    known = world.case_held_by_colin.person
    refer(world, nhs_number="", **{**known_details(known), "postcode": "ZZ9 9ZZ"})
    assert Person.objects.filter(family_name__iexact=known.family_name).count() == 2


def test_a_second_open_case_links_to_the_first_at_the_top(world: World) -> None:
    case = world.case_held_by_colin
    page = refer(
        world,
        who="mona",
        nhs_number=case.person.nhs_number,
        family_name=case.person.family_name,
        **_date_parts("date_of_birth", case.person.date_of_birth),
    )
    message = f"{case.person.full_name} already has an open case in {case.team.name}"
    summary, _, form = page.partition("<h1")
    assert message in summary
    assert f'href="{reverse("case_detail", args=[case.pk])}"' in summary
    assert message not in form  # not on the team field
    assert Case.objects.filter(person=case.person).count() == 1


def test_a_second_open_case_the_user_may_not_see_is_named_by_team_only(world: World) -> None:
    case = world.case_held_by_colin
    page = refer(
        world,
        nhs_number=case.person.nhs_number,
        family_name=case.person.family_name,
        **_date_parts("date_of_birth", case.person.date_of_birth),
    )
    assert f"This person already has an open case in {case.team.name}" in page
    assert reverse("case_detail", args=[case.pk]) not in page
    assert case.person.given_name not in page
    assert Case.objects.filter(person=case.person).count() == 1


def test_the_database_holds_one_open_case_per_person_per_team(world: World) -> None:
    open_case = world.case_waiting_north
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory.create(person=open_case.person, team=open_case.team)
    # Closed cases do not count, and another team may hold its own.
    CaseFactory.create(person=open_case.person, team=world.team_south)
    CaseFactory.create(person=world.case_closed_north.person, team=world.team_north)


# Two referrals racing: the database decides, the loser is told.


def missed_once(real: Callable[..., Any]) -> Callable[..., Any]:
    """The look-up as a racing referral saw it: nothing yet the first time, the winner after."""
    calls: list[object] = []

    def look(*args: Any) -> Any:
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    return look


def test_a_new_nhs_number_taken_meanwhile_is_refused_with_a_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = PersonFactory.create()
    monkeypatch.setattr(
        actions, "_person_with_nhs_number", missed_once(actions._person_with_nhs_number)
    )
    before = register_counts()
    with pytest.raises(ActionRefused, match="Another referral has just recorded") as refused:
        actions.record_referral_for_new_person(
            by=world.priya,
            person=person_details(nhs_number=winner.nhs_number),
            request=request_details(world),
        )
    assert refused.value.field == "nhs_number"
    assert register_counts() == before


def test_an_open_case_opened_meanwhile_is_refused_with_a_link(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_case = world.case_waiting_north
    monkeypatch.setattr(actions, "_open_case_of", missed_once(actions._open_case_of))
    before = register_counts()
    with pytest.raises(ActionRefused, match="already has an open case") as refused:
        actions.record_referral_for_person(
            by=world.mona, person=open_case.person, request=request_details(world)
        )
    assert refused.value.link is not None
    assert refused.value.link.href == reverse("case_detail", args=[open_case.pk])
    assert register_counts() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_referrals_with_the_same_new_nhs_number_at_once(world: World) -> None:
    number = next_synthetic_nhs_number()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def refer_at_once(user_index: int) -> None:
        user = (world.priya, world.colin)[user_index]
        try:
            barrier.wait(timeout=10)
            actions.record_referral_for_new_person(
                by=user,
                person=person_details(nhs_number=number),
                request=request_details(world),
            )
            outcomes.append("recorded")
        except ActionRefused as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refer_at_once, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2, outcomes
    assert outcomes.count("recorded") == 1, outcomes
    # Whichever lost either met the winner's number in the database or found the winner's
    # open case on the look-up: both are refusals the user can act on.
    [refusal] = [outcome for outcome in outcomes if outcome != "recorded"]
    assert "Another referral has just recorded" in refusal or "already has an open case" in (
        refusal
    )
    assert Person.objects.filter(nhs_number=number).count() == 1
    assert Case.objects.filter(person__nhs_number=number).count() == 1
