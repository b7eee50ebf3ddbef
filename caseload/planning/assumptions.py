"""A plan's starting assumptions: calibrated from the register's history
(caseload.planning.calibration, arrival rates and durations by tier, today's establishment),
kept as plain data for the page and the plan."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from caseload.planning.calibration import calibrate_from_register
from caseload_engine.planning.calibrate import QUANTILES, TierFit
from caseload_engine.planning.scenario import read_file, to_dict
from caseload_engine.planning.variants import EXAMPLE


def calibrated(*, until: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The calibrated scenario (plain data, as `from_dict` reads) and each tier's fit as JSON.
    Raises CalibrationError when the register's history cannot be calibrated."""
    found = calibrate_from_register(until=until)
    return found.scenario, [_stored(fit) for fit in found.fits]


def example() -> dict[str, Any]:
    """The worked example's scenario: where a council starts while its register is too young
    (or too sparse) to calibrate from."""
    return to_dict(read_file(EXAMPLE))


def _stored(fit: TierFit) -> dict[str, Any]:
    """A tier's fit as the page shows it: figures under their labels and the durations' quantiles
    as a table (observed, Kaplan-Meier, against each fitted distribution), JSON-safe."""
    best = fit.best
    stored: dict[str, Any] = {
        "Tier": fit.tier if fit.team is None else f"{fit.tier} ({fit.team})",
        "Requests a week": _number(fit.arrivals.per_week),
        "Requests a week, 95% interval": (
            f"{_number(fit.arrivals.low)} to {_number(fit.arrivals.high)}"
        ),
        "Share becoming cases": _number(fit.share_becoming_cases),
        "Cases allocated (closed by the end)": f"{fit.cases} ({fit.closed})",
        "Durations fitted as": fit.chosen or "too few closed cases to fit",
    }
    if best is not None:
        stored["Mean and sd, weeks"] = f"{_number(best.mean)} and {_number(best.sd)}"
        stored["Largest gap from the observed distribution"] = _number(best.ks_distance)
    stored["Durations in weeks by quantile"] = [
        {
            "quantile": f"{quantile:.0%}",
            "observed": _number(fit.observed_quantiles[index]),
            **{each.distribution: _number(each.quantiles[index]) for each in fit.fits},
        }
        for index, quantile in enumerate(QUANTILES)
    ]
    return stored


def _number(value: float | None) -> float | None:
    """Rounded for reading; None (JSON's null) for no value, NaN or infinity."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, 2)
