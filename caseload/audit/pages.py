"""The audit log's navigation entry."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def contribute() -> None:
    register_nav(
        NavEntry(
            "Audit log", 850, Permission.VIEW_AUDIT_LOG, lambda user: reverse("audit_change_log")
        )
    )
