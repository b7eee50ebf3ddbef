"""A deterministic synthetic council: teams, practitioners, people and cases for demos and tests.

`generate(size, seed=..., as_of=...)` returns the same council for the same arguments: every
random draw comes from one `random.Random(seed)` in a fixed order, and nothing iterates a set.
No real individual appears: names are random pairs from common-name lists, NHS numbers come from
the never-issued 999 range and postcodes from the non-existent "ZZ" area.

The shape follows the product brief: one team manager per team and one principal social worker;
caseloads around published benchmarks (adult social workers 15-25); open cases beyond what the
practitioners hold wait for screening or allocation; the rest of the requests closed with Client
Level Data outcomes. Every event happens before `as_of` (by the evening of the day before).
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Final

from caseload_engine import demo_tables as tables
from caseload_engine.identifiers import normalise_postcode, synthetic_nhs_number
from caseload_engine.reference import (
    CASE_HOLDING_ROLES,
    OUTCOME_DECEASED,
    SERVICE_AREA_CHOICES,
    SPECIALISM_CHOICES,
    SWE_REGISTERED_ROLES,
    Role,
)

__all__ = [
    "ALLOCATED",
    "AWAITING_ALLOCATION",
    "AWAITING_SCREENING",
    "CLOSED",
    "LOCALITIES",
    "OPEN_STATUSES",
    "PCF_LEVEL_FOR_ROLE",
    "SIZES",
    "STATUSES",
    "DemoAbsence",
    "DemoAllocation",
    "DemoCase",
    "DemoCouncil",
    "DemoPerson",
    "DemoPractitioner",
    "DemoSize",
    "DemoTeam",
    "generate",
]

# Case statuses; the web app defines TextChoices with the same codes.
AWAITING_SCREENING: Final = "awaiting_screening"
AWAITING_ALLOCATION: Final = "awaiting_allocation"
ALLOCATED: Final = "allocated"
CLOSED: Final = "closed"
STATUSES: Final[tuple[str, ...]] = (AWAITING_SCREENING, AWAITING_ALLOCATION, ALLOCATED, CLOSED)
OPEN_STATUSES: Final[frozenset[str]] = frozenset(
    {AWAITING_SCREENING, AWAITING_ALLOCATION, ALLOCATED}
)

LOCALITIES: Final[tuple[str, ...]] = (
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Riverside",
    "Hillside",
    "Valley",
    "Coast",
    "Forest",
    "Market",
    "Harbour",
)

PCF_LEVEL_FOR_ROLE: Final[dict[Role, str]] = {
    Role.ASSISTANT: "not_applicable",
    Role.OCCUPATIONAL_THERAPIST: "not_applicable",
    Role.ASYE: "asye",
    Role.SOCIAL_WORKER: "social_worker",
    Role.EXPERIENCED: "experienced",
    Role.ADVANCED: "advanced",
    Role.TEAM_MANAGER: "advanced",
    Role.PRINCIPAL_SOCIAL_WORKER: "strategic",
}


@dataclass(frozen=True, slots=True)
class DemoSize:
    """How big a demo council is. `practitioners` counts everyone, the PSW and managers included."""

    localities: int
    service_areas: int
    practitioners: int
    open_cases: int
    years: int
    requests_per_year: int

    def __post_init__(self) -> None:
        if not 1 <= self.localities <= len(LOCALITIES):
            raise ValueError(f"localities must be between 1 and {len(LOCALITIES)}")
        if not 1 <= self.service_areas <= len(SERVICE_AREA_CHOICES):
            raise ValueError(f"service_areas must be between 1 and {len(SERVICE_AREA_CHOICES)}")
        # Each team needs its manager and at least one case holder, plus the council's PSW.
        if self.practitioners < 1 + 2 * self.teams:
            raise ValueError("practitioners must allow a manager and a case holder per team")
        if self.years < 1 or self.open_cases < 0 or self.requests_per_year < 0:
            raise ValueError("years must be at least 1 and case counts not negative")

    @property
    def teams(self) -> int:
        return self.localities * self.service_areas

    @property
    def total_requests(self) -> int:
        return self.years * self.requests_per_year


SIZES: Final[dict[str, DemoSize]] = {
    # 1 PSW + 3 teams of 5 (a manager and four case holders).
    "small": DemoSize(
        localities=1,
        service_areas=3,
        practitioners=16,
        open_cases=240,
        years=1,
        requests_per_year=300,
    ),
    # A large council by the brief: ~10,000 open cases, ~150 practitioners, 13,600 requests a year.
    "council": DemoSize(
        localities=3,
        service_areas=6,
        practitioners=150,
        open_cases=10_000,
        years=3,
        requests_per_year=13_600,
    ),
    "large": DemoSize(
        localities=12,
        service_areas=6,
        practitioners=600,
        open_cases=40_000,
        years=3,
        requests_per_year=54_400,
    ),
}


@dataclass(frozen=True, slots=True)
class DemoTeam:
    key: str
    name: str
    service_area: str
    locality: str


@dataclass(frozen=True, slots=True)
class DemoAbsence:
    starts_on: date
    ends_on: date | None
    reason: str


@dataclass(frozen=True, slots=True)
class DemoPractitioner:
    key: str
    given_name: str
    family_name: str
    role: str
    pcf_level: str
    fte: Decimal
    team_key: str | None
    specialisms: tuple[str, ...]
    swe_registration_number: str
    swe_renewal_date: date | None
    start_date: date
    absences: tuple[DemoAbsence, ...]


@dataclass(frozen=True, slots=True)
class DemoPerson:
    council_person_id: str
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str
    primary_support_reason: str
    has_unpaid_carer: bool
    date_of_death: date | None


@dataclass(frozen=True, slots=True)
class DemoAllocation:
    practitioner_key: str
    started_at: datetime
    ended_at: datetime | None
    allocated_by_key: str


@dataclass(frozen=True, slots=True)
class DemoCase:
    person_index: int
    team_key: str
    route_of_access: str
    source: str
    received_at: datetime
    status: str
    closed_at: datetime | None
    outcome: str
    allocations: tuple[DemoAllocation, ...]


@dataclass(frozen=True, slots=True)
class DemoCouncil:
    size: str
    seed: int
    as_of: date
    teams: tuple[DemoTeam, ...]
    practitioners: tuple[DemoPractitioner, ...]
    people: tuple[DemoPerson, ...]
    cases: tuple[DemoCase, ...]


class _Weighted:
    """A weighted choice with precomputed cumulative weights (random.choices recomputes them)."""

    __slots__ = ("_codes", "_cumulative", "_total")

    def __init__(self, weights: Sequence[tuple[str, float]]) -> None:
        self._codes = tuple(code for code, _ in weights)
        running = 0.0
        cumulative = []
        for _, weight in weights:
            running += weight
            cumulative.append(running)
        self._cumulative = tuple(cumulative)
        self._total = running

    def pick(self, rng: random.Random) -> str:
        return self._codes[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


# The weight tables are `demo_tables`' (one copy, shared with the benchmark's instances).
_CASE_HOLDER_ROLES: Final = _Weighted(tables.CASE_HOLDER_ROLES)
_FTE: Final = _Weighted(tables.FTE)
_MANAGER_FTE: Final = _Weighted(tables.MANAGER_FTE)
_CASELOAD_SD: Final = 3.0  # at 1.0 FTE: social workers mostly 15-25
_ABSENCE_REASONS: Final = _Weighted(tables.ABSENCE_REASONS)
_OUTCOMES: Final = _Weighted(tables.OUTCOMES)
_PSR: Final = {area: _Weighted(w) for area, w in tables.PRIMARY_SUPPORT_REASONS.items()}
_ROUTES: Final = {area: _Weighted(w) for area, w in tables.ROUTES_OF_ACCESS.items()}
_SOURCES: Final = {area: _Weighted(w) for area, w in tables.REQUEST_SOURCES.items()}

# NFA requests mostly close at the front door without a named worker; the others mostly had
# one. 0.51 * 0.2 + 0.49 * 0.81 gives about half of closed cases allocated.
_ALLOCATED_IF_NFA: Final = 0.2
_ALLOCATED_OTHERWISE: Final = 0.81
_MEAN_DAYS_OPEN_NFA: Final = 7.0
_MEAN_DAYS_OPEN_OTHER: Final = 45.0

_SCREENING_SHARE: Final = 0.12
_PREVIOUS_ALLOCATION_RATE: Final = 0.10
_REPEAT_REQUEST_RATE: Final = 0.15
_UNPAID_CARER_RATE: Final = 0.35
_NHS_NUMBER_UNKNOWN_RATE: Final = 0.04
# Screening happens within weeks; long-term cases can wait many months for a worker (review
# queues), so the waiting list reaches back further than a council's recent intake alone.
_SCREENING_WINDOW_DAYS: Final = 28
_WAITING_WINDOW_DAYS: Final = 548
_ALLOCATED_WINDOW_DAYS: Final = 730
_MEAN_DAYS_TO_ALLOCATE: Final = 10.0

# Inward-code letters exclude C, I, K, M, O and V (Royal Mail).
_INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"

_MAX_AGE: Final = 100


@dataclass(frozen=True, slots=True)
class _Draft:
    """A case before its person is known (people are assigned in received order)."""

    received_at: datetime
    team_index: int
    status: str
    closed_at: datetime | None = None
    outcome: str = ""
    allocations: tuple[DemoAllocation, ...] = ()


@dataclass(frozen=True, slots=True)
class _TeamStaff:
    """A team's case holders sorted by start date, so 'who was here by day D' is a bisect."""

    manager_key: str
    holders: tuple[DemoPractitioner, ...]
    start_dates: tuple[date, ...]

    def present_by(self, day: date) -> tuple[DemoPractitioner, ...]:
        return self.holders[: bisect.bisect_right(self.start_dates, day)]


