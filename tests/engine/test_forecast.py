"""The weekly forecast: Holt-Winters beats last year's figures where there is trend and season
to learn, its intervals cover about as often as they claim, and a short series is refused."""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload_engine import forecast
from caseload_engine.forecast import (
    ForecastRefused,
    WeeklySeries,
    forecast_weekly,
    weekly_series,
)

FIRST = date(2023, 1, 2)  # a Monday
HELD_OUT = 12


def series_of(requests: list[int] | np.ndarray, first: date = FIRST) -> WeeklySeries:
    weeks = tuple(first + timedelta(weeks=index) for index in range(len(requests)))
    return WeeklySeries(weeks, tuple(int(count) for count in requests))


def synthetic(seed: int, weeks: int = 168) -> np.ndarray:
    """Requests with growth, an annual season (a winter peak and a summer dip) and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    season = 15 * np.sin(2 * np.pi * t / 52) + 6 * np.cos(4 * np.pi * t / 52)
    mean = 80 + 0.15 * t + season
    return np.maximum(np.round(mean + rng.normal(0, 6, weeks)), 0).astype(int)


def test_a_trend_and_season_are_learnt_better_than_last_years_figures() -> None:
    """Out of sample (weeks the forecast never saw), the chosen method's error is below the
    seasonal naive's on average and for most series; its own backtest says so too."""
    chosen_errors, naive_errors = [], []
    for seed in range(12):
        requests = synthetic(seed)
        seen, truth = requests[:-HELD_OUT], requests[-HELD_OUT:]
        result = forecast_weekly(series_of(seen))
        assert result.method == forecast.HOLT_WINTERS
        assert result.mase is not None
        assert result.naive_mase is not None
        assert result.mase == result.holt_winters_mase
        assert result.mase < result.naive_mase
        scale = np.mean(np.abs(seen[52:] - seen[:-52]))
        chosen_errors.append(np.mean(np.abs(np.array(result.forecast) - truth)) / scale)
        naive_errors.append(np.mean(np.abs(seen[-52 : -52 + HELD_OUT] - truth)) / scale)
    assert np.mean(chosen_errors) < 0.8 * np.mean(naive_errors)
    assert sum(c < n for c, n in zip(chosen_errors, naive_errors, strict=True)) >= 9


def test_the_80_percent_interval_covers_about_80_percent_of_held_out_weeks() -> None:
    covered = []
    for seed in range(100, 140):
        requests = synthetic(seed)
        result = forecast_weekly(series_of(requests[:-HELD_OUT]), level=0.8)
        truth = requests[-HELD_OUT:]
        inside = (truth >= np.array(result.lower)) & (truth <= np.array(result.upper))
        covered.append(inside.mean())
    assert 0.65 <= np.mean(covered) <= 0.92


def test_a_wider_level_gives_a_wider_interval() -> None:
    series = series_of(synthetic(7))
    narrow = forecast_weekly(series, level=0.5)
    wide = forecast_weekly(series, level=0.95)
    assert narrow.forecast == wide.forecast
    assert all(
        w_low <= n_low and n_high <= w_high
        for n_low, n_high, w_low, w_high in zip(
            narrow.lower, narrow.upper, wide.lower, wide.upper, strict=True
        )
    )


def test_without_a_pattern_to_learn_last_years_figures_are_kept() -> None:
    """Counts that only repeat a year before: Holt-Winters cannot do better than the repeat."""
    rng = np.random.default_rng(3)
    year = rng.integers(10, 60, 52)
    result = forecast_weekly(series_of(np.tile(year, 3)))
    assert result.method == forecast.SEASONAL_NAIVE
    assert result.forecast == tuple(float(count) for count in year[:12])
    assert result.mase is None  # no change from one year to the next: nothing to scale by
    assert result.lower == result.upper == result.forecast  # it never missed


def test_the_forecast_weeks_follow_the_series() -> None:
    series = series_of(synthetic(1, weeks=110))
    result = forecast_weekly(series, horizon=5)
    assert result.weeks == tuple(series.weeks[-1] + timedelta(weeks=step) for step in range(1, 6))
    assert len(result.forecast) == len(result.lower) == len(result.upper) == 5
    assert result.level == 0.8


