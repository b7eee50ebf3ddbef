"""Forecasting weekly requests: exponential smoothing with annual seasonality, checked against
the seasonal-naive forecast (the same week last year) on the last 12 weeks held out.

Two methods compete. Holt-Winters is statsmodels' ETS(A,Ad,A): additive errors, an additive
damped trend and an additive 52-week season. Seasonal naive repeats the same week a year before.
Each is fitted on the series without its last 12 weeks and scored on those weeks by MASE: the
mean absolute error over the mean absolute error of the seasonal-naive forecast inside the
fitted weeks (lag 52), so 1.0 is as good as last year's figures were there. The method with the
lower backtest MASE (seasonal naive on a tie: it is the simpler) is then fitted on the whole
series and forecasts. A reader sees both scores and knows whether to trust the forecast.

At least 104 weeks are needed: two years, so that each week of the year is seen twice.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from statistics import NormalDist
from typing import Final

import numpy as np

# Weeks in a year, near enough: 364 days, so the season drifts against the calendar by a day a
# year (a week in the five or six years between ISO years of 53 weeks).
SEASON: Final = 52
MIN_WEEKS: Final = 2 * SEASON
BACKTEST_WEEKS: Final = 12
MAX_HORIZON: Final = SEASON  # seasonal naive has nothing of its own to say beyond a year
HOLT_WINTERS: Final = "holt_winters"
SEASONAL_NAIVE: Final = "seasonal_naive"
METHOD_NAMES: Final = {
    HOLT_WINTERS: "Holt-Winters (damped trend, annual seasonality)",
    SEASONAL_NAIVE: "seasonal naive (same week last year)",
}
_WEEK = timedelta(weeks=1)


class ForecastRefused(ValueError):
    """The series cannot be forecast; the message says why in a sentence."""


@dataclass(frozen=True)
class WeeklySeries:
    """Requests counted per week: `weeks` are consecutive Mondays, one count each."""

    weeks: tuple[date, ...]
    requests: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.weeks) != len(self.requests):
            raise ValueError("weeks and requests must be the same length")
        if any(week.weekday() != 0 for week in self.weeks):
            raise ValueError("every week must be given by its Monday")
        if any(later - earlier != _WEEK for earlier, later in pairwise(self.weeks)):
            raise ValueError("weeks must be consecutive, with none missing")
        if any(count < 0 for count in self.requests):
            raise ValueError("requests must not be negative")


@dataclass(frozen=True)
class Forecast:
    """Forecasts for the `weeks` after the series, each within an interval at `level` (0.8 is
    80%). `mase` is the chosen method's backtest MASE, `naive_mase` the seasonal naive's and
    `holt_winters_mase` Holt-Winters' (None when it could not be fitted); each is None when the
    series did not change from one year to the next in the fitted weeks (nothing to scale by)."""

    method: str
    weeks: tuple[date, ...]
    forecast: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    level: float
    mase: float | None
    naive_mase: float | None
    holt_winters_mase: float | None = None

    @property
    def method_name(self) -> str:
        return METHOD_NAMES[self.method]


def weekly_series(counts_by_monday: Mapping[date, int], *, first: date, last: date) -> WeeklySeries:
    """Every week from `first` to `last` (Mondays), with a week not in `counts_by_monday` as 0."""
    if first.weekday() != 0 or last.weekday() != 0:
        raise ValueError("first and last must be Mondays")
    if last < first:
        raise ValueError("last must not be before first")
    for week in counts_by_monday:
        if week.weekday() != 0:
            raise ValueError(f"{week.isoformat()} is not a Monday")
        if not first <= week <= last:
            raise ValueError(f"{week.isoformat()} is outside {first} to {last}")
    weeks = tuple(first + _WEEK * index for index in range((last - first) // _WEEK + 1))
    return WeeklySeries(weeks, tuple(counts_by_monday.get(week, 0) for week in weeks))


def forecast_weekly(series: WeeklySeries, *, horizon: int = 12, level: float = 0.8) -> Forecast:
    """The next `horizon` weeks' requests, by the method that did better on the last 12 weeks
    held out.

    Prediction intervals: Holt-Winters' are the ETS model's own, worked out analytically from
    its fitted error variance (Hyndman et al., Forecasting with Exponential Smoothing, 2008,
    class 1 models), then widened for what that variance leaves out: by sqrt(1 + 1/k) for the
    error in the starting season, averaged over k years (statsmodels' heuristic reads up to 5
    years and loses half a year at each end to its moving average: k is one less), or, where
    larger, by the root mean square of the backtest's errors in the model's standard
    deviations. On synthetic series with trend, season and noise, 80% intervals covered 73-78%
    of held-out weeks (tests/engine/test_forecast.py): the parameters' own uncertainty is still
    left out. Seasonal naive's are empirical: the forecast plus or minus the `level` quantile of
    its absolute errors inside the series (each week against the same week a year before).
    Forecasts and bounds are never below 0.
    """
    if not 1 <= horizon <= MAX_HORIZON:
        raise ForecastRefused(f"The forecast must be for 1 to {MAX_HORIZON} weeks, not {horizon}.")
    if not 0 < level < 1:
        raise ForecastRefused(f"The interval's level must be between 0 and 1, not {level}.")
    weeks = len(series.weeks)
    if weeks < MIN_WEEKS:
        raise ForecastRefused(
            f"The series has {weeks} weeks; a forecast with annual seasonality needs at least "
            f"{MIN_WEEKS} (two years), {MIN_WEEKS - weeks} more."
        )
    history = np.asarray(series.requests, dtype=float)
    fitted, held_out = history[:-BACKTEST_WEEKS], history[-BACKTEST_WEEKS:]
    scale = float(np.mean(np.abs(fitted[SEASON:] - fitted[:-SEASON])))
    naive_error = _mae(_seasonal_naive(fitted, BACKTEST_WEEKS), held_out)
    backtest = _holt_winters(fitted, BACKTEST_WEEKS, level)
    smoothed_error = None if backtest is None else _mae(backtest[0], held_out)
    chosen = None
    if smoothed_error is not None and smoothed_error < naive_error:
        chosen = _holt_winters(history, horizon, level)
    if backtest is not None and chosen is not None:
        method = HOLT_WINTERS
        years = max(1, min(5, len(history) // SEASON) - 1)  # the season's, as the docstring says
        # In the model's standard deviations, which the spread is proportional to.
        standardised = (
            (held_out - backtest[0]) / backtest[1] * NormalDist().inv_cdf(0.5 + level / 2)
        )
        widen = max(math.sqrt(1 + 1 / years), float(np.sqrt(np.mean(standardised**2))))
        middle, spread = chosen[0], chosen[1] * widen
    else:  # chosen, or Holt-Winters failed on the whole series after the backtest
        method = SEASONAL_NAIVE
        middle = _seasonal_naive(history, horizon)
        spread = np.full(horizon, np.quantile(np.abs(history[SEASON:] - history[:-SEASON]), level))
    last = series.weeks[-1]
    return Forecast(
        method=method,
        weeks=tuple(last + _WEEK * step for step in range(1, horizon + 1)),
        forecast=_floats(middle),
        lower=_floats(middle - spread),
        upper=_floats(middle + spread),
        level=level,
        mase=_scaled(smoothed_error if method == HOLT_WINTERS else naive_error, scale),
        naive_mase=_scaled(naive_error, scale),
        holt_winters_mase=_scaled(smoothed_error, scale),
    )


def _holt_winters(
    history: np.ndarray, horizon: int, level: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """ETS(A,Ad,A)'s forecast and the half-width of its interval at `level`; None when it
    cannot be fitted."""
    # Imported only to fit: statsmodels, with scipy and pandas, takes a second and 120 MB to
    # import, which every `caseload` command and web process would pay otherwise.
    import pandas as pd  # type: ignore[import-untyped]  # no stubs without pandas-stubs
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(
        pd.Series(history),
        error="add",
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=SEASON,
        **_start(history),
    )
    try:
        # Convergence and numerical warnings on awkward series: the backtest judges the result.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fit = model.fit(disp=False)
            frame = fit.get_prediction(
                start=len(history), end=len(history) + horizon - 1
            ).summary_frame(alpha=1 - level)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return None
    middle = frame["mean"].to_numpy()
    spread = frame["pi_upper"].to_numpy() - middle
    if not (np.isfinite(middle).all() and np.isfinite(spread).all() and (spread > 0).all()):
        return None
    return middle, spread


def _start(history: np.ndarray) -> dict[str, object]:
    """How the model's first level, trend and season are set. Two whole years allow statsmodels'
    heuristic (fast, and the fit converges). A backtest on a shorter series starts from the
    first year's mean and shape, and the trend from the year-on-year change seen (statsmodels
    estimates them only from two years, too)."""
    if len(history) >= 2 * SEASON:
        return {"initialization_method": "heuristic"}
    level = float(np.mean(history[:SEASON]))
    year_on_year = history[SEASON:] - history[: len(history) - SEASON]
    return {
        "initialization_method": "known",
        "initial_level": level,
        "initial_trend": float(np.mean(year_on_year)) / SEASON,
        "initial_seasonal": history[:SEASON] - level,
    }


def _seasonal_naive(history: np.ndarray, horizon: int) -> np.ndarray:
    return history[len(history) - SEASON : len(history) - SEASON + horizon]


def _mae(forecast: np.ndarray, actual: np.ndarray) -> float:
    return float(np.mean(np.abs(forecast - actual)))


def _scaled(error: float | None, scale: float) -> float | None:
    if error is None or scale == 0:
        return None
    return error / scale


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(max(0.0, float(value)) for value in values)
