"""Tables for the command-line tools: CSV and XLSX read as text, written atomically."""

from __future__ import annotations

import re
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload_engine.tabular import (
    FORMULA_STARTS,
    Cell,
    Row,
    Table,
    TableError,
    read_table,
    spreadsheet_text,
    write_table,
)


def _xlsx(path: Path, *lines: list[object]) -> Path:
    workbook = openpyxl.Workbook()
    for line in lines:
        workbook.active.append(line)
    workbook.save(path)
    return path


# -- reading ----------------------------------------------------------------------------------


def test_a_csv_file_reads_as_stripped_text_numbered_like_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(" Name , Risk ,Notes\nAda, 3 ,\n,,\nBea,1\n", encoding="utf-8")
    assert read_table(path) == Table(
        columns=("Name", "Risk", "Notes"),
        rows=(
            Row(2, {"Name": "Ada", "Risk": "3", "Notes": ""}),
            Row(4, {"Name": "Bea", "Risk": "1", "Notes": ""}),
        ),
    )


def test_excels_byte_order_mark_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes("Risk,Name\n2,Zoë\n".encode("utf-8-sig"))
    assert read_table(path).rows == (Row(2, {"Risk": "2", "Name": "Zoë"}),)


def test_a_quoted_cell_may_hold_commas_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text('Notes,Risk\n"lives alone,\nno family",2\nnone,1\n', encoding="utf-8")
    assert [(row.number, row.values["Notes"]) for row in read_table(path).rows] == [
        (2, "lives alone,\nno family"),
        (3, "none"),
    ]


def test_columns_with_no_header_and_no_values_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("Risk,,\n2,,\n", encoding="utf-8")
    assert read_table(path).columns == ("Risk",)


def test_an_xlsx_sheet_reads_as_the_spreadsheet_shows_it(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "cases.xlsx",
        ["Risk", "FTE", "Start", "Name"],
        [2.0, 0.6, datetime(2026, 3, 16), " Ada "],
        [],
        [3, 1, datetime(2026, 3, 16, 9, 30), None],
    )
    assert read_table(path).rows == (
        Row(2, {"Risk": "2", "FTE": "0.6", "Start": "2026-03-16", "Name": "Ada"}),
        Row(4, {"Risk": "3", "FTE": "1", "Start": "2026-03-16T09:30:00", "Name": ""}),
    )


def test_only_the_first_worksheet_is_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Risk"])
    workbook.active.append([1])
    other = workbook.create_sheet("Notes")
    other.append(["Elsewhere"])
    workbook.active = other  # the sheet open when saved is not the one read
    workbook.save(tmp_path / "cases.xlsx")
    assert read_table(tmp_path / "cases.xlsx").columns == ("Risk",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: its first row should hold the column headers"),
        ("\n\nRisk\n", "row 1 should hold the column headers but is blank"),
        ("Risk,Name,risk\n1,a,2\n", r"the header 'risk' is used twice \(columns A and C\)"),
        ("Risk\n1,extra\n", "column B has values but no header"),
    ],
    ids=["empty", "blank-header", "duplicate-header", "headerless-values"],
)
def test_a_table_needs_one_header_per_column(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError, match=message):
        read_table(path)


def test_a_csv_file_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes("Name\nZoë\n".encode("cp1252"))
    match = r"cases\.csv: line 2 is not UTF-8 text \(character 3\): save it .* as 'CSV UTF-8'"
    with pytest.raises(TableError, match=match):
        read_table(path)


