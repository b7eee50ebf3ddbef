"""The resource page (the establishment against staff in post, council-wide or for one team)
and the establishment's history and form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload.accounts.permissions import Permission, has_permission
from caseload.register.forms import TeamChoiceForm
from caseload.register.models import Team
from caseload.resource import access, figures
from caseload.resource.actions import set_establishment
from caseload.resource.forms import EstablishmentForm
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest, attempt, paginate, posted
from caseload_engine.reference import PCF_LEVEL_CHOICES


def _chosen_team(request: AuthedRequest) -> tuple[TeamChoiceForm, list[Team] | None]:
    """The teams to show: the one chosen, or every team the user may see; None for a bad
    choice (another team's id, a word)."""
    teams = access.resource_teams_for(request.user)
    form = TeamChoiceForm(request.GET if "team" in request.GET else None, teams=teams)
    if form.is_bound and not form.is_valid():
        return form, None
    team = form.cleaned_data.get("team") if form.is_bound else None
    return form, [team] if team is not None else list(teams)


@require_permission(Permission.VIEW_RESOURCE)
@require_GET
def resource(request: AuthedRequest) -> HttpResponse:
    """Establishment against staff in post per team and role, FTE by PCF level, BIAs and AMHPs,
    registrations to renew, ASYEs and absence, on today."""
    form, teams = _chosen_team(request)
    context: dict[str, Any] = {
        "form": form,
        "may_manage": has_permission(request.user, Permission.MANAGE_ESTABLISHMENT),
    }
    if teams is not None:
        on = timezone.localdate()
        ids = [team.pk for team in teams]
        establishment = figures.establishment_by_team(on=on, team_ids=ids)
        stages_for = [
            pk
            for pk in ids
            if has_permission(request.user, Permission.VIEW_ASYE_PROGRAMMES, team=pk)
        ]
        context |= {
            "on": on,
            # One team chosen, or the only one the user may see (a team manager's).
            "single": len(teams) == 1,
            "teams": establishment,
            "council": figures.council_totals(establishment),
            "pcf_levels": PCF_LEVEL_CHOICES,
            "coverage": figures.specialism_coverage(on=on, team_ids=ids),
            "renewals": figures.registrations_to_renew(on=on, team_ids=ids),
            "renewal_days": figures.RENEWAL_DAYS,
            "asyes": figures.asyes(on=on, team_ids=ids, stages_for=stages_for),
            "stages_for": stages_for,
            "absence": figures.absence_now(on=on, team_ids=ids),
            "long_term_days": figures.LONG_TERM_DAYS,
        }
    return render(request, "resource/resource.html", context, status=400 if teams is None else 200)


@require_permission(Permission.VIEW_RESOURCE)
@require_GET
def establishment_history(request: AuthedRequest) -> HttpResponse:
    """Every establishment row the user may see, newest first, with who set it."""
    form, teams = _chosen_team(request)
    rows = access.establishment_visible_to(request.user)
    if teams is not None and form.is_bound:
        rows = rows.filter(team__in=teams)
    page = paginate(
        request,
        rows.select_related("team", "recorded_by").order_by(
            "-effective_from", "team__name", "role", "-pk"
        )
        if teams is not None
        else rows.none(),
    )
    team = form.cleaned_data.get("team") if teams is not None and form.is_bound else None
    return render(
        request,
        "resource/establishment_history.html",
        {
            "form": form,
            "page": page,
            "query": f"team={team.pk}" if team is not None else "",
            "may_manage": has_permission(request.user, Permission.MANAGE_ESTABLISHMENT),
        },
        status=400 if teams is None else 200,
    )


@require_permission(Permission.MANAGE_ESTABLISHMENT)
@require_http_methods(["GET", "POST"])
def establishment_new(request: AuthedRequest) -> HttpResponse:
    """Set a team's funded FTE for a role from a day."""
    form = EstablishmentForm(posted(request), initial=_initial(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        row = attempt(
            form,
            lambda: set_establishment(
                by=request.user,
                team=data["team"],
                role=data["role"],
                funded_fte=data["funded_fte"],
                effective_from=data["effective_from"],
            ),
        )
        if row is not None:
            messages.success(
                request,
                f"{row.team.name}: {row.funded_fte} FTE funded for the role "
                f"“{row.get_role_display()}” from {row.effective_from.day} "
                f"{row.effective_from:%B %Y}.",
            )
            return redirect(f"{reverse('resource')}?team={row.team_id}")
    return render(request, "resource/establishment_form.html", {"form": form})


def _initial(request: AuthedRequest) -> dict[str, str]:
    # Links from the resource page name the team and role; the form checks them as any input.
    return {key: request.GET[key] for key in ("team", "role") if key in request.GET}
