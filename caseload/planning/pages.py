"""Workforce planning's navigation entry."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def contribute() -> None:
    register_nav(
        NavEntry(
            "Workforce planning",
            705,
            Permission.VIEW_WORKFORCE_PLANS,
            lambda user: reverse("planning_home"),
        )
    )
