"""A closed case is a record of what was done: every action that changes a case refuses it,
whatever page or request asks, and only the rows meant are locked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.allocation import actions as allocation_actions
from caseload.audit.models import ChangeEvent
from caseload.complexity import actions as complexity_actions
from caseload.complexity.models import Assessment
from caseload.register import actions
from caseload.register.models import Case, CaseStatus
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import AssessmentFactory
from tests.web.test_allocation import accept_all, waiting_scored

CaseChange = Callable[[World, Case], object]

CHANGES: dict[str, CaseChange] = {
    "screen": lambda world, case: actions.screen_case(by=world.mona, case=case),
    "priority": lambda world, case: actions.set_priority(by=world.mona, case=case, priority=1),
    "close": lambda world, case: actions.close_case(
        by=world.mona, case=case, outcome="nfa_other", closed_at=timezone.now()
    ),
    "score": lambda world, case: complexity_actions.assess_case(
        by=world.mona,
        case=case,
        scores={key: 1 for key in AssessmentFactory.build(case=case).scores},
        rationales={},
    ),
    "rescore": lambda world, case: complexity_actions.rescore_case(by=world.mona, case=case),
    "override": lambda world, case: complexity_actions.override_tier(
        by=world.mona,
        assessment=Assessment.objects.get(case=case, is_current=True),
        tier=3,
        reason="Judgement",
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_case_action_refuses_a_closed_case(world: World, change: str) -> None:
    case = world.case_closed_north
    AssessmentFactory.create(case=case, assessed_by=world.mona)
    before = ChangeEvent.objects.count()

    with pytest.raises(ActionRefused, match="already been closed"):
        CHANGES[change](world, case)

    assert ChangeEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_manager_posting_a_tier_override_for_a_closed_case_is_refused(world: World) -> None:
    assessment = AssessmentFactory.create(case=world.case_closed_north, assessed_by=world.mona)

    response = client_for(world.mona).post(
        reverse("assessment_override", args=[assessment.pk]),
        {"tier": "3", "reason": "Posted by hand"},
    )

    assert response.status_code == 200
    assert "already been closed" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.override_tier is None


def test_a_decision_refuses_a_case_closed_since_the_proposal(world: World) -> None:
    cases = waiting_scored(world, 2)
    proposal = allocation_actions.propose_for_meeting(by=world.mona, team=world.team_north)
    actions.close_case(by=world.mona, case=cases[0], outcome="nfa_other", closed_at=timezone.now())

    with pytest.raises(ActionRefused, match="already been closed"):
        allocation_actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))

    assert Case.objects.get(pk=cases[1].pk).status == CaseStatus.AWAITING_ALLOCATION


def _locking_statements(run: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run()
    return [query["sql"] for query in queries.captured_queries if "FOR UPDATE" in query["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_locks_taken_with_a_join_lock_only_their_own_rows(world: World) -> None:
    cases = waiting_scored(world, 1)
    proposal = allocation_actions.propose_for_meeting(by=world.mona, team=world.team_north)
    mona: User = world.mona
    statements = [
        *_locking_statements(
            lambda: complexity_actions.override_tier(
                by=mona,
                assessment=Assessment.objects.get(case=cases[0], is_current=True),
                tier=3,
                reason="Judgement",
            )
        ),
        *_locking_statements(
            lambda: allocation_actions.decide(
                by=mona, proposal=proposal, choices=accept_all(proposal)
            )
        ),
    ]
    joined = [sql for sql in statements if " JOIN " in sql]
    assert joined
    for sql in joined:
        assert "FOR UPDATE OF" in sql, sql
