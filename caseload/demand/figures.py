"""Demand, counted in the database: requests per week and by route, team and tier; the waiting
list and how long people have waited; how long allocation took; and each team's capacity
against the points waiting. Each figure is a fixed number of queries, however much data.

Percentiles are read with ORDER BY and OFFSET (the rows either side of the rank, interpolated
as numpy's default does), so they work the same on SQLite and PostgreSQL and never bring a
whole list into Python.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Func,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Substr
from django.db.models.lookups import Exact
from django.utils import timezone

from caseload.complexity.load import held_points, load_of
from caseload.complexity.models import Assessment, ModelVersion
from caseload.demand.models import ContingencyPlan, RequestForecast
from caseload.register.models import (
    CASE_HOLDING_ROLE_CODES,
    WAITING_STATUSES,
    Allocation,
    Case,
    Practitioner,
    SupportRequest,
    Team,
)

# The current rate of allocation is read over this many weeks.
RATE_WEEKS = 8
UNSCORED = "none"
M = TypeVar("M", bound=Model)


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


@dataclass(frozen=True)
class Filters:
    """What the page is narrowed to. `tier` is a tier's number, UNSCORED, or "" for all."""

    teams: Sequence[Team]
    # The teams are every team: no need to ask the database for them by id (which would also
    # lead it to read every case through the team index).
    every_team: bool = False
    tier: str = ""
    route: str = ""
    weeks: int = 52
    # The period is the `weeks` whole weeks before the week holding this day.
    until: date = field(default_factory=timezone.localdate)

    @property
    def starts(self) -> date:
        return week_start(self.until) - timedelta(weeks=self.weeks)

    @property
    def ends(self) -> date:
        """The day after the period (exclusive)."""
        return week_start(self.until)

    @property
    def week_starts(self) -> list[date]:
        return [self.starts + timedelta(weeks=n) for n in range(self.weeks)]


def current_assessment(case: str = "pk") -> QuerySet[Assessment]:
    # Unordered: there is at most one, and the model's ordering would sort each lookup.
    return Assessment.objects.filter(case=OuterRef(case), is_current=True).order_by()


def with_current(queryset: QuerySet[M], *, via: str) -> QuerySet[Any]:
    """Each row joined to its case's current assessment as `current` (none if not scored): a
    join, where a subquery per row would cost a lookup each."""
    joined: QuerySet[Any] = queryset.annotate(
        current=FilteredRelation(
            f"{via}assessments", condition=Q(**{f"{via}assessments__is_current": True})
        )
    )
    return joined


class DaysBetween(Func):
    """Days, with their fraction, from the second datetime to the first, worked out by the
    database itself (Django's own datetime subtraction calls Python for each row on SQLite)."""

    arity = 2
    output_field = FloatField()
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _utc_day_or_late_hour(name: str) -> Concat:
    """The UTC day a datetime falls in ("2026-11-30 00"), or its last hour ("2026-11-30 23"):
    London is UTC or an hour ahead, so the hours from 0 to 22 of a UTC day fall in one London
    day, and only the 23rd can fall in the next (in summer). Both databases write datetimes as
    text in UTC, so the database groups the rows, with no per-row call into Python, and sends
    back about one per day and route rather than one per hour."""
    text = Cast(name, output_field=CharField())
    late = SqlCase(
        When(Exact(Substr(text, 12, 2), Value("23")), then=Value("23")), default=Value("00")
    )
    return Concat(Substr(text, 1, 11), late, output_field=CharField())


def _narrow_cases(queryset: QuerySet[M], filters: Filters, *, via: str) -> QuerySet[M]:
    """Cases (reached from the queryset's model through `via`, "" for cases themselves) of the
    filters' teams, route and tier."""
    if filters.every_team:
        queryset = queryset.filter(**{f"{via}pk__isnull": False})
    else:
        queryset = queryset.filter(**{f"{via}team__in": filters.teams})
    if filters.route:
        queryset = queryset.filter(**{f"{via}request__route_of_access": filters.route})
    if filters.tier == UNSCORED:
        queryset = queryset.filter(~Exists(current_assessment(f"{via}pk")))
    elif filters.tier:
        queryset = queryset.filter(
            Exists(current_assessment(f"{via}pk").filter(effective_tier=int(filters.tier)))
        )
    return queryset


