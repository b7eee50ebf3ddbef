"""ASYEs progress to social worker after their first year (issue 13's staffing dynamics): each
September's intake holds the ASYE's protected caseload for a year, then a social worker's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from caseload_engine.planning.scenario import ScenarioError, from_dict, to_dict
from caseload_engine.planning.simulate import _fte_in_post, simulate


def scenario(**asye: Any) -> dict[str, Any]:
    return {
        "weeks": 156,
        "replications": 2,
        "start_month": 4,
        "service_level": {"within_days": 14, "share": 0.9},
        "tiers": [
            {
                "tier": 2,
                "arrivals_per_week": 5,
                "duration_weeks": {"distribution": "exponential", "mean": 10},
                "points": 5,
            }
        ],
        "roles": [
            {"role": "asye", "fte": 4, "capacity_points_per_fte": 76, "may_hold": [2], **asye},
            {"role": "social_worker", "fte": 10, "capacity_points_per_fte": 85},
        ],
    }


def in_post(**asye: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    plan = from_dict(scenario(**asye))
    return _fte_in_post(plan, np.random.default_rng(1), 2, None)[0]


def test_each_intake_moves_to_social_worker_a_year_after_it_joins() -> None:
    fte = in_post(september_intake=2, progresses_to="social_worker")
    # April start: Septembers fall on days 152, 517 and 882 (of 1,092).
    first, second = round(5 * 365.25 / 12), round(17 * 365.25 / 12)
    assert list(fte[:, first - 1]) == [4, 10]  # the start's ASYEs, before their September
    assert list(fte[:, first]) == [2, 14]  # ... moved on; the new intake joins
    assert list(fte[:, second - 1]) == [2, 14]
    assert list(fte[:, second]) == [2, 16]  # a year on, last September's intake moves
    assert list(fte[:, -1]) == [2, 18]
    # The FTE in post is conserved: only the intakes add to it.
    assert fte[:, -1].sum() == 14 + 3 * 2


def test_without_progression_the_intake_stays_where_it_joined() -> None:
    fte = in_post(september_intake=2)
    assert list(fte[:, -1]) == [10, 10]


def test_capacity_rises_as_the_protected_caseload_ends() -> None:
    staying = simulate(from_dict(scenario(september_intake=1)), replications=2)
    moving = simulate(
        from_dict(scenario(september_intake=1, progresses_to="social_worker")), replications=2
    )
    assert moving.fte_in_post[:, 1].mean() > staying.fte_in_post[:, 1].mean()
    assert moving.fte_in_post[:, 0].mean() < staying.fte_in_post[:, 0].mean()


def test_progression_is_read_checked_and_written_back() -> None:
    plan = from_dict(scenario(progresses_to="social_worker"))
    assert plan.roles[0].progresses_to == "social_worker"
    assert from_dict(to_dict(plan)) == plan
    with pytest.raises(ScenarioError, match=r"^roles\[1\]\.progresses_to: names a role the"):
        from_dict(scenario(progresses_to="experienced"))
    with pytest.raises(ScenarioError, match=r"^roles\[1\]\.progresses_to: must be another role"):
        from_dict(scenario(progresses_to="asye"))
    with pytest.raises(ScenarioError, match=r"^roles\[1\]\.progresses_to: must be a case-holding"):
        from_dict(scenario(progresses_to="wizard"))
