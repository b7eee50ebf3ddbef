"""Who may see an ASYE programme: the ASYE, their assessor, and whoever holds
VIEW_ASYE_PROGRAMMES for the ASYE's team (their manager, the principal social worker). Not
colleagues, not the director. Who may record a review: the assessor, and whoever holds
MANAGE_ASYE_PROGRAMMES for the team, never the ASYE."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.asye.models import Programme


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    by_team = filter_by_team(
        Programme.objects.all(),
        user,
        Permission.VIEW_ASYE_PROGRAMMES,
        field="practitioner__team",
    )
    return Programme.objects.filter(Q(practitioner__user=user) | Q(assessor=user)) | by_team


def get_programme_for_user(user: User, pk: int) -> Programme:
    try:
        return (
            programmes_visible_to(user)
            .select_related("practitioner__team", "assessor")
            .prefetch_related("reviews__recorded_by")
            .get(pk=pk)
        )
    except Programme.DoesNotExist:
        raise Http404("No such programme") from None


def may_record_review(user: User, programme: Programme) -> bool:
    if not user.is_active or programme.practitioner.user_id == user.pk:
        return False
    return programme.assessor_id == user.pk or has_permission(
        user, Permission.MANAGE_ASYE_PROGRAMMES, team=programme.practitioner.team_id
    )
