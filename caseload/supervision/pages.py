"""What supervision shows on the register's pages (a link to a practitioner's supervision),
and its navigation entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission
from caseload.register.models import Practitioner
from caseload.supervision.access import supervisees_visible_to
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Panel, register_panel


def supervision_link(request: HttpRequest, *, practitioner: Practitioner) -> dict[str, Any] | None:
    user = request.user
    if not isinstance(user, User):
        return None
    if not supervisees_visible_to(user).filter(pk=practitioner.pk).exists():
        return None
    return {"url": reverse("supervision_practitioner", args=[practitioner.pk])}


def contribute() -> None:
    register_panel(
        "practitioner_actions",
        Panel("supervision", "supervision/_supervision_link.html", supervision_link),
    )
    # The user's supervision actions; their own supervision record is a link from there.
    register_nav(
        NavEntry(
            "Supervision",
            650,
            Permission.VIEW_OWN_SUPERVISION,
            lambda user: reverse("supervision_actions"),
        )
    )
