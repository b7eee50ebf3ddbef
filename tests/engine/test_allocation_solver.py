"""The solver's fast paths (the spread penalty's lines, the local search) give exactly what the
plain definitions give, and a time limit never costs an earlier stage its optimum."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload_engine.allocation import (
    AllocationResult,
    allocate,
    independent_groups,
    objective,
    scaled_spread_penalty,
)
from caseload_engine.allocation import instances as allocation_instances
from caseload_engine.allocation import solver as allocation_solver


@given(
    current=st.integers(0, 2_000),
    capacity=st.integers(1, 2_000),
    unit=st.integers(1, 100),
)
def test_the_penalty_lines_are_the_spread_penalty_at_every_whole_step(
    current: int, capacity: int, unit: int
) -> None:
    steps = max(1, (capacity - current) // unit)
    lines = allocation_solver._penalty_lines(current, capacity, unit, steps)
    for m in range(steps + 1):
        exact = scaled_spread_penalty(current + m * unit, capacity)
        assert max(value + slope * (m - start) for start, value, slope in lines) == exact


@st.composite
def groups(draw: st.DrawFn) -> allocation_solver.Group:
    practitioners = draw(st.integers(1, 5))
    capacity = tuple(draw(st.integers(1, 120)) for _ in range(practitioners))
    current = tuple(draw(st.integers(0, cap)) for cap in capacity)
    rank = tuple(draw(st.integers(0, 5)) for _ in range(practitioners))
    types = []
    for _ in range(draw(st.integers(1, 4))):
        eligible = tuple(
            sorted(draw(st.sets(st.integers(0, practitioners - 1), min_size=1, max_size=5)))
        )
        count = draw(st.integers(1, 6))
        returning = draw(st.dictionaries(st.sampled_from(eligible), st.integers(1, count)))
        types.append(
            allocation_solver.CaseType(
                weight=draw(st.sampled_from([10, 20, 30, 50, 80])),
                priority=draw(st.integers(1, 3)),
                count=count,
                eligible=eligible,
                returning=tuple(sorted(returning.items())),
            )
        )
    return allocation_solver.Group(capacity, current, rank, tuple(types))


@settings(max_examples=200, deadline=None)
@given(groups())
def test_local_search_never_costs_an_earlier_stage(group: allocation_solver.Group) -> None:
    """Work as it was, continuity no lower, highest utilisation no higher; then the spread,
    then the qualification term, no worse."""
    built = allocation_solver._GroupModel(group)
    counts = built.greedy()
    before = built.values(counts)
    after = built.values(built.improved(counts))
    assert after[:3] == before[:3]
    assert after[3] >= before[3]
    assert after[4] <= before[4]
    assert (after[5], after[6]) <= (before[5], before[6])


def test_local_search_moves_a_case_to_spread_the_load() -> None:
    """Two practitioners alike, all three cases with one of them: a case moves across."""
    kind = allocation_solver.CaseType(30, 2, 3, (0, 1), ())
    built = allocation_solver._GroupModel(
        allocation_solver.Group((200, 200), (0, 0), (1, 1), (kind,))
    )
    lopsided = {cell: (3 if cell.practitioner == 0 else 0) for cell in built.cells}
    spread = {cell.practitioner: count for cell, count in built.improved(lopsided).items()}
    assert sorted(spread.values()) == [1, 2]


def test_the_first_round_may_take_all_the_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work and continuity first, with the whole limit: no time is kept back for later stages
    (which once starved continuity in the rebalance under its limit)."""
    budgets: dict[int, float] = {}
    original = allocation_solver.GroupSolver.try_round

    def recording(
        self: allocation_solver.GroupSolver, first_term: int, *, time_limit_s: float | None = None
    ) -> bool:
        budgets.setdefault(first_term, time_limit_s or 0.0)
        return original(self, first_term, time_limit_s=time_limit_s)

    monkeypatch.setattr(allocation_solver.GroupSolver, "try_round", recording)
    team = allocation_instances.single_team(5, practitioners=8, cases=30)
    allocate(team.cases, team.practitioners, team.rules, time_limit_s=30)
    assert budgets[0] > 29


def test_a_cut_later_stage_keeps_the_earlier_stages_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When time runs out in the spread stage, work, continuity and the highest utilisation
    are still the proven optimum's."""
    team = allocation_instances.single_team(3, practitioners=12, cases=40)
    cases, staff, rules = team.cases, team.practitioners, team.rules
    proven = allocate(cases, staff, rules)
    assert proven.optimal
    original = allocation_solver.GroupSolver.try_round

    def out_of_time_from_the_spread(
        self: allocation_solver.GroupSolver, first_term: int, *, time_limit_s: float | None = None
    ) -> bool:
        if first_term >= 5:  # the spread's round and after: no time for the solver, no retry
            original(self, first_term, time_limit_s=0.0)
            return True
        return original(self, first_term, time_limit_s=time_limit_s)

    monkeypatch.setattr(allocation_solver.GroupSolver, "try_round", out_of_time_from_the_spread)
    cut = allocate(cases, staff, rules, time_limit_s=30)

    def early(result: AllocationResult) -> tuple[object, ...]:
        assignment = {p.case_id: p.practitioner_id for p in result.proposals}
        found = objective(cases, staff, rules, assignment)
        return (found.work, found.continuity, found.highest_permille)

    assert early(cut) == early(proven)


def test_random_teams_are_single_teams_of_five_to_forty() -> None:
    teams = allocation_instances.random_teams(count=12)
    for team in teams:
        (size,) = Counter(p.team for p in team.practitioners).values()
        assert 5 <= size <= 40
        assert 10 <= len(team.cases) <= 100
        assert len(independent_groups(team.cases, team.practitioners, team.rules)) == 1
    assert len({len(team.practitioners) for team in teams}) > 3
    assert teams == allocation_instances.random_teams(count=12)


def test_an_intake_in_teams_of_thirty() -> None:
    intake = allocation_instances.weekly_intake(practitioners=300, cases=500, team_size=(30, 30))
    assert set(Counter(p.team for p in intake.practitioners).values()) == {30}
