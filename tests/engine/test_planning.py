"""The workforce planning engine (issue 13): the simulation agrees with queueing theory where
its assumptions hold (Erlang C, Little's law), pools and counts capacity as documented, is
deterministic for a seed, and refuses bad scenarios by key path."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload_engine import planning
from caseload_engine.planning import search
from caseload_engine.planning.scenario import dumps, from_dict, loads, to_dict
from caseload_engine.planning.search import search_staffing
from caseload_engine.planning.simulate import Estimate, simulate, t_quantile
from caseload_engine.planning.steady import fte_needed, open_cases_expected

EXAMPLE = Path(planning.__file__).parents[1] / "data" / "plan-example.yaml"


def scenario_data(**changes: Any) -> dict[str, Any]:
    """A small two-tier scenario: assistants hold Tier 1, social workers Tiers 1 and 2."""
    data: dict[str, Any] = {
        "weeks": 104,
        "warm_up_weeks": 13,
        "replications": 60,
        "seed": 7,
        "service_level": {"within_days": 14, "share": 0.9},
        "tiers": [
            {
                "tier": 1,
                "arrivals_per_week": 6,
                "duration_weeks": {"distribution": "exponential", "mean": 6},
                "points": 3,
            },
            {
                "tier": 2,
                "arrivals_per_week": 3,
                "duration_weeks": {"distribution": "lognormal", "mean": 10, "sd": 6},
                "points": 5,
            },
        ],
        "roles": [
            {
                "role": "assistant",
                "fte": 1,
                "capacity_points_per_fte": 85,
                "may_hold": [1],
                "cost_per_fte": 32000,
            },
            {
                "role": "social_worker",
                "fte": 3,
                "capacity_points_per_fte": 85,
                "may_hold": [1, 2],
                "cost_per_fte": 45000,
            },
        ],
    }
    data.update(changes)
    return data


def one_server_pool(
    *, slots: int, mean_weeks: float, load: float, weeks: int = 520, replications: int = 200
) -> planning.Scenario:
    """One tier, one role, Poisson arrivals, exponential durations, `slots` case slots: the
    M/M/c queue Erlang C describes."""
    return from_dict(
        {
            "weeks": weeks,
            "warm_up_weeks": 26,
            "replications": replications,
            "seed": 11,
            "service_level": {"within_days": 7, "share": 0.9},
            "tiers": [
                {
                    "tier": 1,
                    "arrivals_per_week": load * slots / mean_weeks,
                    "duration_weeks": {"distribution": "exponential", "mean": mean_weeks},
                    "points": 1,
                }
            ],
            "roles": [{"role": "assistant", "fte": 1, "capacity_points_per_fte": slots}],
        }
    )


def erlang_c(servers: int, offered: float) -> float:
    """The probability that an arrival waits in an M/M/c queue."""
    top = offered**servers / math.factorial(servers) * servers / (servers - offered)
    bottom = sum(offered**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


# -- queueing theory ---------------------------------------------------------------------------


@pytest.mark.parametrize(("slots", "load"), [(10, 0.8), (4, 0.7)])
def test_waiting_agrees_with_erlang_c_where_its_assumptions_hold(slots: int, load: float) -> None:
    mean_weeks = 8.0
    scenario = one_server_pool(slots=slots, mean_weeks=mean_weeks, load=load)
    result = simulate(scenario)
    p_wait = erlang_c(slots, load * slots)
    mean_days = mean_weeks * 7
    wait_days = p_wait / (slots / mean_days - load * slots / mean_days)
    assert Estimate.of(result.p_wait[:, 0]).covers(p_wait)
    assert Estimate.of(result.wait_days[:, 0]).covers(wait_days)
    # Little's law for the cases held and for the cases waiting.
    assert Estimate.of(result.open_cases[:, 0]).covers(load * slots)
    rate_per_day = load * slots / mean_days
    assert Estimate.of(result.waiting_cases[:, 0]).covers(rate_per_day * wait_days)


def test_open_cases_agree_with_littles_law_for_every_distribution() -> None:
    tiers = [
        {
            "tier": 1,
            "arrivals_per_week": 5,
            "duration_weeks": {"distribution": "empirical", "weeks": [2, 3, 3, 8, 20]},
            "points": 3,
        },
        {
            "tier": 2,
            "arrivals_per_week": 4,
            "duration_weeks": {"distribution": "lognormal", "mean": 9, "sd": 7},
            "points": 5,
        },
        {
            "tier": 3,
            "arrivals_per_week": 2,
            "duration_weeks": {"distribution": "exponential", "mean": 12},
            "points": 8,
        },
    ]
    roles = [{"role": "social_worker", "fte": 20, "capacity_points_per_fte": 85}]
    scenario = from_dict(
        scenario_data(tiers=tiers, roles=roles, weeks=260, warm_up_weeks=52, replications=100)
    )
    result = simulate(scenario)
    expected = open_cases_expected(scenario)
    assert expected == pytest.approx([5 * 7.2, 4 * 9, 2 * 12])
    for index, open_cases in enumerate(expected):
        assert Estimate.of(result.open_cases[:, index]).covers(open_cases)
    # Plenty of capacity: nobody waits past the round they arrived in.
    assert result.wait_days.max() == 0
    assert result.p_wait.max() == 0
    assert result.within_target.min() == 1


def test_one_role_holding_one_tier_has_whole_case_slots() -> None:
    """floor(85 x 1.5 / 8) = 15 slots: a flood of cases fills exactly those."""
    scenario = from_dict(
        scenario_data(
            tiers=[
                {
                    "tier": 3,
                    "arrivals_per_week": 50,
                    "duration_weeks": {"distribution": "exponential", "mean": 30},
                    "points": 8,
                }
            ],
            roles=[{"role": "social_worker", "fte": 1.5, "capacity_points_per_fte": 85}],
            replications=5,
        )
    )
    result = simulate(scenario)
    assert result.open_cases == pytest.approx(np.full((5, 1), 15.0), abs=0.05)
    assert result.utilisation == pytest.approx(np.full((5, 1), 15 * 8 / 127.5), abs=0.005)


def test_a_social_worker_takes_tier_1_work_only_when_the_assistants_are_full() -> None:
    quiet = copy.deepcopy(scenario_data(replications=20))
    quiet["tiers"] = quiet["tiers"][:1]
    quiet["tiers"][0]["arrivals_per_week"] = 2  # 12 open cases: 36 points, under 85
    quiet["roles"][1]["may_hold"] = [1]
    calm = simulate(from_dict(quiet))
    assert calm.utilisation[:, 1].max() == 0  # the assistant had room for every case
    overflow = copy.deepcopy(quiet)
    overflow["tiers"][0]["arrivals_per_week"] = 8
    spilled = simulate(from_dict(overflow))
    assert spilled.utilisation[:, 0].mean() > 0.95
    assert spilled.utilisation[:, 1].mean() > 0.2


def test_leavers_and_the_september_intake_change_the_staff_in_post() -> None:
    data = scenario_data(replications=30, start_month=4)
    data["roles"][1].update(leavers_per_year=4, weeks_to_fill=13)
    data["roles"][0].update(september_intake=2)
    result = simulate(from_dict(data))
    assistants, social_workers = result.fte_in_post.mean(axis=0)
    # Vacancies: about 4 a year, each open a quarter: one FTE short on average.
    assert social_workers == pytest.approx(3 - 1, abs=0.25)
    # Two joined in September of the first year (week 22), two more in the second (week 74):
    # measured from week 13 to 104, 1 + 2 x 82/91 + 2 x 30/91 ...
    expected = 1 + 2 * (104 - 22) / 91 + 2 * (104 - 74) / 91
    assert assistants == pytest.approx(expected, abs=0.05)


def test_steady_state_fte_carry_the_expected_points_with_the_cheapest_role() -> None:
    scenario = from_dict(scenario_data())
    assistants, social_workers = fte_needed(scenario)
    # Tier 1 (36 open, 3 points) to the assistants; Tier 2 (30 open, 5 points) only to SWs.
    assert assistants == pytest.approx(36 * 3 / 85)
    assert social_workers == pytest.approx(30 * 5 / 85)


def test_growth_and_seasonal_rates_raise_the_expected_open_cases() -> None:
    data = scenario_data()
    data["tiers"][0]["growth"] = 0.1
    data["tiers"][1]["arrivals_per_week"] = [3.0] * 26 + [6.0] * 26
    first, second = open_cases_expected(from_dict(data))
    assert first > 36
    assert second == pytest.approx(10 * (3 * 39 + 6 * 52) / 91, rel=0.01)


# -- determinism and intervals -----------------------------------------------------------------


def test_the_same_seed_gives_the_same_results_and_another_seed_others() -> None:
    first = simulate(from_dict(scenario_data(replications=10)))
    again = simulate(from_dict(scenario_data(replications=10)))
    other = simulate(from_dict(scenario_data(replications=10, seed=8)))
    for field in ("open_cases", "waiting_cases", "wait_days", "p_wait", "within_target"):
        assert np.array_equal(getattr(first, field), getattr(again, field))
    assert not np.array_equal(first.open_cases, other.open_cases)


def test_the_interval_uses_students_t() -> None:
    assert t_quantile(1) == 12.706
    assert t_quantile(29) == 2.045
    assert t_quantile(199) == pytest.approx(1.972, abs=0.001)
    found = Estimate.of(np.array([1.0, 2.0, 3.0]))
    assert found.mean == 2
    assert found.high - found.mean == pytest.approx(4.303 / math.sqrt(3))


# -- staffing search ---------------------------------------------------------------------------


def test_the_search_finds_a_staffing_that_meets_the_target_and_none_cheaper_nearby() -> None:
    scenario = from_dict(scenario_data(replications=40))
    found = search_staffing(scenario)
    assert found.meets_service_level
    share = scenario.service_level.share

    def meets(fte: tuple[int, ...]) -> bool:
        result = simulate(scenario, fte=tuple(map(float, fte)))
        return bool((result.within_target.mean(axis=0) >= share).all())

    assert meets(found.fte)
    for index, count in enumerate(found.fte):
        if count:
            fewer = tuple(c - 1 if i == index else c for i, c in enumerate(found.fte))
            assert not meets(fewer)
    assert found.cost == 32000 * found.fte[0] + 45000 * found.fte[1]


def test_the_search_removes_the_slack_that_rounding_up_the_steady_state_leaves() -> None:
    """1.06 social workers' worth of Tier 2 rounds up to 2; with a lenient target, one does."""
    data = scenario_data(replications=20, service_level={"within_days": 60, "share": 0.5})
    data["tiers"][0]["arrivals_per_week"] = 9
    data["tiers"][1]["arrivals_per_week"] = 1.8
    scenario = from_dict(data)
    assert [math.ceil(fte) for fte in fte_needed(scenario)] == [2, 2]
    found = search_staffing(scenario)
    assert found.fte == (2, 1)
    assert found.meets_service_level


