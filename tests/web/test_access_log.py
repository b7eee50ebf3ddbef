"""Every page that shows people's data writes one access-log row naming the people it showed;
lists keep a constant query count however many rows they show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.allocation.actions import propose_for_meeting
from caseload.audit.models import AccessAction, AccessLogEntry
from caseload.register import actions
from caseload.register.models import Person
from tests.conftest import World, client_for
from tests.factories import CaseFactory, allocated_case
from tests.web.test_pages import valid_referral
from tests.web.test_permission_matrix import _planned_handover


@dataclass(frozen=True)
class View:
    name: str
    who: str
    args: Callable[[World], list[int]]
    action: AccessAction
    people: Callable[[World], set[Person]]
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _priyas(w: World) -> set[Person]:
    return {w.person_of_priya}


def _waiting_north(w: World) -> set[Person]:
    return {w.case_waiting_north.person}


def _north(w: World) -> set[Person]:
    return {
        w.person_of_priya,
        w.case_held_by_colin.person,
        w.case_waiting_north.person,
        w.case_closed_north.person,
    }


def _no_one(w: World) -> set[Person]:
    return set()


def _priyas_case(w: World) -> list[int]:
    return [w.case_held_by_priya.pk]


def _with_a_change(w: World) -> list[int]:
    """Priya's case, after Mona changed its priority."""
    actions.set_priority(by=w.mona, case=w.case_held_by_priya, priority=1)
    return [w.case_held_by_priya.pk]


def _person_with_a_change(w: World) -> list[int]:
    _with_a_change(w)
    return [w.person_of_priya.pk]


VIEWS = [
    View("person_list", "mona", lambda w: [], AccessAction.LIST_PEOPLE, _north),
    View(
        "person_list",
        "mona",
        lambda w: [],
        AccessAction.SEARCH_PEOPLE,
        lambda w: {w.person_of_priya, w.case_held_by_colin.person},
        method="post",
        data={"q": "heldby"},
    ),
    View(
        "person_detail",
        "priya",
        lambda w: [w.person_of_priya.pk],
        AccessAction.VIEW_PERSON,
        _priyas,
    ),
    View("case_detail", "priya", _priyas_case, AccessAction.VIEW_CASE, _priyas),
    View("team_detail", "mona", lambda w: [w.team_north.pk], AccessAction.VIEW_TEAM, _no_one),
    View(
        "team_waiting_list",
        "priya",
        lambda w: [w.team_north.pk],
        AccessAction.VIEW_WAITING_LIST,
        _waiting_north,
    ),
    View(
        "team_waiting_list",
        "priya",
        lambda w: [w.team_north.pk],
        AccessAction.VIEW_WAITING_LIST,
        _waiting_north,
        headers={"HX-Request": "true"},
    ),
    View(
        "practitioner_detail",
        "priya",
        lambda w: [w.priya_practitioner.pk],
        AccessAction.VIEW_CASELOAD,
        _priyas,
    ),
    View(
        "allocation_meeting",
        "mona",
        lambda w: [w.team_north.pk],
        AccessAction.VIEW_ALLOCATION_MEETING,
        _waiting_north,
    ),
    View(
        "allocation_proposal",
        "mona",
        lambda w: [propose_for_meeting(by=w.mona, team=w.team_north).pk],
        AccessAction.VIEW_PROPOSAL,
        _waiting_north,
    ),
    View(
        "allocation_what_if",
        "mona",
        lambda w: [w.priya_practitioner.pk],
        AccessAction.VIEW_WHAT_IF,
        _no_one,
    ),
    View(
        "person_referral_new",
        "priya",
        lambda w: [w.person_of_priya.pk],
        AccessAction.PERSON_FORM,
        _priyas,
    ),
    View("case_close", "priya", _priyas_case, AccessAction.CASE_FORM, _priyas),
    View(
        "case_screen",
        "mona",
        lambda w: [w.case_waiting_north.pk],
        AccessAction.CASE_FORM,
        _waiting_north,
        method="post",
    ),
    View(
        "case_priority",
        "priya",
        _priyas_case,
        AccessAction.CASE_FORM,
        _priyas,
        method="post",
        data={"priority": "1"},
    ),
    View("case_score", "priya", _priyas_case, AccessAction.CASE_FORM, _priyas),
    View(
        "case_score_preview", "priya", _priyas_case, AccessAction.CASE_FORM, _priyas, method="post"
    ),
    View("case_rescore", "priya", _priyas_case, AccessAction.CASE_FORM, _priyas, method="post"),
    View(
        "assessment_override",
        "mona",
        lambda w: [w.assessment_of_priyas_case.pk],
        AccessAction.CASE_FORM,
        _priyas,
    ),
    View("handover_cancel", "mona", _planned_handover, AccessAction.CASE_FORM, _priyas),
    View("handover_now", "mona", _planned_handover, AccessAction.CASE_FORM, _priyas, method="post"),
    View("case_history", "priya", _with_a_change, AccessAction.VIEW_HISTORY, _priyas),
    View(
        "person_history",
        "mona",
        _person_with_a_change,
        AccessAction.VIEW_HISTORY,
        _priyas,
    ),
    View(
        "practitioner_history",
        "mona",
        lambda w: [w.priya_practitioner.pk],
        AccessAction.VIEW_HISTORY,
        _no_one,
    ),
    View("audit_change_log", "pat", lambda w: [], AccessAction.SEARCH_AUDIT_LOG, _no_one),
    View(
        "audit_change_log_export",
        "pat",
        lambda w: [],
        AccessAction.EXPORT_AUDIT_LOG,
        _priyas,
        method="post",
        data={"person": "{nhs}"},
    ),
]


