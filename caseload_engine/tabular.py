"""Tables in and out of the engine's command-line tools: CSV or XLSX, every cell as text.

Cells are read as stripped text with the row number a spreadsheet shows (the header is row 1),
so that a tool can report a problem where the user will look for it. Writing is atomic: a
failure leaves no half-written file, and any file already at the path stays as it was.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias
from zipfile import BadZipFile

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

SUFFIXES = (".csv", ".xlsx")
HEADER_ROW = 1
# Text, or a number that a spreadsheet can sum (written to XLSX as a number).
Cell: TypeAlias = str | int | Decimal
# The most characters an XLSX cell holds; openpyxl would silently cut the rest.
_XLSX_TEXT_LIMIT = 32_767


class TableError(ValueError):
    """The file cannot be read or written as a table; the message names the file and why."""


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet numbers it: the header is row 1, the first data row 2
    values: Mapping[str, str]  # every column of the table; "" for an empty cell


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def read_table(path: str | os.PathLike[str]) -> Table:
    """The first sheet of an XLSX file, or a CSV file (UTF-8, with or without Excel's BOM).

    Blank rows are skipped but keep their place in the numbering; a column with neither a
    header nor any values (Excel often exports a few) is dropped.
    """
    path = Path(path)
    suffix = _suffix(path)
    try:
        cells = _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    except OSError as error:
        raise TableError(f"Cannot read {path}: {error.strerror or error}") from None
    return _table(path, cells)


def write_table(
    path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]
) -> None:
    """A header of `columns`, then one line per row (a missing cell is left empty).

    CSV or XLSX by the path's suffix, written to a temporary file in the same folder and moved
    into place only once complete.
    """
    path = Path(path)
    write = _write_csv if _suffix(path) == ".csv" else _write_xlsx
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temporary.open("xb") as file:
            write(file, columns, rows)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise TableError(f"Cannot write {path}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TableError(f"{path} is not a .csv or .xlsx file")
    return suffix


def _read_csv(path: Path) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return [[cell.strip() for cell in record] for record in csv.reader(file)]
    except UnicodeDecodeError:
        raise TableError(
            f"{path} is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'"
        ) from None
    except csv.Error as error:
        raise TableError(f"{path} is not a readable CSV file: {error}") from None


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Some writers record the sheet's size wrongly, which would cut rows short.
            sheet.reset_dimensions()
            return [
                [_xlsx_text(value) for value in values]
                for values in sheet.iter_rows(values_only=True)
            ]
        finally:
            workbook.close()
    except (BadZipFile, InvalidFileException, KeyError, ValueError):
        raise TableError(f"{path} is not a readable XLSX workbook") from None


def _xlsx_text(value: object) -> str:
    """The cell as its spreadsheet shows it: 2 not 2.0, a date without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _table(path: Path, cells: list[list[str]]) -> Table:
    if not cells:
        raise TableError(f"{path} is empty: its first row should hold the column headers")
    if not any(cells[0]):
        raise TableError(f"{path}: row {HEADER_ROW} should hold the column headers but is blank")
    width = max(len(line) for line in cells)
    header = cells[0] + [""] * (width - len(cells[0]))
    data = [(number, line) for number, line in enumerate(cells[1:], HEADER_ROW + 1) if any(line)]
    positions: dict[str, int] = {}
    for position, heading in enumerate(header):
        letter = get_column_letter(position + 1)
        if not heading:
            if any(_at(line, position) for _, line in data):
                raise TableError(f"{path}: column {letter} has values but no header")
            continue
        # Tools match headers ignoring case, so 'Risk' and 'risk' would be the same column.
        twin = next((seen for seen in positions if seen.casefold() == heading.casefold()), None)
        if twin is not None:
            raise TableError(
                f"{path}: the header '{heading}' is used twice "
                f"(columns {get_column_letter(positions[twin] + 1)} and {letter})"
            )
        positions[heading] = position
    rows = tuple(
        Row(number, {heading: _at(line, position) for heading, position in positions.items()})
        for number, line in data
    )
    return Table(columns=tuple(positions), rows=rows)


def _at(line: list[str], position: int) -> str:
    return line[position] if position < len(line) else ""


def _write_csv(file: BinaryIO, columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]) -> None:
    # Excel reads a CSV file as UTF-8 only if it starts with a BOM; without one, Zoë is garbled.
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerows([_csv_text(row.get(column, "")) for column in columns] for row in rows)
    text.flush()
    text.detach()  # leave the file open for the caller to sync


def _csv_text(value: Cell) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _write_xlsx(file: BinaryIO, columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]) -> None:
    # Every value is checked before the workbook is begun, so a refusal leaves nothing half-made.
    lines = [[_xlsx_value(heading, HEADER_ROW, heading) for heading in columns]]
    for number, row in enumerate(rows, HEADER_ROW + 1):
        lines.append([_xlsx_value(row.get(column, ""), number, column) for column in columns])
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for line in lines:
        sheet.append(
            [_text_cell(sheet, value) if isinstance(value, str) else value for value in line]
        )
    workbook.save(file)


def _xlsx_value(value: Cell, row: int, column: str) -> Cell | None:
    if value == "":
        return None  # an empty cell, rather than a cell holding empty text
    if isinstance(value, str):
        problem = f"Cannot write row {row}, column '{column}' to XLSX"
        if len(value) > _XLSX_TEXT_LIMIT:
            raise TableError(f"{problem}: it is longer than {_XLSX_TEXT_LIMIT:,} characters")
        if ILLEGAL_CHARACTERS_RE.search(value):
            raise TableError(f"{problem}: it holds control characters")
    return value


def _text_cell(sheet: Any, text: str) -> Any:
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # text stays text: a leading "=" must not become a formula
    return cell
