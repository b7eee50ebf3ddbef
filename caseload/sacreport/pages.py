"""The navigation entries of the SAC report and the safeguarding quality view."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def contribute() -> None:
    register_nav(
        NavEntry(
            "Safeguarding return",
            715,
            Permission.VIEW_SAFEGUARDING_RETURN,
            lambda user: reverse("sacreport_return"),
        )
    )
    register_nav(
        NavEntry(
            "Safeguarding quality",
            720,
            Permission.VIEW_SAFEGUARDING_QUALITY,
            lambda user: reverse("sacreport_quality"),
        )
    )
