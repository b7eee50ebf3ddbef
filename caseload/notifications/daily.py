"""The daily notice of Social Work England registrations due for renewal, to the practitioner
and their team's managers, once per renewal date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat

from caseload.accounts.models import AccessRole, User
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.models import Practitioner


@transaction.atomic
def send_renewal_notices(*, on: date) -> int:
    """Notices for every registration renewal due from the day to the notice period's end
    that its recipients have not had yet. How many were sent."""
    due = list(
        Practitioner.objects.filter(
            left_on__isnull=True,
            swe_renewal_date__gte=on,
            swe_renewal_date__lte=on + timedelta(days=settings.CASELOAD_RENEWAL_NOTICE_DAYS),
        ).select_related("user")
    )
    managers: dict[int, list[User]] = defaultdict(list)
    for manager in User.objects.filter(
        is_active=True,
        access_role=AccessRole.TEAM_MANAGER,
        practitioner__left_on__isnull=True,
        practitioner__team_id__in={p.team_id for p in due if p.team_id is not None},
    ).select_related("practitioner"):
        managers[manager.practitioner.team_id or 0].append(manager)
    sent = 0
    for practitioner in due:
        renewal = practitioner.swe_renewal_date
        if renewal is None:  # filtered out above; said again for the type checker
            continue
        when = dateformat.format(renewal, "j F Y")
        link = reverse("practitioner_detail", args=[practitioner.pk])
        body = (
            f"Registration {practitioner.swe_registration_number} is due for renewal with "
            f"Social Work England on {when}. A practitioner whose registration lapses may not "
            "practise as a social worker."
        )
        recipients = {manager.pk: manager for manager in managers[practitioner.team_id or 0]}
        if practitioner.user is not None:
            recipients[practitioner.user.pk] = practitioner.user
        for recipient in recipients.values():
            own = recipient.pk == practitioner.user_id
            notice = notify(
                recipient=recipient,
                kind=NotificationKind.REGISTRATION_RENEWAL_DUE,
                title=(
                    f"Your Social Work England registration is due for renewal on {when}"
                    if own
                    else f"{practitioner.full_name}'s Social Work England registration is due "
                    f"for renewal on {when}"
                ),
                body=body,
                link=link,
                once=f"swe-renewal:{practitioner.pk}:{renewal.isoformat()}",
            )
            sent += notice is not None
    return sent


@job_kind("registration_renewal_notices", label="Registration renewal notices", daily=True)
def run_renewal_notices(job: Job, progress: ReportProgress) -> Outcome:
    sent = send_renewal_notices(on=date.fromisoformat(job.parameters["on"]))
    return Outcome(
        summary=f"Sent {sent} notice{'' if sent == 1 else 's'} of registration renewals."
    )
