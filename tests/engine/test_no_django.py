"""The engine stays free of Django, so it runs from the command line on spreadsheets."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import caseload_engine


def test_engine_modules_import_without_django() -> None:
    modules = [
        info.name for info in pkgutil.walk_packages(caseload_engine.__path__, "caseload_engine.")
    ]
    assert modules, "the engine has modules"
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
