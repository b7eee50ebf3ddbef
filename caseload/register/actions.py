"""Every change to the register goes through these functions.

Each is atomic, takes the acting user, checks that the user may make the change, and writes
its ChangeEvent in the same transaction: a change and its audit record land together or not
at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit import log
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.register import access
from caseload.register.models import (
    OPEN_STATUSES,
    Allocation,
    Case,
    CaseStatus,
    IdentifierSequence,
    Person,
    Practitioner,
    PractitionerRoleChange,
    SupportRequest,
    Team,
    role_on,
)
from caseload.ui.forms import ErrorLink
from caseload.web.errors import ActionRefused
from caseload_engine.reference import OUTCOME_DECEASED, ROLE_LABELS, SWE_REGISTERED_ROLES, Role

PERSON_ID_SEQUENCE = "council_person_id"

# Sent when a request joins a team to someone already known to other teams (case, by,
# known_to_team_ids), inside the action's transaction: the notifications app, above the
# register, tells those teams' managers.
known_person_referred = Signal()


# Checks an app above the register adds to closing a case (the decisions app: a Tier 3 case
# closes only on a signed-off decision). Each is called with the acting user and the locked
# case inside close_case's transaction, and refuses by raising ActionRefused.
CloseCheck = Callable[[User, Case], None]
_CLOSE_CHECKS: dict[str, CloseCheck] = {}


def register_close_check(name: str, check: CloseCheck) -> None:
    """Add a check to closing a case; keyed by name, so that a second ready() replaces it."""
    _CLOSE_CHECKS[name] = check


def unregister_close_check(name: str) -> None:
    _CLOSE_CHECKS.pop(name, None)


class IdentityCheckFailed(ActionRefused):
    """An NHS number entered for a new person is someone else's: `person_id` is whose."""

    def __init__(self, message: str, *, field: str, person_id: int) -> None:
        super().__init__(message, field=field)
        self.person_id = person_id


class KnownPersonMatched(ActionRefused):
    """A new person's name, date of birth and postcode are those of `person_id`."""

    def __init__(self, message: str, *, person_id: int, link: ErrorLink | None = None) -> None:
        super().__init__(message, link=link)
        self.person_id = person_id


@dataclass(frozen=True)
class PersonDetails:
    given_name: str
    family_name: str
    date_of_birth: date
    nhs_number: str
    postcode: str
    primary_support_reason: str
    has_unpaid_carer: bool
    # The Safeguarding Adults Collection's categories, where a safeguarding concern gives them.
    sex: str = ""
    ethnicity: str = ""


@dataclass(frozen=True)
class RequestDetails:
    team: Team
    route_of_access: str
    source: str
    received_at: datetime
    summary: str
    # Required when the person has a case in another team.
    known_person_reason: str = ""


def next_council_person_id() -> str:
    sequence, _ = IdentifierSequence.objects.select_for_update().get_or_create(
        name=PERSON_ID_SEQUENCE
    )
    value = sequence.next_value
    sequence.next_value = value + 1
    sequence.save(update_fields=["next_value"])
    return f"P{value:07d}"


def _require_can_refer(by: User, team: Team) -> None:
    if not access.teams_user_may_refer_to(by).filter(pk=team.pk).exists():
        raise ActionRefused("You cannot record requests for that team", field="team")


def _open_case_of(person: Person, team: Team) -> Case | None:
    return Case.objects.filter(person=person, team=team, status__in=OPEN_STATUSES).first()


def _refuse_second_open_case(by: User, person: Person, case: Case) -> ActionRefused:
    """The refusal, with a link to the open case if the user may see it; if not, whom to ask,
    and nothing the user did not type."""
    if access.cases_visible_to(by).filter(pk=case.pk).exists():
        return ActionRefused(
            f"{person.full_name} already has an open case in {case.team.name}",
            link=ErrorLink("View the open case", reverse("case_detail", args=[case.pk])),
        )
    return ActionRefused(
        f"This person already has an open case in {case.team.name}. Ask the team's manager about it"
    )


