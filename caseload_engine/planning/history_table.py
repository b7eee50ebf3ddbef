"""Case histories in, for `caseload calibrate`: one row a request, the fit table out.

Columns (headers match as in every caseload table: case and spaces do not matter):
`tier` (a whole number from 1), `team` (any text, blank for one team), `requested_on`,
`allocated_on` (blank: never allocated to a practitioner; without the column, every request
counts as a case allocated the day it was made) and `closed_on` (blank: still open). Every cell
is checked before anything is fitted, so one run lists every problem by row and column.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from caseload_engine.cells import CellProblem, Cells, find_columns
from caseload_engine.complexity import MAX_TIER_NUMBER
from caseload_engine.planning.calibrate import QUANTILES, Calibration, CaseHistory
from caseload_engine.supervision_table import identifier, in_range
from caseload_engine.tabular import Cell, Table
from caseload_engine.tiering import RowError, RowErrors

REQUIRED: Final = ("tier", "requested_on")
COLUMNS: Final = ("tier", "team", "requested_on", "allocated_on", "closed_on")
FIT_COLUMNS: Final = (
    "tier",
    "team",
    "requests",
    "per_week",
    "ci_low",
    "ci_high",
    "share_becoming_cases",
    "cases",
    "closed",
    "distribution",
    "chosen",
    "mean_weeks",
    "sd_weeks",
    "aic",
    "ks_distance",
    *(f"q{round(share * 100)}" for share in QUANTILES),
)
_TIER = re.compile(r"[0-9]{1,3}")


def read_histories(table: Table) -> list[CaseHistory]:
    """Every row as a CaseHistory, or RowErrors listing every problem."""
    columns, errors = find_columns(table, COLUMNS, REQUIRED)
    every_allocated = "allocated_on" not in columns
    histories = []
    for row in table.rows:
        cells = Cells(row, columns, errors)
        tier = cells.required("tier", tier_number)
        requested = cells.required("requested_on", in_range)
        team = cells.optional("team", identifier, "")
        allocated = cells.optional("allocated_on", in_range, None)
        closed = cells.optional("closed_on", in_range, None)
        if tier is None or requested is None:
            continue
        if every_allocated:
            allocated = requested
        problem = _order(requested, allocated, closed)
        if problem is not None:
            column, message = problem
            errors.append(RowError(row.number, columns[column], message))
            continue
        histories.append(CaseHistory(tier, team, requested, closed, allocated))
    if errors:
        raise RowErrors(errors)
    return histories


def _order(requested: date, allocated: date | None, closed: date | None) -> tuple[str, str] | None:
    if allocated is not None and allocated < requested:
        return "allocated_on", "allocated_on must not be before requested_on"
    if closed is not None and closed < requested:
        return "closed_on", "closed_on must not be before requested_on"
    if closed is not None and allocated is not None and closed < allocated:
        return "closed_on", "closed_on must not be before allocated_on"
    return None


def tier_number(cell: str) -> int:
    if _TIER.fullmatch(cell) and 1 <= int(cell) <= MAX_TIER_NUMBER:
        return int(cell)
    raise CellProblem(f"must be a whole number from 1 to {MAX_TIER_NUMBER}")


def fit_rows(calibration: Calibration) -> list[dict[str, Cell]]:
    """One row per tier (and team) and distribution fitted, the chosen one marked, with the
    observed (Kaplan-Meier) quantiles on a row of their own."""
    rows: list[dict[str, Cell]] = []
    for fit in calibration.fits:
        common: dict[str, Cell] = {
            "tier": fit.tier,
            "team": fit.team or "all teams",
            "requests": fit.arrivals.count,
            "per_week": _figure(fit.arrivals.per_week),
            "ci_low": _figure(fit.arrivals.low),
            "ci_high": _figure(fit.arrivals.high),
            "share_becoming_cases": _figure(fit.share_becoming_cases),
            "cases": fit.cases,
            "closed": fit.closed,
        }
        observed = {
            f"q{round(share * 100)}": "" if value is None else _figure(value)
            for share, value in zip(QUANTILES, fit.observed_quantiles, strict=True)
        }
        rows.append({**common, "distribution": "observed (Kaplan-Meier)", **observed})
        for found in fit.fits:
            rows.append(
                {
                    **common,
                    "distribution": found.distribution,
                    "chosen": "yes" if found.distribution == fit.chosen else "",
                    "mean_weeks": _figure(found.mean),
                    "sd_weeks": _figure(found.sd),
                    "aic": _figure(found.aic),
                    "ks_distance": _figure(found.ks_distance, 3),
                    **{
                        f"q{round(share * 100)}": _figure(value)
                        for share, value in zip(QUANTILES, found.quantiles, strict=True)
                    },
                }
            )
    return rows


def _figure(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"
