"""The Health Check's navigation entries."""

from __future__ import annotations

from django.urls import reverse

from caseload.accounts.permissions import Permission
from caseload.web.navigation import NavEntry, register_nav


def contribute() -> None:
    register_nav(
        NavEntry(
            "Health Check",
            680,
            Permission.VIEW_HEALTH_CHECK,
            lambda user: reverse("healthcheck_report"),
        )
    )
    register_nav(
        NavEntry(
            "Workload survey",
            690,
            Permission.ANSWER_WORKLOAD_SURVEY,
            lambda user: reverse("healthcheck_survey"),
        )
    )
