"""Who may see supervision: the one door to its records.

A supervision record is seen by its supervisor, its supervisee, and whoever holds
RECORD_SUPERVISION for the supervisee's team now: the team's managers (who supervise it, and
take over a practitioner's history when their supervisor changes) and the principal social
worker (every team). Nobody else: not colleagues in the team, not other teams' managers, not
the director (who sees aggregates), not the administrator. A record the user may not see is
"not found", exactly as one that does not exist.

Who may supervise a practitioner (record their sessions, make their agreement): whoever holds
RECORD_SUPERVISION for the practitioner's team, except the practitioner themselves.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, Scope, has_permission, scope_of, team_id_of
from caseload.register.access import practitioner_for
from caseload.register.models import Practitioner
from caseload.supervision.models import Action, Agreement, Session


def _supervisee_filter(user: User, *, via: str) -> Q:
    """Practitioners (reached through `via`) whose supervision the user may see. (Never an
    empty Q for "all": OR-ed with another, an empty Q drops out.)"""
    scope = scope_of(user, Permission.RECORD_SUPERVISION)
    if scope is Scope.EVERYWHERE:
        return Q(**{f"{via}pk__isnull": False})
    clauses = Q(pk__in=[])
    if scope is Scope.OWN_TEAM and (team_id := team_id_of(user)) is not None:
        clauses |= Q(**{f"{via}team_id": team_id})
    if has_permission(user, Permission.VIEW_OWN_SUPERVISION):
        clauses |= Q(**{f"{via}user": user})
    return clauses


def sessions_visible_to(user: User) -> QuerySet[Session]:
    if not has_permission(user, Permission.VIEW_OWN_SUPERVISION) and not has_permission(
        user, Permission.RECORD_SUPERVISION
    ):
        return Session.objects.none()
    return Session.objects.filter(_supervisee_filter(user, via="supervisee__") | Q(supervisor=user))


def get_session_for_user(user: User, pk: int) -> Session:
    try:
        return (
            sessions_visible_to(user)
            .select_related("supervisee__team", "supervisor", "created_by")
            .get(pk=pk)
        )
    except Session.DoesNotExist:
        raise Http404("No such supervision record") from None


def supervisees_visible_to(user: User) -> QuerySet[Practitioner]:
    """The practitioners whose supervision page the user may see: their own, the team's for
    who may supervise it, and any they supervise or have supervised."""
    if not has_permission(user, Permission.VIEW_OWN_SUPERVISION) and not has_permission(
        user, Permission.RECORD_SUPERVISION
    ):
        return Practitioner.objects.none()
    supervised = Session.objects.filter(supervisor=user).values("supervisee_id")
    agreed = Agreement.objects.filter(supervisor=user).values("practitioner_id")
    return Practitioner.objects.filter(
        _supervisee_filter(user, via="") | Q(pk__in=supervised) | Q(pk__in=agreed)
    )


def get_supervisee_for_user(user: User, pk: int) -> Practitioner:
    try:
        return supervisees_visible_to(user).select_related("team", "user").get(pk=pk)
    except Practitioner.DoesNotExist:
        raise Http404("No such practitioner") from None


def may_supervise(user: User, practitioner: Practitioner) -> bool:
    """Whether the user may record this practitioner's supervision and make their agreement."""
    if practitioner.user_id is not None and practitioner.user_id == user.pk:
        return False
    if practitioner.left_on is not None:
        return False
    team = practitioner.team_id
    if team is None:
        # Only the principal social worker sits outside a team: whoever supervises everywhere.
        return scope_of(user, Permission.RECORD_SUPERVISION) is Scope.EVERYWHERE
    return has_permission(user, Permission.RECORD_SUPERVISION, team=team)


def is_supervisee(user: User, session: Session) -> bool:
    me = practitioner_for(user)
    return me is not None and me.pk == session.supervisee_id


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    return Agreement.objects.filter(
        Q(practitioner__in=supervisees_visible_to(user)) | Q(supervisor=user)
    )


def get_agreement_for_user(user: User, pk: int) -> Agreement:
    try:
        return (
            agreements_visible_to(user)
            .select_related("practitioner__team", "supervisor")
            .get(pk=pk)
        )
    except Agreement.DoesNotExist:
        raise Http404("No such agreement") from None


def actions_of(user: User) -> QuerySet[Action]:
    """The supervision actions on the user's task list: those they own, and those from the
    sessions they supervised (so that a supervisor follows them up), open ones only."""
    return Action.objects.filter(
        Q(owner=user) | Q(session__supervisor=user), done_at__isnull=True
    ).filter(session__in=sessions_visible_to(user))


def get_action_for_user(user: User, pk: int) -> Action:
    """An action the user may mark done: one they own (the supervisor sees the actions they
    set, but the owner says when one is done)."""
    try:
        return (
            Action.objects.filter(owner=user, session__in=sessions_visible_to(user))
            .select_related("session__supervisee")
            .get(pk=pk)
        )
    except Action.DoesNotExist:
        raise Http404("No such action") from None