def tier_of(case: str) -> Subquery:
    return Subquery(current_assessment(case).values("effective_tier")[:1])


def _interpolate(ordered: Sequence[float], position: float) -> float:
    """The value at a fractional position in ordered values, between the two either side."""
    low = math.floor(position)
    below, above = ordered[low], ordered[min(low + 1, len(ordered) - 1)]
    return round(below + (above - below) * (position - low), 1)


@dataclass(frozen=True)
class Spread:
    count: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Requests:
    weekly: list[tuple[date, int]]
    # Each route's requests per week, the route with most first.
    weekly_by_route: list[tuple[Tally, list[int]]]
    total: int
    by_route: list[Tally]
    by_team: list[Tally]
    by_tier: list[Tally]

    @property
    def weekly_rows(self) -> list[tuple[date, int, list[int]]]:
        """Each week: its Monday, its requests, and theirs by route (as weekly_by_route)."""
        return [
            (week, count, [values[index] for _, values in self.weekly_by_route])
            for index, (week, count) in enumerate(self.weekly)
        ]


def tier_label(tier: int | None) -> str:
    return "Not scored" if tier is None else f"Tier {tier}"


def _received(filters: Filters) -> QuerySet[SupportRequest]:
    received = SupportRequest.objects.filter(
        received_at__gte=local_midnight(filters.starts),
        received_at__lt=local_midnight(filters.ends),
    )
    return _narrow_cases(received, filters, via="case__")


def weekly_by_route(filters: Filters) -> dict[str, list[int]]:
    """Requests received in each week of the period, by route of access (a route with none in
    the period is left out). One query; each UTC day (or late hour) is put in its week by where
    it falls among the weeks' first hours (text in UTC sorts as time does)."""
    firsts = [
        local_midnight(week).astimezone(UTC).strftime("%Y-%m-%d %H") for week in filters.week_starts
    ]
    counts: dict[str, list[int]] = {}
    for hour, route, n in (
        _received(filters)
        .annotate(hour=_utc_day_or_late_hour("received_at"))
        .values("hour", "route_of_access")
        .annotate(n=Count("pk"))
        .values_list("hour", "route_of_access", "n")
    ):
        counts.setdefault(route, [0] * filters.weeks)[bisect_right(firsts, hour) - 1] += n
    return counts


def _totals(filters: Filters, per_route: dict[str, list[int]]) -> list[tuple[date, int]]:
    totals = [0] * filters.weeks
    for counts in per_route.values():
        totals = [total + n for total, n in zip(totals, counts, strict=True)]
    return list(zip(filters.week_starts, totals, strict=True))


def weekly(filters: Filters) -> list[tuple[date, int]]:
    """Requests received in each week of the period (0 for a week with none). One query."""
    return _totals(filters, weekly_by_route(filters))


