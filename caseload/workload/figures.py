"""Each practitioner's workload figures, for the team workload page, the daily run and the
Health Check. A fixed number of queries however many practitioners and cases there are.

Loads are the points held now (as `held_points` counts them); `on` dates the rest: absence,
extra hours, reviews and contacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from caseload.complexity.load import held_points, load_of
from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.models import (
    CASE_HOLDING_ROLE_CODES,
    OPEN_STATUSES,
    Absence,
    Practitioner,
    Team,
)
from caseload.workload.levels import Light, levels_in_force, light_of
from caseload.workload.models import ExtraHours, Level

# Extra hours on the workload page: the last four weeks, the day itself included.
EXTRA_HOURS_DAYS = 28
# An absence starting within this many days is "upcoming".
UPCOMING_ABSENCE_DAYS = 28


@dataclass(frozen=True)
class PractitionerLoad:
    practitioner_id: int
    name: str
    team_id: int
    role: str  # the role's code; role_label for people
    role_label: str
    fte: Decimal
    points: Decimal
    capacity: Decimal
    percent: int | None  # utilisation, whole percent; None without capacity
    cases: int  # open cases held
    tiers: Mapping[int, int]  # open cases held by effective tier (scored ones only)
    unscored: int  # open cases held with no complexity score
    level: Level  # the team's safe working level in force
    light: Light
    extra_hours: Decimal  # in the period asked for (the last four weeks by default)
    absent: bool  # absent on the day
    absence_from: date | None = None  # the next absence starting soon, if not absent now
    absence_until: date | None = None  # the end of the current absence (None: not known)

    @property
    def over_red(self) -> bool:
        return self.light is Light.RED


@dataclass(frozen=True)
class Totals:
    """The team's aggregates: what every member of the team may see."""

    practitioners: int
    points: Decimal
    capacity: Decimal
    cases: int
    tiers: Mapping[int, int]
    unscored: int
    extra_hours: Decimal
    over_red: int
    amber: int
    absent: int
    average_cases: Decimal | None = field(default=None)

    @property
    def percent(self) -> int | None:
        return round(self.points * 100 / self.capacity) if self.capacity else None


def _team_ids(teams: Iterable[Team | int]) -> list[int]:
    return [team if isinstance(team, int) else team.pk for team in teams]


def extra_hours(*, start: date, end: date, teams: Iterable[Team | int]) -> dict[int, Decimal]:
    """Extra hours recorded per practitioner of the teams, worked from `start` to `end`
    inclusive (practitioners with none are left out)."""
    rows = (
        ExtraHours.objects.filter(
            practitioner__team_id__in=_team_ids(teams), worked_on__gte=start, worked_on__lte=end
        )
        .values("practitioner_id")
        .annotate(total=Sum("hours"))
        .values_list("practitioner_id", "total")
    )
    return {practitioner_id: total for practitioner_id, total in rows}


def practitioner_loads(
    *,
    teams: Iterable[Team | int],
    on: date,
    extra_hours_from: date | None = None,
) -> list[PractitionerLoad]:
    """Every case-holding practitioner in the teams, in post on the day, by team and name.
    Extra hours are those worked from `extra_hours_from` (default: four weeks back) to `on`."""
    team_ids = _team_ids(teams)
    practitioners = list(
        Practitioner.objects.filter(team_id__in=team_ids, role__in=CASE_HOLDING_ROLE_CODES)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .annotate(
            held_points=held_points(),
            open_cases=Count(
                "allocations",
                filter=Q(
                    allocations__ended_at__isnull=True,
                    allocations__case__status__in=OPEN_STATUSES,
                ),
            ),
        )
        .order_by("team_id", "family_name", "given_name", "pk")
    )
    ids = [p.pk for p in practitioners]
    model = ModelVersion.current().model
    levels = levels_in_force(team_ids)
    tiers: dict[int, dict[int, int]] = defaultdict(dict)
    for practitioner_id, tier, n in (
        Assessment.objects.filter(
            is_current=True,
            case__status__in=OPEN_STATUSES,
            case__allocations__practitioner_id__in=ids,
            case__allocations__ended_at__isnull=True,
        )
        .values_list("case__allocations__practitioner_id", "effective_tier")
        .annotate(n=Count("pk"))
        .values_list("case__allocations__practitioner_id", "effective_tier", "n")
    ):
        tiers[practitioner_id][tier] = n
    hours = extra_hours(
        start=extra_hours_from or on - timedelta(days=EXTRA_HOURS_DAYS - 1), end=on, teams=team_ids
    )
    absences = _absences(ids, on=on)
    loads = []
    for p in practitioners:
        load = load_of(p, held=p.held_points, model=model)
        level = levels[p.team_id or 0]
        held_tiers = dict(sorted(tiers[p.pk].items()))
        current, upcoming = absences.get(p.pk, (None, None))
        loads.append(
            PractitionerLoad(
                practitioner_id=p.pk,
                name=p.full_name,
                team_id=p.team_id or 0,
                role=p.role,
                role_label=p.get_role_display(),
                fte=p.fte,
                points=load.points,
                capacity=load.capacity,
                percent=load.percent,
                cases=p.open_cases,
                tiers=held_tiers,
                unscored=p.open_cases - sum(held_tiers.values()),
                level=level,
                light=light_of(load, level),
                extra_hours=hours.get(p.pk, Decimal(0)),
                absent=current is not None,
                absence_from=upcoming.starts_on if upcoming else None,
                absence_until=current.ends_on if current else None,
            )
        )
    return loads


def _absences(ids: list[int], *, on: date) -> dict[int, tuple[Absence | None, Absence | None]]:
    """Per practitioner: the absence covering the day, and the next one starting soon."""
    found: dict[int, tuple[Absence | None, Absence | None]] = {}
    soon = on + timedelta(days=UPCOMING_ABSENCE_DAYS)
    for absence in Absence.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), practitioner_id__in=ids, starts_on__lte=soon
    ).order_by("starts_on", "pk"):
        current, upcoming = found.get(absence.practitioner_id, (None, None))
        if absence.starts_on <= on:
            current = current or absence
        else:
            upcoming = upcoming or absence
        found[absence.practitioner_id] = (current, upcoming)
    return found


def totals(loads: Iterable[PractitionerLoad]) -> Totals:
    rows = list(loads)
    tiers: dict[int, int] = defaultdict(int)
    for row in rows:
        for tier, n in row.tiers.items():
            tiers[tier] += n
    cases = sum(row.cases for row in rows)
    return Totals(
        practitioners=len(rows),
        points=sum((row.points for row in rows), Decimal(0)),
        capacity=sum((row.capacity for row in rows), Decimal(0)),
        cases=cases,
        tiers=dict(sorted(tiers.items())),
        unscored=sum(row.unscored for row in rows),
        extra_hours=sum((row.extra_hours for row in rows), Decimal(0)),
        over_red=sum(row.light is Light.RED for row in rows),
        amber=sum(row.light is Light.AMBER for row in rows),
        absent=sum(row.absent for row in rows),
        average_cases=(Decimal(cases) / len(rows)).quantize(Decimal("0.1")) if rows else None,
    )
