"""Reading a table's cells by column name, for the engine's command-line tools.

Headers match ignoring case, surrounding spaces, and spaces or hyphens for underscores
("Case ID" is `case_id`); other columns are ignored. Each tool checks every cell before it does
anything, so that one run lists every problem by row and column; the parsers here raise
CellProblem with what the cell should hold, and `Cells` records it with the row and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from caseload_engine.tabular import HEADER_ROW, Row, Table, is_plain_number
from caseload_engine.tiering import RowError

_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_PROBLEM = "must be a date such as 2026-03-02 or 02/03/2026"

T = TypeVar("T")
D = TypeVar("D")


class CellProblem(ValueError):
    """A cell that cannot be read; the message says what it should hold."""


def normal_heading(heading: str) -> str:
    return heading.strip().casefold().replace(" ", "_").replace("-", "_")


def find_columns(
    table: Table, known: Sequence[str], required: Sequence[str]
) -> tuple[dict[str, str], list[RowError]]:
    """Each known column's heading in the table, and a header error for each one missing."""
    found: dict[str, str] = {}
    errors = []
    for heading in table.columns:
        name = normal_heading(heading)
        if name in known:
            if name in found:
                errors.append(
                    RowError(
                        HEADER_ROW,
                        heading,
                        f"Columns '{found[name]}' and '{heading}' both hold {name}: keep one",
                    )
                )
            else:
                found[name] = heading
    for name in required:
        if name not in found:
            errors.append(
                RowError(HEADER_ROW, name, f"No column for {name}: add a column headed '{name}'")
            )
    return found, errors


class Cells:
    """One row's cells, read by column name; problems go to the shared list of errors."""

    def __init__(self, row: Row, columns: Mapping[str, str], errors: list[RowError]) -> None:
        self.row = row
        self.columns = columns
        self.errors = errors

    def required(self, name: str, parse: Callable[[str], T]) -> T | None:
        """The parsed cell, or None after recording why there is none (a missing column is
        reported once, with the header)."""
        heading = self.columns.get(name)
        if heading is None:
            return None
        if not self.row.values[heading]:
            self.errors.append(RowError(self.row.number, heading, f"{name} is required"))
            return None
        return self._parse(heading, name, parse)

    def optional(self, name: str, parse: Callable[[str], T], default: D) -> T | D:
        heading = self.columns.get(name)
        if heading is None or not self.row.values[heading]:
            return default
        parsed = self._parse(heading, name, parse)
        return default if parsed is None else parsed

    def _parse(self, heading: str, name: str, parse: Callable[[str], T]) -> T | None:
        text = self.row.values[heading]
        try:
            return parse(text)
        except CellProblem as bad:
            self.errors.append(RowError(self.row.number, heading, f"{name} {bad}, not {text!r}"))
            return None


def any_text(cell: str) -> str:
    return cell


def unique(seen: dict[str, int], number: int) -> Callable[[str], str]:
    """A parser that refuses a value already seen in an earlier row (noting this row's)."""

    def check(cell: str) -> str:
        if cell in seen:
            raise CellProblem(f"must be unique: it is already used in row {seen[cell]}")
        seen[cell] = number
        return cell

    return check


def number(cell: str) -> Decimal:
    """A plain number of at most a million: arithmetic on 1e99999999 overflows Decimal."""
    if not is_plain_number(cell):
        raise CellProblem("must be a number")
    value = Decimal(cell)
    if value.copy_abs() > 1_000_000:
        raise CellProblem("must be a number")
    return value


def yes_no(cell: str) -> bool:
    if cell.casefold() in _YES:
        return True
    if cell.casefold() in _NO:
        return False
    raise CellProblem("must be yes or no")


def day(cell: str) -> date:
    # The usual form first, read in C: strptime takes twenty times as long, most of a large
    # file's reading time.
    if _ISO_DAY.fullmatch(cell):
        try:
            return date.fromisoformat(cell)
        except ValueError:
            raise CellProblem(_DATE_PROBLEM) from None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cell, pattern).date()
        except ValueError:
            continue
    try:  # a spreadsheet's date and time, as XLSX cells arrive
        return datetime.fromisoformat(cell).date()
    except ValueError:
        raise CellProblem(_DATE_PROBLEM) from None
