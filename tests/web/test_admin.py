"""The administrator's Django admin: users, teams and practitioners, and no people."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseload.register.models import Team
from tests.conftest import World, client_for


@pytest.mark.parametrize(
    "name",
    [
        "admin:accounts_user_changelist",
        "admin:register_team_changelist",
        "admin:register_team_add",
        "admin:register_practitioner_changelist",
        "admin:register_locality_changelist",
        "admin:register_specialism_changelist",
    ],
)
def test_administrator_reaches_configuration(world: World, name: str) -> None:
    assert client_for(world.ada).get(reverse(name)).status_code == 200


def test_administrator_adds_a_team(world: World) -> None:
    response = client_for(world.ada).post(
        reverse("admin:register_team_add"),
        {
            "name": "Transitions North",
            "service_area": "transitions",
            "locality": world.team_north.locality_id,
        },
    )
    assert response.status_code == 302
    assert Team.objects.filter(name="Transitions North", service_area="transitions").exists()


def test_practitioner_page_in_admin_lists_the_team(world: World) -> None:
    page = client_for(world.ada).get(
        reverse("admin:register_practitioner_change", args=[world.priya_practitioner.pk])
    )
    assert page.status_code == 200
    assert world.team_north.name in page.content.decode()


@pytest.mark.parametrize(
    ("who", "destination"),
    [
        ("priya", "practitioner_detail"),
        ("mona", "team_detail"),
        ("pat", "team_list"),
        ("dee", "team_list"),
    ],
)
def test_each_role_starts_on_its_own_page(world: World, who: str, destination: str) -> None:
    user = getattr(world, who)
    response = client_for(user).get(reverse("home"))
    expected = {
        "practitioner_detail": lambda: reverse(
            "practitioner_detail", args=[world.priya_practitioner.pk]
        ),
        "team_detail": lambda: reverse("team_detail", args=[world.team_north.pk]),
        "team_list": lambda: reverse("team_list"),
    }[destination]()
    assert response["Location"] == expected


def test_administrator_start_page_points_to_administration(world: World) -> None:
    page = client_for(world.ada).get(reverse("home")).content.decode()
    assert reverse("admin:index") in page


def test_navigation_marks_only_the_deepest_matching_link(world: World) -> None:
    page = (
        client_for(world.mona)
        .get(reverse("team_waiting_list", args=[world.team_north.pk]))
        .content.decode()
    )
    assert page.count('aria-current="page"') == 1
    waiting_link = (
        f'href="{reverse("team_waiting_list", args=[world.team_north.pk])}" aria-current="page"'
    )
    assert waiting_link in page
