"""Calibration (issue 13): a scenario's demand and case durations, estimated from case histories.

From plain records of the cases requested over a window (`CaseHistory`), per tier (and per
team, when asked):
- *arrivals*: requests a week, the count over the window's weeks, with the exact (Garwood)
  95% Poisson interval;
- *share becoming cases*: of the requests that were either allocated to a practitioner or
  closed without one by the window's end, the share allocated (requests still undecided are
  left out rather than counted as either);
- *duration*: weeks from allocation to closure (from the register or the demo: to the end of
  the case's first spell of practitioner work, `first_spell`), for cases allocated within the
  window. Cases still open at its end are right-censored, not dropped: dropping them keeps
  the short cases and loses the long ones, which biases durations short. Exponential and
  lognormal are fitted by maximum likelihood with censoring (a closed case contributes its
  density, an open one its survival to the window's end), and the one with the lower AIC is
  chosen. The fit is
  shown against the Kaplan-Meier estimate (the censoring-aware empirical distribution): the
  largest gap between the two distribution functions (a Kolmogorov-Smirnov distance) and the
  10/25/50/75/90% quantiles of both. The empirical list offered is the Kaplan-Meier quantiles
  at 100 evenly spaced probabilities, the tail beyond the last closure taken from the chosen fit.

Dates are days: a case closed on the day it was allocated counts half a day. Arrivals are one
constant rate over the window (no growth or seasonality is estimated). The result's scenario is
plain data in the README's format, for `scenario.from_dict`, which checks it as it would a
hand-written one.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from caseload_engine import complexity
from caseload_engine.planning.scenario import CASE_ROLE_CODES, DAYS_IN_WEEK, MAX_DURATION_WEEKS
from caseload_engine.reference import Role

Floats = NDArray[np.float64]
Fitted = Literal["exponential", "lognormal"]
QUANTILES: Final[tuple[float, ...]] = (0.1, 0.25, 0.5, 0.75, 0.9)
EMPIRICAL_POINTS: Final = 100
# A closure on the day of allocation: somewhere within the day, on average half of it.
SAME_DAY_WEEKS: Final = 0.5 / DAYS_IN_WEEK
# Fewer closures than this and the lognormal's two parameters are not fitted (nor chosen).
MIN_CLOSED_FOR_LOGNORMAL: Final = 3
_LOG_ROOT_2PI: Final = 0.5 * math.log(2 * math.pi)


@dataclass(frozen=True)
class CaseHistory:
    """One request and what became of it. `allocated_on`: the day it was first allocated to a
    practitioner, None if it never was (closed at the front door, or still waiting).
    `closed_on`: for an allocated case, the day its practitioner work ended (None: still
    running); otherwise the day it closed."""

    tier: int
    team: str
    requested_on: date
    closed_on: date | None = None
    allocated_on: date | None = None


@dataclass(frozen=True)
class Rate:
    """Requests a week over the window, with the exact 95% Poisson interval."""

    per_week: float
    low: float
    high: float
    count: int
    weeks: float


@dataclass(frozen=True)
class DurationFit:
    """One distribution fitted to a tier's durations, in weeks. `parameters`: the exponential's
    (mean,) or the lognormal's (mu, sigma) of the log of the weeks."""

    distribution: Fitted
    mean: float
    sd: float
    parameters: tuple[float, ...]
    log_likelihood: float
    aic: float
    ks_distance: float  # the largest gap between the fitted and Kaplan-Meier distributions
    quantiles: tuple[float, ...]  # at QUANTILES

    def cdf(self, weeks: Floats) -> Floats:
        return _cdf(self.distribution, self.parameters, weeks)

    def quantile(self, share: float) -> float:
        if self.distribution == "exponential":
            return -self.parameters[0] * math.log1p(-share)
        mu, sigma = self.parameters
        return math.exp(mu + sigma * float(special.ndtri(share)))

    def as_scenario(self) -> dict[str, Any]:
        # Hundredths of a week, and never rounded to 0 (the scenario needs both above it).
        mean, sd = max(round(self.mean, 2), 0.01), max(round(self.sd, 2), 0.01)
        if self.distribution == "exponential":
            return {"distribution": "exponential", "mean": mean}
        return {"distribution": "lognormal", "mean": mean, "sd": sd}


@dataclass(frozen=True)
class TierFit:
    """A tier's (or a tier's in one team's) demand and durations, with the fits shown."""

    tier: int
    team: str | None  # None: every team in the histories
    arrivals: Rate
    share_becoming_cases: float
    cases: int  # allocated within the window: the durations' sample
    closed: int  # ... of which closed by its end (the rest are censored)
    observed_quantiles: tuple[float | None, ...]  # Kaplan-Meier, None beyond the last closure
    fits: tuple[DurationFit, ...]  # exponential, then lognormal when there are enough closures
    chosen: Fitted | None  # the lower AIC of those a scenario can hold; None: no such fit
    empirical_weeks: tuple[float, ...]

    @property
    def best(self) -> DurationFit | None:
        return next((fit for fit in self.fits if fit.distribution == self.chosen), None)


