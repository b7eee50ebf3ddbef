"""Demand's navigation entry."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def contribute() -> None:
    register_nav(NavEntry("Demand", 670, Permission.VIEW_DEMAND, lambda user: reverse("demand")))