def requests(filters: Filters, *, route_labels: dict[str, str]) -> Requests:
    """Requests received in the period: per week, and by route, team and tier. Two queries."""
    per_route = weekly_by_route(filters)
    weekly_counts = _totals(filters, per_route)
    by: dict[str, Counter[Any]] = {"route": Counter(), "team": Counter(), "tier": Counter()}
    for route, team, tier, n in (
        with_current(_received(filters), via="case__")
        .values("route_of_access", "case__team", "current__effective_tier")
        .annotate(n=Count("pk"))
        .values_list("route_of_access", "case__team", "current__effective_tier", "n")
    ):
        by["route"][route] += n
        by["team"][team] += n
        by["tier"][tier] += n
    names = {team.pk: team.name for team in filters.teams}
    by_route = [
        Tally(route, route_labels.get(route, route), n)
        for route, n in sorted(by["route"].items(), key=lambda row: (-row[1], row[0]))
    ]
    by_team = [
        Tally(str(team), names.get(team, ""), n)
        for team, n in sorted(by["team"].items(), key=lambda row: (-row[1], names.get(row[0], "")))
    ]
    by_tier = [
        Tally(str(tier) if tier is not None else UNSCORED, tier_label(tier), n)
        for tier, n in sorted(by["tier"].items(), key=lambda row: (row[0] is None, row[0] or 0))
    ]
    return Requests(
        weekly=weekly_counts,
        weekly_by_route=[(tally, per_route[tally.key]) for tally in by_route],
        total=sum(n for _, n in weekly_counts),
        by_route=by_route,
        by_team=by_team,
        by_tier=by_tier,
    )


def waiting(filters: Filters, *, now: datetime) -> Spread:
    """The waiting list now (whatever the period), and how long each case has waited: since
    the request came in, or, for a held case whose review fell due, since the review's due
    day (none while it is not yet due), not since the case first opened years ago."""
    cases = _narrow_cases(Case.objects.filter(status__in=WAITING_STATUSES), filters, via="")
    return spread_of(
        float(waited)
        for waited in cases.annotate(waited=_waited(now)).values_list("waited", flat=True)
    )


def _waited(now: datetime) -> Greatest:
    since = Coalesce(
        Cast("next_review_on", output_field=DateTimeField()), F("request__received_at")
    )
    return Greatest(DaysBetween(Value(now), since), Value(0.0))


def waits_by_team(*, now: datetime) -> dict[int, list[float]]:
    """How long (days) each case on every team's waiting list has waited (as in `waiting`), in
    one query: a waiting list is hundreds of cases, not thousands, so they come here whole."""
    waits: dict[int, list[float]] = defaultdict(list)
    for team_id, waited in (
        Case.objects.filter(status__in=WAITING_STATUSES)
        .annotate(waited=_waited(now))
        .values_list("team_id", "waited")
    ):
        waits[team_id].append(float(waited))
    return waits


def spread_of(values: Iterable[float]) -> Spread:
    """How many, and their median and 90th percentile (numpy's "linear")."""
    ordered = sorted(values)
    if not ordered:
        return Spread(0, None, None)
    last = len(ordered) - 1
    return Spread(
        len(ordered), _interpolate(ordered, 0.5 * last), _interpolate(ordered, 0.9 * last)
    )


def first_allocations() -> QuerySet[Allocation]:
    """Allocations that took a case off the waiting list: each case's first."""
    earlier = Allocation.objects.filter(
        case=OuterRef("case"), started_at__lt=OuterRef("started_at")
    )
    return Allocation.objects.filter(~Exists(earlier))


def time_to_allocation(filters: Filters) -> Spread:
    """For cases first allocated in the period: the time from the request to the allocation."""
    allocated = _narrow_cases(
        first_allocations().filter(
            started_at__gte=local_midnight(filters.starts),
            started_at__lt=local_midnight(filters.ends),
        ),
        filters,
        via="case__",
    )
    # One query for the lot: a council allocates some thousands of cases a year, and sorting
    # them here is quicker than asking the database to count and then sort.
    return spread_of(
        float(took)
        for took in allocated.annotate(
            took=DaysBetween("started_at", "case__request__received_at")
        ).values_list("took", flat=True)
    )


@dataclass(frozen=True)
class TierWaiting:
    tier: int | None
    cases: int
    points: int