def test_a_damaged_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    path.write_text("Risk\n1\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"cases\.xlsx is not a readable XLSX workbook"):
        read_table(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"Cannot read .*nowhere\.csv: No such file or directory"):
        read_table(tmp_path / "nowhere.csv")


@pytest.mark.parametrize("name", ["cases.txt", "cases.xls", "cases"])
def test_only_csv_and_xlsx_are_supported(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("Risk\n1\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"is not a \.csv or \.xlsx file"):
        read_table(tmp_path / name)
    with pytest.raises(TableError, match=r"is not a \.csv or \.xlsx file"):
        write_table(tmp_path / name, ["Risk"], [])


# -- writing ----------------------------------------------------------------------------------

COLUMNS = ["Name", "Risk", "points"]
ROWS: list[dict[str, Cell]] = [
    {"Name": "Zoë", "Risk": 3, "points": Decimal("76.5")},
    {"Name": "=1+1"},
    {"Name": "-12.5", "Risk": -3, "points": Decimal("-0.5")},
]


def test_a_csv_file_is_written_for_excel(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_table(path, COLUMNS, ROWS)
    # A formula is escaped; numbers, and text that is only a number, are not.
    expected = "Name,Risk,points\r\nZoë,3,76.5\r\n'=1+1,,\r\n-12.5,-3,-0.5\r\n"
    assert path.read_bytes() == expected.encode("utf-8-sig")


def test_an_xlsx_file_keeps_numbers_as_numbers_and_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_table(path, COLUMNS, ROWS)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        COLUMNS,
        ["Zoë", 3, 76.5],
        ["=1+1", None, None],
        ["-12.5", -3, -0.5],
    ]
    assert sheet["A3"].data_type == "s"  # not a formula
    assert sheet["A3"].quotePrefix  # and not one when the cell is edited either
    assert not sheet["A2"].quotePrefix


@pytest.mark.parametrize(("suffix", "formula"), [(".csv", "'=1+1"), (".xlsx", "=1+1")])
def test_what_is_written_reads_back(tmp_path: Path, suffix: str, formula: str) -> None:
    path = tmp_path / f"out{suffix}"
    write_table(path, COLUMNS, ROWS)
    assert read_table(path) == Table(
        columns=tuple(COLUMNS),
        rows=(
            Row(2, {"Name": "Zoë", "Risk": "3", "points": "76.5"}),
            Row(3, {"Name": formula, "Risk": "", "points": ""}),
            Row(4, {"Name": "-12.5", "Risk": "-3", "points": "-0.5"}),
        ),
    )


_cells = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=12
).map(str.strip)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[str], list[dict[str, str]]]:
    columns = draw(st.lists(_cells.filter(bool), min_size=1, max_size=5, unique_by=str.casefold))
    rows = draw(st.lists(st.fixed_dictionaries({column: _cells for column in columns})))
    return columns, [row for row in rows if any(row.values())]


@settings(max_examples=40, deadline=None)  # each example writes and reads two files
@given(_tables())
def test_any_table_of_text_round_trips_through_csv_and_xlsx(
    table: tuple[list[str], list[dict[str, str]]],
) -> None:
    """XLSX keeps text as it is; CSV as a spreadsheet may safely open it."""
    columns, rows = table
    escaped = {
        ".csv": lambda text: spreadsheet_text(text),
        ".xlsx": lambda text: text,
    }
    with tempfile.TemporaryDirectory() as folder:
        for suffix, expected in escaped.items():
            path = Path(folder) / f"table{suffix}"
            write_table(path, columns, rows)
            read = read_table(path)
            assert read.columns == tuple(map(expected, columns))
            assert [dict(row.values) for row in read.rows] == [
                {expected(column): expected(text) for column, text in row.items()} for row in rows
            ]


def test_a_failed_write_leaves_the_earlier_file_and_no_other(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_table(path, ["Name"], [{"Name": "before"}])
    before = path.read_bytes()
    with pytest.raises(TableError, match="row 3, column 'Name' to XLSX: it holds control"):
        write_table(path, ["Name"], [{"Name": "fine"}, {"Name": "bell\x07"}])
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_text_too_long_for_a_cell_is_refused_not_cut(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="longer than 32,767 characters"):
        write_table(tmp_path / "out.xlsx", ["Notes"], [{"Notes": "x" * 32_768}])
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"Cannot write .*out\.csv: No such file or directory"):
        write_table(tmp_path / "missing" / "out.csv", ["Risk"], [])


# -- escaping formulas ------------------------------------------------------------------------

# How a spreadsheet reads a CSV cell, written here independently of the code under test:
# a number if it is one (ASCII digits, sign, point, exponent), otherwise a formula if it
# starts with one of these, otherwise text.
_SPREADSHEET_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", re.ASCII)


def _runs_as_formula(cell: str) -> bool:
    return cell[:1] in {"=", "+", "-", "@", "\t", "\r"} and not _SPREADSHEET_NUMBER.fullmatch(cell)


_risky = st.text(
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "1", "e", ".", "A", "|", " "]),
    max_size=8,
)


@given(st.one_of(st.text(), _risky))
def test_escaped_text_is_never_run_as_a_formula(text: str) -> None:
    escaped = spreadsheet_text(text)
    assert not _runs_as_formula(escaped)
    assert escaped in (text, "'" + text)  # only ever an apostrophe in front
    assert spreadsheet_text(escaped) == escaped  # escaping twice adds nothing
    if not _runs_as_formula(text):
        assert escaped == text  # text that runs nothing is left as it is


@given(st.one_of(st.integers(), st.decimals(allow_nan=False, allow_infinity=False)))
def test_numbers_are_not_escaped(number: int | Decimal) -> None:
    text = format(number, "f") if isinstance(number, Decimal) else str(number)
    assert spreadsheet_text(text) == text


def test_the_formula_starts_are_owasps() -> None:
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}
    assert spreadsheet_text("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert spreadsheet_text("@SUM(A1)") == "'@SUM(A1)"
