"""The greedy baseline: what a manager does by hand, for comparison with the optimal proposal
and as a starting point the solver must not do worse than.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from caseload_engine.allocation.prepare import Prepared, groups_of, prepare
from caseload_engine.allocation.records import (
    AllocationResult,
    CaseToAllocate,
    PractitionerCapacity,
    Rules,
)
from caseload_engine.allocation.results import build_result, why_greedy


def allocate_greedy(
    cases: Sequence[CaseToAllocate],
    practitioners: Sequence[PractitionerCapacity],
    rules: Rules,
) -> AllocationResult:
    """What a manager does by hand: each case in turn (priority, then longest wait) to the
    eligible practitioner with the lowest load. A baseline for comparison only."""
    instance = prepare(cases, practitioners, rules)
    return build_result(
        instance, greedy_assignment(instance), False, {}, groups_of(instance), why_greedy
    )


def greedy_assignment(instance: Prepared) -> list[int | None]:
    cases = instance.cases
    load = list(instance.current)
    assignment: list[int | None] = [None] * len(cases)
    order = sorted(
        range(len(cases)),
        key=lambda c: (cases[c].priority, cases[c].waiting_since or date.max, c),
    )
    for c in order:
        points = instance.points[c]
        best: int | None = None
        for p in instance.eligible[c]:
            if load[p] + points > instance.capacity[p]:
                continue
            # Lowest utilisation, compared exactly: load_p / cap_p < load_b / cap_b.
            if (
                best is None
                or load[p] * instance.capacity[best] < load[best] * instance.capacity[p]
            ):
                best = p
        if best is not None:
            assignment[c] = best
            load[best] += points
    return assignment
