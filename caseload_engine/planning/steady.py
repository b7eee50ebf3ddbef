"""The steady state: open cases by tier from Little's law, and the FTE needed to carry them.

Little's law: in a steady state the mean number of open cases is the rate of new cases times
the mean duration, whatever the duration's distribution. The FTE needed carry those cases'
points at full capacity with no waiting: each tier's points go to the role that may hold the
tier at the least cost per point (the least-cost assignment, as the roles' FTE are free), so
it is a floor under the staffing, not a plan; the simulation and the staffing search add the
slack that waiting times need.
"""

from __future__ import annotations

from caseload_engine.planning.scenario import Scenario
from caseload_engine.planning.simulate import mean_cases_per_week


def open_cases_expected(scenario: Scenario) -> tuple[float, ...]:
    """Mean open cases by tier: new cases a week (over the measured weeks) x mean weeks."""
    return tuple(
        mean_cases_per_week(scenario, tier) * tier.duration_weeks.mean for tier in scenario.tiers
    )


def fte_needed(scenario: Scenario) -> tuple[float, ...]:
    """FTE by role to carry the expected open cases' points, each tier by its cheapest role."""
    needed = [0.0] * len(scenario.roles)
    for tier, open_cases in zip(scenario.tiers, open_cases_expected(scenario), strict=True):
        holders = [index for index, role in enumerate(scenario.roles) if tier.tier in role.may_hold]
        cheapest = min(holders, key=lambda index: (scenario.roles[index].cost_per_point, index))
        needed[cheapest] += (
            open_cases * tier.points / scenario.roles[cheapest].capacity_points_per_fte
        )
    return tuple(needed)