def test_when_added_staff_are_lost_at_once_the_search_adds_up_to_max_fte_and_stops() -> None:
    """A thousand leavers a year, each post empty a year: nobody stays in post, so no single
    FTE helps, and the search adds to the role holding the tier until its max_fte."""
    data = scenario_data(replications=4, weeks=20, warm_up_weeks=2)
    data["tiers"] = data["tiers"][1:]
    data["roles"] = data["roles"][1:]
    data["roles"][0].update(may_hold=[2], leavers_per_year=1000, weeks_to_fill=52, max_fte=4)
    found = search_staffing(from_dict(data))
    assert found.fte == (4,)
    assert not found.meets_service_level


def test_the_search_keeps_to_max_fte_and_says_when_the_target_is_out_of_reach() -> None:
    data = scenario_data(replications=20)
    data["roles"][0]["max_fte"] = 0.5
    data["roles"][1]["max_fte"] = 2
    found = search_staffing(from_dict(data))
    assert found.fte == (0, 2)
    assert not found.meets_service_level


def test_the_search_stops_at_its_budget_with_the_best_so_far(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "MAX_EVALUATIONS", 2)
    scenario = from_dict(scenario_data(replications=20))
    found = search_staffing(scenario)
    assert found.evaluations == 2  # the result, at every replication, was one of them
    assert found.fte == tuple(math.ceil(fte) for fte in fte_needed(scenario))


