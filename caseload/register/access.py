"""Who may see what: the one access check per sensitive model.

Every view fetches people, cases, practitioners and teams through these functions. A record
the user may not see raises Http404, exactly as one that does not exist, so that a refusal
never confirms that a record is there.

- Practitioner: cases allocated to them now, their team's waiting list, and the people on those.
- Team manager: every case of their team (open and closed), its people and its practitioners.
- Principal social worker and director: everything, read-only.
- Administrator: nothing here; users, teams and configuration live in the Django admin.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from caseload.accounts.models import AccessRole, User
from caseload.register.models import (
    WAITING_STATUSES,
    Allocation,
    Case,
    CaseStatus,
    Person,
    Practitioner,
    Team,
)

_NOTHING = Q(pk__in=[])


def practitioner_for(user: User) -> Practitioner | None:
    """The practitioner record behind a front-line user (cached on the user for the request)."""
    try:
        return user.practitioner
    except Practitioner.DoesNotExist:
        return None


def _case_filter(user: User) -> Q:
    if not user.is_authenticated or not user.is_active:
        return _NOTHING
    if user.is_oversight:
        return Q()
    me = practitioner_for(user)
    if me is None or me.team_id is None:
        return _NOTHING
    if user.access_role == AccessRole.TEAM_MANAGER:
        return Q(team_id=me.team_id)
    if user.access_role == AccessRole.PRACTITIONER:
        held_by_me = Exists(
            Allocation.objects.filter(case=OuterRef("pk"), practitioner=me, ended_at__isnull=True)
        )
        return Q(team_id=me.team_id, status__in=WAITING_STATUSES) | Q(
            held_by_me, status=CaseStatus.ALLOCATED
        )
    return _NOTHING


def cases_visible_to(user: User) -> QuerySet[Case]:
    return Case.objects.filter(_case_filter(user))


def get_case_for_user(user: User, pk: int) -> Case:
    try:
        return cases_visible_to(user).select_related("person", "team", "request").get(pk=pk)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def people_visible_to(user: User) -> QuerySet[Person]:
    if user.is_authenticated and user.is_oversight:
        return Person.objects.all()
    # IN over the visible cases' person ids: evaluated once, where a correlated EXISTS made
    # SQLite scan the team's cases for each person on the register.
    return Person.objects.filter(pk__in=cases_visible_to(user).values("person_id"))


def get_person_for_user(user: User, pk: int) -> Person:
    try:
        return people_visible_to(user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person") from None


def practitioners_visible_to(user: User) -> QuerySet[Practitioner]:
    if not user.is_authenticated or not user.is_active:
        return Practitioner.objects.none()
    if user.is_oversight:
        return Practitioner.objects.all()
    me = practitioner_for(user)
    if me is None:
        return Practitioner.objects.none()
    if user.access_role == AccessRole.TEAM_MANAGER and me.team_id is not None:
        return Practitioner.objects.filter(team_id=me.team_id)
    if user.access_role == AccessRole.PRACTITIONER:
        return Practitioner.objects.filter(pk=me.pk)
    return Practitioner.objects.none()


def get_practitioner_for_user(user: User, pk: int) -> Practitioner:
    try:
        return practitioners_visible_to(user).select_related("team").get(pk=pk)
    except Practitioner.DoesNotExist:
        raise Http404("No such practitioner") from None


def teams_visible_to(user: User) -> QuerySet[Team]:
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if user.is_oversight:
        return Team.objects.all()
    me = practitioner_for(user)
    if (
        me is None
        or me.team_id is None
        or user.access_role
        not in {
            AccessRole.PRACTITIONER,
            AccessRole.TEAM_MANAGER,
        }
    ):
        return Team.objects.none()
    return Team.objects.filter(pk=me.team_id)


def get_team_for_user(user: User, pk: int) -> Team:
    try:
        return teams_visible_to(user).select_related("locality").get(pk=pk)
    except Team.DoesNotExist:
        raise Http404("No such team") from None


def can_change_cases(user: User) -> bool:
    """Front-line users change the cases they can see; oversight roles only read."""
    return user.access_role in {AccessRole.PRACTITIONER, AccessRole.TEAM_MANAGER}


def teams_user_may_refer_to(user: User) -> QuerySet[Team]:
    return teams_visible_to(user) if can_change_cases(user) else Team.objects.none()


def can_manage_team(user: User, team: Team) -> bool:
    """Team managers see their team's practitioners and caseloads; oversight roles see all."""
    if user.is_oversight:
        return True
    me = practitioner_for(user)
    return user.access_role == AccessRole.TEAM_MANAGER and me is not None and me.team_id == team.pk
