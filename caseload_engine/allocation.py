"""Allocation proposals for the allocation meeting: optimal, rule-abiding and explained.

The web app and the command line code against the dataclasses and the signatures of `allocate`,
`allocate_greedy` and `eligibility`.

Hard rules, never broken by a proposal:
- the practitioner's role may hold the case's tier (the complexity model's tier roles), and a
  case with a reserved function goes only to a registered role;
- the practitioner has every required skill, is available, and is in the case's team unless
  cross-team allocation is switched on;
- current + new points never exceed the practitioner's capacity.

Groups. A group is a set of teams joined by eligibility: the teams, plus every case and
practitioner in them, linked whenever a case may go to a practitioner of another team (only with
cross-team allocation). Without cross-team allocation each team is its own group. Groups share
no case and no practitioner, so each is solved on its own, and the objective below applies
within each group.

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

`objective` computes these values for any assignment straight from the definitions; tests
compare the solver against brute force with it.

How it is solved (`allocation_solver`). Within a group, cases of one type (same points,
priority and eligible practitioners) are interchangeable but for continuity, so the model
counts cases per type and practitioner, n[type, practitioner], with continuity counted by
k[type, previous practitioner] <= min(n, cases returning to them): a small model even for
hundreds of cases. Concrete cases of a type are then handed out returning cases to their
previous practitioner first, then longest waiting first. Points are scaled by 10 to integers
(they carry at most one decimal place). CP-SAT solves the stages in turn, each keeping the ones
before at their optimum; consecutive stages share one objective with exact lexicographic weights
while the weights stay small. It starts from the better of a greedy that favours continuity and
the greedy baseline, so a proposal is never worse than the baseline's in work, even when time
runs out. Groups are solved side by side, one per processor, stage by stage: every group's
work before any group's continuity, and so on.

`optimal` says every stage was proven optimal. `stage_gaps` holds, per stage, the largest
relative gap over the groups between the value found and the solver's proven bound (the
difference over the larger of the two): 0.0 when proven optimal. With a time limit, a stage
whose solve runs out keeps the best found, and the next stage starts from it.

Explanations are in words for a team manager, naming practitioners (their name, else id).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from caseload_engine import allocation_explain as explain
from caseload_engine.complexity import ComplexityModel, Eligibility, may_hold
from caseload_engine.reference import Role

if TYPE_CHECKING:
    from caseload_engine.allocation_solver import Group, GroupSolver

STAGES = ("work", "continuity", "highest_utilisation", "spread", "least_qualified")
PRIORITIES = (1, 2, 3)
PERMILLE = 1000
SPREAD_BANDS = 10  # the spread penalty's slope rises with every tenth of capacity filled
POINTS_SCALE = 10  # points carry at most one decimal place


@dataclass(frozen=True)
class CaseToAllocate:
    case_id: str
    team: str
    tier: int
    points: Decimal
    required_skills: frozenset[str] = frozenset()
    reserved: bool = False
    previous_practitioner: str | None = None
    waiting_since: date | None = None
    priority: int = 2  # 1 is the highest


@dataclass(frozen=True)
class PractitionerCapacity:
    practitioner_id: str
    team: str
    role: str
    fte: Decimal
    capacity_points: Decimal
    current_points: Decimal
    skills: frozenset[str] = frozenset()
    available: bool = True
    name: str = ""  # for explanations; the id is used when blank


@dataclass(frozen=True)
class Rules:
    model: ComplexityModel
    cross_team: bool = False


@dataclass(frozen=True)
class Proposal:
    case_id: str
    practitioner_id: str | None  # None: not allocated
    reason: str  # why this practitioner, or why nobody, in words
    alternative_id: str | None = None  # the next-best eligible practitioner, if any
    alternative_reason: str = ""
    continuity: bool = False  # goes back to the previous practitioner


@dataclass(frozen=True)
class Utilisation:
    practitioner_id: str
    capacity_points: Decimal
    before_points: Decimal
    after_points: Decimal

    @property
    def before(self) -> float:
        return float(self.before_points / self.capacity_points) if self.capacity_points else 0.0

    @property
    def after(self) -> float:
        return float(self.after_points / self.capacity_points) if self.capacity_points else 0.0


@dataclass(frozen=True)
class AllocationResult:
    proposals: tuple[Proposal, ...]
    utilisation: tuple[Utilisation, ...]
    optimal: bool  # every stage proven optimal
    stage_gaps: dict[str, float] = field(default_factory=dict)  # stage -> relative gap to bound

    @property
    def allocated(self) -> int:
        return sum(1 for p in self.proposals if p.practitioner_id is not None)

    @property
    def not_allocated(self) -> int:
        return len(self.proposals) - self.allocated

    @property
    def continuity_kept(self) -> int:
        return sum(1 for p in self.proposals if p.continuity)

    @property
    def highest_utilisation(self) -> float:
        return max((u.after for u in self.utilisation), default=0.0)


# -- hard rules ------------------------------------------------------------------------------


def eligibility(
    case: CaseToAllocate, practitioner: PractitionerCapacity, rules: Rules
) -> Eligibility:
    """Whether the hard rules (except capacity) let this practitioner hold this case, and why.

    Rules are checked in this order and the first broken one is named: the tier exists, the
    team, the role may hold the tier, registration for a reserved function, skills,
    availability.
    """
    broken = _broken_rule(
        rules, case.tier, case.reserved, case.required_skills, case.team, practitioner
    )
    if broken is not None:
        return Eligibility(False, broken)
    who = explain.display_name(practitioner)
    return Eligibility(
        True, f"{who} ({explain.role_phrase(practitioner.role)}) may hold Tier {case.tier} cases"
    )


def _broken_rule(
    rules: Rules,
    tier: int,
    reserved: bool,
    skills: frozenset[str],
    team: str,
    practitioner: PractitionerCapacity,
) -> str | None:
    model = rules.model
    if tier not in {band.tier for band in model.tiers}:
        return f"Tier {tier} is not a tier of the complexity model"
    who = explain.display_name(practitioner)
    if not rules.cross_team and practitioner.team != team:
        return f"{who} is in {practitioner.team}, not {team}"
    held = may_hold(model, role=practitioner.role, tier=tier)
    if not held.allowed:
        return held.reason
    if reserved and practitioner.role not in model.registered_roles:
        return (
            f"The case has a reserved function, for a registered social worker; "
            f"{who} is {explain.with_article(explain.role_phrase(practitioner.role))}"
        )
    missing = sorted(skills - practitioner.skills)
    if missing:
        return f"{who} does not have the skill {explain.listed(missing)}"
    if not practitioner.available:
        return f"{who} is unavailable"
    return None


def qualification_rank(model: ComplexityModel, role: str) -> int:
    """Where the role stands in stage 4's order, 0 being the least qualified (see above)."""
    return _qualification_ranks(model).get(role, len(Role))


