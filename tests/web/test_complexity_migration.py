"""Complexity migration 0002: a published version that fails today's validation stops the
upgrade, naming the version, instead of failing every page that reads it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from caseload_engine import complexity

BEFORE = [("complexity", "0001_initial")]
AFTER = [("complexity", "0002_check_published_models")]


@pytest.fixture
def executor() -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    try:
        yield executor
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _publish(executor: MigrationExecutor, number: int, definition: str) -> None:
    old = executor.loader.project_state(BEFORE).apps.get_model("complexity", "ModelVersion")
    old.objects.create(number=number, name="Model", definition=definition)


@pytest.mark.django_db(transaction=True)
def test_a_version_failing_validation_stops_the_upgrade(executor: MigrationExecutor) -> None:
    executor.migrate(BEFORE)
    _publish(executor, 1, complexity.default_model_text())
    _publish(executor, 2, complexity.default_model_text() + "\nwieght: 3\n")

    executor.loader.build_graph()
    with pytest.raises(RuntimeError, match=r"version 2: .*wieght") as stopped:
        executor.migrate(AFTER)
    assert "version 1" not in str(stopped.value)
    # Corrected, the upgrade goes through.
    old = executor.loader.project_state(BEFORE).apps.get_model("complexity", "ModelVersion")
    old.objects.filter(number=2).delete()
    executor.loader.build_graph()
    executor.migrate(AFTER)


@pytest.mark.django_db(transaction=True)
def test_valid_versions_pass(executor: MigrationExecutor) -> None:
    executor.migrate(BEFORE)
    _publish(executor, 1, complexity.default_model_text())

    executor.loader.build_graph()
    executor.migrate(AFTER)
