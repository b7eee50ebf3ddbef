"""Whose demand a user may see: the teams they hold VIEW_DEMAND for (their own, or every team).
The figures are counts, never people, so this is the only check."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team
from caseload.register.models import Team


def demand_teams_for(user: User) -> QuerySet[Team]:
    return filter_by_team(Team.objects.order_by("name"), user, Permission.VIEW_DEMAND, field="pk")


def get_demand_team_for_user(user: User, pk: int) -> Team:
    try:
        return demand_teams_for(user).get(pk=pk)
    except Team.DoesNotExist:
        raise Http404("No such team") from None
