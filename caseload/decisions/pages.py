"""What decisions shows on the register's case page (the decision log and escalations), and
its navigation entries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.permissions import Permission, has_permission
from caseload.decisions.models import SignOffRequest
from caseload.register.models import Case
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Panel, register_panel


def case_decision_log(request: HttpRequest, *, case: Case) -> dict[str, Any] | None:
    """The case's decisions, newest first, and its escalations: three queries however many.
    The case page has already recorded the view of the case in the access log."""
    decisions = list(
        case.decisions.select_related("decided_by").prefetch_related(
            Prefetch("sign_offs", queryset=SignOffRequest.objects.order_by("requested_at"))
        )
    )
    escalations = list(case.practice_escalations.select_related("raised_by").order_by("-raised_at"))
    may_record = case.is_open and has_permission(
        request.user, Permission.RECORD_DECISIONS, team=case.team_id
    )
    if not decisions and not escalations and not may_record:
        return None
    return {
        "case": case,
        "decisions": decisions,
        "escalations": escalations,
        "may_record": may_record,
    }


def contribute() -> None:
    register_panel(
        "case_detail", Panel("decisions", "decisions/_case_panel.html", case_decision_log, 300)
    )
    for entry in (
        NavEntry(
            "Sign-off", 750, Permission.SIGN_OFF_DECISIONS, lambda u: reverse("sign_off_list")
        ),
        NavEntry(
            "Escalations",
            760,
            Permission.VIEW_PRACTICE_ESCALATIONS,
            lambda u: reverse("escalation_list"),
        ),
    ):
        register_nav(entry)
