"""Spreadsheets in and out of `caseload forecast`: requests per week in (`week`, `requests`, and
any other columns as the groups to forecast separately), each group's forecast out.

Every cell is checked before anything is forecast, so that one run lists every problem by file,
row and column (caseload_engine.cells); headers match as there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from caseload_engine.cells import CellProblem, Cells, find_columns, normal_heading
from caseload_engine.forecast import Forecast, WeeklySeries, weekly_series
from caseload_engine.supervision_table import identifier, in_range
from caseload_engine.tabular import HEADER_ROW, Cell, Table
from caseload_engine.tiering import RowError, RowErrors

REQUIRED: Final = ("week", "requests")
OUTPUT_COLUMNS: Final = ("week", "forecast", "lower", "upper")
# A week's requests to a council's adult social care, with room to spare: far beyond any real
# figure, and small enough that sums and forecasts stay ordinary numbers.
MAX_REQUESTS: Final = 1_000_000
_COUNT = re.compile(r"[0-9]{1,7}")  # ASCII digits: a spreadsheet reads no other script's


@dataclass(frozen=True)
class Group:
    """One group's weeks, by the input's own headings and values (none when there are no group
    columns), with how many weeks in its span had no row (taken as 0 requests)."""

    key: tuple[str, ...]
    series: WeeklySeries
    missing_weeks: int


@dataclass(frozen=True)
class WeeklyRequests:
    group_columns: tuple[str, ...]  # the input's headings, in its order
    groups: tuple[Group, ...]  # in the order each group first appears

    def named(self, group: Group) -> dict[str, str]:
        """The group's value in each group column, by the input's headings."""
        return dict(zip(self.group_columns, group.key, strict=True))

    def label(self, group: Group) -> str:
        """The group as a reader names it: "team North, tier 2" ("all rows" for no groups)."""
        if not self.group_columns:
            return "all rows"
        return ", ".join(
            f"{heading} {value or '(blank)'}"
            for heading, value in zip(self.group_columns, group.key, strict=True)
        )


def read_weekly_requests(table: Table) -> WeeklyRequests:
    """Each group's requests per week, or RowErrors listing every problem."""
    others = [heading for heading in table.columns if normal_heading(heading) not in REQUIRED]
    columns, errors = find_columns(
        table, (*REQUIRED, *(normal_heading(heading) for heading in others)), REQUIRED
    )
    group_names = [name for name in columns if name not in REQUIRED]
    for name in group_names:
        if name in OUTPUT_COLUMNS:
            message = (
                f"A column headed '{columns[name]}' would be a group, and the output has its own "
                f"{name} column: rename or remove it"
            )
            errors.append(RowError(HEADER_ROW, columns[name], message))
    found: dict[tuple[str, ...], dict[date, int]] = {}
    seen: dict[tuple[tuple[str, ...], date], int] = {}
    for row in table.rows:
        cells = Cells(row, columns, errors)
        week = cells.required("week", monday)
        requests = cells.required("requests", request_count)
        key = tuple(cells.optional(name, identifier, "") for name in group_names)
        if week is None or requests is None:
            continue
        if (key, week) in seen:
            message = f"week {week.isoformat()} is already in row {seen[key, week]}" + (
                "" if not group_names else " for the same group"
            )
            errors.append(RowError(row.number, columns["week"], message))
            continue
        seen[key, week] = row.number
        found.setdefault(key, {})[week] = requests
    if errors:
        raise RowErrors(errors)
    groups = []
    for key, counts in found.items():
        series = weekly_series(counts, first=min(counts), last=max(counts))
        groups.append(Group(key, series, len(series.weeks) - len(counts)))
    return WeeklyRequests(tuple(columns[name] for name in group_names), tuple(groups))


def forecast_rows(
    requests: WeeklyRequests, group: Group, forecast: Forecast
) -> list[dict[str, Cell]]:
    """The group's lines of the output: its group values, then each week's forecast and
    interval to one decimal place."""
    return [
        {
            **requests.named(group),
            "week": week.isoformat(),
            "forecast": _tenths(middle),
            "lower": _tenths(low),
            "upper": _tenths(high),
        }
        for week, middle, low, high in zip(
            forecast.weeks, forecast.forecast, forecast.lower, forecast.upper, strict=True
        )
    ]


def output_columns(requests: WeeklyRequests) -> Sequence[str]:
    return (*requests.group_columns, *OUTPUT_COLUMNS)


def monday(cell: str) -> date:
    """A week, by its Monday."""
    value = in_range(cell)
    if value.weekday() != 0:
        raise CellProblem(f"must be a Monday, the week's first day (this is a {value:%A})")
    return value


def request_count(cell: str) -> int:
    if _COUNT.fullmatch(cell) and int(cell) <= MAX_REQUESTS:
        return int(cell)
    raise CellProblem(f"must be a whole number from 0 to {MAX_REQUESTS:,}")


def _tenths(value: float) -> Decimal:
    return Decimal(f"{value:.1f}")
