"""`caseload forecast`: requests per week in, grouped by the other columns, each group's
forecast and interval out, with its method and backtest error said; every problem by file, row
and column with nothing written."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from caseload.cli import main
from tests.engine.commands import run_installed, status_and_django_modules

FIRST = date(2024, 1, 1)  # a Monday


def weekly_rows(team: str, weeks: int, seed: int, tier: str = "2") -> list[list[str]]:
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    counts = np.maximum(0, np.round(40 + 0.1 * t + 10 * np.sin(2 * np.pi * t / 52)))
    counts = counts + rng.integers(-4, 5, weeks)
    return [
        [team, (FIRST + timedelta(weeks=i)).isoformat(), str(max(0, int(counts[i]))), tier]
        for i in range(weeks)
    ]


def write_csv(path: Path, rows: list[list[str]], header: str = "team,week,requests,tier") -> Path:
    path.write_text(header + "\n" + "".join(",".join(row) + "\n" for row in rows))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_each_group_is_forecast_into_the_file_with_its_method_said(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "weekly.csv",
        weekly_rows("North", 156, seed=1) + weekly_rows("South", 120, seed=2),
    )
    target = tmp_path / "forecast.csv"
    run = run_installed("forecast", source, "--weeks", "6", "--out", target)
    assert run.returncode == 0, run.stderr
    rows = read_csv(target)
    assert list(rows[0]) == ["team", "tier", "week", "forecast", "lower", "upper"]
    assert [(row["team"], row["week"]) for row in rows[:2]] == [
        ("North", "2026-12-28"),  # the week after the last, 2026-12-21
        ("North", "2027-01-04"),
    ]
    assert [row["team"] for row in rows] == ["North"] * 6 + ["South"] * 6
    assert all(
        0 <= float(row["lower"]) <= float(row["forecast"]) <= float(row["upper"]) for row in rows
    )
    lines = run.stdout.splitlines()
    assert lines[0].startswith("team North, tier 2: ")
    assert "Backtest MASE over the last 12 weeks held out: " in lines[0]
    assert "seasonal naive " in lines[0]
    assert lines[1].startswith("team South, tier 2: ")
    assert lines[-1] == (
        f"Wrote 6 weeks of forecasts for 2 groups into {target}, with 80% prediction intervals."
    )


def test_a_group_with_too_few_weeks_is_named_and_the_others_still_forecast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(
        tmp_path / "weekly.csv",
        weekly_rows("North", 110, seed=1) + weekly_rows("South", 60, seed=2, tier="3"),
    )
    target = tmp_path / "forecast.csv"
    assert main(["forecast", str(source), "--out", str(target)]) == 1
    out, err = capsys.readouterr()
    assert err == (
        "team South, tier 3: not forecast. The series has 60 weeks; a forecast with annual "
        "seasonality needs at least 104 (two years), 44 more.\n"
    )
    assert "team North, tier 2: " in out
    assert {row["team"] for row in read_csv(target)} == {"North"}
    assert len(read_csv(target)) == 12


def test_with_no_group_long_enough_the_file_has_the_header_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "weekly.csv", weekly_rows("North", 50, seed=1))
    assert main(["forecast", str(source)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("team North, tier 2: not forecast. The series has 50 weeks")
    assert captured.out.endswith(
        "Wrote 12 weeks of forecasts for 0 groups into "
        f"{tmp_path / 'weekly-forecast.csv'}, with 80% prediction intervals.\n"
    )
    assert (tmp_path / "weekly-forecast.csv").read_text(encoding="utf-8-sig") == (
        "team,tier,week,forecast,lower,upper\n"
    )


def test_without_group_columns_the_whole_file_is_one_series_and_gaps_are_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row[1:3] for row in weekly_rows("", 130, seed=4)]
    del rows[40:42]  # two weeks with no row
    source = write_csv(tmp_path / "weekly.csv", rows, header="Week,Requests")
    assert main(["forecast", str(source), "--weeks", "3", "--level", "0.95"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("all rows: ")
    assert "  2 weeks with no row, taken as 0 requests.\n" in out
    assert "with 95% prediction intervals" in out
    written = read_csv(tmp_path / "weekly-forecast.csv")
    assert list(written[0]) == ["week", "forecast", "lower", "upper"]
    assert len(written) == 3


def test_xlsx_in_and_out(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["team", "week", "requests"])
    for team, week, requests, _tier in weekly_rows("North", 110, seed=3):
        sheet.append([team, date.fromisoformat(week), int(requests)])
    source = tmp_path / "weekly.xlsx"
    workbook.save(source)
    target = tmp_path / "forecast.xlsx"
    assert main(["forecast", str(source), "--out", str(target), "--weeks", "2"]) == 0
    written = openpyxl.load_workbook(target, read_only=True).worksheets[0]
    rows = list(written.iter_rows(values_only=True))
    assert rows[0] == ("team", "week", "forecast", "lower", "upper")
    assert len(rows) == 3
    assert rows[1][0] == "North"
    assert all(isinstance(value, int | float) for value in rows[1][2:])


def test_json_gives_every_forecast_and_writes_no_file_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(
        tmp_path / "weekly.csv",
        weekly_rows("North", 120, seed=5) + weekly_rows("South", 90, seed=6),
    )
    assert main(["forecast", str(source), "--weeks", "2", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert (document["written"], document["out"], document["weeks"]) == (False, None, 2)
    assert (document["level"], document["backtest_weeks"]) == (0.8, 12)
    (north,) = document["groups"]
    assert north["group"] == {"team": "North", "tier": "2"}
    assert north["method"] in ("holt_winters", "seasonal_naive")
    assert north["naive_mase"] > 0
    assert [week["week"] for week in north["forecast"]] == ["2026-04-20", "2026-04-27"]
    assert set(north["forecast"][0]) == {"week", "forecast", "lower", "upper"}
    assert document["refused"] == [
        {
            "group": {"team": "South", "tier": "2"},
            "message": "The series has 90 weeks; a forecast with annual seasonality needs at "
            "least 104 (two years), 14 more.",
        }
    ]
    assert list(tmp_path.iterdir()) == [source]


def test_every_bad_cell_is_reported_by_row_and_column_and_nothing_written(
    tmp_path: Path,
) -> None:
    rows = weekly_rows("North", 110, seed=1)
    rows[0][1] = "2024-01-02"  # a Tuesday
    rows[1][1] = "2024-02-30"
    rows[2][2] = "-3"
    rows[3][2] = "2.5"
    rows[4][2] = "٣"  # an Arabic-Indic three: not a digit a spreadsheet reads
    rows[5][1] = rows[6][1]  # the same week twice for North, tier 2
    rows[7][2] = ""
    rows[8][0] = "North\u202e"  # a bidirectional control in a group's name
    source = write_csv(tmp_path / "weekly.csv", rows)
    target = tmp_path / "forecast.csv"
    run = run_installed("forecast", source, "--out", target)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        f'{source}: row 2, column "week": week must be a Monday, the week\'s first day (this '
        "is a Tuesday), not '2024-01-02'",
        f'{source}: row 3, column "week": week must be a date such as 2026-03-02 or '
        "02/03/2026, not '2024-02-30'",
        f'{source}: row 4, column "requests": requests must be a whole number from 0 to '
        "1,000,000, not '-3'",
        f'{source}: row 5, column "requests": requests must be a whole number from 0 to '
        "1,000,000, not '2.5'",
        f'{source}: row 6, column "requests": requests must be a whole number from 0 to '
        "1,000,000, not '٣'",
        f'{source}: row 8, column "week": week 2024-02-12 is already in row 7 for the same group',
        f'{source}: row 9, column "requests": requests is required',
        f'{source}: row 10, column "team": team must not contain characters that change the '
        "direction of text, not 'North\\u202e'",
        "8 problems; nothing written.",
    ]
    assert not target.exists()


def test_the_same_week_in_two_groups_is_no_duplicate(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "weekly.csv",
        weekly_rows("North", 104, seed=1) + weekly_rows("North", 104, seed=1, tier="3"),
    )
    assert main(["forecast", str(source), "--weeks", "1"]) == 0
    assert len(read_csv(tmp_path / "weekly-forecast.csv")) == 2


def test_missing_columns_and_a_bad_output_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "weekly.csv", [["North", "2026-01-05"]], header="team,date")
    assert main(["forecast", str(source), "--out", str(tmp_path / "out.txt")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'out.txt'} is not a .csv or .xlsx file",
        f"{source}: row 1, column \"week\": No column for week: add a column headed 'week'",
        f'{source}: row 1, column "requests": No column for requests: add a column headed '
        "'requests'",
        "3 problems; nothing written.",
    ]
    assert main(["forecast", str(source), "--out", str(source)]) == 2
    assert "The output would overwrite the input" in capsys.readouterr().err


def test_a_column_the_output_has_too_is_refused_as_a_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [[*row, "40"] for row in weekly_rows("North", 104, seed=1)]
    source = write_csv(tmp_path / "weekly.csv", rows, header="team,week,requests,tier,Forecast")
    assert main(["forecast", str(source)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{source}: row 1, column \"Forecast\": A column headed 'Forecast' would be a group, and "
        "the output has its own forecast column: rename or remove it",
        "1 problem; nothing written.",
    ]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--weeks", "0"), ("--weeks", "53"), ("--weeks", "٣"), ("--level", "1"), ("--level", "x")],
)
def test_a_horizon_or_level_out_of_range_is_refused_before_reading(
    tmp_path: Path, option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["forecast", str(tmp_path / "none.csv"), option, value])
    assert exited.value.code == 2


def test_it_runs_without_django(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "weekly.csv", weekly_rows("North", 104, seed=1))
    assert status_and_django_modules(["forecast", str(source), "--weeks", "1"]) == "0 []"
