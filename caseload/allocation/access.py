"""Who may see allocation proposals and the handovers they planned: whoever holds
VIEW_ALLOCATION_PROPOSALS for the proposal's team."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team
from caseload.allocation.models import AllocationProposal, Handover


def proposals_visible_to(user: User) -> QuerySet[AllocationProposal]:
    return filter_by_team(
        AllocationProposal.objects.all(), user, Permission.VIEW_ALLOCATION_PROPOSALS
    )


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
