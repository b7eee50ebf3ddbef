"""`caseload plan`: a scenario in, the plan out as text, as JSON with the issue's keys, or as
a spreadsheet; a bad scenario refused by key path with nothing simulated; no Django."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from caseload.cli import main
from caseload_engine.tabular import read_table
from tests.engine.commands import run_installed, status_and_django_modules
from tests.engine.test_planning import EXAMPLE, scenario_data

ESTIMATE_KEYS = {"mean", "ci"}
TIER_KEYS = {
    "tier",
    "open_cases",
    "waiting_cases",
    "wait_days",
    "p_wait",
    "within_target",
    "open_cases_expected",
}


def _scenario(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario_data(replications=20, **changes)), encoding="utf-8")
    return path


def test_json_has_the_issues_keys_with_intervals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(_scenario(tmp_path)), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [tier["tier"] for tier in document["tiers"]] == [1, 2]
    for tier in document["tiers"]:
        assert set(tier) == TIER_KEYS
        for measure in TIER_KEYS - {"tier", "open_cases_expected"}:
            assert set(tier[measure]) == ESTIMATE_KEYS
            low, high = tier[measure]["ci"]
            assert low <= tier[measure]["mean"] <= high
    assert document["tiers"][0]["open_cases_expected"] == 36
    assert [role["role"] for role in document["roles"]] == ["assistant", "social_worker"]
    for role in document["roles"]:
        assert set(role["utilisation"]) == ESTIMATE_KEYS
    assert document["cost"] == 32000 + 3 * 45000
    assert document["service_level"] == {"within_days": 14, "share": 0.9}
    assert "staffing" not in document


def test_text_says_the_answer_and_the_spreadsheet_holds_every_measure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(_scenario(tmp_path)), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Tier 1: " in printed
    assert "Little's law: 36.0" in printed
    assert "Social worker: 3 FTE" in printed
    assert "Cost £167,000 a year." in printed
    assert f"Written into {out}." in printed
    table = read_table(out)
    assert table.columns == ("section", "name", "measure", "mean", "ci_low", "ci_high")
    measures = {(row.values["name"], row.values["measure"]) for row in table.rows}
    assert ("Tier 2", "within_target") in measures
    assert ("social_worker", "utilisation") in measures
    assert ("establishment", "cost") in measures


def test_search_adds_the_least_cost_staffing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _scenario(tmp_path, weeks=52, warm_up_weeks=8)
    out = tmp_path / "plan.csv"
    assert main(["plan", str(scenario), "--search", "--json", "--out", str(out)]) == 0
    staffing = json.loads(capsys.readouterr().out)["staffing"]
    assert set(staffing["fte"]) == {"assistant", "social_worker"}
    assert staffing["meets_service_level"] is True
    assert (
        staffing["cost"]
        == 32000 * staffing["fte"]["assistant"] + 45000 * staffing["fte"]["social_worker"]
    )
    assert any(row.values["section"] == "staffing" for row in read_table(out).rows)
    assert main(["plan", str(scenario), "--search"]) == 0
    assert "Least-cost staffing found: " in capsys.readouterr().out


def test_a_bad_scenario_is_refused_by_key_path_with_nothing_simulated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = scenario_data()
    data["tiers"][1]["duration_weeks"]["mean"] = 0
    source = tmp_path / "bad.yaml"
    source.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(source), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert f"{source}: tiers[2].duration_weeks.mean: must be > 0" in error
    assert not out.exists()
    assert main(["plan", str(source), "--json"]) == 2
    refused = json.loads(capsys.readouterr().out)
    assert refused["written"] is False
    assert refused["errors"][0]["message"].endswith("tiers[2].duration_weeks.mean: must be > 0")


def test_an_output_that_is_no_spreadsheet_or_the_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _scenario(tmp_path)
    assert main(["plan", str(source), "--out", str(tmp_path / "plan.pdf")]) == 2
    assert "is not a .csv or .xlsx file" in capsys.readouterr().err
    same = tmp_path / "scenario.csv"
    same.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["plan", str(same), "--out", str(same)]) == 2
    assert "The plan would overwrite an input" in capsys.readouterr().err
    assert main(["plan", str(source), "--model", str(tmp_path / "none.yaml")]) == 2
    assert "Cannot read the model" in capsys.readouterr().err
    nowhere = tmp_path / "missing" / "plan.xlsx"
    assert main(["plan", str(source), "--out", str(nowhere), "--json"]) == 2
    refused = json.loads(capsys.readouterr().out)
    assert refused["errors"][0]["message"].startswith(f"Cannot write {nowhere}")


def test_plan_runs_without_django_and_as_installed(tmp_path: Path) -> None:
    source = _scenario(tmp_path)
    assert status_and_django_modules(["plan", str(source), "--json"]) == "0 []"
    run = run_installed("plan", EXAMPLE, "--json")
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert [tier["tier"] for tier in document["tiers"]] == [1, 2, 3]
    assert document["meets_service_level"] is True