def _open_case(*, by: User, person: Person, details: RequestDetails) -> Case:
    if person.date_of_death is not None:
        raise ActionRefused(f"{person.full_name} is recorded as having died")
    if timezone.localdate(details.received_at) < person.date_of_birth:
        raise ActionRefused(
            "The date received cannot be before the person's date of birth", field="received_on"
        )
    already = _open_case_of(person, details.team)
    if already is not None:
        raise _refuse_second_open_case(by, person, already)
    # A request joins this team to the person's record: their other teams are told, and why.
    known_to = sorted(
        set(
            Case.objects.filter(person=person)
            .exclude(team=details.team)
            .values_list("team_id", flat=True)
        )
    )
    reason = details.known_person_reason.strip()
    if known_to and not reason:
        raise ActionRefused(
            f"{person.full_name} is already known to another team: say why this request is "
            "being recorded",
            field="known_person_reason",
        )
    request = SupportRequest.objects.create(
        person=person,
        route_of_access=details.route_of_access,
        source=details.source,
        received_at=details.received_at,
        summary=details.summary,
        known_person_reason=reason if known_to else "",
        recorded_by=by,
    )
    try:
        # A savepoint: a referral that raced this one past the check above breaks the
        # database's one-open-case rule, and the user is told as if the check had caught it.
        with transaction.atomic():
            case = Case.objects.create(
                person=person,
                request=request,
                team=details.team,
                status=CaseStatus.AWAITING_SCREENING,
                opened_at=details.received_at,
            )
    except IntegrityError:
        winner = _open_case_of(person, details.team)
        if winner is None:
            raise
        raise _refuse_second_open_case(by, person, winner) from None
    record_change(
        by=by,
        action=ChangeAction.REFERRAL_RECORDED,
        person_id=person.pk,
        case_id=case.pk,
        team_id=details.team.pk,
        changes={"status": (None, case.status)},
        # The teams that knew the person already; the reason stays on the request.
        detail={"request_id": request.pk, "known_to_team_ids": known_to},
    )
    if known_to:
        known_person_referred.send(sender=Case, case=case, by=by, known_to_team_ids=known_to)
    return case


def _person_with_nhs_number(nhs_number: str) -> Person | None:
    return Person.objects.select_for_update().filter(nhs_number=nhs_number).first()


def _refuse_possible_duplicate(by: User, person: PersonDetails) -> None:
    """Without an NHS number, the same name, date of birth and postcode is taken to be the
    same person: the user records the request from their record instead."""
    known = (
        Person.objects.filter(
            given_name__iexact=person.given_name.strip(),
            family_name__iexact=person.family_name.strip(),
            date_of_birth=person.date_of_birth,
            postcode=person.postcode,
        )
        .order_by("pk")
        .first()
    )
    if known is None:
        return
    if access.people_visible_to(by).filter(pk=known.pk).exists():
        raise KnownPersonMatched(
            f"{known.full_name}, born on the same day at the same postcode, is already on the "
            "register. If this is them, record the request from their record",
            person_id=known.pk,
            link=ErrorLink(
                f"Go to {known.full_name}'s record", reverse("person_detail", args=[known.pk])
            ),
        )
    raise KnownPersonMatched(
        "Someone with this name, date of birth and postcode is already on the register, in a "
        "record you cannot open. Ask your team manager or the principal social worker to check "
        "whether it is the same person",
        person_id=known.pk,
    )


@contextmanager
def identity_refusals_logged(by: User) -> Iterator[None]:
    """Around the transaction that calls add_or_find_person: a refusal told the user that a
    number or a name is someone's, so it is access-logged, after the refused transaction has
    rolled back, so that the log row stays."""
    try:
        yield
    except IdentityCheckFailed as failed:
        log.record_identity_check_failed(by, person_id=failed.person_id)
        raise
    except KnownPersonMatched as matched:
        log.record_known_person_matched(by, person_id=matched.person_id)
        raise


def record_referral_for_new_person(
    *, by: User, person: PersonDetails, request: RequestDetails
) -> Case:
    """Record a request for support for someone not yet known to the register (the person
    found or added by add_or_find_person)."""
    with identity_refusals_logged(by):
        return _record_referral_for_new_person(by=by, person=person, request=request)


@transaction.atomic
def _record_referral_for_new_person(
    *, by: User, person: PersonDetails, request: RequestDetails
) -> Case:
    _require_can_refer(by, request.team)
    found = add_or_find_person(by=by, person=person)
    return _open_case(by=by, person=found, details=request)


