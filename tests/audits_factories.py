"""Helpers for case file audit tests. Synthetic text only."""

from __future__ import annotations

from caseload.audits.models import ToolVersion
from caseload_engine import audit_tool


def answers(grade: int = 3) -> dict[str, object]:
    """Every question of the current tool answered: graded ones at `grade`, yes-no ones yes."""
    given: dict[str, object] = {}
    for question in ToolVersion.current().tool.questions:
        if question.kind is audit_tool.Kind.GRADED:
            given[question.key] = grade
        elif question.kind is audit_tool.Kind.YES_NO:
            given[question.key] = "yes"
        else:
            given[question.key] = "Synthetic learning"
    return given
