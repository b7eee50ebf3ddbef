"""The allocation meeting and what-if, through the product, on top of the engine."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django import DjangoCaptureOnCommitCallbacks

from caseload.accounts.models import AccessRole, User
from caseload.allocation import actions
from caseload.allocation.actions import Choice
from caseload.allocation.models import AllocationDecision, AllocationProposal
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.jobs.models import Job
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Allocation, Case, CaseStatus, Practitioner
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    PractitionerFactory,
    TeamFactory,
    UserFactory,
    allocated_case,
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
    assert escape(urgent.person.full_name) in page
    assert page.index(escape(urgent.person.full_name)) < page.index(
        escape(world.case_waiting_north.person.full_name)
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
    assert escape(case.person.full_name) in page
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
    assert "The first day away must be today or later" in page
    assert not AllocationProposal.objects.exists()


def test_what_if_dates_stay_within_the_coming_years(world: World) -> None:
    far = timezone.localdate() + timedelta(days=366)
    page = (
        client_for(world.mona)
        .post(
            reverse("allocation_what_if", args=[world.priya_practitioner.pk]),
            {
                "away_from_day": str(far.day),
                "away_from_month": str(far.month),
                "away_from_year": str(far.year),
                "reason": "sickness",
                "away_until_day": "1",
                "away_until_month": "1",
                "away_until_year": "9999",
            },
        )
        .content.decode()
    )
    assert "The first day away must be" in page
    assert "or earlier" in page
    assert "The last day away must be" in page
    assert not AllocationProposal.objects.exists()


def test_meeting_page_query_count_is_constant(world: World) -> None:
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


# The decision form: every field validated, errors on the row, naming the person.


def proposal_for(world: World, n: int = 1) -> tuple[AllocationProposal, list[Case]]:
    cases = waiting_scored(world, n)
    return actions.propose_for_meeting(by=world.mona, team=world.team_north), cases


def not_proposed(world: World, proposal: AllocationProposal, case: Case) -> Practitioner:
    """The team's social worker the proposal did not choose for the case."""
    proposed = next(
        row["practitioner_id"]
        for row in proposal.result["proposals"]
        if row["case_id"] == str(case.pk)
    )
    return (
        world.colin_practitioner
        if proposed == str(world.priya_practitioner.pk)
        else world.priya_practitioner
    )


def post_decision(world: World, proposal: AllocationProposal, data: dict[str, str]) -> Any:
    return client_for(world.mona).post(reverse("allocation_proposal", args=[proposal.pk]), data)


