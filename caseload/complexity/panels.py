"""What the register's pages show of complexity: a case's tier, a team's tier mix, a
practitioner's caseload weight. Kept here so the register's views only ask for them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from caseload.complexity.models import Assessment, ModelVersion, capacity_points
from caseload.register.models import OPEN_STATUSES, Allocation, Case, Practitioner, Team
from caseload_engine import complexity


def case_panel(case: Case) -> dict[str, Any]:
    history = list(case.assessments.select_related("model_version", "assessed_by", "overridden_by"))
    current = next((a for a in history if a.is_current), None)
    latest_version = ModelVersion.current()
    context: dict[str, Any] = {
        "assessment": current,
        "assessments": history,
        "latest_version": latest_version,
        "can_rescore": current is not None and current.model_version_id != latest_version.pk,
    }
    if current is None:
        return context
    model = current.model_version.model
    holder = (
        Allocation.objects.filter(case=case, ended_at__isnull=True)
        .select_related("practitioner")
        .first()
    )
    context["scored"] = current.scored
    context["roles"] = complexity.roles_for(
        model, tier=current.effective_tier, reserved=current.reserved_functions
    )
    if holder is not None:
        context["holder_check"] = complexity.may_hold(
            model,
            role=holder.practitioner.role,
            tier=current.effective_tier,
            reserved=current.reserved_functions,
        )
    return context


def team_tier_mix(team: Team) -> list[dict[str, Any]]:
    """Open cases of the team by effective tier, with the unscored ones last."""
    counts = dict(
        Assessment.objects.filter(is_current=True, case__team=team, case__status__in=OPEN_STATUSES)
        .values_list("effective_tier")
        .annotate(n=Count("pk"))
        .values_list("effective_tier", "n")
    )
    open_cases = team.cases.filter(status__in=OPEN_STATUSES).count()
    tiers = [band.tier for band in ModelVersion.current().model.tiers]
    rows = [{"label": f"Tier {tier}", "count": counts.get(tier, 0)} for tier in tiers]
    rows.append({"label": "Not scored", "count": open_cases - sum(counts.values())})
    return rows


def with_tiers(allocations: QuerySet[Allocation]) -> QuerySet[Allocation]:
    """Each allocation with its case's current effective tier and points (None if unscored)."""
    current = Assessment.objects.filter(case=OuterRef("case"), is_current=True)
    return allocations.annotate(
        tier=Subquery(current.values("effective_tier")[:1]),
        points=Subquery(current.values("points")[:1]),
    )


def caseload_weight(practitioner: Practitioner) -> dict[str, Decimal | int | None]:
    """Points held against capacity: the figure a practitioner's workload is judged by."""
    held = (
        Assessment.objects.filter(
            is_current=True,
            case__allocations__practitioner=practitioner,
            case__allocations__ended_at__isnull=True,
        ).aggregate(points=Sum("points"))["points"]
        or 0
    )
    capacity = capacity_points(
        role=practitioner.role,
        fte=practitioner.fte,
        personal=practitioner.capacity_points,
        model=ModelVersion.current().model,
    )
    return {
        "points": held,
        "capacity": capacity,
        "percent": round(Decimal(held) * 100 / capacity) if capacity else None,
    }
