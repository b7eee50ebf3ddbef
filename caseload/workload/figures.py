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
from caseload.register.contacts import last_contact_on
from caseload.register.models import (
    CASE_HOLDING_ROLE_CODES,
    OPEN_STATUSES,
    Absence,
    Allocation,
    Practitioner,
    Team,
)
from caseload.workload.levels import Light, levels_in_force, light_of
from caseload.workload.models import ExtraHours, Level

# Extra hours on the workload page: the last four weeks, the day itself included.
EXTRA_HOURS_DAYS = 28
# An absence starting within this many days is "upcoming".
UPCOMING_ABSENCE_DAYS = 28
# Reviews falling due within this many days are "due".
REVIEWS_DUE_DAYS = 28
# Cases by days since the last recorded contact: up to 30, 31 to 60, 61 to 90, over 90.
CONTACT_BANDS = (30, 60, 90)
CONTACT_BAND_LABELS = (
    "0 to 30 days",
    "31 to 60 days",
    "61 to 90 days",
    "Over 90 days",
    "No contact",
)


@dataclass(frozen=True)
class CaseAges:
    """A practitioner's open cases by days since the last recorded contact (the last count is
    cases with no contact recorded at all), and their reviews due soon and overdue."""

    contact: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    reviews_due: int = 0
    reviews_overdue: int = 0

    def __add__(self, other: CaseAges) -> CaseAges:
        bands = tuple(a + b for a, b in zip(self.contact, other.contact, strict=True))
        return CaseAges(
            contact=bands,  # type: ignore[arg-type]
            reviews_due=self.reviews_due + other.reviews_due,
            reviews_overdue=self.reviews_overdue + other.reviews_overdue,
        )

    @property
    def bands(self) -> list[tuple[str, int]]:
        return list(zip(CONTACT_BAND_LABELS, self.contact, strict=True))


def _band(days: int | None) -> int:
    if days is None:
        return len(CONTACT_BANDS) + 1
    return next((i for i, top in enumerate(CONTACT_BANDS) if days <= top), len(CONTACT_BANDS))


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
    ages: CaseAges = field(default_factory=CaseAges)

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
    ages: CaseAges
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
    ages = _case_ages(ids, on=on)
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
                ages=ages.get(p.pk, CaseAges()),
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


def _case_ages(ids: list[int], *, on: date) -> dict[int, CaseAges]:
    """Per practitioner, their open cases' contact and review ages: one query, a row per
    case held."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(CONTACT_BAND_LABELS))
    due: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    soon = on + timedelta(days=REVIEWS_DUE_DAYS)
    for practitioner_id, last, review in (
        Allocation.objects.filter(
            practitioner_id__in=ids, ended_at__isnull=True, case__status__in=OPEN_STATUSES
        )
        .annotate(last_contact_on=last_contact_on("case_id"))
        .values_list("practitioner_id", "last_contact_on", "case__next_review_on")
        .order_by()
    ):
        counts[practitioner_id][_band((on - last).days if last is not None else None)] += 1
        if review is not None and review < on:
            overdue[practitioner_id] += 1
        elif review is not None and review <= soon:
            due[practitioner_id] += 1
    return {
        pk: CaseAges(
            contact=tuple(counts[pk]),  # type: ignore[arg-type]
            reviews_due=due[pk],
            reviews_overdue=overdue[pk],
        )
        for pk in counts
    }


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
        ages=sum((row.ages for row in rows), CaseAges()),
        average_cases=(Decimal(cases) / len(rows)).quantize(Decimal("0.1")) if rows else None,
    )
