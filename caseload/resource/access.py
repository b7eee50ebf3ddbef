"""Who may see resource figures: whoever holds VIEW_RESOURCE for a team sees that team's
(a team manager their own team; the principal social worker and the director every team).
Setting the establishment is not about one team: MANAGE_ESTABLISHMENT, checked by the action."""

from __future__ import annotations

from django.db.models import QuerySet

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team
from caseload.register.models import Team
from caseload.resource.models import Establishment


def resource_teams_for(user: User) -> QuerySet[Team]:
    return filter_by_team(Team.objects.order_by("name"), user, Permission.VIEW_RESOURCE, field="pk")


def establishment_visible_to(user: User) -> QuerySet[Establishment]:
    return filter_by_team(Establishment.objects.all(), user, Permission.VIEW_RESOURCE)
