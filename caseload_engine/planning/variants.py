"""Ready-made variants of a scenario (issue 13's "scenarios side by side"), and the demand of a
later day: pure functions from a scenario to another, each checked again by `from_dict`, so a
variant that leaves the bounds is refused with the key, as a hand-written scenario would be.

- `demand_up`: every tier's requests up by a share (demand +10%).
- `vacancies`: posts of a role left empty (two social worker vacancies).
- `replace_roles`: FTE of one role replaced by FTE of another (three social workers by four
  assistants).
- `hospital_discharge`: a new stream of short cases, as a tier of its own (a new pathway).
- `demand_in`: the demand of `months` from the horizon's start, held there (for "FTE needed now
  and in 12 months").
- `scaled`, `councils`: a council of another size, demand and establishment alike, and a
  country's worth of them (planning every council on the task queue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from caseload_engine.planning.scenario import (
    Duration,
    RolePlan,
    Scenario,
    ScenarioError,
    from_dict,
    to_dict,
)
from caseload_engine.reference import ROLE_LABELS, Role

# The worked example: a council of about 13,600 requests a year (README, "Workforce planning").
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "plan-example.yaml"
ENGLAND_COUNCILS = 153  # with adult social services responsibilities
# A hospital discharge case: short and urgent; the pathway's share of the council's requests.
DISCHARGE_WEEKS = 6.0
DISCHARGE_SHARE = 0.1


def _checked(scenario: Scenario) -> Scenario:
    return from_dict(to_dict(scenario))


def _role_index(scenario: Scenario, role: str) -> int:
    for index, planned in enumerate(scenario.roles):
        if planned.role == role:
            return index
    raise ScenarioError(f"roles: the scenario has no {ROLE_LABELS[Role(role)].lower()} role")


def _with_fte(scenario: Scenario, index: int, fte: float) -> Scenario:
    roles = list(scenario.roles)
    roles[index] = replace(roles[index], fte=fte)
    return replace(scenario, roles=tuple(roles))


def demand_up(scenario: Scenario, share: float = 0.1) -> Scenario:
    tiers = tuple(
        replace(
            tier, arrivals_per_week=tuple(rate * (1 + share) for rate in tier.arrivals_per_week)
        )
        for tier in scenario.tiers
    )
    return _checked(replace(scenario, tiers=tiers))


def vacancies(scenario: Scenario, count: float = 2, role: str = Role.SOCIAL_WORKER) -> Scenario:
    index = _role_index(scenario, role)
    fte = scenario.roles[index].fte
    if count > fte:
        raise ScenarioError(f"roles[{index + 1}].fte: {fte:g} FTE cannot have {count:g} vacancies")
    return _checked(_with_fte(scenario, index, fte - count))


def replace_roles(
    scenario: Scenario,
    *,
    remove: float = 3,
    role: str = Role.SOCIAL_WORKER,
    add: float = 4,
    by: str = Role.ASSISTANT,
) -> Scenario:
    removed, added = _role_index(scenario, role), _role_index(scenario, by)
    fte = scenario.roles[removed].fte
    if remove > fte:
        raise ScenarioError(f"roles[{removed + 1}].fte: {fte:g} FTE cannot lose {remove:g}")
    changed = _with_fte(scenario, removed, fte - remove)
    return _checked(_with_fte(changed, added, changed.roles[added].fte + add))


def hospital_discharge(
    scenario: Scenario, *, share: float = DISCHARGE_SHARE, mean_weeks: float = DISCHARGE_WEEKS
) -> Scenario:
    """A new pathway: new cases a week of `share` of today's, as a tier numbered after the
    highest, of short cases (exponential, `mean_weeks`) with the points of the middle tier and
    held by the roles that hold it."""
    middle = sorted(scenario.tiers, key=lambda tier: tier.tier)[len(scenario.tiers) // 2]
    number = max(tier.tier for tier in scenario.tiers) + 1
    rate = share * sum(
        tier.share_becoming_cases * sum(tier.arrivals_per_week) / len(tier.arrivals_per_week)
        for tier in scenario.tiers
    )
    pathway = replace(
        middle,
        tier=number,
        arrivals_per_week=(rate,),
        duration_weeks=Duration("exponential", mean=mean_weeks),
        share_becoming_cases=1.0,
    )
    roles = tuple(
        replace(role, may_hold=role.may_hold | {number}) if middle.tier in role.may_hold else role
        for role in scenario.roles
    )
    return _checked(replace(scenario, tiers=(*scenario.tiers, pathway), roles=roles))


def demand_in(scenario: Scenario, months: int) -> Scenario:
    """The requests a week `months` after the horizon's start (each tier's growth to then),
    with no growth after: the demand of that day, as if it held."""
    tiers = tuple(
        replace(
            tier,
            arrivals_per_week=tuple(
                rate * (1 + tier.growth) ** (months / 12) for rate in tier.arrivals_per_week
            ),
            growth=0.0,
        )
        for tier in scenario.tiers
    )
    return _checked(replace(scenario, tiers=tiers))


def scaled(scenario: Scenario, size: float, seed: int) -> Scenario:
    """The same council `size` times as large (demand and FTE, to 0.1 FTE), with its own seed."""
    tiers = tuple(
        replace(tier, arrivals_per_week=tuple(rate * size for rate in tier.arrivals_per_week))
        for tier in scenario.tiers
    )
    roles: tuple[RolePlan, ...] = tuple(
        replace(role, fte=round(role.fte * size, 1)) for role in scenario.roles
    )
    return _checked(replace(scenario, tiers=tiers, roles=roles, seed=seed))


def councils(scenario: Scenario, count: int, *, seed: int = 153) -> list[Scenario]:
    """`count` councils, each the scenario scaled to its size (lognormal, median the
    scenario's: from about a fifth to four times it for 153) and with its own seed (1, 2, ...)."""
    sizes = np.random.default_rng(seed).lognormal(0.0, 0.6, count)
    return [scaled(scenario, float(size), number) for number, size in enumerate(sizes, 1)]


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    make: Callable[[Scenario], Scenario]


VARIANTS: tuple[Variant, ...] = (
    Variant("demand_up", "Demand up 10%", demand_up),
    Variant("vacancies", "Two social worker vacancies", vacancies),
    Variant("replace_roles", "Three social workers replaced by four assistants", replace_roles),
    Variant("hospital_discharge", "A new hospital discharge pathway", hospital_discharge),
)


def variant(key: str) -> Variant:
    for known in VARIANTS:
        if known.key == key:
            return known
    raise ScenarioError(f"There is no ready-made variant {key!r:.40}")
