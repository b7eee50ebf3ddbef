"""Who may see what: the one access check per sensitive model.

Every view fetches people, cases, practitioners and teams through these functions. A record
the user may not see raises Http404, exactly as one that does not exist, so that a refusal
never confirms that a record is there.

What a role may see comes from caseload.accounts.permissions; here it becomes querysets:

- VIEW_TEAM: the team, and its cases waiting for screening or allocation with their people.
- VIEW_TEAM_CASELOADS: every case of the team, open and closed, its people and practitioners.
- VIEW_OWN_CASELOAD: the cases allocated to the user now, and their own practitioner record.

(Today: a practitioner has the first in their team and the third; a team manager the first
two in their team; the principal social worker and director both in every team, read-only;
the administrator none.)
"""

from __future__ import annotations

from collections.abc import Collection
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import (
    Permission,
    Scope,
    filter_by_team,
    has_permission,
    scope_of,
)
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


def _any_of(clauses: list[Q]) -> Q:
    return reduce(or_, clauses) if clauses else _NOTHING


def _case_filter(user: User) -> Q:
    caseloads = scope_of(user, Permission.VIEW_TEAM_CASELOADS)
    if caseloads is Scope.EVERYWHERE:
        return Q()
    me = practitioner_for(user) if user.is_authenticated else None
    team_id = me.team_id if me is not None else None
    clauses = []
    if caseloads is Scope.OWN_TEAM and team_id is not None:
        clauses.append(Q(team_id=team_id))
    waiting = scope_of(user, Permission.VIEW_TEAM)
    # The team's whole caseload already holds its waiting cases.
    if waiting is Scope.EVERYWHERE:
        clauses.append(Q(status__in=WAITING_STATUSES))
    elif waiting is Scope.OWN_TEAM and caseloads is None and team_id is not None:
        clauses.append(Q(team_id=team_id, status__in=WAITING_STATUSES))
    if me is not None and has_permission(user, Permission.VIEW_OWN_CASELOAD):
        held_by_me = Exists(
            Allocation.objects.filter(case=OuterRef("pk"), practitioner=me, ended_at__isnull=True)
        )
        clauses.append(Q(held_by_me, status=CaseStatus.ALLOCATED))
    return _any_of(clauses)


def cases_visible_to(user: User) -> QuerySet[Case]:
    return Case.objects.filter(_case_filter(user))


def get_case_for_user(user: User, pk: int) -> Case:
    try:
        return cases_visible_to(user).select_related("person", "team", "request").get(pk=pk)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def people_visible_to(user: User) -> QuerySet[Person]:
    if scope_of(user, Permission.VIEW_TEAM_CASELOADS) is Scope.EVERYWHERE:
        return Person.objects.all()
    # IN over the visible cases' person ids: evaluated once, where a correlated EXISTS made
    # SQLite scan the team's cases for each person on the register.
    return Person.objects.filter(pk__in=cases_visible_to(user).values("person_id"))


def get_person_for_user(user: User, pk: int, *, glass_broken: Collection[int] = ()) -> Person:
    """The person, if the user may see one of their cases or, holding `break_glass`, has
    opened their record with a reason (`glass_broken`: the ids their session opened)."""
    people = (
        Person.objects.all()
        if pk in glass_broken and has_permission(user, Permission.BREAK_GLASS)
        else people_visible_to(user)
    )
    try:
        return people.get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person") from None


def has_relationship(user: User, person: Person) -> bool:
    """Whether the user may see one of the person's cases (not only their broken-glass view)."""
    return people_visible_to(user).filter(pk=person.pk).exists()


def may_see_person_detail(user: User, person: Person) -> bool:
    """The person's cases, who held them and their history: a relationship and a role that
    looks at individuals (a director sees counts)."""
    return has_permission(user, Permission.VIEW_PERSON_DETAIL) and has_relationship(user, person)


def practitioners_visible_to(user: User) -> QuerySet[Practitioner]:
    caseloads = scope_of(user, Permission.VIEW_TEAM_CASELOADS)
    if caseloads is Scope.EVERYWHERE:
        return Practitioner.objects.all()
    me = practitioner_for(user) if user.is_authenticated else None
    if me is None:
        return Practitioner.objects.none()
    clauses = []
    if caseloads is Scope.OWN_TEAM and me.team_id is not None:
        clauses.append(Q(team_id=me.team_id))
    if has_permission(user, Permission.VIEW_OWN_CASELOAD):
        clauses.append(Q(pk=me.pk))
    return Practitioner.objects.filter(_any_of(clauses))


def get_practitioner_for_user(user: User, pk: int) -> Practitioner:
    try:
        return practitioners_visible_to(user).select_related("team").get(pk=pk)
    except Practitioner.DoesNotExist:
        raise Http404("No such practitioner") from None


def teams_visible_to(user: User) -> QuerySet[Team]:
    return filter_by_team(Team.objects.all(), user, Permission.VIEW_TEAM, field="pk")


def get_team_for_user(user: User, pk: int) -> Team:
    try:
        return teams_visible_to(user).select_related("locality").get(pk=pk)
    except Team.DoesNotExist:
        raise Http404("No such team") from None


def teams_user_may_refer_to(user: User) -> QuerySet[Team]:
    return filter_by_team(Team.objects.all(), user, Permission.RECORD_REFERRAL, field="pk")
