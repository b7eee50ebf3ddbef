"""The synthetic council generator: deterministic, realistic in shape, and internally consistent."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload_engine import complexity, demo
from caseload_engine.demo import (
    AGENCY,
    ALLOCATED,
    AWAITING_ALLOCATION,
    AWAITING_SCREENING,
    CLOSED,
    CONTACT_KINDS,
    EMPLOYMENTS,
    HELD,
    OPEN_STATUSES,
    REVIEW_LEAD_DAYS,
    SIZES,
    WAITING_STATUSES,
    DemoCase,
    DemoCouncil,
    DemoSize,
    expected_requests,
    generate,
)
from caseload_engine.identifiers import normalise_nhs_number, normalise_postcode
from caseload_engine.planning.calibrate import first_spell
from caseload_engine.reference import (
    ABSENCE_REASON_CHOICES,
    CASE_HOLDING_ROLES,
    EVENT_OUTCOME_CHOICES,
    OUTCOME_DECEASED,
    PCF_LEVEL_CHOICES,
    PRIMARY_SUPPORT_REASON_CHOICES,
    REQUEST_SOURCE_CHOICES,
    ROUTE_OF_ACCESS_CHOICES,
    SERVICE_AREA_CHOICES,
    SPECIALISM_CHOICES,
    SWE_REGISTERED_ROLES,
    Role,
)

AS_OF = date(2026, 3, 16)


def codes(choices: tuple[tuple[str, str], ...]) -> set[str]:
    return {code for code, _ in choices}


@pytest.fixture(scope="module")
def small() -> DemoCouncil:
    return generate("small", as_of=AS_OF)


@pytest.fixture(scope="module")
def council_size() -> DemoCouncil:
    # The one expensive generation in this file (a couple of seconds); shared by every test.
    return generate("council", as_of=AS_OF)


@pytest.fixture(params=["small", "council"])
def any_council(request: pytest.FixtureRequest) -> DemoCouncil:
    fixture = "small" if request.param == "small" else "council_size"
    council: DemoCouncil = request.getfixturevalue(fixture)
    return council


# -- invariants every generated council must satisfy, shared with the property test below --


def check_statuses(council: DemoCouncil) -> None:
    outcomes = codes(EVENT_OUTCOME_CHOICES)
    for case in council.cases:
        open_allocations = [a for a in case.allocations if a.ended_at is None]
        if case.status == CLOSED:
            assert case.closed_at is not None
            assert case.closed_at > case.received_at
            assert case.outcome in outcomes
            assert not open_allocations
            for allocation in case.allocations:
                assert allocation.ended_at == case.closed_at
        else:
            assert case.status in OPEN_STATUSES
            assert case.closed_at is None
            assert case.outcome == ""
        if case.status == ALLOCATED:
            assert len(open_allocations) == 1
            assert case.allocations[-1].ended_at is None
        if case.status == HELD:
            # The care plan is in place: no worker holds it, and its next review is known and
            # not yet near (the daily run makes a review due within the lead days waiting work).
            assert not open_allocations
            assert case.next_review_on is not None
            assert case.next_review_on > council.as_of + timedelta(days=REVIEW_LEAD_DAYS)
        if case.status in WAITING_STATUSES and case.next_review_on is None:
            # A new request: no one has worked on it yet.
            assert not case.allocations
            assert not case.contacts
        if case.status in WAITING_STATUSES and case.next_review_on is not None:
            # A review due: waiting for allocation, its earlier work all ended.
            assert case.status == AWAITING_ALLOCATION
            assert not open_allocations
            assert case.next_review_on <= council.as_of + timedelta(days=REVIEW_LEAD_DAYS)
        if case.status == CLOSED:
            assert case.next_review_on is None
            assert case.last_reviewed_on is None
        if case.last_reviewed_on is not None:
            assert case.next_review_on is not None
            assert case.received_at.date() < case.last_reviewed_on < case.next_review_on
            assert case.last_reviewed_on < council.as_of


def check_allocations(council: DemoCouncil) -> None:
    by_key = {p.key: p for p in council.practitioners}
    managers = {p.team_key: p.key for p in council.practitioners if p.role == Role.TEAM_MANAGER}
    model = complexity.default_model()
    for case in council.cases:
        previous_end: datetime | None = None
        for allocation in case.allocations:
            holder = by_key[allocation.practitioner_key]
            assert Role(holder.role) in CASE_HOLDING_ROLES
            assert holder.role in model.band(case.tier).roles
            assert holder.team_key == case.team_key
            assert allocation.allocated_by_key == managers[case.team_key]
            assert allocation.started_at >= case.received_at
            assert holder.start_date <= allocation.started_at.date()
            if allocation.ended_at is not None:
                assert allocation.ended_at >= allocation.started_at
            if previous_end is not None:
                assert allocation.started_at >= previous_end
            previous_end = allocation.ended_at
        # A handover (the next allocation starting as the last ends) goes to someone else; a
        # review a year on may go to the same worker.
        for before, after in itertools.pairwise(case.allocations):
            if after.started_at == before.ended_at:
                assert after.practitioner_key != before.practitioner_key


def check_contacts(council: DemoCouncil) -> None:
    last_day = council.as_of - timedelta(days=1)
    for case in council.cases:
        spans: dict[str, list[tuple[date, date]]] = {}
        for allocation in case.allocations:
            end = last_day if allocation.ended_at is None else allocation.ended_at.date()
            spans.setdefault(allocation.practitioner_key, []).append(
                (allocation.started_at.date(), end)
            )
        for contact in case.contacts:
            assert contact.kind in CONTACT_KINDS
            assert len(contact.note) <= 500
            # Made by someone who held the case at the time.
            assert any(
                first <= contact.occurred_on <= end
                for first, end in spans[contact.practitioner_key]
            )
            assert contact.occurred_on <= last_day


def check_people(council: DemoCouncil) -> None:
    open_cases: Counter[int] = Counter()
    last_received: dict[int, datetime] = {}
    for case in council.cases:
        if case.status in OPEN_STATUSES:
            open_cases[case.person_index] += 1
        last_received[case.person_index] = max(
            case.received_at, last_received.get(case.person_index, case.received_at)
        )
    assert all(count == 1 for count in open_cases.values()), "a person has two open cases"
    assert set(last_received) == set(range(len(council.people))), "every person has a case"
    for index, person in enumerate(council.people):
        assert person.date_of_birth < council.as_of
        if person.date_of_death is not None:
            assert index not in open_cases
            assert person.date_of_death >= person.date_of_birth
            assert person.date_of_death <= council.as_of
            assert last_received[index].date() <= person.date_of_death
    deceased_cases = [c for c in council.cases if c.outcome == OUTCOME_DECEASED]
    for case in deceased_cases:
        assert case.closed_at is not None
        assert council.people[case.person_index].date_of_death == case.closed_at.date()


def check_times(council: DemoCouncil) -> None:
    end_of_day = datetime.combine(council.as_of, time.max, tzinfo=UTC)
    moments: list[datetime] = []
    for case in council.cases:
        moments.append(case.received_at)
        if case.closed_at is not None:
            moments.append(case.closed_at)
        for allocation in case.allocations:
            moments.append(allocation.started_at)
            if allocation.ended_at is not None:
                moments.append(allocation.ended_at)
    for moment in moments:
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(0)
        assert moment <= end_of_day


def check_identifiers(council: DemoCouncil) -> None:
    nhs_numbers = [p.nhs_number for p in council.people if p.nhs_number]
    assert len(nhs_numbers) == len(set(nhs_numbers))
    for number in nhs_numbers:
        assert number.startswith("999")
        assert normalise_nhs_number(number) == number
    ids = [p.council_person_id for p in council.people]
    assert len(ids) == len(set(ids))
    assert all(len(i) == 8 and i[0] == "P" and i[1:].isdigit() for i in ids)
    for person in council.people:
        assert person.postcode.startswith("ZZ")
        assert normalise_postcode(person.postcode) == person.postcode
    swe = [p.swe_registration_number for p in council.practitioners if p.swe_registration_number]
    assert len(swe) == len(set(swe))


def check_all(council: DemoCouncil) -> None:
    check_statuses(council)
    check_allocations(council)
    check_contacts(council)
    check_people(council)
    check_times(council)
    check_identifiers(council)


# -- sizes and determinism --


def test_sizes_describe_the_brief() -> None:
    council = SIZES["council"]
    assert council.teams == 18
    assert council.practitioners == 150
    assert council.open_cases == 10_000
    assert council.total_requests == 40_800
    assert SIZES["large"].teams == 72
    assert SIZES["small"].teams == 3


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo size"):
        generate("enormous", as_of=AS_OF)


def test_size_needs_a_manager_and_case_holder_per_team() -> None:
    with pytest.raises(ValueError, match="practitioners"):
        DemoSize(
            localities=2,
            service_areas=3,
            practitioners=6,
            open_cases=10,
            years=1,
            requests_per_year=10,
        )


def test_same_arguments_give_the_same_council(small: DemoCouncil) -> None:
    assert generate("small", as_of=AS_OF) == small
    assert generate("small", seed=2026, as_of=AS_OF) == small


def test_a_different_seed_gives_a_different_council(small: DemoCouncil) -> None:
    other = generate("small", seed=7, as_of=AS_OF)
    assert other != small
    assert other.people != small.people
    assert other.cases != small.cases


def test_small_shape(small: DemoCouncil) -> None:
    assert len(small.cases) == 2_800
    statuses = Counter(c.status for c in small.cases)
    # Open cases follow from the drawn waits and durations: the size's 450 in expectation.
    assert 0.85 * 450 <= sum(statuses[s] for s in OPEN_STATUSES) <= 1.15 * 450
    assert statuses[HELD] > statuses[ALLOCATED] > statuses[AWAITING_ALLOCATION] > 0
    assert [t.service_area for t in small.teams] == [c for c, _ in SERVICE_AREA_CHOICES[:3]]
    assert [t.name for t in small.teams] == [
        "Older People North",
        "Hospital Discharge North",
        "Learning Disability North",
    ]
    assert small.teams[0].key == "older_people-north"
    assert len(small.practitioners) == 16


def test_council_shape(council_size: DemoCouncil) -> None:
    statuses = Counter(c.status for c in council_size.cases)
    assert len(council_size.teams) == 18
    assert len({t.key for t in council_size.teams}) == 18
    assert len(council_size.practitioners) == 150
    assert len(council_size.cases) == 40_800
    assert 0.95 * 10_000 <= sum(statuses[s] for s in OPEN_STATUSES) <= 1.05 * 10_000
    new_requests = Counter(c.status for c in council_size.cases if c.next_review_on is None)
    waiting = new_requests[AWAITING_SCREENING] + new_requests[AWAITING_ALLOCATION]
    assert 0.04 < new_requests[AWAITING_SCREENING] / waiting < 0.2


# -- what "open" means (PRODUCT.md): most held, an active caseload each, a short waiting list --


def test_most_open_cases_are_held_by_their_team(council_size: DemoCouncil) -> None:
    statuses = Counter(c.status for c in council_size.cases)
    assert 0.6 < statuses[HELD] / 10_000 < 0.85
    assert 2_000 <= statuses[ALLOCATED] <= 3_200
    # New requests and reviews falling due: a few hundred.
    assert 200 <= sum(statuses[s] for s in WAITING_STATUSES) <= 700


def test_waits_are_days_to_weeks_with_a_tail_of_months(council_size: DemoCouncil) -> None:
    as_of = council_size.as_of
    waits = sorted(
        (as_of - c.received_at.date()).days
        for c in council_size.cases
        if c.status in WAITING_STATUSES and c.next_review_on is None
    )
    assert 7 <= statistics.median(waits) <= 35
    assert 30 <= waits[int(0.9 * len(waits))] <= 120
    assert waits[-1] <= 300
    # Time from request to allocation: mostly days to weeks.
    to_allocation = [
        (c.allocations[0].started_at - c.received_at).days
        for c in council_size.cases
        if c.status == ALLOCATED and c.last_reviewed_on is None and c.next_review_on is None
    ]
    assert statistics.median(to_allocation) <= 21


def allocated_counts(council: DemoCouncil) -> Counter[str]:
    return Counter(
        a.practitioner_key
        for case in council.cases
        if case.status == ALLOCATED
        for a in case.allocations
        if a.ended_at is None
    )


def test_every_case_holder_has_an_allocated_caseload_in_the_benchmark(
    council_size: DemoCouncil,
) -> None:
    held = allocated_counts(council_size)
    holders = [p for p in council_size.practitioners if Role(p.role) in CASE_HOLDING_ROLES]
    assert 15 <= statistics.median(held[p.key] for p in holders) <= 25
    full_time = [held[p.key] for p in holders if p.fte == Decimal("1.00") and p.role != Role.ASYE]
    assert 15 <= statistics.median(full_time) <= 25
    asyes = [held[p.key] / float(p.fte) for p in holders if p.role == Role.ASYE]
    social_workers = [held[p.key] / float(p.fte) for p in holders if p.role == Role.SOCIAL_WORKER]
    assert statistics.median(asyes) < statistics.median(social_workers)


def test_a_couple_of_teams_are_under_strain(council_size: DemoCouncil) -> None:
    strained = set(council_size.strained_team_keys)
    assert len(strained) == 2
    holders = Counter(
        p.team_key
        for p in council_size.practitioners
        if p.team_key is not None and Role(p.role) in CASE_HOLDING_ROLES
    )
    waiting = Counter(
        c.team_key
        for c in council_size.cases
        if c.status in WAITING_STATUSES and c.next_review_on is None
    )
    per_holder = {key: waiting[key] / holders[key] for key in holders}
    calm = [v for key, v in per_holder.items() if key not in strained]
    assert min(per_holder[key] for key in strained) > 2 * statistics.mean(calm)


def weekly_requests(council: DemoCouncil) -> dict[date, int]:
    weeks = Counter(
        c.received_at.date() - timedelta(days=c.received_at.weekday()) for c in council.cases
    )
    first, last = min(weeks), max(weeks)
    # Whole weeks only: the first and the last may be cut by the window.
    return {week: n for week, n in weeks.items() if first < week < last}


def test_weekly_requests_have_seasons_christmas_and_growth(council_size: DemoCouncil) -> None:
    weeks = weekly_requests(council_size)
    assert len(weeks) >= 150  # three years of weeks

    def mean_of(months: set[int]) -> float:
        return statistics.mean(n for week, n in weeks.items() if week.month in months)

    assert mean_of({1, 2}) > 1.1 * mean_of({7, 8})  # winter pressure, summer dip
    # Each year's quietest week is Christmas's, well below November's.
    for year in {week.year for week in weeks if week.month == 12}:
        december = [n for week, n in weeks.items() if (week.year, week.month) == (year, 12)]
        assert min(december) < 0.75 * mean_of({11})
    # About 13,600 a year, the latest year a few per cent above the first.
    as_of = council_size.as_of
    by_year = Counter(((as_of - c.received_at.date()).days - 1) // 365 for c in council_size.cases)
    assert all(12_500 <= n <= 14_700 for n in by_year.values())
    assert 1.02 < by_year[0] / by_year[2] < 1.12


def test_expected_requests_by_day() -> None:
    as_of = date(2026, 12, 1)
    assert expected_requests(date(2026, 11, 28), as_of=as_of) == 0  # a Saturday
    assert expected_requests(date(2025, 12, 29), as_of=as_of) < 0.6  # between Christmas and 1 Jan
    assert expected_requests(date(2026, 8, 31), as_of=as_of) < 0.5  # a bank holiday
    winter = expected_requests(date(2026, 1, 21), as_of=as_of)
    summer = expected_requests(date(2026, 8, 19), as_of=as_of)
    assert winter > 1.15 * summer  # both Wednesdays
    later = expected_requests(date(2026, 1, 21), as_of=date(2027, 12, 1))
    assert later < winter  # the same day is a smaller share of a grown demand


def days_since_contact(case: DemoCase, as_of: date) -> int | None:
    holder = case.allocations[-1]
    mine = [
        c.occurred_on
        for c in case.contacts
        if c.practitioner_key == holder.practitioner_key
        and c.occurred_on >= holder.started_at.date()
    ]
    return (as_of - max(mine)).days if mine else None


def test_allocated_cases_are_mostly_seen_within_weeks(council_size: DemoCouncil) -> None:
    allocated = [c for c in council_size.cases if c.status == ALLOCATED]
    since = [days_since_contact(c, council_size.as_of) for c in allocated]
    seen = [d for d in since if d is not None]
    assert sum(d <= 28 for d in seen) / len(allocated) > 0.7
    assert 0.02 < sum(d > 90 for d in seen) / len(allocated) < 0.15
    kinds = Counter(k.kind for c in council_size.cases for k in c.contacts)
    assert set(kinds) == set(CONTACT_KINDS)


def test_reviews_spread_over_the_year_and_some_overdue(council_size: DemoCouncil) -> None:
    as_of = council_size.as_of
    held = [c for c in council_size.cases if c.status == HELD]
    upcoming = Counter(
        (c.next_review_on.year, c.next_review_on.month)
        for c in held
        if c.next_review_on is not None and c.next_review_on >= as_of
    )
    assert len(upcoming) >= 12
    assert max(upcoming.values()) < 0.15 * len(held)
    assert sum(c.last_reviewed_on is not None for c in held) > 0.3 * len(held)
    # Reviews fallen due are allocated (in progress) or wait for allocation; some overdue.
    with_review = [c for c in council_size.cases if c.next_review_on is not None]
    overdue = [c for c in with_review if c.next_review_on is not None and c.next_review_on < as_of]
    assert 0.03 < len(overdue) / len(with_review) < 0.2
    assert {c.status for c in overdue} == {ALLOCATED, AWAITING_ALLOCATION}


def test_even_the_small_council_has_agency_cover(small: DemoCouncil) -> None:
    agency = [p for p in small.practitioners if p.employment == AGENCY]
    assert agency
    assert all(p.team_key != small.teams[0].key for p in agency)


def test_some_staff_are_agency_or_fixed_term(council_size: DemoCouncil) -> None:
    employment = Counter(p.employment for p in council_size.practitioners)
    assert set(employment) == set(EMPLOYMENTS)
    assert 3 <= employment[AGENCY] <= 20
    for p in council_size.practitioners:
        if p.employment == AGENCY:
            assert p.role not in (Role.ASYE, Role.ASSISTANT, Role.TEAM_MANAGER)
            assert council_size.as_of - p.start_date <= timedelta(days=540)


# -- practitioners --


def test_one_manager_per_team_and_one_psw(any_council: DemoCouncil) -> None:
    managers = Counter(p.team_key for p in any_council.practitioners if p.role == Role.TEAM_MANAGER)
    assert managers == Counter({team.key: 1 for team in any_council.teams})
    psws = [p for p in any_council.practitioners if p.role == Role.PRINCIPAL_SOCIAL_WORKER]
    assert len(psws) == 1
    assert psws[0].team_key is None
    assert psws[0].pcf_level == "strategic"
    assert all(p.team_key is not None for p in any_council.practitioners if p not in psws)


def test_practitioner_fields(any_council: DemoCouncil) -> None:
    as_of = any_council.as_of
    keys = [p.key for p in any_council.practitioners]
    assert len(keys) == len(set(keys))
    allowed_fte = {Decimal("1.00"), Decimal("0.80"), Decimal("0.60"), Decimal("0.50")}
    for p in any_council.practitioners:
        role = Role(p.role)
        assert p.pcf_level in codes(PCF_LEVEL_CHOICES)
        assert p.pcf_level == demo.PCF_LEVEL_FOR_ROLE[role]
        assert p.fte in allowed_fte
        assert set(p.specialisms) <= codes(SPECIALISM_CHOICES)
        assert p.start_date < as_of
        if role == Role.ASYE:
            assert as_of - p.start_date <= timedelta(days=365)
        if role in SWE_REGISTERED_ROLES:
            number = p.swe_registration_number
            assert re.fullmatch(r"SW[0-9]{6}", number)
            assert p.swe_renewal_date is not None
            assert (p.swe_renewal_date.month, p.swe_renewal_date.day) == (11, 30)
            assert as_of <= p.swe_renewal_date < as_of + timedelta(days=366)
        else:
            assert p.swe_registration_number == ""
            assert p.swe_renewal_date is None
        for absence in p.absences:
            assert absence.reason in codes(ABSENCE_REASON_CHOICES)
            # Current or upcoming: never one that has already ended.
            assert absence.ends_on is None or absence.ends_on >= max(as_of, absence.starts_on)


def test_role_mix(council_size: DemoCouncil) -> None:
    holders = [p for p in council_size.practitioners if Role(p.role) in CASE_HOLDING_ROLES]
    assert len(holders) == 150 - 18 - 1
    roles = Counter(p.role for p in holders)
    assert 0.2 < roles[Role.ASSISTANT] / len(holders) < 0.4
    assert 0.25 < roles[Role.SOCIAL_WORKER] / len(holders) < 0.5
    by_team: dict[str | None, list[str]] = {}
    for p in holders:
        by_team.setdefault(p.team_key, []).append(p.role)
    for team_roles in by_team.values():
        if len(team_roles) >= 4:
            assert Role.ASSISTANT in team_roles
            assert Role.SOCIAL_WORKER in team_roles
    absent = sum(1 for p in council_size.practitioners if p.absences)
    assert 0 < absent < 0.2 * len(council_size.practitioners)


def test_social_worker_caseloads_sit_in_the_benchmark(council_size: DemoCouncil) -> None:
    held = Counter(
        a.practitioner_key
        for case in council_size.cases
        if case.status == ALLOCATED
        for a in case.allocations
        if a.ended_at is None
    )
    social_workers = [p.key for p in council_size.practitioners if p.role == Role.SOCIAL_WORKER]
    assert 15 <= statistics.median(held[key] for key in social_workers) <= 25
    managers = [p.key for p in council_size.practitioners if p.role == Role.TEAM_MANAGER]
    assert all(held[key] == 0 for key in managers)


# -- cases and people --


@pytest.mark.parametrize(
    "check",
    [
        check_statuses,
        check_allocations,
        check_contacts,
        check_people,
        check_times,
        check_identifiers,
    ],
)
def test_invariants(any_council: DemoCouncil, check: Callable[[DemoCouncil], None]) -> None:
    check(any_council)


def test_codes_come_from_the_reference_lists(any_council: DemoCouncil) -> None:
    team_keys = {t.key for t in any_council.teams}
    for case in any_council.cases:
        assert case.team_key in team_keys
        assert case.route_of_access in codes(ROUTE_OF_ACCESS_CHOICES)
        assert case.source in codes(REQUEST_SOURCE_CHOICES)
    reasons = codes(PRIMARY_SUPPORT_REASON_CHOICES)
    assert all(p.primary_support_reason in reasons for p in any_council.people)


def test_nhs_numbers_mostly_known(council_size: DemoCouncil) -> None:
    unknown = sum(1 for p in council_size.people if not p.nhs_number)
    assert 0.02 < unknown / len(council_size.people) < 0.06


def test_received_windows(council_size: DemoCouncil) -> None:
    as_of = council_size.as_of
    for case in council_size.cases:
        age = as_of - case.received_at.date()
        assert timedelta(0) < age <= timedelta(days=3 * 365)
        if case.status == AWAITING_SCREENING:
            assert age <= timedelta(days=35)
        elif case.status == AWAITING_ALLOCATION and case.next_review_on is None:
            assert age <= timedelta(days=300)
        elif case.status == HELD:
            assert case.allocations  # worked on first: its care plan is in place


def test_outcomes_and_repeat_requests(council_size: DemoCouncil) -> None:
    closed = [c for c in council_size.cases if c.status == CLOSED]
    outcomes = Counter(c.outcome for c in closed)
    assert 0.02 < outcomes[OUTCOME_DECEASED] / len(closed) < 0.06
    assert outcomes.most_common(1)[0][0] == "nfa_information_advice"
    allocated = sum(1 for c in closed if c.allocations)
    assert 0.4 < allocated / len(closed) < 0.6
    repeats = 1 - len(council_size.people) / len(council_size.cases)
    assert 0.1 < repeats < 0.2
    handed_over = [
        c
        for c in council_size.cases
        if c.status == ALLOCATED
        and any(b.started_at == a.ended_at for a, b in itertools.pairwise(c.allocations))
    ]
    allocated_open = sum(1 for c in council_size.cases if c.status == ALLOCATED)
    assert 0.03 < len(handed_over) / allocated_open < 0.15


def test_ages_follow_the_service_area(council_size: DemoCouncil) -> None:
    teams = {t.key: t for t in council_size.teams}
    first_case: dict[int, str] = {}
    for case in council_size.cases:  # in received order, so this is each person's first
        first_case.setdefault(case.person_index, teams[case.team_key].service_area)
    older: list[int] = []
    for index, person in enumerate(council_size.people):
        age = int((council_size.as_of - person.date_of_birth).days / 365.2425)
        assert 18 <= age < 100
        area = first_case[index]
        if area == "transitions":
            assert age <= 29
        if area == "older_people":
            older.append(age)
    assert sum(age >= 65 for age in older) / len(older) > 0.8
    assert sum(p.has_unpaid_carer for p in council_size.people) / len(council_size.people) > 0.25


def test_hospital_discharge_routes(council_size: DemoCouncil) -> None:
    routes = Counter(
        c.route_of_access for c in council_size.cases if c.team_key.startswith("hospital_discharge")
    )
    assert routes.most_common(1)[0][0] == "discharge_from_hospital"


def test_cases_are_in_received_order(any_council: DemoCouncil) -> None:
    received = [c.received_at for c in any_council.cases]
    assert received == sorted(received)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    as_of=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
)
def test_invariants_hold_for_any_seed_and_date(seed: int, as_of: date) -> None:
    council = generate("small", seed=seed, as_of=as_of)
    check_all(council)
    assert len(council.cases) == 2_800


def test_only_cases_in_their_first_spell_of_work_are_in_it(any_council: DemoCouncil) -> None:
    """A case allocated for new work is in its first spell of practitioner work (through any
    handover); every other case that was ever allocated has ended it: held, closed, or
    allocated again for a review after a held period."""
    for case in any_council.cases:
        spell = first_spell((a.started_at, a.ended_at) for a in case.allocations)
        if case.status == ALLOCATED and case.next_review_on is None:
            assert spell is not None
            assert spell[1] is None
        elif case.allocations:
            assert spell is not None
            assert spell[1] is not None
            assert spell[1] < datetime.combine(any_council.as_of, time.min, tzinfo=UTC)
