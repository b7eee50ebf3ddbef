"""A person's page shows each viewer what they may see; without a case in a team they may see,
a reason first (breaking the glass); a request that joins a team to someone already known is
recorded with who and why, and their other teams see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction, ChangeEvent
from caseload.notifications.models import Notification, NotificationKind
from caseload.register import actions
from caseload.register.models import Case, Person
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import CaseFactory, PersonFactory, PractitionerFactory, allocated_case
from tests.web.test_actions import request_details
from tests.web.test_audit_pages import _csv


@pytest.fixture
def across_teams(world: World) -> Case:
    """Priya's person also has a case in the South team, held by Sam Southworker."""
    sam = PractitionerFactory.create(
        team=world.team_south, given_name="Sam", family_name="Southworker"
    )
    return allocated_case(sam, person=world.person_of_priya)


def test_each_viewer_sees_only_the_cases_they_may_see(world: World, across_teams: Case) -> None:
    person = world.person_of_priya
    north_case = world.case_held_by_priya

    for user, expected in [
        (world.priya, [north_case]),
        (world.mona, [north_case]),
        (world.max, [across_teams]),
        (world.pat, [across_teams, north_case]),
    ]:
        page = client_for(user).get(reverse("person_detail", args=[person.pk]))
        assert page.status_code == 200
        assert sorted(page.context["cases"], key=lambda c: c.pk) == sorted(
            expected, key=lambda c: c.pk
        ), user.username
        html = page.content.decode()
        if across_teams not in expected:
            assert "Southworker" not in html
            assert world.team_south.name not in html
        if north_case not in expected:
            assert escape(world.priya_practitioner.family_name) not in html


def test_a_director_sees_counts_and_no_names(world: World, across_teams: Case) -> None:
    person = world.person_of_priya
    client_for(world.priya).get(reverse("person_detail", args=[person.pk]))  # a view to hide
    CaseFactory.create(
        team=world.team_south,
        person=person,
        status="closed",
        closed_at=timezone.now(),
        outcome="nfa_information_advice",
    )

    page = client_for(world.dee).get(reverse("person_detail", args=[person.pk]))

    assert page.status_code == 200
    assert page.context["case_counts"] == [
        (world.team_south.name, "Allocated", 1),
        (world.team_south.name, "Closed", 1),
        (world.team_north.name, "Allocated", 1),
    ]
    html = page.content.decode()
    assert escape(person.family_name) in html
    for name in ("Southworker", world.priya_practitioner.family_name, world.priya.last_name):
        assert name not in html
    history = client_for(world.dee).get(reverse("person_history", args=[person.pk]))
    assert history.status_code == 403


def test_without_a_case_there_the_record_asks_for_a_reason_first(world: World) -> None:
    south_only = world.case_waiting_south.person
    nobody = Person.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    client = client_for(world.priya)

    # The same answer for someone and for no one.
    for pk in (south_only.pk, nobody):
        response = client.get(reverse("person_detail", args=[pk]))
        assert response["Location"] == reverse("person_break_glass", args=[pk])
    form = client.get(reverse("person_break_glass", args=[south_only.pk]))
    assert form.status_code == 200
    assert south_only.family_name not in form.content.decode()

    refused = client.post(reverse("person_break_glass", args=[south_only.pk]), {"reason": "duty"})
    assert "Say what you need the record for" in refused.content.decode()
    assert not AccessLogEntry.objects.filter(action=AccessAction.BREAK_GLASS).exists()

    opened = client.post(
        reverse("person_break_glass", args=[south_only.pk]),
        {"reason": "safeguarding", "detail": "Concern raised by a neighbour on the duty line"},
    )
    assert opened["Location"] == reverse("person_detail", args=[south_only.pk])
    entry = AccessLogEntry.objects.get(action=AccessAction.BREAK_GLASS)
    assert (entry.user_id, entry.reason, entry.reason_detail) == (
        world.priya.pk,
        "safeguarding",
        "Concern raised by a neighbour on the duty line",
    )
    assert list(entry.subjects.values_list("person_id", flat=True)) == [south_only.pk]

    page = client.get(reverse("person_detail", args=[south_only.pk]))
    assert page.status_code == 200
    waiting = world.case_waiting_south.get_status_display()
    assert page.context["case_counts"] == [(world.team_south.name, waiting, 1)]
    assert "cases" not in page.context

    # Time-boxed: an hour on, in a session kept alive, the glass is whole again.
    opened_at = timezone.now()
    for minutes in (25, 50):
        with time_machine.travel(opened_at + timedelta(minutes=minutes)):
            still = client.get(reverse("person_detail", args=[south_only.pk]))
        assert still.status_code == 200
    with time_machine.travel(opened_at + timedelta(minutes=65)):
        again = client.get(reverse("person_detail", args=[south_only.pk]))
    assert again["Location"] == reverse("person_break_glass", args=[south_only.pk])
    # And only for that session.
    other_session = client_for(world.priya).get(reverse("person_detail", args=[south_only.pk]))
    assert other_session.status_code == 302


