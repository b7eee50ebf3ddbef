"""Who may see allocation proposals and the handovers they planned: the team's manager, and the
oversight roles (read-only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import AccessRole, User
from caseload.allocation.models import AllocationProposal, Handover
from caseload.register.access import practitioner_for


def proposals_visible_to(user: User) -> QuerySet[AllocationProposal]:
    if user.is_oversight:
        return AllocationProposal.objects.all()
    me = practitioner_for(user)
    if user.access_role == AccessRole.TEAM_MANAGER and me is not None and me.team_id:
        return AllocationProposal.objects.filter(team_id=me.team_id)
    return AllocationProposal.objects.none()


def get_proposal_for_user(user: User, pk: int) -> AllocationProposal:
    try:
        return (
            proposals_visible_to(user)
            .select_related("team", "created_by", "away_practitioner", "model_version")
            .get(pk=pk)
        )
    except AllocationProposal.DoesNotExist:
        raise Http404("No such proposal") from None


def get_handover_for_user(user: User, pk: int) -> Handover:
    try:
        return (
            Handover.objects.filter(decision__proposal__in=proposals_visible_to(user))
            .select_related("case__person", "from_practitioner", "to_practitioner")
            .get(pk=pk)
        )
    except Handover.DoesNotExist:
        raise Http404("No such handover") from None
