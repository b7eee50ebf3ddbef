"""The `caseload` command that loads the demo council, into an empty database (the council's
own tests, in test_demo_council.py, share one council loaded for their module)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from caseload.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_cli_demo_loads_once_then_refuses_or_skips(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--size", "small"]) == 0
    assert "Loaded the small demo council" in capsys.readouterr().out
    assert main(["demo", "--size", "small"]) == 2
    assert main(["demo", "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "demo data not loaded" in out
    assert "practitioner" in out


def test_console_command_is_installed_with_help() -> None:
    result = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "caseload"), "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "demo" in result.stdout
