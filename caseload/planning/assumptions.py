"""A plan's starting assumptions: calibrated from the register's history
(caseload.planning.calibration, arrival rates and durations by tier, today's establishment),
kept as plain data for the page and the plan."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from typing import Any


def calibrated(*, until: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The calibrated scenario (plain data, as `from_dict` reads) and each tier's fit as JSON."""
    # The register's calibration is its own module, built alongside this app.
    from caseload.planning.calibration import (  # type: ignore[import-not-found,unused-ignore]
        calibrate_from_register,
    )

    found = calibrate_from_register(until=until)
    return found.scenario, [_plain(fit) for fit in found.fits]


def _plain(value: Any) -> Any:
    """JSON's values: a dataclass as a mapping, tuples as lists, and no NaN or infinity (which
    JSON has no word for) but None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