def test_with_no_single_fte_helping_the_search_adds_to_the_tier_furthest_behind() -> None:
    """Tier 2 cases last a year and arrive a hundred a week: one more social worker cannot
    move the share within target off 0, so the search adds them anyway, for Tier 2, and stops
    when none may be added: assistants cannot hold Tier 2."""
    data = scenario_data(replications=4, weeks=20, warm_up_weeks=2)
    data["tiers"][1].update(arrivals_per_week=100)
    data["tiers"][1]["duration_weeks"] = {"distribution": "exponential", "mean": 52}
    data["roles"][1]["max_fte"] = 5
    scenario = from_dict(data)
    found = search_staffing(scenario)
    assert found.fte == (math.ceil(fte_needed(scenario)[0]), 5)
    assert not found.meets_service_level
    assert found.evaluations < 10


# -- properties --------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rate=st.floats(0, 12),
    mean=st.floats(0.2, 20),
    fte=st.floats(0, 4),
    points=st.integers(1, 10),
    within=st.integers(0, 60),
    rounds=st.integers(1, 3),
)
def test_every_result_is_a_count_or_share_in_range(
    rate: float, mean: float, fte: float, points: int, within: int, rounds: int
) -> None:
    data = scenario_data(
        weeks=30,
        warm_up_weeks=4,
        replications=4,
        allocation_rounds_per_day=rounds,
        service_level={"within_days": within, "share": 0.5},
    )
    data["tiers"][0].update(arrivals_per_week=rate, points=points)
    data["tiers"][0]["duration_weeks"]["mean"] = mean
    data["roles"][1]["fte"] = fte
    result = simulate(from_dict(data))
    for shares in (result.p_wait, result.within_target):
        assert ((shares >= 0) & (shares <= 1)).all()
    for counts in (result.open_cases, result.waiting_cases, result.wait_days):
        assert (counts >= 0).all()
    assert (result.utilisation <= 1 + 1e-9).all()  # nobody leaves in this scenario


