"""Spreadsheets in and out of `caseload allocate`: waiting cases, practitioners, the proposal.

Headers match ignoring case, surrounding spaces, and spaces or hyphens for underscores
("Case ID" is `case_id`); other columns are ignored. Every cell is checked before anything is
allocated, so that one run lists every problem by row and column (as `tiering` does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from caseload_engine.allocation.records import (
    AllocationResult,
    CaseToAllocate,
    PractitionerCapacity,
)
from caseload_engine.complexity import ComplexityModel
from caseload_engine.reference import Role
from caseload_engine.tabular import HEADER_ROW, Cell, Row, Table, is_plain_number
from caseload_engine.tiering import RowError, RowErrors

CASE_COLUMNS = (
    "case_id",
    "team",
    "tier",
    "points",
    "previous_practitioner",
    "required_skills",
    "reserved",
    "waiting_since",
    "priority",
)
CASE_REQUIRED = ("case_id", "team", "tier")
PRACTITIONER_COLUMNS = (
    "practitioner_id",
    "team",
    "role",
    "fte",
    "current_points",
    "capacity_points",
    "skills",
    "available",
    "name",
)
PRACTITIONER_REQUIRED = ("practitioner_id", "team", "role")
PROPOSAL_COLUMNS = ("case_id", "practitioner_id", "reason")
# The roles a spreadsheet may give: the case holders and team managers.
ROLES = tuple(role.value for role in Role if role != Role.PRINCIPAL_SOCIAL_WORKER)
DEFAULT_PRIORITY = 2
# The most points a case, a caseload or a capacity may have: a full-time practitioner's
# capacity is about 100, and the solver multiplies points by weights in 64-bit integers.
MAX_POINTS = Decimal(10_000)
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

T = TypeVar("T")
D = TypeVar("D")


class _Bad(ValueError):
    """A cell that cannot be read; the message says what it should hold."""


def read_cases(model: ComplexityModel, table: Table) -> list[CaseToAllocate]:
    """The waiting cases, or RowErrors listing every problem."""
    columns, errors = _columns(table, CASE_COLUMNS, CASE_REQUIRED)
    tiers = sorted(band.tier for band in model.tiers)
    cases: list[CaseToAllocate] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        cells = _Cells(row, columns, errors)
        tier = cells.required("tier", _tier(tiers))
        # A missing tier is reported already; its points then matter no more.
        usual_points = Decimal(model.band(tier).points if tier else 0)
        cases.append(
            CaseToAllocate(
                case_id=cells.required("case_id", _unique(seen, row.number)) or "",
                team=cells.required("team", _text) or "",
                tier=tier or 0,
                points=cells.optional("points", _points(above_zero=True), usual_points),
                required_skills=cells.optional("required_skills", _names, frozenset()),
                reserved=cells.optional("reserved", _yes_no, False),
                previous_practitioner=cells.optional("previous_practitioner", _text, None),
                waiting_since=cells.optional("waiting_since", _date, None),
                priority=cells.optional("priority", _priority, DEFAULT_PRIORITY),
            )
        )
    if errors:
        raise RowErrors(errors)
    return cases


def read_practitioners(model: ComplexityModel, table: Table) -> list[PractitionerCapacity]:
    """The practitioners, with the model's capacity for their role and FTE unless a
    `capacity_points` column gives it, or RowErrors listing every problem."""
    columns, errors = _columns(table, PRACTITIONER_COLUMNS, PRACTITIONER_REQUIRED)
    practitioners: list[PractitionerCapacity] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        cells = _Cells(row, columns, errors)
        role = cells.required("role", _role)
        fte = cells.optional("fte", _fte, Decimal(1))
        usual_capacity = model.capacity.points_for(role, fte) if role else Decimal(0)
        practitioners.append(
            PractitionerCapacity(
                practitioner_id=cells.required("practitioner_id", _unique(seen, row.number)) or "",
                team=cells.required("team", _text) or "",
                role=role or "",
                fte=fte,
                capacity_points=cells.optional(
                    "capacity_points", _points(above_zero=False), usual_capacity
                ),
                current_points=cells.optional(
                    "current_points", _points(above_zero=False), Decimal(0)
                ),
                skills=cells.optional("skills", _names, frozenset()),
                available=cells.optional("available", _yes_no, True),
                name=cells.optional("name", _text, ""),
            )
        )
    if errors:
        raise RowErrors(errors)
    return practitioners


def proposal_rows(result: AllocationResult) -> list[dict[str, Cell]]:
    return [
        {
            "case_id": proposal.case_id,
            "practitioner_id": proposal.practitioner_id or "",
            "reason": proposal.reason,
        }
        for proposal in result.proposals
    ]


def _normal(heading: str) -> str:
    return heading.strip().casefold().replace(" ", "_").replace("-", "_")


def _columns(
    table: Table, known: Sequence[str], required: Sequence[str]
) -> tuple[dict[str, str], list[RowError]]:
    """Each known column's heading in the table, and a header error for each one missing."""
    found: dict[str, str] = {}
    errors = []
    for heading in table.columns:
        name = _normal(heading)
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


class _Cells:
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
        except _Bad as bad:
            self.errors.append(RowError(self.row.number, heading, f"{name} {bad}, not {text!r}"))
            return None


def _text(text: str) -> str:
    return text


def _names(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(";") if part.strip())


def _unique(seen: dict[str, int], number: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text in seen:
            raise _Bad(f"must be unique: it is already used in row {seen[text]}")
        seen[text] = number
        return text

    return check


def _tier(tiers: Sequence[int]) -> Callable[[str], int]:
    names = {str(tier): tier for tier in tiers}

    def check(text: str) -> int:
        if text in names:
            return names[text]
        raise _Bad(f"must be one of {', '.join(names)}")

    return check


def _number(text: str) -> Decimal:
    """A plain number of at most a million: arithmetic on 1e99999999 overflows Decimal."""
    if not is_plain_number(text):
        raise _Bad("must be a number")
    value = Decimal(text)
    if value.copy_abs() > 1_000_000:
        raise _Bad("must be a number")
    return value


def _points(*, above_zero: bool) -> Callable[[str], Decimal]:
    wanted = "above 0" if above_zero else "of 0 or more"
    message = f"must be a number {wanted}, at most {MAX_POINTS:,}, with at most one decimal place"

    def check(text: str) -> Decimal:
        try:
            value = _number(text)
        except _Bad:
            raise _Bad(message) from None
        if not (value > 0 if above_zero else value >= 0) or value > MAX_POINTS:
            raise _Bad(message)
        if value * 10 != int(value * 10):
            raise _Bad(message)
        return value

    return check


def _fte(text: str) -> Decimal:
    try:
        value = _number(text)
    except _Bad:
        value = Decimal(-1)
    if not 0 < value <= 1:
        raise _Bad("must be a number above 0 and at most 1")
    return value


def _role(text: str) -> str:
    if _normal(text) in ROLES:
        return _normal(text)
    raise _Bad(f"must be one of {', '.join(ROLES)}")


def _yes_no(text: str) -> bool:
    if text.casefold() in _YES:
        return True
    if text.casefold() in _NO:
        return False
    raise _Bad("must be yes or no")


def _priority(text: str) -> int:
    if text in ("1", "2", "3"):
        return int(text)
    raise _Bad("must be 1 (the highest), 2 or 3")


def _date(text: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    try:  # a spreadsheet's date and time, as XLSX cells arrive
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise _Bad("must be a date such as 2026-03-02 or 02/03/2026") from None
