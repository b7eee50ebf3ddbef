"""Changes made in the Django admin are in the change log, with old and new values."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import AccessRole, User
from caseload.audit.changes import NOT_RECORDED
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.audit.presenters import describe_changes, directory_for
from caseload.register.models import Absence, Locality, Practitioner, Team
from tests.conftest import World, client_for


def _team_form(team: Team, **changes: Any) -> dict[str, Any]:
    return {
        "name": team.name,
        "service_area": team.service_area,
        "locality": team.locality_id,
        **changes,
    }


def test_adding_a_team_is_logged_with_its_values(world: World) -> None:
    client_for(world.ada).post(
        reverse("admin:register_team_add"),
        {
            "name": "Transitions North",
            "service_area": "transitions",
            "locality": world.team_north.locality_id,
        },
    )
    team = Team.objects.get(name="Transitions North")
    event = ChangeEvent.objects.get(action=ChangeAction.ADMIN_ADDED)
    assert (event.user_id, event.team_id) == (world.ada.pk, team.pk)
    assert event.detail == {"model": "register.team", "object_id": team.pk, "object": team.name}
    assert event.changes["name"] == [None, "Transitions North"]
    assert event.changes["locality"] == [None, str(world.team_north.locality)]


def test_changing_a_team_is_logged_with_old_and_new_values(world: World) -> None:
    team = world.team_north
    response = client_for(world.ada).post(
        reverse("admin:register_team_change", args=[team.pk]),
        _team_form(team, name="Older People North and East"),
    )
    assert response.status_code == 302
    event = ChangeEvent.objects.get(action=ChangeAction.ADMIN_CHANGED)
    assert event.changes == {"name": ["Older People North", "Older People North and East"]}
    [line] = describe_changes([event], directory_for(world.pat))
    assert line.text == (
        "Ada Adapersona changed team “Older People North and East” in administration: name "
        "from Older People North to Older People North and East"
    )


def _practitioner_form(p: Practitioner, **changes: Any) -> dict[str, Any]:
    return {
        "user": p.user_id,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "role": p.role,
        "pcf_level": p.pcf_level,
        "fte": str(p.fte),
        "team": p.team_id,
        "employment": p.employment,
        "swe_registration_number": p.swe_registration_number,
        "swe_renewal_date": p.swe_renewal_date.isoformat() if p.swe_renewal_date else "",
        "start_date": p.start_date.isoformat(),
        "left_on": "",
        "capacity_points": "",
        "absences-TOTAL_FORMS": "1",
        "absences-INITIAL_FORMS": "0",
        "absences-MIN_NUM_FORMS": "0",
        "absences-MAX_NUM_FORMS": "1000",
        "absences-0-starts_on": "",
        "absences-0-ends_on": "",
        "absences-0-reason": "",
        **changes,
    }


def test_a_practitioner_and_an_inline_absence_are_logged(world: World) -> None:
    priya = world.priya_practitioner
    response = client_for(world.ada).post(
        reverse("admin:register_practitioner_change", args=[priya.pk]),
        _practitioner_form(
            priya,
            fte="0.60",
            **{
                "absences-0-starts_on": "2026-12-01",
                "absences-0-reason": "annual_leave",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    absence = Absence.objects.get(practitioner=priya)
    changed = ChangeEvent.objects.get(action=ChangeAction.ADMIN_CHANGED)
    assert (changed.practitioner_id, changed.team_id) == (priya.pk, world.team_north.pk)
    assert changed.changes == {"fte": ["1.00", "0.60"]}
    added = ChangeEvent.objects.get(action=ChangeAction.ADMIN_ADDED)
    assert added.practitioner_id == priya.pk
    assert added.detail["object_id"] == absence.pk
    assert added.changes["starts_on"] == [None, "2026-12-01"]
    # Both are in Priya's history of changes.
    page = (
        client_for(world.mona)
        .get(reverse("practitioner_history", args=[priya.pk]))
        .content.decode()
    )
    assert "fte from 1.00 to 0.60" in page
    assert "added absence" in page


def test_deleting_is_logged_one_by_one(world: World) -> None:
    uplands, downs = Locality.objects.create(name="Uplands"), Locality.objects.create(name="Downs")
    client = client_for(world.ada)
    client.post(reverse("admin:register_locality_delete", args=[uplands.pk]), {"post": "yes"})
    client.post(
        reverse("admin:register_locality_changelist"),
        {"action": "delete_selected", "_selected_action": [downs.pk], "post": "yes"},
    )
    assert not Locality.objects.filter(name__in=["Uplands", "Downs"]).exists()
    assert sorted(
        event.detail["object"]
        for event in ChangeEvent.objects.filter(action=ChangeAction.ADMIN_DELETED)
    ) == ["Downs", "Uplands"]


def test_a_password_change_is_logged_without_the_password(world: World) -> None:
    secret = "a-New-passw0rd-for-colin"
    response = client_for(world.ada).post(
        reverse("admin:auth_user_password_change", args=[world.colin.pk]),
        {"password1": secret, "password2": secret, "usable_password": "true"},
    )
    assert response.status_code == 302
    world.colin.refresh_from_db()
    assert world.colin.check_password(secret)
    event = ChangeEvent.objects.get(action=ChangeAction.ADMIN_CHANGED)
    assert event.detail["model"] == "accounts.user"
    assert event.changes == {"password": [None, NOT_RECORDED]}
    logged = str(list(ChangeEvent.objects.values()))
    assert secret not in logged
    assert world.colin.password not in logged


def test_creating_a_director_is_logged_with_the_role(world: World) -> None:
    secret = "a-New-passw0rd-for-dora"
    response = client_for(world.ada).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "dora",
            "usable_password": "true",
            "password1": secret,
            "password2": secret,
            "access_role": AccessRole.DIRECTOR,
            "first_name": "Dora",
            "last_name": "Director",
        },
    )
    assert response.status_code == 302, response.content.decode()
    dora = User.objects.get(username="dora")
    assert dora.access_role == AccessRole.DIRECTOR
    event = ChangeEvent.objects.get(action=ChangeAction.ADMIN_ADDED)
    assert (event.user_id, event.detail["model"], event.detail["object_id"]) == (
        world.ada.pk,
        "accounts.user",
        dora.pk,
    )
    assert event.changes["access_role"] == [None, AccessRole.DIRECTOR]
    assert event.changes["password"] == [None, NOT_RECORDED]
    assert secret not in str(event.changes)


def _user_form(user: User, **changes: Any) -> dict[str, Any]:
    joined = timezone.localtime(user.date_joined)
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.time().isoformat(),
        "access_role": user.access_role,
        **changes,
    }


def test_changing_a_role_is_logged_with_old_and_new_role(world: World) -> None:
    response = client_for(world.ada).post(
        reverse("admin:accounts_user_change", args=[world.colin.pk]),
        _user_form(world.colin, access_role=AccessRole.DIRECTOR),
    )
    assert response.status_code == 302, response.content.decode()
    world.colin.refresh_from_db()
    assert world.colin.access_role == AccessRole.DIRECTOR
    event = ChangeEvent.objects.get(action=ChangeAction.ADMIN_CHANGED)
    assert event.detail["object_id"] == world.colin.pk
    assert event.changes == {"access_role": [AccessRole.PRACTITIONER, AccessRole.DIRECTOR]}
