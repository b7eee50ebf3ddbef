"""The Safeguarding Adults Collection (SAC): the return's tables for a financial year, built from
the records export (`caseload export enquiries --json`, `caseload export concerns --json`).

Pure Python, no Django: the web app, the command line and a test that rebuilds the tables from
the export all call `tables()`, so the report and the records cannot disagree.

What is counted (a financial year runs 1 April to 31 March; "2025-26"):
- concerns received in the year;
- Section 42 and other enquiries started in the year, and the individuals with them (SG1:
  each person once a column, described as at their first enquiry of that kind in the year);
- concluded Section 42 enquiries (concluded in the year): type of risk by source (one enquiry
  counts in each type that applies), location by source, action and result, risk outcome where
  a risk was identified or the assessment was inconclusive and action was taken (SG2e), Making
  Safeguarding Personal (SG4a asked, SG4b achieved where outcomes were expressed), mental
  capacity and, where the person lacked it, who supported them (SG3a).

Suppression (`publish`), as NHS England's published SAC statistics do for small numbers:
1. Primary: any count from 1 to 4 is shown as "*". Zeros are shown (they count no one).
2. Secondary: the tables' totals would let a reader work a hidden count out, so, repeatedly
   until nothing changes, in every line (a row or column with its total):
   - a line with exactly one hidden cell (its total counted among its cells) hides one more;
   - a line whose total is shown and whose hidden cells add up to no more than their number
     (so each must be 1) hides one more;
   - and no hidden cell may be fixed by the lines taken together (solving them as linear
     equations): if one is, a further cell in one of its lines is hidden.
   The cell hidden next is the smallest non-zero shown count among the line's parts, or its
   total when none is left. `derivable()` is the check, and the tests run it on generated
   tables.
Unsuppressed figures (`--raw` on the command line) are the council's own return to DHSC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cached_property
from typing import Any, Final

from caseload_engine import safeguarding_reference as ref
from caseload_engine.reference import PRIMARY_SUPPORT_REASON_CHOICES, Choices
from caseload_engine.text import ascii_digits

SUPPRESSED: Final = "*"
SMALLEST_SHOWN: Final = 5
NOT_RECORDED: Final = "Not recorded"
TOTAL: Final = "Total"
# SG2e: the risk outcome is reported where a risk was found (or could not be ruled out) and
# action was taken.
RISK_OUTCOME_RESULTS: Final = frozenset({"risk_identified_action", "inconclusive_action"})
ENQUIRY_KEYS: Final = (
    "enquiry_id",
    "person_id",
    "kind",
    "criteria",
    "started_on",
    "concluded_on",
    "lead_role",
    "types_of_risk",
    "location_of_risk",
    "source_of_risk",
    "msp_asked",
    "msp_achieved",
    "action_and_result",
    "risk_outcome",
    "lacked_capacity",
    "support",
    "age_band",
    "sex",
    "ethnicity",
    "primary_support_reason",
)
CONCERN_KEYS: Final = ("concern_id", "person_id", "received_on", "decision")
CRITERIA_KEYS: Final = tuple(code for code, _ in ref.CRITERIA)
_YEAR = re.compile(r"(\d{4})-(\d{2})")


class RecordError(ValueError):
    """A record or a year that cannot be read; the message names it and the field."""


@dataclass(frozen=True)
class FinancialYear:
    first: int  # 2025 for "2025-26"

    @cached_property
    def start(self) -> date:
        return date(self.first, 4, 1)

    @cached_property
    def end(self) -> date:
        return date(self.first + 1, 3, 31)

    def __str__(self) -> str:
        return f"{self.first}-{(self.first + 1) % 100:02d}"

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class Period:
    """Any run of days, first and last included (the PSW's annual report need not follow the
    financial year)."""

    start: date
    end: date

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def financial_year(text: str) -> FinancialYear:
    """The financial year written as 2025-26 (1 April 2025 to 31 March 2026); anything else is
    refused with a message that quotes it."""
    digits = "".join(ascii_digits(char) or char for char in text.strip())
    found = _YEAR.fullmatch(digits)
    if found is None or not 2000 <= int(found[1]) <= 2098:
        raise RecordError(f"not a financial year like 2025-26: {text!r}")
    first = int(found[1])
    if int(found[2]) != (first + 1) % 100:
        raise RecordError(f"not a financial year like 2025-26 (the years must follow): {text!r}")
    return FinancialYear(first)


def year_of(day: date) -> FinancialYear:
    """The financial year a day falls in."""
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)


@dataclass(frozen=True)
class ConcernRecord:
    concern_id: int
    person_id: int
    received_on: date
    decision: str  # section_42, other_enquiry, no_further_action, or "" while undecided


@dataclass(frozen=True)
class EnquiryRecord:
    enquiry_id: int
    person_id: int
    kind: str  # section_42 or other
    criteria: Mapping[str, bool | None]
    started_on: date
    concluded_on: date | None
    lead_role: str
    types_of_risk: tuple[str, ...]
    location_of_risk: str
    source_of_risk: str
    msp_asked: str
    msp_achieved: str | None
    action_and_result: str | None
    risk_outcome: str | None
    lacked_capacity: bool | None
    support: str | None
    age_band: str
    sex: str
    ethnicity: str
    primary_support_reason: str

    def as_json(self) -> dict[str, Any]:
        """The export's object: the issue's keys, dates as ISO text, absent values null."""
        return {
            "enquiry_id": self.enquiry_id,
            "person_id": self.person_id,
            "kind": self.kind,
            "criteria": {key: self.criteria.get(key) for key in CRITERIA_KEYS},
            "started_on": self.started_on.isoformat(),
            "concluded_on": None if self.concluded_on is None else self.concluded_on.isoformat(),
            "lead_role": self.lead_role,
            "types_of_risk": list(self.types_of_risk),
            "location_of_risk": self.location_of_risk,
            "source_of_risk": self.source_of_risk,
            "msp_asked": self.msp_asked,
            "msp_achieved": self.msp_achieved,
            "action_and_result": self.action_and_result,
            "risk_outcome": self.risk_outcome,
            "lacked_capacity": self.lacked_capacity,
            "support": self.support,
            "age_band": self.age_band,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "primary_support_reason": self.primary_support_reason,
        }


def concern_json(concern: ConcernRecord) -> dict[str, Any]:
    return {
        "concern_id": concern.concern_id,
        "person_id": concern.person_id,
        "received_on": concern.received_on.isoformat(),
        "decision": concern.decision,
    }


# -- reading the export back -------------------------------------------------------------------


def _field(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise RecordError(f"{where}: no {key!r}")
    return obj[key]


def _int(obj: Mapping[str, Any], key: str, where: str) -> int:
    value = _field(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{where}: {key} is not a whole number: {value!r}")
    return int(value)


def _day(obj: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> date | None:
    value = _field(obj, key, where)
    if value is None and optional:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else _not_a_day(value)
    except ValueError:
        raise RecordError(f"{where}: {key} is not a day like 2025-04-01: {value!r}") from None


def _not_a_day(value: object) -> date:
    raise ValueError(value)


def _code(
    obj: Mapping[str, Any], key: str, where: str, allowed: Iterable[str], *, optional: bool = False
) -> str | None:
    value = _field(obj, key, where)
    if value is None and optional:
        return None
    if value not in set(allowed):
        raise RecordError(f"{where}: {key} is not one of the codes allowed: {value!r}")
    return str(value)


def _flag(obj: Mapping[str, Any], key: str, where: str) -> bool | None:
    value = _field(obj, key, where)
    if value is not None and not isinstance(value, bool):
        raise RecordError(f"{where}: {key} is not true, false or null: {value!r}")
    return value


def _codes(choices: Choices) -> tuple[str, ...]:
    return tuple(code for code, _ in choices)


def enquiry_from_json(obj: object, position: int) -> EnquiryRecord:
    """One object of the enquiries export, checked: the message names the record and field."""
    where = f"enquiry {position}"
    if not isinstance(obj, Mapping):
        raise RecordError(f"{where} is not an object")
    criteria = _field(obj, "criteria", where)
    if not isinstance(criteria, Mapping):
        raise RecordError(f"{where}: criteria is not an object")
    types = _field(obj, "types_of_risk", where)
    if not isinstance(types, list) or not set(types) <= set(_codes(ref.TYPE_OF_RISK_CHOICES)):
        raise RecordError(f"{where}: types_of_risk is not a list of known types: {types!r}")
    started_on = _day(obj, "started_on", where)
    lead_role = _field(obj, "lead_role", where)
    if not isinstance(lead_role, str):
        raise RecordError(f"{where}: lead_role is not text: {lead_role!r}")
    assert started_on is not None  # noqa: S101 - not optional, so never None
    return EnquiryRecord(
        enquiry_id=_int(obj, "enquiry_id", where),
        person_id=_int(obj, "person_id", where),
        kind=str(_code(obj, "kind", where, _codes(ref.ENQUIRY_KIND_CHOICES))),
        criteria={key: _flag(criteria, key, f"{where} criteria") for key in CRITERIA_KEYS},
        started_on=started_on,
        concluded_on=_day(obj, "concluded_on", where, optional=True),
        lead_role=lead_role,
        types_of_risk=tuple(types),
        location_of_risk=str(
            _code(obj, "location_of_risk", where, _codes(ref.LOCATION_OF_RISK_CHOICES))
        ),
        source_of_risk=str(_code(obj, "source_of_risk", where, _codes(ref.SOURCE_OF_RISK_CHOICES))),
        msp_asked=str(_code(obj, "msp_asked", where, _codes(ref.MSP_ASKED_CHOICES))),
        msp_achieved=_code(
            obj, "msp_achieved", where, _codes(ref.MSP_ACHIEVED_CHOICES), optional=True
        ),
        action_and_result=_code(
            obj, "action_and_result", where, _codes(ref.ACTION_AND_RESULT_CHOICES), optional=True
        ),
        risk_outcome=_code(
            obj, "risk_outcome", where, _codes(ref.RISK_OUTCOME_CHOICES), optional=True
        ),
        lacked_capacity=_flag(obj, "lacked_capacity", where),
        support=_code(obj, "support", where, _codes(ref.SUPPORT_CHOICES), optional=True),
        age_band=str(_code(obj, "age_band", where, _codes(ref.AGE_BAND_CHOICES))),
        sex=str(_code(obj, "sex", where, _codes(ref.SEX_CHOICES))),
        ethnicity=str(_code(obj, "ethnicity", where, _codes(ref.ETHNICITY_CHOICES))),
        primary_support_reason=str(
            _code(obj, "primary_support_reason", where, _codes(PRIMARY_SUPPORT_REASON_CHOICES))
        ),
    )


def concern_from_json(obj: object, position: int) -> ConcernRecord:
    where = f"concern {position}"
    if not isinstance(obj, Mapping):
        raise RecordError(f"{where} is not an object")
    received_on = _day(obj, "received_on", where)
    assert received_on is not None  # noqa: S101 - not optional, so never None
    decisions = ("", *_codes(ref.CONCERN_DECISION_CHOICES))
    return ConcernRecord(
        concern_id=_int(obj, "concern_id", where),
        person_id=_int(obj, "person_id", where),
        received_on=received_on,
        decision=str(_code(obj, "decision", where, decisions)),
    )


def enquiries_from_json(data: object) -> list[EnquiryRecord]:
    if not isinstance(data, list):
        raise RecordError("the enquiries export is not a list of objects")
    return [enquiry_from_json(obj, number) for number, obj in enumerate(data, start=1)]


def concerns_from_json(data: object) -> list[ConcernRecord]:
    if not isinstance(data, list):
        raise RecordError("the concerns export is not a list of objects")
    return [concern_from_json(obj, number) for number, obj in enumerate(data, start=1)]


# -- the tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Counts in a grid. `row_total`: the last column is each row's total; `column_total`: the
    last row is each column's total. Those are the lines a reader can add up, so suppression
    protects them; a table whose rows overlap (one enquiry in several types) has no total
    row."""

    key: str
    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    row_total: bool = False
    column_total: bool = False

    def lines(self) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
        """Each additive line as (its parts, its total), cells as (row, column)."""
        height, width = len(self.rows), len(self.columns)
        found = []
        if self.row_total:
            for row in range(height):
                found.append(([(row, col) for col in range(width - 1)], (row, width - 1)))
        if self.column_total:
            for col in range(width):
                found.append(([(row, col) for row in range(height - 1)], (height - 1, col)))
        return found


