"""Complexity migration 0002: a published version that fails today's validation stops the
upgrade, naming the version, instead of failing every page that reads it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from caseload.complexity.models import ModelVersion
from caseload_engine import complexity
from tests.migrations import Migrator

BEFORE = [("complexity", "0001_initial")]
AFTER = [("complexity", "0002_check_published_models")]


def _publish(migrator: Migrator, number: int, definition: str) -> None:
    old = migrator.apps(*BEFORE).get_model("complexity", "ModelVersion")
    old.objects.create(number=number, name="Model", definition=definition)


@pytest.mark.django_db(transaction=True)
def test_a_version_failing_validation_stops_the_upgrade(migrator: Migrator) -> None:
    migrator.to(*BEFORE)
    _publish(migrator, 1, complexity.default_model_text())
    _publish(migrator, 2, complexity.default_model_text() + "\nwieght: 3\n")

    with pytest.raises(RuntimeError, match=r"version 2: .*wieght") as stopped:
        migrator.to(*AFTER)
    assert "version 1" not in str(stopped.value)
    # Corrected, the upgrade goes through.
    old = migrator.apps(*BEFORE).get_model("complexity", "ModelVersion")
    old.objects.filter(number=2).delete()
    migrator.to(*AFTER)


@pytest.mark.django_db(transaction=True)
def test_valid_versions_pass(migrator: Migrator) -> None:
    migrator.to(*BEFORE)
    _publish(migrator, 1, complexity.default_model_text())

    migrator.to(*AFTER)

    assert (
        MigrationRecorder(connection)
        .migration_qs.filter(app="complexity", name="0002_check_published_models")
        .exists()
    )
    assert ModelVersion.objects.get(number=1).model.name
