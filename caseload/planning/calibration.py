"""Calibration from the register (issue 13): the planning engine's case histories, read from the
council's requests, cases, allocations and current assessments, and today's establishment.

What counts, so that the scenario means what the planning model means by a case:
- a *request* is a case whose request was received in the window; its tier is its current
  assessment's effective tier (a case with no current assessment is left out, and counted in
  the calibration's notes);
- it *became a case* when it was first allocated to a practitioner (its earliest allocation);
- its *duration* is its first continuous spell of practitioner work: from then until the
  first allocation that ended with no other starting at that moment (a reallocation ends one
  and starts the next at the same moment, so a handover continues the spell). That is the
  case's closure, or when it was left held by the team with its plan in place, or waiting
  again; later allocations (a review after a held period) are not part of it. A spell still
  running (through to a current allocation) is censored at `until`. Allocations of a case do
  not overlap (one current at a time), so the first such end is the first spell's.
The roles' FTE are today's case-holding staff in post (`resource.figures.establishment_by_team`,
of the teams given); where that differs from the funded establishment, the calibration's notes
say so (the scenario carries the capacity there is, the planner may set the posts). Capacity
and who may hold each tier come from the published complexity model.

Five queries whatever the register's size: the cases with their first allocation, the end of
its spell and their tier in one, the establishment and staff in post in three, and the model.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.models import CASE_HOLDING_ROLE_CODES, Allocation, Case
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
    allocations = Allocation.objects.filter(case=OuterRef("pk"))
    # Another allocation of the case starting as this one ends (not itself: an allocation
    # may start and end at the same moment).
    taken_over = Allocation.objects.filter(
        case=OuterRef("case"), started_at=OuterRef("ended_at")
    ).exclude(pk=OuterRef("pk"))
    spell_ends = (
        Allocation.objects.filter(case=OuterRef("pk"), ended_at__isnull=False)
        .exclude(Exists(taken_over))
        .order_by("ended_at")
    )
    rows = cases.annotate(
        tier=Subquery(current.values("effective_tier")[:1]),
        first_allocated=Subquery(allocations.order_by("started_at").values("started_at")[:1]),
        spell_ended=Subquery(spell_ends.values("ended_at")[:1]),
    ).values_list(
        "tier", "team__name", "request__received_at", "closed_at", "first_allocated",
        "spell_ended",
    )  # fmt: skip
    histories: list[engine.CaseHistory] = []
    unscored = 0
    for tier_number, team, received, closed, allocated, ended in rows.iterator(chunk_size=5000):
        if tier_number is None:
            unscored += 1
            continue
        if allocated is not None:
            closed = ended  # the first spell's end; None while it runs
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