Cell = int | str  # a count, or "*" where suppressed


@dataclass(frozen=True)
class PublishedTable:
    key: str
    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]

    def as_json(self) -> dict[str, Any]:
        """The table as a list of rows, each its label then its cells."""
        return {
            "key": self.key,
            "title": self.title,
            "columns": [self.row_heading, *self.columns],
            "rows": [[label, *cells] for label, cells in self.rows],
        }


def _label(choices: Choices, code: str | None) -> str:
    return NOT_RECORDED if code is None or code == "" else dict(choices).get(code, code)


def _count_by(
    values: Iterable[str | None], choices: Choices, *, with_not_recorded: bool = False
) -> list[tuple[str, int]]:
    counts: dict[str, int] = {label: 0 for _, label in choices}
    if with_not_recorded:
        counts[NOT_RECORDED] = 0
    for value in values:
        counts[_label(choices, value)] += 1
    return list(counts.items())


def _one_column(
    key: str, title: str, heading: str, column: str, counted: list[tuple[str, int]]
) -> Table:
    rows = [(label, (count,)) for label, count in counted]
    rows.append((TOTAL, (sum(count for _, count in counted),)))
    return Table(key, title, heading, (column,), tuple(rows), column_total=True)


def _first_of_each_person(started: Sequence[EnquiryRecord], kind: str) -> list[EnquiryRecord]:
    """Each person's first enquiry of `kind` started in the year: SG1 counts people once."""
    first: dict[int, EnquiryRecord] = {}
    for record in sorted(started, key=lambda r: (r.started_on, r.enquiry_id)):
        if record.kind == kind:
            first.setdefault(record.person_id, record)
    return list(first.values())


