"""An accepted what-if for a later day: handovers planned, then carried out, cancelled or
lapsed; on the pages and from the daily command."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from caseload import cli
from caseload.allocation import actions
from caseload.allocation.models import AllocationDecision, Handover
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.register import actions as register_actions
from caseload.register.models import Allocation, Case
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import AssessmentFactory, CaseFactory, allocated_case
from tests.web.jobs import job_result
from tests.web.test_allocation import accept_all

IN_A_WEEK = timedelta(days=7)


def holder(case: Case) -> str:
    return Allocation.objects.get(case=case, ended_at__isnull=True).practitioner.full_name


def plan(world: World, *, away_from: date | None = None) -> Handover:
    """Mona accepts the what-if for Priya away in a week: her one case is to go to Colin."""
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=away_from or timezone.localdate() + IN_A_WEEK,
        reason="annual_leave",
    )
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    return Handover.objects.filter(decision__proposal=proposal).latest("pk")


def test_accepting_a_what_if_for_a_later_day_plans_and_changes_no_allocation(
    world: World,
) -> None:
    handover = plan(world)
    case = world.case_held_by_priya
    assert holder(case) == world.priya_practitioner.full_name
    assert Allocation.objects.filter(case=case).count() == 1
    assert (handover.case, handover.from_practitioner, handover.to_practitioner) == (
        case,
        world.priya_practitioner,
        world.colin_practitioner,
    )
    assert handover.due_on == timezone.localdate() + IN_A_WEEK
    assert handover.state == Handover.State.PLANNED
    event = ChangeEvent.objects.get(action=ChangeAction.HANDOVER_PLANNED)
    assert (event.user_id, event.case_id) == (world.mona.pk, case.pk)
    assert (event.from_practitioner_id, event.practitioner_id) == (
        world.priya_practitioner.pk,
        world.colin_practitioner.pk,
    )


def test_the_daily_run_hands_over_on_the_day_and_not_before(world: World) -> None:
    handover = plan(world)
    today = timezone.localdate()
    early = actions.carry_out_due_handovers(on=today + IN_A_WEEK - timedelta(days=1))
    assert (early.carried_out, early.lapsed) == (0, 0)
    assert holder(world.case_held_by_priya) == world.priya_practitioner.full_name

    run = actions.carry_out_due_handovers(on=today + IN_A_WEEK)
    assert (run.carried_out, run.lapsed) == (1, 0)
    assert holder(world.case_held_by_priya) == world.colin_practitioner.full_name
    handover.refresh_from_db()
    assert handover.state == Handover.State.CARRIED_OUT
    assert handover.settled_by is None  # the daily run
    # Its changes are logged under the manager who decided them.
    event = ChangeEvent.objects.get(
        action=ChangeAction.CASE_ALLOCATED, case_id=world.case_held_by_priya.pk
    )
    assert event.user_id == world.mona.pk
    assert event.changes == {"holder": [world.priya_practitioner.pk, world.colin_practitioner.pk]}
    assert event.detail["handover_id"] == handover.pk
    again = actions.carry_out_due_handovers(on=today + IN_A_WEEK)
    assert (again.carried_out, again.lapsed) == (0, 0)


def test_a_handover_lapses_when_the_case_closed_meanwhile(world: World) -> None:
    handover = plan(world)
    register_actions.close_case(
        by=world.mona,
        case=world.case_held_by_priya,
        outcome="nfa_support_declined",
        closed_at=timezone.now(),
    )
    run = actions.carry_out_due_handovers(on=handover.due_on)
    assert (run.carried_out, run.lapsed) == (0, 1)
    handover.refresh_from_db()
    assert (handover.state, handover.note) == (
        Handover.State.LAPSED,
        "Not handed over: the case was closed",
    )
    assert not Allocation.objects.filter(
        case=world.case_held_by_priya, practitioner=world.colin_practitioner
    ).exists()


def test_a_handover_lapses_when_the_case_moved_meanwhile(world: World) -> None:
    handover = plan(world)
    # Priya goes off sick today: the case moves to Colin at once, before the planned day.
    today = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate(),
        reason="annual_leave",
    )
    actions.decide(by=world.mona, proposal=today, choices=accept_all(today))
    run = actions.carry_out_due_handovers(on=handover.due_on)
    assert (run.carried_out, run.lapsed) == (0, 1)
    handover.refresh_from_db()
    assert (handover.state, handover.note) == (
        Handover.State.LAPSED,
        "Not handed over: the case moved",
    )
    assert Allocation.objects.filter(case=world.case_held_by_priya).count() == 2


def test_the_manager_can_hand_over_early_or_cancel_with_a_reason(world: World) -> None:
    handover = plan(world)
    with pytest.raises(ActionRefused, match="Say why"):
        actions.cancel_handover(by=world.mona, handover=handover, reason="  ")
    actions.cancel_handover(by=world.mona, handover=handover, reason="Priya's leave is off")
    handover.refresh_from_db()
    assert (handover.state, handover.settled_by, handover.note) == (
        Handover.State.CANCELLED,
        world.mona,
        "Priya's leave is off",
    )
    with pytest.raises(ActionRefused, match="no longer planned"):
        actions.hand_over_now(by=world.mona, handover=handover)
    assert actions.carry_out_due_handovers(on=handover.due_on).carried_out == 0
    assert holder(world.case_held_by_priya) == world.priya_practitioner.full_name


@pytest.mark.parametrize("who", ["priya", "max", "pat", "dee", "ada"])
def test_only_the_teams_manager_settles_a_handover(world: World, who: str) -> None:
    handover = plan(world)
    with pytest.raises(ActionRefused):
        actions.hand_over_now(by=getattr(world, who), handover=handover)
    with pytest.raises(ActionRefused):
        actions.cancel_handover(by=getattr(world, who), handover=handover, reason="No")
    handover.refresh_from_db()
    assert handover.state == Handover.State.PLANNED


def test_a_case_already_planned_to_move_is_not_planned_twice(world: World) -> None:
    plan(world)
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate() + 2 * IN_A_WEEK,
        reason="annual_leave",
    )
    with pytest.raises(ActionRefused, match="already planned"):
        actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    assert Handover.objects.count() == 1
    assert not AllocationDecision.objects.filter(proposal=proposal).exists()


def test_the_database_allows_one_planned_handover_per_case(world: World) -> None:
    handover = plan(world)
    duplicate = Handover(
        decision=handover.decision,
        case=handover.case,
        from_practitioner=handover.from_practitioner,
        to_practitioner=handover.to_practitioner,
        due_on=handover.due_on,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_what_if_for_a_case_that_moved_meanwhile_is_refused(world: World) -> None:
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate(),
        reason="annual_leave",
    )
    # The case goes to Colin by another route before the what-if is accepted.
    other = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate(),
        reason="annual_leave",
    )
    actions.decide(by=world.mona, proposal=other, choices=accept_all(other))
    with pytest.raises(ActionRefused, match="has changed since the proposal"):
        actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    assert Allocation.objects.filter(case=world.case_held_by_priya).count() == 2


def test_the_pages_plan_show_cancel_and_hand_over(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = client_for(world.mona)
    away_from = timezone.localdate() + IN_A_WEEK
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("allocation_what_if", args=[world.priya_practitioner.pk]),
            {
                "away_from_day": away_from.day,
                "away_from_month": away_from.month,
                "away_from_year": away_from.year,
                "reason": "parental_leave",
            },
        )
    proposal_url = job_result(response)
    page = client.get(proposal_url).content.decode()
    assert "Saving also records Priya" in page
    assert "(parental leave)" in page
    assert "with no known return" in page
    case = world.case_held_by_priya
    response = client.post(
        proposal_url,
        {f"accept_{case.pk}": "yes", f"practitioner_{case.pk}": world.colin_practitioner.pk},
        follow=True,
    )
    page = response.content.decode()
    assert "Handovers planned." in page
    assert "absence is recorded" in page
    assert "1 case will pass on" in page
    handover = Handover.objects.get()

    priyas_page = reverse("practitioner_detail", args=[world.priya_practitioner.pk])
    page = client.get(priyas_page).content.decode()
    assert "Planned handovers" in page
    assert f"Parental leave: {away_from.day} {away_from:%b %Y} to not known" in page
    assert reverse("handover_cancel", args=[handover.pk]) in page
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"Planned: passes to {world.colin_practitioner.full_name}" in page
    # Priya sees her case is to move, without the manager's buttons.
    page = client_for(world.priya).get(priyas_page).content.decode()
    assert "Planned handovers" in page
    assert reverse("handover_now", args=[handover.pk]) not in page

    cancel_url = reverse("handover_cancel", args=[handover.pk])
    page = client.post(cancel_url, {"reason": ""}).content.decode()
    assert "Say why the handover is cancelled" in page
    response = client.post(reverse("handover_now", args=[handover.pk]), follow=True)
    assert f"Handed over to {world.colin_practitioner.full_name}" in response.content.decode()
    assert holder(case) == world.colin_practitioner.full_name
    response = client.post(cancel_url, {"reason": "Too late"})
    assert "no longer planned" in response.content.decode()


def test_practitioner_page_query_count_is_constant_with_handovers(world: World) -> None:
    client = client_for(world.mona)
    url = reverse("practitioner_detail", args=[world.priya_practitioner.pk])
    client.get(url)
    plan(world)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        case = CaseFactory.create(team=world.team_north, status="allocated")
        Allocation.objects.create(
            case=case, practitioner=world.priya_practitioner, started_at=timezone.now()
        )
        AssessmentFactory.create(case=case, assessed_by=world.mona)
    Handover.objects.all().delete()
    plan(world)
    assert Handover.objects.count() == 6
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_the_daily_command(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    handover = plan(world)
    assert cli.main(["handovers", "--on", handover.due_on.isoformat()]) == 0
    assert "Handed over 1 case; 0 handovers lapsed" in capsys.readouterr().out
    assert holder(world.case_held_by_priya) == world.colin_practitioner.full_name
    with pytest.raises(SystemExit):
        cli.main(["handovers", "--on", "next tuesday"])
    assert "not a day like 2026-12-01: 'next tuesday'" in capsys.readouterr().err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_daily_run_and_a_cancellation_at_once(world: World) -> None:
    """Whichever locks the handover first wins; the other neither fails nor moves the case."""
    handover = plan(world)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def daily_run() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes["run"] = actions.carry_out_due_handovers(on=handover.due_on)
        finally:
            connections.close_all()

    def cancel() -> None:
        try:
            barrier.wait(timeout=10)
            actions.cancel_handover(by=world.mona, handover=handover, reason="Leave is off")
            outcomes["cancel"] = "cancelled"
        except ActionRefused as refusal:
            outcomes["cancel"] = refusal.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=daily_run), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    handover.refresh_from_db()
    run = outcomes["run"]
    assert isinstance(run, actions.HandoverRun)
    if outcomes["cancel"] == "cancelled":
        assert (handover.state, run.carried_out) == (Handover.State.CANCELLED, 0)
        assert holder(world.case_held_by_priya) == world.priya_practitioner.full_name
    else:
        assert "no longer planned" in str(outcomes["cancel"])
        assert (handover.state, run.carried_out) == (Handover.State.CARRIED_OUT, 1)
        assert holder(world.case_held_by_priya) == world.colin_practitioner.full_name


@pytest.fixture
def one_broken(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[Handover, Handover]:
    """Two handovers due on the same day; carrying out the first fails."""
    second = allocated_case(world.priya_practitioner)
    AssessmentFactory.create(case=second, assessed_by=world.mona)
    plan(world)
    broken, fine = Handover.objects.order_by("pk")
    allocate = actions._allocate

    def fail_for_the_broken_case(**kwargs: Any) -> None:
        if kwargs["case"].pk == broken.case_id:
            raise RuntimeError("disk full")
        allocate(**kwargs)

    monkeypatch.setattr(actions, "_allocate", fail_for_the_broken_case)
    return broken, fine


def test_one_failing_handover_does_not_undo_the_days_others(
    world: World, one_broken: tuple[Handover, Handover], caplog: pytest.LogCaptureFixture
) -> None:
    broken, fine = one_broken

    run = actions.carry_out_due_handovers(on=broken.due_on)

    assert (run.carried_out, run.lapsed, run.failed) == (1, 0, (broken.pk,))
    assert holder(fine.case) == world.colin_practitioner.full_name
    assert holder(broken.case) == world.priya_practitioner.full_name
    broken.refresh_from_db()
    assert broken.state == Handover.State.PLANNED
    assert not ChangeEvent.objects.filter(
        case_id=broken.case_id, action=ChangeAction.HANDOVER_CARRIED_OUT
    ).exists()
    [record] = [r for r in caplog.records if r.name == "caseload.allocation.actions"]
    assert record.getMessage() == f"Handover {broken.pk} (case {broken.case_id}) failed"
    assert record.exc_info is not None


def test_the_daily_command_reports_a_failed_handover(
    one_broken: tuple[Handover, Handover], capsys: pytest.CaptureFixture[str]
) -> None:
    broken, _ = one_broken

    assert cli.main(["handovers", "--on", broken.due_on.isoformat()]) == 1

    err = capsys.readouterr().err
    assert "Handed over 1 case; 0 handovers lapsed" in err
    assert f"1 handover failed and stays planned for the next run (handover {broken.pk}:" in err
