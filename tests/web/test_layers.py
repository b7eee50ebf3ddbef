"""The apps' layers: a lower one never imports a higher one (imports for type hints only,
under `if TYPE_CHECKING:`, do not count). An app not listed here sits above them all (list it
to order it among the others)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CASELOAD = Path(__file__).resolve().parents[2] / "caseload"
LAYERS = [
    "ui",
    "accounts",
    "security",
    "web",
    "audit",
    "jobs",
    "register",
    "notifications",
    "complexity",
    "allocation",
]


def _apps() -> list[str]:
    return sorted(p.parent.name for p in CASELOAD.glob("*/apps.py"))


def _rank(app: str) -> int:
    return LAYERS.index(app) if app in LAYERS else len(LAYERS)


def _type_checking_only(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            lines |= {
                n.lineno for child in node.body for n in ast.walk(child) if hasattr(n, "lineno")
            }
    return lines


def _apps_imported_by(app: str) -> set[str]:
    found: set[str] = set()
    for path in (CASELOAD / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hints = _type_checking_only(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in hints:
                continue
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            found |= {n.split(".")[1] for n in names if n.startswith("caseload.") and n.count(".")}
    return found & set(_apps()) - {app}


@pytest.mark.parametrize("app", _apps())
def test_an_app_imports_only_lower_layers(app: str) -> None:
    higher = {other for other in _apps_imported_by(app) if _rank(other) > _rank(app)}
    assert higher == set(), f"{app} imports {higher}"
