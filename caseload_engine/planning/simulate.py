"""Time to allocation for a given staffing: a discrete-event simulation, all replications at once.

The model. Cases of each tier arrive as a Poisson process (weekly rates, seasonal and growing).
Cases are allocated at allocation rounds, `allocation_rounds_per_day` a day (one by default: the
daily allocation meeting): at each round, each tier's waiting cases, oldest first, go to the
roles that may hold them while those roles have the points free. Tiers are served from the
highest down, and within a tier the most specialised, then the cheapest per point, role first:
so a social worker takes Tier 1 work only when the assistants are full. A case holds its
tier's points from its allocation for its duration, and its points are free again at the next
round after it ends. A role's capacity is `capacity_points_per_fte x FTE in post`, pooled over
the role (one role holding one tier has `floor(capacity_points_per_fte x fte / points)` case
slots); people leave and posts are refilled, and new staff join each September, so capacity
changes over the horizon. Cases already held are never taken back when capacity falls.

Why it is fast. Every replication is simulated at once: the state is a few arrays indexed by
replication (cases waiting by tier, held by role and tier, a calendar of case endings by round),
and each round is a fixed number of numpy operations on them, whatever the number of cases.
Waiting cases are counts, not objects: within a tier allocation is first come, first served, so
a case's wait follows from the cumulative counts of arrivals and allocations (the k-th case to
arrive is the k-th allocated), and the statistics come from those counts after the run.

The time resolution is the allocation round: a case allocated at the round of the step it
arrived in has not waited, otherwise it waited a whole number of rounds. As rounds get shorter
against the time between case endings the model tends to the continuous one (Erlang C, for one
tier, one role and exponential durations; tests/engine/test_planning.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from caseload_engine.planning.scenario import (
    DAYS_IN_WEEK,
    WEEKS_IN_YEAR,
    Scenario,
    TierDemand,
)

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
DAYS_IN_YEAR = 365.25

# Student's t at 97.5% for 1-30 degrees of freedom; above, the Cornish-Fisher expansion.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z975 = 1.959964


def t_quantile(degrees: int) -> float:
    if degrees <= len(_T975):
        return _T975[degrees - 1]
    z = _Z975
    return z + (z**3 + z) / (4 * degrees) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * degrees**2)


@dataclass(frozen=True)
class Estimate:
    """A mean over the replications with its 95% confidence interval."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, samples: Floats) -> Estimate:
        count = len(samples)
        mean = float(np.mean(samples))
        half = t_quantile(count - 1) * float(np.std(samples, ddof=1)) / math.sqrt(count)
        return cls(mean=mean, low=mean - half, high=mean + half)

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high

    def as_json(self, digits: int = 4) -> dict[str, Any]:
        return {
            "mean": round(self.mean, digits),
            "ci": [round(self.low, digits), round(self.high, digits)],
        }


