"""Running the installed `caseload` command, and `main` in a fresh interpreter, for the tests
that prove an engine subcommand works on files alone without importing Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_installed(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """The console script installed beside this interpreter, as a council's clerk runs it."""
    command = Path(sys.executable).with_name("caseload")
    return subprocess.run(  # noqa: S603 - our own command on our own files
        [command, *arguments], capture_output=True, text=True, timeout=60, check=False
    )


def status_and_django_modules(arguments: list[str]) -> str:
    """`main(arguments)`'s exit status and the Django modules it imported, in a fresh
    interpreter: "0 []" for a subcommand that ran without Django."""
    code = (
        "import sys\n"
        "from caseload.cli import main\n"
        f"status = main({arguments!r})\n"
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    run = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return run.stdout.splitlines()[-1]
