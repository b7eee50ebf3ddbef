"""The compliance pages' navigation entries: the manager's overdue list of their own team; the
compliance over time for the principal social worker and the director."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, Scope, scope_of, team_id_of
from caseload.web.navigation import NavEntry, register_nav


def _own_team_overdue(user: User) -> str | None:
    # Those who see every team reach each team's list from the compliance table instead.
    team_id = team_id_of(user)
    if team_id is None or scope_of(user, Permission.VIEW_SUPERVISION_OVERDUE) is not Scope.OWN_TEAM:
        return None
    return reverse("supervision_overdue", args=[team_id])


def contribute() -> None:
    register_nav(
        NavEntry("Overdue supervision", 66, Permission.VIEW_SUPERVISION_OVERDUE, _own_team_overdue)
    )
    register_nav(
        NavEntry(
            "Supervision compliance",
            67,
            Permission.VIEW_SUPERVISION_COMPLIANCE,
            lambda user: reverse("supervision_compliance"),
        )
    )
