"""Moving the test database's schema to a given migration and back, for migration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from pytest_django import DjangoDbBlocker

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


@pytest.fixture(scope="module")
def _schema_before(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Migrator]:
    # Moving back is the slow step (every later migration of every app that depends on the
    # target is unapplied, its models rendered at each step: 10 to 30 s a time on 2 busy cores),
    # so it is done once for the module, and the way forward again once after its last test.
    with django_db_blocker.unblock():
        migrator = Migrator()
        migrator.to(*request.module.BEFORE)
    try:
        yield migrator
    finally:
        with django_db_blocker.unblock():
            migrator.to_latest()


@pytest.fixture
def migrator_from_before(
    request: pytest.FixtureRequest, _schema_before: Migrator, transactional_db: None
) -> Iterator[Migrator]:
    """For a module whose tests all start from the schema at its `BEFORE` targets (and build
    their rows with `migrator.apps(*BEFORE)`'s models): each test starts there and is moved
    back there after it, which undoes only the migrations the test applied. The test's rows go
    in the flush after it, as after any transactional test."""
    yield _schema_before
    _schema_before.to(*request.module.BEFORE)
