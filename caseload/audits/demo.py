"""A few months of case file audits on the demo council, in bulk: each month's sample drawn as
the page draws it, audited by a manager or senior practitioner who never worked the case,
most completed, some responded to and moderated, with actions still open."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from caseload.accounts.models import User
from caseload.accounts.permissions import AccessRole
from caseload.audits.access import AUDITOR_ROLES, workers_by_case
from caseload.audits.models import Audit, AuditAction, AuditStatus, ToolVersion
from caseload.audits.sampling import sample_for
from caseload.register.models import Practitioner
from caseload_engine import audit_tool
from caseload_engine.dates import add_months

MONTHS = 4
ACTIONS = (
    "Record the person's own words about the outcomes they want",
    "Offer the carer an assessment of their own needs",
    "Set a review date in the plan",
    "Record the mental capacity assessment for the decision about moving",
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(16, 0), tzinfo=UTC)


def load_demo_audits(*, as_of: date, seed: int) -> int:
    """Audits for the four months before `as_of`'s; the latest month's still partly open. How
    many audits were written."""
    rng = random.Random(f"audits:{seed}")  # noqa: S311 - synthetic data
    psw = User.objects.filter(access_role=AccessRole.PRINCIPAL_SOCIAL_WORKER).first()
    if psw is None:
        return 0
    auditors = list(
        Practitioner.objects.filter(
            role__in=AUDITOR_ROLES, left_on__isnull=True, user__isnull=False
        )
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    auditors.append(psw.pk)
    version = ToolVersion.current()
    tool = version.tool
    this_month = as_of.replace(day=1)
    users = dict(Practitioner.objects.values_list("pk", "user_id"))
    written = 0
    for back in range(MONTHS, 0, -1):
        month = add_months(this_month, -back)
        picks = sample_for(month)
        workers = workers_by_case([p.case_id for p in picks], month)
        assigned_on = add_months(month, 1)
        audits = []
        for pick in picks:
            choices = [a for a in auditors if a not in workers[pick.case_id]]
            if not choices:
                continue
            # Practice improves a little month by month.
            centre = 2.4 + 0.15 * (MONTHS - back)
            completed = back > 1 or rng.random() < 0.5
            answers: dict[str, object] = {}
            grade = None
            if completed:
                for question in tool.questions:
                    if question.kind is audit_tool.Kind.GRADED:
                        answers[question.key] = max(1, min(4, round(rng.gauss(centre, 0.8))))
                    elif question.kind is audit_tool.Kind.YES_NO:
                        answers[question.key] = rng.choice(("yes", "yes", "no", "n/a"))
                    else:
                        answers[question.key] = ""
                grade = max(1, min(4, round(rng.gauss(centre, 0.6))))
            done_on = assigned_on + timedelta(days=rng.randint(3, 20))
            responded = completed and rng.random() < 0.6
            moderated = completed and rng.random() < 0.25
            audits.append(
                Audit(
                    case_id=pick.case_id,
                    team_id=pick.team,
                    practitioner_id=pick.practitioner,
                    practitioner_user_id=users.get(pick.practitioner),
                    month=month,
                    tool_version=version,
                    auditor_id=rng.choice(choices),
                    assigned_by=psw,
                    assigned_at=_at(assigned_on),
                    status=AuditStatus.COMPLETED if completed else AuditStatus.ASSIGNED,
                    answers=answers,
                    grade=grade,
                    summary="Synthetic audit summary: a clear record with room to improve."
                    if completed
                    else "",
                    completed_at=_at(done_on) if completed else None,
                    response="Synthetic response: agreed, and discussed in supervision."
                    if responded
                    else "",
                    responded_at=_at(done_on + timedelta(days=2)) if responded else None,
                    moderated_grade=max(1, min(4, (grade or 2) + rng.choice((-1, 0, 0, 0, 1))))
                    if moderated
                    else None,
                    moderated_by=psw if moderated else None,
                    moderated_at=_at(done_on + timedelta(days=5)) if moderated else None,
                )
            )
        # A demo auditor may be the PSW, who moderates: not their own audit.
        for audit in audits:
            if audit.moderated_by_id == audit.auditor_id:
                audit.moderated_grade = audit.moderated_by = audit.moderated_at = None
        created = Audit.objects.bulk_create(audits)
        written += len(created)
        AuditAction.objects.bulk_create(
            AuditAction(
                audit=audit,
                description=rng.choice(ACTIONS),
                done_at=_at(audit.completed_at.date() + timedelta(days=20)) if back > 2 else None,
                done_by_id=audit.practitioner_user_id if back > 2 else None,
            )
            for audit in created
            if audit.grade is not None
            and audit.grade <= audit_tool.REQUIRES_IMPROVEMENT
            and audit.completed_at is not None
            and (back <= 2 or audit.practitioner_user_id is not None)
        )
    return written