def test_a_reason_for_no_one_is_recorded_and_then_not_found(world: World) -> None:
    nobody = Person.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    response = client_for(world.mona).post(
        reverse("person_break_glass", args=[nobody]),
        {"reason": "other", "detail": "Checking an id given on the phone"},
    )
    assert response.status_code == 404
    assert AccessLogEntry.objects.get(action=AccessAction.BREAK_GLASS).subjects.get().person_id == (
        nobody
    )


@pytest.mark.parametrize("who", ["dee", "ada", "pat"])
def test_who_may_not_break_the_glass(world: World, who: str) -> None:
    user = getattr(world, who)
    south_only = world.case_waiting_south.person
    response = client_for(user).post(
        reverse("person_break_glass", args=[south_only.pk]),
        {"reason": "duty", "detail": "Curious"},
    )
    assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(action=AccessAction.BREAK_GLASS).exists()


def test_a_request_for_someone_known_elsewhere_needs_a_reason(world: World) -> None:
    person = world.person_of_priya  # known to North
    south = request_details(world, team=world.team_south)
    with pytest.raises(ActionRefused) as refused:
        actions.record_referral_for_person(by=world.max, person=person, request=south)
    assert refused.value.field == "known_person_reason"
    assert not Case.objects.filter(person=person, team=world.team_south).exists()


def test_a_request_for_someone_known_elsewhere_is_seen_by_their_other_teams(
    world: World,
) -> None:
    person = world.person_of_priya
    reason = "Discharged to a South care home, the North review is still open"
    case = actions.record_referral_for_person(
        by=world.max,
        person=person,
        request=request_details(world, team=world.team_south, known_person_reason=reason),
    )

    assert case.request.known_person_reason == reason
    assert case.request.recorded_by == world.max
    event = ChangeEvent.objects.get(action=ChangeAction.REFERRAL_RECORDED, case_id=case.pk)
    assert event.detail["known_to_team_ids"] == [world.team_north.pk]
    assert reason not in str(event.detail)
    # North's manager is told; South's own manager, who recorded it, is not.
    notice = Notification.objects.get(kind=NotificationKind.KNOWN_PERSON_REFERRED)
    assert notice.recipient == world.mona
    assert person.full_name not in notice.title
    assert notice.link == reverse("person_detail", args=[person.pk])

    page = client_for(world.mona).get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Requests recorded by other teams" in page
    assert world.team_south.name in page
    assert world.max.get_full_name() in page
    assert reason in page
    history = client_for(world.mona).get(reverse("person_history", args=[person.pk]))
    assert case.pk in [event.case_id for event in history.context["page"]]


def test_a_request_for_someone_known_only_to_the_same_team_needs_no_reason(
    world: World,
) -> None:
    person = PersonFactory.create()
    CaseFactory.create(
        person=person,
        team=world.team_north,
        status="closed",
        closed_at=timezone.now(),
        outcome="nfa_information_advice",
    )
    case = actions.record_referral_for_person(
        by=world.priya, person=person, request=request_details(world)
    )
    assert case.request.known_person_reason == ""
    assert not Notification.objects.filter(kind=NotificationKind.KNOWN_PERSON_REFERRED).exists()


def test_the_referral_page_asks_why_for_someone_known_elsewhere(world: World) -> None:
    person = world.person_of_priya
    client = client_for(world.max)
    client.post(
        reverse("person_break_glass", args=[person.pk]),
        {"reason": "new_referral", "detail": "A referral from the hospital"},
    )
    today = timezone.localdate()
    data = {
        "team": str(world.team_south.pk),
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "time_received": "00:00",
        "route_of_access": "discharge_from_hospital",
        "source": "hospital",
        "summary": "",
    }

    refused = client.post(reverse("person_referral_new", args=[person.pk]), data)
    assert refused.status_code == 200
    assert 'id="id_known_person_reason-error"' in refused.content.decode()

    recorded = client.post(
        reverse("person_referral_new", args=[person.pk]),
        {**data, "known_person_reason": "Moved to a South care home"},
    )
    assert recorded.status_code == 302
    case = Case.objects.get(person=person, team=world.team_south)
    assert case.request.known_person_reason == "Moved to a South care home"


def test_the_reason_is_read_in_the_audit_log_and_its_export(world: World) -> None:
    south_only = world.case_waiting_south.person
    client_for(world.priya).post(
        reverse("person_break_glass", args=[south_only.pk]),
        {"reason": "duty", "detail": "=Called the duty line about a fall"},
    )
    auditor = client_for(world.pat)

    page = auditor.post(reverse("audit_access_log"), {"action": AccessAction.BREAK_GLASS})
    assert "A duty or out-of-hours call, “=Called the duty line about a fall”" in (
        page.content.decode()
    )
    export = auditor.post(reverse("audit_access_log_export"), {"action": "break_glass"})
    [row] = _csv(export)
    # A cell a spreadsheet would run is written as text.
    assert (row["reason"], row["reason_detail"]) == ("duty", "'=Called the duty line about a fall")


def test_an_id_too_large_for_any_record_is_not_found(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("person_break_glass", args=[10**30]), {"reason": "duty", "detail": "A call"}
    )
    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(action=AccessAction.BREAK_GLASS).exists()
