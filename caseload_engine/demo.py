"""A deterministic synthetic council: teams, practitioners, people and cases for demos and tests.

`generate(size, seed=..., as_of=...)` returns the same council for the same arguments: every
random draw comes from one `random.Random(seed)` in a fixed order, and nothing iterates a set.
No real individual appears: names are random pairs from common-name lists, NHS numbers come from
the never-issued 999 range and postcodes from the non-existent "ZZ" area.

The shape follows the product brief ("What open means"): one team manager per team and one
principal social worker; requests every weekday for `years` years, with winter pressure, a summer
dip, a Christmas dip and a few per cent growth a year; each case holder's allocated caseload
around the published benchmarks (15-25 at 1.0 FTE, fewer for ASYEs); a waiting list of a few
per cent of open cases, new requests mostly waiting days to weeks; most open cases held by their
team with a care plan in place until their next annual review falls due, when it is allocated
or waits (some overdue); the rest of the requests closed with Client Level Data outcomes. A
couple of teams are under strain: more demand, fuller caseloads, longer waits, later reviews.
Cases carry their contacts and review dates. Every event happens before `as_of` (by the evening
of the day before).
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
from caseload_engine.dates import add_months, is_bank_holiday
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
    # Two years, so that held cases have had a review and some are overdue.
    "small": DemoSize(
        localities=1,
        service_areas=3,
        practitioners=16,
        open_cases=450,
        years=2,
        requests_per_year=400,
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

# New requests waiting: this share of open cases, three times as many per worker in a team
# under strain (reviews falling due wait too). Waits are log-normal: a median of days to weeks
# and a tail of a few months.
_WAITING_SHARE: Final = 0.03
_STRAINED_WAITING: Final = 3.0
_SCREENING_DAYS: Final = 21
_MEDIAN_WAIT_DAYS: Final = 12.0
_STRAINED_MEDIAN_WAIT_DAYS: Final = 35.0
_WAIT_SIGMA: Final = 0.9
_MEAN_DAYS_TO_ALLOCATE: Final = 10.0

# Allocated work: new requests in assessment (most allocated within weeks, some long-running)
# and reviews of held cases falling due. A case held when its assessment ends, 3-13 weeks on.
_REVIEW_WORK_SHARE: Final = 0.45
_LONG_RUNNING_SHARE: Final = 0.25
_ASSESSMENT_DAYS: Final = (21, 90)
# Held cases are picked among requests at least this old, the older a little less often
# (people die or move away): a weight of exp(-age / _HELD_DECAY_DAYS).
_HELD_MIN_AGE_DAYS: Final = 45
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
_DRIFT_CHANCE: Final = 0.3
_STRAINED_DRIFT_CHANCE: Final = 0.5
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
    waiting_total = round(shape.open_cases * _WAITING_SHARE)
    waiting = _apportion(
        waiting_total,
        [len(s.holders) * (_STRAINED_WAITING if s.strained else 1.0) for s in staff],
    )
    held = _apportion(
        max(0, shape.open_cases - allocated - waiting_total), [len(s.holders) for s in staff]
    )
    drafts: list[_Draft] = []
    for team_index, team_staff in enumerate(staff):
        drafts.extend(
            _team_drafts(
                clock,
                team_index,
                team_staff,
                requests[team_index],
                caseloads=caseloads[team_index],
                waiting=waiting[team_index],
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


class _Requests:
    """One team's requests in received order, each taken once for a fate (waiting, allocated,
    held; the rest closed)."""

    def __init__(self, moments: list[datetime]) -> None:
        self.moments = moments
        self.days = [moment.date() for moment in moments]
        # _left[i + 1] == i + 1 while request i is free; a taken one points left (union-find),
        # so the latest free request on or before a day is found in near-constant time.
        self._left = list(range(len(moments) + 1))

    def is_free(self, index: int) -> bool:
        return self._left[index + 1] == index + 1

    def take(self, index: int) -> datetime:
        self._left[index + 1] = index
        return self.moments[index]

    def _latest_free(self, slot: int) -> int:
        root = slot
        while self._left[root] != root:
            root = self._left[root]
        while self._left[slot] != root:
            self._left[slot], slot = root, self._left[slot]
        return root

    def near(self, day: date) -> int | None:
        """The latest free request received on or before `day`, else the earliest after it."""
        end = bisect.bisect_right(self.days, day)
        slot = self._latest_free(end)
        if slot:
            return slot - 1
        return next((i for i in range(end, len(self.days)) if self.is_free(i)), None)

    def sample(
        self, rng: random.Random, count: int, *, before: date, decay_days: float
    ) -> list[int]:
        """Up to `count` free requests received before `before`, in received order, the older
        less likely (weight exp(-age / decay_days); weighted sampling by random keys)."""
        end = bisect.bisect_left(self.days, before)
        keyed = sorted(
            (
                (rng.random() ** math.exp((before - self.days[i]).days / decay_days), i)
                for i in range(end)
                if self.is_free(i)
            ),
            reverse=True,
        )
        return sorted(index for _, index in keyed[:count])

    def free(self) -> list[int]:
        return [i for i in range(len(self.days)) if self.is_free(i)]


@dataclass(frozen=True, slots=True)
class _History:
    """A held case's past: its assessment and reviews, each allocated and ended."""

    allocations: tuple[DemoAllocation, ...]
    contacts: tuple[DemoContact, ...]
    last_reviewed_on: date | None
    next_review_on: date
    ended_at: datetime  # when its last allocation ended (when it was received, if none)


