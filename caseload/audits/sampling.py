"""The month's sample read from the register: each case open (or closed) in the month with the
practitioner who held it then, for the engine's draw (caseload_engine.audit_sample). The page
and `caseload audit sample` both call `sample_for`, so they give the same cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time

from django.db.models import Max, Q
from django.utils import timezone

from caseload.audits.models import Audit
from caseload.complexity.models import Assessment
from caseload.register.models import Allocation
from caseload_engine import audit_sample
from caseload_engine.audit_sample import CaseRow, Filter, Pick
from caseload_engine.dates import add_months


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def case_rows(month: date) -> list[CaseRow]:
    """Every case open at some time in the month (or closed in it) that somebody held in the
    month, with who held it last then, their role, and its tier now: two queries, read from
    the allocations (a case nobody held has no practice to audit)."""
    start, end = _aware(month), _aware(add_months(month, 1))
    held_in_month = Allocation.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=start),
        Q(case__closed_at__isnull=True) | Q(case__closed_at__gte=start),
        started_at__lt=end,
        case__opened_at__lt=end,
    )
    holders: dict[int, tuple[datetime, int, str, int, str, datetime, datetime | None]] = {}
    for (
        case_id,
        started,
        practitioner_id,
        role,
        team_id,
        status,
        opened,
        closed,
    ) in held_in_month.values_list(
        "case_id",
        "started_at",
        "practitioner_id",
        "practitioner__role",
        "case__team_id",
        "case__status",
        "case__opened_at",
        "case__closed_at",
    ):
        if case_id not in holders or started > holders[case_id][0]:
            holders[case_id] = (started, practitioner_id, role, team_id, status, opened, closed)
    tiers = dict(
        Assessment.objects.filter(
            is_current=True, case__in=held_in_month.values("case_id")
        ).values_list("case_id", "effective_tier")
    )
    zone = timezone.get_current_timezone()
    return [
        CaseRow(
            case_id=case_id,
            team=team_id,
            practitioner=practitioner_id,
            practitioner_role=role,
            opened_on=opened.astimezone(zone).date(),
            closed_on=closed.astimezone(zone).date() if closed else None,
            status=status,
            tier=tiers.get(case_id),
        )
        for case_id, (_, practitioner_id, role, team_id, status, opened, closed) in holders.items()
    ]


def sample_for(
    month: date,
    *,
    per_team: int | None = audit_sample.DEFAULT_PER_TEAM,
    filters: Sequence[Filter] = (),
) -> list[Pick]:
    """The month's sample: the engine's draw over the register, excluding cases audited in the
    six months before and covering practitioners not audited lately first."""
    since = add_months(month, -audit_sample.EXCLUDE_MONTHS)
    audited: dict[int, list[date]] = defaultdict(list)
    for case_id, audited_month in Audit.objects.filter(
        month__gte=since, month__lt=month
    ).values_list("case_id", "month"):
        audited[case_id].append(audited_month)
    last_covered = dict(
        Audit.objects.filter(month__lt=month)
        .values("practitioner_id")
        .annotate(last=Max("month"))
        .values_list("practitioner_id", "last")
    )
    return audit_sample.draw(
        case_rows(month),
        month=month,
        per_team=per_team,
        audited=audited,
        last_covered=last_covered,
        filters=filters,
    )
