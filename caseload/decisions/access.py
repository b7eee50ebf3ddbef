"""Who may see decisions, sign-off requests and escalations: whoever may see the case (the
register's access check), and no one else. Not found and not allowed are both 404."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import (
    Permission,
    Scope,
    has_permission,
    roles_with,
    scope_of,
    team_id_of,
)
from caseload.decisions.models import (
    Decision,
    PracticeEscalation,
    SignOffLevel,
    SignOffRequest,
)
from caseload.register.access import cases_visible_to


def decisions_visible_to(user: User) -> QuerySet[Decision]:
    return Decision.objects.filter(case__in=cases_visible_to(user))


def get_decision_for_user(user: User, pk: int) -> Decision:
    try:
        return (
            decisions_visible_to(user)
            .select_related("case__person", "case__team", "decided_by", "scheme", "corrects")
            .get(pk=pk)
        )
    except Decision.DoesNotExist:
        raise Http404("No such decision") from None


def sign_offs_awaiting(user: User) -> QuerySet[SignOffRequest]:
    """The open requests listed for the user to answer, on cases they may see and never their
    own: a senior manager's, those kept for a senior manager and a manager's own (the rest of
    a team's are for its managers, though a senior manager may answer one from its page); a
    team manager's, their team's at team level."""
    clauses = []
    senior = has_permission(user, Permission.SIGN_OFF_SENIOR_DECISIONS)
    if senior:
        clauses.append(Q(level=SignOffLevel.SENIOR_MANAGER))
        # A manager's own decisions, which their team may have no one else to sign off.
        clauses.append(
            Q(
                level=SignOffLevel.TEAM_MANAGER,
                requested_by__access_role__in=roles_with(Permission.SIGN_OFF_DECISIONS),
            )
        )
    scope = scope_of(user, Permission.SIGN_OFF_DECISIONS)
    own = team_id_of(user)
    if scope is Scope.OWN_TEAM and own is not None:
        clauses.append(Q(level=SignOffLevel.TEAM_MANAGER, decision__case__team_id=own))
    elif scope is Scope.EVERYWHERE and not senior:
        clauses.append(Q(level=SignOffLevel.TEAM_MANAGER))
    if not clauses:
        return SignOffRequest.objects.none()
    return SignOffRequest.objects.filter(
        reduce(or_, clauses),
        state=SignOffRequest.State.OPEN,
        decision__case__in=cases_visible_to(user),
    ).exclude(requested_by=user)


def get_sign_off_for_user(user: User, pk: int) -> SignOffRequest:
    """A request, for whoever may see its case (answering it is the action's question)."""
    try:
        return (
            SignOffRequest.objects.filter(decision__in=decisions_visible_to(user))
            .select_related("decision__case__person", "decision__case__team", "requested_by")
            .get(pk=pk)
        )
    except SignOffRequest.DoesNotExist:
        raise Http404("No such sign-off request") from None


def escalations_visible_to(user: User) -> QuerySet[PracticeEscalation]:
    return PracticeEscalation.objects.filter(case__in=cases_visible_to(user))


def get_escalation_for_user(user: User, pk: int) -> PracticeEscalation:
    try:
        return (
            escalations_visible_to(user)
            .select_related("case__person", "case__team", "raised_by", "advised_by", "director")
            .get(pk=pk)
        )
    except PracticeEscalation.DoesNotExist:
        raise Http404("No such escalation") from None


def escalations_to_answer(user: User) -> QuerySet[PracticeEscalation]:
    """The open escalations the user answers: the PSW's awaiting advice and with the
    director; the director's, those taken to them."""
    states = []
    if has_permission(user, Permission.ADVISE_ON_ESCALATIONS):
        states += [PracticeEscalation.State.WITH_PSW, PracticeEscalation.State.WITH_DIRECTOR]
    if has_permission(user, Permission.DECIDE_ESCALATIONS):
        states.append(PracticeEscalation.State.WITH_DIRECTOR)
    return escalations_visible_to(user).filter(state__in=states)
