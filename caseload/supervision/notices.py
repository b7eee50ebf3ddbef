"""The daily notice of supervision actions due: to the action's owner, on the day it is due,
once."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import dateformat

from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.supervision.models import Action


@transaction.atomic
def send_action_notices(*, on: date) -> int:
    """Notices for the open actions due on the day. How many were sent."""
    due = Action.objects.filter(due_on=on, done_at__isnull=True).select_related("owner", "session")
    sent = 0
    for action in due:
        when = dateformat.format(on, "j F Y")
        notice = notify(
            recipient=action.owner,
            kind=NotificationKind.SUPERVISION_DUE,
            # The title is emailed: it names nobody the service supports.
            title=f"A supervision action is due today, {when}",
            body=(
                f"From supervision on {dateformat.format(action.session.held_on, 'j F Y')}: "
                f"{action.description}"
            ),
            link=reverse("supervision_actions"),
            once=f"supervision-action:{action.pk}:{on.isoformat()}",
        )
        sent += notice is not None
    return sent


@job_kind("supervision_action_notices", label="Supervision action notices", daily=True)
def run_action_notices(job: Job, progress: ReportProgress) -> Outcome:
    sent = send_action_notices(on=date.fromisoformat(job.parameters["on"]))
    return Outcome(summary=f"Sent {sent} notice{'' if sent == 1 else 's'} of supervision actions.")
