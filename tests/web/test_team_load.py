"""The team page's weighted load: points held against capacity and utilisation per
practitioner, flagged against the team's safe working level (tests/web/test_workload.py has
how the levels are recorded)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from caseload.workload.actions import record_safe_working_level
from tests.conftest import World, client_for
from tests.factories import AssessmentFactory, PractitionerFactory, allocated_case


def _team_page(world: World) -> str:
    response = client_for(world.mona).get(reverse("team_detail", args=[world.team_north.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_team_page_shows_points_against_capacity_and_utilisation(world: World) -> None:
    priya = world.priya_practitioner
    priya.capacity_points = Decimal(4)  # she holds 5 points: 125%
    priya.save(update_fields=["capacity_points"])
    colin = world.colin_practitioner
    colin.capacity_points = Decimal(50)  # his case is not scored: 0 points
    colin.save(update_fields=["capacity_points"])
    page = _team_page(world)
    assert "Points held of capacity" in page
    assert "5 of 4" in page
    assert "125%" in page
    assert "0 of 50" in page
    assert ">0%<" in page
    assert page.count("Over the red level") == 1


def test_the_flag_follows_the_teams_safe_level(world: World) -> None:
    priya = world.priya_practitioner
    priya.capacity_points = Decimal(4)
    priya.save(update_fields=["capacity_points"])
    _agree(world, amber=110, red=130)
    page = _team_page(world)
    assert "125%" in page
    assert "Over the red level" not in page
    assert "Amber" in page
    assert "amber above <strong>110%</strong>, red above <strong>130%</strong>" in page
    _agree(world, amber=100, red=120)
    assert "Over the red level" in _team_page(world)


def _agree(world: World, *, amber: int, red: int) -> None:
    record_safe_working_level(
        by=world.mona,
        team=world.team_north,
        amber_percent=amber,
        red_percent=red,
        agreed_on=timezone.localdate(),
        agreed_with="Team meeting, all present",
    )


def test_team_page_query_count_is_bounded(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(20):
        practitioner = PractitionerFactory.create(team=world.team_north, role="social_worker")
        for _ in range(2):
            AssessmentFactory.create(case=allocated_case(practitioner))
    client = client_for(world.mona)
    url = reverse("team_detail", args=[world.team_north.pk])
    client.get(url)  # warm the session
    # 18, the reviews overdue, and the workload app's two: the level in force above the table
    # and in its column.
    with django_assert_max_num_queries(21):
        page = client.get(url).content.decode()
    assert page.count("10 of ") >= 20  # each new practitioner holds two 5-point cases
