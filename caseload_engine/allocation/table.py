"""Spreadsheets in and out of `caseload allocate`: waiting cases, practitioners, the proposal.

Headers match ignoring case, surrounding spaces, and spaces or hyphens for underscores
("Case ID" is `case_id`); other columns are ignored. Every cell is checked before anything is
allocated, so that one run lists every problem by row and column (as `tiering` does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from caseload_engine.allocation.records import (
    AllocationResult,
    CaseToAllocate,
    PractitionerCapacity,
)
from caseload_engine.cells import (
    CellProblem,
    Cells,
    any_text,
    day,
    find_columns,
    normal_heading,
    number,
    unique,
    yes_no,
)
from caseload_engine.complexity import ComplexityModel
from caseload_engine.reference import Role
from caseload_engine.tabular import Cell, Table
from caseload_engine.tiering import RowErrors

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


def read_cases(model: ComplexityModel, table: Table) -> list[CaseToAllocate]:
    """The waiting cases, or RowErrors listing every problem."""
    columns, errors = find_columns(table, CASE_COLUMNS, CASE_REQUIRED)
    tiers = sorted(band.tier for band in model.tiers)
    cases: list[CaseToAllocate] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        cells = Cells(row, columns, errors)
        tier = cells.required("tier", _tier(tiers))
        # A missing tier is reported already; its points then matter no more.
        usual_points = Decimal(model.band(tier).points if tier else 0)
        cases.append(
            CaseToAllocate(
                case_id=cells.required("case_id", unique(seen, row.number)) or "",
                team=cells.required("team", any_text) or "",
                tier=tier or 0,
                points=cells.optional("points", _points(above_zero=True), usual_points),
                required_skills=cells.optional("required_skills", _names, frozenset()),
                reserved=cells.optional("reserved", yes_no, False),
                previous_practitioner=cells.optional("previous_practitioner", any_text, None),
                waiting_since=cells.optional("waiting_since", day, None),
                priority=cells.optional("priority", _priority, DEFAULT_PRIORITY),
            )
        )
    if errors:
        raise RowErrors(errors)
    return cases


def read_practitioners(model: ComplexityModel, table: Table) -> list[PractitionerCapacity]:
    """The practitioners, with the model's capacity for their role and FTE unless a
    `capacity_points` column gives it, or RowErrors listing every problem."""
    columns, errors = find_columns(table, PRACTITIONER_COLUMNS, PRACTITIONER_REQUIRED)
    practitioners: list[PractitionerCapacity] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        cells = Cells(row, columns, errors)
        role = cells.required("role", _role)
        fte = cells.optional("fte", _fte, Decimal(1))
        usual_capacity = model.capacity.points_for(role, fte) if role else Decimal(0)
        practitioners.append(
            PractitionerCapacity(
                practitioner_id=cells.required("practitioner_id", unique(seen, row.number)) or "",
                team=cells.required("team", any_text) or "",
                role=role or "",
                fte=fte,
                capacity_points=cells.optional(
                    "capacity_points", _points(above_zero=False), usual_capacity
                ),
                current_points=cells.optional(
                    "current_points", _points(above_zero=False), Decimal(0)
                ),
                skills=cells.optional("skills", _names, frozenset()),
                available=cells.optional("available", yes_no, True),
                name=cells.optional("name", any_text, ""),
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


def _names(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(";") if part.strip())


def _tier(tiers: Sequence[int]) -> Callable[[str], int]:
    names = {str(tier): tier for tier in tiers}

    def check(text: str) -> int:
        if text in names:
            return names[text]
        raise CellProblem(f"must be one of {', '.join(names)}")

    return check


def _points(*, above_zero: bool) -> Callable[[str], Decimal]:
    wanted = "above 0" if above_zero else "of 0 or more"
    message = f"must be a number {wanted}, at most {MAX_POINTS:,}, with at most one decimal place"

    def check(text: str) -> Decimal:
        try:
            value = number(text)
        except CellProblem:
            raise CellProblem(message) from None
        if not (value > 0 if above_zero else value >= 0) or value > MAX_POINTS:
            raise CellProblem(message)
        if value * 10 != int(value * 10):
            raise CellProblem(message)
        return value

    return check


def _fte(text: str) -> Decimal:
    try:
        value = number(text)
    except CellProblem:
        value = Decimal(-1)
    if not 0 < value <= 1:
        raise CellProblem("must be a number above 0 and at most 1")
    return value


def _role(text: str) -> str:
    if normal_heading(text) in ROLES:
        return normal_heading(text)
    raise CellProblem(f"must be one of {', '.join(ROLES)}")


def _priority(text: str) -> int:
    if text in ("1", "2", "3"):
        return int(text)
    raise CellProblem("must be 1 (the highest), 2 or 3")
