"""Workload migration 0002 and register 0010: each team's single safe level becomes the red
threshold of its first safe working level, and the old column goes (one source of truth)."""

from __future__ import annotations

import pytest

from caseload.workload.models import SafeWorkingLevel
from tests.migrations import Migrator

BEFORE = [("workload", "0001_initial"), ("register", "0009_held_cases_reviews_contacts_employment")]
AFTER = [("register", "0010_team_levels_moved_to_workload")]


@pytest.mark.django_db(transaction=True)
def test_each_teams_safe_level_becomes_its_red_threshold(migrator: Migrator) -> None:
    migrator.to(*BEFORE)
    old = migrator.apps(*BEFORE)
    locality = old.get_model("register", "Locality").objects.create(name="Synthetic")
    team = old.get_model("register", "Team")
    north = team.objects.create(
        name="North", service_area="older_people", locality=locality, safe_utilisation_percent=120
    )
    south = team.objects.create(
        name="South", service_area="mental_health", locality=locality, safe_utilisation_percent=10
    )

    migrator.to(*AFTER)

    levels = {level.team_id: level for level in SafeWorkingLevel.objects.all()}
    assert (levels[north.pk].amber_percent, levels[north.pk].red_percent) == (105, 120)
    assert (levels[south.pk].amber_percent, levels[south.pk].red_percent) == (1, 10)
    assert "not yet agreed" in levels[north.pk].agreed_with
    assert levels[north.pk].recorded_by is None

    # Back again, the red threshold returns to the team.
    migrator.to(("workload", "0001_initial"))
    back = migrator.apps(("workload", "0001_initial"), BEFORE[1])
    assert (
        back.get_model("register", "Team").objects.get(pk=north.pk).safe_utilisation_percent == 120
    )
