"""The allocation meeting and what-if, through the product, on top of the engine."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from caseload.accounts.models import AccessRole
from caseload.allocation import actions
from caseload.allocation.actions import Choice
from caseload.allocation.models import AllocationDecision, AllocationProposal
from caseload.audit.models import ChangeEvent
from caseload.jobs.models import Job
from caseload.register.models import Allocation, Case, CaseStatus
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    PractitionerFactory,
    UserFactory,
)


def waiting_scored(world: World, n: int = 3, **case_fields: object) -> list[Case]:
    cases = [CaseFactory.create(team=world.team_north, **case_fields) for _ in range(n)]
    for case in cases:
        AssessmentFactory.create(case=case, assessed_by=world.mona)  # Tier 2, 5 points
    return cases


def accept_all(proposal: AllocationProposal) -> list[Choice]:
    return [
        Choice(
            case_id=int(row["case_id"]),
            accept=row["practitioner_id"] is not None,
            practitioner_id=int(row["practitioner_id"]) if row["practitioner_id"] else None,
        )
        for row in proposal.result["proposals"]
    ]


def test_meeting_lists_cases_awaiting_allocation_with_tier_and_priority(world: World) -> None:
    urgent = waiting_scored(world, 1, priority=1)[0]
    page = (
        client_for(world.mona)
        .get(reverse("allocation_meeting", args=[world.team_north.pk]), {"sort": "priority"})
        .content.decode()
    )
    assert urgent.person.full_name in page
    assert page.index(urgent.person.full_name) < page.index(
        world.case_waiting_north.person.full_name
    )
    assert "Not scored" in page  # the world's own waiting case has no tier yet


def test_a_proposal_keeps_every_rule_and_changes_nothing(world: World) -> None:
    cases = waiting_scored(world)
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    rows = {int(row["case_id"]): row for row in proposal.result["proposals"]}
    assert set(rows) == {case.pk for case in cases}
    assert proposal.inputs["unscored_case_ids"] == [world.case_waiting_north.pk]
    for row in rows.values():
        assert row["practitioner_id"] in {
            str(world.priya_practitioner.pk),
            str(world.colin_practitioner.pk),
        }
        assert row["reason"]
    for bar in proposal.result["utilisation"]:
        assert Decimal(bar["after_points"]) <= Decimal(bar["capacity_points"])
    assert not Allocation.objects.filter(case__in=cases).exists()
    assert all(case.status == CaseStatus.AWAITING_ALLOCATION for case in cases)


def test_accepting_writes_allocations_and_the_decision_together(world: World) -> None:
    cases = waiting_scored(world)
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    decision = actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.ALLOCATED
        current = Allocation.objects.get(case=case, ended_at__isnull=True)
        assert current.allocated_by == world.mona
    assert decision.decided_by == world.mona
    assert all(entry["accepted"] for entry in decision.decisions)
    assert ChangeEvent.objects.filter(action="case_allocated").count() == len(cases)


def test_choosing_someone_else_needs_a_reason(world: World) -> None:
    [case] = waiting_scored(world, 1)
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    proposed = proposal.result["proposals"][0]["practitioner_id"]
    other = (
        world.colin_practitioner
        if proposed == str(world.priya_practitioner.pk)
        else world.priya_practitioner
    )
    change = Choice(case_id=case.pk, accept=True, practitioner_id=other.pk)
    with pytest.raises(ActionRefused, match="Give a reason"):
        actions.decide(by=world.mona, proposal=proposal, choices=[change])
    assert not Allocation.objects.filter(case=case).exists()
    decision = actions.decide(
        by=world.mona,
        proposal=proposal,
        choices=[Choice(case.pk, True, other.pk, "Knows the family from a previous case")],
    )
    assert Allocation.objects.get(case=case).practitioner == other
    assert decision.decisions[0]["reason"] == "Knows the family from a previous case"


def test_an_ineligible_choice_is_refused_and_nothing_is_saved(world: World) -> None:
    cases = waiting_scored(world, 2)
    assistant = PractitionerFactory.create(
        team=world.team_north,
        role="assistant",
        swe_registration_number="",
        pcf_level="not_applicable",
    )
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    choices = accept_all(proposal)
    choices[-1] = Choice(cases[-1].pk, True, assistant.pk, "Try the assistant")
    with pytest.raises(ActionRefused, match="cannot take the case"):
        actions.decide(by=world.mona, proposal=proposal, choices=choices)
    assert not Allocation.objects.filter(case__in=cases).exists()
    assert not AllocationDecision.objects.exists()


def test_a_proposal_is_decided_once(world: World) -> None:
    waiting_scored(world, 1)
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    with pytest.raises(ActionRefused, match="already been decided"):
        actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))


def test_a_case_allocated_meanwhile_stops_the_later_decision(world: World) -> None:
    waiting_scored(world, 2)
    first = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    second = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    actions.decide(by=world.mona, proposal=first, choices=accept_all(first))
    with pytest.raises(ActionRefused, match="has changed since the proposal"):
        actions.decide(by=world.mona, proposal=second, choices=accept_all(second))
    assert (
        Allocation.objects.filter(ended_at__isnull=True, case__team=world.team_north).count() == 4
    )


@pytest.mark.parametrize("who", ["priya", "max", "pat", "dee"])
def test_only_the_teams_manager_proposes_and_decides(world: World, who: str) -> None:
    with pytest.raises(ActionRefused):
        actions.propose_for_meeting(by=getattr(world, who), team=world.team_north)


def test_the_meeting_through_the_pages(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    [case] = waiting_scored(world, 1)
    client = client_for(world.mona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("allocation_propose", args=[world.team_north.pk]))
    # Solved as a job (here at once); its page goes on to the proposal.
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    proposal = AllocationProposal.objects.get()
    proposal_url = reverse("allocation_proposal", args=[proposal.pk])
    assert client.get(response["Location"])["Location"] == proposal_url
    page = client.get(proposal_url).content.decode()
    assert "Capacity before and after" in page
    assert case.person.full_name in page
    proposed = proposal.result["proposals"][0]["practitioner_id"]
    response = client.post(
        reverse("allocation_proposal", args=[proposal.pk]),
        {f"accept_{case.pk}": "yes", f"practitioner_{case.pk}": proposed},
    )
    assert response.status_code == 302
    assert Allocation.objects.get(case=case).practitioner_id == int(proposed)


def test_what_if_proposes_without_changing_and_accepting_hands_over(world: World) -> None:
    held = world.case_held_by_priya
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate(),
        reason="annual_leave",
    )
    [row] = proposal.result["proposals"]
    assert row["case_id"] == str(held.pk)
    assert row["practitioner_id"] == str(world.colin_practitioner.pk)
    assert Allocation.objects.get(case=held, ended_at__isnull=True).practitioner == (
        world.priya_practitioner
    )
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    assert Allocation.objects.get(case=held, ended_at__isnull=True).practitioner == (
        world.colin_practitioner
    )
    assert Allocation.objects.filter(case=held).count() == 2


def test_what_if_page_validates_the_date(world: World) -> None:
    page = (
        client_for(world.mona)
        .post(
            reverse("allocation_what_if", args=[world.priya_practitioner.pk]),
            {"away_from_day": "1", "away_from_month": "1", "away_from_year": "2000"},
        )
        .content.decode()
    )
    assert "The date must be today or later" in page
    assert not AllocationProposal.objects.exists()


def test_meeting_page_query_count_is_constant(world: World) -> None:
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.mona)
    url = reverse("allocation_meeting", args=[world.team_north.pk])
    client.get(url)
    waiting_scored(world, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    waiting_scored(world, 20)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_managers_accepting_the_same_case_at_once(world: World) -> None:
    [case] = waiting_scored(world, 1)
    deputy = UserFactory.create(username="deputy", access_role=AccessRole.TEAM_MANAGER)
    PractitionerFactory.create(user=deputy, team=world.team_north, role="team_manager")
    proposals = [
        actions.propose_for_meeting(by=manager, team=world.team_north)
        for manager in (world.mona, deputy)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(manager_index: int) -> None:
        manager = (world.mona, deputy)[manager_index]
        proposal = proposals[manager_index]
        try:
            barrier.wait(timeout=10)
            actions.decide(by=manager, proposal=proposal, choices=accept_all(proposal))
            outcomes.append("allocated")
        except ActionRefused as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("allocated") == 1, outcomes
    refusal = next(o for o in outcomes if o != "allocated")
    assert case.person.full_name in refusal
    assert "Nothing was saved" in refusal
    assert Allocation.objects.filter(case=case).count() == 1
    assert AllocationDecision.objects.count() == 1
