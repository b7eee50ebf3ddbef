"""Held cases, their reviews and the contact log: every change to them goes through here.

Most open cases are held by their team with a care plan in place until the next review (Care
Act s27, at least yearly); a worker's allocated caseload is the active work. A worker hands a
case back to the team when their work is done; the daily run turns a held case whose review is
near into work for the allocation meeting ("review due"); a review, once recorded, sets the
next one. Each action is atomic and writes its ChangeEvent in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.register import access
from caseload.register.actions import lock_open_case
from caseload.register.models import (
    CONTACT_NOTE_MAX_LENGTH,
    REVIEW_INTERVAL_RANGE,
    Allocation,
    Case,
    CaseStatus,
    Contact,
    ContactKind,
    Team,
)
from caseload.web.errors import ActionRefused
from caseload_engine.dates import add_months


def holds_now(user: User, case: Case) -> bool:
    """Whether the user is the case's current holder."""
    me = access.practitioner_for(user)
    return me is not None and (
        Allocation.objects.filter(case=case, practitioner=me, ended_at__isnull=True).exists()
    )


def may_work_on(user: User, case: Case) -> bool:
    """Contacts, handing back and reviews: the case's current holder, or a manager of its team
    (who works the held cases, which have no holder)."""
    if not case.is_open or not has_permission(user, Permission.UPDATE_CASE, team=case.team_id):
        return False
    return has_permission(user, Permission.MANAGE_TEAM_ALLOCATION, team=case.team_id) or holds_now(
        user, case
    )


def _lock_for_work(by: User, case: Case) -> Case:
    locked = lock_open_case(by, case, Permission.UPDATE_CASE)
    if not may_work_on(by, locked):
        raise ActionRefused("Only the case's current holder or a manager of its team can do this")
    return locked


