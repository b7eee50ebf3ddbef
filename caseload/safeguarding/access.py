"""Who may see safeguarding records: the one door to concerns and enquiries.

Safeguarding records are more restricted than the case. A concern or an enquiry is seen in
full by whoever holds VIEW_SAFEGUARDING for its team: the team's practitioners and managers,
the safeguarding lead and the principal social worker (every team). Nobody else: not other
teams, not the director, not the administrator. A record the user may not see is "not found",
exactly as one that does not exist.

Everyone else learns only that an enquiry exists, and only where they hold the person's case
(`enquiry_exists_for`): they work with the person and must know to ask.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.register.access import people_visible_to, practitioner_for
from caseload.register.models import Allocation, Person
from caseload.safeguarding.models import Concern, Enquiry, EnquiryStatus


def concerns_visible_to(user: User) -> QuerySet[Concern]:
    return filter_by_team(Concern.objects.all(), user, Permission.VIEW_SAFEGUARDING)


def get_concern_for_user(user: User, pk: int) -> Concern:
    try:
        return (
            concerns_visible_to(user)
            .select_related("person", "team", "recorded_by", "decided_by")
            .prefetch_related("risk_types")
            .get(pk=pk)
        )
    except Concern.DoesNotExist:
        raise Http404("No such concern") from None


def enquiries_visible_to(user: User) -> QuerySet[Enquiry]:
    return filter_by_team(Enquiry.objects.all(), user, Permission.VIEW_SAFEGUARDING)


def get_enquiry_for_user(user: User, pk: int) -> Enquiry:
    try:
        return (
            enquiries_visible_to(user)
            .select_related("person", "team", "lead", "concern", "concluded_by", "signed_off_by")
            .prefetch_related("concern__risk_types")
            .get(pk=pk)
        )
    except Enquiry.DoesNotExist:
        raise Http404("No such enquiry") from None


def people_for_concerns(user: User, *, glass_broken: Collection[int] = ()) -> QuerySet[Person]:
    """Whom the user may record a concern about by their council person id: those whose
    record they may open (a case they may see, or the glass broken this session), and those
    of the safeguarding records they may see. Anyone else is "no one", as a refusal must be."""
    return Person.objects.filter(
        Q(pk__in=people_visible_to(user))
        | Q(pk__in=list(glass_broken))
        | Q(pk__in=concerns_visible_to(user).values("person_id"))
    )


def may_manage(user: User, team_id: int) -> bool:
    return has_permission(user, Permission.MANAGE_SAFEGUARDING, team=team_id)


def may_record(user: User, enquiry: Enquiry) -> bool:
    """Whether the user may add to the enquiry's record: only while it is open."""
    return enquiry.is_open and has_permission(
        user, Permission.RECORD_SAFEGUARDING_ENQUIRY, team=enquiry.team_id
    )


def holds_case_of(user: User, person: Person) -> bool:
    """Whether the user holds one of the person's cases now."""
    me = practitioner_for(user)
    return (
        me is not None
        and Allocation.objects.filter(
            case__person=person, practitioner=me, ended_at__isnull=True
        ).exists()
    )


def enquiry_exists_for(user: User, person: Person) -> bool:
    """For someone who may not read the enquiries: whether to tell them that one is open,
    which they learn only when they hold the person's case."""
    return (
        holds_case_of(user, person)
        and Enquiry.objects.filter(person=person).exclude(status=EnquiryStatus.CLOSED).exists()
    )
