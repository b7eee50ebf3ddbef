"""The ready-made variants, the demand of a later day, the staffing curve and the simulation's
progress: pure functions of a scenario (caseload_engine/planning/variants.py, curve.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload_engine.planning import variants
from caseload_engine.planning.curve import staffing_curve, staffing_fte
from caseload_engine.planning.scenario import Scenario, ScenarioError, from_dict, to_dict
from caseload_engine.planning.simulate import simulate
from caseload_engine.planning.steady import fte_needed
from tests.engine.test_planning import scenario_data


def small(**changes: object) -> Scenario:
    data = scenario_data(weeks=20, warm_up_weeks=2, replications=3)
    data["roles"][1]["fte"] = 6
    data["roles"][0]["fte"] = 2
    data["tiers"][0]["growth"] = 0.1
    data.update(changes)
    return from_dict(data)


def test_demand_up_raises_every_tier_by_the_share() -> None:
    base = small()
    up = variants.demand_up(base)
    for before, after in zip(base.tiers, up.tiers, strict=True):
        assert after.arrivals_per_week[0] == pytest.approx(before.arrivals_per_week[0] * 1.1)
    assert up.roles == base.roles


def test_two_vacancies_take_two_fte_from_the_social_workers() -> None:
    assert [role.fte for role in variants.vacancies(small()).roles] == [2, 4]


def test_social_workers_replaced_by_assistants() -> None:
    assert [role.fte for role in variants.replace_roles(small()).roles] == [6, 3]


def test_a_variant_that_cannot_be_made_names_the_key() -> None:
    data = scenario_data()
    data["roles"][1]["fte"] = 1
    with pytest.raises(ScenarioError, match=r"^roles\[2\]\.fte: 1 FTE cannot have 2 vacancies"):
        variants.vacancies(from_dict(data))
    data["roles"] = data["roles"][1:]
    data["roles"][0]["may_hold"] = [1, 2]
    with pytest.raises(ScenarioError, match=r"^roles: the scenario has no social work assistant"):
        variants.replace_roles(from_dict(data))


def test_the_hospital_discharge_pathway_is_a_new_tier_held_as_the_middle_one() -> None:
    base = small()
    changed = variants.hospital_discharge(base)
    pathway = changed.tiers[-1]
    assert pathway.tier == 3
    assert pathway.points == base.tiers[1].points
    assert pathway.duration_weeks.distribution == "exponential"
    assert pathway.duration_weeks.mean == variants.DISCHARGE_WEEKS
    assert pathway.arrivals_per_week[0] == pytest.approx(0.1 * 9)
    assert [3 in role.may_hold for role in changed.roles] == [False, True]
    assert sum(fte_needed(changed)) > sum(fte_needed(base))


def test_demand_in_twelve_months_is_grown_and_held() -> None:
    later = variants.demand_in(small(), 12)
    assert later.tiers[0].arrivals_per_week[0] == pytest.approx(6 * 1.1)
    assert all(tier.growth == 0 for tier in later.tiers)
    assert variants.demand_in(small(), 0).tiers[0].arrivals_per_week[0] == 6


@settings(max_examples=40, deadline=None)
@given(size=st.floats(0.05, 5), seed=st.integers(0, 1000), key=st.sampled_from(variants.VARIANTS))
def test_variants_and_scaling_give_scenarios_that_read_back(
    size: float, seed: int, key: variants.Variant
) -> None:
    scaled = variants.scaled(small(), size, seed)
    assert scaled.seed == seed
    least = {"vacancies": 2, "replace_roles": 3}.get(key.key, 0)  # social worker FTE to lose
    if scaled.roles[1].fte < least:
        with pytest.raises(ScenarioError, match=r"^roles\[2\]\.fte"):
            key.make(scaled)
        return
    changed = key.make(scaled)
    assert from_dict(to_dict(changed)) == changed


def test_an_unknown_variant_is_refused() -> None:
    assert variants.variant("demand_up").label == "Demand up 10%"
    with pytest.raises(ScenarioError, match="no ready-made variant"):
        variants.variant("<script>")


def test_the_curve_covers_the_staffing_and_waits_less_with_more_staff() -> None:
    assert staffing_fte(10) == [7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0]
    assert staffing_fte(0) == [0.0, 0.2, 0.3, 0.5, 0.7, 0.8, 1.0]
    told: list[int] = []
    points = staffing_curve(small(), replications=3, progress=told.append)
    assert [point.fte for point in points] == staffing_fte(6)
    assert told == sorted(told)
    assert told[0] == 0
    assert points[0].within_target[1] <= points[-1].within_target[1]
    assert points[0].wait_days[1] >= points[-1].wait_days[1]


def test_the_simulation_reports_its_progress_in_rising_percents() -> None:
    told: list[int] = []
    simulate(small(), progress=told.append)
    assert told == sorted(set(told))
    assert told[0] >= 1
    assert told[-1] == 99


def test_councils_are_scaled_copies_each_with_its_own_seed() -> None:
    base = small()
    made = variants.councils(base, 5)
    assert [council.seed for council in made] == [1, 2, 3, 4, 5]
    assert len({council.tiers[0].arrivals_per_week for council in made}) == 5
    assert variants.councils(base, 5) == made
