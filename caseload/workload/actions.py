"""Every change to workload records. Each is atomic, takes the acting user (or, for the daily
run, the day), checks that they may make the change, and writes its ChangeEvent and
notifications in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import dateformat, timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.access import practitioner_for
from caseload.register.models import Practitioner, Team
from caseload.web.errors import ActionRefused
from caseload.workload import access
from caseload.workload.figures import practitioner_loads
from caseload.workload.models import (
    CONCERN_LENGTH,
    EXTRA_HOURS_RANGE,
    LEVEL_RANGE,
    NOTE_LENGTH,
    ConcernSource,
    ExtraHours,
    SafeWorkingLevel,
    UtilisationSnapshot,
    WorkloadConcern,
)
from caseload_engine.dates import add_working_days

# Unanswered for this many working days, a concern goes to the principal social worker.
ANSWER_WORKING_DAYS = 5
# Over the red level on this many days running escalates the same way.
OVER_RED_DAYS = 14
# Extra hours are recorded close to the day: no further back than this.
EXTRA_HOURS_LOOKBACK_DAYS = 366


@transaction.atomic
def record_safe_working_level(
    *,
    by: User,
    team: Team,
    amber_percent: int,
    red_percent: int,
    agreed_on: date,
    agreed_with: str,
) -> SafeWorkingLevel:
    """The team's thresholds as agreed with its practitioners, in force from now."""
    locked = Team.objects.select_for_update().filter(pk=team.pk).first()
    if locked is None or not has_permission(by, Permission.SET_TEAM_WORKLOAD_LEVELS, team=locked):
        raise ActionRefused("You cannot change this team's workload levels")
    low, high = LEVEL_RANGE
    if not low <= amber_percent <= high:
        raise ActionRefused(f"Enter an amber level from {low}% to {high}%", field="amber_percent")
    if not low <= red_percent <= high:
        raise ActionRefused(f"Enter a red level from {low}% to {high}%", field="red_percent")
    if amber_percent >= red_percent:
        raise ActionRefused("The amber level must be below the red level", field="amber_percent")
    if agreed_on > timezone.localdate():
        raise ActionRefused("The date agreed must be today or in the past", field="agreed_on")
    agreed_with = agreed_with.strip()
    if not agreed_with or len(agreed_with) > NOTE_LENGTH:
        raise ActionRefused(
            f"Say who agreed the levels, in up to {NOTE_LENGTH} characters", field="agreed_with"
        )
    level = SafeWorkingLevel.objects.create(
        team=locked,
        amber_percent=amber_percent,
        red_percent=red_percent,
        agreed_on=agreed_on,
        agreed_with=agreed_with,
        recorded_by=by,
    )
    record_change(
        by=by,
        action=ChangeAction.SAFE_WORKING_LEVEL_AGREED,
        team_id=locked.pk,
        changes={
            "amber_percent": (None, amber_percent),
            "red_percent": (None, red_percent),
            "agreed_on": (None, agreed_on.isoformat()),
        },
        detail={"level_id": level.pk},
    )
    return level


def _own_record(by: User) -> Practitioner:
    me = practitioner_for(by)
    if me is None or me.left_on is not None or me.team_id is None:
        raise ActionRefused("Only a practitioner in a team can do this")
    return me


@transaction.atomic
def record_extra_hours(*, by: User, worked_on: date, hours: Decimal, note: str) -> ExtraHours:
    """Hours the user worked beyond their contract on a day."""
    if not has_permission(by, Permission.RECORD_EXTRA_HOURS):
        raise ActionRefused("Your role does not record extra hours")
    me = _own_record(by)
    today = timezone.localdate()
    if worked_on > today:
        raise ActionRefused("The day worked must be today or in the past", field="worked_on")
    if worked_on < today - timedelta(days=EXTRA_HOURS_LOOKBACK_DAYS):
        raise ActionRefused("The day worked must be within the last year", field="worked_on")
    low, high = EXTRA_HOURS_RANGE
    if not low <= hours <= high:
        raise ActionRefused(f"Enter from {low} to {high:f} hours", field="hours")
    if len(note) > NOTE_LENGTH:
        raise ActionRefused(f"Keep the note to {NOTE_LENGTH} characters", field="note")
    entry = ExtraHours.objects.create(
        practitioner=me, worked_on=worked_on, hours=hours, note=note.strip()
    )
    record_change(
        by=by,
        action=ChangeAction.EXTRA_HOURS_RECORDED,
        practitioner_id=me.pk,
        team_id=me.team_id,
        changes={"hours": (None, str(hours)), "worked_on": (None, worked_on.isoformat())},
        detail={"extra_hours_id": entry.pk},
    )
    return entry


