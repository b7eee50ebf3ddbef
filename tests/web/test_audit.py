"""The access and change logs are append-only: model, queryset and (PostgreSQL) database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from caseload.audit.models import AccessLogEntry, AppendOnlyError, ChangeEvent
from tests.conftest import World


@pytest.fixture
def entry(world: World) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        user_id=world.priya.pk, action=AccessLogEntry.Action.VIEW_PERSON
    )


def test_an_entry_cannot_be_changed_through_the_model(entry: AccessLogEntry) -> None:
    entry.action = AccessLogEntry.Action.VIEW_CASE
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.parametrize("model", [AccessLogEntry, ChangeEvent])
def test_the_logs_cannot_be_changed_in_bulk(
    entry: AccessLogEntry, model: type[AccessLogEntry] | type[ChangeEvent]
) -> None:
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(user_id=0)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accesslogentry SET action = 'view_case'",
        "DELETE FROM audit_accesslogentry",
    ],
)
def test_the_database_refuses_changes_from_any_client(entry: AccessLogEntry, sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AccessLogEntry.objects.filter(pk=entry.pk, action="view_person").exists()
