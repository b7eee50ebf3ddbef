"""Migration 0003 keeps every log row, with the trigger on, while the foreign keys go."""

from __future__ import annotations

import pytest

from tests.factories import CaseFactory, UserFactory
from tests.migrations import Migrator

BEFORE = [("audit", "0002_append_only_triggers")]
AFTER = [("audit", "0003_plain_ids_typed_changes")]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_kept(migrator: Migrator) -> None:
    user = UserFactory.create()
    case = CaseFactory.create()
    migrator.to(*BEFORE)
    old = migrator.apps(*BEFORE)
    old_entry = old.get_model("audit", "AccessLogEntry")
    old_event = old.get_model("audit", "ChangeEvent")
    viewed = old_entry.objects.create(
        user_id=user.pk, action="view_case", person_id=case.person_id, case_id=case.pk
    )
    searched = old_entry.objects.create(user_id=user.pk, action="search_people")
    changed = old_event.objects.create(
        user_id=user.pk,
        action="case_priority_set",
        person_id=case.person_id,
        case_id=case.pk,
        detail={"from": 2, "to": 1},
    )

    migrator.to(*AFTER)
    # The models as 0003 left them: later migrations add columns the current models read.
    new = migrator.apps(*AFTER)
    entries = new.get_model("audit", "AccessLogEntry")
    events = new.get_model("audit", "ChangeEvent")

    entry = entries.objects.get(pk=viewed.pk)
    assert (entry.user_id, entry.action, entry.case_id) == (user.pk, "view_case", case.pk)
    assert list(entry.subjects.values_list("person_id", flat=True)) == [case.person_id]
    assert not entries.objects.get(pk=searched.pk).subjects.exists()
    event = events.objects.get(pk=changed.pk)
    assert (event.user_id, event.person_id, event.case_id, event.detail, event.changes) == (
        user.pk,
        case.person_id,
        case.pk,
        {"from": 2, "to": 1},
        {},
    )
