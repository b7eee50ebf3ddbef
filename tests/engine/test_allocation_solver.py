"""A time limit never costs an earlier stage its optimum; the generators of teams of any size."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from caseload_engine.allocation import (
    AllocationResult,
    Objective,
    allocate,
    independent_groups,
    objective,
)
from caseload_engine.allocation import instances as allocation_instances
from caseload_engine.allocation import solver as allocation_solver
from caseload_engine.allocation.greedy import greedy_assignment
from caseload_engine.allocation.optimal import _case_types, _problem
from caseload_engine.allocation.prepare import groups_of, prepare


def _objective_of(instance: allocation_instances.Instance, result: AllocationResult) -> Objective:
    return objective(
        instance.cases,
        instance.practitioners,
        instance.rules,
        {p.case_id: p.practitioner_id for p in result.proposals},
    )


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


def test_the_time_limit_counts_the_models_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """What building the models takes comes out of the limit, not on top of it."""
    budgets: dict[int, float] = {}
    original_init = allocation_solver.GroupSolver.__init__
    original_round = allocation_solver.GroupSolver.try_round

    def slow_build(self: allocation_solver.GroupSolver, group: allocation_solver.Group) -> None:
        time.sleep(0.5)
        original_init(self, group)

    def recording(
        self: allocation_solver.GroupSolver, first_term: int, *, time_limit_s: float | None = None
    ) -> bool:
        budgets.setdefault(first_term, time_limit_s or 0.0)
        return original_round(self, first_term, time_limit_s=time_limit_s)

    monkeypatch.setattr(allocation_solver.GroupSolver, "__init__", slow_build)
    monkeypatch.setattr(allocation_solver.GroupSolver, "try_round", recording)
    team = allocation_instances.single_team(5, practitioners=8, cases=30)
    allocate(team.cases, team.practitioners, team.rules, time_limit_s=30)
    assert 28 < budgets[0] < 29.5


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


def _record_levels_by_stage(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[int]]:
    """Per stage searched from now on, the linearization levels of its solver calls."""
    levels: dict[str, set[int]] = {}
    stage = [""]
    original_round = allocation_solver.GroupSolver.try_round
    original_solve = cp_model.CpSolver.solve

    def recording_round(
        self: allocation_solver.GroupSolver, first_term: int, *, time_limit_s: float | None = None
    ) -> bool:
        stage[0] = self._built.terms[first_term].stage
        return original_round(self, first_term, time_limit_s=time_limit_s)

    def recording_solve(self: cp_model.CpSolver, *args: Any, **kwargs: Any) -> Any:
        levels.setdefault(stage[0], set()).add(self.parameters.linearization_level)
        return original_solve(self, *args, **kwargs)

    monkeypatch.setattr(allocation_solver.GroupSolver, "try_round", recording_round)
    monkeypatch.setattr(cp_model.CpSolver, "solve", recording_solve)
    return levels


def test_the_work_stage_is_solved_with_the_fuller_linear_relaxation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Linearization level 2 in the work stage (it proved a rebalance team's work at once
    where level 1 searched for seconds) and the spread's round, level 1 in between."""
    levels = _record_levels_by_stage(monkeypatch)
    # The rebalance's work fills every room, which fixes every load: its spread needs no
    # search (`GroupSolver._pin_loads`), so an intake's teams show the spread's round.
    for instance in (
        allocation_instances.council_rebalance(2027, practitioners=20, cases=600),
        allocation_instances.weekly_intake(practitioners=30, cases=60),
    ):
        assert allocate(instance.cases, instance.practitioners, instance.rules).optimal
    assert levels.pop("work") == {2}
    assert levels.pop("spread") == {2}
    assert levels
    assert all(found == {1} for found in levels.values())


def test_merging_the_complete_priorities_keeps_every_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once every case of a priority is allocated, its types are merged with those of the
    same points and eligible practitioners (`GroupSolver._merge`); on real teams the proposal
    measures the same in every stage as the model by type's."""
    merged: list[bool] = []
    original = allocation_solver.GroupSolver._merge

    def recording(self: allocation_solver.GroupSolver) -> None:
        original(self)
        merged.append(self._active is not self._built)

    teams = allocation_instances.random_teams(count=40)
    for team in (teams[i] for i in (3, 4, 9, 18, 26, 29)):
        cases, staff, rules = team.cases, team.practitioners, team.rules
        monkeypatch.setattr(allocation_solver.GroupSolver, "_merge", recording)
        result = allocate(cases, staff, rules)
        monkeypatch.setattr(allocation_solver.GroupSolver, "_merge", lambda self: None)
        by_type = allocate(cases, staff, rules)
        assert result.optimal
        assert by_type.optimal
        assert _objective_of(team, result) == _objective_of(team, by_type)
    assert merged == [True] * 6


