"""Reflow at 320 px in every template: each table scrolls in its own labelled, focusable region
(the browser test, tests/browser/test_reflow.py, measures the main pages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "caseload"
REGION = re.compile(
    # The label starts with words of its own, so it is never empty, whatever a variable in it holds.
    r'<div class="caseload-table-scroll" role="region" aria-label="[^"{}\s][^"]*" tabindex="0">\s*'
    r"<table\b"
)


@pytest.mark.parametrize(
    "template",
    sorted(t for t in TEMPLATES.rglob("*.html") if "<table" in t.read_text()),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_every_table_scrolls_in_its_own_labelled_region(template: Path) -> None:
    text = template.read_text()
    assert len(REGION.findall(text)) == text.count("<table"), (
        f"{template.name}: wrap each table in "
        '<div class="caseload-table-scroll" role="region" aria-label="…" tabindex="0">'
    )
