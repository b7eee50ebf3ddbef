"""Calibration of a planning scenario from case histories (issue 13): rates and duration
distributions drawn from known parameters, with the cases still open censored, are recovered
within stated tolerances, and the scenario it writes is one `from_dict` accepts.

Tolerances: arrivals within 4 standard errors of the true rate (sqrt(rate x weeks) / weeks);
the exponential's mean within 15%; the lognormal's mean within 15% and sd within 30%; with
at least 400 cases allocated in the window (about 4 standard errors of the mean at most).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload_engine import complexity, demo
from caseload_engine.demo_complexity import score_council
from caseload_engine.planning import calibrate as cal
from caseload_engine.planning import demo_history
from caseload_engine.planning.demo_history import TierParameters
from caseload_engine.planning.scenario import Duration, from_dict

UNTIL = date(2026, 12, 1)
ROLES = [{"role": "social_worker", "fte": 10, "capacity_points_per_fte": 85}]


def one_tier(duration: Duration, *, rate: float, weeks: int, seed: int) -> cal.TierFit:
    histories = demo_history.history(
        until=UNTIL,
        weeks=weeks,
        seed=seed,
        tiers=(TierParameters(1, rate, 0.7, duration),),
    )
    return cal.fit_tier(histories, tier=1, until=UNTIL, weeks=weeks)


def close(found: float, wanted: float, tolerance: float) -> bool:
    return abs(found - wanted) <= tolerance * wanted


@settings(max_examples=15, deadline=None)
@given(
    mean=st.floats(2, 30),
    rate=st.floats(8, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_exponential_durations_and_rates_are_recovered_with_censoring(
    mean: float, rate: float, seed: int
) -> None:
    weeks = 104
    fit = one_tier(Duration("exponential", mean=mean), rate=rate, weeks=weeks, seed=seed)
    assert fit.cases >= 400
    exponential = fit.fits[0]
    assert exponential.distribution == "exponential"
    assert close(exponential.mean, mean, 0.15)
    assert abs(fit.arrivals.per_week - rate) <= 4 * math.sqrt(rate * weeks) / weeks
    assert fit.arrivals.low < fit.arrivals.per_week < fit.arrivals.high
    assert close(fit.share_becoming_cases, 0.7, 0.1)


@settings(max_examples=15, deadline=None)
@given(
    mean=st.floats(4, 30),
    spread=st.floats(0.4, 1.2),
    seed=st.integers(0, 2**32 - 1),
)
def test_lognormal_durations_are_recovered_with_censoring(
    mean: float, spread: float, seed: int
) -> None:
    sd = mean * spread
    fit = one_tier(Duration("lognormal", mean=mean, sd=sd), rate=20, weeks=104, seed=seed)
    lognormal = next(f for f in fit.fits if f.distribution == "lognormal")
    assert close(lognormal.mean, mean, 0.15)
    assert close(lognormal.sd, sd, 0.30)


def test_censored_fit_corrects_the_bias_of_dropping_open_cases() -> None:
    # Long cases in a short window: half or more are still open at its end.
    fit = one_tier(Duration("exponential", mean=40), rate=30, weeks=52, seed=3)
    assert fit.closed < fit.cases * 0.6
    assert close(fit.fits[0].mean, 40, 0.15)
    histories = demo_history.history(
        until=UNTIL,
        weeks=52,
        seed=3,
        tiers=(TierParameters(1, 30, 0.7, Duration("exponential", mean=40)),),
    )
    closed_only = [
        (h.closed_on - h.allocated_on).days / 7
        for h in histories
        if h.closed_on is not None and h.allocated_on is not None
    ]
    assert np.mean(closed_only) < 40 * 0.6  # what dropping the open cases would say


def test_aic_chooses_the_family_that_made_the_data_and_the_fit_is_shown() -> None:
    exponential = one_tier(Duration("exponential", mean=10), rate=40, weeks=104, seed=1)
    lognormal = one_tier(Duration("lognormal", mean=10, sd=5), rate=40, weeks=104, seed=1)
    assert exponential.chosen == "exponential"
    assert lognormal.chosen == "lognormal"
    for fit in (exponential, lognormal):
        best = fit.best
        assert best is not None
        assert best.ks_distance < 0.05
        assert len(best.quantiles) == len(cal.QUANTILES) == len(fit.observed_quantiles)
        for observed, fitted in zip(fit.observed_quantiles, best.quantiles, strict=True):
            assert observed is not None
            assert abs(observed - fitted) <= max(0.15 * fitted, 0.5)
        assert len(fit.empirical_weeks) == cal.EMPIRICAL_POINTS
        assert list(fit.empirical_weeks) == sorted(fit.empirical_weeks)
        assert abs(np.median(fit.empirical_weeks) - best.quantile(0.5)) < 0.15 * best.quantile(0.5)
    # The wrong family fits visibly worse.
    wrong = next(f for f in lognormal.fits if f.distribution == "exponential")
    assert wrong.ks_distance > 0.1


def test_a_fit_no_scenario_can_hold_is_never_chosen() -> None:
    """A handful of closures, most on the day and one after two years: the lognormal fits them
    better (lower AIC) with an sd of millions of weeks, which no scenario takes; the exponential
    is chosen, and the calibrated scenario is valid."""
    start, until = date(2024, 1, 1), date(2026, 1, 1)
    histories = [
        cal.CaseHistory(tier=1, team="A", requested_on=start, allocated_on=start, closed_on=closed)
        for closed in [start] * 4 + [start + timedelta(days=1), start + timedelta(days=700)]
    ] + [cal.CaseHistory(tier=1, team="A", requested_on=start, allocated_on=start)] * 3

    fit = cal.fit_tier(histories, tier=1, until=until, weeks=104)

    lognormal = next(each for each in fit.fits if each.distribution == "lognormal")
    assert fit.best is not None
    assert lognormal.aic < fit.best.aic
    assert lognormal.sd > 10_000
    assert fit.chosen == "exponential"


def test_kaplan_meier_matches_a_hand_count() -> None:
    times = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0])
    closed = np.array([True, True, False, True, False, True])
    at, cdf = cal.kaplan_meier(times, closed)
    # S: 5/6 after 1; x 4/5 after 2 (one closure of 5 at risk; the censoring after it);
    # x 2/3 after 3; x 0/1 after 5.
    assert list(at) == [1.0, 2.0, 3.0, 5.0]
    survival = [5 / 6, 5 / 6 * 4 / 5, 5 / 6 * 4 / 5 * 2 / 3, 0.0]
    assert np.allclose(cdf, 1 - np.array(survival))
    assert cal.kaplan_meier_quantile(times, closed, 0.5) == 3.0
    # Ties among closures: two of four at once is one step of 2/4.
    at, cdf = cal.kaplan_meier(np.array([1.0, 1.0, 2.0, 2.0]), np.array([True, True, True, False]))
    assert list(at) == [1.0, 2.0]
    assert np.allclose(cdf, [0.5, 0.75])
    assert cal.kaplan_meier_quantile(times, np.zeros(6, dtype=bool), 0.1) is None


def test_poisson_interval_is_the_exact_one() -> None:
    rate = cal.poisson_rate(10, 1)
    assert rate.low == pytest.approx(4.7954, abs=1e-3)
    assert rate.high == pytest.approx(18.3904, abs=1e-3)
    none = cal.poisson_rate(0, 2)
    assert none.low == 0
    assert none.high == pytest.approx(3.6889 / 2, abs=1e-3)


def test_the_calibration_is_a_valid_scenario_by_tier_and_team() -> None:
    histories = demo_history.history(
        until=UNTIL, weeks=52, seed=5, teams=("north", "south"), scale=0.2
    )
    model = complexity.default_model()
    tiers = sorted({h.tier for h in histories})
    roles = cal.roles_from_model(model, {"social_worker": 30, "assistant": 8}, tiers)
    points = {band.tier: band.points for band in model.tiers}
    calibration = cal.calibrate(
        histories, until=UNTIL, weeks=52, points=points, roles=roles, by_team=True
    )
    scenario = from_dict(calibration.scenario)
    assert [tier.tier for tier in scenario.tiers] == tiers
    assert {role.role for role in scenario.roles} >= {"social_worker", "assistant"}
    social_worker = next(role for role in scenario.roles if role.role == "social_worker")
    assert social_worker.fte == 30
    assert social_worker.capacity_points_per_fte == 85
    assert {(fit.tier, fit.team) for fit in calibration.fits} == {
        (tier, team) for tier in tiers for team in (None, "north", "south")
    }
    # The teams' requests add up to the council's.
    for tier in tiers:
        parts = [f.arrivals.count for f in calibration.fits if f.tier == tier and f.team]
        whole = next(f for f in calibration.fits if f.tier == tier and f.team is None)
        assert sum(parts) == whole.arrivals.count


def test_nothing_to_calibrate_is_refused_with_a_reason() -> None:
    with pytest.raises(cal.CalibrationError, match="No requests"):
        cal.calibrate([], until=UNTIL, points={1: 3}, roles=ROLES)
    old = cal.CaseHistory(1, "a", UNTIL - timedelta(weeks=200))
    with pytest.raises(cal.CalibrationError, match="No requests"):
        cal.calibrate([old], until=UNTIL, points={1: 3}, roles=ROLES)
    # Requests but no closure: no duration to estimate.
    open_case = cal.CaseHistory(1, "a", UNTIL - timedelta(days=20), None, UNTIL - timedelta(days=9))
    with pytest.raises(cal.CalibrationError, match="no case allocated in the window has closed"):
        cal.calibrate([open_case], until=UNTIL, points={1: 3}, roles=ROLES)
    with pytest.raises(cal.CalibrationError, match="Tier 1 has no points"):
        cal.calibrate([open_case], until=UNTIL, points={2: 3}, roles=ROLES)


def test_the_share_counts_only_what_was_decided_by_the_windows_end() -> None:
    day = UNTIL - timedelta(days=30)
    rows = [
        cal.CaseHistory(1, "a", day, day + timedelta(days=5), day + timedelta(days=1)),
        cal.CaseHistory(1, "a", day, day + timedelta(days=2)),  # closed at the front door
        cal.CaseHistory(1, "a", day),  # still waiting
        cal.CaseHistory(1, "a", day, None, UNTIL + timedelta(days=3)),  # allocated after the end
        cal.CaseHistory(1, "a", day, UNTIL + timedelta(days=1)),  # closed after the end
    ]
    fit = cal.fit_tier(rows, tier=1, until=UNTIL, weeks=8)
    assert fit.share_becoming_cases == 0.5
    assert (fit.arrivals.count, fit.cases, fit.closed) == (5, 1, 1)


def test_the_demo_councils_own_history_calibrates_to_its_parameters() -> None:
    """The `council` demo as `caseload demo` builds it calibrates to the demo's own parameters.

    Arrivals: the requests a year apportioned over the days by `expected_requests`, to teams by
    demand (more to a team under strain) and to tiers by each service area's mix, within 6%.
    Durations: each case's first spell of practitioner work is drawn from its tier's
    `demo.PRACTITIONER_WORK_WEEKS`, the spells still running on the day censored; the family
    that made each tier's is chosen, with the tolerances above (thousands of cases a tier)."""
    as_of = date(2026, 11, 20)
    council = demo.generate("council", seed=7, as_of=as_of)
    model = complexity.default_model()
    # The tiers the loader gives the cases (their complexity scores') are the drawn ones.
    scored = [complexity.score(model, s.scores).tier for s in score_council(council, model, seed=7)]
    assert scored == [case.tier for case in council.cases]
    histories = demo_history.council_histories(council)
    calibration = cal.calibrate(
        histories, until=as_of, weeks=104, points={1: 3, 2: 5, 3: 8}, roles=ROLES
    )
    expected = demo.expected_arrivals(council, weeks=104)
    assert [fit.tier for fit in calibration.fits] == sorted(demo.PRACTITIONER_WORK_WEEKS)
    for fit in calibration.fits:
        rate = expected[fit.tier]
        assert abs(fit.arrivals.per_week - rate) <= 0.06 * rate, fit.tier
        wanted = demo.PRACTITIONER_WORK_WEEKS[fit.tier]
        assert fit.cases >= 2_000
        assert fit.chosen == wanted.distribution, fit.tier
        best = fit.best
        assert best is not None
        assert close(best.mean, wanted.mean, 0.15), (fit.tier, best.mean)
        if wanted.distribution == "lognormal":
            assert close(best.sd, wanted.sd, 0.30), (fit.tier, best.sd)


def test_the_first_spell_runs_through_handovers_and_stops_at_a_gap() -> None:
    day = datetime(2026, 1, 5, 10, tzinfo=UTC)
    week = timedelta(weeks=1)
    handed_over = [(day, day + week), (day + week, day + 3 * week)]
    assert cal.first_spell(handed_over) == (day, day + 3 * week)
    # A review a year on, after a held period, is not part of it; nor is its order given.
    review = (day + 52 * week, day + 54 * week)
    assert cal.first_spell([review, *handed_over]) == (day, day + 3 * week)
    # Still running through a handover to a current allocation: censored.
    assert cal.first_spell([(day, day + week), (day + week, None)]) == (day, None)
    # Closed on the moment of its allocation: a spell of no time, not one still running.
    assert cal.first_spell([(day, day)]) == (day, day)
    assert cal.first_spell([]) is None
