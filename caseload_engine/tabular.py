"""Tables in and out of the engine's command-line tools: CSV or XLSX, every cell as text.

Cells are read as stripped text with the row number a spreadsheet shows (the header is row 1),
so that a tool can report a problem where the user will look for it. Files are read as a
stream, within the limits below, keeping only the cells under a header. Writing is atomic: a
failure leaves no half-written file, and any file already at the path stays as it was. Text
written to CSV that a spreadsheet would run as a formula is escaped (`spreadsheet_text`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

SUFFIXES = (".csv", ".xlsx")
HEADER_ROW = 1
# What a file may hold (README, "The caseload command"): a council's whole waiting list is
# far smaller, and a file beyond them costs minutes and gigabytes before anything is said.
MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MB on disk
MAX_ROWS = 100_000  # below the header, blank rows included
MAX_COLUMNS = 16_384  # Excel's own limit, column XFD
MAX_CELLS = 5_000_000  # below the header: rows times columns (100,000 rows of 50)
# An XLSX file is a zip archive: what it unpacks to is bounded too (a zip bomb is small).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
# A spreadsheet runs text starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits only: Python's Decimal and str.isdigit accept other scripts, spreadsheets do not.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# A formula element in a sheet's XML, with or without a namespace prefix: text in XML holds
# no raw "<", so this matches tags only.
_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
# Bytes that are not UTF-8, as the surrogateescape error handler leaves them.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
# What openpyxl raises, from its own code, zipfile, zlib or the XML parser, on a damaged file.
_UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
    zlib.error,
    EOFError,
    OverflowError,
)
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


def is_plain_number(text: str) -> bool:
    """A number as a spreadsheet reads one from text: ASCII digits, a sign, a point, an
    exponent (no spaces, no thousands separators, no infinity)."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def spreadsheet_text(text: str) -> str:
    """The text, escaped so that a spreadsheet opening the CSV file shows it and never runs it.

    Text starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe, unless
    it is a plain number such as -12.5, which a spreadsheet reads as that number and nothing
    else (so a negative number stays a number, whether it was written as a number or as text).
    Escaping twice changes nothing more: text starting with an apostrophe is left as it is.
    """
    if text.startswith(FORMULA_STARTS) and not is_plain_number(text):
        return "'" + text
    return text


def read_table(path: str | os.PathLike[str]) -> Table:
    """The first sheet of an XLSX file, or a CSV file (UTF-8, with or without Excel's BOM).

    Blank rows are skipped but keep their place in the numbering; a column with neither a
    header nor any values (Excel often exports a few) is dropped.
    """
    path = Path(path)
    suffix = _suffix(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TableError(
                f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB, the most caseload reads: "
                "split it into smaller files"
            )
        if suffix == ".xlsx":
            return _read_xlsx(path)
        with path.open("rb") as file:
            return _table(path, _csv_lines(path, file))
    except OSError as error:
        raise TableError(f"Cannot read {path}: {error.strerror or error}") from None


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


def _csv_lines(path: Path, file: BinaryIO) -> Iterator[list[str]]:
    reader = csv.reader(_utf8_lines(path, file))
    try:
        for record in reader:
            yield [cell.strip() for cell in record]
    except csv.Error as error:
        raise TableError(f"{path}: line {reader.line_num} is not readable CSV: {error}") from None


def _utf8_lines(path: Path, file: BinaryIO) -> Iterator[str]:
    """The file's lines as text, read as they are needed; a byte that is not UTF-8 is
    reported with its line, rather than somewhere in the 8 KB block it was decoded in."""
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="surrogateescape", newline="")
    for number, line in enumerate(text, 1):
        if (bad := _NOT_UTF8.search(line)) is not None:
            raise TableError(
                f"{path}: line {number} is not UTF-8 text (character {bad.start() + 1}): "
                "save it from the spreadsheet as 'CSV UTF-8'"
            )
        yield line


def _read_xlsx(path: Path) -> Table:
    try:
        with zipfile.ZipFile(path) as archive:
            # zipfile stops each member at its declared size, so the sum bounds what is read.
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise TableError(
                f"{path} unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB, "
                "the most caseload reads: split it into smaller files"
            )
        # Cells present but empty may be formulas saved without their value, which
        # data_only reads as None like a blank: only then are the formulas read as well.
        unsure: list[tuple[int, int]] = []
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = values.worksheets[0]
            lines = _xlsx_lines(path, sheet, unsure if _has_formulas(sheet) else None)
            table = _table(path, lines)
        finally:
            values.close()
        if unsure:
            _refuse_formulas_without_values(path, unsure)
        return table
    except TableError:
        raise
    except _UNREADABLE as error:
        raise TableError(_unreadable(path, error, None)) from None