@pytest.mark.parametrize("view", VIEWS, ids=[f"{v.name}-{i}" for i, v in enumerate(VIEWS)])
def test_each_view_logs_the_people_it_showed(world: World, view: View) -> None:
    user = getattr(world, view.who)
    url = reverse(view.name, args=view.args(world))
    data = {
        key: value.format(nhs=world.person_of_priya.nhs_number) for key, value in view.data.items()
    }
    response = getattr(client_for(user), view.method)(url, data, headers=view.headers)
    assert response.status_code in (200, 302)
    entry = AccessLogEntry.objects.get(user_id=user.pk, action=view.action)
    assert set(entry.subjects.values_list("person_id", flat=True)) == {
        person.pk for person in view.people(world)
    }


def test_a_failed_identity_check_is_logged_with_the_person_matched(world: World) -> None:
    known = world.case_waiting_south.person
    response = client_for(world.priya).post(
        reverse("referral_new"),
        valid_referral(world, nhs_number=known.nhs_number, family_name="Someone-Else"),
    )
    assert "This NHS number is recorded for someone" in response.content.decode()
    entry = AccessLogEntry.objects.get(action=AccessAction.IDENTITY_CHECK_FAILED)
    assert entry.user_id == world.priya.pk
    assert list(entry.subjects.values_list("person_id", flat=True)) == [known.pk]
    assert not Person.objects.filter(family_name="Someone-Else").exists()


def test_a_matching_referral_is_not_an_identity_failure(world: World) -> None:
    known = world.case_closed_north.person
    client_for(world.priya).post(
        reverse("referral_new"),
        valid_referral(
            world,
            nhs_number=known.nhs_number,
            family_name=known.family_name,
            date_of_birth_day=str(known.date_of_birth.day),
            date_of_birth_month=str(known.date_of_birth.month),
            date_of_birth_year=str(known.date_of_birth.year),
        ),
    )
    assert not AccessLogEntry.objects.filter(action=AccessAction.IDENTITY_CHECK_FAILED).exists()


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def _grow(world: World, n: int) -> None:
    """More people on every list, and more changes on the record histories."""
    for _ in range(n):
        case = CaseFactory.create(team=world.team_north, person__family_name="Grower")
        allocated_case(world.priya_practitioner, person__family_name="Grower")
        for priority in (1, 3):
            actions.set_priority(by=world.mona, case=world.case_held_by_priya, priority=priority)
            actions.set_priority(by=world.mona, case=case, priority=priority)


@pytest.mark.parametrize(
    ("name", "who", "args"),
    [
        ("allocation_meeting", "mona", lambda w: [w.team_north.pk]),
        ("case_history", "mona", lambda w: [w.case_held_by_priya.pk]),
        ("person_history", "mona", lambda w: [w.person_of_priya.pk]),
        ("practitioner_history", "mona", lambda w: [w.priya_practitioner.pk]),
        ("audit_change_log", "pat", lambda w: []),
        ("audit_access_log", "pat", lambda w: []),
    ],
)
def test_query_count_is_constant(
    world: World, name: str, who: str, args: Callable[[World], list[int]]
) -> None:
    client = client_for(getattr(world, who))
    url = reverse(name, args=args(world))
    _grow(world, 2)
    client.get(url)  # warm the session, and give the access log rows of its own
    small = _queries(lambda: client.get(url))
    _grow(world, 12)
    for _ in range(3):
        client.get(url)
    large = _queries(lambda: client.get(url))
    assert small == large, f"{name}: {small} queries with little data, {large} with more"