def test_the_highest_utilisation_is_proven_where_the_relaxation_splits_cases() -> None:
    """A team of 12 with 64 waiting whose highest utilisation the linear relaxation puts at
    994 per mille or more, where no allocation stays below 1000: proven at once with each
    practitioner's room in whole steps of their cases' points, never in 20 s without."""
    team = allocation_instances.random_teams(count=40)[14]
    result = allocate(team.cases, team.practitioners, team.rules, time_limit_s=10)
    assert result.optimal


def test_cases_go_back_to_their_previous_practitioner_before_the_continuity_round() -> None:
    """Before continuity is searched, the solution in hand takes as many cases back to their
    previous practitioner as it can without changing any load or any type's count."""
    council = allocation_instances.council_rebalance(2027, practitioners=30, cases=1000)
    instance = prepare(council.cases, council.practitioners, council.rules)
    baseline = greedy_assignment(instance)
    raised = 0
    for group in groups_of(instance):
        types = _case_types(instance, group)
        built = allocation_solver._GroupModel(_problem(instance, group, types, baseline))
        counts = built.greedy()
        found = allocation_solver._back_with_previous(built, counts)
        weights = [kind.weight for kind in built.group.types]
        for key in ("type", "practitioner's cases of a weight"):
            before, after = Counter[object](), Counter[object]()
            for cell in built.cells:
                place = cell.kind if key == "type" else (cell.practitioner, weights[cell.kind])
                before[place] += counts.get(cell, 0)
                after[place] += found.get(cell, 0)
            assert +before == +after, key
        values, improved = built.values(counts), built.values(found)
        assert improved[:3] == values[:3]
        assert improved[4:] == values[4:]
        assert improved[3] >= values[3]
        raised += improved[3] > values[3]
    assert raised


def test_the_spread_is_proven_when_the_quick_try_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spread's round tries without presolve briefly first; where that proves nothing,
    the round goes on with presolve to the same optimum."""
    team = allocation_instances.random_teams(count=40)[15]
    cases, staff, rules = team.cases, team.practitioners, team.rules
    quick = allocate(cases, staff, rules)
    monkeypatch.setattr(allocation_solver, "_QUICK_SPREAD", 0.0)
    full = allocate(cases, staff, rules)
    assert quick.optimal
    assert full.optimal
    assert _objective_of(team, full) == _objective_of(team, quick)


def test_where_the_work_fills_every_room_the_later_rounds_need_no_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In a rebalance the work fills every practitioner's room to its last whole step, which
    fixes every load: the highest utilisation, the spread and the qualification term follow
    from the loads, so at most work and continuity are searched, to the same optimum."""
    searched = _record_levels_by_stage(monkeypatch)
    council = allocation_instances.council_rebalance(2027, practitioners=20, cases=600)
    cases, staff, rules = council.cases, council.practitioners, council.rules
    pinned = allocate(cases, staff, rules)
    assert "continuity" in searched
    assert set(searched) <= {"work", "continuity"}
    monkeypatch.setattr(allocation_solver.GroupSolver, "_pin_loads", lambda self: False)
    searched.clear()
    unpinned = allocate(cases, staff, rules)
    assert "spread" in searched
    assert pinned.optimal
    assert unpinned.optimal
    assert _objective_of(council, pinned) == _objective_of(council, unpinned)


def test_best_responses_fill_rooms_without_losing_work_or_continuity() -> None:
    """Before the work is searched, each practitioner in turn takes the cases that do most
    for the work and then continuity: the counts stay within every room, type and domain,
    work and then continuity are no worse (priority by priority), and most rebalance
    teams' work reaches the rooms' bound, which needs no search."""
    council = allocation_instances.council_rebalance()
    instance = prepare(council.cases, council.practitioners, council.rules)
    baseline = greedy_assignment(instance)
    at_bound = 0
    groups = groups_of(instance)
    for group in groups:
        # The solution the first round starts from: the better of greedy's and the solver's.
        solver = allocation_solver.GroupSolver(
            _problem(instance, group, _case_types(instance, group), baseline)
        )
        built, counts = solver._built, solver._counts
        found = built.best_responses(counts)
        kinds = built.group.types
        assert all(0 <= found.get(cell, 0) <= cell.upper for cell in built.cells)
        for t, kind in enumerate(kinds):
            assert sum(n for cell, n in found.items() if cell.kind == t) <= kind.count
        for p, cells in enumerate(built.received):
            added = sum(found.get(cell, 0) * kinds[cell.kind].weight for cell in cells)
            assert added <= built.group.capacity[p] - built.group.current[p]
        before, after = built.values(counts), built.values(found)
        assert after[:4] >= before[:4]
        at_bound += built.at_room_bounds([0, 1, 2], after, {})
    # 22 of the 38 teams.
    assert at_bound >= 20


