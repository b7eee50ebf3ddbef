"""The daily notice of overdue safeguarding work: to the team's managers and the safeguarding
leads, once per record, step and due date."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse

from caseload.accounts.models import AccessRole, User
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.safeguarding import timeliness
from caseload.safeguarding.actions import team_managers
from caseload.safeguarding.models import Concern, Enquiry


@transaction.atomic
def send_overdue_notices(*, on: date) -> int:
    """Notices for concerns not decided and enquiry steps past their target on the day. The
    titles name nobody the service supports (they are emailed). How many were sent."""
    concerns = list(timeliness.overdue_concerns(Concern.objects.all(), today=on))
    enquiries = list(
        timeliness.overdue_enquiries(Enquiry.objects.all(), today=on)
        .select_related("lead__user")
        .prefetch_related("strategy_records")
    )
    managers = team_managers({c.team_id for c in concerns} | {e.team_id for e in enquiries})
    leads = list(User.objects.filter(access_role=AccessRole.SAFEGUARDING_LEAD, is_active=True))
    sent = 0
    for concern in concerns:
        link = reverse("safeguarding_concern", args=[concern.pk])
        for user in [*managers.get(concern.team_id, []), *leads]:
            sent += (
                notify(
                    recipient=user,
                    kind=NotificationKind.SAFEGUARDING,
                    title="A safeguarding concern is past its decision date",
                    body=f"Concern {concern.pk} was due a decision on {concern.decision_due_on}.",
                    link=link,
                    once=f"sg-concern:{concern.pk}:{concern.decision_due_on.isoformat()}",
                )
                is not None
            )
    for enquiry in enquiries:
        steps = timeliness.late_steps(
            enquiry, today=on, has_strategy=bool(enquiry.strategy_records.all())
        )
        link = reverse("safeguarding_enquiry", args=[enquiry.pk])
        recipients = [*managers.get(enquiry.team_id, []), *leads]
        if enquiry.lead is not None and enquiry.lead.user is not None:
            recipients.append(enquiry.lead.user)
        for step in steps:
            for user in recipients:
                sent += (
                    notify(
                        recipient=user,
                        kind=NotificationKind.SAFEGUARDING,
                        title=f"A safeguarding enquiry's {step} is overdue",
                        body=f"Enquiry {enquiry.pk}: the {step} is past its target.",
                        link=link,
                        once=f"sg-enquiry:{enquiry.pk}:{step}",
                    )
                    is not None
                )
    return sent


@job_kind("safeguarding_overdue_notices", label="Safeguarding overdue notices", daily=True)
def run_overdue_notices(job: Job, progress: ReportProgress) -> Outcome:
    sent = send_overdue_notices(on=date.fromisoformat(job.parameters["on"]))
    return Outcome(summary=f"Sent {sent} notice{'' if sent == 1 else 's'} of overdue safeguarding.")
