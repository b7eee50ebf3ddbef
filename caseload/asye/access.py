"""Who may see an ASYE programme: the ASYE, their assessor, and whoever holds
VIEW_ASYE_PROGRAMMES for the ASYE's team (their manager, the principal social worker). Not
colleagues, not the director. Who may record a review: the assessor, and whoever holds
MANAGE_ASYE_PROGRAMMES for the team, never the ASYE. Who may comment on a review as the ASYE:
the ASYE alone, on their own programme's reviews."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.asye.models import Programme, Review
from caseload_engine import asye


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


def get_own_review_for_asye(user: User, pk: int) -> Review:
    """A review of the user's own ASYE programme; anyone else's is not found."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such review")
    try:
        return Review.objects.select_related("programme__practitioner__team").get(
            pk=pk, programme__practitioner__user=user
        )
    except Review.DoesNotExist:
        raise Http404("No such review") from None


def may_comment(review: Review, *, latest_months: int) -> bool:
    """Whether the ASYE's comments on `review` are still open (see caseload_engine.asye)."""
    opened = timezone.now() - review.recorded_at <= timedelta(days=asye.COMMENT_DAYS)
    return opened and review.months == latest_months
