"""Demo complexity scores: valid, in each case's own tier, consistent with who holds each case,
deterministic."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from caseload_engine import complexity
from caseload_engine.demo import DemoCouncil, generate
from caseload_engine.demo_complexity import score_council

AS_OF = date(2026, 3, 16)


@pytest.fixture(scope="module")
def council() -> DemoCouncil:
    return generate("small", seed=11, as_of=AS_OF)


@pytest.fixture(scope="module")
def model() -> complexity.ComplexityModel:
    return complexity.default_model()


def test_every_case_gets_valid_scores(
    council: DemoCouncil, model: complexity.ComplexityModel
) -> None:
    scores = score_council(council, model, seed=1)
    assert len(scores) == len(council.cases)
    for demo_score in scores:
        complexity.check_scores(model, demo_score.scores)


def test_every_case_is_scored_into_its_own_tier(
    council: DemoCouncil, model: complexity.ComplexityModel
) -> None:
    scores = score_council(council, model, seed=3)
    tiers = [complexity.score(model, demo_score.scores).tier for demo_score in scores]
    assert tiers == [case.tier for case in council.cases]


def test_current_holders_may_hold_their_cases(
    council: DemoCouncil, model: complexity.ComplexityModel
) -> None:
    roles = {p.key: p.role for p in council.practitioners}
    for case, demo_score in zip(council.cases, score_council(council, model, seed=1), strict=True):
        tier = complexity.score(model, demo_score.scores).tier
        for allocation in case.allocations:
            if allocation.ended_at is None:
                check = complexity.may_hold(
                    model,
                    role=roles[allocation.practitioner_key],
                    tier=tier,
                    reserved=demo_score.reserved_functions,
                )
                assert check.allowed, check.reason


def test_every_tier_occurs_and_scoring_is_deterministic(
    council: DemoCouncil, model: complexity.ComplexityModel
) -> None:
    first = score_council(council, model, seed=1)
    assert first == score_council(council, model, seed=1)
    assert first != score_council(council, model, seed=2)
    tiers = Counter(complexity.score(model, s.scores).tier for s in first)
    assert set(tiers) == {1, 2, 3}
