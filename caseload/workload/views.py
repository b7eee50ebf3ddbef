"""Workload pages. Thin: fetch through `access`, figures from `figures`, change through
`actions`, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caseload.accounts.permissions import Permission, has_permission
from caseload.register.access import practitioner_for
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest, attempt, paginate, posted
from caseload.workload import access, actions, pages
from caseload.workload.figures import EXTRA_HOURS_DAYS, practitioner_loads, totals
from caseload.workload.forms import AnswerForm, ConcernForm, ExtraHoursForm, SafeWorkingLevelForm
from caseload.workload.levels import levels_in_force
from caseload.workload.models import ExtraHours, SafeWorkingLevel, WorkloadConcern


@require_permission(Permission.VIEW_TEAM_WORKLOAD)
def workload_home(request: AuthedRequest) -> HttpResponse:
    """The teams whose workload the user may see, and what they can do about their own."""
    teams = paginate(request, access.workload_teams_for(request.user).order_by("name", "pk"))
    return render(
        request,
        "workload/home.html",
        {
            "teams": teams,
            "me": practitioner_for(request.user),
            "can_record_hours": has_permission(request.user, Permission.RECORD_EXTRA_HOURS),
            "can_raise": has_permission(request.user, Permission.RAISE_WORKLOAD_CONCERN),
            "can_answer": has_permission(request.user, Permission.ANSWER_WORKLOAD_CONCERNS),
            "can_see_escalations": has_permission(
                request.user, Permission.VIEW_WORKLOAD_ESCALATIONS
            ),
        },
    )


@require_permission(Permission.VIEW_TEAM_WORKLOAD)
def team_workload(request: AuthedRequest, pk: int) -> HttpResponse:
    """One table: every practitioner's row for those who see the team's caseloads; for a
    practitioner, their own row and the team's totals only."""
    team = access.get_workload_team_for_user(request.user, pk)
    today = timezone.localdate()
    loads = practitioner_loads(teams=[team.pk], on=today)
    sort = request.GET.get("sort", pages.DEFAULT_SORT)
    every_row = has_permission(request.user, Permission.VIEW_TEAM_CASELOADS, team=team)
    me = practitioner_for(request.user)
    shown = loads if every_row else [row for row in loads if me and row.practitioner_id == me.pk]
    level = levels_in_force([team.pk])[team.pk]
    agreed = SafeWorkingLevel.objects.filter(team=team).select_related("recorded_by").first()
    rows = [
        {"load": row, "bar": pages.bar_width(row.percent)} for row in pages.sorted_rows(shown, sort)
    ]
    return render(
        request,
        "workload/team.html",
        {
            "team": team,
            "rows": rows,
            "every_row": every_row,
            "totals": totals(loads),
            "level": level,
            "agreed": agreed,
            "headers": pages.headers(sort),
            "extra_hours_days": EXTRA_HOURS_DAYS,
            "can_set_levels": has_permission(
                request.user, Permission.SET_TEAM_WORKLOAD_LEVELS, team=team
            ),
            "can_see_hours": has_permission(
                request.user, Permission.ANSWER_WORKLOAD_CONCERNS, team=team
            ),
        },
    )


@require_permission(Permission.SET_TEAM_WORKLOAD_LEVELS)
@require_http_methods(["GET", "POST"])
def team_workload_levels(request: AuthedRequest, pk: int) -> HttpResponse:
    team = access.get_workload_team_for_user(request.user, pk)
    if not has_permission(request.user, Permission.SET_TEAM_WORKLOAD_LEVELS, team=team):
        raise PermissionDenied
    level = levels_in_force([team.pk])[team.pk]
    form = SafeWorkingLevelForm(
        posted(request), initial={"amber_percent": level.amber, "red_percent": level.red}
    )
    if form.is_valid():
        recorded = attempt(
            form,
            lambda: actions.record_safe_working_level(
                by=request.user, team=team, **form.cleaned_data
            ),
        )
        if recorded is not None:
            messages.success(request, "Safe working level recorded.")
            return redirect("team_workload", pk=team.pk)
    history = paginate(
        request, SafeWorkingLevel.objects.filter(team=team).select_related("recorded_by")
    )
    return render(request, "workload/levels.html", {"team": team, "form": form, "history": history})


