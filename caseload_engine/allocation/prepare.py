"""An allocation's inputs made ready to solve: validated, points scaled to integers, each
case's eligible practitioners worked out once, and the groups (see the package docstring)
that are solved on their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from caseload_engine.allocation.criteria import POINTS_SCALE, PRIORITIES, qualification_ranks
from caseload_engine.allocation.records import CaseToAllocate, PractitionerCapacity, Rules
from caseload_engine.allocation.rules import broken_rule, why_nobody
from caseload_engine.reference import Role


@dataclass(frozen=True)
class Prepared:
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
class PreparedGroup:
    teams: tuple[str, ...]
    practitioners: tuple[int, ...]
    cases: tuple[int, ...]


def _scaled(value: Decimal, what: str) -> int:
    scaled = value * POINTS_SCALE
    if not value.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"{what} must be a number with at most one decimal place, not {value}")
    return int(scaled)


def prepare(
    cases: Sequence[CaseToAllocate], practitioners: Sequence[PractitionerCapacity], rules: Rules
) -> Prepared:
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
                if broken_rule(
                    rules,
                    case.tier,
                    case.reserved,
                    case.required_skills,
                    case.team,
                    practitioners[i],
                )
                is None
            )
            reason = "" if allowed else why_nobody(rules, case, [practitioners[i] for i in scope])
            decided[signature] = (allowed, reason)
        allowed, reason = decided[signature]
        eligible.append(allowed)
        nobody_reason.append(reason)
        held_before = index.get(case.previous_practitioner or "")
        previous.append(held_before if held_before in allowed else None)
    ranks = qualification_ranks(rules.model)
    return Prepared(
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


def groups_of(instance: Prepared) -> list[PreparedGroup]:
    """Teams joined by eligibility (see the package docstring), in order of first appearance."""
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
        groups.append(PreparedGroup(tuple(teams), tuple(members_of[key]), tuple(cases_of[key])))
    return groups


def independent_groups(
    cases: Sequence[CaseToAllocate], practitioners: Sequence[PractitionerCapacity], rules: Rules
) -> list[tuple[list[CaseToAllocate], list[PractitionerCapacity]]]:
    """The groups the objective applies within (see the package docstring): each group's cases and
    practitioners. Cases nobody may hold go with their team's group, or nowhere if the team
    has no practitioners."""
    instance = prepare(cases, practitioners, rules)
    return [
        ([cases[c] for c in group.cases], [practitioners[p] for p in group.practitioners])
        for group in groups_of(instance)
    ]
