"""Demand's changes: a team's contingency plan, recorded as a new version."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.demand.models import CONTINGENCY_PLAN_MAX_LENGTH, ContingencyPlan
from caseload.register.models import Team
from caseload.web.errors import ActionRefused


@transaction.atomic
def record_contingency_plan(*, by: User, team: Team, text: str) -> ContingencyPlan:
    """The team's plan for when demand exceeds capacity, as its next version; refused if it
    says what the plan in force already says."""
    if not has_permission(by, Permission.RECORD_CONTINGENCY_PLAN, team=team):
        raise ActionRefused("You cannot record this team's contingency plan")
    text = text.strip()
    if not text:
        raise ActionRefused("Enter the contingency plan", field="text")
    if len(text) > CONTINGENCY_PLAN_MAX_LENGTH:
        raise ActionRefused(
            f"Keep the plan to {CONTINGENCY_PLAN_MAX_LENGTH} characters", field="text"
        )
    # Lock the team's row so that two people saving at once cannot take the same number.
    Team.objects.select_for_update().filter(pk=team.pk).first()
    plans = ContingencyPlan.objects.filter(team=team)
    latest = plans.order_by("-version").first()
    if latest is not None and latest.text == text:
        raise ActionRefused("This is the plan already in force: change it, or cancel", field="text")
    number = (plans.aggregate(newest=Max("version"))["newest"] or 0) + 1
    plan = ContingencyPlan.objects.create(
        team=team, version=number, text=text, recorded_by=by, recorded_at=timezone.now()
    )
    record_change(
        by=by,
        action=ChangeAction.CONTINGENCY_PLAN_RECORDED,
        team_id=team.pk,
        changes={"plan_version": (latest.version if latest is not None else None, number)},
    )
    return plan
