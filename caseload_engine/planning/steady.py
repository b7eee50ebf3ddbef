"""The steady state: open cases by tier from Little's law, and the FTE needed to carry them.

Little's law: in a steady state the mean number of open cases is the rate of new cases times
the mean duration, whatever the duration's distribution. The FTE needed carry those cases'
points at full capacity with no waiting: each tier's points go to the role that may hold the
tier at the least cost per point, up to any role's `max_fte` (a greedy assignment), so it is a
floor under the staffing, not a plan; the simulation and the staffing search add the
slack that waiting times need.
"""

from __future__ import annotations

import math

from caseload_engine.planning.scenario import Scenario
from caseload_engine.planning.simulate import mean_cases_per_week


def open_cases_expected(scenario: Scenario) -> tuple[float, ...]:
    """Mean open cases by tier: new cases a week (over the measured weeks) x mean weeks."""
    return tuple(
        mean_cases_per_week(scenario, tier) * tier.duration_weeks.mean for tier in scenario.tiers
    )


def fte_needed(scenario: Scenario) -> tuple[float, ...]:
    """FTE by role to carry the expected open cases' points: each tier's points to the roles
    that may hold it, cheapest per point first, up to each role's `max_fte`; tiers with the
    fewest roles to choose from are placed first. The last role holding a tier takes what no
    role has room for, above its `max_fte` if need be."""
    roles = scenario.roles
    needed = [0.0] * len(roles)
    expected = open_cases_expected(scenario)
    by_choice = sorted(
        range(len(scenario.tiers)),
        key=lambda index: sum(scenario.tiers[index].tier in role.may_hold for role in roles),
    )
    for tier_index in by_choice:
        tier = scenario.tiers[tier_index]
        points = expected[tier_index] * tier.points
        holders = sorted(
            (index for index, role in enumerate(roles) if tier.tier in role.may_hold),
            key=lambda index: (roles[index].cost_per_point, index),
        )
        for position, index in enumerate(holders):
            role = roles[index]
            room = math.inf if role.max_fte is None else max(role.max_fte - needed[index], 0.0)
            fte = points / role.capacity_points_per_fte
            if position < len(holders) - 1:
                fte = min(fte, room)
            needed[index] += fte
            points -= fte * role.capacity_points_per_fte
    return tuple(needed)
