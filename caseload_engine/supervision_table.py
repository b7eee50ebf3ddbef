"""Spreadsheets in and out of `caseload supervision`: practitioners, sessions and absences in,
where each practitioner stands out, by the same `standing` the web app calls.

Every cell of every file is checked before anything is worked out, so that one run lists every
problem by file, row and column (caseload_engine.cells); headers match as there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from caseload_engine import supervision
from caseload_engine.cells import (
    CellProblem,
    Cells,
    day,
    find_columns,
    normal_heading,
    unique,
    yes_no,
)
from caseload_engine.reference import Role
from caseload_engine.tabular import Cell, Table
from caseload_engine.text import name_problem
from caseload_engine.tiering import RowError, RowErrors

PRACTITIONER_COLUMNS: Final = ("practitioner_id", "role", "started", "asye", "name")
PRACTITIONER_REQUIRED: Final = ("practitioner_id", "role", "started")
SESSION_COLUMNS: Final = ("practitioner_id", "date", "minutes")
ABSENCE_COLUMNS: Final = ("practitioner_id", "starts_on", "ends_on")
ABSENCE_REQUIRED: Final = ("practitioner_id", "starts_on")
DUE_COLUMNS: Final = (
    "practitioner_id",
    "policy",
    "last_session",
    "next_due",
    "overdue_days",
    "sessions_counted",
    "sessions_too_short",
    "compliant",
    "reason",
)
ROLES: Final = tuple(role.value for role in Role)
# Days a spreadsheet may give: wide for any record, and far from the ends of the calendar, so
# that adding a month or a year never leaves it.
EARLIEST: Final = date(1900, 1, 1)
LATEST: Final = date(2199, 12, 31)
# Minutes a session may last, as the web app's record allows: a whole working day at most.
MAX_MINUTES: Final = 600
MAX_ID_LENGTH: Final = 100
_MINUTES = re.compile(r"[0-9]{1,4}")  # ASCII digits: a spreadsheet reads no other script's


@dataclass(frozen=True)
class Supervised:
    """A practitioner from the practitioners file, with the policy that applies to them."""

    practitioner_id: str
    role: str
    started: date
    asye: bool
    name: str

    @property
    def policy(self) -> supervision.Policy:
        return supervision.default_policy_for(self.role, asye=self.asye)


def read_practitioners(table: Table) -> list[Supervised]:
    """The practitioners, or RowErrors listing every problem."""
    columns, errors = find_columns(table, PRACTITIONER_COLUMNS, PRACTITIONER_REQUIRED)
    found: list[Supervised] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        cells = Cells(row, columns, errors)
        practitioner_id = cells.required(
            "practitioner_id", _both(identifier, unique(seen, row.number))
        )
        role = cells.required("role", _role)
        started = cells.required("started", in_range)
        asye = cells.optional("asye", yes_no, False)
        name = cells.optional("name", _name, "")
        if practitioner_id is not None and role is not None and started is not None:
            found.append(Supervised(practitioner_id, role, started, asye, name))
    if errors:
        raise RowErrors(errors)
    return found


def read_sessions(
    table: Table, known: Collection[str] | None
) -> dict[str, list[supervision.Session]]:
    """Each practitioner's sessions, by id, or RowErrors. Every id must be one of `known` (the
    practitioners file's; None when that file has problems of its own, checked again once it
    reads)."""
    columns, errors = find_columns(table, SESSION_COLUMNS, SESSION_COLUMNS)
    found: dict[str, list[supervision.Session]] = {}
    for row in table.rows:
        cells = Cells(row, columns, errors)
        practitioner_id = cells.required("practitioner_id", _known(known))
        held_on = cells.required("date", in_range)
        minutes = cells.required("minutes", _minutes)
        if practitioner_id is not None and held_on is not None and minutes is not None:
            found.setdefault(practitioner_id, []).append(supervision.Session(held_on, minutes))
    if errors:
        raise RowErrors(errors)
    return found


def read_absences(
    table: Table, known: Collection[str] | None
) -> dict[str, list[supervision.Absence]]:
    """Each practitioner's absences, by id (ids as for `read_sessions`), or RowErrors. A blank
    `ends_on` is an absence still going on."""
    columns, errors = find_columns(table, ABSENCE_COLUMNS, ABSENCE_REQUIRED)
    found: dict[str, list[supervision.Absence]] = {}
    for row in table.rows:
        cells = Cells(row, columns, errors)
        practitioner_id = cells.required("practitioner_id", _known(known))
        starts_on = cells.required("starts_on", in_range)
        ends_on = cells.optional("ends_on", in_range, None)
        if starts_on is not None and ends_on is not None and ends_on < starts_on:
            message = f"ends_on must not be before starts_on ({starts_on.isoformat()})"
            errors.append(RowError(row.number, columns["ends_on"], message))
        elif practitioner_id is not None and starts_on is not None:
            absence = supervision.Absence(starts_on, ends_on)
            found.setdefault(practitioner_id, []).append(absence)
    if errors:
        raise RowErrors(errors)
    return found


def standings(
    practitioners: Sequence[Supervised],
    sessions: Mapping[str, Sequence[supervision.Session]],
    absences: Mapping[str, Sequence[supervision.Absence]],
    *,
    on: date,
) -> list[supervision.Standing]:
    """Each practitioner's standing on `on`, in the order given."""
    return [
        supervision.standing(
            practitioner.policy,
            started=practitioner.started,
            sessions=sessions.get(practitioner.practitioner_id, ()),
            absences=absences.get(practitioner.practitioner_id, ()),
            on=on,
        )
        for practitioner in practitioners
    ]


