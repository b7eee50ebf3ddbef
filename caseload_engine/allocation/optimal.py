"""The optimal proposal: `allocate`, which solves every group with `solver` stage by stage.

How it is solved. Within a group, cases of one type (same points, priority and eligible
practitioners) are interchangeable but for continuity, so the model counts cases per type and
practitioner, n[type, practitioner], with continuity counted by k[type, previous practitioner]
<= min(n, cases returning to them): a small model even for hundreds of cases. Concrete cases of
a type are then handed out returning cases to their previous practitioner first, then longest
waiting first. Points are scaled by 10 to integers (they carry at most one decimal place).
CP-SAT solves the stages in turn, each keeping the ones before at their optimum; consecutive
stages share one objective with exact lexicographic weights while the weights stay small. It
starts from the better of a greedy that favours continuity and the greedy baseline, so a
proposal is never worse than the baseline's in work, even when time runs out. Groups are solved
side by side, one per processor, stage by stage: every group's work before any group's
continuity, and so on. Under a time limit each stage may take all the time the stages before
it leave, so a later stage never costs an earlier one its optimum: when time runs out, the
stages already settled keep their values and the rest keep the solution in hand.

`optimal` says every stage was proven optimal. `stage_gaps` holds, per stage, the largest
relative gap over the groups between the value found and the solver's proven bound (the
difference over the larger of the two): 0.0 when proven optimal. With a time limit, a stage
whose solve runs out keeps the best found, and the next stage starts from it.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from caseload_engine.allocation.criteria import STAGES
from caseload_engine.allocation.greedy import greedy_assignment
from caseload_engine.allocation.prepare import Prepared, PreparedGroup, groups_of, prepare
from caseload_engine.allocation.records import (
    AllocationResult,
    CaseToAllocate,
    PractitionerCapacity,
    Rules,
)
from caseload_engine.allocation.results import build_result, why_optimal

if TYPE_CHECKING:
    from caseload_engine.allocation.solver import Group, GroupSolver


def allocate(
    cases: Sequence[CaseToAllocate],
    practitioners: Sequence[PractitionerCapacity],
    rules: Rules,
    *,
    time_limit_s: float | None = None,
) -> AllocationResult:
    """The optimal proposal for the stated objective, solved team by team.

    Groups are solved side by side, one per processor, a round of the objective at a time:
    every group's work first, then continuity, and so on. Deterministic for the same inputs
    without a time limit. With one, each round may take all the time left (so a short limit
    costs only the least important stages), its groups share it as processor time in
    proportion to their size, biggest first, time left over goes to groups that ran out, and a
    stage that runs out keeps the best found; which of several optimal proposals is found may
    then depend on timing.
    """
    # The limit covers the whole call: building the models takes a fair share of it at a
    # council's size (the rebalance's 2.4 s limit once took 3.1 s).
    deadline = None if time_limit_s is None else time.monotonic() + time_limit_s
    # OR-Tools takes most of a second to import: only pay for it when allocating.
    from caseload_engine.allocation import solver

    instance = prepare(cases, practitioners, rules)
    groups = groups_of(instance)
    # The solver starts from the baseline's proposal when that is better, so that even when
    # time runs out the proposal does no worse than greedy.
    baseline = greedy_assignment(instance)
    work = [
        _GroupWork(
            types,
            _size(instance, types),
            solver.GroupSolver(_problem(instance, group, types, baseline)),
        )
        for group in groups
        if (types := _case_types(instance, group))
    ]
    # Biggest first, so that a long solve does not start last and keep the others waiting.
    work.sort(key=lambda item: -item.size)
    threads = min(_processors(), len(work))
    rounds = sorted(frozenset().union(*(item.solver.rounds for item in work)))
    with ThreadPoolExecutor(max(threads, 1)) as pool:
        # Every round may take all the time left: the objective is lexicographic, so time
        # kept back for a later stage could cost an earlier one its optimum. A later round
        # that finds no time left keeps the solution in hand, which is complete.
        for first_term in rounds:
            taking_part = [item for item in work if first_term in item.solver.rounds]
            _solve_round(pool, taking_part, first_term, threads, deadline)

    assignment: list[int | None] = [None] * len(cases)
    gaps = dict.fromkeys(STAGES, 0.0)
    optimal = True
    for item in work:
        types, result = item.types, item.solver.solved()
        optimal = optimal and result.optimal
        for stage, gap in result.gaps.items():
            gaps[stage] = max(gaps[stage], gap)
        for members, counts in zip(types, result.counts, strict=True):
            _hand_out(instance, members, counts, assignment)
    return build_result(instance, assignment, optimal, gaps, groups, why_optimal)


# A round's time left over below this is not worth another try: a try's set-up costs about
# as much.
_SHORTEST_RETRY_S = 0.05


@dataclass(frozen=True)
class _GroupWork:
    types: list[list[int]]  # the group's cases by type
    size: int
    solver: GroupSolver


def _problem(
    instance: Prepared, group: PreparedGroup, types: list[list[int]], baseline: Sequence[int | None]
) -> Group:
    """The group as the solver takes it: practitioners by position, cases counted by type."""
    from caseload_engine.allocation.solver import CaseType, Group

    local = {p: i for i, p in enumerate(group.practitioners)}
    return Group(
        capacity=tuple(instance.capacity[p] for p in group.practitioners),
        current=tuple(instance.current[p] for p in group.practitioners),
        rank=tuple(instance.ranks[p] for p in group.practitioners),
        types=tuple(
            CaseType(
                weight=instance.points[members[0]],
                priority=instance.cases[members[0]].priority,
                count=len(members),
                eligible=tuple(local[p] for p in instance.eligible[members[0]]),
                returning=_returning(instance, members, local),
            )
            for members in types
        ),
        baseline=tuple(
            tuple(
                sum(1 for c in members if baseline[c] == p) for p in instance.eligible[members[0]]
            )
            for members in types
        ),
    )


def _solve_round(
    pool: ThreadPoolExecutor,
    work: Sequence[_GroupWork],
    first_term: int,
    threads: int,
    deadline: float | None,
) -> None:
    """One round for every group in it, side by side. With a deadline, each group's share is
    the time left on every processor, in proportion to its size among the groups not yet
    begun; time that groups finishing early leave over goes, in further tries, to the groups
    that ran out."""
    unsettled = list(work)
    lock = threading.Lock()
    while unsettled:
        not_begun = sum(item.size for item in unsettled)

        def attempt(item: _GroupWork) -> bool:
            nonlocal not_begun
            budget = None
            if deadline is not None:
                with lock:
                    share = item.size / not_begun
                    not_begun -= item.size
                left = max(0.0, deadline - time.monotonic())
                budget = min(left, left * threads * share)
            return item.solver.try_round(first_term, time_limit_s=budget)

        # CP-SAT lets go of the interpreter while it searches, so threads solve in parallel.
        settled = list(pool.map(attempt, unsettled))
        unsettled = [item for item, done in zip(unsettled, settled, strict=True) if not done]
        if deadline is None or deadline - time.monotonic() < _SHORTEST_RETRY_S:
            break
    for item in work:
        item.solver.settle_round(first_term)


def _processors() -> int:
    """Processors this process may run on (all of the machine's, where the system cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _size(instance: Prepared, types: Sequence[Sequence[int]]) -> int:
    """How big a group's model is: one variable per case type and eligible practitioner."""
    return sum(len(instance.eligible[members[0]]) for members in types) or 1


def _case_types(instance: Prepared, group: PreparedGroup) -> list[list[int]]:
    """The group's allocatable cases by type, each type longest waiting first."""
    types: dict[tuple[int, int, tuple[int, ...]], list[int]] = {}
    for c in group.cases:
        allowed = instance.eligible[c]
        if allowed:
            key = (instance.points[c], instance.cases[c].priority, allowed)
            types.setdefault(key, []).append(c)
    for members in types.values():
        members.sort(key=lambda c: (instance.cases[c].waiting_since or date.max, c))
    return list(types.values())


def _returning(
    instance: Prepared, members: Sequence[int], local: Mapping[int, int]
) -> tuple[tuple[int, int], ...]:
    """(practitioner, how many of these cases they held before), by practitioner."""
    counts: dict[int, int] = defaultdict(int)
    for c in members:
        held_before = instance.previous[c]
        if held_before is not None:
            counts[local[held_before]] += 1
    return tuple(sorted(counts.items()))


def _hand_out(
    instance: Prepared,
    members: Sequence[int],
    counts: Sequence[int],
    assignment: list[int | None],
) -> None:
    """Concrete cases for the solver's counts: returning cases to their previous practitioner
    first, then the rest longest waiting first (`members` is in that order)."""
    allowed = instance.eligible[members[0]]
    slots = dict(zip(allowed, counts, strict=True))
    for c in members:
        held_before = instance.previous[c]
        if held_before is not None and slots[held_before] > 0:
            assignment[c] = held_before
            slots[held_before] -= 1
    # Only the returning cases that did not go back are left: each practitioner's slots beyond
    # their own returning cases take the longest waiting of the rest.
    remaining = (c for c in members if assignment[c] is None)
    for p in allowed:
        for _ in range(slots[p]):
            assignment[next(remaining)] = p