SG1_BREAKDOWNS: Final = (
    ("age_band", "Age band", ref.AGE_BAND_CHOICES),
    ("sex", "Sex", ref.SEX_CHOICES),
    ("ethnicity", "Ethnicity", ref.ETHNICITY_CHOICES),
    ("primary_support_reason", "Primary support reason", PRIMARY_SUPPORT_REASON_CHOICES),
)


def tables(
    *,
    enquiries: Sequence[EnquiryRecord],
    concerns: Sequence[ConcernRecord],
    year: FinancialYear | Period,
) -> list[Table]:
    """The year's SAC tables (or a period's), counts unsuppressed."""
    started = [record for record in enquiries if year.holds(record.started_on)]
    concluded = [
        record
        for record in enquiries
        if record.kind == "section_42" and year.holds(record.concluded_on)
    ]
    received = [concern for concern in concerns if year.holds(concern.received_on)]
    built = [
        Table(
            "concerns",
            "Safeguarding concerns received",
            "Concerns",
            ("Number",),
            (("Concerns received", (len(received),)),),
        ),
        _one_column(
            "enquiries_started",
            "Enquiries started",
            "Enquiry",
            "Number",
            _count_by((r.kind for r in started), ref.ENQUIRY_KIND_CHOICES),
        ),
    ]
    people = [_first_of_each_person(started, kind) for kind, _ in ref.ENQUIRY_KIND_CHOICES]
    for attribute, heading, choices in SG1_BREAKDOWNS:
        by_kind = [
            dict(_count_by((getattr(r, attribute) for r in firsts), choices)) for firsts in people
        ]
        rows = [(label, tuple(counts[label] for counts in by_kind)) for _, label in choices]
        rows.append((TOTAL, tuple(sum(counts.values()) for counts in by_kind)))
        built.append(
            Table(
                f"individuals_by_{attribute}",
                f"Individuals with enquiries started, by {heading.lower()}",
                heading,
                ("Section 42 enquiries", "Other enquiries"),
                tuple(rows),
                column_total=True,
            )
        )
    sources = ref.SOURCE_OF_RISK_CHOICES
    source_columns = (*(label for _, label in sources), TOTAL)

    def by_source(selected: Iterable[EnquiryRecord]) -> tuple[int, ...]:
        counts = dict(_count_by((r.source_of_risk for r in selected), sources))
        return (*(counts[label] for _, label in sources), sum(counts.values()))

    type_rows = [
        (label, by_source(r for r in concluded if code in r.types_of_risk))
        for code, label in ref.TYPE_OF_RISK_CHOICES
    ]
    built.append(
        Table(
            "type_of_risk",
            "Concluded Section 42 enquiries by type of risk and source of risk "
            "(an enquiry counts in each type that applies)",
            "Type of risk",
            source_columns,
            (*type_rows, ("Concluded Section 42 enquiries", by_source(concluded))),
            row_total=True,
        )
    )
    location_rows = [
        (label, by_source(r for r in concluded if r.location_of_risk == code))
        for code, label in ref.LOCATION_OF_RISK_CHOICES
    ]
    built.append(
        Table(
            "location_of_risk",
            "Concluded Section 42 enquiries by location of risk and source of risk",
            "Location of risk",
            source_columns,
            (*location_rows, (TOTAL, by_source(concluded))),
            row_total=True,
            column_total=True,
        )
    )
    built.append(
        _one_column(
            "action_and_result",
            "Concluded Section 42 enquiries by action taken and result",
            "Action and result",
            "Number",
            _count_by(
                (r.action_and_result for r in concluded),
                ref.ACTION_AND_RESULT_CHOICES,
                with_not_recorded=True,
            ),
        )
    )
    built.append(
        _one_column(
            "risk_outcome",
            "Risk outcome of concluded Section 42 enquiries where a risk was identified or "
            "the assessment was inconclusive, and action was taken",
            "Risk outcome",
            "Number",
            _count_by(
                (r.risk_outcome for r in concluded if r.action_and_result in RISK_OUTCOME_RESULTS),
                ref.RISK_OUTCOME_CHOICES,
                with_not_recorded=True,
            ),
        )
    )
    built.append(
        _one_column(
            "msp_asked",
            "Making Safeguarding Personal: concluded Section 42 enquiries by whether the "
            "person was asked their desired outcomes",
            "Asked about desired outcomes",
            "Number",
            _count_by((r.msp_asked for r in concluded), ref.MSP_ASKED_CHOICES),
        )
    )
    built.append(
        _one_column(
            "msp_achieved",
            "Making Safeguarding Personal: desired outcomes achieved, where they were expressed",
            "Outcomes achieved",
            "Number",
            _count_by(
                (r.msp_achieved for r in concluded if r.msp_asked == ref.MSP_ASKED_EXPRESSED),
                ref.MSP_ACHIEVED_CHOICES,
                with_not_recorded=True,
            ),
        )
    )
    capacity = (("yes", "Lacked capacity"), ("no", "Did not lack capacity"))
    built.append(
        _one_column(
            "mental_capacity",
            "Concluded Section 42 enquiries by whether the person lacked capacity for the "
            "enquiry's decisions",
            "Mental capacity",
            "Number",
            _count_by(
                (
                    None if r.lacked_capacity is None else ("yes" if r.lacked_capacity else "no")
                    for r in concluded
                ),
                capacity,
                with_not_recorded=True,
            ),
        )
    )
    built.append(
        _one_column(
            "support",
            "Concluded Section 42 enquiries where the person lacked capacity, by who "
            "supported them",
            "Support",
            "Number",
            _count_by(
                (r.support or None for r in concluded if r.lacked_capacity),
                ref.SUPPORT_CHOICES,
                with_not_recorded=True,
            ),
        )
    )
    return built