def _xlsx_lines(
    path: Path, sheet: Any, unsure: list[tuple[int, int]] | None
) -> Iterator[list[str]]:
    """The sheet's rows as text; with `unsure`, noting there each cell that is present but
    empty (reading cells rather than values takes twice as long, so only then)."""
    number = HEADER_ROW - 1
    try:
        # Some writers record the sheet's size wrongly, which would cut rows short.
        sheet.reset_dimensions()
        for cells in sheet.iter_rows(values_only=unsure is None):
            number += 1
            if len(cells) > MAX_COLUMNS:
                raise TableError(_too_wide(path, number, len(cells)))
            if unsure is None:
                yield [_xlsx_text(path, number, at, value) for at, value in enumerate(cells, 1)]
                continue
            line = []
            for position, cell in enumerate(cells, 1):
                # A formula's empty text is saved as a "str" cell: that is a blank to trust.
                if cell.value is None and cell is not EMPTY_CELL and cell.data_type != "str":
                    unsure.append((number, position))
                line.append(_xlsx_text(path, number, position, cell.value))
            yield line
    except TableError:
        raise
    except _UNREADABLE as error:
        raise TableError(_unreadable(path, error, number)) from None


def _has_formulas(sheet: Any) -> bool:
    """Whether the sheet's XML holds a formula element at all: a scan of the bytes, some
    50 ms for 35 MB, that spares most sheets the slower reading of cells."""
    with sheet._get_source() as source:  # openpyxl's own opening of the sheet's XML
        tail = b""
        while chunk := source.read(2**20):
            if _FORMULA_ELEMENT.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _refuse_formulas_without_values(path: Path, unsure: list[tuple[int, int]]) -> None:
    """Read the sheet's formulas as far as the last empty cell, and refuse the first of those
    cells that holds one: it was never calculated (written by a program, not a spreadsheet)."""
    wanted = set(unsure)
    last = unsure[-1][0]
    formulas = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = formulas.worksheets[0]
        sheet.reset_dimensions()
        for number, written in enumerate(sheet.iter_rows(values_only=True), HEADER_ROW):
            for position, formula in enumerate(written, 1):
                if formula is not None and (number, position) in wanted:
                    raise TableError(
                        f"{path}: row {number}, column {_letter(position)} holds a formula with "
                        "no saved value: open the file in a spreadsheet and save it, or paste "
                        "values only"
                    )
            if number >= last:
                return
    finally:
        formulas.close()


def _unreadable(path: Path, error: BaseException, rows_read: int | None) -> str:
    message = f"{path} is not a readable XLSX workbook"
    # openpyxl wraps what went wrong in a sheet in a ValueError of its own.
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, DefusedXmlException | ParseError):
        cause = cause.__cause__
    if isinstance(cause, DefusedXmlException):
        message += ": it declares XML entities, which no spreadsheet writes and caseload refuses"
    elif isinstance(cause, ParseError):
        message += f": its XML is damaged ({cause})"
    if rows_read:
        message += f", after row {rows_read}"
    return message


def _xlsx_text(path: Path, row: int, position: int, value: object) -> str:
    """The cell as its spreadsheet shows it: 2 not 2.0, a date without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TableError(
                f"{path}: row {row}, column {_letter(position)} holds a number too large to read"
            )
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _letter(position: int) -> str:
    """The column's letters (A is 1), or its number where there are no letters for it."""
    return get_column_letter(position) if position <= MAX_COLUMNS else f"{position:,}"


def _too_wide(path: Path, row: int, width: int) -> str:
    return (
        f"{path}: row {row} has {width:,} columns; caseload reads at most {MAX_COLUMNS:,} "
        f"(up to column {_letter(MAX_COLUMNS)})"
    )


