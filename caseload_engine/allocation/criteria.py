"""The allocation objective, stated once: its stages, the constants they are measured in, and
`objective`, which measures any assignment straight from the definitions (tests compare the
solver against brute force with it).

A leaf of the package: the solver and the explanations import this, never the modules that
allocate.

Objective, lexicographic within each group (each stage optimal given the ones before). Points
and capacities are exact decimals; a practitioner's utilisation is (current + new points) /
capacity, and "per mille" means that ratio times 1000 rounded up to a whole number. Only
practitioners with capacity above zero have a utilisation.
1. Work: the most priority-1 points allocated, then priority-2 points, then priority-3 points.
   Among cases that are interchangeable (same points and priority, the same eligible
   practitioners, the same previous practitioner) the longest waiting go first; a case without
   a date waits least.
2. Continuity: the most cases allocated to their previous practitioner.
3. Highest utilisation: the lowest highest per-mille utilisation in the group. Then spread:
   the lowest sum over the group's practitioners of penalty = sum over k = 1, 2, ... of
   max(0, load - k x capacity / 10), in points. Each point of a practitioner's load costs one
   for every tenth of their capacity already filled beneath it, so the penalty is convex and
   piecewise linear: moving work from a fuller practitioner (by utilisation) to an emptier one
   lowers it, while moving it between practitioners in the same tenth changes nothing, which
   leaves room for stage 4.
4. Least qualified: the lowest sum over allocated cases of points x the qualification rank of
   the practitioner's role, keeping the scarcer, more qualified people free for work only they
   can do. Ranks follow the model: a role that may hold fewer tiers ranks lower, then an
   unregistered role below a registered one, then the reference order (assistant, ASYE, social
   worker, experienced, advanced, occupational therapist, ...). In the default model:
   assistant, occupational therapist, ASYE, social worker, experienced, advanced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from caseload_engine.allocation.records import CaseToAllocate, PractitionerCapacity, Rules
from caseload_engine.complexity import ComplexityModel
from caseload_engine.reference import Role

STAGES = ("work", "continuity", "highest_utilisation", "spread", "least_qualified")
PRIORITIES = (1, 2, 3)
PERMILLE = 1000
SPREAD_BANDS = 10  # the spread penalty's slope rises with every tenth of capacity filled
POINTS_SCALE = 10  # points carry at most one decimal place


@dataclass(frozen=True)
class Objective:
    """One group's objective, stage by stage; `key()` orders assignments, greater is better."""

    work: tuple[Decimal, Decimal, Decimal]  # points allocated at priority 1, 2, 3
    continuity: int
    highest_permille: int
    spread: Decimal
    rank_points: Decimal  # points x qualification rank

    def key(self) -> tuple[Decimal | int, ...]:
        return (
            *self.work,
            self.continuity,
            -self.highest_permille,
            -self.spread,
            -self.rank_points,
        )


def spread_penalty(load: Decimal, capacity: Decimal) -> Decimal:
    """Stage 3's spread penalty of one practitioner: the sum over k >= 1 of
    max(0, load - k x capacity / 10)."""
    total = Decimal(0)
    k = 1
    while capacity > 0 and k * capacity < SPREAD_BANDS * load:
        total += load - k * capacity / SPREAD_BANDS
        k += 1
    return total


def scaled_spread_penalty(load: int, capacity: int) -> int:
    """The spread penalty in hundredths of a point, for load and capacity in tenths."""
    passed = max(0, (SPREAD_BANDS * load - 1) // capacity)  # the k with k x capacity < 10 x load
    return passed * SPREAD_BANDS * load - capacity * passed * (passed + 1) // 2


def objective(
    cases: Sequence[CaseToAllocate],
    practitioners: Sequence[PractitionerCapacity],
    rules: Rules,
    assignment: Mapping[str, str | None],
) -> Objective:
    """The objective of an assignment of one group's cases (case id -> practitioner id or
    None), treating the practitioners given as the group. Assumes no hard rule is broken."""
    ranks = qualification_ranks(rules.model)
    by_id = {p.practitioner_id: p for p in practitioners}
    work = dict.fromkeys(PRIORITIES, Decimal(0))
    loads = {p.practitioner_id: p.current_points for p in practitioners}
    continuity = 0
    rank_points = Decimal(0)
    for case in cases:
        chosen = assignment.get(case.case_id)
        if chosen is None:
            continue
        practitioner = by_id[chosen]
        work[case.priority] += case.points
        continuity += chosen == case.previous_practitioner
        loads[chosen] += case.points
        rank_points += case.points * ranks.get(practitioner.role, len(Role))
    permilles = [
        math.ceil(PERMILLE * Fraction(loads[p.practitioner_id]) / Fraction(p.capacity_points))
        for p in practitioners
        if p.capacity_points > 0
    ]
    return Objective(
        work=(work[1], work[2], work[3]),
        continuity=continuity,
        highest_permille=max(permilles, default=0),
        spread=sum(
            (spread_penalty(loads[p.practitioner_id], p.capacity_points) for p in practitioners),
            Decimal(0),
        ),
        rank_points=rank_points,
    )


def qualification_rank(model: ComplexityModel, role: str) -> int:
    """Where the role stands in stage 4's order, 0 being the least qualified (see stage 4)."""
    return qualification_ranks(model).get(role, len(Role))


def qualification_ranks(model: ComplexityModel) -> dict[str, int]:
    def standing(role: Role) -> tuple[int, bool, int]:
        tiers_held = sum(1 for band in model.tiers if role.value in band.roles)
        return (tiers_held, role.value in model.registered_roles, list(Role).index(role))

    return {role.value: rank for rank, role in enumerate(sorted(Role, key=standing))}
