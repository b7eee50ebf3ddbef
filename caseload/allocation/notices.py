"""What allocation tells practitioners: the cases newly theirs, and handovers coming up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat

from caseload.accounts.models import AccessRole, User
from caseload.allocation.models import AllocationProposal, Handover
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.models import Case, Practitioner


def _cases(count: int) -> str:
    return f"{count} case" if count == 1 else f"{count} cases"


def tell_new_holders(*, given: Sequence[tuple[Case, Practitioner]], how: str) -> None:
    """One notification per practitioner, listing every case they were just given (in one
    decision, or one run of handovers). `how` says by whom or why, for the body."""
    cases: dict[int, list[Case]] = defaultdict(list)
    staff: dict[int, Practitioner] = {}
    for case, practitioner in given:
        cases[practitioner.pk].append(case)
        staff[practitioner.pk] = practitioner
    for practitioner_id, theirs in cases.items():
        user = staff[practitioner_id].user
        if user is None:
            continue
        notify(
            recipient=user,
            kind=NotificationKind.NEW_ALLOCATION,
            title=f"{_cases(len(theirs))} allocated to you",
            body="\n".join([how, *(case.person.full_name for case in theirs)]),
            link=reverse("practitioner_detail", args=[practitioner_id]),
        )


@transaction.atomic
def send_handover_notices(*, on: date) -> int:
    """Tell the practitioners on each planned handover due within the notice period (on the
    day, if the period is 0 days): one notice per decision for each of them, listing their
    cases, sent once. How many were sent."""
    horizon = on + timedelta(days=settings.CASELOAD_HANDOVER_NOTICE_DAYS)
    groups: dict[tuple[int, int], list[Handover]] = defaultdict(list)
    users: dict[int, User] = {}
    for handover in (
        Handover.objects.filter(state=Handover.State.PLANNED, due_on__gte=on, due_on__lte=horizon)
        .select_related("case__person", "from_practitioner__user", "to_practitioner__user")
        .order_by("decision_id", "pk")
    ):
        for practitioner in (handover.from_practitioner, handover.to_practitioner):
            if practitioner.user is not None:
                users[practitioner.user.pk] = practitioner.user
                groups[(handover.decision_id, practitioner.user.pk)].append(handover)
    sent = 0
    for (decision_id, user_id), handovers in groups.items():
        when = dateformat.format(handovers[0].due_on, "j F Y")
        leaving = handovers[0].from_practitioner
        if leaving.user_id == user_id:
            title = f"{_cases(len(handovers))} of yours pass to colleagues on {when}"
            lines = [
                f"{h.case.person.full_name} to {h.to_practitioner.full_name}" for h in handovers
            ]
            mine = leaving
        else:
            title = f"{_cases(len(handovers))} pass to you on {when}"
            lines = [f"{h.case.person.full_name} from {leaving.full_name}" for h in handovers]
            mine = handovers[0].to_practitioner
        notice = notify(
            recipient=users[user_id],
            kind=NotificationKind.HANDOVER_DUE,
            title=title,
            body="\n".join([f"Planned handovers, carried out on {when}:", *lines]),
            link=reverse("practitioner_detail", args=[mine.pk]),
            once=f"handover-due:{decision_id}",
        )
        sent += notice is not None
    return sent


def raise_with_seniors(
    *, by: User, proposal: AllocationProposal, cases: Sequence[tuple[Case, str]]
) -> int:
    """Tell each principal social worker about cases nobody in the team can take (each case
    with why), once per proposal. How many were told."""
    team = proposal.team.name
    told = 0
    for senior in User.objects.filter(
        access_role=AccessRole.PRINCIPAL_SOCIAL_WORKER, is_active=True
    ).order_by("pk"):
        sent = notify(
            recipient=senior,
            kind=NotificationKind.ESCALATION,
            # The title is emailed: it names nobody supported.
            title=f"{_cases(len(cases))} in {team} with nobody to take them",
            body="\n".join(
                [
                    f"{by.get_full_name()} raised these cases from the allocation meeting of "
                    f"{team}: nobody in the team can take them.",
                    *(f"{case.person.full_name}: {why}" for case, why in cases),
                ]
            ),
            link=reverse("allocation_proposal", args=[proposal.pk]),
            once=f"allocation_escalated:{proposal.pk}",
        )
        told += sent is not None
    return told
