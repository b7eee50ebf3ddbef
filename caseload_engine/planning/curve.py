"""The waiting-time curve against staffing: how each tier's share allocated within the target,
and its mean wait, change as one role's FTE varies (the last role by default: in a council's
scenario, the social workers), the other roles as they are.

Each point is a simulation with fewer replications than the plan's (the curve shows the shape;
the plan gives the intervals), all on the scenario's seed, so that points differ by the
staffing and not by the arrivals.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from caseload_engine.planning.scenario import Scenario
from caseload_engine.planning.simulate import simulate

CURVE_REPLICATIONS = 20
CURVE_POINTS = 7
CURVE_SPREAD = 0.3  # from 30% fewer FTE to 30% more


@dataclass(frozen=True)
class CurvePoint:
    fte: float
    within_target: tuple[float, ...]  # by tier, the scenario's order
    wait_days: tuple[float, ...]


def staffing_fte(
    fte: float, *, points: int = CURVE_POINTS, spread: float = CURVE_SPREAD
) -> list[float]:
    """FTE values around `fte`, to one decimal, distinct, ascending; `fte` among them."""
    low, high = max(fte * (1 - spread), 0.0), max(fte * (1 + spread), 1.0)
    values = {round(low + (high - low) * index / (points - 1), 1) for index in range(points)}
    return sorted(values | {round(fte, 1)})


def staffing_curve(
    scenario: Scenario,
    *,
    role_index: int = -1,
    replications: int = CURVE_REPLICATIONS,
    progress: Callable[[int], None] | None = None,
) -> list[CurvePoint]:
    index = role_index % len(scenario.roles)
    count = max(2, min(replications, scenario.replications))
    values = staffing_fte(scenario.roles[index].fte)
    establishment = [role.fte for role in scenario.roles]
    points: list[CurvePoint] = []
    for done, fte in enumerate(values):
        if progress is not None:
            progress(math.floor(100 * done / len(values)))
        establishment[index] = fte
        result = simulate(scenario, replications=count, fte=tuple(establishment))
        points.append(
            CurvePoint(
                fte=fte,
                within_target=tuple(float(v) for v in result.within_target.mean(axis=0)),
                wait_days=tuple(float(v) for v in result.wait_days.mean(axis=0)),
            )
        )
    return points