class _Values(Mapping[str, str]):
    """One row's cells by heading: the row's own cells up to its last value, and the table's
    positions, shared by every row. A full-width dict or tuple per row would take gigabytes
    for a short file with a wide header."""

    __slots__ = ("_cells", "_positions")

    def __init__(self, positions: Mapping[str, int], cells: tuple[str, ...]) -> None:
        self._positions = positions
        self._cells = cells

    def __getitem__(self, heading: str) -> str:
        position = self._positions[heading]
        return self._cells[position] if position < len(self._cells) else ""

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)

    def __repr__(self) -> str:
        return repr(dict(self))


class Overlaid(Mapping[str, Cell]):
    """A row's cells with some replaced or added, without copying the row."""

    __slots__ = ("_changes", "_values")

    def __init__(self, values: Mapping[str, Cell], changes: Mapping[str, Cell]) -> None:
        self._values = values
        self._changes = changes

    def __getitem__(self, heading: str) -> Cell:
        return self._changes[heading] if heading in self._changes else self._values[heading]

    def __iter__(self) -> Iterator[str]:
        yield from self._values
        yield from (heading for heading in self._changes if heading not in self._values)

    def __len__(self) -> int:
        return len(self._values) + sum(
            1 for heading in self._changes if heading not in self._values
        )

    def __repr__(self) -> str:
        return repr(dict(self))


def _table(path: Path, lines: Iterator[list[str]]) -> Table:
    header = next(lines, None)
    if header is None:
        raise TableError(f"{path} is empty: its first row should hold the column headers")
    if not any(header):
        raise TableError(f"{path}: row {HEADER_ROW} should hold the column headers but is blank")
    if len(header) > MAX_COLUMNS:
        raise TableError(_too_wide(path, HEADER_ROW, len(header)))
    # Tools match headers ignoring case, so 'Risk' and 'risk' would be the same column.
    positions: dict[str, int] = {}
    folded: dict[str, str] = {}
    for position, heading in enumerate(header):
        if not heading:
            continue
        twin = folded.setdefault(heading.casefold(), heading)
        if twin != heading or heading in positions:
            raise TableError(
                f"{path}: the header '{heading}' is used twice "
                f"(columns {_letter(positions[twin] + 1)} and {_letter(position + 1)})"
            )
        positions[heading] = position
    width = len(header)
    unnamed = [position for position, heading in enumerate(header) if not heading]
    rows: list[Row] = []
    cells = 0
    for number, line in enumerate(lines, HEADER_ROW + 1):
        if number > HEADER_ROW + MAX_ROWS:
            raise TableError(
                f"{path}: more than {MAX_ROWS:,} rows below the header (row {number:,} and "
                "beyond), the most caseload reads: split it into smaller files"
            )
        if not any(line):
            continue
        if len(line) > MAX_COLUMNS:
            raise TableError(_too_wide(path, number, len(line)))
        stray = _headerless(line, unnamed, width)
        if stray is not None:
            raise TableError(
                f"{path}: column {_letter(stray + 1)} has values but no header "
                f"(row {number} has one)"
            )
        # Every cell counts, empty or not: each is written out again by `tier`.
        cells += len(positions)
        if cells > MAX_CELLS:
            raise TableError(
                f"{path}: more than {MAX_CELLS:,} cells ({len(positions):,} columns, "
                f"row {number:,}), the most caseload reads: split it into smaller files"
            )
        end = min(len(line), width)
        while end and not line[end - 1]:
            end -= 1
        rows.append(Row(number, _Values(positions, tuple(line[:end]))))
    return Table(columns=tuple(positions), rows=tuple(rows))


def _headerless(line: list[str], unnamed: list[int], width: int) -> int | None:
    """The first position in the line holding a value under no header, if any."""
    for position in unnamed:
        if position >= len(line):
            return None
        if line[position]:
            return position
    return next((position for position in range(width, len(line)) if line[position]), None)


def _write_csv(file: BinaryIO, columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]) -> None:
    # Excel reads a CSV file as UTF-8 only if it starts with a BOM; without one, Zoë is garbled.
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([spreadsheet_text(heading) for heading in columns])
    writer.writerows([_csv_text(row.get(column, "")) for column in columns] for row in rows)
    text.flush()
    text.detach()  # leave the file open for the caller to sync


def _csv_text(value: Cell) -> str:
    if isinstance(value, str):
        return spreadsheet_text(value)
    # Numbers go as numbers, negative ones too: a spreadsheet reads -3 as minus three.
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
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # ... nor when someone edits the cell in the spreadsheet
    return cell