@require_permission(Permission.RECORD_EXTRA_HOURS)
@require_http_methods(["GET", "POST"])
def extra_hours(request: AuthedRequest) -> HttpResponse:
    """Record extra hours; the user's own entries beneath."""
    me = practitioner_for(request.user)
    form = ExtraHoursForm(posted(request))
    if form.is_valid():
        entry = attempt(
            form, lambda: actions.record_extra_hours(by=request.user, **form.cleaned_data)
        )
        if entry is not None:
            messages.success(request, f"{entry.hours:f} extra hours recorded.")
            return redirect("workload_extra_hours")
    entries = paginate(
        request,
        ExtraHours.objects.filter(practitioner=me) if me else ExtraHours.objects.none(),
    )
    return render(
        request, "workload/extra_hours.html", {"form": form, "entries": entries, "me": me}
    )


@require_permission(Permission.ANSWER_WORKLOAD_CONCERNS)
def practitioner_extra_hours(request: AuthedRequest, pk: int) -> HttpResponse:
    practitioner = access.get_extra_hours_practitioner(request.user, pk)
    entries = paginate(request, ExtraHours.objects.filter(practitioner=practitioner))
    return render(
        request,
        "workload/practitioner_extra_hours.html",
        {"practitioner": practitioner, "entries": entries},
    )


@require_permission(Permission.RAISE_WORKLOAD_CONCERN)
@require_http_methods(["GET", "POST"])
def concern_new(request: AuthedRequest) -> HttpResponse:
    me = practitioner_for(request.user)
    form = ConcernForm(posted(request))
    if form.is_valid():
        raised = attempt(form, lambda: actions.raise_concern(by=request.user, **form.cleaned_data))
        if raised is not None:
            messages.success(request, "Your concern has been sent to your manager.")
            return redirect("workload_concern", pk=raised.pk)
    mine = paginate(
        request,
        WorkloadConcern.objects.filter(practitioner=me) if me else WorkloadConcern.objects.none(),
    )
    return render(request, "workload/concern_new.html", {"form": form, "mine": mine})


@require_permission(Permission.VIEW_TEAM_WORKLOAD)
@require_http_methods(["GET", "POST"])
def concern_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = access.get_concern_for_user(request.user, pk)
    may_answer = not concern.is_answered and has_permission(
        request.user, Permission.ANSWER_WORKLOAD_CONCERNS, team=concern.team_id
    )
    if request.method == "POST" and not may_answer:
        raise PermissionDenied
    form = AnswerForm(posted(request))
    if form.is_valid():
        answered = attempt(
            form,
            lambda: actions.answer_concern(
                by=request.user, concern=concern, response=form.cleaned_data["response"]
            ),
        )
        if answered is not None:
            messages.success(request, "Your answer is on the record; the practitioner is told.")
            return redirect("workload_concern", pk=concern.pk)
    return render(
        request,
        "workload/concern_detail.html",
        {"concern": concern, "form": form, "may_answer": may_answer},
    )


@require_permission(Permission.ANSWER_WORKLOAD_CONCERNS)
def concern_list(request: AuthedRequest) -> HttpResponse:
    """The open concerns of the teams the user answers for, oldest first."""
    concerns = paginate(
        request,
        access.concerns_visible_to(request.user)
        .filter(answered_at__isnull=True)
        .select_related("practitioner", "team")
        .order_by("raised_at", "pk"),
    )
    return render(
        request,
        "workload/concern_list.html",
        {"concerns": concerns, "title": "Open workload concerns"},
    )


@require_permission(Permission.VIEW_WORKLOAD_ESCALATIONS)
def escalation_list(request: AuthedRequest) -> HttpResponse:
    """The principal social worker's list: escalated concerns nobody has answered yet."""
    concerns = paginate(
        request,
        access.concerns_visible_to(request.user)
        .filter(answered_at__isnull=True, escalated_at__isnull=False)
        .select_related("practitioner", "team")
        .order_by("escalated_at", "pk"),
    )
    return render(
        request,
        "workload/concern_list.html",
        {"concerns": concerns, "title": "Escalated workload concerns", "escalated": True},
    )
