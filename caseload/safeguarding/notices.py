"""The daily notice of overdue safeguarding work: one digest a day to each of the team's
managers, the safeguarding leads and each enquiry's lead, counting what is past its target in
what they follow up (a digest, so that a backlog does not become a flood); and, for a closure
kept for a senior manager, a notice to those who may sign it."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import transaction
from django.urls import reverse

from caseload.accounts.models import AccessRole, User
from caseload.accounts.permissions import Permission, has_permission
from caseload.decisions import levels
from caseload.decisions.models import SignOffLevel
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.safeguarding import timeliness
from caseload.safeguarding.actions import team_managers
from caseload.safeguarding.models import Concern, Enquiry, EnquiryStatus
from caseload.ui.report import count_of, long_date


@transaction.atomic
def send_overdue_notices(*, on: date) -> int:
    """Digests of the concerns not decided and the enquiry steps past their target on the day.
    The titles name nobody the service supports (they are emailed). How many were sent."""
    concerns = list(timeliness.overdue_concerns(Concern.objects.all(), today=on).only("team_id"))
    enquiries = list(
        timeliness.overdue_enquiries(Enquiry.objects.all(), today=on)
        .select_related("lead__user")
        .prefetch_related("strategy_records")
    )
    managers = team_managers({c.team_id for c in concerns} | {e.team_id for e in enquiries})
    leads = list(User.objects.filter(access_role=AccessRole.SAFEGUARDING_LEAD, is_active=True))
    users: dict[int, User] = {}
    late_concerns: Counter[int] = Counter()
    late_steps: Counter[int] = Counter()
    for concern in concerns:
        for user in [*managers.get(concern.team_id, []), *leads]:
            users[user.pk] = user
            late_concerns[user.pk] += 1
    for enquiry in enquiries:
        steps = len(
            timeliness.late_steps(
                enquiry, today=on, has_strategy=bool(enquiry.strategy_records.all())
            )
        )
        recipients = [*managers.get(enquiry.team_id, []), *leads]
        if enquiry.lead is not None and enquiry.lead.user is not None:
            recipients.append(enquiry.lead.user)
        for user in {u.pk: u for u in recipients}.values():
            users[user.pk] = user
            late_steps[user.pk] += steps
    sent = _notify_senior_sign_offs(enquiries, on=on)
    for user in users.values():
        found = [
            count_of(late_concerns[user.pk], "concern not decided", "concerns not decided"),
            count_of(late_steps[user.pk], "enquiry step", "enquiry steps"),
        ]
        follows_up = has_permission(user, Permission.VIEW_SAFEGUARDING_OVERDUE)
        notice = notify(
            recipient=user,
            kind=NotificationKind.SAFEGUARDING,
            title="Safeguarding work is past its targets",
            body=f"Past their target today: {found[0]}, {found[1]}.",
            link=reverse("safeguarding_overdue" if follows_up else "safeguarding_enquiries"),
            once=f"sg-overdue:{on.isoformat()}",
        )
        sent += notice is not None
    return sent


def _notify_senior_sign_offs(enquiries: list[Enquiry], *, on: date) -> int:
    """A closure the scheme keeps for a senior manager, past its sign-off target: each senior
    manager who may sign it (never whoever concluded it) is told, with the one page of it they
    may open. The team's managers, told in their digest, cannot sign it themselves."""
    waiting = [
        (enquiry, enquiry.sign_off_due_on)
        for enquiry in enquiries
        if enquiry.status == EnquiryStatus.AWAITING_SIGN_OFF
        and enquiry.sign_off_level == SignOffLevel.SENIOR_MANAGER
        and enquiry.sign_off_due_on is not None
    ]
    if not waiting:
        return 0
    seniors = levels.senior_approvers()
    sent = 0
    for enquiry, due_on in waiting:
        for user in seniors:
            if user.pk == enquiry.concluded_by_id:
                continue
            notice = notify(
                recipient=user,
                kind=NotificationKind.SAFEGUARDING,
                title="A safeguarding closure is past its sign-off target",
                body=f"Safeguarding enquiry {enquiry.pk} has waited for your sign-off since "
                f"{long_date(due_on)}.",
                link=reverse("safeguarding_sign_off", args=[enquiry.pk]),
                once=f"sg-senior-overdue:{enquiry.pk}:{on.isoformat()}",
            )
            sent += notice is not None
    return sent


@job_kind("safeguarding_overdue_notices", label="Safeguarding overdue notices", daily=True)
def run_overdue_notices(job: Job, progress: ReportProgress) -> Outcome:
    sent = send_overdue_notices(on=date.fromisoformat(job.parameters["on"]))
    return Outcome(summary=f"Sent {sent} notice{'' if sent == 1 else 's'} of overdue safeguarding.")