def add_or_find_person(*, by: User, person: PersonDetails) -> Person:
    """The register's record for someone given as new, inside the caller's transaction (which
    identity_refusals_logged wraps).

    An NHS number already on the register is the same person only if the family name and date
    of birth agree; then that record is theirs. Otherwise the number is refused
    (IdentityCheckFailed). Without an NHS number, someone with the same name, date of birth and
    postcode is taken to be the same person: refused (KnownPersonMatched), so that the user
    starts from their record. Anyone else is added.
    """
    existing = _person_with_nhs_number(person.nhs_number) if person.nhs_number else None
    if existing is not None:
        same_person = (
            existing.family_name.casefold() == person.family_name.casefold()
            and existing.date_of_birth == person.date_of_birth
        )
        if not same_person:
            raise IdentityCheckFailed(
                "This NHS number is recorded for someone with a different name or date of "
                "birth. Check the number",
                field="nhs_number",
                person_id=existing.pk,
            )
        return existing
    if not person.nhs_number:
        _refuse_possible_duplicate(by, person)
    try:
        # A savepoint: another referral with the same new NHS number may commit between the
        # look-up above and this insert; the database's uniqueness then refuses this one.
        with transaction.atomic():
            created = Person.objects.create(
                council_person_id=next_council_person_id(),
                nhs_number=person.nhs_number,
                given_name=person.given_name,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                postcode=person.postcode,
                primary_support_reason=person.primary_support_reason,
                has_unpaid_carer=person.has_unpaid_carer,
                sex=person.sex,
                ethnicity=person.ethnicity,
            )
    except IntegrityError:
        if not (person.nhs_number and _person_with_nhs_number(person.nhs_number)):
            raise
        raise ActionRefused(
            "Another referral has just recorded someone with this NHS number. Check the "
            "number, or find them on the register and record the request from their record",
            field="nhs_number",
        ) from None
    # The person's details stay on their register row: the log names them by id only.
    record_change(by=by, action=ChangeAction.PERSON_ADDED, person_id=created.pk)
    return created


@transaction.atomic
def record_referral_for_person(*, by: User, person: Person, request: RequestDetails) -> Case:
    """Record a new request for support for someone already on the register."""
    _require_can_refer(by, request.team)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    return _open_case(by=by, person=locked, details=request)


def require_open(case: Case) -> None:
    """A closed case is a record of what was done: no action changes it, whatever the form or
    request that asks (read it under a lock, so that it cannot close meanwhile)."""
    if not case.is_open:
        raise ActionRefused("This case has already been closed: it cannot be changed")


def lock_open_case(by: User, case: Case, permission: Permission) -> Case:
    """The case, locked, for a change that needs `permission` in its team: every action that
    changes a case starts here or, for several cases at once, calls require_open on each."""
    if not has_permission(by, permission):
        raise ActionRefused("Your role can read cases but not change them")
    locked = access.cases_visible_to(by).select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None or not has_permission(by, permission, team=locked.team_id):
        raise ActionRefused("You cannot change this case")
    require_open(locked)
    return locked


def _lock_open_case_for_change(by: User, case: Case) -> Case:
    return lock_open_case(by, case, Permission.UPDATE_CASE)


@transaction.atomic
def screen_case(*, by: User, case: Case) -> Case:
    """Screening done: the case joins the queue for the allocation meeting."""
    locked = _lock_open_case_for_change(by, case)
    if locked.status != CaseStatus.AWAITING_SCREENING:
        raise ActionRefused("This case has already been screened")
    locked.status = CaseStatus.AWAITING_ALLOCATION
    locked.save(update_fields=["status"])
    record_change(
        by=by,
        action=ChangeAction.CASE_SCREENED,
        person_id=locked.person_id,
        case_id=locked.pk,
        team_id=locked.team_id,
        changes={"status": (CaseStatus.AWAITING_SCREENING, locked.status)},
    )
    return locked