def test_a_series_under_two_years_is_refused_with_how_many_weeks_it_needs() -> None:
    with pytest.raises(ForecastRefused) as refused:
        forecast_weekly(series_of(synthetic(1, weeks=103)))
    assert str(refused.value) == (
        "The series has 103 weeks; a forecast with annual seasonality needs at least 104 "
        "(two years), 1 more."
    )
    forecast_weekly(series_of(synthetic(1, weeks=104)))  # exactly two years is enough


@pytest.mark.parametrize(
    ("horizon", "level", "message"),
    [
        (0, 0.8, "The forecast must be for 1 to 52 weeks, not 0."),
        (53, 0.8, "The forecast must be for 1 to 52 weeks, not 53."),
        (12, 1.0, "The interval's level must be between 0 and 1, not 1.0."),
        (12, 0.0, "The interval's level must be between 0 and 1, not 0.0."),
    ],
)
def test_a_horizon_or_level_out_of_range_is_refused(
    horizon: int, level: float, message: str
) -> None:
    with pytest.raises(ForecastRefused, match=message):
        forecast_weekly(series_of(synthetic(1)), horizon=horizon, level=level)


def test_a_156_week_series_is_forecast_in_well_under_a_second() -> None:
    """Both fits (the backtest's and the whole series') together: 0.11 s of processor time
    (median of 20; 0.26 s on the clock) on the 2-core machine with a load average of 7.
    Processor time, so that other work on the machine does not fail the test."""
    series = series_of(synthetic(5, weeks=156))
    started = time.process_time()
    forecast_weekly(series)
    assert time.process_time() - started < 2


@pytest.mark.parametrize(
    "requests",
    [
        [0] * 120,  # nothing requested at all
        [5] * 120,
        [0] * 60 + [1000] + [0] * 59,  # one burst
        [1_000_000, 0] * 60,
    ],
)
def test_awkward_series_still_give_a_forecast(requests: list[int]) -> None:
    result = forecast_weekly(series_of(requests))
    assert all(
        0 <= low <= middle <= high
        for low, middle, high in zip(result.lower, result.forecast, result.upper, strict=True)
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=5000), min_size=104, max_size=170),
    st.integers(min_value=1, max_value=52),
    st.floats(min_value=0.05, max_value=0.99),
)
def test_every_forecast_is_a_non_negative_band_of_the_asked_length(
    requests: list[int], horizon: int, level: float
) -> None:
    result = forecast_weekly(series_of(requests), horizon=horizon, level=level)
    assert len(result.weeks) == len(result.forecast) == horizon
    assert all(
        0 <= low <= middle <= high
        for low, middle, high in zip(result.lower, result.forecast, result.upper, strict=True)
    )
    assert result.method in forecast.METHOD_NAMES
    assert result.naive_mase is None or result.naive_mase >= 0


def test_weekly_series_fills_the_weeks_with_no_requests_with_0() -> None:
    series = weekly_series(
        {date(2026, 1, 5): 3, date(2026, 1, 19): 4},
        first=date(2025, 12, 29),
        last=date(2026, 1, 26),
    )
    assert series.weeks == (
        date(2025, 12, 29),
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
    )
    assert series.requests == (0, 3, 0, 4, 0)


@pytest.mark.parametrize(
    ("counts", "first", "last", "message"),
    [
        ({}, date(2026, 1, 6), date(2026, 1, 26), "first and last must be Mondays"),
        ({}, date(2026, 1, 26), date(2026, 1, 5), "last must not be before first"),
        ({date(2026, 2, 2): 1}, date(2026, 1, 5), date(2026, 1, 26), "2026-02-02 is outside"),
        ({date(2026, 1, 6): 1}, date(2026, 1, 5), date(2026, 1, 26), "not a Monday"),
    ],
)
def test_weekly_series_refuses_days_that_are_not_its_mondays(
    counts: dict[date, int], first: date, last: date, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        weekly_series(counts, first=first, last=last)


@pytest.mark.parametrize(
    ("weeks", "requests", "message"),
    [
        ((date(2026, 1, 5),), (1, 2), "same length"),
        ((date(2026, 1, 6),), (1,), "Monday"),
        ((date(2026, 1, 5), date(2026, 1, 19)), (1, 2), "consecutive"),
        ((date(2026, 1, 5),), (-1,), "negative"),
    ],
)
def test_a_weekly_series_is_consecutive_mondays_with_a_count_each(
    weeks: tuple[date, ...], requests: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        WeeklySeries(weeks, requests)
