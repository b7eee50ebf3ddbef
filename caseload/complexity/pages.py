"""What complexity shows on the register's pages (a case's tier, a team's tier mix, a
practitioner's caseload weight and each held case's tier), and its navigation entry. The
register's pages ask for them through caseload.web's panels; they never import this app."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse

from caseload.accounts.permissions import Permission, has_permission
from caseload.complexity.load import Load, held_points, load_of
from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.models import OPEN_STATUSES, Allocation, Case, Practitioner, Team
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Column, Panel, register_column, register_panel
from caseload_engine import complexity


def case_panel(request: HttpRequest, *, case: Case) -> dict[str, Any]:
    history = list(case.assessments.select_related("model_version", "assessed_by", "overridden_by"))
    current = next((a for a in history if a.is_current), None)
    latest_version = ModelVersion.current()
    context: dict[str, Any] = {
        "assessment": current,
        "assessments": history,
        "latest_version": latest_version,
        "can_rescore": current is not None and current.model_version_id != latest_version.pk,
        "can_score": case.is_open
        and has_permission(request.user, Permission.SCORE_CASE, team=case.team_id),
        "can_override": case.is_open
        and has_permission(request.user, Permission.OVERRIDE_TIER, team=case.team_id),
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


def team_tier_mix(request: HttpRequest, *, team: Team) -> dict[str, Any]:
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
    return {"tier_mix": rows}


def _current_assessment_of_case() -> QuerySet[Assessment]:
    return Assessment.objects.filter(case=OuterRef("case"), is_current=True)


def with_tier(allocations: QuerySet[Allocation]) -> QuerySet[Allocation]:
    """Each allocation with its case's current effective tier (None if unscored)."""
    return allocations.annotate(
        tier=Subquery(_current_assessment_of_case().values("effective_tier")[:1])
    )


def with_points(allocations: QuerySet[Allocation]) -> QuerySet[Allocation]:
    return allocations.annotate(points=Subquery(_current_assessment_of_case().values("points")[:1]))


def caseload_weight(
    request: HttpRequest, *, practitioner: Practitioner
) -> dict[str, dict[str, Decimal | int | None]] | None:
    """Points held against capacity: the figure a practitioner's workload is judged by."""
    if not practitioner.holds_cases:
        return None
    held = (
        Practitioner.objects.filter(pk=practitioner.pk).values_list(held_points(), flat=True).get()
    )
    load = load_of(practitioner, held=held, model=ModelVersion.current().model)
    return {"weight": {"points": load.points, "capacity": load.capacity, "percent": load.percent}}


def with_load(practitioners: QuerySet[Practitioner]) -> QuerySet[Practitioner]:
    return practitioners.annotate(held_points=held_points()).select_related("team")


def attach_load(practitioners: Sequence[Practitioner]) -> None:
    """Each case holder's load (`practitioner.load`), from the current model's capacities."""
    model = ModelVersion.current().model
    for practitioner in practitioners:
        practitioner.load = (  # type: ignore[attr-defined]
            load_of(practitioner, held=practitioner.held_points, model=model)  # type: ignore[attr-defined]
            if practitioner.holds_cases
            else None
        )


def _load_cell(practitioner: Practitioner) -> str:
    load: Load | None = practitioner.load  # type: ignore[attr-defined]
    return f"{_points(load.points)} of {_points(load.capacity)}" if load else "\N{EN DASH}"


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"  # 85, not 85.0


def _utilisation_cell(practitioner: Practitioner) -> str:
    load: Load | None = practitioner.load  # type: ignore[attr-defined]
    if load is None:
        return "\N{EN DASH}"
    return "no capacity" if load.percent is None else f"{load.percent}%"


def contribute() -> None:
    register_panel("case_detail", Panel("complexity", "complexity/_case_panel.html", case_panel))
    register_panel(
        "team_detail", Panel("tier_mix", "complexity/_team_tier_mix.html", team_tier_mix)
    )
    register_panel(
        "practitioner_caseload",
        Panel("weight", "complexity/_caseload_weight.html", caseload_weight),
    )
    register_column(
        "team_caseloads",
        Column(
            "load",
            "Points held of capacity",
            with_load,
            _load_cell,
            numeric=True,
            prepare=attach_load,
        ),
    )
    register_column(
        "team_caseloads",
        # Reads the load the "load" column annotates and prepares.
        Column(
            "utilisation",
            "Utilisation",
            lambda queryset: queryset,
            _utilisation_cell,
            numeric=True,
            order=110,
        ),
    )
    register_column(
        "practitioner_caseload",
        Column(
            "tier",
            "Tier",
            with_tier,
            lambda allocation: f"Tier {allocation.tier}" if allocation.tier else "Not scored",
        ),
    )
    register_column(
        "practitioner_caseload",
        Column(
            "points",
            "Points",
            with_points,
            lambda allocation: allocation.points or "\N{EN DASH}",
            numeric=True,
            order=110,
        ),
    )
    register_nav(
        NavEntry(
            "Complexity model",
            800,
            Permission.VIEW_COMPLEXITY_MODEL,
            lambda user: reverse("complexity_model"),
        )
    )
