"""Where the compliance pages are reached from: a link on the team page to the team's overdue
supervision (for whoever may see it there), and a navigation entry for compliance over time
(the principal social worker and the director)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.permissions import Permission, has_permission
from caseload.register.models import Team
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Panel, register_panel


def overdue_link(request: HttpRequest, *, team: Team) -> dict[str, Any] | None:
    # Only a link: the list itself is worked out on its own page, so the team page asks nothing.
    if not has_permission(request.user, Permission.VIEW_SUPERVISION_OVERDUE, team=team):
        return None
    return {"url": reverse("supervision_overdue", args=[team.pk])}


def contribute() -> None:
    register_panel(
        "team_detail",
        Panel("supervision_overdue", "supervision/compliance/_overdue_link.html", overdue_link),
    )
    register_nav(
        NavEntry(
            "Supervision compliance",
            660,
            Permission.VIEW_SUPERVISION_COMPLIANCE,
            lambda user: reverse("supervision_compliance"),
        )
    )