class _Clock:
    """Days and working-hours moments before as_of; every event ends up on or before last_day."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.last_day = as_of - timedelta(days=1)

    def at(self, day: date) -> datetime:
        """A moment in working hours (08:00-17:59 UTC) on a day."""
        start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
        return start + timedelta(minutes=self.rng.randrange(600))

    def after(self, earliest: datetime, day: date) -> datetime:
        """A moment on `day` (not before earliest's day) that is strictly after `earliest`.

        A clash on the same day moves forward by at most an hour, so even a chain of three such
        moves from 17:59 stays within the day.
        """
        moment = self.at(day)
        if moment <= earliest:
            moment = earliest + timedelta(minutes=self.rng.randint(1, 60))
        return moment

    def weekday_back(self, window: int, *, recent: bool) -> date:
        """A weekday 1..window days before as_of, uniform or skewed toward recent days."""
        window = max(window, 7)  # any seven days hold a weekday
        while True:
            if recent:
                days_ago = int(self.rng.triangular(1, window + 1, 1))
            else:
                days_ago = self.rng.randint(1, window)
            day = self.as_of - timedelta(days=min(days_ago, window))
            if day.weekday() < 5:
                return day

    def day_between(self, first: date, mean_days: float) -> date:
        """`first` plus an exponential delay; uniform to last_day when that would overshoot."""
        span = (self.last_day - first).days
        delay = int(self.rng.expovariate(1 / mean_days))
        if delay > span:
            delay = self.rng.randint(0, span)
        return first + timedelta(days=delay)


def generate(size: str, *, seed: int = 2026, as_of: date) -> DemoCouncil:
    """The synthetic council of a named size (see SIZES); equal arguments give equal councils."""
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; choose one of {', '.join(SIZES)}")
    shape = SIZES[size]
    rng = random.Random(seed)
    clock = _Clock(rng, as_of)

    teams = _make_teams(shape)
    practitioners = _make_practitioners(rng, shape, teams, as_of)
    staff = _team_staff(teams, practitioners)

    caseloads = _caseloads(rng, staff, shape.open_cases)
    drafts: list[_Draft] = []
    for team_index, team_staff in enumerate(staff):
        for holder, count in zip(team_staff.holders, caseloads[team_index], strict=True):
            for _ in range(count):
                drafts.append(_allocated_draft(clock, team_index, team_staff, holder, shape))
    waiting = shape.open_cases - sum(sum(counts) for counts in caseloads)
    weights = [len(team_staff.holders) for team_staff in staff]
    for team_index, count in enumerate(_apportion(waiting, weights)):
        for _ in range(count):
            status = AWAITING_SCREENING if rng.random() < _SCREENING_SHARE else AWAITING_ALLOCATION
            window = (
                _SCREENING_WINDOW_DAYS if status == AWAITING_SCREENING else _WAITING_WINDOW_DAYS
            )
            day = clock.weekday_back(window, recent=True)
            drafts.append(_Draft(clock.at(day), team_index, status))
    closed = max(0, shape.total_requests - shape.open_cases)
    for _ in range(closed):
        drafts.append(_closed_draft(clock, rng.randrange(len(teams)), staff, shape))

    # Received order, so that a person's next request can only follow their last closure.
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].received_at, i))
    people, cases = _assign_people(rng, clock, teams, [drafts[i] for i in order])
    return DemoCouncil(
        size=size,
        seed=seed,
        as_of=as_of,
        teams=teams,
        practitioners=practitioners,
        people=people,
        cases=cases,
    )


def _make_teams(shape: DemoSize) -> tuple[DemoTeam, ...]:
    areas = SERVICE_AREA_CHOICES[: shape.service_areas]
    return tuple(
        DemoTeam(
            key=f"{area}-{locality.lower()}",
            name=f"{label} {locality}",
            service_area=area,
            locality=locality,
        )
        for locality in LOCALITIES[: shape.localities]
        for area, label in areas
    )


def _make_practitioners(
    rng: random.Random, shape: DemoSize, teams: Sequence[DemoTeam], as_of: date
) -> tuple[DemoPractitioner, ...]:
    # Who goes where first, then the people, so SWE numbers can be drawn in one sample.
    base, extra = divmod(shape.practitioners - 1, len(teams))
    larger = sorted(rng.sample(range(len(teams)), extra))
    sizes = [base + (1 if index in larger else 0) for index in range(len(teams))]

    slots: list[tuple[Role, DemoTeam | None]] = [(Role.PRINCIPAL_SOCIAL_WORKER, None)]
    for each_team, headcount in zip(teams, sizes, strict=True):
        slots.append((Role.TEAM_MANAGER, each_team))
        slots.extend((role, each_team) for role in _holder_roles(rng, headcount - 1))

    numbers = rng.sample(range(100_000, 1_000_000), len(slots))
    renewal = date(as_of.year, 11, 30)
    if renewal < as_of:
        renewal = date(as_of.year + 1, 11, 30)
    # Managers have been in post longer than the closed-case history, so they allocated it.
    senior_start = (shape.years * 365 + 30, max(shape.years * 365 + 60, 9125))

    practitioners = []
    for index, ((role, team), number) in enumerate(zip(slots, numbers, strict=True)):
        registered = role in SWE_REGISTERED_ROLES
        managerial = role in (Role.TEAM_MANAGER, Role.PRINCIPAL_SOCIAL_WORKER)
        fte = (_MANAGER_FTE if managerial else _FTE).pick(rng)
        low, high = senior_start if managerial else tables.START_DAYS_AGO[role]
        practitioners.append(
            DemoPractitioner(
                key=f"p{index + 1:04d}",
                given_name=rng.choice(tables.GIVEN_NAMES),
                family_name=rng.choice(tables.FAMILY_NAMES),
                role=role.value,
                pcf_level=PCF_LEVEL_FOR_ROLE[role],
                fte=Decimal(fte),
                team_key=None if team is None else team.key,
                specialisms=_specialisms(rng, role, None if team is None else team.service_area),
                swe_registration_number=f"SW{number}" if registered else "",
                swe_renewal_date=renewal if registered else None,
                start_date=as_of - timedelta(days=rng.randint(low, high)),
                absences=_absences(rng, as_of) if rng.random() < tables.ABSENCE_RATE else (),
            )
        )
    return tuple(practitioners)


def _holder_roles(rng: random.Random, count: int) -> list[Role]:
    roles = [Role(_CASE_HOLDER_ROLES.pick(rng)) for _ in range(count)]
    if count >= 4:
        # A team of four or more always has an assistant and a social worker.
        for needed in (Role.ASSISTANT, Role.SOCIAL_WORKER):
            if needed not in roles:
                replace = next(
                    i
                    for i, role in enumerate(roles)
                    if role not in (Role.ASSISTANT, Role.SOCIAL_WORKER) or roles.count(role) > 1
                )
                roles[replace] = needed
    return roles


def _specialisms(rng: random.Random, role: Role, area: str | None) -> tuple[str, ...]:
    chances = tables.specialism_chances(role.value, area)
    # Reference-list order, so output does not depend on how the chances were written.
    return tuple(
        code for code, _ in SPECIALISM_CHOICES if code in chances and rng.random() < chances[code]
    )


def _absences(rng: random.Random, as_of: date) -> tuple[DemoAbsence, ...]:
    reason = _ABSENCE_REASONS.pick(rng)
    length = tables.ABSENCE_DAYS[reason]
    if rng.random() < 0.5:  # current: began recently, not yet over
        starts_on = as_of - timedelta(days=rng.randint(0, length[0]))
    else:  # upcoming, within six weeks
        starts_on = as_of + timedelta(days=rng.randint(1, 42))
    # Long enough that a current absence has not already ended.
    ends_on: date | None = max(starts_on + timedelta(days=rng.randint(*length)), as_of)
    if reason == "sickness" and starts_on <= as_of and rng.random() < 0.3:
        ends_on = None  # open-ended: no return date yet
    return (DemoAbsence(starts_on=starts_on, ends_on=ends_on, reason=reason),)


def _team_staff(
    teams: Sequence[DemoTeam], practitioners: Sequence[DemoPractitioner]
) -> list[_TeamStaff]:
    managers: dict[str, str] = {}
    holders: dict[str, list[DemoPractitioner]] = {team.key: [] for team in teams}
    for practitioner in practitioners:
        if practitioner.team_key is None:
            continue
        if practitioner.role == Role.TEAM_MANAGER:
            managers[practitioner.team_key] = practitioner.key
        elif Role(practitioner.role) in CASE_HOLDING_ROLES:
            holders[practitioner.team_key].append(practitioner)
    staff = []
    for team in teams:
        ordered = tuple(sorted(holders[team.key], key=lambda p: (p.start_date, p.key)))
        staff.append(
            _TeamStaff(
                manager_key=managers[team.key],
                holders=ordered,
                start_dates=tuple(p.start_date for p in ordered),
            )
        )
    return staff


def _caseloads(rng: random.Random, staff: Sequence[_TeamStaff], open_cases: int) -> list[list[int]]:
    """Open cases per case holder, team by team, in each team's holder order."""
    loads = []
    for team_staff in staff:
        team_loads = []
        for holder in team_staff.holders:
            fte = float(holder.fte)
            mean = tables.CASELOAD_BASE[Role(holder.role)] * fte
            team_loads.append(max(3, round(rng.gauss(mean, _CASELOAD_SD * fte))))
        loads.append(team_loads)
    total = sum(sum(team_loads) for team_loads in loads)
    if total > open_cases:
        # Leave some open cases waiting even then: an allocation meeting needs a queue.
        factor = open_cases * 0.85 / total
        loads = [[math.floor(load * factor) for load in team_loads] for team_loads in loads]
    return loads


def _apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split total in proportion to weights (largest remainder, ties to the earlier index)."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _allocated_draft(
    clock: _Clock, team_index: int, team: _TeamStaff, holder: DemoPractitioner, shape: DemoSize
) -> _Draft:
    rng = clock.rng
    # Recent requests are likelier to be still open; a newcomer's cases came in around their start.
    tenure = (clock.as_of - holder.start_date).days
    window = min(_ALLOCATED_WINDOW_DAYS, shape.years * 365, tenure + 90)
    received_day = clock.weekday_back(window, recent=True)
    received_at = clock.at(received_day)

    allocations: list[DemoAllocation] = []
    others = [p for p in team.present_by(received_day) if p.key != holder.key]
    if others and rng.random() < _PREVIOUS_ALLOCATION_RATE:
        previous = rng.choice(others)
        first_day = clock.day_between(received_day, _MEAN_DAYS_TO_ALLOCATE)
        first_at = clock.after(received_at, first_day)
        handover_day = clock.day_between(max(first_day, holder.start_date), 30.0)
        handover_at = clock.after(first_at, handover_day)
        allocations.append(DemoAllocation(previous.key, first_at, handover_at, team.manager_key))
        start_at = handover_at
    else:
        first_day = clock.day_between(max(received_day, holder.start_date), _MEAN_DAYS_TO_ALLOCATE)
        start_at = clock.after(received_at, first_day)
    allocations.append(DemoAllocation(holder.key, start_at, None, team.manager_key))
    return _Draft(received_at, team_index, ALLOCATED, allocations=tuple(allocations))