def _qualification_ranks(model: ComplexityModel) -> dict[str, int]:
    def standing(role: Role) -> tuple[int, bool, int]:
        tiers_held = sum(1 for band in model.tiers if role.value in band.roles)
        return (tiers_held, role.value in model.registered_roles, list(Role).index(role))

    return {role.value: rank for rank, role in enumerate(sorted(Role, key=standing))}


def breaches(
    cases: Sequence[CaseToAllocate],
    practitioners: Sequence[PractitionerCapacity],
    rules: Rules,
    assignment: Mapping[str, str | None],
) -> list[str]:
    """Every hard rule an assignment (case id -> practitioner id or None) breaks, in words."""
    by_id = {p.practitioner_id: p for p in practitioners}
    problems: list[str] = []
    new_points: dict[str, Decimal] = defaultdict(Decimal)
    for case in cases:
        chosen = assignment.get(case.case_id)
        if chosen is None:
            continue
        practitioner = by_id.get(chosen)
        if practitioner is None:
            problems.append(f"{case.case_id}: no practitioner {chosen}")
            continue
        check = eligibility(case, practitioner, rules)
        if not check.allowed:
            problems.append(f"{case.case_id}: {check.reason}")
        new_points[chosen] += case.points
    for practitioner in practitioners:
        added = new_points.get(practitioner.practitioner_id, Decimal(0))
        if added and practitioner.current_points + added > practitioner.capacity_points:
            problems.append(
                f"{practitioner.practitioner_id}: {practitioner.current_points} + {added} points "
                f"exceed the capacity of {practitioner.capacity_points}"
            )
    return problems


