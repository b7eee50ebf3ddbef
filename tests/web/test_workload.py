"""Workload (issue 12): the figures, safe working levels, extra hours, workload concerns and
their escalation, and the team workload page with who sees which rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from caseload.accounts.models import User
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.audit.presenters import describe_changes, directory_for
from caseload.demo_loader import load_demo_council
from caseload.jobs import registry
from caseload.jobs.actions import start_job
from caseload.jobs.models import Job
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Absence, Contact, Practitioner, Team
from caseload.web.errors import ActionRefused
from caseload.workload import actions
from caseload.workload.figures import extra_hours, practitioner_loads, totals
from caseload.workload.levels import Light
from caseload.workload.models import (
    ConcernSource,
    ExtraHours,
    SafeWorkingLevel,
    UtilisationSnapshot,
    WorkloadConcern,
)
from tests.conftest import LONDON, World, client_for
from tests.factories import AssessmentFactory, PractitionerFactory, allocated_case


def _capacity(practitioner: Practitioner, points: int) -> None:
    practitioner.capacity_points = Decimal(points)
    practitioner.save(update_fields=["capacity_points"])


def _agree(world: World, *, amber: int = 85, red: int = 100) -> SafeWorkingLevel:
    return actions.record_safe_working_level(
        by=world.mona,
        team=world.team_north,
        amber_percent=amber,
        red_percent=red,
        agreed_on=timezone.localdate(),
        agreed_with="Team meeting, all present",
    )


# The figures (the Health Check's API) ------------------------------------------------------


def test_practitioner_loads_weigh_points_against_capacity(world: World) -> None:
    _capacity(world.priya_practitioner, 4)  # holds one scored case of 5 points: 125%
    _capacity(world.colin_practitioner, 50)  # holds one unscored case
    today = timezone.localdate()
    Absence.objects.create(
        practitioner=world.colin_practitioner,
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=10),
        reason="annual_leave",
    )
    ExtraHours.objects.create(
        practitioner=world.priya_practitioner, worked_on=today, hours=Decimal("1.5")
    )
    ExtraHours.objects.create(
        practitioner=world.priya_practitioner,
        worked_on=today - timedelta(days=40),  # outside the last four weeks
        hours=Decimal("3"),
    )
    loads = {load.name: load for load in practitioner_loads(teams=[world.team_north], on=today)}
    priya = loads[world.priya_practitioner.full_name]
    assert (priya.points, priya.capacity, priya.percent) == (Decimal(5), Decimal(4), 125)
    assert priya.cases == 1
    assert priya.unscored == 0
    assert sum(priya.tiers.values()) == 1
    assert priya.light is Light.RED
    assert priya.extra_hours == Decimal("1.5")
    colin = loads[world.colin_practitioner.full_name]
    assert (colin.percent, colin.unscored, colin.light) == (0, 1, Light.GREEN)
    assert not colin.absent
    assert colin.absence_from == today + timedelta(days=3)
    team = totals(loads.values())
    assert (team.cases, team.over_red, team.extra_hours) == (2, 1, Decimal("1.5"))
    assert extra_hours(start=today - timedelta(days=60), end=today, teams=[world.team_north]) == {
        world.priya_practitioner.pk: Decimal("4.5")
    }


def test_amber_and_red_follow_the_level_in_force(world: World) -> None:
    _capacity(world.priya_practitioner, 5)  # exactly 100%
    today = timezone.localdate()
    [priya] = [
        load
        for load in practitioner_loads(teams=[world.team_north.pk], on=today)
        if load.practitioner_id == world.priya_practitioner.pk
    ]
    assert priya.light is Light.AMBER  # the default: amber above 85%, red above 100%
    _agree(world, amber=100, red=120)
    [priya] = [
        load
        for load in practitioner_loads(teams=[world.team_north.pk], on=today)
        if load.practitioner_id == world.priya_practitioner.pk
    ]
    assert priya.light is Light.GREEN


def test_practitioner_loads_queries_stay_constant(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(10):
        practitioner = PractitionerFactory.create(team=world.team_north)
        AssessmentFactory.create(case=allocated_case(practitioner))
    with django_assert_max_num_queries(7):
        loads = practitioner_loads(teams=[world.team_north], on=timezone.localdate())
    assert len(loads) == 12


def test_case_ages_count_contacts_and_reviews(world: World) -> None:
    today = timezone.localdate()
    case = world.case_held_by_priya
    case.next_review_on = today - timedelta(days=1)
    case.save(update_fields=["next_review_on"])
    second = allocated_case(world.priya_practitioner, next_review_on=today + timedelta(days=10))
    Contact.objects.create(
        case=second, occurred_on=today - timedelta(days=45), kind="visit", recorded_by=world.priya
    )
    Contact.objects.create(
        case=second, occurred_on=today - timedelta(days=95), kind="call", recorded_by=world.priya
    )
    [priya] = [
        load
        for load in practitioner_loads(teams=[world.team_north], on=today)
        if load.practitioner_id == world.priya_practitioner.pk
    ]
    # The first case has no contact; the second's latest was 45 days ago.
    assert priya.ages.contact == (0, 1, 0, 0, 1)
    assert (priya.ages.reviews_overdue, priya.ages.reviews_due) == (1, 1)


# Safe working levels ----------------------------------------------------------------------


def test_the_manager_records_the_levels_agreed_and_the_change_is_logged(world: World) -> None:
    client = client_for(world.mona)
    url = reverse("team_workload_levels", args=[world.team_north.pk])
    assert 'value="85"' in client.get(url).content.decode()
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "amber_percent": "90",
            "red_percent": "110",
            "agreed_on_day": str(today.day),
            "agreed_on_month": str(today.month),
            "agreed_on_year": str(today.year),
            "agreed_with": "Team meeting, all six present",
        },
    )
    assert response.status_code == 302
    level = SafeWorkingLevel.objects.get(team=world.team_north)
    assert (level.amber_percent, level.red_percent, level.recorded_by) == (90, 110, world.mona)
    event = ChangeEvent.objects.get(action=ChangeAction.SAFE_WORKING_LEVEL_AGREED)
    [line] = describe_changes([event], directory_for(world.pat))
    assert "amber from 90%, red above 110%" in line.text
    page = client.get(reverse("team_workload", args=[world.team_north.pk])).content.decode()
    assert "Team meeting, all six present" in page
    # A later agreement is in force; the earlier stays in the history.
    _agree(world, amber=80, red=95)
    history = client.get(url).content.decode()
    assert "110%" in history
    assert "95%" in history


@pytest.mark.parametrize(
    ("amber", "red", "message"),
    [
        ("", "100", "Enter the amber level"),
        ("0", "100", "at least 1%"),
        ("100", "100", "The amber level must be below the red level"),
        ("9" * 30, "100", "at most 200%"),
        ("8\N{SUPERSCRIPT FIVE}", "100", "whole number"),
        ("85", "1e3", "whole number"),
    ],
)
def test_bad_levels_are_refused_on_the_field(
    world: World, amber: str, red: str, message: str
) -> None:
    url = reverse("team_workload_levels", args=[world.team_north.pk])
    today = timezone.localdate()
    response = client_for(world.mona).post(
        url,
        {
            "amber_percent": amber,
            "red_percent": red,
            "agreed_on_day": str(today.day),
            "agreed_on_month": str(today.month),
            "agreed_on_year": str(today.year),
            "agreed_with": "Team meeting\x00",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SafeWorkingLevel.objects.filter(team=world.team_north).exists()


def test_only_the_teams_manager_records_its_levels(world: World) -> None:
    for who in (world.max, world.pat, world.dee, world.priya):
        with pytest.raises(ActionRefused, match="cannot change this team's workload levels"):
            actions.record_safe_working_level(
                by=who,
                team=world.team_north,
                amber_percent=80,
                red_percent=100,
                agreed_on=timezone.localdate(),
                agreed_with="Nobody",
            )


@pytest.mark.parametrize(("amber", "red"), [(100, 100), (0, 50), (50, 201), (90, 80)])
def test_the_database_refuses_levels_out_of_order_or_range(
    world: World, amber: int, red: int
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SafeWorkingLevel.objects.create(
            team=world.team_north,
            amber_percent=amber,
            red_percent=red,
            agreed_on=timezone.localdate(),
            agreed_with="Team meeting",
        )


# The team workload page ---------------------------------------------------------------------


def _workload_page(world: World, user: User, query: str = "") -> str:
    url = reverse("team_workload", args=[world.team_north.pk]) + query
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_manager_sees_every_row_flagged_against_the_level(world: World) -> None:
    _capacity(world.priya_practitioner, 4)  # 125%: red
    page = _workload_page(world, world.mona)
    assert escape(world.priya_practitioner.full_name) in page
    assert escape(world.colin_practitioner.full_name) in page
    assert page.count("Over the red level") == 1
    assert 'class="caseload-bar__red" width="83"' in page  # 125% of a bar that ends at 150%
    assert "1 over the red level" in page


def test_a_practitioner_sees_their_own_row_and_only_the_teams_aggregates(world: World) -> None:
    _capacity(world.colin_practitioner, 4)
    AssessmentFactory.create(case=world.case_held_by_colin)  # 5 points of 4
    ExtraHours.objects.create(
        practitioner=world.colin_practitioner, worked_on=timezone.localdate(), hours=Decimal(7)
    )
    page = _workload_page(world, world.priya)
    assert escape(world.priya_practitioner.full_name) in page
    assert escape(world.colin_practitioner.family_name) not in page
    # Colin's figures reach her only in the totals: 2 cases, 1 over the red level.
    assert "Team: 2 practitioners" in page
    assert "1 over the red level" in page
    assert page.count('data-light="') == 1


def test_the_table_sorts_from_the_url(world: World) -> None:
    _capacity(world.priya_practitioner, 4)
    _capacity(world.colin_practitioner, 50)
    priya, colin = world.priya_practitioner.full_name, world.colin_practitioner.full_name
    by_utilisation = _workload_page(world, world.mona, "?sort=-utilisation")
    assert by_utilisation.index(priya) < by_utilisation.index(colin)
    assert 'aria-sort="descending"' in by_utilisation
    ascending = _workload_page(world, world.mona, "?sort=utilisation")
    assert ascending.index(colin) < ascending.index(priya)
    # Anything else is the default order, never an error.
    for hostile in ("?sort=drop table", "?sort=-", "?sort=%00", "?sort=" + "9" * 500):
        _workload_page(world, world.mona, hostile)


def test_the_workload_page_query_count_stays_constant(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_for(world.mona)
    url = reverse("team_workload", args=[world.team_north.pk])
    client.get(url)  # warm the session

    def grow(n: int) -> None:
        for _ in range(n):
            practitioner = PractitionerFactory.create(team=world.team_north)
            case = allocated_case(practitioner)
            AssessmentFactory.create(case=case)
            Contact.objects.create(
                case=case, occurred_on=timezone.localdate(), kind="call", recorded_by=world.mona
            )
            ExtraHours.objects.create(
                practitioner=practitioner, worked_on=timezone.localdate(), hours=Decimal(1)
            )

    grow(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-light="') == 24


# Extra hours --------------------------------------------------------------------------------


def test_a_practitioner_records_extra_hours_and_their_manager_sees_them(world: World) -> None:
    today = timezone.localdate()
    response = client_for(world.priya).post(
        reverse("workload_extra_hours"),
        {
            "worked_on_day": str(today.day),
            "worked_on_month": str(today.month),
            "worked_on_year": str(today.year),
            "hours": "1.75",
            "note": "Finishing a safeguarding enquiry",
        },
    )
    assert response.status_code == 302
    entry = ExtraHours.objects.get()
    assert (entry.practitioner, entry.hours) == (world.priya_practitioner, Decimal("1.75"))
    assert ChangeEvent.objects.filter(action=ChangeAction.EXTRA_HOURS_RECORDED).count() == 1
    url = reverse("practitioner_extra_hours", args=[world.priya_practitioner.pk])
    assert "Finishing a safeguarding enquiry" in client_for(world.mona).get(url).content.decode()
    assert client_for(world.max).get(url).status_code == 404
    assert client_for(world.colin).get(url).status_code == 403


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0.1", "at least a quarter of an hour"),
        ("25", "at most 24 hours"),
        ("9" * 40, "at most 24 hours"),
        ("1,5", "as a number"),
        ("NaN", "as a number"),
        ("-Infinity", "as a number"),
        ("1.123", "2 decimal places"),
    ],
)
def test_bad_extra_hours_are_refused(world: World, hours: str, message: str) -> None:
    today = timezone.localdate()
    response = client_for(world.priya).post(
        reverse("workload_extra_hours"),
        {
            "worked_on_day": str(today.day),
            "worked_on_month": str(today.month),
            "worked_on_year": str(today.year),
            "hours": hours,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExtraHours.objects.exists()


def test_extra_hours_in_the_future_are_refused(world: World) -> None:
    with pytest.raises(ActionRefused, match="today or in the past"):
        actions.record_extra_hours(
            by=world.priya,
            worked_on=timezone.localdate() + timedelta(days=1),
            hours=Decimal(1),
            note="",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtraHours.objects.create(
            practitioner=world.priya_practitioner,
            worked_on=timezone.localdate(),
            hours=Decimal("24.25"),
        )


# Workload concerns --------------------------------------------------------------------------


def test_a_concern_reaches_the_manager_and_is_answered_on_the_record(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("workload_concern_new"), {"concern": "Three tier 3 cases arrived this week."}
    )
    assert response.status_code == 302
    concern = WorkloadConcern.objects.get()
    assert (concern.practitioner, concern.team) == (world.priya_practitioner, world.team_north)
    notice = Notification.objects.get(recipient=world.mona)
    assert notice.kind == NotificationKind.WORKLOAD_CONCERN
    assert notice.link == reverse("workload_concern", args=[concern.pk])
    assert not Notification.objects.filter(recipient=world.max).exists()
    url = reverse("workload_concern", args=[concern.pk])
    assert client_for(world.colin).get(url).status_code == 404
    assert client_for(world.max).get(url).status_code == 404
    assert client_for(world.dee).get(url).status_code == 404  # not escalated
    assert client_for(world.mona).post(url, {"response": "  "}).status_code == 200
    response = client_for(world.mona).post(url, {"response": "I will move two cases on."})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.response, concern.answered_by) == ("I will move two cases on.", world.mona)
    assert Notification.objects.filter(
        recipient=world.priya, kind=NotificationKind.WORKLOAD_CONCERN
    ).exists()
    assert "I will move two cases on." in client_for(world.priya).get(url).content.decode()
    # Answered once: a second answer is refused.
    with pytest.raises(ActionRefused, match="already been answered"):
        actions.answer_concern(by=world.mona, concern=concern, response="Again")
    assert [e.action for e in ChangeEvent.objects.order_by("pk")] == [
        ChangeAction.WORKLOAD_CONCERN_RAISED,
        ChangeAction.WORKLOAD_CONCERN_ANSWERED,
    ]


def test_an_empty_or_overlong_concern_is_refused(world: World) -> None:
    client = client_for(world.priya)
    for text, message in (
        ("  ", "Enter what makes"),
        ("x" * 4001, "Keep it to 4000"),
        ("Too much\x1b[2J", "control or hidden formatting"),
        ("Too much\u202e", "control or hidden formatting"),
    ):
        response = client.post(reverse("workload_concern_new"), {"concern": text})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not WorkloadConcern.objects.exists()


def _raise_on(world: World, day: date) -> WorkloadConcern:
    with time_machine.travel(datetime.combine(day, time(10), tzinfo=LONDON), tick=False):
        return actions.raise_concern(by=world.priya, concern="Too many visits to fit in.")


def test_an_unanswered_concern_escalates_after_5_working_days_across_bank_holidays(
    world: World,
) -> None:
    # Thursday 24 December 2026: Christmas Day (Friday), Boxing Day's substitute (Monday 28)
    # and New Year's Day (Friday 1 January) are not working days.
    concern = _raise_on(world, date(2026, 12, 24))
    assert concern.answer_due_on == date(2027, 1, 5)
    assert actions.escalate_unanswered(on=date(2027, 1, 5)) == 0
    assert actions.escalate_unanswered(on=date(2027, 1, 6)) == 1
    assert actions.escalate_unanswered(on=date(2027, 1, 7)) == 0  # once only
    concern.refresh_from_db()
    assert concern.is_escalated
    psw_notice = Notification.objects.get(recipient=world.pat)
    assert psw_notice.kind == NotificationKind.ESCALATION
    page = client_for(world.pat).get(reverse("workload_escalations")).content.decode()
    assert escape(world.priya_practitioner.full_name) in page
    # The director oversees escalations too; the PSW may answer.
    assert (
        client_for(world.dee).get(reverse("workload_concern", args=[concern.pk])).status_code == 200
    )
    actions.answer_concern(by=world.pat, concern=concern, response="Seen; meeting Monday.")
    page = client_for(world.pat).get(reverse("workload_escalations")).content.decode()
    assert "No escalated concerns are open." in page


def test_an_answered_concern_never_escalates(world: World) -> None:
    concern = _raise_on(world, date(2026, 12, 24))
    actions.answer_concern(by=world.mona, concern=concern, response="Let us talk tomorrow.")
    assert actions.escalate_unanswered(on=date(2027, 2, 1)) == 0


def _snapshots(world: World, *, days: int, end: date, over: bool = True) -> None:
    UtilisationSnapshot.objects.bulk_create(
        UtilisationSnapshot(
            practitioner=world.priya_practitioner,
            on=end - timedelta(days=n),
            points=Decimal(5),
            capacity=Decimal(4),
            amber_percent=85,
            red_percent=100,
            over_red=over,
        )
        for n in range(days)
    )


def test_two_weeks_over_the_red_level_escalates_once(world: World) -> None:
    today = timezone.localdate()
    _snapshots(world, days=13, end=today)
    assert actions.escalate_over_red(on=today) == 0
    _snapshots(world, days=1, end=today - timedelta(days=13))
    assert actions.escalate_over_red(on=today) == 1
    assert actions.escalate_over_red(on=today) == 0  # one open at a time
    concern = WorkloadConcern.objects.get()
    assert concern.source == ConcernSource.OVER_RED
    assert concern.is_escalated
    assert {n.recipient for n in Notification.objects.filter(kind=NotificationKind.ESCALATION)} == {
        world.pat,
        world.mona,
    }
    assert ChangeEvent.objects.get(action=ChangeAction.WORKLOAD_CONCERN_ESCALATED).detail[
        "over_red"
    ]


def test_a_day_within_the_level_breaks_the_two_weeks(world: World) -> None:
    today = timezone.localdate()
    _snapshots(world, days=14, end=today)
    UtilisationSnapshot.objects.filter(on=today - timedelta(days=6)).update(over_red=False)
    assert actions.escalate_over_red(on=today) == 0


def test_the_daily_run_takes_snapshots_idempotently(world: World) -> None:
    _capacity(world.priya_practitioner, 4)
    today = timezone.localdate()
    assert actions.take_snapshots(on=today) == 2
    _capacity(world.priya_practitioner, 10)
    assert actions.take_snapshots(on=today) == 2
    snapshot = UtilisationSnapshot.objects.get(practitioner=world.priya_practitioner, on=today)
    assert (snapshot.capacity, snapshot.over_red) == (Decimal(10), False)
    assert UtilisationSnapshot.objects.count() == 2


def test_the_daily_job_snapshots_and_escalates(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    assert "workload_daily" in [kind.key for kind in registry.daily()]
    concern = _raise_on(world, date(2026, 12, 24))
    for _ in range(2):  # a second run for the day changes nothing more
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(
                by=None, kind="workload_daily", title="Workload", parameters={"on": "2027-01-06"}
            )
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert UtilisationSnapshot.objects.filter(on=date(2027, 1, 6)).count() == 2
    concern.refresh_from_db()
    assert concern.is_escalated
    assert Notification.objects.filter(recipient=world.pat).count() == 1


def test_escalated_concerns_show_on_the_platforms_escalation_list(world: World) -> None:
    _raise_on(world, date(2026, 12, 24))
    actions.escalate_unanswered(on=date(2027, 1, 6))
    page = client_for(world.pat).get(reverse("escalation_list")).content.decode()
    assert "Workload concerns escalated and not yet answered: <strong>1</strong>" in page
    assert reverse("workload_escalations") in page


@pytest.mark.django_db
def test_the_demo_has_agreed_levels_extra_hours_and_an_escalated_concern() -> None:
    load_demo_council(size="small", seed=7, as_of=date(2026, 11, 20), password="pw-demo-12345")
    assert SafeWorkingLevel.objects.count() == Team.objects.count()
    assert ExtraHours.objects.exists()
    assert WorkloadConcern.objects.filter(answered_at__isnull=False).count() == 1
    assert WorkloadConcern.objects.filter(escalated_at__isnull=False).count() == 1
    escalated = WorkloadConcern.objects.get(escalated_at__isnull=False)
    psw = client_for(User.objects.get(username="psw"))
    listed = psw.get(reverse("workload_escalations")).content.decode()
    assert escape(escalated.practitioner.full_name) in listed
    manager = User.objects.get(username="manager")
    team = manager.practitioner.team_id
    page = client_for(manager).get(reverse("team_workload", args=[team])).content.decode()
    assert "Team meeting" in page
