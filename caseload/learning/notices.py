"""The daily notice of learning review recommendations due or overdue: to the owner, on the
day due and each week after while open."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import dateformat

from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.learning.models import Recommendation
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind


@transaction.atomic
def send_recommendation_notices(*, on: date) -> int:
    due = Recommendation.objects.filter(due_on__lte=on, done_at__isnull=True).select_related(
        "owner"
    )
    sent = 0
    for recommendation in due:
        late = (on - recommendation.due_on).days
        if late % 7:
            continue
        when = dateformat.format(recommendation.due_on, "j F Y")
        notice = notify(
            recipient=recommendation.owner,
            kind=NotificationKind.RECOMMENDATION_DUE,
            # The title is emailed: it names nobody the service supports.
            title=(
                f"A learning review recommendation is due today, {when}"
                if late == 0
                else f"A learning review recommendation is overdue (due {when})"
            ),
            body=recommendation.text,
            link=reverse("learning_review", args=[recommendation.review_id]),
            once=f"recommendation:{recommendation.pk}:{on.isoformat()}",
        )
        sent += notice is not None
    return sent


@job_kind("recommendation_notices", label="Learning recommendation notices", daily=True)
def run_recommendation_notices(job: Job, progress: ReportProgress) -> Outcome:
    sent = send_recommendation_notices(on=date.fromisoformat(job.parameters["on"]))
    return Outcome(summary=f"Sent {sent} notice{'' if sent == 1 else 's'} of recommendations.")
