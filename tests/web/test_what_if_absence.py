"""Deciding a what-if records the absence it was about, and nobody away or handing over their
cases is offered new ones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from caseload.allocation import actions
from caseload.allocation.inputs import practitioners_of
from caseload.allocation.models import AllocationProposal
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.register.models import Absence
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.web.test_allocation import accept_all, waiting_scored

IN_A_WEEK = timedelta(days=7)


def decide_priya_away(
    world: World, *, away_from: date, away_until: date | None = None, accept: bool = True
) -> AllocationProposal:
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=away_from,
        reason="sickness",
        away_until=away_until,
    )
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal) if accept else [])
    return proposal


def test_deciding_a_what_if_records_the_absence_once(world: World) -> None:
    starts = timezone.localdate() + IN_A_WEEK
    ends = starts + timedelta(days=13)
    proposal = decide_priya_away(world, away_from=starts, away_until=ends)
    absence = Absence.objects.get(practitioner=world.priya_practitioner)
    assert (absence.starts_on, absence.ends_on, absence.reason) == (starts, ends, "sickness")
    event = ChangeEvent.objects.get(action=ChangeAction.ABSENCE_RECORDED)
    assert (event.user_id, event.practitioner_id) == (world.mona.pk, world.priya_practitioner.pk)
    assert event.changes["reason"] == [None, "sickness"]
    assert event.detail["absence_id"] == absence.pk
    assert event.detail["proposal_id"] == proposal.pk

    # A later what-if inside the recorded absence adds nothing; one reaching past it does.
    decide_priya_away(world, away_from=starts + timedelta(days=1), away_until=ends, accept=False)
    assert Absence.objects.filter(practitioner=world.priya_practitioner).count() == 1
    decide_priya_away(world, away_from=starts, accept=False)
    assert Absence.objects.filter(practitioner=world.priya_practitioner).count() == 2


def test_a_what_if_decided_with_nothing_accepted_still_records_the_absence(
    world: World,
) -> None:
    decide_priya_away(world, away_from=timezone.localdate() + IN_A_WEEK, accept=False)
    absence = Absence.objects.get(practitioner=world.priya_practitioner)
    assert absence.ends_on is None


def test_a_meeting_offers_nothing_to_someone_handing_over_their_cases(world: World) -> None:
    away_from = timezone.localdate() + IN_A_WEEK
    decide_priya_away(world, away_from=away_from)
    waiting_scored(world, 2)
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    priya = str(world.priya_practitioner.pk)
    assert {row["practitioner_id"] for row in proposal.result["proposals"]} == {
        str(world.colin_practitioner.pk)
    }
    assert proposal.inputs["unavailable"] == {
        priya: f"handing over their cases from {away_from.day} {away_from:%b %Y}"
    }
    page = client_for(world.mona).get(reverse("allocation_proposal", args=[proposal.pk]))
    shown = f"handing over their cases from {away_from.day} {away_from:%b %Y}"
    assert shown in page.content.decode()


def test_after_the_handover_the_recorded_absence_keeps_them_out_until_it_ends(
    world: World,
) -> None:
    today = timezone.localdate()
    ends = today + 2 * IN_A_WEEK
    decide_priya_away(world, away_from=today + IN_A_WEEK, away_until=ends)
    actions.carry_out_due_handovers(on=today + IN_A_WEEK)
    priya = str(world.priya_practitioner.pk)
    during = practitioners_of(world.team_north, on=today + IN_A_WEEK)
    assert during.unavailable == {priya: "away: sickness"}
    after = practitioners_of(world.team_north, on=ends + timedelta(days=1))
    assert after.unavailable == {}


def test_cancelled_handovers_free_them_until_the_absence_starts(world: World) -> None:
    today = timezone.localdate()
    proposal = decide_priya_away(world, away_from=today + IN_A_WEEK)
    for handover in proposal.decision.handovers.all():
        actions.cancel_handover(by=world.mona, handover=handover, reason="Case stays with her")
    waiting_scored(world, 1)
    meeting = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    assert meeting.inputs["unavailable"] == {}


def test_the_what_if_form_asks_why_and_checks_the_last_day(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = client_for(world.mona)
    url = reverse("allocation_what_if", args=[world.priya_practitioner.pk])
    starts = timezone.localdate() + IN_A_WEEK
    before = starts - timedelta(days=1)
    page = client.post(
        url,
        {
            "away_from_day": starts.day,
            "away_from_month": starts.month,
            "away_from_year": starts.year,
            "away_until_day": before.day,
            "away_until_month": before.month,
            "away_until_year": before.year,
        },
    ).content.decode()
    assert "Choose why they will be away" in page
    assert "The last day away must be the same as or after the first" in page
    assert 'href="#id_reason_0"' in page
    assert not AllocationProposal.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "away_from_day": starts.day,
                "away_from_month": starts.month,
                "away_from_year": starts.year,
                "reason": "training",
                "away_until_day": starts.day,
                "away_until_month": starts.month,
                "away_until_year": starts.year,
            },
        )
    assert response.status_code == 302
    proposal = AllocationProposal.objects.get()
    assert (proposal.away_reason, proposal.away_until) == ("training", starts)


@pytest.mark.parametrize(
    ("reason", "away_until", "message"),
    [
        ("holiday", None, "Choose why they will be away"),
        ("training", timedelta(days=-1), "last day away must be the same as or after"),
    ],
)
def test_the_action_refuses_a_bad_reason_or_last_day(
    world: World, reason: str, away_until: timedelta | None, message: str
) -> None:
    starts = timezone.localdate() + IN_A_WEEK
    with pytest.raises(ActionRefused, match=message):
        actions.propose_what_if(
            by=world.mona,
            practitioner=world.priya_practitioner,
            away_from=starts,
            reason=reason,
            away_until=starts + away_until if away_until is not None else None,
        )


def test_the_database_wants_a_what_if_to_say_why(world: World) -> None:
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate(),
        reason="other",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationProposal.objects.filter(pk=proposal.pk).update(away_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationProposal.objects.filter(pk=proposal.pk).update(
            away_until=proposal.away_from - timedelta(days=1)  # type: ignore[operator]
        )


def test_cases_nobody_can_take_are_said_to_stay_before_and_after_saving(world: World) -> None:
    # Colin has no room: Priya's case has nowhere to go.
    world.colin_practitioner.capacity_points = 0
    world.colin_practitioner.save(update_fields=["capacity_points"])
    away_from = timezone.localdate() + IN_A_WEEK
    proposal = actions.propose_what_if(
        by=world.mona, practitioner=world.priya_practitioner, away_from=away_from, reason="leaving"
    )
    said = (
        f"1 case stays with {world.priya_practitioner.full_name}, who is away from "
        f"{away_from.day} {away_from:%b}."
    )
    client = client_for(world.mona)
    url = reverse("allocation_proposal", args=[proposal.pk])
    assert said in client.get(url).content.decode().replace("&#x27;", "'")
    response = client.post(url, {}, follow=True)
    page = response.content.decode().replace("&#x27;", "'")
    assert "absence is recorded. " + said in page  # the message after saving
    assert page.count(said) == 2  # and the decided proposal
    absence = Absence.objects.get(practitioner=world.priya_practitioner)
    assert (absence.reason, absence.ends_on) == ("leaving", None)


def test_leaving_is_a_reason_with_no_last_day(world: World) -> None:
    client = client_for(world.mona)
    url = reverse("allocation_what_if", args=[world.priya_practitioner.pk])
    assert 'value="leaving"' in client.get(url).content.decode()
    starts = timezone.localdate() + IN_A_WEEK
    page = client.post(
        url,
        {
            "away_from_day": starts.day,
            "away_from_month": starts.month,
            "away_from_year": starts.year,
            "reason": "leaving",
            "away_until_day": starts.day,
            "away_until_month": starts.month,
            "away_until_year": starts.year,
        },
    ).content.decode()
    assert "Leave the last day blank: they are leaving" in page
    with pytest.raises(ActionRefused, match="they are leaving"):
        actions.check_what_if(
            by=world.mona,
            practitioner=world.priya_practitioner,
            reason="leaving",
            away_from=starts,
            away_until=starts,
        )


def test_a_second_what_if_names_the_case_whose_handover_is_planned_before_saving(
    world: World,
) -> None:
    decide_priya_away(world, away_from=timezone.localdate() + IN_A_WEEK)
    sooner = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate() + timedelta(days=2),
        reason="sickness",
    )
    held = world.case_held_by_priya
    client = client_for(world.mona)
    url = reverse("allocation_proposal", args=[sooner.pk])
    page = client.get(url).content.decode().replace("&#x27;", "'")
    assert "Saving will be refused: a handover is already planned for" in page
    assert f"{held.person.full_name}'s case, from {world.priya_practitioner.full_name} to" in page
    [row] = sooner.result["proposals"]
    refused = client.post(
        url, {f"accept_{held.pk}": "on", f"practitioner_{held.pk}": row["practitioner_id"]}
    ).content.decode()
    assert f"A handover is already planned for the case of {held.person.full_name}" in refused