# -- the objective, straight from the definitions ---------------------------------------------


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
    ranks = _qualification_ranks(rules.model)
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


def independent_groups(
    cases: Sequence[CaseToAllocate], practitioners: Sequence[PractitionerCapacity], rules: Rules
) -> list[tuple[list[CaseToAllocate], list[PractitionerCapacity]]]:
    """The groups the objective applies within (see above): each group's cases and
    practitioners. Cases nobody may hold go with their team's group, or nowhere if the team
    has no practitioners."""
    instance = _prepare(cases, practitioners, rules)
    return [
        ([cases[c] for c in group.cases], [practitioners[p] for p in group.practitioners])
        for group in _groups(instance)
    ]


# -- preparing an instance --------------------------------------------------------------------


@dataclass(frozen=True)
class _Instance:
    """The inputs, validated, with points scaled to integers and eligibility worked out."""

    cases: Sequence[CaseToAllocate]
    practitioners: Sequence[PractitionerCapacity]
    rules: Rules
    points: list[int]  # per case
    capacity: list[int]  # per practitioner
    current: list[int]
    eligible: list[tuple[int, ...]]  # per case: the practitioners the hard rules allow
    nobody_reason: list[str]  # per case with nobody eligible: why, in words
    previous: list[int | None]  # per case: its previous practitioner, if eligible for it
    ranks: list[int]  # per practitioner: qualification rank


@dataclass(frozen=True)
class _Group:
    teams: tuple[str, ...]
    practitioners: tuple[int, ...]
    cases: tuple[int, ...]


def _scaled(value: Decimal, what: str) -> int:
    scaled = value * POINTS_SCALE
    if not value.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"{what} must be a number with at most one decimal place, not {value}")
    return int(scaled)


def _prepare(
    cases: Sequence[CaseToAllocate], practitioners: Sequence[PractitionerCapacity], rules: Rules
) -> _Instance:
    _check_unique([case.case_id for case in cases], "case")
    _check_unique([p.practitioner_id for p in practitioners], "practitioner")
    capacity, current = [], []
    for p in practitioners:
        capacity.append(_scaled(p.capacity_points, f"Capacity of {p.practitioner_id}"))
        current.append(_scaled(p.current_points, f"Current points of {p.practitioner_id}"))
        if capacity[-1] < 0 or current[-1] < 0:
            raise ValueError(f"Points of {p.practitioner_id} cannot be negative")
    points = []
    for case in cases:
        points.append(_scaled(case.points, f"Points of case {case.case_id}"))
        if points[-1] <= 0:
            raise ValueError(f"Case {case.case_id} must weigh more than 0 points")
        if case.priority not in PRIORITIES:
            raise ValueError(f"Case {case.case_id} has priority {case.priority}, not 1, 2 or 3")

    index = {p.practitioner_id: i for i, p in enumerate(practitioners)}
    by_team: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(practitioners):
        by_team[p.team].append(i)
    everyone = list(range(len(practitioners)))
    # Eligibility depends on a few fields only: work it out once per distinct combination.
    decided: dict[tuple[int, bool, frozenset[str], str], tuple[tuple[int, ...], str]] = {}
    eligible, nobody_reason, previous = [], [], []
    for case in cases:
        signature = (case.tier, case.reserved, case.required_skills, case.team)
        if signature not in decided:
            scope = everyone if rules.cross_team else by_team.get(case.team, [])
            allowed = tuple(
                i
                for i in scope
                if _broken_rule(
                    rules,
                    case.tier,
                    case.reserved,
                    case.required_skills,
                    case.team,
                    practitioners[i],
                )
                is None
            )
            reason = "" if allowed else _why_nobody(rules, case, [practitioners[i] for i in scope])
            decided[signature] = (allowed, reason)
        allowed, reason = decided[signature]
        eligible.append(allowed)
        nobody_reason.append(reason)
        held_before = index.get(case.previous_practitioner or "")
        previous.append(held_before if held_before in allowed else None)
    ranks = _qualification_ranks(rules.model)
    return _Instance(
        cases=cases,
        practitioners=practitioners,
        rules=rules,
        points=points,
        capacity=capacity,
        current=current,
        eligible=eligible,
        nobody_reason=nobody_reason,
        previous=previous,
        ranks=[ranks.get(p.role, len(Role)) for p in practitioners],
    )


