"""Moving the test database's schema to a given migration and back, for migration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

Target = tuple[str, str]


class Migrator:
    def __init__(self) -> None:
        self._executor = MigrationExecutor(connection)

    def to(self, *targets: Target) -> None:
        # The graph is read again first: a migration that stopped leaves the loader's stale.
        self._executor.loader.build_graph()
        self._executor.migrate(list(targets))

    def apps(self, *targets: Target) -> Apps:
        """The models as they were at `targets`: today's factories build today's models."""
        return self._executor.loader.project_state(list(targets)).apps

    def to_latest(self) -> None:
        self._executor.loader.build_graph()
        self._executor.migrate(self._executor.loader.graph.leaf_nodes())


@pytest.fixture
def migrator() -> Iterator[Migrator]:
    migrator = Migrator()
    try:
        yield migrator
    finally:
        # Whatever happened, leave the schema as the other tests expect it: every migration.
        migrator.to_latest()
