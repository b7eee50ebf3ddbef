"""`caseload calibrate`: case histories in, a scenario `caseload plan` reads out and the fit
table printed; a bad row refused by row and column with nothing written; no Django."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from caseload.cli import main
from caseload_engine.planning import demo_history, read_file
from caseload_engine.planning.history_table import COLUMNS
from caseload_engine.tabular import read_table, write_table
from tests.engine.commands import status_and_django_modules

UNTIL = date(2026, 12, 1)


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("calibrate") / "history.csv"
    found = demo_history.history(until=UNTIL, weeks=52, seed=4, teams=("North", "South"), scale=0.1)
    write_table(
        path,
        COLUMNS,
        [
            {
                "tier": h.tier,
                "team": h.team,
                "requested_on": h.requested_on.isoformat(),
                "allocated_on": h.allocated_on.isoformat() if h.allocated_on else "",
                "closed_on": h.closed_on.isoformat() if h.closed_on else "",
            }
            for h in found
        ],
    )
    return path


def test_writes_a_scenario_plan_reads_and_prints_the_fits(
    histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scenario.yaml"
    arguments = [str(histories), "--out", str(out), "--weeks", "52", "--fte", "social_worker=30"]
    assert main(["calibrate", *arguments, "--until", UNTIL.isoformat(), "--by-team"]) == 0
    printed = capsys.readouterr().out
    assert "Tier 1, all teams:" in printed
    assert "Tier 3, South:" in printed
    assert "observed (Kaplan-Meier)" in printed
    assert "(chosen)" in printed
    scenario = read_file(out)
    assert [tier.tier for tier in scenario.tiers] == [1, 2, 3]
    assert next(role for role in scenario.roles if role.role == "social_worker").fte == 30
    assert main(["plan", str(out), "--json"]) == 0


def test_json_and_the_window_from_the_file(
    histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.yaml"
    assert main(["calibrate", str(histories), "--out", str(out), "--weeks", "52", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["written"] == str(out)
    assert [tier["tier"] for tier in document["scenario"]["tiers"]] == [1, 2, 3]
    distributions = {row["distribution"] for row in document["fits"]}
    assert distributions == {"observed (Kaplan-Meier)", "exponential", "lognormal"}


def test_bad_rows_are_named_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "tier,team,requested_on,allocated_on,closed_on\n"
        "1,North,2026-01-05,2026-01-06,2026-02-01\n"
        "٣,North,2026-01-05,,\n"  # an Arabic-Indic three
        "2,North,2026-13-01,,\n"
        "2,North,2026-03-01,2026-02-01,\n"
        "99999999999999999999,North,2026-03-01,,\n"
        "2,Nor\x07th,2026-03-01,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "s.yaml"
    assert main(["calibrate", str(source), "--out", str(out)]) == 2
    errors = capsys.readouterr().err
    assert 'row 3, column "tier": tier must be a whole number from 1' in errors
    assert 'row 4, column "requested_on"' in errors
    assert 'row 5, column "allocated_on": allocated_on must not be before requested_on' in errors
    assert 'row 6, column "tier"' in errors
    assert 'row 7, column "team"' in errors
    assert "nothing written" in errors
    assert not out.exists()


def test_refusals_before_anything_is_fitted(
    histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calibrate", str(histories), "--out", str(tmp_path / "s.txt")]) == 2
    assert "is not a .yaml file" in capsys.readouterr().err
    assert main(["calibrate", str(histories), "--fte", "wizard=3"]) == 2
    assert "--fte 'wizard=3'" in capsys.readouterr().err
    assert main(["calibrate", str(histories), "--fte", "social_worker=1e400"]) == 2
    capsys.readouterr()
    old = ["calibrate", str(histories), "--until", "2000-01-01", "--out", str(tmp_path / "o.yaml")]
    assert main(old) == 2
    assert "No requests" in capsys.readouterr().err
    assert not (tmp_path / "o.yaml").exists()
    with pytest.raises(SystemExit):
        main(["calibrate", str(histories), "--weeks", "\uff10"])  # a full-width zero


def test_runs_without_django(histories: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.yaml"
    assert status_and_django_modules(["calibrate", str(histories), "--out", str(out)]) == "0 []"


def test_reads_a_spreadsheet_too(histories: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "history.xlsx"
    write_table(workbook, COLUMNS, [dict(row.values) for row in read_table(histories).rows])
    csv_out, xlsx_out = tmp_path / "from-csv.yaml", tmp_path / "from-xlsx.yaml"
    assert main(["calibrate", str(histories), "--out", str(csv_out), "--json"]) == 0
    assert main(["calibrate", str(workbook), "--out", str(xlsx_out), "--json"]) == 0
    assert read_file(csv_out) == read_file(xlsx_out)


def test_the_empirical_list_instead_of_the_fit(histories: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.yaml"
    assert main(["calibrate", str(histories), "--out", str(out), "--empirical", "--json"]) == 0
    for tier in read_file(out).tiers:
        assert tier.duration_weeks.distribution == "empirical"
        assert len(tier.duration_weeks.weeks) == 100
