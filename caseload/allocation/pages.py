"""What allocation shows on the register's pages (planned handovers, the what-if button), and
its navigation entry. The register's pages ask for them through caseload.web's panels."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission, team_id_of
from caseload.allocation.models import Handover
from caseload.audit import log
from caseload.register.models import Case, CaseStatus, Practitioner
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Panel, register_panel


def _may_plan_absence(request: HttpRequest, practitioner: Practitioner) -> bool:
    return (
        practitioner.holds_cases
        and practitioner.team_id is not None
        and has_permission(
            request.user, Permission.MANAGE_TEAM_ALLOCATION, team=practitioner.team_id
        )
    )


def what_if_button(request: HttpRequest, *, practitioner: Practitioner) -> dict[str, Any] | None:
    return {} if _may_plan_absence(request, practitioner) else None


def practitioner_handovers(
    request: HttpRequest, *, practitioner: Practitioner
) -> dict[str, Any] | None:
    handovers = list(
        Handover.objects.filter(
            Q(from_practitioner=practitioner) | Q(to_practitioner=practitioner),
            state=Handover.State.PLANNED,
            # A case closed meanwhile has nothing to hand over (the daily run lapses it).
            case__status=CaseStatus.ALLOCATED,
        ).select_related("case__person", "from_practitioner", "to_practitioner")
    )
    if not handovers:
        return None
    # The panel names people beyond the practitioner's caseload (cases coming to them).
    if isinstance(request.user, User):
        log.record_people_listed(
            request.user, person_ids=[handover.case.person_id for handover in handovers]
        )
    return {"handovers": handovers, "can_plan_absence": _may_plan_absence(request, practitioner)}


def case_planned_handover(request: HttpRequest, *, case: Case) -> dict[str, Any] | None:
    planned = (
        Handover.objects.filter(case=case, state=Handover.State.PLANNED)
        .select_related("to_practitioner")
        .first()
    )
    return {"planned_handover": planned} if planned is not None and case.is_open else None


def _my_meeting(user: User) -> str | None:
    team_id = team_id_of(user)
    if team_id is None or not has_permission(user, Permission.MANAGE_TEAM_ALLOCATION, team=team_id):
        return None
    return reverse("allocation_meeting", args=[team_id])


def contribute() -> None:
    register_panel(
        "practitioner_actions",
        Panel("what_if", "allocation/_what_if_button.html", what_if_button),
    )
    register_panel(
        "practitioner_detail",
        Panel("handovers", "allocation/_practitioner_handovers.html", practitioner_handovers),
    )
    register_panel(
        "case_allocation_history",
        Panel("planned_handover", "allocation/_case_planned_handover.html", case_planned_handover),
    )
    register_nav(NavEntry("Allocation", 400, Permission.MANAGE_TEAM_ALLOCATION, _my_meeting))
    register_nav(
        NavEntry(
            "Overrides",
            550,
            Permission.VIEW_ALLOCATION_PROPOSALS,
            lambda user: reverse("allocation_overrides"),
        )
    )