@pytest.mark.parametrize(
    "chosen",
    [
        "9" * 30,  # an OverflowError on SQLite when parsed by hand
        "\u00b2",  # a superscript two: str.isdigit() says yes
        "\uff11",  # a fullwidth one
        "-1",
        "abc",
        "max",  # a practitioner of another team
    ],
)
def test_a_practitioner_not_offered_is_a_form_error_naming_the_person(
    world: World, chosen: str
) -> None:
    proposal, [case] = proposal_for(world)
    if chosen == "max":
        chosen = str(world.max_practitioner.pk)
    response = post_decision(
        world,
        proposal,
        {f"accept_{case.pk}": "on", f"practitioner_{case.pk}": chosen, f"reason_{case.pk}": "x"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    # Faker's names include O'Connor and the like: the page escapes the name too.
    message = escape(
        f"Choose a practitioner in Older People North who may take {case.person.full_name}'s case"
    )
    # In the summary, linking to the row's drop-down, and on the drop-down itself.
    assert f'<a href="#id_practitioner_{case.pk}">{message}</a>' in page
    assert f'id="id_practitioner_{case.pk}-error"' in page
    assert f'aria-describedby="id_practitioner_{case.pk}-error"' in page
    assert not Allocation.objects.filter(case=case).exists()
    assert not AllocationDecision.objects.exists()


def test_a_reason_too_long_or_missing_is_an_error_on_the_row(world: World) -> None:
    proposal, [case] = proposal_for(world)
    other = not_proposed(world, proposal, case)
    name = case.person.full_name.replace("'", "&#x27;")
    chosen = {f"accept_{case.pk}": "on", f"practitioner_{case.pk}": str(other.pk)}
    page = post_decision(world, proposal, chosen).content.decode()
    assert (
        f'<a href="#id_reason_{case.pk}">Give a reason for choosing {other.full_name} '
        f"for {name}&#x27;s case"
    ) in page
    page = post_decision(
        world, proposal, {**chosen, f"reason_{case.pk}": "x" * 501}
    ).content.decode()
    assert f"The reason for {name} must be 500 characters or fewer" in page
    page = post_decision(world, proposal, {f"accept_{case.pk}": "on"}).content.decode()
    assert f"Choose who takes {name}&#x27;s case, or untick Allocate" in page
    assert not AllocationDecision.objects.exists()
    response = post_decision(world, proposal, {**chosen, f"reason_{case.pk}": "Knows the family"})
    assert response.status_code == 302
    assert Allocation.objects.get(case=case).practitioner == other


def test_each_control_is_named_for_the_person(world: World) -> None:
    proposal, [case] = proposal_for(world)
    page = client_for(world.mona).get(reverse("allocation_proposal", args=[proposal.pk]))
    html = page.content.decode()
    name = case.person.full_name.replace("'", "&#x27;")
    assert f'Allocate<span class="govuk-visually-hidden"> {name}\'s case</span>' in html
    assert f"Practitioner for {name}</label>" in html
    assert (
        f'Reason, if you change the proposal<span class="govuk-visually-hidden"> for {name}' in html
    )


def tight_priya(world: World) -> Decimal:
    """Priya's capacity set to what she holds plus one point: any new case takes her past it."""
    held = world.assessment_of_priyas_case.points
    world.priya_practitioner.capacity_points = held + 1
    world.priya_practitioner.save(update_fields=["capacity_points"])
    return Decimal(held)


def test_the_drop_down_shows_each_load_now_and_with_the_case(world: World) -> None:
    held = tight_priya(world)
    proposal, _ = proposal_for(world)
    points = Decimal(proposal.inputs["cases"][0]["points"])
    assert proposal.result["proposals"][0]["practitioner_id"] == str(world.colin_practitioner.pk)
    html = client_for(world.mona).get(reverse("allocation_proposal", args=[proposal.pk]))
    after = held + points
    percent = round(after * 100 / (held + 1))
    assert (
        f"{world.priya_practitioner.full_name} (Social worker): {held:f} → {after:f} of "
        f"{held + 1:f} pts, {round(held * 100 / (held + 1))}% → {percent}%, over capacity"
    ) in html.content.decode()


def test_taking_someone_past_capacity_needs_confirming(world: World) -> None:
    tight_priya(world)
    proposal, [case] = proposal_for(world)
    chosen = {
        f"accept_{case.pk}": "on",
        f"practitioner_{case.pk}": str(world.priya_practitioner.pk),
        f"reason_{case.pk}": "Knows the family",
    }
    response = post_decision(world, proposal, chosen)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Take someone past their capacity?" in page
    assert f"Giving {world.priya_practitioner.full_name} the cases of" in page
    assert '<a href="#id_confirm_over_capacity">' in page
    assert not AllocationDecision.objects.exists()
    response = post_decision(world, proposal, {**chosen, "confirm_over_capacity": "on"})
    assert response.status_code == 302
    assert Allocation.objects.get(case=case).practitioner == world.priya_practitioner
    # The change log keeps that the manager chose it knowingly.
    decided = ChangeEvent.objects.get(action=ChangeAction.ALLOCATION_DECIDED)
    assert decided.detail["past_capacity_confirmed"] == [world.priya_practitioner.pk]


def test_a_decision_within_capacity_confirms_nobody_past_it(world: World) -> None:
    proposal, _ = proposal_for(world)
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    decided = ChangeEvent.objects.get(action=ChangeAction.ALLOCATION_DECIDED)
    assert decided.detail["past_capacity_confirmed"] == []


def test_a_decided_proposal_shows_the_decision_reasons_and_loads_as_decided(world: World) -> None:
    proposal, [overridden, as_proposed] = proposal_for(world, 2)
    other = not_proposed(world, proposal, overridden)
    choices = accept_all(proposal)
    choices[0] = Choice(overridden.pk, True, other.pk, "Speaks the family's language")
    choices[1] = Choice(as_proposed.pk, False, None)
    actions.decide(by=world.mona, proposal=proposal, choices=choices)
    response = client_for(world.pat).get(reverse("allocation_proposal", args=[proposal.pk]))
    page = response.content.decode()
    assert "Changed from the proposal. Reason: Speaks the family&#x27;s language" in page
    assert "Left unallocated" in page
    assert "Capacity before and after, as decided" in page
    bars = {bar["name"]: bar for bar in response.context["bars"]}
    points = Decimal(proposal.inputs["cases"][0]["points"])
    chosen = bars[other.full_name]
    assert chosen["after"].points == chosen["before"].points + points
    others = [bar for name, bar in bars.items() if name != other.full_name]
    # The case left unallocated adds to nobody, whatever the proposal said.
    assert all(bar["after"].points == bar["before"].points for bar in others)


def test_an_open_proposal_says_it_is_stale_and_what_changed(world: World) -> None:
    proposal, _ = proposal_for(world)
    url = reverse("allocation_proposal", args=[proposal.pk])
    assert "out of date" not in client_for(world.mona).get(url).content.decode()
    [newcomer] = waiting_scored(world, 1)
    allocated_case(world.colin_practitioner)
    AssessmentFactory.create(
        case=Allocation.objects.filter(practitioner=world.colin_practitioner).latest("pk").case,
        assessed_by=world.mona,
    )
    page = client_for(world.mona).get(url).content.decode()
    assert "This proposal is out of date" in page
    assert f"New since: {newcomer.person.full_name}" in page.replace("&#x27;", "'")
    assert f"{world.colin_practitioner.full_name} held " in page.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("sort", "column", "direction", "said"),
    [
        ("priority", "Priority", "ascending", "highest priority first"),
        ("tier", "Tier", "descending", "highest tier first"),
        ("waiting", "Days waiting", "descending", "longest waiting first"),
        ("nonsense", "Priority", "ascending", "highest priority first"),
    ],
)
def test_the_meeting_shows_its_sort_and_announces_the_list(
    world: World, sort: str, column: str, direction: str, said: str
) -> None:
    waiting_scored(world, 2)
    client = client_for(world.mona)
    url = reverse("allocation_meeting", args=[world.team_north.pk])
    page = client.get(url, {"sort": sort}).content.decode()
    # One sorted column, marked for assistive technology and with a visible arrow.
    assert page.count("aria-sort=") == 1
    header = page[page.index("aria-sort=") :]
    assert header.startswith(f'aria-sort="{direction}"')
    assert header.index(f">{column}</a>") < header.index("</th>")
    arrow = "▲" if direction == "ascending" else "▼"
    assert header.index(arrow) < header.index("</th>")
    status = f"3 cases awaiting allocation, {said}."
    assert f'id="waiting-status" aria-live="polite">{status}</p>' in page
    # A sort by HTMX swaps the table and updates the live region's text in place.
    partial = client.get(url, {"sort": sort}, headers={"HX-Request": "true"}).content.decode()
    assert "<h1" not in partial
    assert f'<p id="waiting-status" hx-swap-oob="innerHTML">{status}</p>' in partial


# The overrides report.


def overridden(world: World, team_name: str, reason: str, n: int = 1) -> AllocationProposal:
    """A decided proposal in North (Mona) or South (Max), each case given to the practitioner
    not proposed, with the reason."""
    team = world.team_north if team_name == "north" else world.team_south
    manager = world.mona if team_name == "north" else world.max
    if team_name == "south" and not team.practitioners.filter(role="social_worker").exists():
        PractitionerFactory.create_batch(2, team=team)
    cases = [CaseFactory.create(team=team) for _ in range(n)]
    for case in cases:
        AssessmentFactory.create(case=case, assessed_by=manager)
    proposal = actions.propose_for_meeting(by=manager, team=team)
    staff = [p["practitioner_id"] for p in proposal.inputs["practitioners"] if p["available"]]
    choices = []
    for row in proposal.result["proposals"]:
        other = next(pid for pid in staff if pid != row["practitioner_id"])
        choices.append(Choice(int(row["case_id"]), True, int(other), reason))
    actions.decide(by=manager, proposal=proposal, choices=choices)
    return proposal


def overrides_page(user: User, **query: str) -> Any:
    return client_for(user).get(reverse("allocation_overrides"), query)


def test_the_overrides_report_lists_each_override_with_its_reason_by_team(world: World) -> None:
    overridden(world, "north", "Knows the family from before")
    overridden(world, "south", "Speaks the family's language")
    waiting_scored(world, 1)
    as_proposed = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    actions.decide(by=world.mona, proposal=as_proposed, choices=accept_all(as_proposed))

    everyone = overrides_page(world.pat).content.decode()
    assert "2 overrides" in everyone
    assert "Knows the family from before" in everyone
    assert "Speaks the family&#x27;s language" in everyone
    # A manager sees their own team's; asking for another team's is a form error.
    own = overrides_page(world.mona).content.decode()
    assert "1 override<" in own
    assert "Knows the family from before" in own
    assert "Speaks the family" not in own
    refused = overrides_page(world.mona, team=str(world.team_south.pk)).content.decode()
    assert "Choose a team from the list" in refused
    assert "Speaks the family" not in refused
    south = overrides_page(world.pat, team=str(world.team_south.pk)).content.decode()
    assert "1 override<" in south
    assert "Knows the family" not in south


def test_the_overrides_report_covers_a_period(world: World) -> None:
    old = overridden(world, "north", "An old reason")
    AllocationDecision.objects.filter(proposal=old).update(
        decided_at=timezone.now() - timedelta(days=120)
    )
    overridden(world, "north", "A recent reason")
    recent = overrides_page(world.pat).content.decode()
    assert "A recent reason" in recent
    assert "An old reason" not in recent
    then = timezone.localdate() - timedelta(days=120)
    asked = {"decided_from_day": str(then.day), "decided_from_month": str(then.month)}
    earlier = overrides_page(world.pat, **asked, decided_from_year=str(then.year)).content.decode()
    assert "An old reason" in earlier
    backwards = overrides_page(
        world.pat,
        **asked,
        decided_from_year=str(then.year + 1),
        decided_to_day="1",
        decided_to_month="1",
        decided_to_year=str(then.year),
    ).content.decode()
    assert "The end of the period must be on or after its start" in backwards


def test_the_overrides_report_is_paginated_in_constant_queries(
    world: World, django_assert_max_num_queries: Any, settings: Any
) -> None:
    settings.CASELOAD_PAGE_SIZE = 5
    overridden(world, "north", "First batch", n=3)
    client = client_for(world.pat)
    client.get(reverse("allocation_overrides"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("allocation_overrides"))
    overridden(world, "north", "Second batch", n=4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("allocation_overrides"))
    assert "7 overrides" in page.content.decode()
    assert page.context["page"].paginator.num_pages == 2


# Cases nobody in the team can take: other teams' room, or raise it.


def north_full_south_with_room(world: World) -> tuple[AllocationProposal, Case, Practitioner]:
    for practitioner in (world.priya_practitioner, world.colin_practitioner):
        practitioner.capacity_points = 0
        practitioner.save(update_fields=["capacity_points"])
    [case] = waiting_scored(world, 1)
    south = PractitionerFactory.create(team=world.team_south)
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    assert proposal.result["proposals"][0]["practitioner_id"] is None
    return proposal, case, south


def test_a_case_nobody_can_take_offers_the_next_steps_to_the_manager(world: World) -> None:
    proposal, case, _ = north_full_south_with_room(world)
    url = reverse("allocation_proposal", args=[proposal.pk])
    assert "Cases not allocated: next steps" in client_for(world.mona).get(url).content.decode()
    assert "next steps" not in client_for(world.pat).get(url).content.decode()
    page = client_for(world.mona).get(reverse("allocation_across_teams", args=[proposal.pk]))
    elsewhere = page.context["elsewhere"]
    assert [item.row.case_id for item in elsewhere] == [case.pk]
    assert elsewhere[0].suggested_team == world.team_south.name
    assert world.team_south.name in dict(elsewhere[0].teams)
    assert "a case moves only when the receiving team's manager agrees" in (page.content.decode())
    assert not Allocation.objects.filter(case=case).exists()


def test_other_teams_room_takes_the_same_queries_however_many_teams(
    world: World, django_assert_max_num_queries: Any
) -> None:
    proposal, _, _ = north_full_south_with_room(world)
    client = client_for(world.mona)
    url = reverse("allocation_across_teams", args=[proposal.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        PractitionerFactory.create_batch(2, team=TeamFactory.create())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(dict(page.context["elsewhere"][0].teams)) == 6


def test_raising_unallocated_cases_tells_the_principal_social_worker_once(world: World) -> None:
    proposal, case, _ = north_full_south_with_room(world)
    client = client_for(world.mona)
    url = reverse("allocation_escalate", args=[proposal.pk])
    page = client.post(url, follow=True).content.decode()
    assert "Raised with 1 principal social worker" in page
    notice = Notification.objects.get(recipient=world.pat)
    assert notice.kind == NotificationKind.ESCALATION
    assert case.person.family_name not in notice.title  # the title is emailed
    assert case.person.full_name in notice.body
    assert notice.link == reverse("allocation_proposal", args=[proposal.pk])
    event = ChangeEvent.objects.get(action=ChangeAction.ALLOCATION_ESCALATED)
    assert (event.user_id, event.team_id) == (world.mona.pk, world.team_north.pk)
    assert event.detail["case_ids"] == [case.pk]
    again = client.post(url, follow=True).content.decode()
    assert "raised already" in again
    assert Notification.objects.filter(recipient=world.pat).count() == 1


def test_nothing_to_raise_when_every_case_has_someone(world: World) -> None:
    proposal, _ = proposal_for(world)
    with pytest.raises(ActionRefused, match="nothing to raise"):
        actions.raise_unallocated(by=world.mona, proposal=proposal)
    with pytest.raises(ActionRefused):
        actions.raise_unallocated(by=world.max, proposal=proposal)
    assert not Notification.objects.exists()


def test_proposal_page_query_count_is_constant(world: World) -> None:
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 20):
        waiting_scored(world, n)
        proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
        client = client_for(world.mona)
        url = reverse("allocation_proposal", args=[proposal.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_decision_controls_are_govuk_styled_and_marked_in_error(world: World) -> None:
    proposal, [case] = proposal_for(world)
    page = post_decision(
        world, proposal, {f"accept_{case.pk}": "on", f"practitioner_{case.pk}": "x"}
    ).content.decode()
    assert 'class="govuk-checkboxes__input"' in page
    assert 'class="govuk-select govuk-!-width-full govuk-select--error"' in page
    assert 'class="govuk-input govuk-!-width-full"' in page
