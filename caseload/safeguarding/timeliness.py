"""When each safeguarding step is due, and what is past its target.

Targets are in working days (England and Wales bank holidays excluded, as caseload_engine.dates
counts them). Each record keeps the due dates worked out when its step began, so a new version
of the targets changes what is due from then on, never what was due already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from caseload.safeguarding.models import Concern, Enquiry, EnquiryStatus, Targets
from caseload_engine.dates import add_working_days


@dataclass(frozen=True)
class EnquiryDueDates:
    strategy: date
    outcomes: date
    plan: date
    conclusion: date


def decision_due(received_on: date, targets: Targets) -> date:
    return add_working_days(received_on, targets.decision_days)


def enquiry_due(started_on: date, targets: Targets) -> EnquiryDueDates:
    return EnquiryDueDates(
        strategy=add_working_days(started_on, targets.strategy_days),
        outcomes=add_working_days(started_on, targets.outcomes_days),
        plan=add_working_days(started_on, targets.plan_days),
        conclusion=add_working_days(started_on, targets.conclusion_days),
    )


def sign_off_due(requested_on: date, targets: Targets) -> date:
    return add_working_days(requested_on, targets.sign_off_days)


def overdue_concerns(concerns: QuerySet[Concern], *, today: date) -> QuerySet[Concern]:
    """Concerns not decided by their due date."""
    return concerns.filter(decision="", decision_due_on__lt=today)


def overdue_enquiries(enquiries: QuerySet[Enquiry], *, today: date) -> QuerySet[Enquiry]:
    """Enquiries with a step past its target: no strategy discussion, no desired outcomes asked,
    no plan, not concluded, or concluded and not signed off."""
    open_ = Q(status=EnquiryStatus.OPEN)
    late = (
        open_ & Q(strategy_due_on__lt=today, strategy_records__isnull=True)
        | open_ & Q(outcomes_due_on__lt=today, msp_asked="")
        | open_ & Q(plan_due_on__lt=today, plan_agreed_on__isnull=True)
        | open_ & Q(conclusion_due_on__lt=today)
        | Q(status=EnquiryStatus.AWAITING_SIGN_OFF, sign_off_due_on__lt=today)
    )
    return enquiries.filter(pk__in=Enquiry.objects.filter(late).values("pk"))


def late_steps(enquiry: Enquiry, *, today: date, has_strategy: bool) -> list[str]:
    """The enquiry's steps past their target, in words."""
    steps = []
    if enquiry.status == EnquiryStatus.OPEN:
        if enquiry.strategy_due_on < today and not has_strategy:
            steps.append("strategy discussion")
        if enquiry.outcomes_due_on < today and not enquiry.msp_asked:
            steps.append("desired outcomes")
        if enquiry.plan_due_on < today and enquiry.plan_agreed_on is None:
            steps.append("safeguarding plan")
        if enquiry.conclusion_due_on < today:
            steps.append("conclusion")
    elif (
        enquiry.status == EnquiryStatus.AWAITING_SIGN_OFF
        and enquiry.sign_off_due_on is not None
        and enquiry.sign_off_due_on < today
    ):
        steps.append("sign-off")
    return steps