def due_row(practitioner: Supervised, standing: supervision.Standing) -> dict[str, Cell]:
    """One line of the output: dates as ISO text (blank for none), counts as numbers."""
    return {
        "practitioner_id": practitioner.practitioner_id,
        "policy": standing.policy.key,
        "last_session": _iso(standing.last_session),
        "next_due": _iso(standing.next_due),
        "overdue_days": standing.overdue_days,
        "sessions_counted": standing.sessions_counted,
        "sessions_too_short": standing.sessions_too_short,
        "compliant": "yes" if standing.compliant else "no",
        "reason": standing.reason,
    }


def in_range(cell: str) -> date:
    """A date, between EARLIEST and LATEST."""
    value = day(cell)
    if not EARLIEST <= value <= LATEST:
        raise CellProblem(f"must be a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}")
    return value


def identifier(cell: str) -> str:
    """An id as written, at most MAX_ID_LENGTH characters and with nothing hidden in it."""
    if len(cell) > MAX_ID_LENGTH:
        raise CellProblem(f"must be at most {MAX_ID_LENGTH} characters")
    if (problem := name_problem(cell)) is not None:
        raise CellProblem(problem)
    return cell


def _iso(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _both(first: Callable[[str], str], then: Callable[[str], str]) -> Callable[[str], str]:
    return lambda cell: then(first(cell))


def _known(known: Collection[str] | None) -> Callable[[str], str]:
    def check(cell: str) -> str:
        if known is not None and cell not in known:
            raise CellProblem("must be a practitioner_id in the practitioners file")
        return cell

    return check


def _role(cell: str) -> str:
    if normal_heading(cell) in ROLES:
        return normal_heading(cell)
    raise CellProblem(f"must be one of {', '.join(ROLES)}")


def _minutes(cell: str) -> int:
    if _MINUTES.fullmatch(cell) and 1 <= int(cell) <= MAX_MINUTES:
        return int(cell)
    raise CellProblem(f"must be a whole number of minutes from 1 to {MAX_MINUTES}")


def _name(cell: str) -> str:
    if (problem := name_problem(cell)) is not None:
        raise CellProblem(problem)
    return cell
