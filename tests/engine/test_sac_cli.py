"""`caseload sac`: the SAC's tables from the export's files, without a database or Django."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from caseload.cli import main
from caseload_engine import sac
from tests.engine.commands import status_and_django_modules
from tests.engine.test_sac import concern, enquiry

YEAR = "2025-26"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    enquiries = tmp_path / "enquiries.json"
    concerns = tmp_path / "concerns.json"
    records = [enquiry(number, person_id=number % 4) for number in range(1, 10)]
    enquiries.write_text(json.dumps([r.as_json() for r in records]), "utf-8")
    concerns.write_text(
        json.dumps([sac.concern_json(concern(n, date(2025, 6, n))) for n in range(1, 13)]),
        "utf-8",
    )
    return enquiries, concerns


def test_the_tables_from_files_without_django(tmp_path: Path) -> None:
    enquiries, concerns = _files(tmp_path)
    target = tmp_path / "sac.json"
    arguments = [str(enquiries), "--concerns", str(concerns), "--year", YEAR, "--out", str(target)]
    assert status_and_django_modules(["sac", *arguments]) == "0 []"
    report = json.loads(target.read_text("utf-8"))
    assert (report["year"], report["suppressed"]) == (YEAR, True)
    tables = {t["key"]: t for t in report["tables"]}
    assert tables["concerns"]["rows"] == [["Concerns received", 12]]
    assert tables["enquiries_started"]["rows"][0] == ["Section 42 enquiry", 9]
    # Four people (ids 0 to 3): a count under 5, suppressed, with the row that would reveal it.
    assert tables["individuals_by_sex"]["rows"][-1] == ["Total", "*", 0]


def test_raw_gives_every_count(tmp_path: Path) -> None:
    enquiries, concerns = _files(tmp_path)
    target = tmp_path / "sac.json"
    arguments = [str(enquiries), "--concerns", str(concerns), "--year", YEAR, "--out", str(target)]
    assert main(["sac", *arguments, "--raw"]) == 0
    tables = {t["key"]: t for t in json.loads(target.read_text("utf-8"))["tables"]}
    assert tables["individuals_by_sex"]["rows"][-1] == ["Total", 4, 0]


def test_a_bad_record_is_refused_by_number_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    enquiries, concerns = _files(tmp_path)
    data = json.loads(enquiries.read_text("utf-8"))
    data[2]["kind"] = "section_43"
    enquiries.write_text(json.dumps(data), "utf-8")
    target = tmp_path / "sac.csv"
    arguments = [str(enquiries), "--concerns", str(concerns), "--year", YEAR, "--out", str(target)]
    assert main(["sac", *arguments]) == 2
    assert (
        "enquiry 3: kind is not one of the codes allowed: 'section_43'" in capsys.readouterr().err
    )
    assert not target.exists()


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b'{"an": "object"}'])
def test_a_file_that_is_not_the_export_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    enquiries, concerns = _files(tmp_path)
    enquiries.write_bytes(content)
    target = tmp_path / "sac.xlsx"
    arguments = [str(enquiries), "--concerns", str(concerns), "--year", YEAR, "--out", str(target)]
    assert main(["sac", *arguments]) == 2
    assert "nothing written" in capsys.readouterr().err
    assert not target.exists()


def test_a_bad_year_stops_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["sac", "e.json", "--concerns", "c.json", "--year", "2025-2026", "--out", "x.json"])
    assert stopped.value.code == 2
    assert "not a financial year like 2025-26: '2025-2026'" in capsys.readouterr().err