@dataclass(frozen=True)
class TeamCapacity:
    team: Team
    capacity: Decimal
    held: Decimal
    by_tier: list[TierWaiting]
    allocated_recently: int
    plan: ContingencyPlan | None

    @property
    def free(self) -> Decimal:
        return self.capacity - self.held

    @property
    def waiting_cases(self) -> int:
        return sum(row.cases for row in self.by_tier)

    @property
    def waiting_points(self) -> int:
        return sum(row.points for row in self.by_tier)

    @property
    def unscored(self) -> int:
        return sum(row.cases for row in self.by_tier if row.tier is None)

    @property
    def per_week(self) -> float:
        """Cases allocated per week, over the last RATE_WEEKS weeks."""
        return round(self.allocated_recently / RATE_WEEKS, 1)

    @property
    def weeks_to_clear(self) -> int | None:
        """At the current rate; None if nothing was allocated (it would never clear)."""
        if not self.waiting_cases:
            return 0
        if not self.allocated_recently:
            return None
        return math.ceil(self.waiting_cases * RATE_WEEKS / self.allocated_recently)

    @property
    def over(self) -> bool:
        """Demand exceeds capacity: more points waiting than free."""
        return self.waiting_points > self.free


def latest_plans(teams: Iterable[Team]) -> dict[int, ContingencyPlan]:
    newest = (
        ContingencyPlan.objects.filter(team=OuterRef("team"))
        .values("team")
        .annotate(newest=Max("version"))
        .values("newest")
    )
    return {
        plan.team_id: plan
        for plan in ContingencyPlan.objects.filter(
            team__in=teams, version=Subquery(newest)
        ).select_related("recorded_by")
    }


def capacity(filters: Filters, *, now: datetime) -> list[TeamCapacity]:
    """Each team's points free (capacity less points held) against the points of its waiting
    cases by tier (of the filters' tier and route), and its rate of allocation."""
    teams = list(filters.teams)
    model = ModelVersion.current().model
    capacity_of: dict[int, Decimal] = defaultdict(Decimal)
    held_of: dict[int, Decimal] = defaultdict(Decimal)
    for practitioner in Practitioner.objects.filter(
        team__in=teams, left_on__isnull=True, role__in=CASE_HOLDING_ROLE_CODES
    ).annotate(held=held_points()):
        load = load_of(practitioner, held=practitioner.held, model=model)
        capacity_of[practitioner.team_id or 0] += load.capacity
        held_of[practitioner.team_id or 0] += load.points
    waiting_cases = _narrow_cases(Case.objects.filter(status__in=WAITING_STATUSES), filters, via="")
    by_tier: dict[int, list[TierWaiting]] = defaultdict(list)
    for team_id, tier, cases, points in (
        with_current(waiting_cases, via="")
        .values("team", "current__effective_tier")
        .annotate(cases=Count("pk"), total=Sum("current__points"))
        .order_by("team", F("current__effective_tier").asc(nulls_last=True))
        .values_list("team", "current__effective_tier", "cases", "total")
    ):
        by_tier[team_id].append(TierWaiting(tier, cases, points or 0))
    recent = dict(
        _narrow_cases(
            first_allocations().filter(started_at__gte=now - timedelta(weeks=RATE_WEEKS)),
            filters,
            via="case__",
        )
        .values("case__team")
        .annotate(n=Count("pk"))
        .values_list("case__team", "n")
    )
    plans = latest_plans(teams)
    return [
        TeamCapacity(
            team=team,
            capacity=capacity_of[team.pk],
            held=held_of[team.pk],
            by_tier=by_tier[team.pk],
            allocated_recently=recent.get(team.pk, 0),
            plan=plans.get(team.pk),
        )
        for team in teams
    ]


def latest_forecasts(teams: Iterable[Team], *, tier: int | None) -> dict[int, RequestForecast]:
    """Each team's newest forecast of requests (of the tier, or of all)."""
    forecasts = RequestForecast.objects.filter(team__in=teams)
    forecasts = forecasts.filter(tier__isnull=True) if tier is None else forecasts.filter(tier=tier)
    newest = (
        forecasts.filter(team=OuterRef("team"))
        .values("team")
        .annotate(newest=Max("history_to"))
        .values("newest")
    )
    return {
        forecast.team_id: forecast for forecast in forecasts.filter(history_to=Subquery(newest))
    }
