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
The roles' FTE are today's case-holding staff in post (`resource.figures.establishment_by_team`,
of the teams given); where that differs from the funded establishment, the calibration's notes
say so (the scenario carries the capacity there is, the planner may set the posts). Capacity
and who may hold each tier come from the published complexity model.

Five queries whatever the register's size: the cases with their first and last allocation and
tier in one, the establishment and staff in post in three, and the model.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.models import CASE_HOLDING_ROLE_CODES, Case
from caseload.resource.figures import establishment_by_team
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
    if team_ids is not None:
        cases = cases.filter(team_id__in=team_ids)
    current = Assessment.objects.filter(case=OuterRef("pk"), is_current=True)
    rows = cases.annotate(
        tier=Subquery(current.values("effective_tier")[:1]),
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
    in_post: dict[str, Decimal] = defaultdict(Decimal)
    funded: dict[str, Decimal] = defaultdict(Decimal)
    for figures in establishment_by_team(on=timezone.localdate(), team_ids=team_ids):
        for row in figures.roles:
            in_post[row.role] += row.fte_in_post
            funded[row.role] += row.fte_in_post if row.funded_fte is None else row.funded_fte
    notes = [
        f"{role}: {in_post[role]} FTE in post against {funded[role]} funded"
        for role in CASE_HOLDING_ROLE_CODES
        if in_post[role] != funded[role]
    ]
    if unscored:
        notes.append(f"{unscored} request(s) with no current assessment left out: no tier")
    fte = {role: float(total) for role, total in in_post.items()}
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
    return dataclasses.replace(calibration, notes=(*calibration.notes, *notes))
