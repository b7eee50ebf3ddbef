"""The one door to workforce plans. They name no one, so every holder of the permission sees
every plan (a saved plan's link is shared so); anyone else finds none."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.planning.models import WorkforcePlan


def plans_visible_to(user: User) -> QuerySet[WorkforcePlan]:
    if not has_permission(user, Permission.VIEW_WORKFORCE_PLANS):
        return WorkforcePlan.objects.none()
    return WorkforcePlan.objects.all()


def get_plan_for_user(user: User, pk: int) -> WorkforcePlan:
    """Not found and not allowed are both 404."""
    try:
        return plans_visible_to(user).get(pk=pk)
    except WorkforcePlan.DoesNotExist:
        raise Http404("No such plan") from None
