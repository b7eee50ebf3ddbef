"""The audit log pages: searched by POST, by person, user, dates and action; paginated; exported
as CSV (streamed, access-logged, naming the people supported by id only); and the history of
changes on a case, a person and a practitioner."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.http import StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.audit import log
from caseload.audit.changes import record_change
from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction
from caseload.register import actions
from caseload_engine.identifiers import format_nhs_number
from tests.conftest import World, client_for
from tests.factories import UserFactory
from tests.web.test_permission_matrix import _planned_handover

CHANGES, ACCESSES = reverse("audit_change_log"), reverse("audit_access_log")


def _two_changes(world: World) -> None:
    """Mona changes the priority of Priya's case; Max that of the one waiting in the south."""
    actions.set_priority(by=world.mona, case=world.case_held_by_priya, priority=1)
    actions.set_priority(by=world.max, case=world.case_waiting_south, priority=3)


def _page(client: Client, url: str, **filters: str) -> str:
    response = client.post(url, filters)
    assert response.status_code == 200
    return response.content.decode()


def _csv(response: object) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(text)))


def test_the_change_log_is_searched_by_nhs_number_sent_by_post(world: World) -> None:
    _two_changes(world)
    priyas, souths = world.case_held_by_priya, world.case_waiting_south
    nhs = format_nhs_number(world.person_of_priya.nhs_number)
    page = _page(client_for(world.pat), CHANGES, person=nhs)
    assert f"Mona Monapersona changed the priority of case {priyas.pk} from 2 to 1" in page
    assert f"case {souths.pk}" not in page
    search = AccessLogEntry.objects.get(action=AccessAction.SEARCH_AUDIT_LOG)
    assert list(search.subjects.values_list("person_id", flat=True)) == [world.person_of_priya.pk]


def test_search_by_council_id_and_by_the_id_of_someone_deleted(world: World) -> None:
    _two_changes(world)
    client = client_for(world.pat)
    council_id = world.case_waiting_south.person.council_person_id
    assert "from 2 to 3" in _page(client, CHANGES, person=council_id)
    gone = 987654
    record_change(by=world.mona, action=ChangeAction.PERSON_ADDED, person_id=gone)
    assert "added a deleted person to the register" in _page(client, CHANGES, person=str(gone))


def test_an_unknown_identifier_is_named_as_the_problem(world: World) -> None:
    page = _page(client_for(world.pat), CHANGES, person="999 999 9999")
    assert "There is a problem" in page
    assert "No one on the register has that NHS number or council id" in page


def test_filter_by_user_action_and_dates(world: World) -> None:
    _two_changes(world)
    client = client_for(world.ada)
    by_max = _page(client, CHANGES, user="max")
    assert "Max Maxpersona changed the priority" in by_max
    assert "Mona Monapersona" not in by_max
    assert "No one has that username" in _page(client, CHANGES, user="nobody-called-this")
    published = _page(client, CHANGES, action=ChangeAction.COMPLEXITY_MODEL_PUBLISHED)
    assert "0 records" in published
    yesterday = timezone.localdate() - timedelta(days=1)
    dates = {
        "date_to_day": str(yesterday.day),
        "date_to_month": str(yesterday.month),
        "date_to_year": str(yesterday.year),
    }
    assert "0 records" in _page(client, CHANGES, **dates)
    today = timezone.localdate()
    backwards = {
        **dates,
        "date_from_day": str(today.day),
        "date_from_month": str(today.month),
        "date_from_year": str(today.year),
    }
    assert "The end date must be the same as or after the start" in _page(
        client, CHANGES, **backwards
    )


def test_the_administrator_sees_people_by_id_and_the_psw_by_name(world: World) -> None:
    person = world.case_waiting_north.person
    record_change(by=world.mona, action=ChangeAction.PERSON_ADDED, person_id=person.pk)
    assert f"added person {person.pk} to the register" in _page(client_for(world.ada), CHANGES)
    assert f"added {person.full_name} to the register" in _page(client_for(world.pat), CHANGES)


def test_the_access_log_says_who_looked_at_someone(world: World) -> None:
    person = world.person_of_priya
    client_for(world.priya).get(reverse("person_detail", args=[person.pk]))
    client_for(world.mona).get(reverse("case_detail", args=[world.case_waiting_north.pk]))
    page = _page(client_for(world.pat), ACCESSES, person=person.council_person_id)
    assert "Priya Priyapersona" in page
    assert "Viewed a person" in page
    assert escape(person.full_name) in page
    assert f"(case {world.case_waiting_north.pk})" not in page


