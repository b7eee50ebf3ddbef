"""Where the resource page is reached from: a navigation entry for whoever may see it."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def contribute() -> None:
    register_nav(
        NavEntry("Resource", 670, Permission.VIEW_RESOURCE, lambda user: reverse("resource"))
    )
