"""A deterministic synthetic council: teams, practitioners, people and cases for demos and tests.

`generate(size, seed=..., as_of=...)` returns the same council for the same arguments: every
random draw comes from one `random.Random(seed)` in a fixed order, and nothing iterates a set.
No real individual appears: names are random pairs from common-name lists, NHS numbers come from
the never-issued 999 range and postcodes from the non-existent "ZZ" area.

The shape follows the product brief ("What open means"): one team manager per team and one
principal social worker; requests every weekday for `years` years, with winter pressure, a summer
dip, a Christmas dip and a few per cent growth a year. Each request is drawn as a queue would
make it: its tier from its team's service-area mix; it becomes a case or closes at the front
door (Client Level Data outcomes, or still being screened); a case waits days to weeks for
allocation, then its first spell of practitioner work lasts a draw from its tier's
`PRACTITIONER_WORK_WEEKS`, independent of everything else. A spell still running on `as_of` is
allocated; one that ended was closed then, or left held by the team with its care plan in place
until its next annual review falls due, when it is allocated or waits (some overdue). So which
cases are open follows from the draws, and calibrating from the history recovers the durations.
The share of requests that become cases is set per team by Little's law so that the cases in
their first spell, with the reviews in hand, keep each case holder's allocated caseload around
the published benchmarks (15-25 at 1.0 FTE, fewer for ASYEs) in expectation; each allocated case
goes to a holder whose role may hold its tier (the default complexity model's bands), the one
furthest below their target. A couple of teams are under strain: more demand, fuller caseloads,
longer waits, later reviews. Cases carry their contacts and review dates. Every event happens
before `as_of` (by the evening of the day before).
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Final

from caseload_engine import complexity
from caseload_engine import demo_tables as tables
from caseload_engine.dates import add_months, is_bank_holiday
from caseload_engine.durations import Duration
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
    "AGENCY",
    "ALLOCATED",
    "AWAITING_ALLOCATION",
    "AWAITING_SCREENING",
    "CLOSED",
    "CONTACT_KINDS",
    "EMPLOYMENTS",
    "FIXED_TERM",
    "HELD",
    "LOCALITIES",
    "OPEN_STATUSES",
    "PCF_LEVEL_FOR_ROLE",
    "PERMANENT",
    "PRACTITIONER_WORK_WEEKS",
    "REVIEW_INTERVAL_MONTHS",
    "REVIEW_LEAD_DAYS",
    "SIZES",
    "STATUSES",
    "WAITING_STATUSES",
    "DemoAbsence",
    "DemoAllocation",
    "DemoCase",
    "DemoContact",
    "DemoCouncil",
    "DemoPerson",
    "DemoPractitioner",
    "DemoSize",
    "DemoTeam",
    "expected_arrivals",
    "expected_requests",
    "generate",
]

# Case statuses; the web app defines TextChoices with the same codes.
AWAITING_SCREENING: Final = "awaiting_screening"
AWAITING_ALLOCATION: Final = "awaiting_allocation"
ALLOCATED: Final = "allocated"
HELD: Final = "held"
CLOSED: Final = "closed"
STATUSES: Final[tuple[str, ...]] = (
    AWAITING_SCREENING,
    AWAITING_ALLOCATION,
    ALLOCATED,
    HELD,
    CLOSED,
)
WAITING_STATUSES: Final[frozenset[str]] = frozenset({AWAITING_SCREENING, AWAITING_ALLOCATION})
OPEN_STATUSES: Final[frozenset[str]] = WAITING_STATUSES | {ALLOCATED, HELD}
# Contact kinds and kinds of employment: the web app's TextChoices use the same codes.
CONTACT_KINDS: Final[tuple[str, ...]] = ("visit", "call", "meeting", "letter")
PERMANENT: Final = "permanent"
FIXED_TERM: Final = "fixed_term"
AGENCY: Final = "agency"
EMPLOYMENTS: Final[tuple[str, ...]] = (PERMANENT, FIXED_TERM, AGENCY)
# Held cases are reviewed yearly (Care Act s27), the web app's default review interval; the
# daily run makes a held case waiting work this many days before its review (the default of
# the CASELOAD_REVIEW_LEAD_DAYS setting).
REVIEW_INTERVAL_MONTHS: Final = 12
REVIEW_LEAD_DAYS: Final = 28
# How long a case's first spell of practitioner work lasts (from its allocation, through any
# handover, to when the work ended: closed, or held by the team with its plan in place), in
# weeks, by tier of the default complexity model. The demo draws every case's spell from these,
# independently of everything else, so that calibrating from its history
# (caseload_engine.planning.calibrate) can be checked against them. Shorter than the worked
# plan's 8, 14 and 26 weeks (data/plan-example.yaml): with those, filling the caseloads by
# Little's law takes so few requests as cases that only one closed case in six had had a worker
# (measured on the `council` demo), against about half in the Client Level Data shape the demo
# keeps; at these it is 45%.
PRACTITIONER_WORK_WEEKS: Final[dict[int, Duration]] = {
    1: Duration("exponential", mean=4.0),
    2: Duration("lognormal", mean=8.0, sd=6.0),
    3: Duration("lognormal", mean=16.0, sd=12.0),
}

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
    # Two years, so that held cases have had a review and some are overdue. Requests per
    # practitioner as in the `council` size (about 90 a year): fewer could not keep the
    # caseloads at the benchmark once which cases are open follows from the durations.
    "small": DemoSize(
        localities=1,
        service_areas=3,
        practitioners=16,
        open_cases=450,
        years=2,
        requests_per_year=1_400,
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
    employment: str = PERMANENT


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
class DemoContact:
    occurred_on: date
    kind: str
    practitioner_key: str
    note: str


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
    tier: int  # of the default complexity model; every holder's role may hold it
    # Held cases always have a next review; allocated and waiting ones when the work is one.
    next_review_on: date | None = None
    last_reviewed_on: date | None = None
    contacts: tuple[DemoContact, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoCouncil:
    size: str
    seed: int
    as_of: date
    teams: tuple[DemoTeam, ...]
    practitioners: tuple[DemoPractitioner, ...]
    people: tuple[DemoPerson, ...]
    cases: tuple[DemoCase, ...]
    strained_team_keys: tuple[str, ...] = ()


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

    def mean(self, values: Mapping[int, float]) -> float:
        """The weighted mean of `values` by code (codes are whole numbers here: tiers)."""
        weights = [b - a for a, b in itertools.pairwise((0.0, *self._cumulative))]
        return (
            sum(w * values[int(c)] for c, w in zip(self._codes, weights, strict=True)) / self._total
        )


# The weight tables are `demo_tables`' (one copy, shared with the benchmark's instances).
_CASE_HOLDER_ROLES: Final = _Weighted(tables.CASE_HOLDER_ROLES)
_FTE: Final = _Weighted(tables.FTE)
_MANAGER_FTE: Final = _Weighted(tables.MANAGER_FTE)
_CASELOAD_SD: Final = 3.0  # at 1.0 FTE: social workers mostly 15-25
_ABSENCE_REASONS: Final = _Weighted(tables.ABSENCE_REASONS)
_NFA_OUTCOMES: Final = _Weighted([(c, w) for c, w in tables.OUTCOMES if c.startswith("nfa_")])
_OTHER_OUTCOMES: Final = _Weighted([(c, w) for c, w in tables.OUTCOMES if not c.startswith("nfa_")])
# Which roles may hold each tier: the default complexity model's bands.
_TIER_ROLES: Final[dict[int, frozenset[str]]] = {
    band.tier: frozenset(band.roles) for band in complexity.default_model().tiers
}
_PSR: Final = {area: _Weighted(w) for area, w in tables.PRIMARY_SUPPORT_REASONS.items()}
_ROUTES: Final = {area: _Weighted(w) for area, w in tables.ROUTES_OF_ACCESS.items()}
_SOURCES: Final = {area: _Weighted(w) for area, w in tables.REQUEST_SOURCES.items()}

# Requests that become cases: the share per team is set by Little's law so that the cases
# still in their first spell of practitioner work fill the caseloads (see _share_becoming_cases).
# The others close at the front door within four weeks, after four days or so (three weeks when
# it is not an NFA), most (81%) with no further action; of cases closed after practitioner work,
# a fifth are NFA (the Client Level Data shares of the two routes to closure).
_NFA_AT_FRONT_DOOR: Final = 0.81
_NFA_AFTER_WORK: Final = 0.2
_MEAN_DAYS_OPEN_NFA: Final = 4.0
_MEAN_DAYS_OPEN_OTHER: Final = 21.0
_FRONT_DOOR_DAYS: Final = 28
_PREVIOUS_ALLOCATION_RATE: Final = 0.10
_REPEAT_REQUEST_RATE: Final = 0.15
_UNPAID_CARER_RATE: Final = 0.35
_NHS_NUMBER_UNKNOWN_RATE: Final = 0.04

# Demand: a weekday's requests against an ordinary Wednesday. Winter pressure peaks in late
# January (cosine, +-10%), August dips further (holidays), Christmas to New Year and bank
# holidays bring few requests; growth compounds by the day.
_WEEKDAY_SHARE: Final = (1.15, 1.05, 1.0, 1.0, 0.85)
_WINTER_SWING: Final = 0.10
_WINTER_PEAK_DAY: Final = 25  # day of the year
_AUGUST: Final = 0.93
_CHRISTMAS: Final = 0.45
_BANK_HOLIDAY: Final = 0.3
_GROWTH_PER_YEAR: Final = 0.03
_WEEK_NOISE_SD: Final = 0.06
# Teams under strain: one in nine (at least one), with more demand and fuller caseloads.
_STRAINED_EVERY: Final = 9
_STRAINED_DEMAND: Final = 1.15
_STRAINED_CASELOAD: Final = 1.2

# Waits for allocation are log-normal: a median of days to weeks and a tail of a few months,
# longer in a team under strain. About this share of open cases is then waiting for allocation
# (it follows from the waits; it is used only to leave room for them when sizing the held cases).
_WAITING_SHARE: Final = 0.05
_MEDIAN_WAIT_DAYS: Final = 9.0
_STRAINED_MEDIAN_WAIT_DAYS: Final = 30.0
_WAIT_SIGMA: Final = 0.9
_MAX_WAIT_DAYS: Final = 270

# Allocated work: cases in their first spell of practitioner work, and reviews of held cases
# falling due (this share of each holder's caseload).
_REVIEW_WORK_SHARE: Final = 0.5
# When a first spell ends the case is closed, or held by the team (its care plan in place) and
# reviewed yearly; the held ones are the more likely the more recent the spell's end (people
# die or move away): a weight of exp(-age / _HELD_DECAY_DAYS).
_HELD_DECAY_DAYS: Final = 1000.0
# Reviews are held from a week early to ten weeks late; some (more under strain) slip by up to
# nine months.
_REVIEW_LATENESS: Final = (-7, 70)
_REVIEW_SLIP: Final = (71, 270)
_REVIEW_SLIP_CHANCE: Final = 0.2
_STRAINED_REVIEW_SLIP_CHANCE: Final = 0.4
_REVIEW_ALLOCATION_DAYS: Final = (7, 35)
# Reviews due are allocated in order of due date give or take this many days.
_REVIEW_JITTER_DAYS: Final = 90
_STRAINED_REVIEW_JITTER_DAYS: Final = 365

# Contacts: every fortnight or so while a case is allocated; some long-running cases drift
# unseen for three months or more. A held case keeps the contacts of its latest assessment or
# review only (the earlier ones add rows, not information, to the demo).
_MEAN_CONTACT_GAP_DAYS: Final = 14.0
_DRIFT_CHANCE: Final = 0.5
_STRAINED_DRIFT_CHANCE: Final = 0.7
_DRIFT_DAYS: Final = (90, 200)
_CONTACT_KINDS: Final = _Weighted((("visit", 35), ("call", 40), ("meeting", 15), ("letter", 10)))
_CONTACT_NOTES: Final[dict[str, tuple[str, ...]]] = {
    "visit": ("Home visit", "Visited with the occupational therapist", "Visit with family present"),
    "call": ("Call with the person", "Call with the carer", "Call with the GP surgery"),
    "meeting": ("Planning meeting", "Multi-disciplinary meeting", "Best interests meeting"),
    "letter": ("Letter confirming the plan", "Letter with the review outcome"),
}
_REVIEW_KINDS: Final = ("visit", "meeting")
# Closed cases keep their contacts for a year: enough for a year's activity, and the load stays
# quick (contacts are the largest table).
_CLOSED_CONTACT_DAYS: Final = 365

# Employment: agency and fixed-term cover among registered case holders and assistants.
_AGENCY_CHANCE: Final = 0.08
_FIXED_TERM_CHANCE: Final = 0.05
_AGENCY_START_DAYS: Final = (30, 540)

# Inward-code letters exclude C, I, K, M, O and V (Royal Mail).
_INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"

_MAX_AGE: Final = 100


@dataclass(frozen=True, slots=True)
class _Draft:
    """A case before its person is known (people are assigned in received order)."""

    received_at: datetime
    team_index: int
    tier: int
    status: str
    closed_at: datetime | None = None
    outcome: str = ""
    allocations: tuple[DemoAllocation, ...] = ()
    next_review_on: date | None = None
    last_reviewed_on: date | None = None
    contacts: tuple[DemoContact, ...] = ()


@dataclass(frozen=True, slots=True)
class _TeamStaff:
    """A team's case holders sorted by start date, so 'who was here by day D' is a bisect."""

    manager_key: str
    holders: tuple[DemoPractitioner, ...]
    start_dates: tuple[date, ...]
    strained: bool

    def eligible(self, tier: int, day: date | None = None) -> list[DemoPractitioner]:
        """The holders whose role may hold the tier (who were here by `day`, if given)."""
        present = (
            self.holders
            if day is None
            else self.holders[: bisect.bisect_right(self.start_dates, day)]
        )
        return [holder for holder in present if holder.role in _TIER_ROLES[tier]]

    def first_eligible(self, tier: int) -> date:
        """The day the first holder who may hold the tier arrived (max: no one may)."""
        return min((holder.start_date for holder in self.eligible(tier)), default=date.max)

    def tier_mix(self, area: str) -> _Weighted:
        """The service area's tier mix, over the tiers someone in the team may hold."""
        mix = tables.TIER_MIX[area]
        return _Weighted(
            [(str(tier), mix[tier - 1] if self.eligible(tier) else 0.0) for tier in _TIER_ROLES]
        )


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
    practitioners = _with_employment(
        rng, _make_practitioners(rng, shape, teams, as_of), as_of, teams[0].key
    )
    strained = frozenset(rng.sample(range(len(teams)), max(1, len(teams) // _STRAINED_EVERY)))
    staff = _team_staff(teams, practitioners, strained)
    requests = _requests(clock, shape, staff)

    caseloads = _caseloads(rng, staff, shape.open_cases)
    allocated = sum(sum(counts) for counts in caseloads)
    waiting = round(shape.open_cases * _WAITING_SHARE)
    held = _apportion(
        max(0, shape.open_cases - allocated - waiting), [len(s.holders) for s in staff]
    )
    drafts: list[_Draft] = []
    for team_index, team_staff in enumerate(staff):
        drafts.extend(
            _team_drafts(
                clock,
                team_index,
                team_staff,
                teams[team_index].service_area,
                requests[team_index],
                caseloads=caseloads[team_index],
                held=held[team_index],
            )
        )

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
        strained_team_keys=tuple(teams[i].key for i in sorted(strained)),
    )


def expected_requests(day: date, *, as_of: date) -> float:
    """A day's expected requests against an ordinary Wednesday in the year before `as_of`:
    none at weekends, fewer on bank holidays and over Christmas, more in winter, fewer in
    summer (August most), and growing a few per cent a year."""
    if day.weekday() >= 5:
        return 0.0
    season = 1 + _WINTER_SWING * math.cos(
        2 * math.pi * (day.timetuple().tm_yday - _WINTER_PEAK_DAY) / 365.25
    )
    if (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 1):
        season *= _CHRISTMAS
    elif is_bank_holiday(day):
        season *= _BANK_HOLIDAY
    elif day.month == 8:
        season *= _AUGUST
    growth = math.pow(1 + _GROWTH_PER_YEAR, -(as_of - day).days / 365.25)
    return season * growth * _WEEKDAY_SHARE[day.weekday()]


def expected_arrivals(council: DemoCouncil, *, weeks: int) -> dict[int, float]:
    """Requests a week by tier that the generator means the council to have had over the
    `weeks` before its day: its requests a year over the days by `expected_requests`, to teams
    by demand (more to a team under strain) and to tiers by each service area's mix (every
    team of the named sizes has someone who may hold each tier)."""
    shape = SIZES[council.size]
    first = council.as_of - timedelta(days=shape.years * 365)
    days = [first + timedelta(days=n) for n in range(shape.years * 365)]
    window = council.as_of - timedelta(weeks=weeks)
    demand = [expected_requests(day, as_of=council.as_of) for day in days]
    in_window = sum(d for day, d in zip(days, demand, strict=True) if day >= window) / sum(demand)
    strained = set(council.strained_team_keys)
    team_demand = {t.key: _STRAINED_DEMAND if t.key in strained else 1.0 for t in council.teams}
    total = sum(team_demand.values())
    per_week = shape.total_requests * in_window / weeks
    return {
        tier: per_week
        * sum(
            team_demand[t.key] / total * tables.TIER_MIX[t.service_area][tier - 1]
            for t in council.teams
        )
        for tier in _TIER_ROLES
    }


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


def _with_employment(
    rng: random.Random, practitioners: Sequence[DemoPractitioner], as_of: date, first_team: str
) -> tuple[DemoPractitioner, ...]:
    """Some agency and fixed-term case holders, drawn after everything else about the staff so
    the rest of the council is as it was. Agency workers arrived in the last eighteen months;
    ASYEs, assistants and managers are never agency staff (assistants may be fixed-term)."""
    staff = []
    for practitioner in practitioners:
        role = Role(practitioner.role)
        if role not in CASE_HOLDING_ROLES or role == Role.ASYE:
            staff.append(practitioner)
            continue
        draw = rng.random()
        if draw < _AGENCY_CHANCE and role != Role.ASSISTANT:
            arrived = as_of - timedelta(days=rng.randint(*_AGENCY_START_DAYS))
            start_date = max(practitioner.start_date, arrived)
            staff.append(
                dataclasses.replace(practitioner, employment=AGENCY, start_date=start_date)
            )
        elif draw < _AGENCY_CHANCE + _FIXED_TERM_CHANCE:
            staff.append(dataclasses.replace(practitioner, employment=FIXED_TERM))
        else:
            staff.append(practitioner)
    # Every council has agency cover somewhere, outside the demo logins' (first) team.
    eligible = [
        index
        for index, p in enumerate(staff)
        if p.team_key not in (None, first_team)
        and Role(p.role) in CASE_HOLDING_ROLES
        and p.role not in (Role.ASYE, Role.ASSISTANT)
    ]
    if eligible and all(p.employment != AGENCY for p in staff):
        index = eligible[-1]
        arrived = as_of - timedelta(days=rng.randint(*_AGENCY_START_DAYS))
        start_date = max(staff[index].start_date, arrived)
        staff[index] = dataclasses.replace(staff[index], employment=AGENCY, start_date=start_date)
    return tuple(staff)


def _team_staff(
    teams: Sequence[DemoTeam],
    practitioners: Sequence[DemoPractitioner],
    strained: frozenset[int],
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
    for index, team in enumerate(teams):
        ordered = tuple(sorted(holders[team.key], key=lambda p: (p.start_date, p.key)))
        staff.append(
            _TeamStaff(
                manager_key=managers[team.key],
                holders=ordered,
                start_dates=tuple(p.start_date for p in ordered),
                strained=index in strained,
            )
        )
    return staff


def _caseloads(rng: random.Random, staff: Sequence[_TeamStaff], open_cases: int) -> list[list[int]]:
    """Allocated cases per case holder, team by team, in each team's holder order."""
    loads = []
    for team_staff in staff:
        strain = _STRAINED_CASELOAD if team_staff.strained else 1.0
        team_loads = []
        for holder in team_staff.holders:
            fte = float(holder.fte)
            mean = tables.CASELOAD_BASE[Role(holder.role)] * fte * strain
            team_loads.append(max(3, round(rng.gauss(mean, _CASELOAD_SD * fte))))
        loads.append(team_loads)
    total = sum(sum(team_loads) for team_loads in loads)
    if total > open_cases:
        # Leave some open cases waiting even then: an allocation meeting needs a queue.
        factor = open_cases * 0.85 / total
        loads = [[math.floor(load * factor) for load in team_loads] for team_loads in loads]
    return loads


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split total in proportion to weights (largest remainder, ties to the earlier index)."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _requests(clock: _Clock, shape: DemoSize, staff: Sequence[_TeamStaff]) -> list[list[datetime]]:
    """Every request's moment, by team in received order: the total apportioned over the days
    by `expected_requests` and a week's noise, and each request to a team by its demand."""
    rng = clock.rng
    first = clock.as_of - timedelta(days=shape.years * 365)
    days = [first + timedelta(days=n) for n in range(shape.years * 365)]
    noise: dict[date, float] = {}
    weights = []
    for day in days:
        monday = day - timedelta(days=day.weekday())
        if monday not in noise:
            noise[monday] = max(0.5, rng.gauss(1.0, _WEEK_NOISE_SD))
        weights.append(expected_requests(day, as_of=clock.as_of) * noise[monday])
    teams = _Weighted(
        [(str(i), _STRAINED_DEMAND if s.strained else 1.0) for i, s in enumerate(staff)]
    )
    by_team: list[list[datetime]] = [[] for _ in staff]
    for day, count in zip(days, _apportion(shape.total_requests, weights), strict=True):
        for _ in range(count):
            by_team[int(teams.pick(rng))].append(clock.at(day))
    for moments in by_team:
        moments.sort()
    return by_team


@dataclass(frozen=True, slots=True)
class _Spell:
    """A request that became a case, with its tier and its first spell of practitioner work:
    from `first` to `last` (after the clock's last day: still running)."""

    received_at: datetime
    tier: int
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class _History:
    """A held case's past: its first spell of work and its reviews, each allocated and ended."""

    allocations: tuple[DemoAllocation, ...]
    contacts: tuple[DemoContact, ...]
    last_reviewed_on: date | None
    next_review_on: date
    ended_at: datetime  # when its last allocation ended


def _team_drafts(
    clock: _Clock,
    team_index: int,
    team: _TeamStaff,
    area: str,
    moments: list[datetime],
    *,
    caseloads: Sequence[int],
    held: int,
) -> list[_Draft]:
    """A team's cases, request by request as a queue would make them: each request's tier from
    the service area's mix; it becomes a case (at the team's share) or closes at the front door;
    a case waits, then its first spell of practitioner work lasts a draw from its tier's
    duration. A spell still running on the day is allocated; one that ended was closed then, or
    held with yearly reviews, the reviews falling due allocated or waiting. Who holds each
    allocated case follows the holders' caseload targets; which cases are open does not."""
    rng = clock.rng
    reviews = round(_REVIEW_WORK_SHARE * sum(caseloads))
    tiers = team.tier_mix(area)
    share = _share_becoming_cases(clock, tiers, moments, sum(caseloads) - reviews)
    drafts: list[_Draft] = []
    running: list[_Spell] = []
    ended: list[_Spell] = []
    for received_at in moments:
        tier = int(tiers.pick(rng))
        if rng.random() >= share:
            drafts.append(_front_door(clock, team_index, received_at, tier))
            continue
        first = max(received_at.date() + _wait(rng, team), team.first_eligible(tier))
        days = round(_draw_weeks(rng, PRACTITIONER_WORK_WEEKS[tier]) * 7)
        if first > clock.last_day:
            drafts.append(_Draft(received_at, team_index, tier, AWAITING_ALLOCATION))
            continue
        spell = _Spell(received_at, tier, first, first + timedelta(days=days))
        (running if spell.last > clock.last_day else ended).append(spell)

    # Ended spells: held (enough of them, in expectation, for the team's held cases and the
    # reviews its holders carry) or closed.
    weights = [math.exp(-(clock.as_of - s.last).days / _HELD_DECAY_DAYS) for s in ended]
    scale = (held + reviews) / sum(weights) if weights else 0.0
    histories: list[tuple[_Spell, _History]] = []
    for spell, weight in zip(ended, weights, strict=True):
        if rng.random() < scale * weight:
            histories.append((spell, _held_history(clock, team, spell)))
        else:
            drafts.append(_closed_after_work(clock, team_index, team, spell))

    # As the daily run leaves it (reviews.mark_reviews_due), no case is held within
    # REVIEW_LEAD_DAYS of its review: each due one is allocated for it (the earlier due first,
    # roughly, as an allocation meeting would; a team under strain less so) or waits.
    due_by = clock.as_of + timedelta(days=REVIEW_LEAD_DAYS)
    jitter = _STRAINED_REVIEW_JITTER_DAYS if team.strained else _REVIEW_JITTER_DAYS
    due = sorted(
        (history.next_review_on + timedelta(days=rng.randint(0, jitter)), k)
        for k, (_, history) in enumerate(histories)
        if history.next_review_on <= due_by
    )
    reviewed = {k for _, k in due[:reviews]}
    for k, (spell, history) in enumerate(histories):
        if k not in reviewed:
            status = HELD if history.next_review_on > due_by else AWAITING_ALLOCATION
            drafts.append(
                _Draft(
                    spell.received_at,
                    team_index,
                    spell.tier,
                    status,
                    allocations=history.allocations,
                    next_review_on=history.next_review_on,
                    last_reviewed_on=history.last_reviewed_on,
                    contacts=history.contacts,
                )
            )

    # Allocated work to holders who may hold its tier, each to the one furthest below their
    # caseload target, the highest tiers first (the fewest may hold them).
    loads = _Loads(team, caseloads)
    work = sorted(
        [(-spell.tier, 0, k) for k, spell in enumerate(running)]
        + [(-histories[k][0].tier, 1, k) for k in sorted(reviewed)]
    )
    for _, kind, k in work:
        if kind == 0:
            spell = running[k]
            drafts.append(_running_work(clock, team_index, team, loads.take(spell.tier), spell))
        else:
            spell, history = histories[k]
            holder = loads.take(spell.tier)
            drafts.append(_review_work(clock, team_index, team, holder, spell, history))
    return drafts


class _Loads:
    """A team's holders' room below their caseload targets, as allocated work is given out."""

    def __init__(self, team: _TeamStaff, targets: Sequence[int]) -> None:
        self.team = team
        self.room = {h.key: target for h, target in zip(team.holders, targets, strict=True)}

    def take(self, tier: int) -> DemoPractitioner:
        """The holder who may hold the tier with the most room (the earlier of equals), now
        holding one more."""
        best: DemoPractitioner | None = None
        for holder in self.team.eligible(tier):
            if best is None or self.room[holder.key] > self.room[best.key]:
                best = holder
        if best is None:
            raise ValueError(f"no one in the team may hold Tier {tier}")
        self.room[best.key] -= 1
        return best


def _share_becoming_cases(
    clock: _Clock, tiers: _Weighted, moments: Sequence[datetime], allocated: int
) -> float:
    """The share of requests that become cases for `allocated` cases to be in their first
    spell of work on the day, by Little's law: open = cases a week x mean weeks of work, at the
    team's requests a week over the last year and its tier mix's mean duration."""
    year_ago = clock.as_of - timedelta(days=365)
    per_week = sum(1 for moment in moments if moment.date() >= year_ago) / (365 / 7)
    mean_weeks = tiers.mean({tier: PRACTITIONER_WORK_WEEKS[tier].mean for tier in _TIER_ROLES})
    if per_week * mean_weeks <= 0:
        return 0.0
    return min(1.0, allocated / (per_week * mean_weeks))


def _wait(rng: random.Random, team: _TeamStaff) -> timedelta:
    """Days from a request to its allocation: log-normal, longer in a team under strain."""
    median = _STRAINED_MEDIAN_WAIT_DAYS if team.strained else _MEDIAN_WAIT_DAYS
    return timedelta(
        days=min(round(rng.lognormvariate(math.log(median), _WAIT_SIGMA)), _MAX_WAIT_DAYS)
    )


def _draw_weeks(rng: random.Random, duration: Duration) -> float:
    """A duration in weeks from an exponential or lognormal (by its mean and sd)."""
    if duration.distribution == "exponential":
        return rng.expovariate(1 / duration.mean)
    if duration.distribution == "lognormal":
        return rng.lognormvariate(*duration.log_parameters())
    raise ValueError("the demo draws exponential or lognormal durations")


def _front_door(clock: _Clock, team_index: int, received_at: datetime, tier: int) -> _Draft:
    """A request that does not become a case: closed within four weeks, most with no further
    action, or still being screened if that is after the day."""
    rng = clock.rng
    nfa = rng.random() < _NFA_AT_FRONT_DOOR
    outcome = (_NFA_OUTCOMES if nfa else _OTHER_OUTCOMES).pick(rng)
    days = int(rng.expovariate(1 / (_MEAN_DAYS_OPEN_NFA if nfa else _MEAN_DAYS_OPEN_OTHER)))
    if days > _FRONT_DOOR_DAYS:
        days = rng.randint(0, _FRONT_DOOR_DAYS)
    closed_day = received_at.date() + timedelta(days=days)
    if closed_day > clock.last_day:
        return _Draft(received_at, team_index, tier, AWAITING_SCREENING)
    closed_at = clock.after(received_at, closed_day)
    return _Draft(received_at, team_index, tier, CLOSED, closed_at, outcome)


def _closed_after_work(clock: _Clock, team_index: int, team: _TeamStaff, spell: _Spell) -> _Draft:
    """A case closed when its first spell of work ended; contacts kept for a recent one."""
    rng = clock.rng
    allocations: list[DemoAllocation] = []
    contacts: list[DemoContact] = []
    # Someone who may hold the tier was there by the spell's first day: it starts no earlier.
    days, worked = (spell.first, spell.last), (allocations, contacts)
    closed_at = _worked(clock, team, spell.tier, worked, spell.received_at, days, rng.randint(1, 3))
    outcome = (_NFA_OUTCOMES if rng.random() < _NFA_AFTER_WORK else _OTHER_OUTCOMES).pick(rng)
    recent = (clock.as_of - spell.last).days <= _CLOSED_CONTACT_DAYS
    return _Draft(
        spell.received_at,
        team_index,
        spell.tier,
        CLOSED,
        closed_at,
        outcome,
        tuple(allocations),
        contacts=tuple(contacts) if recent else (),
    )


def _running_work(
    clock: _Clock, team_index: int, team: _TeamStaff, holder: DemoPractitioner, spell: _Spell
) -> _Draft:
    """A first spell still running, held by `holder`: handed over from someone else who may
    hold the tier when `holder` arrived after it began (and at times anyway); contacts to date,
    except a few long-running cases that have drifted unseen."""
    rng = clock.rng
    allocations: list[DemoAllocation] = []
    contacts: list[DemoContact] = []
    others = [p for p in team.eligible(spell.tier, spell.first) if p.key != holder.key]
    start_at = clock.after(spell.received_at, spell.first)
    if others and (holder.start_date > spell.first or rng.random() < _PREVIOUS_ALLOCATION_RATE):
        previous = rng.choice(others)
        handover_day = clock.day_between(max(spell.first, holder.start_date), 30.0)
        handover_at = clock.after(start_at, handover_day)
        allocations.append(DemoAllocation(previous.key, start_at, handover_at, team.manager_key))
        contacts.extend(_ongoing_contacts(rng, previous.key, spell.first, handover_day))
        start_at = handover_at
    allocations.append(DemoAllocation(holder.key, start_at, None, team.manager_key))
    start_day = start_at.date()
    stop = clock.last_day
    drift = _STRAINED_DRIFT_CHANCE if team.strained else _DRIFT_CHANCE
    span = (clock.as_of - start_day).days
    if span > _DRIFT_DAYS[0] + 10 and rng.random() < drift:
        stop = clock.as_of - timedelta(days=rng.randint(_DRIFT_DAYS[0], min(span, _DRIFT_DAYS[1])))
    contacts.extend(_ongoing_contacts(rng, holder.key, start_day, stop))
    return _Draft(
        spell.received_at,
        team_index,
        spell.tier,
        ALLOCATED,
        allocations=tuple(allocations),
        contacts=tuple(contacts),
    )


def _held_history(clock: _Clock, team: _TeamStaff, spell: _Spell) -> _History:
    """A case whose first spell of work ended with its care plan in place, then held and
    reviewed about yearly until the day (a review late enough is still outstanding, so
    overdue). Each review was allocated to someone in the team then who may hold the tier."""
    rng = clock.rng
    allocations: list[DemoAllocation] = []
    contacts: list[DemoContact] = []
    days, worked = (spell.first, spell.last), (allocations, contacts)
    latest = _worked(clock, team, spell.tier, worked, spell.received_at, days, rng.randint(2, 4))
    slip = _STRAINED_REVIEW_SLIP_CHANCE if team.strained else _REVIEW_SLIP_CHANCE
    last_reviewed: date | None = None
    due = add_months(spell.last, REVIEW_INTERVAL_MONTHS)
    while True:
        late = rng.randint(*(_REVIEW_SLIP if rng.random() < slip else _REVIEW_LATENESS))
        held_on = due + timedelta(days=late)
        if held_on > clock.last_day:
            break
        begin = max(held_on - timedelta(days=rng.randint(*_REVIEW_ALLOCATION_DAYS)), latest.date())
        contacts.clear()
        latest = _worked(
            clock,
            team,
            spell.tier,
            (allocations, contacts),
            latest,
            (begin, held_on),
            rng.randint(1, 2),
        )
        last_reviewed = held_on
        due = add_months(held_on, REVIEW_INTERVAL_MONTHS)
    return _History(tuple(allocations), tuple(contacts), last_reviewed, due, latest)


def _worked(
    clock: _Clock,
    team: _TeamStaff,
    tier: int,
    into: tuple[list[DemoAllocation], list[DemoContact]],
    earliest: datetime,
    days: tuple[date, date],
    contacts: int,
) -> datetime:
    """A finished piece of work over `days`, allocated to someone in the team who may hold the
    tier by its first day (if anyone was), with `contacts` contacts; returns when it ended (or
    `earliest`)."""
    rng = clock.rng
    first, last = days
    present = team.eligible(tier, first)
    if not present:
        return earliest
    worker = rng.choice(present)
    started = clock.after(earliest, first)
    ended = clock.after(started, last)
    into[0].append(DemoAllocation(worker.key, started, ended, team.manager_key))
    into[1].extend(_spread_contacts(rng, worker.key, first, last, contacts))
    return ended


def _review_work(
    clock: _Clock,
    team_index: int,
    team: _TeamStaff,
    holder: DemoPractitioner,
    spell: _Spell,
    history: _History,
) -> _Draft:
    """A held case whose review has fallen due, allocated to `holder` for it in the last weeks."""
    rng = clock.rng
    earliest = history.ended_at
    start_day = history.next_review_on - timedelta(days=rng.randint(0, 21))
    start_day = min(max(start_day, earliest.date(), holder.start_date), clock.last_day)
    start_at = clock.after(earliest, start_day)
    current = DemoAllocation(holder.key, start_at, None, team.manager_key)
    ongoing = _ongoing_contacts(rng, holder.key, start_day, clock.last_day)
    return _Draft(
        spell.received_at,
        team_index,
        spell.tier,
        ALLOCATED,
        allocations=(*history.allocations, current),
        next_review_on=history.next_review_on,
        last_reviewed_on=history.last_reviewed_on,
        contacts=(*history.contacts, *ongoing),
    )


def _contact(rng: random.Random, key: str, day: date, kinds: _Weighted) -> DemoContact:
    kind = kinds.pick(rng)
    note = rng.choice(_CONTACT_NOTES[kind]) if rng.random() < 0.5 else ""
    return DemoContact(occurred_on=day, kind=kind, practitioner_key=key, note=note)


def _ongoing_contacts(rng: random.Random, key: str, first: date, stop: date) -> list[DemoContact]:
    """Contacts on weekdays from soon after `first` up to `stop`, about every ten days."""
    contacts: list[DemoContact] = []
    day = first + timedelta(days=rng.randint(0, 3))
    while True:
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        if day > stop:
            return contacts
        contacts.append(_contact(rng, key, day, _CONTACT_KINDS))
        day += timedelta(days=1 + int(rng.expovariate(1 / _MEAN_CONTACT_GAP_DAYS)))


_FINAL_KINDS: Final = _Weighted(tuple((kind, 1.0) for kind in _REVIEW_KINDS))


def _spread_contacts(
    rng: random.Random, key: str, first: date, last: date, count: int
) -> list[DemoContact]:
    """`count` contacts over a finished piece of work, the last a visit or meeting at its end."""
    span = (last - first).days
    days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(count - 1))
    contacts = [_contact(rng, key, day, _CONTACT_KINDS) for day in days]
    contacts.append(_contact(rng, key, last, _FINAL_KINDS))
    return contacts


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
                tier=draft.tier,
                next_review_on=draft.next_review_on,
                last_reviewed_on=draft.last_reviewed_on,
                contacts=draft.contacts,
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
