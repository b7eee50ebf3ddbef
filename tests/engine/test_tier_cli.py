"""`caseload tier`: a spreadsheet of factor scores in, totals and tiers out, or every problem."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from caseload.cli import main
from caseload_engine import complexity
from caseload_engine.tabular import Row, Table, read_table, write_table
from caseload_engine.tiering import RowError, RowErrors, output_columns, score_table
from tests.engine.commands import run_installed, status_and_django_modules

DEFAULT = complexity.default_model()
FACTORS = [factor.name for factor in DEFAULT.factors]
# Two people, a blank line between them, scored to totals 15 (Tier 3) and 6 (Tier 1).
CASES_CSV = (
    f"Person,{','.join(FACTORS)},Notes\n"
    "P-001,3,3,3,2,2,2,lives alone\n"
    ",,,,,,,\n"
    "P-002,1,1,1,1,1,1,\n"
)


def _cases(tmp_path: Path, text: str = CASES_CSV, name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _table(columns: list[str], *lines: list[str]) -> Table:
    rows = (
        Row(number, dict(zip(columns, line, strict=True))) for number, line in enumerate(lines, 2)
    )
    return Table(tuple(columns), tuple(rows))


# -- scoring a table --------------------------------------------------------------------------


def test_each_row_gets_its_total_tier_and_points() -> None:
    table = _table(["Person", *FACTORS], ["P-001", "3", "3", "3", "2", "2", "2"])
    [scored] = score_table(DEFAULT, table)
    assert scored.number == 2
    assert scored.scored.explanation[0] == "Tier 3: total 15 ≥ 14"
    assert scored.values == {
        "Person": "P-001",
        **dict(zip(FACTORS, [3, 3, 3, 2, 2, 2], strict=True)),
        "total": 15,
        "tier": 3,
        "points": 8,
    }
    assert output_columns(table) == ("Person", *FACTORS, "total", "tier", "points")


def test_columns_match_factor_names_ignoring_case_or_by_key() -> None:
    columns = [
        "RISK",
        "breadth OF need",
        "depth_of_need",
        "Legal_Complexity",
        "stability",
        "Engagement",
    ]
    [scored] = score_table(DEFAULT, _table(columns, ["1", "2", "3", "1", "2", "3"]))
    assert scored.scored.scores == {
        "risk": 1,
        "breadth_of_need": 2,
        "depth_of_need": 3,
        "legal_complexity": 1,
        "stability": 2,
        "engagement": 3,
    }


def test_every_problem_is_reported_header_first_then_row_by_row() -> None:
    columns = ["Risk", "Breadth of need", "Depth of need", "Stability", "Engagement"]
    table = _table(
        columns,
        ["4", "2", "", "2", "2"],
        ["1", "1", "1", "1", "1"],
        ["2.0", "two", "3", "0", "1"],
    )
    with pytest.raises(RowErrors) as raised:
        score_table(DEFAULT, table)
    assert [str(error) for error in raised.value.errors] == [
        'row 1, column "Legal and statutory complexity": No column for Legal and statutory '
        "complexity: add a column headed 'Legal and statutory complexity'",
        "row 2, column \"Risk\": Risk must be 1, 2 or 3, not '4'",
        'row 2, column "Depth of need": Depth of need must be 1, 2 or 3, not blank',
        "row 4, column \"Risk\": Risk must be 1, 2 or 3, not '2.0'",
        "row 4, column \"Breadth of need\": Breadth of need must be 1, 2 or 3, not 'two'",
        "row 4, column \"Stability\": Stability of the situation must be 1, 2 or 3, not '0'",
    ]


def test_two_columns_for_one_factor_are_refused() -> None:
    with pytest.raises(RowErrors) as raised:
        score_table(DEFAULT, _table(["Risk", *FACTORS[1:], "risk"], ["1"] * 7))
    assert raised.value.errors == (
        RowError(1, "risk", "Columns 'Risk' and 'risk' both hold Risk: keep one"),
    )


def test_a_column_that_could_be_two_factors_is_refused() -> None:
    data = complexity.to_dict(DEFAULT)
    # Names and keys are each unique, but one factor's name may be another's key.
    data["factors"][1]["name"] = "depth_of_need"
    columns = ["Risk", "depth_of_need", *FACTORS[3:]]
    with pytest.raises(RowErrors) as raised:
        score_table(complexity.from_dict(data), _table(columns, ["1"] * 5))
    assert (
        RowError(
            1,
            "depth_of_need",
            "'depth_of_need' matches two factors of the model, 'breadth_of_need' and "
            "'depth_of_need'",
        )
        in raised.value.errors
    )


def test_scoring_a_scored_table_again_refreshes_its_results() -> None:
    table = _table([*FACTORS, "Tier", "total", "points"], ["1"] * 6 + ["3", "18", "8"])
    [scored] = score_table(DEFAULT, table)
    assert output_columns(table) == table.columns
    assert {column: scored.values[column] for column in ("Tier", "total", "points")} == {
        "Tier": 1,
        "total": 6,
        "points": 3,
    }


# -- the command ------------------------------------------------------------------------------


def test_a_csv_file_is_scored_next_to_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _cases(tmp_path)
    assert main(["tier", str(cases)]) == 0
    scored = tmp_path / "cases-scored.csv"
    assert capsys.readouterr().out == (
        f"Scored 2 rows into {scored}: 1 in Tier 1, 0 in Tier 2, 1 in Tier 3.\n"
    )
    assert scored.read_text(encoding="utf-8-sig").splitlines() == [
        f"Person,{','.join(FACTORS)},Notes,total,tier,points",
        "P-001,3,3,3,2,2,2,lives alone,15,3,8",
        "P-002,1,1,1,1,1,1,,6,1,3",
    ]


def test_excels_csv_with_a_byte_order_mark_is_scored(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_bytes(CASES_CSV.encode("utf-8-sig"))
    assert main(["tier", str(cases), "--out", str(tmp_path / "out.csv")]) == 0
    assert read_table(tmp_path / "out.csv").columns[0] == "Person"


def test_a_workbook_is_scored_into_a_workbook_with_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Person", *FACTORS])
    workbook.active.append(["P-001", 2, 2, 2, 2, 2, 3.0])  # Excel may store 3 as 3.0
    workbook.save(tmp_path / "cases.xlsx")
    assert main(["tier", str(tmp_path / "cases.xlsx")]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "cases-scored.xlsx").worksheets[0]
    assert [cell.value for cell in sheet[2]] == ["P-001", 2, 2, 2, 2, 2, 3, 13, 2, 5]


@pytest.mark.parametrize(("source", "target"), [(".csv", ".xlsx"), (".xlsx", ".csv")])
def test_the_output_type_follows_its_suffix(tmp_path: Path, source: str, target: str) -> None:
    cases = tmp_path / f"cases{source}"
    write_table(cases, ["Person", *FACTORS], [dict.fromkeys(FACTORS, "2") | {"Person": "P-1"}])
    assert main(["tier", str(cases), "--out", str(tmp_path / f"out{target}")]) == 0
    [row] = read_table(tmp_path / f"out{target}").rows
    assert (row.values["Person"], row.values["total"], row.values["tier"]) == ("P-1", "12", "2")


def test_every_problem_is_printed_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "Person,Risk,breadth of need,Depth of need,Stability of the situation,Engagement\n"
    cases = _cases(tmp_path, header + "P-1,4,2,2,2,2\nP-2,1,1,1,1,1\nP-3,,x,2,2,2\n")
    earlier = tmp_path / "cases-scored.csv"
    earlier.write_text("an earlier run\n", encoding="utf-8")
    assert main(["tier", str(cases)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f'{cases}: row 1, column "Legal and statutory complexity": No column for Legal and '
        "statutory complexity: add a column headed 'Legal and statutory complexity'",
        f"{cases}: row 2, column \"Risk\": Risk must be 1, 2 or 3, not '4'",
        f'{cases}: row 4, column "Risk": Risk must be 1, 2 or 3, not blank',
        f"{cases}: row 4, column \"breadth of need\": Breadth of need must be 1, 2 or 3, not 'x'",
        "4 problems; nothing written.",
    ]
    assert earlier.read_text(encoding="utf-8") == "an earlier run\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cases-scored.csv", "cases.csv"]


def test_a_model_of_the_councils_own_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = complexity.to_dict(DEFAULT)
    data["tiers"][2]["minimum"], data["tiers"][1]["maximum"] = 13, 12
    model = tmp_path / "model.yaml"
    model.write_text(complexity.dumps(complexity.from_dict(data)), encoding="utf-8")
    cases = _cases(tmp_path, f"{','.join(FACTORS)}\n3,2,2,2,2,2\n")
    assert main(["tier", str(cases), "--model", str(model)]) == 0
    assert "1 in Tier 3" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("model_text", "message"),
    [
        (
            "name: [broken\n",
            "line 2: the model is not valid YAML (expected ',' or ']', but got '<stream end>')",
        ),
        ("name: x\nfactors: []\ntiers: []\n", "factors: The model needs at least one factor"),
    ],
)
def test_a_bad_model_is_reported_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model_text: str, message: str
) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(model_text, encoding="utf-8")
    assert main(["tier", str(_cases(tmp_path)), "--model", str(model)]) == 2
    assert capsys.readouterr().err == f"{model}: {message}\n"
    assert not (tmp_path / "cases-scored.csv").exists()


def test_a_missing_model_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tier", str(_cases(tmp_path)), "--model", str(tmp_path / "none.yaml")]) == 2
    assert capsys.readouterr().err == (
        f"Cannot read the model {tmp_path / 'none.yaml'}: No such file or directory\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["cases.txt"], "{folder}/cases.txt is not a .csv or .xlsx file"),
        (["missing.csv"], "Cannot read {folder}/missing.csv: No such file or directory"),
        (["cases.csv", "--out", "scored.ods"], "{folder}/scored.ods is not a .csv or .xlsx file"),
    ],
)
def test_a_file_problem_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    _cases(tmp_path)
    _cases(tmp_path, name="cases.txt")
    paths = [name if name.startswith("--") else str(tmp_path / name) for name in arguments]
    assert main(["tier", *paths]) == 2
    assert capsys.readouterr().err == message.format(folder=tmp_path) + "\n"
    assert not (tmp_path / "scored.ods").exists()


def test_a_table_with_no_rows_gives_a_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _cases(tmp_path, ",".join(FACTORS) + "\n")
    assert main(["tier", str(cases)]) == 0
    assert capsys.readouterr().out.startswith("Scored 0 rows into ")
    assert read_table(tmp_path / "cases-scored.csv").columns == (
        *FACTORS,
        "total",
        "tier",
        "points",
    )


def test_the_installed_command_scores_without_importing_django(tmp_path: Path) -> None:
    cases = _cases(tmp_path)
    run = run_installed("tier", cases, "--out", tmp_path / "by-command.xlsx")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith("Scored 2 rows into ")
    in_process = ["tier", str(cases), "--out", str(tmp_path / "in-process.csv")]
    assert status_and_django_modules(in_process) == "0 []"
