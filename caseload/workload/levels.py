"""The safe working level in force for each team, and the traffic light it gives a load."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from django.db.models import OuterRef, Subquery

from caseload.complexity.load import Load
from caseload.workload.models import DEFAULT_LEVEL, Level, SafeWorkingLevel


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "Within the safe level", "amber": "Amber", "red": "Over the red level"}[
            self.value
        ]


def latest_levels() -> Subquery:
    """Per SafeWorkingLevel row's team: the pk of the team's level in force."""
    return Subquery(
        SafeWorkingLevel.objects.filter(team=OuterRef("team"))
        .order_by("-recorded_at", "-id")
        .values("pk")[:1]
    )


def levels_in_force(team_ids: Collection[int]) -> dict[int, Level]:
    """Each team's level in force (the default for a team that has none): one query."""
    rows = SafeWorkingLevel.objects.filter(team_id__in=team_ids, pk=latest_levels())
    found = {row.team_id: row.level for row in rows}
    return {team_id: found.get(team_id, DEFAULT_LEVEL) for team_id in team_ids}


def light_of(load: Load, level: Level) -> Light:
    """Red above the red threshold, amber above the amber one, exactly (not after rounding)."""
    if load.over(level.red):
        return Light.RED
    if load.over(level.amber):
        return Light.AMBER
    return Light.GREEN
