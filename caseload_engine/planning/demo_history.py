"""A synthetic case history drawn from known, named parameters: what calibration must recover.

The demo council (`caseload_engine.demo`) is built to look like a council today (caseloads,
waiting lists, reviews due), not drawn from a queue with durations by tier: its open cases are
placed to match the benchmarks, and its tiers are scored after the fact. So the planning
parameters are made explicit here instead: per tier, requests a week (Poisson, spread evenly
over the teams), the share allocated to a practitioner, the days from request to allocation,
and the duration distribution, in the scenario's own types. `history` draws the requests of a
window from them, each closed on its drawn day or still open at the window's end, so that
calibration (calibrate.py) can be checked against the numbers that made the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np

from caseload_engine.planning.calibrate import CaseHistory
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
# the worked plan's split of them by tier and its durations (data/plan-example.yaml), Tier 3's
# lognormal in place of its list of weeks.
DEMO_TIERS: Final[tuple[TierParameters, ...]] = (
    TierParameters(1, 150.0, 0.6, Duration("exponential", mean=8.0)),
    TierParameters(2, 80.0, 0.6, Duration("lognormal", mean=14.0, sd=10.0)),
    TierParameters(3, 31.5, 0.6, Duration("lognormal", mean=26.0, sd=20.0)),
)


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
