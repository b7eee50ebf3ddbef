"""Case histories with known, named parameters: what calibration must recover.

Two sources. `council_histories` reads the demo council's (`caseload_engine.demo`): each
request with its tier, and its first spell of practitioner work (allocation, through any
handover, to the end of the work), the spell's length drawn from the demo's
`PRACTITIONER_WORK_WEEKS` for its tier. `history` draws a plain queue from `DEMO_TIERS`: per
tier, requests a week (Poisson, spread evenly over the teams), the share allocated to a
practitioner, the days from request to allocation, and the duration (the demo's), in the
scenario's own types; each request closed on its drawn day or still open at the window's end.
Either way calibration (calibrate.py) can be checked against the numbers that made the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np

from caseload_engine.demo import PRACTITIONER_WORK_WEEKS, DemoCouncil
from caseload_engine.planning.calibrate import CaseHistory, first_spell
from caseload_engine.planning.scenario import DAYS_IN_WEEK, Duration


@dataclass(frozen=True)
class TierParameters:
    tier: int
    arrivals_per_week: float
    share_becoming_cases: float
    duration_weeks: Duration
    mean_days_to_allocate: float = 7.0
    days_open_if_not_allocated: int = 5  # closed at the front door within a week


# A council of the demo's size (13,600 requests a year, as `caseload_engine.demo.SIZES`), with
# the worked plan's split of them by tier (data/plan-example.yaml) and the demo's durations.
DEMO_TIERS: Final[tuple[TierParameters, ...]] = tuple(
    TierParameters(tier, per_week, 0.6, PRACTITIONER_WORK_WEEKS[tier])
    for tier, per_week in ((1, 150.0), (2, 80.0), (3, 31.5))
)


def council_histories(council: DemoCouncil) -> list[CaseHistory]:
    """Every request of a demo council with its tier and what became of it by its day: the
    first spell of practitioner work (censored if still running), or its closure at the front
    door (None: still being screened or waiting)."""
    found = []
    for case in council.cases:
        spell = first_spell((a.started_at, a.ended_at) for a in case.allocations)
        if spell is None:
            allocated_on, closed = None, case.closed_at
        else:
            allocated_on, closed = spell[0].date(), spell[1]
        found.append(
            CaseHistory(
                tier=case.tier,
                team=case.team_key,
                requested_on=case.received_at.date(),
                closed_on=None if closed is None else closed.date(),
                allocated_on=allocated_on,
            )
        )
    return found


def draw_weeks(
    duration: Duration, rng: np.random.Generator, size: int
) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    """Durations in weeks from an exponential or lognormal (by its mean and sd)."""
    if duration.distribution == "exponential":
        return rng.exponential(duration.mean, size)
    if duration.distribution == "lognormal":
        return rng.lognormal(*duration.log_parameters(), size)
    raise ValueError("draw_weeks draws exponential or lognormal durations")


def history(
    *,
    until: date,
    weeks: int,
    seed: int,
    teams: Sequence[str] = ("demo",),
    tiers: Sequence[TierParameters] = DEMO_TIERS,
    scale: float = 1.0,
) -> list[CaseHistory]:
    """Every request of the `weeks` before `until` (at `scale` times each tier's rate), with
    what became of it by then. Deterministic for the seed."""
    rng = np.random.default_rng(seed)
    first = until - timedelta(weeks=weeks)
    days = weeks * DAYS_IN_WEEK
    found: list[CaseHistory] = []
    for parameters in tiers:
        count = int(rng.poisson(parameters.arrivals_per_week * scale * weeks))
        requested = np.sort(rng.integers(0, days, count))
        team = rng.integers(0, len(teams), count)
        allocated = rng.random(count) < parameters.share_becoming_cases
        waits = np.floor(rng.exponential(parameters.mean_days_to_allocate, count)).astype(int)
        held = np.floor(draw_weeks(parameters.duration_weeks, rng, count) * DAYS_IN_WEEK)
        for index in range(count):
            asked = first + timedelta(days=int(requested[index]))
            if allocated[index]:
                on = asked + timedelta(days=int(waits[index]))
                closed = on + timedelta(days=int(held[index]))
                found.append(
                    CaseHistory(
                        tier=parameters.tier,
                        team=teams[team[index]],
                        requested_on=asked,
                        closed_on=closed if closed < until else None,
                        allocated_on=on if on < until else None,
                    )
                )
            else:
                closed = asked + timedelta(days=parameters.days_open_if_not_allocated)
                found.append(
                    CaseHistory(
                        tier=parameters.tier,
                        team=teams[team[index]],
                        requested_on=asked,
                        closed_on=closed if closed < until else None,
                    )
                )
    return found