@dataclass(frozen=True)
class Calibration:
    scenario: dict[str, Any]
    fits: list[TierFit]
    first_day: date  # the window: requests from first_day ...
    until: date  # ... to the day before `until`; cases open on `until` are censored
    notes: tuple[str, ...] = ()  # what was left out, and why


class CalibrationError(ValueError):
    """The histories cannot give a scenario (no requests in the window, say)."""


def calibrate(
    histories: Iterable[CaseHistory],
    *,
    until: date,
    weeks: int = 104,
    points: Mapping[int, int],
    roles: Sequence[Mapping[str, Any]],
    by_team: bool = False,
    horizon_weeks: int = 260,
    warm_up_weeks: int = 52,
    replications: int = 200,
    seed: int = 1,
    within_days: int = 28,
    share_within: float = 0.9,
    empirical: bool = False,
) -> Calibration:
    """Fit every tier seen in the window (and each team's, with `by_team`); the scenario has
    the council-wide tiers with `points`, their durations as the chosen fit (or, with
    `empirical`, the empirical list), and the `roles` entries as given."""
    if weeks < 1:
        raise CalibrationError("weeks: the window must be at least one week")
    first_day = until - timedelta(weeks=weeks)
    window = [h for h in histories if first_day <= h.requested_on < until]
    if not window:
        raise CalibrationError(
            f"No requests from {first_day.isoformat()} to {until - timedelta(days=1)}: "
            "nothing to calibrate from"
        )
    tiers = sorted({h.tier for h in window})
    missing = [tier for tier in tiers if tier not in points]
    if missing:
        raise CalibrationError(f"Tier {missing[0]} has no points in the complexity model")
    overall = [
        fit_tier([h for h in window if h.tier == tier], tier=tier, until=until, weeks=weeks)
        for tier in tiers
    ]
    fits = list(overall)
    if by_team:
        for team in sorted({h.team for h in window}):
            fits.extend(
                fit_tier(chosen, tier=t, until=until, weeks=weeks, team=team)
                for t in tiers
                if (chosen := [h for h in window if h.tier == t and h.team == team])
            )
    scenario: dict[str, Any] = {
        "weeks": horizon_weeks,
        "warm_up_weeks": warm_up_weeks,
        "replications": replications,
        "seed": seed,
        "service_level": {"within_days": within_days, "share": share_within},
        "tiers": [_tier_entry(fit, points[fit.tier], empirical=empirical) for fit in overall],
        "roles": [dict(role) for role in roles],
    }
    return Calibration(scenario=scenario, fits=fits, first_day=first_day, until=until)


def roles_from_model(
    model: complexity.ComplexityModel, fte: Mapping[str, float], tiers: Iterable[int]
) -> list[dict[str, Any]]:
    """A role entry for each case-holding role that may hold one of `tiers` under the model:
    its FTE from `fte` (0 when none is given), capacity from the model's capacity policy, and
    `may_hold` written out (so a council's own model is kept in the scenario). ASYEs progress
    to social worker after their year when the scenario has social workers."""
    wanted = set(tiers)
    entries = []
    for role in CASE_ROLE_CODES:
        held = sorted(
            band.tier
            for band in model.tiers
            if band.tier in wanted and complexity.may_hold(model, role=role, tier=band.tier).allowed
        )
        if not held:
            continue
        capacity = float(model.capacity.points_for(role, Decimal(1)))
        entries.append(
            {
                "role": role,
                "fte": round(float(fte.get(role, 0.0)), 2),
                "capacity_points_per_fte": capacity,
                "may_hold": held,
            }
        )
    codes = {entry["role"] for entry in entries}
    for entry in entries:
        if entry["role"] == Role.ASYE and Role.SOCIAL_WORKER in codes:
            entry["progresses_to"] = Role.SOCIAL_WORKER.value
    return entries


def _tier_entry(fit: TierFit, points: int, *, empirical: bool) -> dict[str, Any]:
    best = fit.best
    if best is None:
        closures = (
            "no case allocated in the window has closed"
            if fit.closed == 0
            else "its closed cases fit no plannable duration"
        )
        raise CalibrationError(
            f"Tier {fit.tier}: {closures}, so its durations cannot be estimated; "
            "use a longer window"
        )
    return {
        "tier": fit.tier,
        "arrivals_per_week": round(fit.arrivals.per_week, 3),
        "share_becoming_cases": round(fit.share_becoming_cases, 4),
        "duration_weeks": (
            {"distribution": "empirical", "weeks": list(fit.empirical_weeks)}
            if empirical
            else best.as_scenario()
        ),
        "points": points,
    }


