"""The annual report's navigation entry."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def contribute() -> None:
    register_nav(
        NavEntry(
            "Annual report",
            810,
            Permission.VIEW_ANNUAL_REPORT,
            lambda user: reverse("annual_reports"),
        )
    )
