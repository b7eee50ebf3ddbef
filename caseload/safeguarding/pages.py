"""What safeguarding shows on the register's pages (on a case: its person's enquiries, or for
whoever holds the case without seeing safeguarding records, only that one is open), and its
navigation entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission
from caseload.register.models import Case
from caseload.safeguarding.access import enquiries_visible_to, enquiry_exists_for
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Panel, register_panel


def case_safeguarding(request: HttpRequest, *, case: Case) -> dict[str, Any] | None:
    user = request.user
    if not isinstance(user, User):
        return None
    visible = list(
        enquiries_visible_to(user).filter(person_id=case.person_id).order_by("-started_on")[:10]
    )
    if visible:
        return {"enquiries": visible}
    if enquiry_exists_for(user, case.person):
        return {"exists": True}
    return None


def contribute() -> None:
    register_panel(
        "case_detail", Panel("safeguarding", "safeguarding/_case_panel.html", case_safeguarding)
    )
    register_nav(
        NavEntry(
            "Safeguarding",
            70,
            Permission.VIEW_SAFEGUARDING,
            lambda user: reverse("safeguarding_enquiries"),
            # The safeguarding lead's start page (everyone else has one earlier).
            start=True,
        )
    )
