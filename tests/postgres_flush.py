"""Emptying PostgreSQL's tables after a transactional test with DELETE rather than TRUNCATE.

Django empties every table after a test that commits (browser tests, migration tests, row-lock
tests) with one TRUNCATE, which makes PostgreSQL replace some 40 tables' files: 1.5 to 2.5 s a
test. Such a test leaves a few rows, which DELETE removes in milliseconds. Either way every
table ends empty and no sequence restarts. Triggers are off for the flush's own transaction
only (the audit logs' append-only trigger refuses DELETE; TRUNCATE never fires it), which takes
a superuser, as `make test`'s is; for any other user the flush stays a TRUNCATE.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _flush_postgres_by_delete() -> Iterator[None]:
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    operations = type(connection.ops)
    truncate = operations.sql_flush

    def sql_flush(
        self: Any,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or not tables or not _is_superuser(self.connection):
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # The names are Django's own tables', quoted as TRUNCATE quotes them.
        deletes = [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608
        return ["SET LOCAL session_replication_role = replica;", *deletes]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "sql_flush", sql_flush)
        yield


def _is_superuser(connection: Any) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        return bool(cursor.fetchone()[0] == "on")