def _check_day(day: date, case: Case, *, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise ActionRefused(f"The date of the {what} cannot be in the future", field=field)
    if day < timezone.localdate(case.opened_at):
        raise ActionRefused(f"The date of the {what} cannot be before the case opened", field=field)


@transaction.atomic
def record_contact(
    *, by: User, case: Case, occurred_on: date, kind: str, note: str = ""
) -> Contact:
    """A visit, call, meeting or letter with the person, on a day from the case's opening to
    today. The note stays on the contact: the log says only that there was one."""
    locked = _lock_for_work(by, case)
    if kind not in ContactKind.values:
        raise ActionRefused("Choose visit, call, meeting or letter", field="kind")
    note = note.strip()
    if len(note) > CONTACT_NOTE_MAX_LENGTH:
        raise ActionRefused(
            f"Keep the note to {CONTACT_NOTE_MAX_LENGTH} characters or fewer", field="note"
        )
    _check_day(occurred_on, locked, field="occurred_on", what="contact")
    contact = Contact.objects.create(
        case=locked,
        occurred_on=occurred_on,
        kind=kind,
        recorded_by=by,
        practitioner=access.practitioner_for(by),
        note=note,
    )
    record_change(
        by=by,
        action=ChangeAction.CONTACT_RECORDED,
        person_id=locked.person_id,
        case_id=locked.pk,
        team_id=locked.team_id,
        practitioner_id=contact.practitioner_id,
        detail={"contact_id": contact.pk, "kind": kind, "occurred_on": occurred_on.isoformat()},
    )
    return contact


def _latest_review_day(today: date) -> date:
    return add_months(today, REVIEW_INTERVAL_RANGE[1])


@transaction.atomic
def hand_back_to_team(*, by: User, case: Case, next_review_on: date | None = None) -> Case:
    """The worker's work is done and the care plan in place: their allocation ends and the team
    holds the case until its next review (by default the team's review interval from today)."""
    locked = _lock_for_work(by, case)
    if locked.status != CaseStatus.ALLOCATED:
        raise ActionRefused("Only an allocated case can be handed back to the team")
    today = timezone.localdate()
    team = Team.objects.get(pk=locked.team_id)
    review_on = next_review_on or add_months(today, team.review_interval_months)
    if review_on <= today:
        raise ActionRefused("The next review must be after today", field="next_review_on")
    if review_on > _latest_review_day(today):
        raise ActionRefused(
            f"The next review must be within {REVIEW_INTERVAL_RANGE[1]} months",
            field="next_review_on",
        )
    holder = (
        Allocation.objects.filter(case=locked, ended_at__isnull=True)
        .values_list("practitioner_id", flat=True)
        .first()
    )
    Allocation.objects.filter(case=locked, ended_at__isnull=True).update(ended_at=timezone.now())
    previous_review = locked.next_review_on
    locked.status = CaseStatus.HELD
    locked.next_review_on = review_on
    locked.save(update_fields=["status", "next_review_on"])
    record_change(
        by=by,
        action=ChangeAction.CASE_HANDED_BACK,
        person_id=locked.person_id,
        case_id=locked.pk,
        team_id=locked.team_id,
        from_practitioner_id=holder,
        changes={
            "status": (CaseStatus.ALLOCATED, CaseStatus.HELD),
            "holder": (holder, None),
            "next_review_on": (_iso(previous_review), review_on.isoformat()),
        },
    )
    return locked


# A review needs a care plan to review: a new request waiting for its first worker has none.
_REVIEWABLE = (CaseStatus.ALLOCATED, CaseStatus.HELD, CaseStatus.AWAITING_ALLOCATION)


@transaction.atomic
def record_review(*, by: User, case: Case, reviewed_on: date) -> Case:
    """The case was reviewed on the day: the next review is the team's interval from then. A
    case waiting only because its review fell due goes back to being held."""
    locked = _lock_for_work(by, case)
    review_due = locked.status == CaseStatus.AWAITING_ALLOCATION and locked.next_review_on
    if locked.status not in _REVIEWABLE or (
        locked.status == CaseStatus.AWAITING_ALLOCATION and not review_due
    ):
        raise ActionRefused("This case has no care plan to review yet")
    _check_day(reviewed_on, locked, field="reviewed_on", what="review")
    if locked.last_reviewed_on is not None and reviewed_on < locked.last_reviewed_on:
        raise ActionRefused("A later review is already recorded", field="reviewed_on")
    team = Team.objects.get(pk=locked.team_id)
    previous = (locked.status, locked.last_reviewed_on, locked.next_review_on)
    locked.last_reviewed_on = reviewed_on
    locked.next_review_on = add_months(reviewed_on, team.review_interval_months)
    if review_due:
        locked.status = CaseStatus.HELD
    locked.save(update_fields=["status", "last_reviewed_on", "next_review_on"])
    record_change(
        by=by,
        action=ChangeAction.CASE_REVIEW_RECORDED,
        person_id=locked.person_id,
        case_id=locked.pk,
        team_id=locked.team_id,
        changes={
            "status": (previous[0], locked.status),
            "last_reviewed_on": (_iso(previous[1]), reviewed_on.isoformat()),
            "next_review_on": (_iso(previous[2]), locked.next_review_on.isoformat()),
        },
    )
    return locked


@transaction.atomic
def set_review_interval(*, by: User, team: Team, review_interval_months: int) -> Team:
    """How many months a held case waits for its next review in this team."""
    locked = access.teams_visible_to(by).select_for_update().filter(pk=team.pk).first()
    if locked is None or not has_permission(by, Permission.SET_TEAM_WORKLOAD_LEVELS, team=locked):
        raise ActionRefused("You cannot change this team's review interval")
    low, high = REVIEW_INTERVAL_RANGE
    if not low <= review_interval_months <= high:
        raise ActionRefused(
            f"Enter a review interval from {low} to {high} months", field="review_interval_months"
        )
    previous = locked.review_interval_months
    if previous == review_interval_months:
        return locked
    locked.review_interval_months = review_interval_months
    locked.save(update_fields=["review_interval_months"])
    record_change(
        by=by,
        action=ChangeAction.TEAM_REVIEW_INTERVAL_SET,
        team_id=locked.pk,
        changes={"review_interval_months": (previous, review_interval_months)},
    )
    return locked


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


@dataclass(frozen=True)
class ReviewRun:
    due: int
    # Held cases left held: no one has ever changed them, so no one to log the change under.
    unattributed: tuple[int, ...] = ()


@transaction.atomic
def mark_reviews_due(*, on: date, lead_days: int) -> ReviewRun:
    """The daily run: every held case whose next review is within `lead_days` of the day
    joins the team's queue for allocation. Idempotent: a case moved is no longer held.

    The log needs a user: each change is logged, as the daily run, for whoever last changed the
    case (who handed it back or recorded its review), else whoever recorded its request."""
    last_changed_by = (
        ChangeEvent.objects.filter(case_id=OuterRef("pk")).order_by("-at", "-id").values("user_id")
    )
    due = list(
        Case.objects.select_for_update(of=("self",))
        .filter(status=CaseStatus.HELD, next_review_on__lte=on + timedelta(days=lead_days))
        .annotate(log_as=Coalesce(Subquery(last_changed_by[:1]), "request__recorded_by_id"))
        .order_by("next_review_on", "pk")
    )
    users = User.objects.in_bulk({case.log_as for case in due if case.log_as is not None})
    moved = 0
    unattributed = []
    for case in due:
        by = users.get(case.log_as)
        if by is None:
            unattributed.append(case.pk)
            continue
        case.status = CaseStatus.AWAITING_ALLOCATION
        case.save(update_fields=["status"])
        record_change(
            by=by,
            action=ChangeAction.CASE_REVIEW_DUE,
            person_id=case.person_id,
            case_id=case.pk,
            team_id=case.team_id,
            changes={"status": (CaseStatus.HELD, case.status)},
            detail={"daily_run": True, "next_review_on": _iso(case.next_review_on)},
        )
        moved += 1
    return ReviewRun(due=moved, unattributed=tuple(unattributed))