def _closed_draft(
    clock: _Clock, team_index: int, staff: Sequence[_TeamStaff], shape: DemoSize
) -> _Draft:
    rng = clock.rng
    received_day = clock.weekday_back(shape.years * 365, recent=False)
    received_at = clock.at(received_day)
    outcome = _OUTCOMES.pick(rng)
    nfa = outcome.startswith("nfa_")
    mean_open = _MEAN_DAYS_OPEN_NFA if nfa else _MEAN_DAYS_OPEN_OTHER
    closed_day = clock.day_between(received_day, mean_open)
    closed_at = clock.after(received_at, closed_day)

    allocations: tuple[DemoAllocation, ...] = ()
    if rng.random() < (_ALLOCATED_IF_NFA if nfa else _ALLOCATED_OTHERWISE):
        span = (closed_day - received_day).days
        allocation_day = received_day + timedelta(days=int(span * rng.random() * 0.5))
        team = staff[team_index]
        present = team.present_by(allocation_day)
        if present:
            started_at = min(clock.after(received_at, allocation_day), closed_at)
            holder = rng.choice(present)
            allocations = (DemoAllocation(holder.key, started_at, closed_at, team.manager_key),)
    return _Draft(received_at, team_index, CLOSED, closed_at, outcome, allocations)


def _assign_people(
    rng: random.Random, clock: _Clock, teams: Sequence[DemoTeam], drafts: Sequence[_Draft]
) -> tuple[tuple[DemoPerson, ...], tuple[DemoCase, ...]]:
    """Give each case (in received order) a new person or a returning one, and build the cases.

    A person is free for a repeat request only once their last case has closed (a heap of
    closures releases them into their team's pool); a case closed as deceased never releases
    its person, so no one who died has a later or open case, and no one has two open cases.
    """
    people: list[DemoPerson] = []
    pools: list[list[int]] = [[] for _ in teams]
    closures: list[tuple[datetime, int, int]] = []
    serial = rng.randrange(0, 200_000)
    cases = []
    for draft in drafts:
        while closures and closures[0][0] <= draft.received_at:
            _, person_index, team_index = heapq.heappop(closures)
            pools[team_index].append(person_index)
        team = teams[draft.team_index]
        pool = pools[draft.team_index]
        if pool and rng.random() < _REPEAT_REQUEST_RATE:
            # Swap-remove: O(1) and still deterministic.
            pick = rng.randrange(len(pool))
            pool[pick], pool[-1] = pool[-1], pool[pick]
            person_index = pool.pop()
        else:
            nhs_number = ""
            if rng.random() >= _NHS_NUMBER_UNKNOWN_RATE:
                nhs_number, serial = _next_nhs_number(serial)
            person_index = len(people)
            people.append(
                _new_person(rng, clock, team, draft.received_at, person_index, nhs_number)
            )
        if draft.status == CLOSED and draft.closed_at is not None:
            if draft.outcome == OUTCOME_DECEASED:
                people[person_index] = dataclasses.replace(
                    people[person_index], date_of_death=draft.closed_at.date()
                )
            else:
                heapq.heappush(closures, (draft.closed_at, person_index, draft.team_index))
        area = team.service_area
        cases.append(
            DemoCase(
                person_index=person_index,
                team_key=team.key,
                route_of_access=_ROUTES[area].pick(rng),
                source=_SOURCES[area].pick(rng),
                received_at=draft.received_at,
                status=draft.status,
                closed_at=draft.closed_at,
                outcome=draft.outcome,
                allocations=draft.allocations,
            )
        )
    return tuple(people), tuple(cases)