# -- suppression -------------------------------------------------------------------------------


def publish(table: Table) -> PublishedTable:
    """The table with small counts, and the counts that would reveal them, as "*"."""
    hidden = suppressed_cells(table)
    rows = tuple(
        (
            label,
            tuple(SUPPRESSED if (row, col) in hidden else count for col, count in enumerate(cells)),
        )
        for row, (label, cells) in enumerate(table.rows)
    )
    return PublishedTable(table.key, table.title, table.row_heading, table.columns, rows)


def raw(table: Table) -> PublishedTable:
    return PublishedTable(table.key, table.title, table.row_heading, table.columns, table.rows)


def suppressed_cells(table: Table) -> set[tuple[int, int]]:
    """The cells to hide: primary (1 to 4), then secondary until no hidden cell is derivable."""
    value = {
        (row, col): count
        for row, (_, cells) in enumerate(table.rows)
        for col, count in enumerate(cells)
    }
    hidden = {cell for cell, count in value.items() if 0 < count < SMALLEST_SHOWN}
    lines = table.lines()
    while True:
        weak = _weak_line(lines, value, hidden)
        if weak is not None:
            hidden.add(_next_to_hide(weak, value, hidden))
            continue
        fixed = derivable(lines, value, hidden)
        if not fixed:
            return hidden
        cell = min(fixed)
        open_lines = [
            line
            for line in lines
            if cell in (*line[0], line[1]) and any(c not in hidden for c in (*line[0], line[1]))
        ]
        if open_lines:
            hidden.add(_next_to_hide(open_lines[0], value, hidden))
        else:
            # Fixed through other lines only: hide the smallest count still shown.
            shown = [c for c in value if c not in hidden]
            if not shown:
                return hidden
            hidden.add(min(shown, key=lambda c: (value[c], c)))