@transaction.atomic
def close_case(*, by: User, case: Case, outcome: str, closed_at: datetime) -> Case:
    """Close a case with its Client Level Data outcome; its current holder's allocation ends."""
    locked = _lock_open_case_for_change(by, case)
    if closed_at < locked.opened_at:
        raise ActionRefused("The case cannot close before it opened", field="closed_on")
    if closed_at > timezone.now():
        raise ActionRefused("The closing date cannot be in the future", field="closed_on")
    holder = (
        Allocation.objects.filter(case=locked, ended_at__isnull=True)
        .values("started_at", "practitioner_id")
        .first()
    )
    if holder is not None and closed_at < holder["started_at"]:
        raise ActionRefused(
            "The case cannot close before its current holder took it on", field="closed_on"
        )
    for check in _CLOSE_CHECKS.values():
        check(by, locked)
    Allocation.objects.filter(case=locked, ended_at__isnull=True).update(ended_at=closed_at)
    previous_status = locked.status
    locked.status = CaseStatus.CLOSED
    locked.outcome = outcome
    locked.closed_at = closed_at
    locked.save(update_fields=["status", "outcome", "closed_at"])
    death_recorded = outcome == OUTCOME_DECEASED and bool(
        Person.objects.filter(pk=locked.person_id, date_of_death__isnull=True).update(
            date_of_death=timezone.localdate(closed_at)
        )
    )
    holder_id = holder["practitioner_id"] if holder is not None else None
    record_change(
        by=by,
        action=ChangeAction.CASE_CLOSED,
        person_id=locked.person_id,
        case_id=locked.pk,
        team_id=locked.team_id,
        from_practitioner_id=holder_id,
        changes={
            "status": (previous_status, locked.status),
            "outcome": ("", outcome),
            "holder": (holder_id, None),
        },
        # Whether the date of death was recorded, not the date: the log holds nothing personal.
        detail={"death_recorded": death_recorded},
    )
    return locked


@transaction.atomic
def set_priority(*, by: User, case: Case, priority: int) -> Case:
    """How soon the allocation meeting should find the case a worker: 1 first, 3 last."""
    locked = _lock_open_case_for_change(by, case)
    if priority not in (1, 2, 3):
        raise ActionRefused("Choose a priority of 1, 2 or 3", field="priority")
    if locked.priority == priority:
        return locked
    previous = locked.priority
    locked.priority = priority
    locked.save(update_fields=["priority"])
    record_change(
        by=by,
        action=ChangeAction.CASE_PRIORITY_SET,
        person_id=locked.person_id,
        case_id=locked.pk,
        team_id=locked.team_id,
        changes={"priority": (previous, priority)},
    )
    return locked


@transaction.atomic
def change_role(*, by: User, practitioner: Practitioner, role: str, effective_from: date) -> None:
    """The practitioner holds `role` from `effective_from` (today or earlier: a change made in
    advance would leave today's role wrong until the day came). A change on a day that already
    has one corrects it. Practitioner.role follows the role in force today. A practitioner with
    no history yet is first given one from their start in post, in their role until now."""
    if not has_permission(by, Permission.ADMINISTER):
        raise ActionRefused("Your role cannot change a practitioner's role")
    if role not in Role.__members__.values():
        raise ActionRefused("Choose a role from the list", field="role")
    locked = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
    today = timezone.localdate()
    if effective_from > today:
        raise ActionRefused("The change cannot start after today", field="effective_from")
    if effective_from < locked.start_date:
        raise ActionRefused(
            f"The change cannot start before they started in post on {locked.start_date:%d %b %Y}",
            field="effective_from",
        )
    history = PractitionerRoleChange.objects.filter(practitioner=locked)
    if not history.exists():
        PractitionerRoleChange.objects.create(
            practitioner=locked,
            effective_from=locked.start_date,
            role=locked.role,
            changed_at=timezone.now(),
        )
    changes = list(history.order_by("effective_from").values_list("effective_from", "role"))
    before = role_on(changes, effective_from, default=locked.role)
    if before == role:
        raise ActionRefused(
            f"They already hold the role {ROLE_LABELS[Role(role)]} on that day", field="role"
        )
    PractitionerRoleChange.objects.update_or_create(
        practitioner=locked,
        effective_from=effective_from,
        defaults={"role": role, "changed_by": by, "changed_at": timezone.now()},
    )
    changes = [(day, held) for day, held in changes if day != effective_from]
    now = role_on(sorted([*changes, (effective_from, role)]), today, default=locked.role)
    if now in {r.value for r in SWE_REGISTERED_ROLES} and not (
        locked.swe_registration_number.startswith("SW")
    ):
        raise ActionRefused(
            "Record their Social Work England registration number before giving them a"
            " registered role",
            field="role",
        )
    if locked.team_id is None and now != Role.PRINCIPAL_SOCIAL_WORKER:
        raise ActionRefused("Put them in a team before giving them this role", field="role")
    if now != locked.role:
        locked.role = now
        locked.save(update_fields=["role"])
    record_change(
        by=by,
        action=ChangeAction.PRACTITIONER_ROLE_CHANGED,
        practitioner_id=locked.pk,
        team_id=locked.team_id,
        changes={"role": (before, role)},
        detail={"effective_from": effective_from.isoformat()},
    )
