"""The hard rules no proposal breaks, checked for one case and practitioner, for a whole
assignment, or for a case nobody may hold; each broken rule is named in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from caseload_engine.allocation import explain
from caseload_engine.allocation.records import CaseToAllocate, PractitionerCapacity, Rules
from caseload_engine.complexity import Eligibility, may_hold


def eligibility(
    case: CaseToAllocate, practitioner: PractitionerCapacity, rules: Rules
) -> Eligibility:
    """Whether the hard rules (except capacity) let this practitioner hold this case, and why.

    Rules are checked in this order and the first broken one is named: the tier exists, the
    team, the role may hold the tier, registration for a reserved function, skills,
    availability.
    """
    broken = broken_rule(
        rules, case.tier, case.reserved, case.required_skills, case.team, practitioner
    )
    if broken is not None:
        return Eligibility(False, broken)
    who = explain.display_name(practitioner)
    return Eligibility(
        True, f"{who} ({explain.role_phrase(practitioner.role)}) may hold Tier {case.tier} cases"
    )


def broken_rule(
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


def why_nobody(rules: Rules, case: CaseToAllocate, scope: Sequence[PractitionerCapacity]) -> str:
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
