"""Reading cells for the command-line tools: dates in the forms a spreadsheet user writes."""

from __future__ import annotations

from datetime import date

import pytest

from caseload_engine.cells import CellProblem, day


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2028-02-29", date(2028, 2, 29)),
        ("01/12/2026", date(2026, 12, 1)),  # day first, as in England
        ("2026-12-01T00:00:00", date(2026, 12, 1)),  # as an XLSX date cell arrives
        ("2026-1-5", date(2026, 1, 5)),
    ],
)
def test_dates_read(cell: str, expected: date) -> None:
    assert day(cell) == expected


@pytest.mark.parametrize(
    "cell", ["2026-13-01", "2026-02-29", "2026-12-32", "12/31/2026", "tomorrow", "", "2026-12"]
)
def test_what_is_not_a_date_is_refused(cell: str) -> None:
    with pytest.raises(CellProblem, match="must be a date such as 2026-03-02 or 02/03/2026"):
        day(cell)
