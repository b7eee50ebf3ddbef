"""Held cases, reviews and the contact log: the actions and their refusals, the daily run that
turns reviews falling due into work to allocate, and the pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.jobs import registry
from caseload.register import contacts, reviews
from caseload.register.actions import close_case
from caseload.register.models import Allocation, Case, CaseStatus, Contact, Team
from caseload.web.errors import ActionRefused
from caseload_engine.dates import add_months
from tests.conftest import World, client_for
from tests.factories import CaseFactory, PractitionerFactory, allocated_case

HTMX = {"HX-Request": "true"}


def _today() -> date:
    return timezone.localdate()


def _held(world: World, *, review_in_days: int = 100, **more: Any) -> Case:
    """A case of the north team, held until review: handed back by Mona."""
    case = reviews.hand_back_to_team(
        by=world.mona,
        case=allocated_case(world.colin_practitioner, **more),
        next_review_on=_today() + timedelta(days=review_in_days),
    )
    return case


# The contact log


def test_the_holder_records_a_contact_and_it_is_logged(world: World) -> None:
    case = world.case_held_by_priya
    contact = reviews.record_contact(
        by=world.priya, case=case, occurred_on=_today(), kind="visit", note="  Synthetic note  "
    )
    assert (contact.practitioner, contact.recorded_by, contact.note) == (
        world.priya_practitioner,
        world.priya,
        "Synthetic note",
    )
    event = ChangeEvent.objects.get(action=ChangeAction.CONTACT_RECORDED)
    assert (event.case_id, event.user_id) == (case.pk, world.priya.pk)
    # The note is free text: it stays on the contact, out of the log.
    assert "Synthetic" not in str(event.detail)


def test_a_manager_of_the_team_records_a_contact(world: World) -> None:
    contact = reviews.record_contact(
        by=world.mona, case=world.case_held_by_priya, occurred_on=_today(), kind="call"
    )
    assert contact.kind == "call"


@pytest.mark.parametrize("who", ["colin", "max", "pat", "dee", "ada"])
def test_no_one_else_records_a_contact(world: World, who: str) -> None:
    with pytest.raises(ActionRefused):
        reviews.record_contact(
            by=getattr(world, who), case=world.case_held_by_priya, occurred_on=_today(), kind="call"
        )
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("days", "kind", "message"),
    [
        (1, "visit", "cannot be in the future"),
        (-3650, "visit", "cannot be before the case opened"),
        (0, "telegram", "Choose visit, call, meeting or letter"),
    ],
)
def test_a_contact_on_a_bad_day_or_of_no_known_kind_is_refused(
    world: World, days: int, kind: str, message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        reviews.record_contact(
            by=world.priya,
            case=world.case_held_by_priya,
            occurred_on=_today() + timedelta(days=days),
            kind=kind,
        )


def test_a_closed_case_takes_no_contact(world: World) -> None:
    with pytest.raises(ActionRefused):
        reviews.record_contact(
            by=world.mona, case=world.case_closed_north, occurred_on=_today(), kind="letter"
        )


def test_one_button_records_a_contact_today_and_htmx_gets_the_log_again(world: World) -> None:
    url = reverse("case_contact_today", args=[world.case_held_by_priya.pk])
    response = client_for(world.priya).post(url, {"kind": "meeting"}, headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith('<div id="contact-log">')
    assert "Meeting" in page
    assert Contact.objects.get().occurred_on == _today()
    # Without JavaScript: the same POST, then the case page.
    response = client_for(world.priya).post(url, {"kind": "letter"})
    assert response.status_code == 302
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    "kind", ["", "telegram", "visit\x00", "\N{FULLWIDTH LATIN SMALL LETTER V}isit", "9" * 500]
)
def test_a_bad_button_value_records_nothing(world: World, kind: str) -> None:
    url = reverse("case_contact_today", args=[world.case_held_by_priya.pk])
    response = client_for(world.priya).post(url, {"kind": kind}, headers=HTMX)
    assert response.status_code == 200
    assert "The contact was not recorded" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_colleague_who_does_not_hold_the_case_is_told_no(world: World) -> None:
    """Colin sees the team's waiting case, but a contact is for its holder or a manager."""
    url = reverse("case_contact_today", args=[world.case_waiting_north.pk])
    response = client_for(world.colin).post(url, {"kind": "visit"}, headers=HTMX)
    assert "current holder or a manager" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_form_records_a_contact_on_another_day_with_a_note(world: World) -> None:
    url = reverse("case_contact_new", args=[world.case_held_by_priya.pk])
    yesterday = _today() - timedelta(days=1)
    response = client_for(world.priya).post(
        url,
        {
            "kind": "call",
            "occurred_on_day": yesterday.day,
            "occurred_on_month": yesterday.month,
            "occurred_on_year": yesterday.year,
            "note": "Synthetic: spoke to daughter",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.occurred_on, contact.kind) == (yesterday, "call")


@pytest.mark.parametrize(
    ("day", "month", "year", "note", "message"),
    [
        ("1", "1", "99999", "", "must be a real date"),
        ("\u0663\u0662", "\u0661", "\u0662\u0660\u0662\u0666", "", "must be a real date"),
        ("31", "2", "2026", "", "must be a real date"),
        ("1", "1", "9999", "", "cannot be in the future"),
        ("1", "1", "2000", "", "cannot be before the case opened"),
        ("", "", "", "", "Enter the date of the contact"),
        ("1", "1", "2026", "a\x07b", "control or hidden formatting"),
        ("1", "1", "2026", "x" * 501, "500 characters or fewer"),
    ],
)
def test_hostile_contact_forms_are_refused_on_their_field(
    world: World, day: str, month: str, year: str, note: str, message: str
) -> None:
    url = reverse("case_contact_new", args=[world.case_held_by_priya.pk])
    data = {
        "kind": "visit",
        "occurred_on_day": day,
        "occurred_on_month": month,
        "occurred_on_year": year,
        "note": note,
    }
    response = client_for(world.priya).post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_the_case_page_shows_the_log_newest_first_and_pages_it(
    world: World, settings: Any, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    settings.CASELOAD_PAGE_SIZE = 5
    case = world.case_held_by_priya
    for days in range(3):
        reviews.record_contact(
            by=world.priya, case=case, occurred_on=_today() - timedelta(days=days), kind="visit"
        )
    client = client_for(world.priya)
    url = reverse("case_detail", args=[case.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(60) as few:
        page = client.get(url).content.decode()
    assert "Visit today" in page
    assert "Hand back to team" in page
    assert page.index(f"{_today():%-d %b %Y}") < page.index(
        f"{_today() - timedelta(days=2):%-d %b %Y}"
    )
    for days in range(3, 20):
        reviews.record_contact(
            by=world.mona, case=case, occurred_on=_today() - timedelta(days=days), kind="call"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Showing 1 to 5 of 20" in page


def test_no_contact_buttons_for_who_may_not_work_the_case(world: World) -> None:
    page = client_for(world.pat).get(reverse("case_detail", args=[world.case_held_by_priya.pk]))
    text = page.content.decode()
    assert "Contact log" in text
    assert "Visit today" not in text
    assert "Hand back to team" not in text


# Handing back, reviews


def test_handing_back_ends_the_allocation_and_the_team_holds_the_case(world: World) -> None:
    case = reviews.hand_back_to_team(by=world.priya, case=world.case_held_by_priya)
    case.refresh_from_db()
    assert case.status == CaseStatus.HELD
    assert case.next_review_on == add_months(_today(), 12)
    assert not Allocation.objects.filter(case=case, ended_at__isnull=True).exists()
    event = ChangeEvent.objects.get(action=ChangeAction.CASE_HANDED_BACK)
    assert event.from_practitioner_id == world.priya_practitioner.pk
    assert event.changes["status"] == ["allocated", "held"]
    # Held cases are open, waiting for no one: not on the allocation queue.
    assert case.is_open
    assert not case.is_waiting


def test_the_teams_interval_sets_the_next_review(world: World) -> None:
    reviews.set_review_interval(by=world.mona, team=world.team_north, review_interval_months=6)
    case = reviews.hand_back_to_team(by=world.priya, case=world.case_held_by_priya)
    assert case.next_review_on == add_months(_today(), 6)


@pytest.mark.parametrize("days", [0, -1, 3650])
def test_a_next_review_today_past_or_too_far_is_refused(world: World, days: int) -> None:
    with pytest.raises(ActionRefused, match="next review must be"):
        reviews.hand_back_to_team(
            by=world.priya,
            case=world.case_held_by_priya,
            next_review_on=_today() + timedelta(days=days),
        )


def test_only_an_allocated_case_is_handed_back_and_only_by_its_holder(world: World) -> None:
    with pytest.raises(ActionRefused, match="Only an allocated case"):
        reviews.hand_back_to_team(by=world.mona, case=world.case_waiting_north)
    with pytest.raises(ActionRefused):
        reviews.hand_back_to_team(by=world.colin, case=world.case_held_by_priya)
    with pytest.raises(ActionRefused):
        reviews.hand_back_to_team(by=world.max, case=world.case_held_by_priya)


def test_hand_back_by_the_form(world: World) -> None:
    url = reverse("case_hand_back", args=[world.case_held_by_priya.pk])
    client = client_for(world.priya)
    usual = add_months(_today(), 12)
    assert f'value="{usual.year}"' in client.get(url).content.decode()
    on = _today() + timedelta(days=60)
    response = client.post(
        url,
        {
            "next_review_on_day": on.day,
            "next_review_on_month": on.month,
            "next_review_on_year": on.year,
        },
    )
    # Priya no longer sees a case the team holds: she goes back to her start page.
    assert response["Location"] == reverse("home")
    world.case_held_by_priya.refresh_from_db()
    assert world.case_held_by_priya.next_review_on == on


def test_a_held_case_can_be_closed(world: World) -> None:
    case = _held(world)
    closed = close_case(
        by=world.mona, case=case, outcome="nfa_information_advice", closed_at=timezone.now()
    )
    assert closed.status == CaseStatus.CLOSED


def test_a_review_sets_the_next_one(world: World) -> None:
    case = _held(world)
    reviewed_on = _today() - timedelta(days=2)
    case = reviews.record_review(by=world.mona, case=case, reviewed_on=reviewed_on)
    assert case.last_reviewed_on == reviewed_on
    assert case.next_review_on == add_months(reviewed_on, 12)
    assert case.status == CaseStatus.HELD
    with pytest.raises(ActionRefused, match="later review"):
        reviews.record_review(by=world.mona, case=case, reviewed_on=reviewed_on - timedelta(1))


def test_a_review_refused_for_the_future_for_a_new_request_and_for_other_teams(
    world: World,
) -> None:
    case = _held(world)
    with pytest.raises(ActionRefused, match="cannot be in the future"):
        reviews.record_review(by=world.mona, case=case, reviewed_on=_today() + timedelta(1))
    with pytest.raises(ActionRefused, match="no care plan"):
        reviews.record_review(by=world.mona, case=world.case_waiting_north, reviewed_on=_today())
    with pytest.raises(ActionRefused):
        reviews.record_review(by=world.max, case=case, reviewed_on=_today())


# The daily run


def test_reviews_falling_due_become_work_to_allocate_once(world: World) -> None:
    soon = _held(world, review_in_days=28)
    later = _held(world, review_in_days=29)
    assert list(contacts.reviews_due(world.team_north, _today(), 28)) == [soon]
    run = reviews.mark_reviews_due(on=_today(), lead_days=28)
    assert (run.due, run.unattributed) == (1, ())
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.status, later.status) == (CaseStatus.AWAITING_ALLOCATION, CaseStatus.HELD)
    event = ChangeEvent.objects.get(action=ChangeAction.CASE_REVIEW_DUE)
    assert (event.case_id, event.user_id, event.detail["daily_run"]) == (
        soon.pk,
        world.mona.pk,
        True,
    )
    # Again the same day: nothing more.
    assert reviews.mark_reviews_due(on=_today(), lead_days=28).due == 0
    assert ChangeEvent.objects.filter(action=ChangeAction.CASE_REVIEW_DUE).count() == 1
    # A review recorded while it waits puts it back with the team.
    reviewed = reviews.record_review(by=world.mona, case=soon, reviewed_on=_today())
    assert reviewed.status == CaseStatus.HELD


def test_the_daily_job_uses_the_lead_days_setting(world: World, settings: Any) -> None:
    settings.CASELOAD_REVIEW_LEAD_DAYS = 5
    case = _held(world, review_in_days=6)
    kind = registry.find("reviews_falling_due")
    assert kind is not None
    assert kind in registry.daily()

    class _Job:
        parameters = {"on": _today().isoformat()}

    assert kind.run(_Job(), lambda percent, note: None).summary.startswith("0 held cases")  # type: ignore[arg-type]
    settings.CASELOAD_REVIEW_LEAD_DAYS = 6
    assert kind.run(_Job(), lambda percent, note: None).summary.startswith("1 held case ")  # type: ignore[arg-type]
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_ALLOCATION


# The team's cases and the caseload


def test_team_cases_filter_held_and_overdue(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    held = _held(world)
    overdue = _held(world, review_in_days=40)
    Case.objects.filter(pk=overdue.pk).update(next_review_on=_today() - timedelta(days=1))
    client = client_for(world.mona)
    url = reverse("team_cases", args=[world.team_north.pk])
    page = client.get(url, {"show": "held"}).content.decode()
    assert escape(held.person.family_name) in page
    assert escape(overdue.person.family_name) in page
    assert escape(world.case_waiting_north.person.family_name) not in page
    page = client.get(url, {"show": "overdue"}).content.decode()
    assert escape(overdue.person.family_name) in page
    assert escape(held.person.family_name) not in page
    assert "Overdue" in page
    # Hostile filters show every open case, never an error.
    for show in ("\x00", "held' OR 1=1", "٣"):
        assert client.get(url, {"show": show}).status_code == 200
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(10):
        _held(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_my_caseload_shows_days_since_contact_and_next_review(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    case = world.case_held_by_priya
    Case.objects.filter(pk=case.pk).update(next_review_on=_today() + timedelta(days=30))
    reviews.record_contact(
        by=world.priya, case=case, occurred_on=_today() - timedelta(days=4), kind="visit"
    )
    client = client_for(world.priya)
    url = reverse("practitioner_detail", args=[world.priya_practitioner.pk])
    with django_assert_max_num_queries(40) as few:
        page = client.get(url).content.decode()
    assert "Days since last contact" in page
    assert ">4<" in page
    for _ in range(5):
        allocated_case(world.priya_practitioner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "None recorded" in page


def test_team_page_counts_held_cases_and_overdue_reviews(world: World) -> None:
    _held(world)
    overdue = _held(world)
    Case.objects.filter(pk=overdue.pk).update(next_review_on=_today() - timedelta(days=1))
    page = client_for(world.mona).get(reverse("team_detail", args=[world.team_north.pk]))
    text = page.content.decode()
    assert "held by the team until review" in text
    assert "review overdue" in text


def test_the_manager_sets_the_review_interval(world: World) -> None:
    url = reverse("team_review_interval", args=[world.team_north.pk])
    client = client_for(world.mona)
    for raw, message in (
        ("0", "at least 1"),
        ("37", "at most 36"),
        ("1\N{SUPERSCRIPT TWO}", "whole number"),
    ):
        response = client.post(url, {"review_interval_months": raw})
        assert message in response.content.decode()
    response = client.post(url, {"review_interval_months": "6"})
    assert response.status_code == 302
    world.team_north.refresh_from_db()
    assert world.team_north.review_interval_months == 6
    assert ChangeEvent.objects.filter(action=ChangeAction.TEAM_REVIEW_INTERVAL_SET).count() == 1
    with pytest.raises(ActionRefused):
        reviews.set_review_interval(by=world.max, team=world.team_north, review_interval_months=3)


# The database's own rules


@pytest.mark.parametrize("months", [0, 37])
def test_the_database_refuses_a_review_interval_out_of_range(world: World, months: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.filter(pk=world.team_north.pk).update(review_interval_months=months)


def test_the_database_refuses_a_held_case_without_a_review_date(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory.create(team=world.team_north, status=CaseStatus.HELD)


def test_a_held_case_is_the_persons_one_open_case_in_the_team(world: World) -> None:
    held = _held(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory.create(team=world.team_north, person=held.person)


def test_employment_defaults_to_permanent(world: World) -> None:
    assert PractitionerFactory.create(team=world.team_north).employment == "permanent"