def _check_unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for each in ids:
        if each in seen:
            raise ValueError(f"The {what} id {each!r} is used more than once")
        seen.add(each)


def _why_nobody(rules: Rules, case: CaseToAllocate, scope: Sequence[PractitionerCapacity]) -> str:
    """The first hard rule that rules out everyone in scope, for a case nobody may hold."""
    model = rules.model
    where = "in any team" if rules.cross_team else f"in {case.team}"
    if case.tier not in {band.tier for band in model.tiers}:
        return f"Tier {case.tier} is not a tier of the complexity model"
    if not scope:
        return f"no practitioners {where}"
    left = [p for p in scope if may_hold(model, role=p.role, tier=case.tier).allowed]
    if not left:
        return f"no one {where} has a role that may hold Tier {case.tier}"
    if case.reserved:
        left = [p for p in left if p.role in model.registered_roles]
        if not left:
            return f"no one {where} who may hold Tier {case.tier} is registered for reserved work"
    lacking = sorted(s for s in case.required_skills if not any(s in p.skills for p in left))
    if lacking:
        return f"no one {where} who may hold Tier {case.tier} has the skill {lacking[0]}"
    left = [p for p in left if case.required_skills <= p.skills]
    if not left:
        needed = explain.listed(sorted(case.required_skills))
        return f"no one {where} who may hold Tier {case.tier} has all of the skills {needed}"
    return f"everyone {where} who could hold it is unavailable"


