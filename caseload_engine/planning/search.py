"""Staffing search: the least-cost mix of whole FTE by role that meets the service level.

The search, checked by the simulation at every step (the same seed each time, so that two
staffings are compared on the same arrivals):
1. Start from the steady state's FTE needed, rounded up (a floor: it has no slack for waiting).
2. Greedy: while some tier misses the target, add one FTE to the role whose extra FTE cuts the
   shortfall (the sum over tiers of target less share within target) most per pound; if no
   single FTE cuts it, to the cheapest-per-point role holding the tier furthest from target
   (and stop if no role that may still grow holds it).
   No role goes above its `max_fte` (the most the council could recruit), if it has one.
3. Local improvement: remove one FTE from a role, most expensive first, or swap one FTE of a
   role for one of a cheaper role, while the service level is still met; repeat until neither
   helps.
4. Check the result with the scenario's full replications, and if it misses the target there,
   go on adding FTE greedily with them.
A tier meets the target when the mean share allocated within the days is at least the share.
The search is a heuristic over integer FTE, not a proof of the least cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from caseload_engine.planning.scenario import Scenario
from caseload_engine.planning.simulate import Replications, simulate
from caseload_engine.planning.steady import fte_needed

SEARCH_REPLICATIONS = 40
MAX_EVALUATIONS = 300


@dataclass(frozen=True)
class Staffing:
    fte: tuple[int, ...]
    cost: float
    meets_service_level: bool
    evaluations: int


def search_staffing(scenario: Scenario, *, replications: int = SEARCH_REPLICATIONS) -> Staffing:
    search = _Search(scenario, min(replications, scenario.replications))
    try:
        search.greedy()
        search.improve()
        # The check with every replication: add FTE again if the smaller sample flattered.
        search.replications = scenario.replications
        search.greedy()
    except _Exhausted:
        pass  # keep the best staffing found so far
    search.replications = scenario.replications
    best = search.current
    return Staffing(
        fte=best,
        cost=search.cost(best),
        meets_service_level=_shortfall(scenario, search.final(best)) == 0,
        evaluations=len(search.seen),
    )


class _Exhausted(Exception):
    """The search has evaluated as many staffings as it may."""


def _shortfall(scenario: Scenario, result: Replications) -> float:
    """How far the tiers fall short of the target (0 when every tier meets it)."""
    within = result.within_target.mean(axis=0)
    return float(np.maximum(scenario.service_level.share - within, 0).sum())


class _Search:
    def __init__(self, scenario: Scenario, replications: int) -> None:
        self.scenario = scenario
        self.replications = replications
        self.costs = [role.cost_per_fte for role in scenario.roles]
        self.seen: dict[tuple[int, tuple[int, ...]], Replications] = {}
        self.most: list[float] = [
            math.inf if role.max_fte is None else math.floor(role.max_fte)
            for role in scenario.roles
        ]
        self.current = tuple(
            math.ceil(min(needed - 1e-9, most))
            for needed, most in zip(fte_needed(scenario), self.most, strict=True)
        )

    def result(self, fte: tuple[int, ...]) -> Replications:
        if (self.replications, fte) not in self.seen:
            if len(self.seen) >= MAX_EVALUATIONS:
                raise _Exhausted
            return self.final(fte)
        return self.seen[self.replications, fte]

    def final(self, fte: tuple[int, ...]) -> Replications:
        """The staffing's result, simulated even when the search is exhausted."""
        key = (self.replications, fte)
        if key not in self.seen:
            self.seen[key] = simulate(
                self.scenario, replications=self.replications, fte=tuple(map(float, fte))
            )
        return self.seen[key]

    def shortfall(self, fte: tuple[int, ...]) -> float:
        return _shortfall(self.scenario, self.result(fte))

    def cost(self, fte: tuple[int, ...]) -> float:
        return sum(count * price for count, price in zip(fte, self.costs, strict=True))

    def greedy(self) -> None:
        while (now := self.shortfall(self.current)) > 0:
            open_roles = [
                index for index, count in enumerate(self.current) if count < self.most[index]
            ]
            if not open_roles:
                return  # every role is at its most: the target cannot be met
            gains = [
                (
                    (now - self.shortfall(_plus(self.current, index, 1)))
                    / max(self.costs[index], 1.0),
                    index,
                )
                for index in open_roles
            ]
            gain, chosen = max(gains)
            if gain <= 0:
                helper = self.cheapest_for_worst(open_roles)
                if helper is None:
                    return  # no role that may still grow holds the tier furthest behind
                chosen = helper
            self.current = _plus(self.current, chosen, 1)

    def cheapest_for_worst(self, open_roles: list[int]) -> int | None:
        """The cheapest role per point, of those that may still grow, that may hold the tier
        furthest from the target."""
        within = self.result(self.current).within_target.mean(axis=0)
        worst = self.scenario.tiers[int(np.argmin(within))].tier
        roles = self.scenario.roles
        holders = [index for index in open_roles if worst in roles[index].may_hold]
        return min(holders, key=lambda index: (roles[index].cost_per_point, index), default=None)

    def improve(self) -> None:
        improved = True
        while improved:
            improved = False
            dearest = sorted(range(len(self.costs)), key=lambda index: -self.costs[index])
            present = [index for index in dearest if self.current[index] > 0]
            moves = [_plus(self.current, index, -1) for index in present]
            moves += [
                _plus(_plus(self.current, dearer, -1), cheaper, 1)
                for dearer in present
                for cheaper in dearest
                if self.costs[cheaper] < self.costs[dearer]
                and self.current[cheaper] < self.most[cheaper]
            ]
            for move in moves:
                if self.cost(move) < self.cost(self.current) and self.shortfall(move) == 0:
                    self.current = move
                    improved = True
                    break


def _plus(fte: tuple[int, ...], index: int, change: int) -> tuple[int, ...]:
    return tuple(
        count + change if position == index else count for position, count in enumerate(fte)
    )
