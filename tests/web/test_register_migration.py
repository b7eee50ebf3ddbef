"""Register migration 0004: NHS numbers stored in other digits become ASCII before the database
requires it, and rows the new constraints would refuse stop the migration with a clear list."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.factories import next_synthetic_nhs_number
from tests.migrations import Migrator

BEFORE = [("register", "0003_case_priority")]
AFTER = [("register", "0004_person_names_nhs_number_ascii_one_open_case")]
FULLWIDTH = {ord(digit): ord(digit) + 0xFEE0 for digit in "0123456789"}


@pytest.fixture(name="migrator")
def _migrator(migrator_from_before: Migrator) -> Migrator:
    """Every test here starts before 0004: the schema goes back there once for the module."""
    return migrator_from_before


def _old_person(migrator: Migrator, council_id: str, nhs_number: str) -> Any:
    old = migrator.apps(*BEFORE).get_model("register", "Person")
    return old.objects.create(
        council_person_id=council_id,
        nhs_number=nhs_number,
        given_name="Nora",
        family_name="Newcomer",
        date_of_birth="1941-02-03",
        postcode="ZZ1 1AA",
    )


def _person_after(migrator: Migrator) -> Any:
    # Today's model has columns later migrations add (sex, ethnicity): read with 0004's.
    return migrator.apps(*AFTER).get_model("register", "Person")


def _old_open_case(migrator: Migrator, person: Any, team: Any) -> Any:
    # The schema is the one before the migration: today's factories would build today's models.
    old = migrator.apps(*BEFORE)
    received = timezone.now()
    request = old.get_model("register", "SupportRequest").objects.create(
        person_id=person.pk,
        route_of_access="community_other",
        source="family_carer",
        received_at=received,
    )
    return old.get_model("register", "Case").objects.create(
        person_id=person.pk,
        team_id=team.pk,
        request=request,
        status="awaiting_allocation",
        opened_at=received,
    )


@pytest.mark.django_db(transaction=True)
def test_nhs_numbers_in_other_digits_become_ascii(migrator: Migrator) -> None:
    number, plain = next_synthetic_nhs_number(), next_synthetic_nhs_number()
    wide = _old_person(migrator, "P0000001", number.translate(FULLWIDTH))
    kept = _old_person(migrator, "P0000002", plain)
    unknown = _old_person(migrator, "P0000003", "")

    migrator.to(*AFTER)

    person = _person_after(migrator)
    assert person.objects.get(pk=wide.pk).nhs_number == number
    assert person.objects.get(pk=kept.pk).nhs_number == plain
    assert person.objects.get(pk=unknown.pk).nhs_number == ""


@pytest.mark.django_db(transaction=True)
def test_a_number_that_would_be_someone_elses_stops_the_migration(
    migrator: Migrator,
) -> None:
    number = next_synthetic_nhs_number()
    _old_person(migrator, "P0000001", number)
    twin = _old_person(migrator, "P0000002", number.translate(FULLWIDTH))
    _old_person(migrator, "P0000003", "99900000¹⁸")

    with pytest.raises(RuntimeError) as stopped:
        migrator.to(*AFTER)

    message = str(stopped.value)
    assert "P0000002 and P0000001: the same NHS number" in message
    assert "P0000003: the NHS number is not 10 digits" in message
    assert number not in message  # the log names records, never a person's number
    # Nothing was changed: the records stay as they were, to be corrected.
    before = migrator.apps(*BEFORE).get_model("register", "Person")
    assert before.objects.get(pk=twin.pk).nhs_number == number.translate(FULLWIDTH)


@pytest.mark.django_db(transaction=True)
def test_two_open_cases_in_one_team_stop_the_migration(migrator: Migrator) -> None:
    old = migrator.apps(*BEFORE)
    locality = old.get_model("register", "Locality").objects.create(name="Synthetic")
    team = old.get_model("register", "Team").objects.create(
        name="North", service_area="older_people", locality=locality
    )
    person = _old_person(migrator, "P0000001", next_synthetic_nhs_number())
    _old_open_case(migrator, person, team)
    _old_open_case(migrator, person, team)

    with pytest.raises(RuntimeError, match="has 2 open cases in"):
        migrator.to(*AFTER)