def _team_drafts(
    clock: _Clock,
    team_index: int,
    team: _TeamStaff,
    moments: list[datetime],
    *,
    caseloads: Sequence[int],
    waiting: int,
    held: int,
) -> list[_Draft]:
    """A team's cases: the waiting list from recent requests, each holder's allocated cases
    (new work from the last months, reviews of held cases falling due), held cases from older
    requests, and every other request closed."""
    rng = clock.rng
    requests = _Requests(moments)
    drafts: list[_Draft] = []
    median = _STRAINED_MEDIAN_WAIT_DAYS if team.strained else _MEDIAN_WAIT_DAYS
    for _ in range(waiting):
        if rng.random() < _SCREENING_SHARE:
            status, days = AWAITING_SCREENING, rng.randint(1, _SCREENING_DAYS)
        else:
            wait = rng.lognormvariate(math.log(median), _WAIT_SIGMA)
            status, days = AWAITING_ALLOCATION, max(1, min(round(wait), 270))
        index = requests.near(clock.as_of - timedelta(days=days))
        if index is not None:
            drafts.append(_Draft(requests.take(index), team_index, status))

    reviewers: list[DemoPractitioner] = []
    for holder, count in zip(team.holders, caseloads, strict=True):
        for _ in range(count):
            if rng.random() < _REVIEW_WORK_SHARE:
                reviewers.append(holder)
                continue
            draft = _new_work(clock, team_index, team, holder, requests)
            if draft is not None:
                drafts.append(draft)

    before = clock.as_of - timedelta(days=_HELD_MIN_AGE_DAYS)
    # Held cases and reviews come from the same draw. As the daily run leaves it (reviews.
    # mark_reviews_due), no case is held within REVIEW_LEAD_DAYS of its review: each due one is
    # allocated for it (the earlier due first, roughly, as an allocation meeting would; a team
    # under strain less so, and its overdue reviews wait) or waits on the list. Requests drawn
    # but not needed stay free (and close).
    picks = requests.sample(rng, held + len(reviewers), before=before, decay_days=_HELD_DECAY_DAYS)
    histories = {i: _held_history(clock, team, requests.moments[i]) for i in picks}
    due_by = clock.as_of + timedelta(days=REVIEW_LEAD_DAYS)
    jitter = _STRAINED_REVIEW_JITTER_DAYS if team.strained else _REVIEW_JITTER_DAYS
    due = sorted(
        (histories[i].next_review_on + timedelta(days=rng.randint(0, jitter)), i)
        for i in picks
        if histories[i].next_review_on <= due_by
    )
    by_reviewer = {i: reviewer for (_, i), reviewer in zip(due, reviewers, strict=False)}
    review_due = [i for _, i in due if i not in by_reviewer][:held]
    not_due = [i for i in picks if histories[i].next_review_on > due_by]
    kept = not_due[: held - len(review_due)]
    for index in sorted((*kept, *review_due, *by_reviewer)):
        received_at, history = requests.take(index), histories[index]
        reviewer = by_reviewer.get(index)
        if reviewer is None:
            drafts.append(
                _Draft(
                    received_at,
                    team_index,
                    HELD if history.next_review_on > due_by else AWAITING_ALLOCATION,
                    allocations=history.allocations,
                    next_review_on=history.next_review_on,
                    last_reviewed_on=history.last_reviewed_on,
                    contacts=history.contacts,
                )
            )
        else:
            drafts.append(_review_work(clock, team_index, team, reviewer, received_at, history))
    # Reviewers with no review falling due take new work instead.
    for holder in reviewers[len(by_reviewer) :]:
        draft = _new_work(clock, team_index, team, holder, requests)
        if draft is not None:
            drafts.append(draft)

    for index in requests.free():
        drafts.append(_closed_draft(clock, team_index, team, requests.take(index)))
    return drafts


