"""Who sees which workload records. "Not found" and "not allowed" are both a 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from caseload.accounts.models import AccessRole, User
from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.register.access import practitioner_for
from caseload.register.models import Practitioner, Team
from caseload.workload.models import WorkloadConcern


def concerns_visible_to(user: User) -> QuerySet[WorkloadConcern]:
    """A practitioner's own concerns; those of the teams whose concerns the user answers; and,
    for those who oversee escalations, every escalated one."""
    answerable = filter_by_team(
        WorkloadConcern.objects.all(), user, Permission.ANSWER_WORKLOAD_CONCERNS
    )
    clauses = Q(pk__in=answerable.values("pk"))
    me = practitioner_for(user)
    if me is not None:
        clauses |= Q(practitioner=me)
    if has_permission(user, Permission.VIEW_WORKLOAD_ESCALATIONS):
        clauses |= Q(escalated_at__isnull=False)
    return WorkloadConcern.objects.filter(clauses)


def get_concern_for_user(user: User, pk: int) -> WorkloadConcern:
    try:
        return (
            concerns_visible_to(user)
            .select_related("practitioner", "team", "answered_by")
            .get(pk=pk)
        )
    except WorkloadConcern.DoesNotExist:
        raise Http404("No such concern") from None


def may_see_extra_hours(user: User, practitioner: Practitioner) -> bool:
    """The practitioner themselves, and whoever answers their team's workload concerns."""
    me = practitioner_for(user)
    return (me is not None and me.pk == practitioner.pk) or (
        practitioner.team_id is not None
        and has_permission(user, Permission.ANSWER_WORKLOAD_CONCERNS, team=practitioner.team_id)
    )


def get_extra_hours_practitioner(user: User, pk: int) -> Practitioner:
    practitioner = Practitioner.objects.select_related("team").filter(pk=pk).first()
    if practitioner is None or not may_see_extra_hours(user, practitioner):
        raise Http404("No such practitioner")
    return practitioner


def managers_of(team_id: int) -> list[User]:
    """The team's managers in post: whom a concern reaches first."""
    return list(
        User.objects.filter(
            is_active=True,
            access_role=AccessRole.TEAM_MANAGER,
            practitioner__team_id=team_id,
            practitioner__left_on__isnull=True,
        )
    )


def escalation_owners() -> list[User]:
    """Whom an escalated concern reaches: the principal social worker(s)."""
    return list(User.objects.filter(is_active=True, access_role=AccessRole.PRINCIPAL_SOCIAL_WORKER))


def workload_teams_for(user: User) -> QuerySet[Team]:
    return filter_by_team(Team.objects.all(), user, Permission.VIEW_TEAM_WORKLOAD, field="pk")


def get_workload_team_for_user(user: User, pk: int) -> Team:
    try:
        return workload_teams_for(user).select_related("locality").get(pk=pk)
    except Team.DoesNotExist:
        raise Http404("No such team") from None
