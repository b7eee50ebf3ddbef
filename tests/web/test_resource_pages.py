"""The resource page, the establishment history and its form: who sees which teams, what the
form refuses, and the queries as the council grows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.register.models import Absence, Employment, Specialism, Team
from caseload.resource.actions import set_establishment
from caseload.resource.models import Establishment
from tests.asye_factories import ProgrammeFactory, ReviewFactory
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory, TeamFactory


def _establish(w: World, team: Team, fte: str = "4") -> Establishment:
    return set_establishment(
        by=w.dee,
        team=team,
        role="social_worker",
        funded_fte=Decimal(fte),
        effective_from=timezone.localdate() - timedelta(days=30),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("priya", 403), ("mona", 200), ("max", 200), ("pat", 200), ("dee", 200), ("ada", 403)],
)
def test_who_may_see_the_resource_page(world: World, who: str, status: int) -> None:
    response = client_for(getattr(world, who)).get(reverse("resource"))
    assert response.status_code == status


def test_a_manager_sees_their_own_team_only(world: World) -> None:
    PractitionerFactory.create(
        team=world.team_south,
        family_name="Southrenewal",
        swe_renewal_date=timezone.localdate() + timedelta(days=10),
    )
    PractitionerFactory.create(
        team=world.team_north,
        family_name="Northrenewal",
        swe_renewal_date=timezone.localdate() + timedelta(days=10),
    )
    page = client_for(world.mona).get(reverse("resource")).content.decode()
    assert "Resource: Older People North" in page
    assert "Mental Health South" not in page
    assert "Northrenewal" in page
    assert "Southrenewal" not in page


def test_another_teams_id_in_the_url_is_a_form_error(world: World) -> None:
    response = client_for(world.mona).get(reverse("resource"), {"team": world.team_south.pk})
    assert response.status_code == 400
    assert "Choose a team from the list" in response.content.decode()
    assert "Mental Health South" not in response.content.decode()


@pytest.mark.parametrize("team", ["x", "\x00", str(10**30), "\u00b2", "1e3"])
def test_a_hostile_team_filter_is_a_form_error(world: World, team: str) -> None:
    response = client_for(world.pat).get(reverse("resource"), {"team": team})
    assert response.status_code == 400


def test_the_team_filter_shows_one_team(world: World) -> None:
    _establish(world, world.team_north)
    response = client_for(world.pat).get(reverse("resource"), {"team": world.team_north.pk})
    assert response.status_code == 200
    assert "Resource: Older People North" in response.content.decode()
    assert [team.team for team in response.context["teams"]] == ["Older People North"]
    assert response.context["council"].total.funded_fte == Decimal(4)


def test_the_council_page_shows_vacancies_agency_and_the_sections(world: World) -> None:
    _establish(world, world.team_north, "5")
    PractitionerFactory.create(team=world.team_north, employment=Employment.AGENCY)
    page = client_for(world.pat).get(reverse("resource")).content.decode()
    assert "All 2 teams" in page
    # 5 funded, 2 employed social workers in post: 3 vacant, 1 covered by agency.
    assert "3.00 FTE (60% of funded)" in page
    # 1 agency FTE of 5 in post (the two managers count too).
    assert "1.00 FTE (20% of FTE in post)" in page
    for heading in (
        "By team",
        "By team and role",
        "FTE in post by PCF level",
        "Specialisms",
        "Social Work England registrations to renew within 90 days",
        "ASYEs and their protected capacity",
        "Absence today",
    ):
        assert heading in page
    # Empty states: no BIA or AMHP anywhere, no renewals, no ASYEs.
    assert "No Best Interests Assessor (BIA) in post in 2 teams" in page
    assert "No registration in post renews within 90 days." in page
    assert "No ASYE in post." in page


def test_asye_programmes_show_to_those_who_may_see_them_and_not_the_director(
    world: World,
) -> None:
    programme = ProgrammeFactory.create(
        practitioner__team=world.team_north,
        practitioner__family_name="Asyeperson",
        starts_on=timezone.localdate() - timedelta(days=100),
        assessor=world.colin,
    )
    ReviewFactory.create(programme=programme, recorded_by=world.colin)
    link = reverse("asye_programme", args=[programme.pk])
    for who, shown in (("mona", True), ("pat", True), ("dee", False)):
        page = client_for(getattr(world, who)).get(reverse("resource")).content.decode()
        assert "Asyeperson" in page
        assert (link in page) is shown, who


def test_set_links_only_for_those_who_manage_the_establishment(world: World) -> None:
    new = reverse("resource_establishment_new")
    assert new in client_for(world.dee).get(reverse("resource")).content.decode()
    assert new not in client_for(world.mona).get(reverse("resource")).content.decode()


def test_the_nav_entry_leads_to_the_page(world: World) -> None:
    response = client_for(world.mona).get(reverse("resource"))
    assert {"label": "Resource", "url": reverse("resource"), "active": True} in response.context[
        "nav_items"
    ]


# -- the form ------------------------------------------------------------------------------


def _post(world: World, **fields: str) -> dict[str, str]:
    day = timezone.localdate()
    return {
        "team": str(world.team_north.pk),
        "role": "social_worker",
        "funded_fte": "6.5",
        "effective_from_day": str(day.day),
        "effective_from_month": str(day.month),
        "effective_from_year": str(day.year),
    } | fields


def test_setting_an_establishment_through_the_form(world: World) -> None:
    response = client_for(world.pat).post(reverse("resource_establishment_new"), _post(world))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('resource')}?team={world.team_north.pk}"
    row = Establishment.objects.get()
    assert (row.funded_fte, row.recorded_by) == (Decimal("6.5"), world.pat)


def test_the_form_starts_with_the_team_and_role_of_the_link(world: World) -> None:
    response = client_for(world.dee).get(
        reverse("resource_establishment_new"),
        {"team": str(world.team_south.pk), "role": "advanced"},
    )
    form = response.context["form"]
    assert form["team"].value() == str(world.team_south.pk)
    assert form["role"].value() == "advanced"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"funded_fte": ""}, "Enter the funded FTE"),
        ({"funded_fte": "0"}, "Enter a funded FTE from 0.01 to 999"),
        ({"funded_fte": "1000"}, "Enter the funded FTE as a number"),
        ({"funded_fte": "9" * 40}, "Ensure this value has at most 10 characters"),
        ({"funded_fte": "1e3"}, "Enter the funded FTE as a number"),
        ({"funded_fte": "\u0666"}, "Enter the funded FTE as a number"),
        ({"funded_fte": "\uff16"}, "Enter the funded FTE as a number"),
        ({"funded_fte": "1.234"}, "Enter the funded FTE as a number"),
        ({"funded_fte": "-2"}, "Enter the funded FTE as a number"),
        ({"funded_fte": "NaN"}, "Enter the funded FTE as a number"),
        ({"funded_fte": "6\x00"}, "Null characters are not allowed"),
        ({"role": "principal_social_worker"}, "Choose a role from the list"),
        ({"role": "\x1b"}, "Choose a role from the list"),
        ({"team": str(10**30)}, "Choose a team from the list"),
        ({"team": "\u00b2"}, "Choose a team from the list"),
        ({"effective_from_year": "1999"}, "The effective from must be 1 January 2000 or later"),
        ({"effective_from_year": str(10**30)}, "must be a real date"),
    ],
)
def test_the_form_refuses_bad_input(world: World, fields: dict[str, str], message: str) -> None:
    response = client_for(world.dee).post(
        reverse("resource_establishment_new"), _post(world, **fields)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Establishment.objects.exists()


@pytest.mark.parametrize("who", ["priya", "mona", "max", "ada"])
def test_only_the_director_and_the_psw_reach_the_form(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    assert client.get(reverse("resource_establishment_new")).status_code == 403
    assert client.post(reverse("resource_establishment_new"), _post(world)).status_code == 403
    assert not Establishment.objects.exists()


# -- history ---------------------------------------------------------------------------------


def test_history_lists_the_rows_a_user_may_see(world: World) -> None:
    _establish(world, world.team_north, "4")
    _establish(world, world.team_south, "7")
    mona = client_for(world.mona).get(reverse("resource_establishment"))
    assert [row.team for row in mona.context["page"]] == [world.team_north]
    pat = client_for(world.pat).get(reverse("resource_establishment"))
    assert {row.team for row in pat.context["page"]} == {world.team_north, world.team_south}
    one = client_for(world.pat).get(
        reverse("resource_establishment"), {"team": world.team_south.pk}
    )
    assert [row.team for row in one.context["page"]] == [world.team_south]


def test_history_empty_state(world: World) -> None:
    page = client_for(world.pat).get(reverse("resource_establishment")).content.decode()
    assert "No establishment has been set." in page


# -- queries ---------------------------------------------------------------------------------


def _grow(world: World, teams: int) -> None:
    bia, _ = Specialism.objects.get_or_create(code="bia")
    today = timezone.localdate()
    for _ in range(teams):
        team = TeamFactory.create()
        _establish(world, team)
        for _ in range(3):
            practitioner = PractitionerFactory.create(
                team=team, swe_renewal_date=today + timedelta(days=5)
            )
            practitioner.specialisms.add(bia)
            Absence.objects.create(practitioner=practitioner, starts_on=today, reason="sickness")
        programme = ProgrammeFactory.create(
            practitioner__team=team, starts_on=today - timedelta(days=100)
        )
        ReviewFactory.create(programme=programme)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["resource", "resource_establishment"])
def test_queries_stay_the_same_as_the_council_grows(world: World, name: str) -> None:
    psw = client_for(world.pat)
    _grow(world, 1)
    before = _queries(psw, reverse(name))
    _grow(world, 4)
    assert _queries(psw, reverse(name)) == before
