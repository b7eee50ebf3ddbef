"""Calibration from the register (issue 13): the planning engine's case histories, read from the
council's requests, cases, allocations and current assessments, and today's establishment.

What counts, so that the scenario means what the planning model means by a case:
- a *request* is a case whose request was received in the window; its tier is its current
  assessment's effective tier (a case with no current assessment is left out, and counted in
  the calibration's notes);
- it *became a case* when it was first allocated to a practitioner (its earliest allocation);
- its *duration* runs from then until the practitioner work ended: the case's closure, or, for
  a case open with no current allocation (held by the team after its plan, or waiting again),
  the end of its latest allocation. A case still allocated is open: censored at `until`.
The roles are the case-holding roles in post today (by FTE, per team when teams are given),
with capacity and who may hold each tier from the published complexity model.

A handful of queries whatever the register's size: the cases with their first and last
allocation and tier in one, the establishment in another, and the model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.models import CASE_HOLDING_ROLE_CODES, Case, Practitioner
from caseload_engine.planning import calibrate as engine


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def calibrate_from_register(
    *,
    until: date,
    weeks: int = 104,
    team_ids: Sequence[int] | None = None,
    by_team: bool = False,
) -> engine.Calibration:
    """The register's requests of the `weeks` before `until` (of `team_ids`' teams, or every
    team), fitted by tier and, with `by_team`, by tier in each team; the scenario is for them
    all. Raises engine.CalibrationError when nothing can be fitted."""
    first_day = until - timedelta(weeks=weeks)
    cases = Case.objects.filter(
        request__received_at__gte=_start_of(first_day), request__received_at__lt=_start_of(until)
    )
    staff = Practitioner.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=timezone.localdate()),
        role__in=CASE_HOLDING_ROLE_CODES,
        start_date__lte=timezone.localdate(),
    )
    if team_ids is not None:
        cases = cases.filter(team_id__in=team_ids)
        staff = staff.filter(team_id__in=team_ids)
    tier = Assessment.objects.filter(case=OuterRef("pk"), is_current=True).values("effective_tier")[
        :1
    ]
    rows = cases.annotate(
        tier=Subquery(tier),
        first_allocated=Min("allocations__started_at"),
        last_ended=Max("allocations__ended_at"),
        current=Count("allocations", filter=Q(allocations__ended_at__isnull=True)),
    ).values_list(
        "tier", "team__name", "request__received_at", "closed_at", "first_allocated",
        "last_ended", "current",
    )  # fmt: skip
    histories: list[engine.CaseHistory] = []
    unscored = 0
    for tier_number, team, received, closed, allocated, ended, current in rows.iterator(
        chunk_size=5000
    ):
        if tier_number is None:
            unscored += 1
            continue
        if closed is None and allocated is not None and not current:
            closed = ended  # practitioner work over: held by the team, or waiting again
        histories.append(
            engine.CaseHistory(
                tier=tier_number,
                team=team,
                requested_on=timezone.localdate(received),
                closed_on=None if closed is None else timezone.localdate(closed),
                allocated_on=None if allocated is None else timezone.localdate(allocated),
            )
        )
    model = ModelVersion.current().model
    fte = {
        role: float(total)
        for role, total in staff.values("role")
        .annotate(total=Sum("fte"))
        .values_list("role", "total")
    }
    tiers = sorted({history.tier for history in histories})
    roles = engine.roles_from_model(model, fte, tiers)
    calibration = engine.calibrate(
        histories,
        until=until,
        weeks=weeks,
        points={band.tier: band.points for band in model.tiers},
        roles=roles,
        by_team=by_team,
    )
    if unscored:
        note = f"{unscored} request(s) with no current assessment left out: no tier"
        calibration = dataclasses.replace(calibration, notes=(*calibration.notes, note))
    return calibration