def _tell(
    users: Iterable[User], *, kind: NotificationKind, title: str, body: str, link: str
) -> None:
    for user in users:
        notify(recipient=user, kind=kind, title=title, body=body, link=link)


@transaction.atomic
def raise_concern(*, by: User, concern: str) -> WorkloadConcern:
    """The user says their workload is unsafe; it reaches their team's managers."""
    if not has_permission(by, Permission.RAISE_WORKLOAD_CONCERN):
        raise ActionRefused("Your role does not raise workload concerns")
    me = _own_record(by)
    concern = concern.strip()
    if not concern:
        raise ActionRefused("Say what makes your workload unsafe", field="concern")
    if len(concern) > CONCERN_LENGTH:
        raise ActionRefused(f"Keep it to {CONCERN_LENGTH} characters", field="concern")
    team_id = me.team_id or 0  # _own_record refuses a practitioner without a team
    raised = WorkloadConcern.objects.create(
        practitioner=me,
        team_id=team_id,
        source=ConcernSource.PRACTITIONER,
        concern=concern,
        answer_due_on=add_working_days(timezone.localdate(), ANSWER_WORKING_DAYS),
    )
    record_change(
        by=by,
        action=ChangeAction.WORKLOAD_CONCERN_RAISED,
        practitioner_id=me.pk,
        team_id=team_id,
        detail={"concern_id": raised.pk},
    )
    _tell(
        access.managers_of(team_id),
        kind=NotificationKind.WORKLOAD_CONCERN,
        title=f"{me.full_name} says their workload is unsafe",
        body=(
            f"{concern}\n\nAnswer it by {dateformat.format(raised.answer_due_on, 'j F Y')}: "
            "unanswered, it goes to the principal social worker."
        ),
        link=reverse("workload_concern", args=[raised.pk]),
    )
    return raised


@transaction.atomic
def answer_concern(*, by: User, concern: WorkloadConcern, response: str) -> WorkloadConcern:
    """The manager's (or the PSW's) answer, on the record; the practitioner is told."""
    locked = (
        WorkloadConcern.objects.select_for_update(of=("self",))
        .select_related("practitioner__user")
        .filter(pk=concern.pk)
        .first()
    )
    if locked is None or not has_permission(
        by, Permission.ANSWER_WORKLOAD_CONCERNS, team=locked.team_id
    ):
        raise ActionRefused("You cannot answer this concern")
    if locked.is_answered:
        raise ActionRefused("This concern has already been answered", field="response")
    response = response.strip()
    if not response:
        raise ActionRefused("Write your answer to the concern", field="response")
    if len(response) > CONCERN_LENGTH:
        raise ActionRefused(f"Keep it to {CONCERN_LENGTH} characters", field="response")
    locked.response = response
    locked.answered_by = by
    locked.answered_at = timezone.now()
    locked.save(update_fields=["response", "answered_by", "answered_at"])
    record_change(
        by=by,
        action=ChangeAction.WORKLOAD_CONCERN_ANSWERED,
        practitioner_id=locked.practitioner_id,
        team_id=locked.team_id,
        detail={"concern_id": locked.pk},
    )
    if locked.practitioner.user is not None:
        _tell(
            [locked.practitioner.user],
            kind=NotificationKind.WORKLOAD_CONCERN,
            title="Your workload concern has been answered",
            body=response,
            link=reverse("workload_concern", args=[locked.pk]),
        )
    return locked


