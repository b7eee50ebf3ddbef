"""The demand page (counts only: no one is named, so a practitioner may see their team's), the
contingency plan's form, and running the forecasts again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.accounts.permissions import Permission, Scope, has_permission, scope_of
from caseload.complexity.models import ModelVersion
from caseload.demand import actions, charts, figures
from caseload.demand.access import demand_teams_for, get_demand_team_for_user
from caseload.demand.forms import DEFAULT_WEEKS, ContingencyPlanForm, DemandFilterForm
from caseload.demand.jobs import start_forecasts
from caseload.demand.models import ContingencyPlan, RequestForecast
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, posted
from caseload_engine import reference

ROUTES = dict(reference.ROUTE_OF_ACCESS_CHOICES)


def _history(filters: figures.Filters, shown: RequestForecast | None) -> list[tuple[date, int]]:
    """The year of weekly requests the forecast follows on from (every route: it is made
    from them all)."""
    if shown is None or shown.refused:
        return []
    return figures.weekly(
        replace(filters, route="", weeks=52, until=shown.history_to + timedelta(weeks=1))
    )


def _figures(filters: figures.Filters) -> dict[str, Any]:
    now = timezone.now()
    requests = figures.requests(filters, route_labels=ROUTES)
    unscored = filters.tier == figures.UNSCORED
    # Forecasts are by team and tier: none for the cases not yet scored.
    forecasts = (
        {}
        if unscored
        else figures.latest_forecasts(
            filters.teams, tier=int(filters.tier) if filters.tier else None
        )
    )
    single = filters.teams[0] if len(filters.teams) == 1 else None
    shown = forecasts.get(single.pk) if single is not None else None
    history = _history(filters, shown)
    return {
        "filters": filters,
        "requests": requests,
        "requests_chart": charts.requests_chart(requests),
        "waiting": figures.waiting(filters, now=now),
        "allocation": figures.time_to_allocation(filters),
        "capacity": figures.capacity(filters, now=now),
        "rate_weeks": figures.RATE_WEEKS,
        "team_forecasts": [(team, forecasts.get(team.pk)) for team in filters.teams],
        "forecast": shown,
        "history": history,
        "forecast_chart": charts.forecast_chart(history, shown) if history and shown else None,
        "unscored": unscored,
    }


@require_permission(Permission.VIEW_DEMAND)
@require_GET
def demand(request: AuthedRequest) -> HttpResponse:
    teams = demand_teams_for(request.user)
    today = timezone.localdate()
    tiers = [band.tier for band in ModelVersion.current().model.tiers]
    form = DemandFilterForm(request.GET or None, teams=teams, tiers=tiers, today=today)
    context: dict[str, Any] = {
        "form": form,
        "may_run_forecasts": has_permission(request.user, Permission.RUN_FORECASTS),
        "may_record_plan": has_permission(request.user, Permission.RECORD_CONTINGENCY_PLAN),
        "figures": None,
    }
    if request.GET and not form.is_valid():
        return render(request, "demand/demand.html", context)
    chosen = form.cleaned_data if request.GET else {}
    team = chosen.get("team")
    filters = figures.Filters(
        teams=[team] if team is not None else list(teams),
        every_team=team is None
        and scope_of(request.user, Permission.VIEW_DEMAND) is Scope.EVERYWHERE,
        tier=chosen.get("tier") or "",
        route=chosen.get("route") or "",
        weeks=chosen.get("weeks") or DEFAULT_WEEKS,
        until=chosen.get("until") or today,
    )
    if filters.teams:
        context["figures"] = _figures(filters)
    return render(request, "demand/demand.html", context)


@require_permission(Permission.RECORD_CONTINGENCY_PLAN)
@require_http_methods(["GET", "POST"])
def contingency_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    team = get_demand_team_for_user(request.user, pk)
    if not has_permission(request.user, Permission.RECORD_CONTINGENCY_PLAN, team=team):
        raise PermissionDenied
    versions = ContingencyPlan.objects.filter(team=team).select_related("recorded_by")
    current = versions.first()
    form = ContingencyPlanForm(
        posted(request), initial={"text": current.text if current is not None else ""}
    )
    if form.is_valid():
        plan = attempt(
            form,
            lambda: actions.record_contingency_plan(
                by=request.user, team=team, text=form.cleaned_data["text"]
            ),
        )
        if plan is not None:
            messages.success(request, f"Contingency plan saved as version {plan.version}.")
            return redirect(f"{reverse('demand')}?team={team.pk}#capacity")
    return render(
        request,
        "demand/contingency_plan.html",
        {"team": team, "form": form, "versions": versions[:20]},
    )


@require_permission(Permission.RUN_FORECASTS)
@require_POST
def run_forecasts(request: AuthedRequest) -> HttpResponse:
    try:
        job = start_forecasts(by=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("demand")
    return redirect("job_detail", pk=job.pk)
