"""The team page's weighted load: points held against capacity and utilisation per
practitioner, flagged above the team's safe level, which the team's manager sets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.audit.presenters import describe_changes, directory_for
from caseload.register import actions
from caseload.register.models import Team
from caseload.web.errors import ActionRefused
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
    assert page.count("Over the safe level of 100%") == 1


def test_the_flag_follows_the_teams_safe_level(world: World) -> None:
    priya = world.priya_practitioner
    priya.capacity_points = Decimal(4)
    priya.save(update_fields=["capacity_points"])
    actions.set_team_workload_levels(
        by=world.mona, team=world.team_north, safe_utilisation_percent=130
    )
    page = _team_page(world)
    assert "125%" in page
    assert "Over the safe level" not in page
    actions.set_team_workload_levels(
        by=world.mona, team=world.team_north, safe_utilisation_percent=120
    )
    assert "Over the safe level of 120%" in _team_page(world)


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
    with django_assert_max_num_queries(18):
        page = client.get(url).content.decode()
    assert page.count("10 of ") >= 20  # each new practitioner holds two 5-point cases


def test_manager_sets_the_safe_level_and_the_change_is_recorded(world: World) -> None:
    client = client_for(world.mona)
    url = reverse("team_workload_levels", args=[world.team_north.pk])
    assert "Change the workload levels" in _team_page(world)
    assert 'value="100"' in client.get(url).content.decode()
    response = client.post(url, {"safe_utilisation_percent": "85", "review_interval_months": "12"})
    assert response.status_code == 302
    world.team_north.refresh_from_db()
    assert world.team_north.safe_utilisation_percent == 85
    event = ChangeEvent.objects.get(action=ChangeAction.TEAM_WORKLOAD_LEVELS_SET)
    assert (event.user_id, event.team_id) == (world.mona.pk, world.team_north.pk)
    assert event.changes == {"safe_utilisation_percent": [100, 85]}
    [line] = describe_changes([event], directory_for(world.pat))
    assert "changed the safe level of Older People North from 100% to 85%" in line.text
    # The same value again changes nothing and records nothing.
    client.post(url, {"safe_utilisation_percent": "85", "review_interval_months": "12"})
    assert ChangeEvent.objects.filter(action=ChangeAction.TEAM_WORKLOAD_LEVELS_SET).count() == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter the safe level, as a percentage of capacity"),
        ("0", "at least 1%"),
        ("201", "at most 200%"),
        ("9" * 30, "at most 200%"),
        ("85.5", "whole number"),
        ("8\N{SUPERSCRIPT FIVE}", "whole number"),
        ("1e3", "whole number"),
    ],
)
def test_a_bad_safe_level_is_refused_on_the_field(world: World, raw: str, message: str) -> None:
    url = reverse("team_workload_levels", args=[world.team_north.pk])
    response = client_for(world.mona).post(
        url, {"safe_utilisation_percent": raw, "review_interval_months": "12"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'id="id_safe_utilisation_percent-error"' in page
    world.team_north.refresh_from_db()
    assert world.team_north.safe_utilisation_percent == 100
    assert not ChangeEvent.objects.filter(action=ChangeAction.TEAM_WORKLOAD_LEVELS_SET).exists()


def test_only_the_teams_manager_may_set_its_levels(world: World) -> None:
    for who in (world.max, world.pat, world.dee, world.priya):
        with pytest.raises(ActionRefused, match="cannot change this team's workload levels"):
            actions.set_team_workload_levels(
                by=who, team=world.team_north, safe_utilisation_percent=80
            )
    page = client_for(world.pat).get(reverse("team_detail", args=[world.team_north.pk]))
    assert "Change the workload levels" not in page.content.decode()
    world.team_north.refresh_from_db()
    assert world.team_north.safe_utilisation_percent == 100


@pytest.mark.parametrize("value", [0, 201])
def test_the_database_refuses_a_safe_level_out_of_range(world: World, value: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.filter(pk=world.team_north.pk).update(safe_utilisation_percent=value)