def _next_nhs_number(serial: int) -> tuple[str, int]:
    """The next synthetic NHS number from serial on (skipping serials with no check digit)."""
    while True:
        number = synthetic_nhs_number(serial)
        serial += 1
        if number is not None:
            return number, serial


def _age_band(rng: random.Random, area: str) -> tuple[int, int, int]:
    bands = tables.AGE_BANDS[area]
    draw = rng.random()
    for share, low, high, mode in bands:
        draw -= share
        if draw < 0:
            return low, high, mode
    return bands[-1][1:]  # only reachable through rounding in the shares


def _new_person(
    rng: random.Random,
    clock: _Clock,
    team: DemoTeam,
    received_at: datetime,
    index: int,
    nhs_number: str,
) -> DemoPerson:
    area = team.service_area
    received = received_at.date()
    # Nobody reaches _MAX_AGE by as_of (whole years + part-year + years since the request).
    cap = _MAX_AGE - 1 - math.ceil((clock.as_of - received).days / 365.25)
    low, high, mode = _age_band(rng, area)
    age = min(int(rng.triangular(low, min(high, cap), min(mode, cap))), cap)
    # Whole years of age plus a random part-year; dates of birth stay on or before the request.
    date_of_birth = received - timedelta(days=int((age + rng.random()) * 365.2425))
    district = LOCALITIES.index(team.locality) + 1
    inward = f"{rng.randrange(10)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
    return DemoPerson(
        council_person_id=f"P{1_000_001 + index:07d}",
        nhs_number=nhs_number,
        given_name=rng.choice(tables.GIVEN_NAMES),
        family_name=rng.choice(tables.FAMILY_NAMES),
        date_of_birth=date_of_birth,
        postcode=normalise_postcode(f"ZZ{district} {inward}"),
        primary_support_reason=_PSR[area].pick(rng),
        has_unpaid_carer=rng.random() < _UNPAID_CARER_RATE,
        date_of_death=None,
    )