@settings(max_examples=25, deadline=None)
@given(
    weeks=st.integers(2, 520),
    rate=st.floats(0, 1000),
    growth=st.floats(-0.5, 0.3),
    fte=st.floats(0, 500),
)
def test_a_scenario_reads_back_from_its_own_data(
    weeks: int, rate: float, growth: float, fte: float
) -> None:
    data = scenario_data(
        weeks=weeks, warm_up_weeks=1, replications=2, service_level={"within_days": 6, "share": 1}
    )
    data["tiers"][0].update(arrivals_per_week=rate, growth=growth)
    data["roles"][0]["fte"] = fte
    scenario = from_dict(data)
    assert from_dict(to_dict(scenario)) == scenario
    assert loads(dumps(scenario)) == scenario


def test_the_worked_example_reads_back_from_its_own_data() -> None:
    example = planning.read_file(EXAMPLE)
    assert example.tiers[2].duration_weeks.distribution == "empirical"
    assert from_dict(to_dict(example)) == example
    assert loads(dumps(example)) == example


# -- refusals by key path ----------------------------------------------------------------------


def _changed(path: str, value: object) -> dict[str, Any]:
    """The scenario with the value at a dotted path (list positions from 1) set, or removed
    when `value` is the DELETE marker."""
    data = scenario_data()
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        name, _, index = part.partition("[")
        node = node[name]
        if index:
            node = node[int(index[:-1]) - 1]
    name, _, index = last.partition("[")
    key: str | int = name
    if index:
        node, key = node[name], int(index[:-1]) - 1
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("tiers[2].duration_weeks.mean", 0, "tiers[2].duration_weeks.mean: must be > 0"),
        ("tiers[1].duration_weeks.mean", -3, "tiers[1].duration_weeks.mean: must be > 0"),
        ("tiers[1].duration_weeks.mean", "long", "tiers[1].duration_weeks.mean: must be a number"),
        (
            "tiers[1].duration_weeks.mean",
            float("nan"),
            "tiers[1].duration_weeks.mean: must be a finite",
        ),
        ("tiers[1].duration_weeks.mean", 10**400, "tiers[1].duration_weeks.mean: must be at most"),
        ("tiers[1].duration_weeks.sd", 2, "tiers[1].duration_weeks.sd: unknown key"),
        ("tiers[2].duration_weeks.sd", DELETE, "tiers[2].duration_weeks.sd: is missing"),
        (
            "tiers[1].duration_weeks.distribution",
            "weibull",
            "tiers[1].duration_weeks.distribution: must be one of exponential, lognormal, "
            "empirical",
        ),
        (
            "tiers[1].duration_weeks",
            {"distribution": "empirical", "weeks": []},
            "tiers[1].duration_weeks.weeks: must not be empty",
        ),
        (
            "tiers[1].duration_weeks",
            {"distribution": "empirical", "weeks": [3, 0]},
            "tiers[1].duration_weeks.weeks[2]: must be > 0",
        ),
        (
            "tiers[1].arrivals_per_week",
            [1] * 51,
            "tiers[1].arrivals_per_week: must be one number or a list of 52 weekly rates, not 51",
        ),
        (
            "tiers[1].arrivals_per_week",
            [1] * 51 + [-1],
            "tiers[1].arrivals_per_week[52]: must be >= 0",
        ),
        ("tiers[1].arrivals_per_week", True, "tiers[1].arrivals_per_week: must be a number"),
        ("tiers[1].growth", -1, "tiers[1].growth: must be > -1"),
        ("tiers[1].share_becoming_cases", 1.5, "tiers[1].share_becoming_cases: must be at most 1"),
        ("tiers[1].points", 0, "tiers[1].points: must be a whole number from 1 to 1,000, not 0"),
        ("tiers[1].points", 2.5, "tiers[1].points: must be a whole number, not 2.5"),
        ("tiers[2].tier", 1, "tiers[2].tier: Tier 1 is given more than once"),
        ("tiers[1].colour", "red", "tiers[1].colour: unknown key"),
        ("roles[1].role", "wizard", "roles[1].role: must be a case-holding role"),
        ("roles[1].role", "team_manager", "roles[1].role: must be a case-holding role"),
        ("roles[2].role", "assistant", "roles[2].role: 'assistant' is given more than once"),
        ("roles[1].fte", -1, "roles[1].fte: must be >= 0"),
        ("roles[1].capacity_points_per_fte", 0, "roles[1].capacity_points_per_fte: must be > 0"),
        ("roles[1].may_hold", [4], "roles[1].may_hold: names a tier the scenario does not have"),
        ("roles[1].may_hold", "1", "roles[1].may_hold: must be a list of tier numbers"),
        ("roles[2].may_hold", [1], "tiers[2]: no role may hold Tier 2 cases"),
        ("roles[2].fte", DELETE, "roles[2].fte: is missing"),
        ("roles", [], "roles: must not be empty"),
        ("tiers", [{"tier": n} for n in range(11)], "tiers: has 11 entries; the most is 10"),
        ("tiers[1]", 5, "tiers[1]: must be a mapping with the keys tier, arrivals_per_week"),
        ("tiers[1].duration_weeks", 12, "tiers[1].duration_weeks: must be a mapping with a "),
        ("tiers", {"tier": 1}, "tiers: must be a list"),
        ("service_level.share", 0, "service_level.share: must be > 0"),
        (
            "service_level.within_days",
            800,
            "service_level.within_days: must be a whole number from 0 to 728",
        ),
        (
            "service_level.within_days",
            637,
            "service_level.within_days: must be shorter than the 91 weeks measured",
        ),
        ("service_level.target", 1, "service_level.target: unknown key"),
        ("weeks", 0, "weeks: must be a whole number from 1 to 520, not 0"),
        ("warm_up_weeks", 104, "warm_up_weeks: must be a whole number from 0 to 103"),
        ("replications", 1, "replications: must be a whole number from 2 to 10,000"),
        ("replications", 10_000, "replications: 10,000 replications of 104 weeks"),
        ("seed", -1, "seed: must be a whole number from 0"),
        ("tiers[1].arrivals_per_week", 100_000, "replications: up to 624,018,720 cases over 60"),
        ("start_month", 13, "start_month: must be a whole number from 1 to 12"),
        ("allocation_rounds_per_day", 0, "allocation_rounds_per_day: must be a whole number"),
        ("horizon", 5, "horizon: unknown key"),
        ("service_level", DELETE, "service_level: is missing"),
    ],
)
def test_a_bad_scenario_is_refused_naming_the_key(path: str, value: object, message: str) -> None:
    with pytest.raises(planning.ScenarioError) as refused:
        from_dict(_changed(path, value))
    assert str(refused.value).startswith(message), str(refused.value)