Line = tuple[list[tuple[int, int]], tuple[int, int]]


def _weak_line(
    lines: Sequence[Line], value: Mapping[tuple[int, int], int], hidden: set[tuple[int, int]]
) -> Line | None:
    for parts, total in lines:
        unknown = [cell for cell in [*parts, total] if cell in hidden]
        if len(unknown) == 1:
            return parts, total
        # Hidden counts are at least 1: if they add up to their number, each is 1.
        if total not in hidden and unknown and sum(value[c] for c in unknown) <= len(unknown):
            return parts, total
    return None


def _next_to_hide(
    line: Line, value: Mapping[tuple[int, int], int], hidden: set[tuple[int, int]]
) -> tuple[int, int]:
    parts, total = line
    candidates = [cell for cell in parts if cell not in hidden and value[cell] > 0]
    if candidates:
        return min(candidates, key=lambda cell: (value[cell], cell))
    if total not in hidden:
        return total
    # Only zeros left shown beside hidden cells: hiding a zero keeps the sum unknown.
    return min(cell for cell in parts if cell not in hidden)


def derivable(
    lines: Sequence[Line], value: Mapping[tuple[int, int], int], hidden: set[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The hidden cells a reader can work out exactly from the shown cells, by solving the
    lines (each: its parts add up to its total) as linear equations over the hidden cells."""
    unknowns = sorted(hidden)
    index = {cell: position for position, cell in enumerate(unknowns)}
    matrix: list[list[Fraction]] = []
    for parts, total in lines:
        row = [Fraction(0)] * len(unknowns)
        for cell, sign in [*((part, 1) for part in parts), (total, -1)]:
            if cell in index:
                row[index[cell]] += sign
        if any(row):
            matrix.append(row)
    reduced = _row_reduce(matrix, len(unknowns))
    # A cell is fixed when some equation of the reduced system mentions it alone.
    return {
        unknowns[next(col for col, x in enumerate(row) if x)]
        for row in reduced
        if sum(1 for x in row if x) == 1
    }


def _row_reduce(matrix: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """Reduced row echelon form (rows of zeros dropped)."""
    rows = [list(row) for row in matrix]
    pivot_row = 0
    for col in range(width):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][col]), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [x / lead for x in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col]:
                factor = rows[r][col]
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    return [row for row in rows[:pivot_row] if any(row)]


# -- output ------------------------------------------------------------------------------------

LONG_COLUMNS: Final = ("table", "row", "column", "value")


def long_rows(published: Sequence[PublishedTable]) -> list[dict[str, Cell]]:
    """Every cell as one row of a long table (table, row, column, value) for CSV and XLSX."""
    return [
        {"table": table.title, "row": label, "column": column, "value": cell}
        for table in published
        for label, cells in table.rows
        for column, cell in zip(table.columns, cells, strict=True)
    ]


def report_json(
    published: Sequence[PublishedTable], year: FinancialYear, *, raw: bool
) -> dict[str, Any]:
    return {
        "report": "Safeguarding Adults Collection",
        "year": str(year),
        "from": year.start.isoformat(),
        "to": year.end.isoformat(),
        "suppressed": not raw,
        "tables": [table.as_json() for table in published],
    }
