"""Demand's figures, counted in the database, on factories."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from caseload.demand import figures
from caseload.demand.figures import Filters, week_start
from caseload.register.models import CaseStatus
from caseload_engine import reference
from tests.factories import (
    AllocationFactory,
    AssessmentFactory,
    CaseFactory,
    PractitionerFactory,
    SupportRequestFactory,
    TeamFactory,
)

ROUTES = dict(reference.ROUTE_OF_ACCESS_CHOICES)
pytestmark = pytest.mark.django_db


def _case(team, *, days_ago: float, route: str = "community_other", **kwargs):  # type: ignore[no-untyped-def]
    received = timezone.now() - timedelta(days=days_ago)
    request = SupportRequestFactory.create(received_at=received, route_of_access=route)
    return CaseFactory.create(team=team, request=request, person=request.person, **kwargs)


def test_requests_count_by_week_route_team_and_tier() -> None:
    north, south = TeamFactory.create(), TeamFactory.create()
    this_monday = week_start(timezone.localdate())
    last_week = timezone.now() - timedelta(days=timezone.localdate().weekday() + 3)
    days_ago = (timezone.now() - last_week).days + 0.1
    scored = _case(north, days_ago=days_ago, route="discharge_from_hospital")
    AssessmentFactory.create(case=scored)
    _case(north, days_ago=days_ago)
    _case(south, days_ago=days_ago + 7)
    _case(south, days_ago=0)  # this week: not in the period yet
    _case(south, days_ago=400)  # before the period
    result = figures.requests(Filters(teams=[north, south]), route_labels=ROUTES)
    assert result.total == 3
    assert len(result.weekly) == 52
    assert result.weekly[-1] == (this_monday - timedelta(weeks=1), 2)
    assert result.weekly[-2] == (this_monday - timedelta(weeks=2), 1)
    assert [(t.key, t.count) for t in result.by_route] == [
        ("community_other", 2),
        ("discharge_from_hospital", 1),
    ]
    assert [(t.key, counts[-2:]) for t, counts in result.weekly_by_route] == [
        ("community_other", [1, 1]),
        ("discharge_from_hospital", [0, 1]),
    ]
    assert [(t.label, t.count) for t in result.by_team] == [(north.name, 2), (south.name, 1)]
    assert [(t.label, t.count) for t in result.by_tier] == [("Tier 2", 1), ("Not scored", 2)]
    only_tier_2 = figures.requests(Filters(teams=[north, south], tier="2"), route_labels=ROUTES)
    assert only_tier_2.total == 1
    unscored = figures.requests(
        Filters(teams=[north, south], tier=figures.UNSCORED), route_labels=ROUTES
    )
    assert unscored.total == 2
    by_route = figures.requests(
        Filters(teams=[north], route="community_other"), route_labels=ROUTES
    )
    assert by_route.total == 1


def test_waiting_time_median_and_90th_percentile() -> None:
    team = TeamFactory.create()
    for days in (10, 20, 30, 40, 50):
        _case(team, days_ago=days)
    _case(team, days_ago=99, status=CaseStatus.ALLOCATED)
    spread = figures.waiting(Filters(teams=[team]), now=timezone.now())
    assert spread.count == 5
    assert spread.median_days == pytest.approx(30, abs=0.1)
    # numpy's linear: 10 + 0.9 * 4 * 10 = 46.
    assert spread.p90_days == pytest.approx(46, abs=0.1)
    assert figures.waiting(Filters(teams=[TeamFactory.create()]), now=timezone.now()).count == 0


def test_a_review_waits_from_its_due_day_not_from_the_first_request() -> None:
    team = TeamFactory.create()
    today = timezone.localdate()
    # Opened two years ago, held since; its review fell due 20 days ago and it waits again.
    _case(team, days_ago=730, next_review_on=today - timedelta(days=20))
    # Due in a week: waiting for a worker, but not yet late.
    _case(team, days_ago=700, next_review_on=today + timedelta(days=7))
    spread = figures.waiting(Filters(teams=[team]), now=timezone.now())
    assert spread.count == 2
    assert spread.p90_days == pytest.approx(18, abs=1.5)
    assert spread.median_days == pytest.approx(10, abs=1)


def test_time_to_allocation_counts_each_case_first_allocation_in_the_period() -> None:
    team = TeamFactory.create()
    worker = PractitionerFactory.create(team=team)
    for waited in (4, 8, 12):
        case = _case(team, days_ago=60, status=CaseStatus.ALLOCATED)
        AllocationFactory.create(
            case=case,
            practitioner=worker,
            started_at=case.request.received_at + timedelta(days=waited),
            ended_at=case.request.received_at + timedelta(days=waited + 1),
        )
        # A later reallocation is not a second allocation off the waiting list.
        AllocationFactory.create(
            case=case, practitioner=worker, started_at=case.request.received_at + timedelta(days=40)
        )
    spread = figures.time_to_allocation(Filters(teams=[team]))
    assert (spread.count, spread.median_days, spread.p90_days) == (3, 8.0, 11.2)


def test_capacity_against_points_waiting() -> None:
    team = TeamFactory.create()
    worker = PractitionerFactory.create(team=team)  # 85 points at 1 FTE
    held = _case(team, days_ago=30, status=CaseStatus.ALLOCATED)
    AllocationFactory.create(case=held, practitioner=worker, started_at=timezone.now())
    AssessmentFactory.create(case=held)  # tier 2
    waiting = [_case(team, days_ago=d) for d in (5, 6, 7)]
    AssessmentFactory.create(case=waiting[0])
    AssessmentFactory.create(case=waiting[1])
    [row] = figures.capacity(Filters(teams=[team]), now=timezone.now())
    tier_2_points = AssessmentFactory._meta.model.objects.first().points
    assert row.held == tier_2_points
    assert row.free == row.capacity - tier_2_points
    assert [(t.tier, t.cases, t.points) for t in row.by_tier] == [
        (2, 2, 2 * tier_2_points),
        (None, 1, 0),
    ]
    assert row.allocated_recently == 1
    assert row.weeks_to_clear == 24  # 3 cases at one every 8 weeks
    assert row.over is (2 * tier_2_points > row.free)


def test_a_week_is_londons_week_in_summer_time_too() -> None:
    """Half past midnight on a Monday in July is 23:30 UTC on the Sunday: counted by the hour
    in UTC, it still falls in the Monday's week."""
    team = TeamFactory.create()
    request = SupportRequestFactory.create(received_at=datetime(2026, 7, 5, 23, 30, tzinfo=UTC))
    CaseFactory.create(team=team, request=request, person=request.person)
    weekly = figures.weekly(Filters(teams=[team], weeks=4, until=date(2026, 7, 20)))
    assert weekly == [
        (date(2026, 6, 22), 0),
        (date(2026, 6, 29), 0),
        (date(2026, 7, 6), 1),
        (date(2026, 7, 13), 0),
    ]
    every = figures.weekly(Filters(teams=[team], every_team=True, weeks=4, until=date(2026, 7, 20)))
    assert every == weekly
