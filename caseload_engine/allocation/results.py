"""An assignment turned into the `AllocationResult`: each case's proposal with the reason for
it, the next-best practitioner, and everyone's utilisation before and after.

Explanations are in words for a team manager, naming practitioners (their name, else id);
`explain` holds the phrasing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from caseload_engine.allocation import explain
from caseload_engine.allocation.criteria import PERMILLE, scaled_spread_penalty
from caseload_engine.allocation.prepare import Prepared, PreparedGroup
from caseload_engine.allocation.records import AllocationResult, Proposal, Utilisation


@dataclass(frozen=True)
class Outcome:
    """An assignment's loads after allocation, and per group what the explanations need."""

    instance: Prepared
    load: list[int]  # per practitioner, after
    permille: list[int]  # per practitioner with capacity, after (0 without)
    group_of: list[int]  # per practitioner
    top: list[list[tuple[int, int]]]  # per group: its three highest (permille, practitioner)
    single_team: list[bool]  # per group


WhyFunction = Callable[[Outcome, int, int, int | None], str]


def build_result(
    instance: Prepared,
    assignment: Sequence[int | None],
    optimal: bool,
    gaps: dict[str, float],
    groups: Sequence[PreparedGroup],
    why: WhyFunction,
) -> AllocationResult:
    load = list(instance.current)
    for c, p in enumerate(assignment):
        if p is not None:
            load[p] += instance.points[c]
    permille = [
        -(-PERMILLE * load[p] // cap) if cap > 0 else 0 for p, cap in enumerate(instance.capacity)
    ]
    group_of = [0] * len(instance.practitioners)
    top = []
    for g, group in enumerate(groups):
        for p in group.practitioners:
            group_of[p] = g
        ranked = sorted(
            ((permille[p], p) for p in group.practitioners if instance.capacity[p] > 0),
            reverse=True,
        )
        top.append(ranked[:3])
    outcome = Outcome(
        instance, load, permille, group_of, top, [len(group.teams) == 1 for group in groups]
    )
    proposals = []
    short_cache: dict[tuple[tuple[int, ...], int, int], str] = {}
    shortfalls = _unallocated_points(instance, assignment)
    for c, case in enumerate(instance.cases):
        chosen = assignment[c]
        alternative = _alternative(outcome, c, chosen)
        alternative_id = alternative_reason = None
        if alternative is not None:
            alternative_id = instance.practitioners[alternative].practitioner_id
            alternative_reason = explain.would_reach(
                instance.practitioners[alternative],
                load[alternative] + instance.points[c],
                instance.capacity[alternative],
            )
        if chosen is None:
            reason = instance.nobody_reason[c]
            if not reason:
                key = (instance.eligible[c], case.tier, instance.points[c])
                if key not in short_cache:
                    short_cache[key] = _capacity_reason(outcome, c, shortfalls)
                reason = short_cache[key]
        else:
            reason = explain.allocated(
                case,
                instance.practitioners[chosen],
                why(outcome, c, chosen, alternative),
                before=(instance.current[chosen], instance.capacity[chosen]),
                after=(load[chosen], instance.capacity[chosen]),
            )
        proposals.append(
            Proposal(
                case_id=case.case_id,
                practitioner_id=None
                if chosen is None
                else instance.practitioners[chosen].practitioner_id,
                reason=reason,
                alternative_id=alternative_id,
                alternative_reason=alternative_reason or "",
                continuity=chosen is not None and chosen == instance.previous[c],
            )
        )
    added: list[Decimal] = [Decimal(0)] * len(instance.practitioners)
    for c, p in enumerate(assignment):
        if p is not None:
            added[p] += instance.cases[c].points
    utilisation = tuple(
        Utilisation(
            practitioner_id=p.practitioner_id,
            capacity_points=p.capacity_points,
            before_points=p.current_points,
            after_points=p.current_points + added[i],
        )
        for i, p in enumerate(instance.practitioners)
    )
    return AllocationResult(tuple(proposals), utilisation, optimal, gaps)


def _alternative(outcome: Outcome, c: int, chosen: int | None) -> int | None:
    """The eligible practitioner other than the chosen one who, with room for the case as
    things stand, would reach the lowest utilisation (then the least qualified)."""
    instance = outcome.instance
    points = instance.points[c]
    best: tuple[int, int, int] | None = None
    for p in instance.eligible[c]:
        cap = instance.capacity[p]
        if p == chosen or outcome.load[p] + points > cap:
            continue
        candidate = (-(-PERMILLE * (outcome.load[p] + points) // cap), instance.ranks[p], p)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]


def why_optimal(outcome: Outcome, c: int, chosen: int, alternative: int | None) -> str:
    """The first stage of the objective that would change if the case went to the alternative
    instead: the honest reason the solver preferred the chosen practitioner."""
    instance = outcome.instance
    if chosen == instance.previous[c]:
        return "their case before"
    if alternative is None:
        return "the only eligible practitioner with room"
    points, load, capacity = instance.points[c], outcome.load, instance.capacity
    group = outcome.group_of[chosen]
    others = [v for v, p in outcome.top[group] if p not in (chosen, alternative)][:1]
    highest_now = outcome.top[group][0][0] if outcome.top[group] else 0
    highest_then = max(
        _permille(instance, chosen, load[chosen] - points),
        _permille(instance, alternative, load[alternative] + points),
        *others,
    )
    spread_now = scaled_spread_penalty(load[chosen], capacity[chosen]) + scaled_spread_penalty(
        load[alternative], capacity[alternative]
    )
    spread_then = scaled_spread_penalty(
        load[chosen] - points, capacity[chosen]
    ) + scaled_spread_penalty(load[alternative] + points, capacity[alternative])
    scope = "the team's" if outcome.single_team[group] else "the"
    alternative_role = explain.role_phrase(instance.practitioners[alternative].role)
    changes = [
        (
            highest_then - highest_now,
            f"keeps {scope} highest utilisation at {explain.permille_percent(highest_now)}",
        ),
        (spread_then - spread_now, "spreads the load most evenly"),
        (
            instance.ranks[alternative] - instance.ranks[chosen],
            f"leaves the more qualified {alternative_role} free",
        ),
    ]
    for change, reason in changes:
        if change > 0:
            return reason
        if change < 0:  # only when a time limit stopped the solver short of the optimum
            return "the best found in the time allowed"
    return "as good a fit as any other"


def why_greedy(outcome: Outcome, c: int, chosen: int, alternative: int | None) -> str:
    return "the lowest utilisation among those eligible with room when its turn came"


def _permille(instance: Prepared, p: int, load: int) -> int:
    cap = instance.capacity[p]
    return -(-PERMILLE * load // cap) if cap > 0 else 0


def _unallocated_points(
    instance: Prepared, assignment: Sequence[int | None]
) -> dict[tuple[tuple[int, ...], int], int]:
    """Points left unallocated by eligible practitioners and tier, for cases someone may hold."""
    short: dict[tuple[tuple[int, ...], int], int] = defaultdict(int)
    for c, p in enumerate(assignment):
        if p is None and instance.eligible[c]:
            short[(instance.eligible[c], instance.cases[c].tier)] += instance.points[c]
    return short


def _capacity_reason(
    outcome: Outcome, c: int, unallocated: Mapping[tuple[tuple[int, ...], int], int]
) -> str:
    """Why a case someone may hold was not allocated: the room left is not enough."""
    instance = outcome.instance
    case = instance.cases[c]
    allowed = instance.eligible[c]
    rooms = [max(0, instance.capacity[p] - outcome.load[p]) for p in allowed]
    where = "in any team" if instance.rules.cross_team else f"in {case.team}"
    short = unallocated[(allowed, case.tier)] - sum(rooms)
    return explain.no_capacity(
        tier=case.tier, where=where, short=short, largest_room=max(rooms), needed=instance.points[c]
    )
