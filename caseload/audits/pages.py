"""What case file audits show on other apps' pages: the practitioner's open audit actions on
their supervision (the agenda of the next session), and the navigation entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.audits.access import open_actions_for
from caseload.register.models import Practitioner
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Panel, register_panel


def agenda_actions(request: HttpRequest, *, practitioner: Practitioner) -> dict[str, Any] | None:
    """The supervision page has already decided that the user may see this practitioner's
    supervision; the actions name the case by number only."""
    actions = list(open_actions_for(practitioner.pk).order_by("audit__month", "pk"))
    if not actions:
        return None
    return {"audit_actions": actions}


def contribute() -> None:
    register_panel(
        "supervision_agenda",
        Panel("audit_actions", "audits/_agenda_actions.html", agenda_actions),
    )
    register_nav(
        NavEntry(
            "Case file audits", 725, Permission.VIEW_OWN_CASE_AUDITS, lambda user: reverse("audits")
        )
    )
    register_nav(
        NavEntry(
            "Audit results",
            730,
            Permission.VIEW_AUDIT_RESULTS,
            lambda user: reverse("audits_results"),
        )
    )
