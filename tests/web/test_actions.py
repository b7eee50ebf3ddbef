"""The register's actions: each change lands whole with its audit record, or not at all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.register import actions
from caseload.register.actions import PersonDetails, RequestDetails
from caseload.register.models import Allocation, Case, CaseStatus, Person, SupportRequest
from caseload.web.errors import ActionRefused
from tests.conftest import World
from tests.factories import next_synthetic_nhs_number


def person_details(**overrides: object) -> PersonDetails:
    values: dict[str, object] = {
        "given_name": "Nora",
        "family_name": "Newcomer",
        "date_of_birth": date(1941, 2, 3),
        "nhs_number": next_synthetic_nhs_number(),
        "postcode": "ZZ3 4BC",
        "primary_support_reason": "memory_cognition",
        "has_unpaid_carer": True,
    }
    values.update(overrides)
    return PersonDetails(**values)  # type: ignore[arg-type]


def request_details(world: World, **overrides: object) -> RequestDetails:
    values: dict[str, object] = {
        "team": world.team_north,
        "route_of_access": "discharge_from_hospital",
        "source": "hospital",
        "received_at": timezone.now() - timedelta(hours=2),
        "summary": "Needs help at home after a fall",
    }
    values.update(overrides)
    return RequestDetails(**values)  # type: ignore[arg-type]


def test_referral_for_a_new_person_joins_the_waiting_list(world: World) -> None:
    case = actions.record_referral_for_new_person(
        by=world.priya, person=person_details(), request=request_details(world)
    )
    assert case.status == CaseStatus.AWAITING_SCREENING
    assert case.team == world.team_north
    assert case.person.council_person_id.startswith("P")
    assert case.request.recorded_by == world.priya
    recorded = ChangeEvent.objects.get(case_id=case.pk)
    assert (recorded.action, recorded.person_id, recorded.team_id, recorded.changes) == (
        ChangeAction.REFERRAL_RECORDED,
        case.person_id,
        world.team_north.pk,
        {"status": [None, "awaiting_screening"]},
    )
    assert ChangeEvent.objects.filter(
        person_id=case.person_id, action=ChangeAction.PERSON_ADDED
    ).exists()


def test_council_person_ids_are_issued_in_sequence(world: World) -> None:
    first = actions.record_referral_for_new_person(
        by=world.priya, person=person_details(), request=request_details(world)
    )
    second = actions.record_referral_for_new_person(
        by=world.priya,
        person=person_details(given_name="Otto", nhs_number=""),
        request=request_details(world),
    )
    assert int(second.person.council_person_id[1:]) == int(first.person.council_person_id[1:]) + 1


def test_known_nhs_number_with_matching_details_joins_the_existing_record(world: World) -> None:
    known = world.case_waiting_south.person
    case = actions.record_referral_for_new_person(
        by=world.priya,
        person=person_details(
            nhs_number=known.nhs_number,
            family_name=known.family_name.upper(),
            date_of_birth=known.date_of_birth,
        ),
        # Known to South: joining North needs the reason South will see.
        request=request_details(world, known_person_reason="Discharged to the north of the area"),
    )
    assert case.person == known
    assert Person.objects.filter(nhs_number=known.nhs_number).count() == 1


def test_known_nhs_number_with_other_details_is_refused_and_nothing_saved(world: World) -> None:
    known = world.case_waiting_south.person
    before = (Person.objects.count(), SupportRequest.objects.count(), ChangeEvent.objects.count())
    with pytest.raises(ActionRefused) as refused:
        actions.record_referral_for_new_person(
            by=world.priya,
            person=person_details(nhs_number=known.nhs_number, family_name="Someone-Else"),
            request=request_details(world),
        )
    assert refused.value.field == "nhs_number"
    after = (Person.objects.count(), SupportRequest.objects.count(), ChangeEvent.objects.count())
    assert after == before


def test_practitioner_cannot_refer_to_another_team(world: World) -> None:
    with pytest.raises(ActionRefused) as refused:
        actions.record_referral_for_new_person(
            by=world.priya,
            person=person_details(),
            request=request_details(world, team=world.team_south),
        )
    assert refused.value.field == "team"
    assert not Person.objects.filter(family_name="Newcomer").exists()


@pytest.mark.parametrize("role", ["principal_social_worker", "director", "administrator"])
def test_oversight_and_admin_roles_cannot_refer(world: World, role: str) -> None:
    with pytest.raises(ActionRefused):
        actions.record_referral_for_new_person(
            by=world.by_role()[role], person=person_details(), request=request_details(world)
        )


def test_second_open_case_in_the_same_team_is_refused(world: World) -> None:
    with pytest.raises(ActionRefused, match="already has an open case"):
        actions.record_referral_for_person(
            by=world.mona, person=world.person_of_priya, request=request_details(world)
        )


def test_referral_for_someone_who_has_died_is_refused(world: World) -> None:
    person = world.case_closed_north.person
    person.date_of_death = date(2026, 1, 2)
    person.save(update_fields=["date_of_death"])
    with pytest.raises(ActionRefused, match="died"):
        actions.record_referral_for_person(
            by=world.mona, person=person, request=request_details(world)
        )


def test_screening_moves_a_case_on_once(world: World) -> None:
    case = world.case_waiting_north
    case.status = CaseStatus.AWAITING_SCREENING
    case.save(update_fields=["status"])
    screened = actions.screen_case(by=world.priya, case=case)
    assert screened.status == CaseStatus.AWAITING_ALLOCATION
    with pytest.raises(ActionRefused, match="already been screened"):
        actions.screen_case(by=world.priya, case=case)


def test_closing_ends_the_current_allocation_and_records_the_outcome(world: World) -> None:
    case = world.case_held_by_priya
    closed_at = timezone.now()
    actions.close_case(
        by=world.priya, case=case, outcome="long_term_support_provided", closed_at=closed_at
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_at) == (
        CaseStatus.CLOSED,
        "long_term_support_provided",
        closed_at,
    )
    assert not Allocation.objects.filter(case=case, ended_at__isnull=True).exists()
    event = ChangeEvent.objects.get(case_id=case.pk, action=ChangeAction.CASE_CLOSED)
    assert event.user_id == world.priya.pk
    assert event.changes == {
        "status": ["allocated", "closed"],
        "outcome": ["", "long_term_support_provided"],
        "holder": [world.priya_practitioner.pk, None],
    }
    assert event.from_practitioner_id == world.priya_practitioner.pk


def test_closing_as_deceased_records_the_date_of_death(world: World) -> None:
    case = world.case_held_by_priya
    actions.close_case(by=world.mona, case=case, outcome="nfa_deceased", closed_at=timezone.now())
    case.person.refresh_from_db()
    assert case.person.date_of_death == timezone.localdate()


def test_closing_twice_is_refused(world: World) -> None:
    actions.close_case(
        by=world.priya, case=world.case_held_by_priya, outcome="nfa_other", closed_at=timezone.now()
    )
    with pytest.raises(ActionRefused, match="already been closed"):
        actions.close_case(
            by=world.mona,
            case=world.case_held_by_priya,
            outcome="nfa_other",
            closed_at=timezone.now(),
        )


def test_closing_before_the_case_opened_is_refused(world: World) -> None:
    case = world.case_held_by_priya
    with pytest.raises(ActionRefused) as refused:
        actions.close_case(
            by=world.priya,
            case=case,
            outcome="nfa_other",
            closed_at=case.opened_at - timedelta(days=1),
        )
    assert refused.value.field == "closed_on"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ALLOCATED


def test_closing_before_the_current_holder_took_it_is_refused(world: World) -> None:
    case = world.case_held_by_priya
    started = Allocation.objects.get(case=case, ended_at__isnull=True).started_at
    with pytest.raises(ActionRefused) as refused:
        actions.close_case(
            by=world.priya, case=case, outcome="nfa_other", closed_at=started - timedelta(hours=1)
        )
    assert refused.value.field == "closed_on"


def test_a_practitioner_cannot_close_a_colleagues_case(world: World) -> None:
    with pytest.raises(ActionRefused):
        actions.close_case(
            by=world.priya,
            case=world.case_held_by_colin,
            outcome="nfa_other",
            closed_at=timezone.now(),
        )
    assert Case.objects.get(pk=world.case_held_by_colin.pk).status == CaseStatus.ALLOCATED


def test_oversight_roles_read_but_do_not_close(world: World) -> None:
    with pytest.raises(ActionRefused, match="read cases but not change"):
        actions.close_case(
            by=world.pat,
            case=world.case_held_by_priya,
            outcome="nfa_other",
            closed_at=timezone.now(),
        )