@dataclass(frozen=True)
class Replications:
    """Each statistic for each replication: arrays of (replications, tiers) or (replications,
    roles), in the scenario's order."""

    open_cases: Floats
    waiting_cases: Floats
    wait_days: Floats
    p_wait: Floats
    within_target: Floats
    utilisation: Floats
    fte_in_post: Floats


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    fte: tuple[float, ...] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Replications:
    """Run the scenario's replications (or as many as given) with its staffing (or with `fte`,
    one figure a role, for the staffing search). `progress`, if given, is told the percent of
    rounds done, at most once a percent (a background job shows it)."""
    count = replications or scenario.replications
    rng = np.random.default_rng(scenario.seed)
    tiers, roles = scenario.tiers, scenario.roles
    rounds_per_week = DAYS_IN_WEEK * scenario.allocation_rounds_per_day
    steps = scenario.steps
    warm = scenario.warm_up_weeks * rounds_per_week
    points = np.array([tier.points for tier in tiers], dtype=np.int64)
    arrivals = _arrivals(scenario, rng, count)  # (R, T, steps)
    in_post = _fte_in_post(scenario, rng, count, fte)  # (R, O, steps)
    capacity = in_post * np.array([role.capacity_points_per_fte for role in roles])[None, :, None]
    order = _allocation_order(scenario)
    replica = np.arange(count)
    shape = (count, len(roles), len(tiers))
    ends = np.zeros((steps, *shape), dtype=np.int32)  # cases ending by round
    calendar = ends.reshape(-1)  # the same counts, flat, to add to by position
    pairs = len(roles) * len(tiers)
    held = np.zeros(shape, dtype=np.int64)
    waiting = np.zeros((count, len(tiers)), dtype=np.int64)
    waiting_seen = np.zeros((count, len(tiers), steps), dtype=np.int64)
    open_sum = np.zeros((count, len(tiers)))
    used_sum = np.zeros((count, len(roles)))
    capacity_sum = np.zeros((count, len(roles)))
    told = 0
    for step in range(steps):
        if progress is not None and 100 * step // steps > told:
            told = 100 * step // steps
            progress(told)
        held -= ends[step]
        measured = step >= warm
        if measured:
            open_sum += held.sum(axis=1)
        waiting += arrivals[:, :, step]
        free = capacity[:, :, step] - held @ points
        for tier_index, role_index in order:
            size = points[tier_index]
            slots = np.maximum(free[:, role_index] // size, 0).astype(np.int64)
            taken = np.minimum(waiting[:, tier_index], slots)
            total = int(taken.sum())
            if not total:
                continue
            waiting[:, tier_index] -= taken
            held[:, role_index, tier_index] += taken
            free[:, role_index] -= taken * size
            rounds = _durations(tiers[tier_index], rng, total, rounds_per_week)
            end = step + 1 + rounds
            kept = end < steps  # cases still open at the horizon need no ending
            cell = (end[kept] * count + np.repeat(replica, taken)[kept]) * pairs
            # Ones of the calendar's own type: numpy's fast path (a Python 1 is 20x slower).
            ones = np.ones(len(cell), dtype=calendar.dtype)
            np.add.at(calendar, cell + role_index * len(tiers) + tier_index, ones)
        waiting_seen[:, :, step] = waiting
        if measured:
            open_sum += held.sum(axis=1)
            used_sum += capacity[:, :, step] - free
            capacity_sum += capacity[:, :, step]
    measured_steps = steps - warm
    waits = _waits(scenario, arrivals, waiting_seen)
    return Replications(
        # Held before and after each round, averaged: a case is then counted for its duration.
        open_cases=open_sum / (2 * measured_steps),
        waiting_cases=waiting_seen[:, :, warm:].mean(axis=2),
        wait_days=waits[0],
        p_wait=waits[1],
        within_target=waits[2],
        utilisation=np.divide(
            used_sum, capacity_sum, out=np.zeros_like(used_sum), where=capacity_sum > 0
        ),
        fte_in_post=in_post[:, :, warm:].mean(axis=2),
    )


def _allocation_order(scenario: Scenario) -> list[tuple[int, int]]:
    """(tier, role) positions in the order a round serves them: highest tier first; within a
    tier the roles holding fewest tiers, then the cheapest per point."""
    order: list[tuple[int, int]] = []
    for tier_index in sorted(
        range(len(scenario.tiers)), key=lambda index: -scenario.tiers[index].tier
    ):
        tier = scenario.tiers[tier_index].tier
        holders = [index for index, role in enumerate(scenario.roles) if tier in role.may_hold]
        holders.sort(
            key=lambda index: (
                len(scenario.roles[index].may_hold),
                scenario.roles[index].cost_per_point,
                index,
            )
        )
        order.extend((tier_index, role_index) for role_index in holders)
    return order


def _arrivals(scenario: Scenario, rng: np.random.Generator, count: int) -> Ints:
    rounds_per_week = DAYS_IN_WEEK * scenario.allocation_rounds_per_day
    weeks = np.arange(scenario.steps) / rounds_per_week
    rates = np.stack([weekly_rates(tier, weeks) for tier in scenario.tiers]) / rounds_per_week
    return rng.poisson(rates[None, :, :], size=(count, *rates.shape)).astype(np.int64)


def weekly_rates(tier: TierDemand, weeks: Floats) -> Floats:
    """New cases a week at each (fractional) week of the horizon."""
    base = np.array(tier.arrivals_per_week)[weeks.astype(np.int64) % len(tier.arrivals_per_week)]
    growth = (1 + tier.growth) ** (weeks / WEEKS_IN_YEAR)
    result: Floats = base * tier.share_becoming_cases * growth
    return result


def mean_cases_per_week(scenario: Scenario, tier: TierDemand) -> float:
    """The rate of new cases over the measured weeks (after the warm-up)."""
    rounds_per_week = DAYS_IN_WEEK * scenario.allocation_rounds_per_day
    weeks = np.arange(scenario.warm_up_weeks * rounds_per_week, scenario.steps) / rounds_per_week
    return float(weekly_rates(tier, weeks).mean())


def _durations(tier: TierDemand, rng: np.random.Generator, size: int, rounds_per_week: int) -> Ints:
    """Whole rounds a case stays open: the rounds its ending falls after, so that a case open
    for a duration X is counted open at X rounds' snapshots on average."""
    duration = tier.duration_weeks
    if duration.distribution == "exponential":
        weeks = rng.exponential(duration.mean, size)
    elif duration.distribution == "lognormal":
        weeks = rng.lognormal(*duration.log_parameters(), size)
    else:
        # Observed durations are rounded: spread each over the round it was rounded to.
        weeks = (
            rng.choice(np.array(duration.weeks), size)
            + rng.uniform(-0.5, 0.5, size) / rounds_per_week
        )
    return np.floor(np.maximum(weeks * rounds_per_week, 0)).astype(np.int64)


def _fte_in_post(
    scenario: Scenario, rng: np.random.Generator, count: int, fte: tuple[float, ...] | None
) -> Floats:
    """FTE in post by replication, role and round: the establishment, less each leaver
    (one FTE) until the post is filled, plus each September's intake, which moves a year on
    to the role it progresses to (if any)."""
    steps = scenario.steps
    rounds_per_day = scenario.allocation_rounds_per_day
    establishment = np.array(fte if fte is not None else [role.fte for role in scenario.roles])
    change = np.zeros((count, len(scenario.roles), steps + 1))
    first_september = ((9 - scenario.start_month) % 12 or 12) * DAYS_IN_YEAR / 12
    septembers = np.arange(first_september, scenario.weeks * DAYS_IN_WEEK, DAYS_IN_YEAR)
    names = [role.role for role in scenario.roles]
    for index, role in enumerate(scenario.roles):
        if role.leavers_per_year > 0:
            leavers = rng.poisson(role.leavers_per_year * scenario.weeks / WEEKS_IN_YEAR, count)
            most = int(leavers.max())
            leave = rng.integers(0, steps, size=(count, most))
            real = np.arange(most)[None, :] < leavers[:, None]
            rows = np.repeat(np.arange(count)[:, None], most, axis=1)
            np.add.at(change[:, index, :], (rows[real], leave[real]), -1.0)
            filled = np.minimum(
                leave + round(role.weeks_to_fill * DAYS_IN_WEEK * rounds_per_day), steps
            )
            np.add.at(change[:, index, :], (rows[real], filled[real]), 1.0)
        if role.september_intake > 0:
            for day in septembers:
                change[:, index, int(day * rounds_per_day)] += role.september_intake
        if role.progresses_to is not None:
            # A year on, each intake moves to the role it progresses to (an ASYE's protected
            # caseload becomes a social worker's full one); those in post at the start are
            # taken to be the last intake, moving at the first September.
            onto = names.index(role.progresses_to)
            for year, day in enumerate(septembers):
                moving = establishment[index] if year == 0 else role.september_intake
                step = int(day * rounds_per_day)
                change[:, index, step] -= moving
                change[:, onto, step] += moving
    in_post: Floats = np.maximum(
        establishment[None, :, None] + np.cumsum(change, axis=2)[:, :, :steps], 0.0
    )
    return in_post


def _waits(scenario: Scenario, arrivals: Ints, waiting_seen: Ints) -> tuple[Floats, Floats, Floats]:
    """Mean wait in days, the share that waited, and the share allocated within the target,
    over the cases arriving after the warm-up, for each replication and tier. First come,
    first served within a tier: the k-th case to arrive is the k-th allocated."""
    rounds_per_day = scenario.allocation_rounds_per_day
    warm = scenario.warm_up_weeks * DAYS_IN_WEEK * rounds_per_day
    target = scenario.service_level.within_days * rounds_per_day
    arrived = np.cumsum(arrivals, axis=2)
    allocated = arrived - waiting_seen
    before = np.concatenate([np.zeros_like(arrived[:, :, :1]), arrived[:, :, :-1]], axis=2)
    base = before[:, :, warm]  # cases that arrived during the warm-up
    cases = (arrived[:, :, -1] - base).astype(np.float64)
    # Those still waiting at the horizon count with their wait so far.
    still = arrived[:, :, warm:] - np.maximum(allocated[:, :, warm:], base[:, :, None])
    rounds_waited = still.sum(axis=2)
    same_round = np.maximum(allocated[:, :, warm:] - before[:, :, warm:], 0).sum(axis=2)
    # Within the target: the cases arriving at least `target` rounds before the horizon.
    last = allocated.shape[2] - target
    later = allocated[:, :, warm + target : last + target]
    on_time = np.maximum(
        np.minimum(arrived[:, :, warm:last], later) - before[:, :, warm:last], 0
    ).sum(axis=2)
    judged = (arrived[:, :, last - 1] - base).astype(np.float64)
    return (
        _share(rounds_waited / rounds_per_day, cases),
        1 - _share(same_round, cases, empty=1.0),
        _share(on_time, judged, empty=1.0),
    )


def _share(part: NDArray[Any], whole: Floats, *, empty: float = 0.0) -> Floats:
    """part / whole, and `empty` where there were no cases."""
    share: Floats = np.divide(
        part.astype(np.float64), whole, out=np.full(whole.shape, empty), where=whole > 0
    )
    return share
