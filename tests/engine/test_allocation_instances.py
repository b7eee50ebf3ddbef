"""The benchmark's synthetic allocation problems: shaped like the demo, deterministic."""

from __future__ import annotations

from collections import Counter

from caseload_engine.allocation import eligibility
from caseload_engine.allocation import instances as allocation_instances


def test_the_weekly_intake_is_part_loaded_teams_of_six_to_ten() -> None:
    intake = allocation_instances.weekly_intake(practitioners=120, cases=200)
    assert (len(intake.practitioners), len(intake.cases)) == (120, 200)
    team_sizes = Counter(p.team for p in intake.practitioners)
    assert all(6 <= size <= 10 for size in team_sizes.values())
    assert all(0 < p.current_points < p.capacity_points for p in intake.practitioners if p.fte)
    assert {c.team for c in intake.cases} <= set(team_sizes)
    assert intake == allocation_instances.weekly_intake(practitioners=120, cases=200)


def test_a_rebalance_returns_most_cases_to_someone_who_may_hold_them() -> None:
    council = allocation_instances.council_rebalance(practitioners=60, cases=1_000)
    assert all(p.current_points == 0 for p in council.practitioners)
    by_id = {p.practitioner_id: p for p in council.practitioners}
    returning = [c for c in council.cases if c.previous_practitioner]
    assert 0.85 < len(returning) / len(council.cases) < 0.95
    holds = sum(
        eligibility(c, by_id[c.previous_practitioner or ""], council.rules).allowed
        for c in returning
    )
    assert holds / len(returning) > 0.8
    assert Counter(c.tier for c in council.cases)[1] > Counter(c.tier for c in council.cases)[3]


def test_national_councils_add_up_to_the_national_totals() -> None:
    councils = allocation_instances.national()
    assert len(councils) == 153
    assert sum(c.practitioners for c in councils) == 18_500
    assert sum(c.cases for c in councils) == 1_500_000
    first = allocation_instances.national_council(councils[0])
    assert len(first.practitioners) == councils[0].practitioners
    assert all(p.team.startswith("Council 001 ") for p in first.practitioners)
