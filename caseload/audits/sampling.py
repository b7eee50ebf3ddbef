"""The month's sample read from the register: each case open (or closed) in the month with the
practitioner who held it then, for the engine's draw (caseload_engine.audit_sample). The page
and `caseload audit sample` both call `sample_for`, so they give the same cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time

from django.db.models import FilteredRelation, Max, Q
from django.utils import timezone

from caseload.audits.models import Audit
from caseload.register.models import Allocation
from caseload_engine import audit_sample
from caseload_engine.audit_sample import CaseRow, Filter, Pick
from caseload_engine.dates import add_months


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def case_rows(month: date, *, themed: bool = True) -> list[CaseRow]:
    """Every case open at some time in the month (or closed in it) that somebody held in the
    month, with who held it last then: one query (two with the tiers), read from the
    allocations (a case nobody held has no practice to audit).

    At council size this reads thousands of allocations, so the database orders them (the
    last one read of a case is its latest holder) and only a themed draw reads what only its
    filters look at (the worker's role, the case's status, the day it opened, its tier). The
    monthly draw's rows carry the month's first day as the day opened: the query has already
    kept only cases open in the month, which is all the draw asks of that day."""
    start, end = _aware(month), _aware(add_months(month, 1))
    held_in_month = Allocation.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=start),
        Q(case__closed_at__isnull=True) | Q(case__closed_at__gte=start),
        started_at__lt=end,
        case__opened_at__lt=end,
    ).order_by("case_id", "started_at", "pk")
    zone = timezone.get_current_timezone()

    def local(moment: datetime | None) -> date | None:
        return moment.astimezone(zone).date() if moment else None

    if not themed:
        latest = {
            case_id: (team_id, practitioner_id, closed)
            for case_id, team_id, practitioner_id, closed in held_in_month.values_list(
                "case_id", "case__team_id", "practitioner_id", "case__closed_at"
            )
        }
        return [
            CaseRow(
                case_id=case_id,
                team=team_id,
                practitioner=practitioner_id,
                opened_on=month,
                closed_on=local(closed),
            )
            for case_id, (team_id, practitioner_id, closed) in latest.items()
        ]
    # The current assessment joined in (one at most, a database constraint): its tier.
    holders = {
        case_id: held
        for case_id, *held in held_in_month.annotate(
            current=FilteredRelation(
                "case__assessments", condition=Q(case__assessments__is_current=True)
            )
        ).values_list(
            "case_id",
            "case__team_id",
            "practitioner_id",
            "practitioner__role",
            "case__status",
            "case__opened_at",
            "case__closed_at",
            "current__effective_tier",
        )
    }
    return [
        CaseRow(
            case_id=case_id,
            team=team_id,
            practitioner=practitioner_id,
            practitioner_role=role,
            status=status,
            opened_on=local(opened) or month,
            closed_on=local(closed),
            tier=tier,
        )
        for case_id, (
            team_id,
            practitioner_id,
            role,
            status,
            opened,
            closed,
            tier,
        ) in holders.items()
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
        case_rows(month, themed=bool(filters)),
        month=month,
        per_team=per_team,
        audited=audited,
        last_covered=last_covered,
        filters=filters,
    )
