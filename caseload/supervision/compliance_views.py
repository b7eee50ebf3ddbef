"""The compliance pages: a team's overdue supervision for its manager (and the principal social
worker), and compliance by team, role and month, with its chart and CSV, for the principal
social worker and the director (counts only: no names, no links to anyone's record)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.audit import log
from caseload.register.access import get_team_for_user
from caseload.register.forms import TeamChoiceForm
from caseload.register.models import Team
from caseload.supervision import compliance
from caseload.supervision.chart import compliance_chart
from caseload.ui.forms import GovukForm
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest
from caseload_engine.reference import ROLE_CHOICES, Role
from caseload_engine.tabular import spreadsheet_text

MONTH_CHOICES = [("3", "3 months"), ("6", "6 months"), ("12", "12 months"), ("24", "24 months")]
BY_CHOICES = [("team", "Team"), ("role", "Role")]
# The principal social worker's own supervision is outside the council's record.
SUPERVISED_ROLES = [(v, label) for v, label in ROLE_CHOICES if v != Role.PRINCIPAL_SOCIAL_WORKER]


class OverdueForm(GovukForm):
    sort = forms.ChoiceField(
        choices=[(key, key) for key in compliance.OVERDUE_SORTS], required=False
    )


@require_permission(Permission.VIEW_SUPERVISION_OVERDUE)
@require_GET
def overdue(request: AuthedRequest, pk: int) -> HttpResponse:
    """The team's practitioners past their next supervision due date."""
    team = get_team_for_user(request.user, pk)
    if not has_permission(request.user, Permission.VIEW_SUPERVISION_OVERDUE, team=team):
        # A team the user sees but may not check supervision in: as if there were no team.
        raise Http404("No such team")
    form = OverdueForm(request.GET)
    sort = (form.cleaned_data.get("sort") if form.is_valid() else None) or "overdue"
    on = timezone.localdate()
    rows = compliance.overdue(team_id=team.pk, on=on, sort=sort)
    page = Paginator(rows, settings.CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    log.record_supervision_overdue_viewed(request.user, team_id=team.pk)
    return render(
        request,
        "supervision/compliance/overdue.html",
        {"team": team, "page": page, "sort": sort, "on": on, "query": f"sort={sort}"},
    )


class ComplianceForm(TeamChoiceForm):
    """Which compliance to show: grouped by team or role, narrowed to one of either, over a
    number of months. Choices only, so no typed number reaches a query."""

    by = forms.ChoiceField(label="Group by", choices=BY_CHOICES, required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Every role"), *SUPERVISED_ROLES],
        required=False,
        error_messages={"invalid_choice": "Choose a role from the list"},
    )
    months = forms.TypedChoiceField(
        label="Months",
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose 3, 6, 12 or 24 months"},
    )


def _figures(request: AuthedRequest) -> tuple[ComplianceForm, dict[str, Any] | None]:
    teams = filter_by_team(
        Team.objects.order_by("name"), request.user, Permission.VIEW_TEAM, field="pk"
    )
    form = ComplianceForm(request.GET if request.GET else None, teams=teams)
    if request.GET and not form.is_valid():
        return form, None
    filters = form.cleaned_data if request.GET else {}
    by = filters.get("by") or "team"
    team = filters.get("team")
    role = filters.get("role") or ""
    months = filters.get("months") or compliance.DEFAULT_MONTHS
    on = timezone.localdate()
    starts = compliance.month_starts(on=on, months=months)
    # Only the teams the user sees, even in the counts.
    team_names = dict(teams.values_list("pk", "name"))
    rows = compliance.standings(
        on=on, since=starts[0], team_ids=[team.pk] if team is not None else list(team_names)
    )
    labels = (
        {str(pk): name for pk, name in team_names.items()} if by == "team" else dict(ROLE_CHOICES)
    )
    trends = compliance.monthly(rows, on=on, months=months, by=by, labels=labels, role=role)
    total = compliance.overall(trends)
    return form, {
        "by": by,
        "by_label": dict(BY_CHOICES)[by],
        "months": starts,
        "trends": trends,
        "total": total,
        "on": on,
        "chart": compliance_chart(starts, total, trends, by_label=dict(BY_CHOICES)[by]),
    }


@require_permission(Permission.VIEW_SUPERVISION_COMPLIANCE)
@require_GET
def trends(request: AuthedRequest) -> HttpResponse:
    form, figures = _figures(request)
    query = request.GET.copy()
    return render(
        request,
        "supervision/compliance/trends.html",
        {
            "form": form,
            "figures": figures,
            "csv_query": query.urlencode(),
            "may_list_overdue": has_permission(request.user, Permission.VIEW_SUPERVISION_OVERDUE),
        },
    )


@require_permission(Permission.VIEW_SUPERVISION_COMPLIANCE)
@require_GET
def trends_csv(request: AuthedRequest) -> HttpResponse:
    """The table as CSV: one row per group and month."""
    form, figures = _figures(request)
    if figures is None:
        return render(
            request,
            "supervision/compliance/trends.html",
            {"form": form, "figures": None, "csv_query": "", "may_list_overdue": False},
            status=400,
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([figures["by"], "month", "in_post", "compliant", "percent"])
    for trend in (*figures["trends"], figures["total"]):
        for month in trend.months:
            writer.writerow(
                [
                    spreadsheet_text(trend.label),
                    f"{month.month:%Y-%m}",
                    month.in_post,
                    month.compliant,
                    "" if month.percent is None else month.percent,
                ]
            )
    stamp = figures["on"].strftime("%Y%m%d")
    return HttpResponse(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="supervision-compliance-{stamp}.csv"'
        },
    )