def test_the_work_bound_counts_who_may_hold_what(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only practitioner 0 may hold the 30- and 50-point cases, and only practitioner 1 the
    one case left: the rooms could take 200 points and the cases are worth 240, but no
    allocation places more than 150, so greedy's 150 is proven without a search."""
    types = (
        allocation_solver.CaseType(weight=30, priority=1, count=10, eligible=(0,), returning=()),
        allocation_solver.CaseType(weight=50, priority=1, count=2, eligible=(0,), returning=()),
        allocation_solver.CaseType(weight=50, priority=1, count=1, eligible=(1,), returning=()),
    )
    group = allocation_solver.Group(capacity=(100, 100), current=(0, 0), rank=(0, 0), types=types)
    built = allocation_solver._GroupModel(group)
    assert built.terms[0].best == 240
    assert built.filled_room(0) + built.filled_room(1) == 200
    assert built.most_placed((1,)) == 150
    searched = _record_levels_by_stage(monkeypatch)
    solver = allocation_solver.GroupSolver(group)
    assert solver.try_round(0)
    assert searched == {}
    solver.settle_round(0)
    assert solver.solved().optimal


@st.composite
def _small_groups(draw: st.DrawFn) -> allocation_solver.Group:
    people = draw(st.integers(2, 3))
    types = tuple(
        allocation_solver.CaseType(
            weight=draw(st.sampled_from([20, 30, 50, 80])),
            priority=draw(st.integers(1, 3)),
            count=draw(st.integers(1, 2)),
            eligible=tuple(
                sorted(draw(st.sets(st.integers(0, people - 1), min_size=1, max_size=people)))
            ),
            returning=(),
        )
        for _ in range(draw(st.integers(1, 2)))
    )
    return allocation_solver.Group(
        capacity=tuple(draw(st.integers(0, 170)) for _ in range(people)),
        current=(0,) * people,
        rank=(0,) * people,
        types=types,
    )


@settings(max_examples=60, deadline=None)
@given(_small_groups())
def test_the_work_bound_holds_for_every_allocation(group: allocation_solver.Group) -> None:
    """No allocation places more points of priorities 1 to q than `most_placed` allows
    (every allocation enumerated)."""
    built = allocation_solver._GroupModel(group)
    cells = built.cells
    most = dict.fromkeys(range(1, 4), 0)
    for counts in itertools.product(*(range(cell.upper + 1) for cell in cells)):
        per_type = Counter[int]()
        load = Counter[int]()
        for cell, n in zip(cells, counts, strict=True):
            per_type[cell.kind] += n
            load[cell.practitioner] += n * group.types[cell.kind].weight
        if any(per_type[t] > kind.count for t, kind in enumerate(group.types)) or any(
            load[p] > group.capacity[p] for p in load
        ):
            continue
        for last in most:
            placed = sum(
                n * group.types[cell.kind].weight
                for cell, n in zip(cells, counts, strict=True)
                if group.types[cell.kind].priority <= last
            )
            most[last] = max(most[last], placed)
    for last, placed in most.items():
        assert placed <= built.most_placed(tuple(range(1, last + 1)))


def test_a_room_whose_worths_would_overflow_is_left_to_the_search() -> None:
    """The knapsack's worths are 64-bit integers: a room too large for them is not filled
    by best responses, and the search allocates its cases instead."""
    kind = allocation_solver.CaseType(weight=10, priority=1, count=3, eligible=(0,), returning=())

    def group(capacity: int) -> allocation_solver.Group:
        return allocation_solver.Group(capacity=(capacity,), current=(0,), rank=(0,), types=(kind,))

    small = allocation_solver._GroupModel(group(100))
    assert sum(small.best_responses({}).values()) == 3
    huge = allocation_solver._GroupModel(group(10**7))
    assert huge.best_responses({}) == {}
    solver = allocation_solver.GroupSolver(group(10**7))
    for first_term in sorted(solver.rounds):
        solver.try_round(first_term)
        solver.settle_round(first_term)
    assert solver.solved().counts == ((3,),)