def _escalate(concern: WorkloadConcern, *, over_red: bool) -> None:
    """Send the concern to the principal social worker; the daily run does this."""
    concern.escalated_at = timezone.now()
    concern.save(update_fields=["escalated_at"])
    practitioner = concern.practitioner
    # The change log names a user: the practitioner whose concern it is (a practitioner who
    # never signs in has none, and the concern itself keeps the escalation's time).
    if practitioner.user is not None:
        record_change(
            by=practitioner.user,
            action=ChangeAction.WORKLOAD_CONCERN_ESCALATED,
            practitioner_id=practitioner.pk,
            team_id=concern.team_id,
            detail={"concern_id": concern.pk, "daily_run": True, "over_red": over_red},
        )
    why = (
        "has been over the red level of their team's safe working level for two weeks"
        if over_red
        else f"raised a workload concern not answered in {ANSWER_WORKING_DAYS} working days"
    )
    recipients = {user.pk: user for user in access.escalation_owners()}
    if over_red:
        recipients.update({user.pk: user for user in access.managers_of(concern.team_id)})
    _tell(
        recipients.values(),
        kind=NotificationKind.ESCALATION,
        title=f"Workload escalated: {practitioner.full_name} {why}",
        body=concern.concern,
        link=reverse("workload_concern", args=[concern.pk]),
    )


@transaction.atomic
def escalate_unanswered(*, on: date) -> int:
    """Concerns still unanswered after their answer day go to the PSW (once). How many."""
    due = list(
        WorkloadConcern.objects.select_for_update(of=("self",))
        .select_related("practitioner__user")
        .filter(answered_at__isnull=True, escalated_at__isnull=True, answer_due_on__lt=on)
        .order_by("pk")
    )
    for concern in due:
        _escalate(concern, over_red=False)
    return len(due)


@transaction.atomic
def take_snapshots(*, on: date) -> int:
    """Every case holder's load and their team's level, for the day (again if run again)."""
    loads = practitioner_loads(teams=Team.objects.values_list("pk", flat=True), on=on)
    UtilisationSnapshot.objects.bulk_create(
        [
            UtilisationSnapshot(
                practitioner_id=load.practitioner_id,
                on=on,
                points=load.points,
                capacity=load.capacity,
                amber_percent=load.level.amber,
                red_percent=load.level.red,
                over_red=load.over_red,
            )
            for load in loads
        ],
        update_conflicts=True,
        unique_fields=["practitioner", "on"],
        update_fields=["points", "capacity", "amber_percent", "red_percent", "over_red"],
    )
    return len(loads)


@transaction.atomic
def escalate_over_red(*, on: date) -> int:
    """A concern, straight to the PSW (and the manager), for each practitioner over the red
    level on each of the last two weeks' daily snapshots, unless one is still open for them.
    A day with no snapshot breaks the run: a missed daily run delays, never invents, one."""
    start = on - timedelta(days=OVER_RED_DAYS - 1)
    over = (
        UtilisationSnapshot.objects.filter(on__gte=start, on__lte=on)
        .values("practitioner_id")
        .annotate(days=Count("pk", filter=Q(over_red=True)))
        .filter(days=OVER_RED_DAYS)
        .values("practitioner_id")
    )
    practitioners = list(
        Practitioner.objects.filter(pk__in=over, team__isnull=False)
        .exclude(
            workload_concerns__source=ConcernSource.OVER_RED,
            workload_concerns__answered_at__isnull=True,
        )
        .select_related("user")
        .order_by("pk")
    )
    raised = 0
    for practitioner in practitioners:
        try:
            # A savepoint: a concurrent run that raised it just now wins.
            with transaction.atomic():
                concern = WorkloadConcern.objects.create(
                    practitioner=practitioner,
                    team_id=practitioner.team_id or 0,
                    source=ConcernSource.OVER_RED,
                    concern=(
                        f"Over the red level every day from {dateformat.format(start, 'j F')} to "
                        f"{dateformat.format(on, 'j F Y')} "
                        "(the daily workload snapshots)."
                    ),
                    answer_due_on=on,
                )
        except IntegrityError:
            continue
        _escalate(concern, over_red=True)
        raised += 1
    return raised