def test_may_hold_defaults_to_the_complexity_models_eligibility() -> None:
    data = scenario_data()
    for role in data["roles"]:
        del role["may_hold"]
    data["roles"].append({"role": "asye", "fte": 1, "capacity_points_per_fte": 76})
    scenario = from_dict(data)
    assert [sorted(role.may_hold) for role in scenario.roles] == [[1], [1, 2], [1, 2]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- 1\n- 2\n", "The scenario must be a mapping"),
        ("weeks: [\n", "the scenario is not valid YAML"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases (& and *) are not allowed"),
        ("weeks: 1\nweeks: 2\n", "line 2: the key 'weeks' is given twice"),
        ("weeks: !!python/object/apply:os.system [ls]\n", "the scenario is not valid YAML"),
        ("weeks: 1" + "0" * 5000 + "\n", "The scenario holds a number"),
        ("#" * 100_001, "The scenario is 100,001 bytes long"),
    ],
)
def test_hostile_yaml_is_refused_before_it_is_read(text: str, message: str) -> None:
    with pytest.raises(
        planning.ScenarioError,
        match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*"),
    ):
        planning.loads(text)


def test_a_scenario_file_is_read_and_its_errors_name_it(tmp_path: Path) -> None:
    assert planning.read_file(EXAMPLE).weeks == 260
    missing = tmp_path / "missing.yaml"
    with pytest.raises(planning.ScenarioError, match="Cannot read the scenario"):
        planning.read_file(missing)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("weeks: 1 # caf\xe9".encode("latin-1"))
    with pytest.raises(planning.ScenarioError, match="is not UTF-8 text"):
        planning.read_file(latin)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 200_000)
    with pytest.raises(planning.ScenarioError, match="over 100,000 bytes long"):
        planning.read_file(big)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"weeks": 0, "service_level": {}, "tiers": [], "roles": []}')
    with pytest.raises(planning.ScenarioError, match=r"wrong.json: weeks: must be a whole"):
        planning.read_file(wrong)
