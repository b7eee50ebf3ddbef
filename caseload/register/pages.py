"""The register's navigation entries (registered from RegisterConfig.ready())."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, Scope, has_permission, scope_of, team_id_of
from caseload.register.access import practitioner_for
from caseload.web.navigation import NavEntry, register_nav


def _my_caseload(user: User) -> str | None:
    me = practitioner_for(user)
    return reverse("practitioner_detail", args=[me.pk]) if me is not None else None


def _my_team(user: User) -> str | None:
    team_id = team_id_of(user)
    if team_id is None or not has_permission(user, Permission.VIEW_TEAM_CASELOADS, team=team_id):
        return None
    return reverse("team_detail", args=[team_id])


def _my_waiting_list(user: User) -> str | None:
    team_id = team_id_of(user)
    return reverse("team_waiting_list", args=[team_id]) if team_id is not None else None


def _every_team(user: User) -> str | None:
    return (
        reverse("team_list") if scope_of(user, Permission.VIEW_TEAM) is Scope.EVERYWHERE else None
    )


def contribute() -> None:
    for entry in (
        NavEntry("My caseload", 100, Permission.VIEW_OWN_CASELOAD, _my_caseload, start=True),
        NavEntry("Team", 200, Permission.VIEW_TEAM_CASELOADS, _my_team, start=True),
        NavEntry("Waiting list", 300, Permission.VIEW_TEAM, _my_waiting_list),
        NavEntry("Teams", 500, Permission.VIEW_TEAM, _every_team, start=True),
        NavEntry("People", 600, Permission.SEARCH_PEOPLE, lambda user: reverse("person_list")),
        NavEntry(
            "New referral", 700, Permission.RECORD_REFERRAL, lambda u: reverse("referral_new")
        ),
    ):
        register_nav(entry)
