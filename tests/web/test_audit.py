"""The access and change logs: append-only (model, queryset and, on PostgreSQL, the database),
only known actions, and no foreign key that could stop a person's erasure."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from caseload.allocation import actions as allocation_actions
from caseload.audit import log
from caseload.audit.changes import record_change
from caseload.audit.models import (
    AccessLogEntry,
    AccessLogSubject,
    AppendOnlyError,
    ChangeAction,
    ChangeEvent,
)
from caseload.audit.presenters import describe_changes, directory_for
from caseload.complexity.models import Assessment
from caseload.register import actions
from caseload.register.models import Allocation, Case, Person, SupportRequest
from tests.conftest import World, client_for
from tests.web.test_allocation import accept_all, waiting_scored

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)


@pytest.fixture
def entry(world: World) -> AccessLogEntry:
    log.record_person_viewed(world.priya, person_id=world.person_of_priya.pk)
    return AccessLogEntry.objects.get()


def test_an_entry_cannot_be_changed_through_the_model(entry: AccessLogEntry) -> None:
    entry.action = AccessLogEntry.Action.VIEW_CASE
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    subject = entry.subjects.get()
    with pytest.raises(AppendOnlyError):
        subject.save()
    with pytest.raises(AppendOnlyError):
        subject.delete()


@pytest.mark.parametrize("model", [AccessLogEntry, AccessLogSubject, ChangeEvent])
def test_the_logs_cannot_be_changed_in_bulk(
    entry: AccessLogEntry,
    model: type[AccessLogEntry] | type[AccessLogSubject] | type[ChangeEvent],
) -> None:
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(id=0)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accesslogentry SET action = 'view_case'",
        "DELETE FROM audit_accesslogentry",
        "UPDATE audit_accesslogsubject SET person_id = 0",
        "DELETE FROM audit_accesslogsubject",
        "UPDATE audit_changeevent SET action = 'case_closed'",
        "DELETE FROM audit_changeevent",
    ],
)
def test_the_database_refuses_changes_from_any_client(
    world: World, entry: AccessLogEntry, sql: str
) -> None:
    actions.set_priority(by=world.mona, case=world.case_held_by_priya, priority=1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AccessLogEntry.objects.filter(pk=entry.pk, action="view_person").exists()
    assert entry.subjects.filter(person_id=world.person_of_priya.pk).exists()
    assert ChangeEvent.objects.filter(action=ChangeAction.CASE_PRIORITY_SET).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO audit_changeevent (at, action, user_id, changes, detail) "
        "VALUES (CURRENT_TIMESTAMP, 'made_up', 1, '{}', '{}')",
        "INSERT INTO audit_accesslogentry (at, action, user_id) "
        "VALUES (CURRENT_TIMESTAMP, 'made_up', 1)",
    ],
)
def test_the_database_refuses_an_unknown_action(world: World, sql: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_a_change_keeps_only_fields_that_changed(world: World) -> None:
    event = record_change(
        by=world.mona,
        action=ChangeAction.CASE_PRIORITY_SET,
        case_id=world.case_held_by_priya.pk,
        changes={"priority": (2, 1), "status": ("allocated", "allocated")},
    )
    assert event.changes == {"priority": [2, 1]}


def _erase(person: Person) -> None:
    """What an erasure does to the register: the person's rows go, in dependency order."""
    cases = Case.objects.filter(person=person)
    Allocation.objects.filter(case__in=cases).delete()
    Assessment.objects.filter(case__in=cases).delete()
    case_ids = list(cases.values_list("pk", flat=True))
    cases.delete()
    SupportRequest.objects.filter(person=person, case__isnull=True).delete()
    person.delete()
    assert not Case.objects.filter(pk__in=case_ids).exists()


def test_audit_rows_do_not_stop_a_person_being_erased(world: World) -> None:
    person = world.person_of_priya
    person_id = person.pk
    case = world.case_held_by_priya
    actions.set_priority(by=world.mona, case=case, priority=1)
    client_for(world.mona).get(reverse("person_detail", args=[person.pk]))
    client_for(world.mona).get(reverse("case_detail", args=[case.pk]))

    _erase(person)

    # The logs keep the ids, and nothing else about the person.
    event = ChangeEvent.objects.get(action=ChangeAction.CASE_PRIORITY_SET)
    assert (event.person_id, event.case_id) == (person_id, case.pk)
    assert AccessLogSubject.objects.filter(person_id=person_id).count() == 2
    logged = str(
        [
            *ChangeEvent.objects.values(),
            *AccessLogEntry.objects.values(),
            *AccessLogSubject.objects.values(),
        ]
    )
    for personal in (person.given_name, person.family_name, person.nhs_number, person.postcode):
        assert personal not in logged
    [line] = describe_changes([event], directory_for(world.pat))
    assert line.text == f"Mona Monapersona changed the priority of case {case.pk} from 2 to 1"


def test_a_person_added_and_erased_is_a_deleted_person(world: World) -> None:
    person = world.case_waiting_north.person
    record_change(by=world.mona, action=ChangeAction.PERSON_ADDED, person_id=person.pk)
    _erase(person)
    event = ChangeEvent.objects.get(action=ChangeAction.PERSON_ADDED)
    [line] = describe_changes([event], directory_for(world.pat))
    assert line.text == "Mona Monapersona added a deleted person to the register"


def test_a_decision_that_accepts_nothing_still_writes_its_change_event(world: World) -> None:
    cases = waiting_scored(world, 2)
    proposal = allocation_actions.propose_for_meeting(by=world.mona, team=world.team_north)
    declined = [replace(choice, accept=False) for choice in accept_all(proposal)]

    decision = allocation_actions.decide(by=world.mona, proposal=proposal, choices=declined)

    event = ChangeEvent.objects.get(action=ChangeAction.ALLOCATION_DECIDED)
    assert (event.user_id, event.team_id) == (world.mona.pk, world.team_north.pk)
    assert event.detail == {
        "proposal_id": proposal.pk,
        "decision_id": decision.pk,
        "accepted": 0,
        "declined": len(cases),
        "past_capacity_confirmed": [],
    }
    assert not Allocation.objects.filter(case__in=cases).exists()
