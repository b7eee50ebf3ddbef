"""`caseload allocate`: spreadsheets of cases and practitioners in, a proposal out, or every
problem by row and column with nothing written."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from caseload.cli import main
from caseload_engine import complexity
from caseload_engine.allocation import table as allocation_table
from caseload_engine.tabular import Row, Table, read_table
from caseload_engine.tiering import RowErrors
from tests.engine.commands import run_installed, status_and_django_modules

MODEL = complexity.default_model()
CASES = (
    "case_id,team,tier,points,previous_practitioner,required_skills,reserved,waiting_since,"
    "priority\n"
    "C1,Hospital Discharge,2,,P1,,no,2026-01-05,1\n"
    "C2,Hospital Discharge,3,,,,yes,05/02/2026,\n"
    "C3,Hospital Discharge,1,,,,,,3\n"
    "C4,Hospital Discharge,3,8,,amhp,,,\n"
    "C5,Review,1,,P9,,,,\n"
)
PRACTITIONERS = (
    "practitioner_id,team,role,fte,current_points,skills,available,name\n"
    "P1,Hospital Discharge,social_worker,1,60,,yes,Aisha Khan\n"
    "P2,Hospital Discharge,assistant,0.8,40,,,Sam Lee\n"
    "P3,Hospital Discharge,experienced,1,70,amhp;bia,no,Ben Ode\n"
)


def _files(tmp_path: Path, cases: str = CASES, practitioners: str = PRACTITIONERS) -> list[str]:
    (tmp_path / "cases.csv").write_text(cases, encoding="utf-8")
    (tmp_path / "staff.csv").write_text(practitioners, encoding="utf-8")
    return ["--cases", str(tmp_path / "cases.csv"), "--practitioners", str(tmp_path / "staff.csv")]


def _table(text: str) -> Table:
    header, *lines = text.splitlines()
    columns = header.split(",")
    rows = (
        Row(number, dict(zip(columns, line.split(","), strict=True)))
        for number, line in enumerate(lines, 2)
    )
    return Table(tuple(columns), tuple(rows))


# -- reading the tables ----------------------------------------------------------------------


def test_cases_take_defaults_from_the_model() -> None:
    cases = allocation_table.read_cases(MODEL, _table(CASES))
    assert [(c.case_id, c.tier, c.points, c.priority) for c in cases] == [
        ("C1", 2, Decimal(5), 1),
        ("C2", 3, Decimal(8), 2),
        ("C3", 1, Decimal(3), 3),
        ("C4", 3, Decimal(8), 2),
        ("C5", 1, Decimal(3), 2),
    ]
    first, second, _, fourth, fifth = cases
    assert (first.previous_practitioner, first.waiting_since, first.reserved) == (
        "P1",
        date(2026, 1, 5),
        False,
    )
    assert (second.reserved, second.waiting_since) == (True, date(2026, 2, 5))
    assert fourth.required_skills == frozenset({"amhp"})
    assert fifth.previous_practitioner == "P9"


def test_only_the_first_three_case_columns_are_needed() -> None:
    [case] = allocation_table.read_cases(MODEL, _table("Case ID,Team,TIER\nC1,Review,3\n"))
    assert (case.case_id, case.team, case.points, case.priority) == ("C1", "Review", Decimal(8), 2)
    assert (case.previous_practitioner, case.waiting_since, case.required_skills) == (
        None,
        None,
        frozenset(),
    )


def test_practitioners_take_capacity_from_the_model_unless_given() -> None:
    text = (
        "practitioner_id,team,role,fte,capacity_points,skills\n"
        "A,Review,asye,1,,bia; amhp\n"
        "B,Review,Social_Worker,0.5,,\n"
        "C,Review,experienced,,60.5,\n"
    )
    staff = allocation_table.read_practitioners(MODEL, _table(text))
    assert [(p.role, p.fte, p.capacity_points) for p in staff] == [
        ("asye", Decimal(1), Decimal("76.5")),
        ("social_worker", Decimal("0.5"), Decimal("42.5")),
        ("experienced", Decimal(1), Decimal("60.5")),
    ]
    assert staff[0].skills == frozenset({"bia", "amhp"})
    assert all(p.available and p.current_points == 0 for p in staff)


def test_every_bad_cell_is_named_by_row_and_column() -> None:
    text = (
        "case_id,team,tier,points,reserved,waiting_since,priority\n"
        "C1,,4,x,maybe,31/02/2026,0\n"
        "C1,Review,1,2.25,,,\n"
        ",Review,2,0,,,\n"
    )
    with pytest.raises(RowErrors) as raised:
        allocation_table.read_cases(MODEL, _table(text))
    assert [str(error) for error in raised.value.errors] == [
        "row 2, column \"tier\": tier must be one of 1, 2, 3, not '4'",
        'row 2, column "team": team is required',
        'row 2, column "points": points must be a number above 0, at most 10,000, with at '
        "most one decimal place, not 'x'",
        "row 2, column \"reserved\": reserved must be yes or no, not 'maybe'",
        'row 2, column "waiting_since": waiting_since must be a date such as 2026-03-02 or '
        "02/03/2026, not '31/02/2026'",
        "row 2, column \"priority\": priority must be 1 (the highest), 2 or 3, not '0'",
        "row 3, column \"case_id\": case_id must be unique: it is already used in row 2, not 'C1'",
        'row 3, column "points": points must be a number above 0, at most 10,000, with at '
        "most one decimal place, not '2.25'",
        'row 4, column "case_id": case_id is required',
        'row 4, column "points": points must be a number above 0, at most 10,000, with at '
        "most one decimal place, not '0'",
    ]


def test_practitioner_problems_and_missing_columns() -> None:
    text = (
        "practitioner_id,Role,fte,current_points,available\n"
        "P1,principal_social_worker,1.5,-1,perhaps\n"
        "P1,social worker,,,\n"
    )
    with pytest.raises(RowErrors) as raised:
        allocation_table.read_practitioners(MODEL, _table(text))
    assert [str(error) for error in raised.value.errors] == [
        "row 1, column \"team\": No column for team: add a column headed 'team'",
        'row 2, column "Role": role must be one of assistant, asye, social_worker, '
        "experienced, advanced, occupational_therapist, team_manager, not "
        "'principal_social_worker'",
        "row 2, column \"fte\": fte must be a number above 0 and at most 1, not '1.5'",
        'row 2, column "current_points": current_points must be a number of 0 or more, at '
        "most 10,000, with at most one decimal place, not '-1'",
        "row 2, column \"available\": available must be yes or no, not 'perhaps'",
        'row 3, column "practitioner_id": practitioner_id must be unique: it is already used '
        "in row 2, not 'P1'",
    ]


# -- the command -----------------------------------------------------------------------------


def test_a_proposal_is_written_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "proposal.csv"
    assert main(["allocate", *_files(tmp_path), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Proposed 3 of 5 cases into {out} (2 not allocated).",
        "Highest utilisation 86%; continuity kept for 1 of 2 cases with a previous practitioner.",
        "Proven optimal for the allocation objective.",
    ]
    table = read_table(out)
    assert table.columns == ("case_id", "practitioner_id", "reason")
    rows = {row.values["case_id"]: row.values for row in table.rows}
    assert rows["C1"]["practitioner_id"] == "P1"
    assert rows["C1"]["reason"] == (
        "Tier 2, 5 points, to Aisha Khan (social worker): their case before; 71% → 86% of capacity"
    )
    assert rows["C3"]["practitioner_id"] == "P2"
    assert rows["C4"] == {
        "case_id": "C4",
        "practitioner_id": "",
        "reason": "everyone in Hospital Discharge who could hold it is unavailable",
    }
    # An unknown previous practitioner is no problem: the case just has no continuity.
    assert rows["C5"]["reason"] == "no practitioners in Review"


def test_workbooks_in_and_out(tmp_path: Path) -> None:
    cases = openpyxl.Workbook()
    cases.active.append(["case_id", "team", "tier", "waiting_since", "priority"])
    cases.active.append(["C1", "Review", 2.0, datetime(2026, 2, 1), 1])
    cases.active.append([7, "Review", 1, None, None])
    cases.save(tmp_path / "cases.xlsx")
    staff = openpyxl.Workbook()
    staff.active.append(["practitioner_id", "team", "role", "fte", "current_points"])
    staff.active.append(["P1", "Review", "social_worker", 1, 10])
    staff.save(tmp_path / "staff.xlsx")
    arguments = ["--cases", str(tmp_path / "cases.xlsx")]
    arguments += ["--practitioners", str(tmp_path / "staff.xlsx")]
    assert main(["allocate", *arguments]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "cases-proposal.xlsx").worksheets[0]
    assert [[cell.value for cell in row][:2] for row in sheet.iter_rows()] == [
        ["case_id", "practitioner_id"],
        ["C1", "P1"],
        ["7", "P1"],
    ]


def test_json_summary_for_machines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "proposal.xlsx"
    assert main(["allocate", *_files(tmp_path), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {key: summary[key] for key in summary if key != "utilisation"} == {
        "written": True,
        "out": str(out),
        "cases": 5,
        "allocated": 3,
        "not_allocated": 2,
        "highest_utilisation": 0.8588,
        "continuity_kept": 1,
        "with_previous_practitioner": 2,
        "optimal": True,
        "stage_gaps": dict.fromkeys(
            ["work", "continuity", "highest_utilisation", "spread", "least_qualified"], 0.0
        ),
    }
    assert summary["utilisation"][0] == {
        "practitioner_id": "P1",
        "capacity_points": 85.0,
        "before_points": 60.0,
        "after_points": 73.0,
    }
    assert out.exists()


def test_bad_rows_in_both_files_are_listed_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = "case_id,team,tier\nC1,Review,9\nC1,Review,1\n"
    staff = "practitioner_id,team,role\nP1,Review,wizard\n"
    out = tmp_path / "proposal.csv"
    out.write_text("an earlier proposal\n", encoding="utf-8")
    assert main(["allocate", *_files(tmp_path, cases, staff), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{tmp_path / 'cases.csv'}: row 2, column \"tier\": tier must be one of 1, 2, 3, not '9'",
        f'{tmp_path / "cases.csv"}: row 3, column "case_id": case_id must be unique: it is '
        "already used in row 2, not 'C1'",
        f'{tmp_path / "staff.csv"}: row 2, column "role": role must be one of assistant, '
        "asye, social_worker, experienced, advanced, occupational_therapist, team_manager, not "
        "'wizard'",
        "3 problems; nothing written.",
    ]
    assert out.read_text(encoding="utf-8") == "an earlier proposal\n"


def test_problems_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _files(tmp_path, "case_id,tier\nC1,1\n")
    assert main(["allocate", *files, "--json"]) == 2
    assert json.loads(capsys.readouterr().out) == {
        "written": False,
        "errors": [
            {
                "file": str(tmp_path / "cases.csv"),
                "row": 1,
                "column": "team",
                "message": "No column for team: add a column headed 'team'",
            }
        ],
    }
    assert not (tmp_path / "cases-proposal.csv").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--out", "proposal.ods"], "{folder}/proposal.ods is not a .csv or .xlsx file"),
        (["--out", "cases.csv"], "{folder}/cases.csv: The proposal would overwrite an input"),
    ],
)
def test_output_problems_are_caught_before_anything_is_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    files = _files(tmp_path)
    paths = [name if name.startswith("--") else str(tmp_path / name) for name in arguments]
    assert main(["allocate", *files, *paths]) == 2
    assert capsys.readouterr().err.splitlines()[0].endswith(message.format(folder=tmp_path))
    assert (tmp_path / "cases.csv").read_text(encoding="utf-8") == CASES


def test_cross_team_and_a_time_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["allocate", *_files(tmp_path), "--cross-team", "--time-limit", "5"]
    assert main(arguments) == 0
    assert "Proposed 4 of 5 cases" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*arguments[:-1], "0"])


def test_the_search_stops_after_a_minute_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseload_engine import allocation

    limits: list[float | None] = []
    solve = allocation.allocate

    def recording(*args: object, time_limit_s: float | None = None) -> allocation.AllocationResult:
        limits.append(time_limit_s)
        return solve(*args, time_limit_s=time_limit_s)  # type: ignore[arg-type]

    monkeypatch.setattr(allocation, "allocate", recording)
    assert main(["allocate", *_files(tmp_path)]) == 0
    assert main(["allocate", *_files(tmp_path), "--time-limit", "2.5"]) == 0
    assert limits == [60.0, 2.5]


def test_the_installed_command_allocates_without_importing_django(tmp_path: Path) -> None:
    files = _files(tmp_path)
    run = run_installed("allocate", *files, "--out", tmp_path / "by-command.xlsx")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith("Proposed 3 of 5 cases into ")
    in_process = ["allocate", *files, "--out", str(tmp_path / "p.csv")]
    assert status_and_django_modules(in_process) == "0 []"


def _one_case(tier: str) -> str:
    return f"case_id,team,tier,points,reserved,waiting_since,priority\nC1,Review,{tier},2,,,\n"


# The files' numbers are ASCII only (points and capacity too), so a tier in Arabic-Indic digits
# is refused like the rest, not read as the digit.
@pytest.mark.parametrize("tier", ["²", "1" * 5000, "٣", "\uff13"])
def test_a_tier_in_digit_like_characters_is_named_not_a_traceback(tier: str) -> None:
    # str.isdigit() accepts a superscript, which int() cannot read; nor does int() read 5,000
    # digits.
    with pytest.raises(RowErrors) as raised:
        allocation_table.read_cases(MODEL, _table(_one_case(tier)))
    assert 'column "tier": tier must be one of 1, 2, 3' in str(raised.value.errors[0])