def fit_tier(
    histories: Sequence[CaseHistory],
    *,
    tier: int,
    until: date,
    weeks: int,
    team: str | None = None,
) -> TierFit:
    """One tier's fit from its histories in the window."""
    allocated = [h for h in histories if h.allocated_on is not None and h.allocated_on < until]
    turned_away = sum(
        1
        for h in histories
        if (h.allocated_on is None or h.allocated_on >= until)
        and h.closed_on is not None
        and h.closed_on < until
    )
    decided = len(allocated) + turned_away
    share = len(allocated) / decided if decided else 1.0
    times, closed = durations(allocated, until=until)
    fits = fit_durations(times, closed)
    # A lognormal fitted to a few closures can put its sd beyond any horizon (sigma of several);
    # such a fit cannot be planned with, so the choice is among those a scenario can hold.
    usable = [fit for fit in fits if max(fit.mean, fit.sd) <= MAX_DURATION_WEEKS]
    chosen = min(usable, key=lambda fit: fit.aic).distribution if usable else None
    best = next((fit for fit in fits if fit.distribution == chosen), None)
    return TierFit(
        tier=tier,
        team=team,
        arrivals=poisson_rate(len(histories), weeks),
        share_becoming_cases=share,
        cases=len(times),
        closed=int(closed.sum()),
        observed_quantiles=tuple(kaplan_meier_quantile(times, closed, q) for q in QUANTILES),
        fits=tuple(fits),
        chosen=chosen,
        empirical_weeks=empirical_weeks(times, closed, best),
    )


def durations(histories: Sequence[CaseHistory], *, until: date) -> tuple[Floats, NDArray[np.bool_]]:
    """Weeks from allocation to closure (or to `until`, censored), and which closed."""
    times = np.empty(len(histories))
    closed = np.zeros(len(histories), dtype=np.bool_)
    for index, history in enumerate(histories):
        if history.allocated_on is None:
            raise ValueError("durations are of allocated cases only")
        ended = history.closed_on is not None and history.closed_on < until
        last = history.closed_on if ended and history.closed_on is not None else until
        times[index] = max((last - history.allocated_on).days / DAYS_IN_WEEK, SAME_DAY_WEEKS)
        closed[index] = ended
    return times, closed


def first_spell(
    allocations: Iterable[tuple[datetime, datetime | None]],
) -> tuple[datetime, datetime | None] | None:
    """A case's first continuous spell of practitioner work from its allocations (start, end;
    end None while current): when its first allocation started and when the chain of
    allocations from it first broke (a handover, one allocation ending as the next starts,
    continues the spell); None as the end while the spell is still running, None if never
    allocated. Later work (a review after a held period) is not part of it."""
    ordered = sorted(allocations, key=lambda allocation: allocation[0])
    if not ordered:
        return None
    starts = Counter(started for started, _ in ordered)
    # Allocations do not overlap, so the earliest end that no other allocation takes over from
    # (one may start and end at the same moment) is the first spell's; there is none while the
    # spell runs on into a current allocation.
    breaks = [
        ended
        for started, ended in ordered
        if ended is not None and starts[ended] == (1 if started == ended else 0)
    ]
    return ordered[0][0], min(breaks, default=None)


def poisson_rate(count: int, weeks: float) -> Rate:
    """Events a week with the exact (Garwood) 95% interval for a Poisson count."""
    low = float(special.gammaincinv(count, 0.025)) if count else 0.0
    high = float(special.gammaincinv(count + 1, 0.975))
    return Rate(count / weeks, low / weeks, high / weeks, count, weeks)


def fit_durations(times: Floats, closed: NDArray[np.bool_]) -> list[DurationFit]:
    """Exponential, and lognormal when there are enough closures, each by maximum likelihood
    with right-censoring; none with no closures."""
    events = int(closed.sum())
    if events == 0:
        return []
    mean = float(times.sum()) / events
    candidates: list[tuple[Fitted, tuple[float, ...]]] = [("exponential", (mean,))]
    if events >= MIN_CLOSED_FOR_LOGNORMAL:
        candidates.append(("lognormal", _lognormal_mle(times, closed)))
    return [
        _finish(name, parameters, _log_likelihood(name, parameters, times, closed), times, closed)
        for name, parameters in candidates
    ]


