"""The daily notice to an assessor of an ASYE review due soon or overdue: once when it comes
due soon, once more when it becomes overdue."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import dateformat

from caseload.asye.models import Programme, ProgrammeStatus
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload_engine import asye


@transaction.atomic
def send_review_notices(*, on: date) -> int:
    """Notices for every active programme whose next review is due soon or overdue on the day,
    that the assessor has not had yet. How many were sent."""
    sent = 0
    programmes = (
        Programme.objects.filter(status=ProgrammeStatus.ACTIVE)
        .select_related("practitioner", "assessor")
        .prefetch_related("reviews")
    )
    for programme in programmes:
        upcoming = asye.next_review(programme.schedule(on))
        if upcoming is None or upcoming.state not in (
            asye.ReviewState.DUE_SOON,
            asye.ReviewState.OVERDUE,
        ):
            continue
        overdue = upcoming.state is asye.ReviewState.OVERDUE
        when = dateformat.format(upcoming.due_on, "j F Y")
        # Practitioners are staff, not people the service supports: the title may name them.
        name = programme.practitioner.full_name
        notice = notify(
            recipient=programme.assessor,
            kind=NotificationKind.ASYE_REVIEW_DUE,
            title=(
                f"{name}'s ASYE {upcoming.name} is overdue (due {when})"
                if overdue
                else f"{name}'s ASYE {upcoming.name} is due on {when}"
            ),
            body="Record it on the ASYE programme page once it has been held.",
            link=reverse("asye_programme", args=[programme.pk]),
            once=f"asye-review:{programme.pk}:{upcoming.months}:{upcoming.state.value}",
        )
        sent += notice is not None
    return sent


@job_kind("asye_review_notices", label="ASYE review notices", daily=True)
def run_review_notices(job: Job, progress: ReportProgress) -> Outcome:
    sent = send_review_notices(on=date.fromisoformat(job.parameters["on"]))
    return Outcome(summary=f"Sent {sent} notice{'' if sent == 1 else 's'} of ASYE reviews due.")
