"""Workforce plans for tests: a tiny scenario (a few weeks, two replications: milliseconds to
simulate), saved plans of it, and a stand-in for the register's calibration
(caseload.planning.calibration, built alongside) with the interface the app relies on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from caseload.accounts.models import User
from caseload.planning import actions, assumptions
from caseload.planning.jobs import plan_result
from caseload.planning.models import WorkforcePlan
from caseload_engine.planning import from_dict

TINY: dict[str, Any] = {
    "weeks": 8,
    "warm_up_weeks": 1,
    "replications": 2,
    "seed": 3,
    "service_level": {"within_days": 7, "share": 0.9},
    "tiers": [
        {
            "tier": 1,
            "arrivals_per_week": 4,
            "duration_weeks": {"distribution": "exponential", "mean": 3},
            "points": 3,
            "growth": 0.1,
        },
        {
            "tier": 2,
            "arrivals_per_week": 2,
            "duration_weeks": {"distribution": "lognormal", "mean": 5, "sd": 3},
            "points": 5,
        },
    ],
    "roles": [
        {
            "role": "assistant",
            "fte": 1,
            "capacity_points_per_fte": 30,
            "may_hold": [1],
            "cost_per_fte": 32000,
        },
        {
            "role": "social_worker",
            "fte": 4,
            "capacity_points_per_fte": 30,
            "may_hold": [1, 2],
            "cost_per_fte": 45000,
        },
    ],
}
# As a calibration's TierFit reads once stored (caseload.planning.assumptions._plain).
FITS: list[dict[str, Any]] = [
    {
        "tier": 1,
        "arrivals_per_week": 4.1,
        "distribution": "exponential",
        "cases": 212,
        "statistic": 0.043,
        "quantiles": [{"quantile": 0.5, "observed": 2.0, "fitted": 2.1}],
    }
]


def tiny(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(TINY), **changes}


def saved_plan(*, by: User, name: str = "Today's staffing", **changes: Any) -> WorkforcePlan:
    data = tiny(**changes)
    plan = WorkforcePlan.objects.create(
        scenario=data, fits=FITS, result=plan_result(from_dict(data)), created_by=by
    )
    return actions.save_plan(by=by, plan=plan, name=name)


def stub_calibration(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The register's calibration answers with TINY; returns the list of its calls' `until`."""
    calls: list[Any] = []

    def calibrated(*, until: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        calls.append(until)
        return tiny(), copy.deepcopy(FITS)

    monkeypatch.setattr(assumptions, "calibrated", calibrated)
    return calls