def _mean_wait(team: _TeamStaff) -> float:
    """Mean days from a request to its allocation: longer in a team under strain."""
    if team.strained:
        return _MEAN_DAYS_TO_ALLOCATE * _STRAINED_MEDIAN_WAIT_DAYS / _MEDIAN_WAIT_DAYS
    return _MEAN_DAYS_TO_ALLOCATE


def _new_work(
    clock: _Clock,
    team_index: int,
    team: _TeamStaff,
    holder: DemoPractitioner,
    requests: _Requests,
) -> _Draft | None:
    """A recent request allocated to `holder` (sometimes after another worker had it): most
    allocated in the last three months, a quarter running longer; contacts to date, except a
    few long-running cases that have drifted unseen."""
    rng = clock.rng
    elapsed = rng.randint(91, 300) if rng.random() < _LONG_RUNNING_SHARE else rng.randint(1, 90)
    mean_wait = _mean_wait(team)
    target = clock.as_of - timedelta(days=elapsed + round(mean_wait))
    index = requests.near(target)
    if index is None:
        return None
    received_at = requests.take(index)
    received_day = received_at.date()

    allocations: list[DemoAllocation] = []
    contacts: list[DemoContact] = []
    others = [p for p in team.present_by(received_day) if p.key != holder.key]
    if others and rng.random() < _PREVIOUS_ALLOCATION_RATE:
        previous = rng.choice(others)
        first_day = clock.day_between(received_day, mean_wait)
        first_at = clock.after(received_at, first_day)
        handover_day = clock.day_between(max(first_day, holder.start_date), 30.0)
        handover_at = clock.after(first_at, handover_day)
        allocations.append(DemoAllocation(previous.key, first_at, handover_at, team.manager_key))
        contacts.extend(_ongoing_contacts(rng, previous.key, first_day, handover_day))
        start_at = handover_at
    else:
        first_day = clock.day_between(max(received_day, holder.start_date), mean_wait)
        start_at = clock.after(received_at, first_day)
    allocations.append(DemoAllocation(holder.key, start_at, None, team.manager_key))
    start_day = start_at.date()
    stop = clock.last_day
    drift = _STRAINED_DRIFT_CHANCE if team.strained else _DRIFT_CHANCE
    span = (clock.as_of - start_day).days
    if span > _DRIFT_DAYS[0] + 10 and rng.random() < drift:
        stop = clock.as_of - timedelta(days=rng.randint(_DRIFT_DAYS[0], min(span, _DRIFT_DAYS[1])))
    contacts.extend(_ongoing_contacts(rng, holder.key, start_day, stop))
    return _Draft(
        received_at, team_index, ALLOCATED, allocations=tuple(allocations), contacts=tuple(contacts)
    )


