"""The spreadsheet command and the web app give the same answer for the same data: sessions
and absences recorded in the app, exported to the command's files, read back by
`caseload supervision --json`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from caseload.cli import main
from caseload.register.models import Absence, Practitioner
from caseload.supervision.models import Session
from caseload.supervision.policies import standing_of
from tests.conftest import World
from tests.factories import PractitionerFactory
from tests.supervision_factories import SessionFactory

ON = date(2026, 12, 1)


def _people(w: World) -> list[Practitioner]:
    asye = PractitionerFactory.create(team=w.team_north, role="asye", start_date=date(2026, 9, 14))
    late = PractitionerFactory.create(
        team=w.team_north, role="experienced", start_date=date(2024, 1, 31)
    )
    away = PractitionerFactory.create(team=w.team_north, start_date=date(2025, 3, 3))
    for day, minutes in [(date(2026, 9, 21), 90), (date(2026, 9, 28), 60), (date(2026, 10, 9), 90)]:
        SessionFactory.create(supervisee=asye, supervisor=w.mona, held_on=day, minutes=minutes)
    # Every other month: sessions missed, so not compliant.
    for held in (date(2025, 12, 15), *(date(2026, month, 15) for month in (2, 4, 6, 8, 10))):
        SessionFactory.create(supervisee=late, supervisor=w.mona, held_on=held, minutes=95)
    SessionFactory.create(
        supervisee=away, supervisor=w.mona, held_on=date(2026, 10, 24), minutes=90
    )
    # The due date, Tuesday 24 Nov, falls inside this absence: due on the first working day
    # back, Monday 30 Nov.
    Absence.objects.create(
        practitioner=away,
        starts_on=date(2026, 11, 20),
        ends_on=date(2026, 11, 27),
        reason="annual_leave",
    )
    return [w.priya_practitioner, asye, late, away]


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def _export(people: list[Practitioner], folder: Path) -> list[str]:
    practitioners = folder / "p.csv"
    practitioners.write_text(
        "practitioner_id,role,started\n"
        + "".join(f"{p.pk},{p.role},{p.start_date.isoformat()}\n" for p in people)
    )
    sessions = folder / "s.csv"
    sessions.write_text(
        "practitioner_id,date,minutes\n"
        + "".join(
            f"{s.supervisee_id},{s.held_on.isoformat()},{s.minutes}\n"
            for s in Session.objects.filter(supervisee__in=people)
        )
    )
    absences = folder / "a.csv"
    absences.write_text(
        "practitioner_id,starts_on,ends_on\n"
        + "".join(
            f"{a.practitioner_id},{a.starts_on.isoformat()},{_iso(a.ends_on)}\n"
            for a in Absence.objects.filter(practitioner__in=people)
        )
    )
    return [
        "--practitioners",
        str(practitioners),
        "--sessions",
        str(sessions),
        "--absences",
        str(absences),
    ]


def test_the_command_and_the_app_give_the_same_due_dates(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = _people(world)
    assert main(["supervision", *_export(people, tmp_path), "--on", ON.isoformat(), "--json"]) == 0
    by_id = {row["practitioner_id"]: row for row in json.loads(capsys.readouterr().out)["due"]}
    for practitioner in people:
        app = standing_of(practitioner, on=ON)
        row = by_id[str(practitioner.pk)]
        assert row["next_due"] == (app.next_due.isoformat() if app.next_due else None)
        assert int(row["overdue_days"]) == app.overdue_days
        assert row["compliant"] == app.compliant
        assert row["policy"] == app.policy.key
        assert row["reason"] == app.reason
    # The data exercise the rules: an ASYE step, an overdue and non-compliant practitioner, a
    # due date moved past an absence.
    assert standing_of(people[1], on=ON).policy.key == "asye"
    assert not standing_of(people[2], on=ON).compliant
    assert standing_of(people[3], on=ON).next_due == date(2026, 11, 30)
