"""Who may see learning and feedback: the one door to each of its records.

- An incident: whoever holds VIEW_INCIDENTS for its team (its managers, the PSW everywhere),
  whoever recorded it, and whoever may see its learning review.
- A learning review: whoever holds MANAGE_LEARNING (the PSW), its lead, and the owners of its
  recommendations (who must read what they are asked to do).
- Feedback: whoever holds RECORD_FEEDBACK for its team (with the case), and the practitioner
  it is about, through `own_feedback` only (without the person's identity when anonymous).
- Briefs and the practice framework: whoever holds the reading permission; no one's data.

"Not found" and "not allowed" are the same 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.learning.models import (
    Feedback,
    Incident,
    LearningBrief,
    LearningReview,
    Recommendation,
)
from caseload.register.access import practitioner_for


def reviews_visible_to(user: User) -> QuerySet[LearningReview]:
    if has_permission(user, Permission.MANAGE_LEARNING):
        return LearningReview.objects.all()
    owned = Recommendation.objects.filter(owner=user).values("review_id")
    return LearningReview.objects.filter(Q(lead=user) | Q(pk__in=owned))


def get_review_for_user(user: User, pk: int) -> LearningReview:
    try:
        return (
            reviews_visible_to(user)
            .select_related("incident__team", "incident__case", "lead", "commissioned_by")
            .get(pk=pk)
        )
    except LearningReview.DoesNotExist:
        raise Http404("No such review") from None


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    teams = filter_by_team(Incident.objects.all(), user, Permission.VIEW_INCIDENTS)
    reviewed = reviews_visible_to(user).values("incident_id")
    return Incident.objects.filter(
        Q(pk__in=teams.values("pk")) | Q(recorded_by=user) | Q(pk__in=reviewed)
    )


def get_incident_for_user(user: User, pk: int) -> Incident:
    try:
        return incidents_visible_to(user).select_related("team", "case", "recorded_by").get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404("No such incident") from None


def recommendations_of(user: User) -> QuerySet[Recommendation]:
    """The open recommendations the user owns."""
    return Recommendation.objects.filter(owner=user, done_at__isnull=True)


def get_recommendation_for_user(user: User, pk: int) -> Recommendation:
    """A recommendation the user may mark done: its owner's, or any for the PSW."""
    which = Recommendation.objects.all()
    if not has_permission(user, Permission.MANAGE_LEARNING):
        which = which.filter(owner=user)
    try:
        return which.select_related("review").get(pk=pk)
    except Recommendation.DoesNotExist:
        raise Http404("No such recommendation") from None


def briefs_visible_to(user: User) -> QuerySet[LearningBrief]:
    if not has_permission(user, Permission.READ_LEARNING_BRIEFS):
        return LearningBrief.objects.none()
    return LearningBrief.objects.all()


def get_brief_for_user(user: User, pk: int) -> LearningBrief:
    try:
        return briefs_visible_to(user).get(pk=pk)
    except LearningBrief.DoesNotExist:
        raise Http404("No such brief") from None


def feedback_visible_to(user: User) -> QuerySet[Feedback]:
    """The feedback the user may read with its case: their team's, for who records it."""
    return filter_by_team(Feedback.objects.all(), user, Permission.RECORD_FEEDBACK)


def get_feedback_for_user(user: User, pk: int) -> Feedback:
    try:
        return (
            feedback_visible_to(user)
            .select_related("case__person", "practitioner", "team", "recorded_by")
            .get(pk=pk)
        )
    except Feedback.DoesNotExist:
        raise Http404("No such feedback") from None


def own_feedback(user: User) -> QuerySet[Feedback]:
    """The feedback about the user's own practice (the page hides identities it must)."""
    me = practitioner_for(user)
    if me is None or not has_permission(user, Permission.VIEW_OWN_FEEDBACK):
        return Feedback.objects.none()
    return Feedback.objects.filter(practitioner=me)