def _held_history(clock: _Clock, team: _TeamStaff, received_at: datetime) -> _History:
    """A request assessed, its care plan put in place 3-13 weeks on, then held and reviewed
    about yearly until the day (a review late enough is still outstanding, so overdue). Each
    assessment and review was allocated to someone in the team then, when anyone was."""
    rng = clock.rng
    start_day = clock.day_between(received_at.date(), _mean_wait(team))
    plan_day = min(start_day + timedelta(days=rng.randint(*_ASSESSMENT_DAYS)), clock.last_day)
    allocations: list[DemoAllocation] = []
    contacts: list[DemoContact] = []
    latest = _worked(
        clock, team, (allocations, contacts), received_at, (start_day, plan_day), rng.randint(2, 4)
    )
    slip = _STRAINED_REVIEW_SLIP_CHANCE if team.strained else _REVIEW_SLIP_CHANCE
    last_reviewed: date | None = None
    due = add_months(plan_day, REVIEW_INTERVAL_MONTHS)
    while True:
        late = rng.randint(*(_REVIEW_SLIP if rng.random() < slip else _REVIEW_LATENESS))
        held_on = due + timedelta(days=late)
        if held_on > clock.last_day:
            break
        begin = max(held_on - timedelta(days=rng.randint(*_REVIEW_ALLOCATION_DAYS)), latest.date())
        contacts.clear()
        latest = _worked(
            clock, team, (allocations, contacts), latest, (begin, held_on), rng.randint(1, 2)
        )
        last_reviewed = held_on
        due = add_months(held_on, REVIEW_INTERVAL_MONTHS)
    return _History(tuple(allocations), tuple(contacts), last_reviewed, due, latest)


def _worked(
    clock: _Clock,
    team: _TeamStaff,
    into: tuple[list[DemoAllocation], list[DemoContact]],
    earliest: datetime,
    days: tuple[date, date],
    contacts: int,
) -> datetime:
    """A finished piece of work over `days`, allocated to someone in the team by its first day
    (if anyone was), with `contacts` contacts; returns when it ended (or `earliest`)."""
    rng = clock.rng
    first, last = days
    present = team.present_by(first)
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
    received_at: datetime,
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
        received_at,
        team_index,
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


def _closed_draft(
    clock: _Clock, team_index: int, team: _TeamStaff, received_at: datetime
) -> _Draft:
    rng = clock.rng
    received_day = received_at.date()
    outcome = _OUTCOMES.pick(rng)
    nfa = outcome.startswith("nfa_")
    mean_open = _MEAN_DAYS_OPEN_NFA if nfa else _MEAN_DAYS_OPEN_OTHER
    closed_day = clock.day_between(received_day, mean_open)
    closed_at = clock.after(received_at, closed_day)

    allocations: tuple[DemoAllocation, ...] = ()
    contacts: list[DemoContact] = []
    if rng.random() < (_ALLOCATED_IF_NFA if nfa else _ALLOCATED_OTHERWISE):
        span = (closed_day - received_day).days
        allocation_day = received_day + timedelta(days=int(span * rng.random() * 0.5))
        present = team.present_by(allocation_day)
        if present:
            started_at = min(clock.after(received_at, allocation_day), closed_at)
            holder = rng.choice(present)
            allocations = (DemoAllocation(holder.key, started_at, closed_at, team.manager_key),)
            if (clock.as_of - closed_day).days <= _CLOSED_CONTACT_DAYS:
                contacts = _spread_contacts(
                    rng, holder.key, started_at.date(), closed_at.date(), rng.randint(1, 3)
                )
    return _Draft(
        received_at, team_index, CLOSED, closed_at, outcome, allocations, contacts=tuple(contacts)
    )


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
