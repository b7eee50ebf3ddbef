"""Who may see safeguarding records: the one door to concerns and enquiries.

Safeguarding records are more restricted than the case. A concern or an enquiry is seen in
full by whoever holds VIEW_SAFEGUARDING for its team: the team's practitioners and managers,
the safeguarding lead and the principal social worker (every team). Nobody else: not other
teams, not the director, not the administrator. A record the user may not see is "not found",
exactly as one that does not exist.

The one exception is closure sign-off: where the delegation scheme keeps it for a senior
manager, whoever holds that sign-off (the director) reaches exactly the enquiries awaiting it,
on the sign-off page only (`awaiting_senior_sign_off_by`).

Everyone else learns only that an enquiry exists, and only where they hold the person's case
(`enquiry_exists_for`): they work with the person and must know to ask.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.decisions.models import SignOffLevel
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


def awaiting_senior_sign_off_by(user: User) -> QuerySet[Enquiry]:
    """Concluded enquiries whose closure the scheme keeps for a senior manager, for whoever holds
    that sign-off (caseload.decisions.levels.may_sign_off's senior level); never their own
    conclusion."""
    if not has_permission(user, Permission.SIGN_OFF_SENIOR_DECISIONS):
        return Enquiry.objects.none()
    return Enquiry.objects.filter(
        status=EnquiryStatus.AWAITING_SIGN_OFF, sign_off_level=SignOffLevel.SENIOR_MANAGER
    ).exclude(concluded_by=user)


def get_enquiry_for_user(user: User, pk: int, *, to_sign_off: bool = False) -> Enquiry:
    """The enquiry if the user may see it; with `to_sign_off` (the sign-off page), also one
    awaiting their senior sign-off."""
    visible = enquiries_visible_to(user)
    if to_sign_off:
        visible = visible | awaiting_senior_sign_off_by(user)
    try:
        return (
            visible.select_related(
                "person", "team", "lead", "concern", "concluded_by", "signed_off_by"
            )
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
