"""The allocation proposal and what-if as background jobs: solved with no transaction open,
written after checking the team has not changed meanwhile; and the daily run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django import DjangoCaptureOnCommitCallbacks

from caseload import cli
from caseload.allocation import actions
from caseload.allocation.jobs import start_proposal
from caseload.allocation.models import AllocationProposal, Handover
from caseload.jobs.models import Job
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Allocation, Case, CaseStatus
from caseload.web.errors import ActionRefused
from caseload_engine import allocation
from tests.conftest import World, client_for
from tests.factories import AllocationFactory
from tests.web.jobs import job_result, started_job
from tests.web.test_allocation import accept_all, waiting_scored

HTMX = {"HX-Request": "true"}


def test_the_proposal_is_a_job_whose_page_goes_on_to_the_proposal(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    [case] = waiting_scored(world, 1)
    client = client_for(world.mona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("allocation_propose", args=[world.team_north.pk]))
    job = started_job(response)
    assert (job.kind, job.started_by, job.title) == (
        "allocation_proposal",
        world.mona,
        "Allocation proposal for Older People North",
    )
    assert job.origin_url == reverse("allocation_meeting", args=[world.team_north.pk])
    proposal = AllocationProposal.objects.get()
    assert job_result(response) == reverse("allocation_proposal", args=[proposal.pk])
    assert job.summary == "1 proposed for allocation, 0 not allocated."
    # The job's page, once the job is done, sends the browser on to the proposal: from the
    # polling partial, or on coming back to it.
    polled = client.get(response["Location"], headers=HTMX)
    assert polled["HX-Redirect"] == job.result_url
    assert client.get(response["Location"])["Location"] == job.result_url
    page = client.get(job.result_url).content.decode()
    assert escape(case.person.full_name) in page


@pytest.mark.django_db(transaction=True)
def test_the_solve_holds_no_transaction(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    waiting_scored(world, 2)
    seen: list[bool] = []
    solve = allocation.allocate

    def watched(*args: Any, **kwargs: Any) -> allocation.AllocationResult:
        seen.append(connection.in_atomic_block)
        return solve(*args, **kwargs)

    monkeypatch.setattr(allocation, "allocate", watched)
    job = start_proposal(by=world.mona, team=world.team_north)  # committed and run at once
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert seen == [False]


def _meanwhile(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[], None], *, times: int
) -> list[int]:
    """During the first `times` solves, someone else changes the team."""
    solve = allocation.allocate
    solves: list[int] = []

    def and_meanwhile(*args: Any, **kwargs: Any) -> allocation.AllocationResult:
        solves.append(len(args[0]))
        result = solve(*args, **kwargs)
        if len(solves) <= times:
            change()
        return result

    monkeypatch.setattr(allocation, "allocate", and_meanwhile)
    return solves


def _allocate_elsewhere(world: World, cases: list[Case]) -> Callable[[], None]:
    def change() -> None:
        case = cases.pop(0)
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ALLOCATED)
        AllocationFactory.create(case=case, practitioner=world.colin_practitioner)

    return change


def test_a_case_allocated_while_solving_is_left_out_by_solving_again(
    world: World,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = waiting_scored(world, 2)
    solves = _meanwhile(monkeypatch, _allocate_elsewhere(world, [first]), times=1)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_proposal(by=world.mona, team=world.team_north)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert solves == [2, 1]
    proposal = AllocationProposal.objects.get()
    assert [int(row["case_id"]) for row in proposal.result["proposals"]] == [second.pk]


def test_a_team_that_keeps_changing_fails_the_job_with_a_reason(
    world: World,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = waiting_scored(world, 3)
    names = [case.person.full_name for case in cases[:2]]
    _meanwhile(monkeypatch, _allocate_elsewhere(world, list(cases)), times=2)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_proposal(by=world.mona, team=world.team_north)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_message == (
        f"The team's cases kept changing while the proposal was worked out ({names[1]} "
        "changed meanwhile). Nothing was saved: ask for a new proposal"
    )
    assert not AllocationProposal.objects.exists()
    page = client_for(world.mona).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Nothing was saved: ask for a new proposal" in page
    assert f'href="{job.origin_url}"' in page


def test_the_what_if_is_a_job_too(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    away_from = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.mona).post(
            reverse("allocation_what_if", args=[world.priya_practitioner.pk]),
            {
                "away_from_day": away_from.day,
                "away_from_month": away_from.month,
                "away_from_year": away_from.year,
                "reason": "annual_leave",
            },
        )
    proposal = AllocationProposal.objects.get()
    assert job_result(response) == reverse("allocation_proposal", args=[proposal.pk])
    assert (proposal.kind, proposal.away_practitioner, proposal.away_from) == (
        AllocationProposal.Kind.WHAT_IF,
        world.priya_practitioner,
        away_from,
    )
    assert started_job(response).title == (
        f"What if {world.priya_practitioner.full_name} is away from "
        f"{away_from.day} {away_from:%B %Y}"
    )


def test_a_what_if_whose_case_moves_while_solving_is_solved_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = world.case_held_by_priya

    def move() -> None:
        Allocation.objects.filter(case=held).update(ended_at=timezone.now())
        AllocationFactory.create(case=held, practitioner=world.colin_practitioner)

    solves = _meanwhile(monkeypatch, move, times=1)
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate(),
        reason="sickness",
    )
    assert solves == [1, 0]  # her one case, then none: it is Colin's now
    assert proposal.result["proposals"] == []


def test_only_the_teams_manager_may_start_the_proposal(world: World) -> None:
    for who in (world.priya, world.max, world.pat):
        with pytest.raises(ActionRefused):
            start_proposal(by=who, team=world.team_north)
    assert not Job.objects.exists()


def test_the_daily_command_runs_the_daily_jobs(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate() + timedelta(days=7),
        reason="annual_leave",
    )
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    handover = Handover.objects.get()
    assert cli.main(["daily", "--on", handover.due_on.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Sent 2 notices of handovers." in out
    assert "Handed over 1 case; 0 handovers lapsed" in out
    assert "notices of registration renewals" in out
    jobs = Job.objects.order_by("pk")
    assert {job.kind for job in jobs} >= {"handover_notices", "handovers"}
    assert all(job.started_by is None and job.status == Job.Status.SUCCEEDED for job in jobs)
    received = Notification.objects.get(recipient=world.colin, kind=NotificationKind.NEW_ALLOCATION)
    assert received.title == "1 case allocated to you"
    assert world.case_held_by_priya.person.full_name in received.body


def test_the_daily_command_can_queue_instead(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["handovers", "--enqueue"]) == 0
    job = Job.objects.get()
    assert (job.kind, job.status) == ("handovers", Job.Status.QUEUED)
    assert f"Queued job {job.pk}: Handovers due, " in capsys.readouterr().out