def _finish(
    distribution: Fitted,
    parameters: tuple[float, ...],
    log_likelihood: float,
    times: Floats,
    closed: NDArray[np.bool_],
) -> DurationFit:
    if distribution == "exponential":
        mean = sd = parameters[0]
    else:
        mu, sigma = parameters
        mean = math.exp(mu + sigma**2 / 2)
        sd = mean * math.sqrt(math.expm1(sigma**2))
    fit = DurationFit(
        distribution=distribution,
        mean=mean,
        sd=sd,
        parameters=parameters,
        log_likelihood=log_likelihood,
        aic=2 * len(parameters) - 2 * log_likelihood,
        ks_distance=0.0,
        quantiles=(),
    )
    return dataclasses.replace(
        fit,
        ks_distance=ks_distance(fit, times, closed),
        quantiles=tuple(fit.quantile(q) for q in QUANTILES),
    )


def _cdf(distribution: Fitted, parameters: tuple[float, ...], weeks: Floats) -> Floats:

    if distribution == "exponential":
        result: Floats = -np.expm1(-weeks / parameters[0])
        return result
    mu, sigma = parameters
    result = special.ndtr((np.log(weeks) - mu) / sigma)
    return result


def _log_likelihood(
    distribution: Fitted, parameters: tuple[float, ...], times: Floats, closed: NDArray[np.bool_]
) -> float:
    """Closed cases' log density plus open cases' log survival."""

    if distribution == "exponential":
        mean = parameters[0]
        return float(-closed.sum() * math.log(mean) - times.sum() / mean)
    mu, sigma = parameters
    logs = np.log(times)
    z = (logs - mu) / sigma
    density = -0.5 * z[closed] ** 2 - _LOG_ROOT_2PI - math.log(sigma) - logs[closed]
    return float(density.sum() + special.log_ndtr(-z[~closed]).sum())


def _lognormal_mle(times: Floats, closed: NDArray[np.bool_]) -> tuple[float, float]:
    """(mu, sigma) maximising the censored likelihood, from the closed cases' log mean and sd
    (Nelder-Mead over mu and log sigma: two parameters, no derivatives needed)."""
    logs = np.log(times[closed])
    start = np.array([float(logs.mean()), math.log(max(float(logs.std()), 0.05))])

    def negative(point: Floats) -> float:
        return -_log_likelihood("lognormal", (point[0], math.exp(point[1])), times, closed)

    found = optimize.minimize(
        negative, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-7}
    )
    return float(found.x[0]), math.exp(float(found.x[1]))


def kaplan_meier(times: Floats, closed: NDArray[np.bool_]) -> tuple[Floats, Floats]:
    """The distinct closure times and the Kaplan-Meier distribution function just after each."""
    # By time, closures before censorings at the same time (the usual convention): one step
    # per case then multiplies, over d closures among n at risk, to KM's (n - d) / n.
    order = np.lexsort((~closed, times))
    ordered, ended = times[order], closed[order]
    factors = np.where(ended, 1 - 1 / (len(times) - np.arange(len(times))), 1.0)
    survival = np.cumprod(factors)
    last = ended & np.r_[(ordered[:-1] != ordered[1:]) | ~ended[1:], True]
    distribution: Floats = 1 - survival[last]
    return ordered[last], distribution


def kaplan_meier_quantile(times: Floats, closed: NDArray[np.bool_], share: float) -> float | None:
    """The first closure time by which the Kaplan-Meier distribution reaches `share`; None when
    it never does (too many cases still open)."""
    return _first_reaching(*kaplan_meier(times, closed), share)


def _first_reaching(at: Floats, cdf: Floats, share: float) -> float | None:
    # A little slack: 1 - (1 - 1/4) is 0.25 only to within rounding.
    reached = np.nonzero(cdf >= share - 1e-12)[0]
    return float(at[reached[0]]) if len(reached) else None


def ks_distance(fit: DurationFit, times: Floats, closed: NDArray[np.bool_]) -> float:
    """The largest gap between the fitted distribution function and Kaplan-Meier's, just
    before and at each closure time (where the step function's gaps are largest)."""
    at, cdf = kaplan_meier(times, closed)
    if not len(at):
        return 0.0
    fitted = fit.cdf(at)
    before = np.r_[0.0, cdf[:-1]]
    return float(max(np.abs(fitted - cdf).max(), np.abs(fitted - before).max()))


def empirical_weeks(
    times: Floats, closed: NDArray[np.bool_], best: DurationFit | None
) -> tuple[float, ...]:
    """Kaplan-Meier quantiles at 100 evenly spaced probabilities; beyond the last closure, the
    chosen fit's (never below the longest time seen); rounded to tenths of a week."""
    if best is None:
        return ()
    at, cdf = kaplan_meier(times, closed)
    longest = float(times.max())
    weeks = []
    for index in range(EMPIRICAL_POINTS):
        share = (index + 0.5) / EMPIRICAL_POINTS
        found = _first_reaching(at, cdf, share)
        value = max(best.quantile(share), longest) if found is None else found
        weeks.append(round(max(value, SAME_DAY_WEEKS), 1))
    return tuple(weeks)
