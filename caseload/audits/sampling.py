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
from caseload.register.models import Allocation, Case
from caseload_engine import audit_sample
from caseload_engine.audit_sample import CaseRow, Filter, Pick
from caseload_engine.dates import add_months


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def case_rows(month: date) -> list[CaseRow]:
    """Every case open at some time in the month or closed in it, with who held it last in
    the month (None if nobody did), their role and its tier now: four queries."""
    start, end = _aware(month), _aware(add_months(month, 1))
    in_month = Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    cases = Case.objects.filter(in_month).values_list(
        "pk", "team_id", "status", "opened_at", "closed_at"
    )
    holders: dict[int, tuple[datetime, int, str]] = {}
    for case_id, started, practitioner_id, role in Allocation.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=start),
        started_at__lt=end,
        case__opened_at__lt=end,
    ).values_list("case_id", "started_at", "practitioner_id", "practitioner__role"):
        if case_id not in holders or started > holders[case_id][0]:
            holders[case_id] = (started, practitioner_id, role)
    tiers = dict(
        Assessment.objects.filter(is_current=True, case__opened_at__lt=end).values_list(
            "case_id", "effective_tier"
        )
    )
    rows = []
    for case_id, team_id, status, opened_at, closed_at in cases:
        holder = holders.get(case_id)
        rows.append(
            CaseRow(
                case_id=case_id,
                team=team_id,
                practitioner=holder[1] if holder else None,
                practitioner_role=holder[2] if holder else "",
                opened_on=timezone.localdate(opened_at),
                closed_on=timezone.localdate(closed_at) if closed_at else None,
                status=status,
                tier=tiers.get(case_id),
            )
        )
    return rows


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