def _groups(instance: _Instance) -> list[_Group]:
    """Teams joined by eligibility (see the module docstring), in order of first appearance."""
    parent = list(range(len(instance.practitioners)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(members: Sequence[int]) -> None:
        first = root(members[0])
        for other in members[1:]:
            parent[root(other)] = first

    team_members: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(instance.practitioners):
        team_members[p.team].append(i)
    for members in team_members.values():
        join(members)
    for allowed in set(instance.eligible):
        if allowed:
            join(allowed)

    members_of: dict[int, list[int]] = defaultdict(list)
    for i in range(len(instance.practitioners)):
        members_of[root(i)].append(i)
    cases_of: dict[int, list[int]] = defaultdict(list)
    for c, case in enumerate(instance.cases):
        allowed = instance.eligible[c]
        if allowed:
            cases_of[root(allowed[0])].append(c)
        elif case.team in team_members:
            cases_of[root(team_members[case.team][0])].append(c)
    groups = []
    for key in sorted(members_of, key=lambda key: members_of[key][0]):
        teams = dict.fromkeys(instance.practitioners[i].team for i in members_of[key])
        groups.append(_Group(tuple(teams), tuple(members_of[key]), tuple(cases_of[key])))
    return groups


# -- the optimal proposal ---------------------------------------------------------------------


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
    without a time limit. With one, each round gets most of the time left (so a short limit
    costs the least important stages), its groups share it as processor time in proportion to
    their size, biggest first, time left over goes to groups that ran out, and a stage that
    runs out keeps the best found; which of several optimal proposals is found may then depend
    on timing.
    """
    # OR-Tools takes most of a second to import: only pay for it when allocating.
    from caseload_engine import allocation_solver as solver

    instance = _prepare(cases, practitioners, rules)
    groups = _groups(instance)
    # The solver starts from the baseline's proposal when that is better, so that even when
    # time runs out the proposal does no worse than greedy.
    baseline = _greedy(instance)
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
    deadline = None if time_limit_s is None else time.monotonic() + time_limit_s
    rounds = sorted(frozenset().union(*(item.solver.rounds for item in work)))
    with ThreadPoolExecutor(max(threads, 1)) as pool:
        for position, first_term in enumerate(rounds):
            taking_part = [item for item in work if first_term in item.solver.rounds]
            round_deadline = None
            if deadline is not None:
                left = max(0.0, deadline - time.monotonic())
                later = len(rounds) - position - 1
                round_deadline = time.monotonic() + solver.round_budget(left, later=later)
            _solve_round(pool, taking_part, first_term, threads, round_deadline)

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
    return _result(instance, assignment, optimal, gaps, groups, _why_optimal)


# A round's time left over below this is not worth another try: a try's set-up costs about
# as much.
_SHORTEST_RETRY_S = 0.05


@dataclass(frozen=True)
class _GroupWork:
    types: list[list[int]]  # the group's cases by type
    size: int
    solver: GroupSolver


def _problem(
    instance: _Instance, group: _Group, types: list[list[int]], baseline: Sequence[int | None]
) -> Group:
    """The group as the solver takes it: practitioners by position, cases counted by type."""
    from caseload_engine.allocation_solver import CaseType, Group

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


def _size(instance: _Instance, types: Sequence[Sequence[int]]) -> int:
    """How big a group's model is: one variable per case type and eligible practitioner."""
    return sum(len(instance.eligible[members[0]]) for members in types) or 1


def _case_types(instance: _Instance, group: _Group) -> list[list[int]]:
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
    instance: _Instance, members: Sequence[int], local: Mapping[int, int]
) -> tuple[tuple[int, int], ...]:
    """(practitioner, how many of these cases they held before), by practitioner."""
    counts: dict[int, int] = defaultdict(int)
    for c in members:
        held_before = instance.previous[c]
        if held_before is not None:
            counts[local[held_before]] += 1
    return tuple(sorted(counts.items()))


def _hand_out(
    instance: _Instance,
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


# -- the greedy baseline ----------------------------------------------------------------------


def allocate_greedy(
    cases: Sequence[CaseToAllocate],
    practitioners: Sequence[PractitionerCapacity],
    rules: Rules,
) -> AllocationResult:
    """What a manager does by hand: each case in turn (priority, then longest wait) to the
    eligible practitioner with the lowest load. A baseline for comparison only."""
    instance = _prepare(cases, practitioners, rules)
    return _result(instance, _greedy(instance), False, {}, _groups(instance), _why_greedy)


def _greedy(instance: _Instance) -> list[int | None]:
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


# -- results and explanations -----------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """An assignment's loads after allocation, and per group what the explanations need."""

    instance: _Instance
    load: list[int]  # per practitioner, after
    permille: list[int]  # per practitioner with capacity, after (0 without)
    group_of: list[int]  # per practitioner
    top: list[list[tuple[int, int]]]  # per group: its three highest (permille, practitioner)
    single_team: list[bool]  # per group


WhyFunction = Callable[[_Outcome, int, int, int | None], str]


def _result(
    instance: _Instance,
    assignment: Sequence[int | None],
    optimal: bool,
    gaps: dict[str, float],
    groups: Sequence[_Group],
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
    outcome = _Outcome(
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


def _alternative(outcome: _Outcome, c: int, chosen: int | None) -> int | None:
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


def _why_optimal(outcome: _Outcome, c: int, chosen: int, alternative: int | None) -> str:
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


def _why_greedy(outcome: _Outcome, c: int, chosen: int, alternative: int | None) -> str:
    return "the lowest utilisation among those eligible with room when its turn came"


def _permille(instance: _Instance, p: int, load: int) -> int:
    cap = instance.capacity[p]
    return -(-PERMILLE * load // cap) if cap > 0 else 0


def _unallocated_points(
    instance: _Instance, assignment: Sequence[int | None]
) -> dict[tuple[tuple[int, ...], int], int]:
    """Points left unallocated by eligible practitioners and tier, for cases someone may hold."""
    short: dict[tuple[tuple[int, ...], int], int] = defaultdict(int)
    for c, p in enumerate(assignment):
        if p is None and instance.eligible[c]:
            short[(instance.eligible[c], instance.cases[c].tier)] += instance.points[c]
    return short


def _capacity_reason(
    outcome: _Outcome, c: int, unallocated: Mapping[tuple[tuple[int, ...], int], int]
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