@override_settings(CASELOAD_PAGE_SIZE=5)
def test_results_are_paginated_by_post(world: World) -> None:
    for priority in (1, 3, 1, 3, 1, 3, 1):
        actions.set_priority(by=world.mona, case=world.case_held_by_priya, priority=priority)
    client = client_for(world.pat)
    first = _page(client, CHANGES)
    assert "Page 1 of 2" in first
    assert first.count("changed the priority") == 5
    second = _page(client, CHANGES, page="2")
    assert second.count("changed the priority") == 2


def test_export_streams_the_filtered_rows_by_id_and_is_logged(world: World) -> None:
    _two_changes(world)
    person = world.person_of_priya
    response = client_for(world.pat).post(
        reverse("audit_change_log_export"), {"person": person.nhs_number}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="change-log-')
    [row] = _csv(response)
    assert (row["action"], row["person_id"], row["case_id"]) == (
        ChangeAction.CASE_PRIORITY_SET,
        str(person.pk),
        str(world.case_held_by_priya.pk),
    )
    assert row["changes"] == '{"priority": [2, 1]}'
    export = AccessLogEntry.objects.get(action=AccessAction.EXPORT_AUDIT_LOG)
    assert (export.user_id, list(export.subjects.values_list("person_id", flat=True))) == (
        world.pat.pk,
        [person.pk],
    )


def test_exports_name_no_one_supported_and_run_no_formulas(world: World) -> None:
    sly = UserFactory.create(first_name="=HYPERLINK(1)", last_name="Sly", access_role="director")
    person = world.case_waiting_north.person
    record_change(by=sly, action=ChangeAction.PERSON_ADDED, person_id=person.pk)
    log.record_person_viewed(sly, person_id=person.pk)
    client = client_for(world.pat)
    [change] = _csv(client.post(reverse("audit_change_log_export")))
    assert change["user"] == "'=HYPERLINK(1) Sly"
    assert change["description"] == f"'=HYPERLINK(1) Sly added person {person.pk} to the register"
    rows = _csv(client.post(reverse("audit_access_log_export"), {"user": sly.username}))
    assert [(row["action"], row["person_ids"]) for row in rows] == [
        (AccessAction.VIEW_PERSON, str(person.pk))
    ]


def test_an_export_with_bad_filters_shows_the_form_again(world: World) -> None:
    response = client_for(world.pat).post(
        reverse("audit_access_log_export"), {"person": "P9999999"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT_AUDIT_LOG).exists()


def test_the_audit_log_is_in_the_navigation_of_those_who_may_read_it(world: World) -> None:
    for who, shown in (("pat", True), ("ada", True), ("mona", False), ("dee", False)):
        page = client_for(getattr(world, who)).get(reverse("complexity_model")).content.decode()
        assert (f'href="{CHANGES}"' in page) == shown, who


def test_record_pages_link_to_their_history(world: World) -> None:
    client = client_for(world.mona)
    for page, history in (
        ("case_detail", "case_history"),
        ("person_detail", "person_history"),
        ("practitioner_detail", "practitioner_history"),
    ):
        pk = {
            "case_detail": world.case_held_by_priya.pk,
            "person_detail": world.person_of_priya.pk,
            "practitioner_detail": world.priya_practitioner.pk,
        }[page]
        content = client.get(reverse(page, args=[pk])).content.decode()
        assert reverse(history, args=[pk]) in content


def test_histories_show_their_record_s_changes_newest_first(world: World) -> None:
    case = world.case_held_by_priya
    actions.set_priority(by=world.mona, case=case, priority=1)
    actions.set_priority(by=world.mona, case=case, priority=3)
    actions.set_priority(by=world.mona, case=world.case_held_by_colin, priority=1)
    client = client_for(world.mona)
    page = client.get(reverse("case_history", args=[case.pk])).content.decode()
    newer = page.index(f"priority of case {case.pk} from 1 to 3")
    older = page.index(f"priority of case {case.pk} from 2 to 1")
    assert newer < older
    assert f"case {world.case_held_by_colin.pk}" not in page
    person_page = client.get(reverse("person_history", args=[case.person_id])).content.decode()
    assert "from 1 to 3" in person_page


def test_a_practitioner_s_history_shows_cases_moving_to_and_from_them(world: World) -> None:
    _planned_handover(world)
    page = (
        client_for(world.priya)
        .get(reverse("practitioner_history", args=[world.priya_practitioner.pk]))
        .content.decode()
    )
    assert (
        f"planned the handover of case {world.case_held_by_priya.pk} from Priya Priyapersona "
        "to Colin Colinpersona"
    ) in page
    assert "recorded Priya Priyapersona as away" in page
