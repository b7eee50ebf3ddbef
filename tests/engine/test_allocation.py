"""Allocation: optimal against brute force, rule-abiding, explained, and no worse than greedy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from caseload_engine.allocation import (
    STAGES,
    AllocationResult,
    CaseToAllocate,
    PractitionerCapacity,
    Rules,
    allocate,
    allocate_greedy,
    breaches,
    eligibility,
    independent_groups,
    objective,
    qualification_rank,
    spread_penalty,
)
from caseload_engine.allocation import instances as allocation_instances
from caseload_engine.complexity import Eligibility, default_model

RULES = Rules(default_model())
CROSS_TEAM = Rules(default_model(), cross_team=True)
TODAY = date(2026, 3, 2)
ROLES = ["social_worker", "assistant", "asye", "experienced", "advanced", "occupational_therapist"]
SKILLS = ["amhp", "bia"]

Assignment = dict[str, str | None]


def _assignment(result: AllocationResult) -> Assignment:
    return {p.case_id: p.practitioner_id for p in result.proposals}


def practitioner(
    practitioner_id: str,
    role: str = "social_worker",
    *,
    team: str = "Hospital Discharge",
    capacity: str = "85",
    current: str = "0",
    skills: Sequence[str] = (),
    available: bool = True,
    name: str = "",
) -> PractitionerCapacity:
    return PractitionerCapacity(
        practitioner_id=practitioner_id,
        team=team,
        role=role,
        fte=Decimal(1),
        capacity_points=Decimal(capacity),
        current_points=Decimal(current),
        skills=frozenset(skills),
        available=available,
        name=name,
    )


def case(
    case_id: str,
    tier: int = 1,
    points: str | None = None,
    *,
    team: str = "Hospital Discharge",
    priority: int = 2,
    previous: str | None = None,
    skills: Sequence[str] = (),
    reserved: bool = False,
    waited: int = 0,
) -> CaseToAllocate:
    return CaseToAllocate(
        case_id=case_id,
        team=team,
        tier=tier,
        points=Decimal(points or str(RULES.model.band(tier).points)),
        required_skills=frozenset(skills),
        reserved=reserved,
        previous_practitioner=previous,
        waiting_since=TODAY - timedelta(days=waited),
        priority=priority,
    )


# -- random instances ------------------------------------------------------------------------


@st.composite
def instances(
    draw: st.DrawFn, *, most_cases: int, most_practitioners: int, teams: int = 1
) -> tuple[list[CaseToAllocate], list[PractitionerCapacity]]:
    """Mostly eligible, part-loaded practitioners, so that capacity binds and choices abound;
    now and then a manager, an absence, a skill or a reserved function."""
    team_names = [f"Team {i + 1}" for i in range(teams)]
    rarely = st.sampled_from([False] * 9 + [True])  # the first choice is the likeliest
    staff = []
    for i in range(draw(st.integers(min(2, most_practitioners), most_practitioners))):
        capacity = 0 if draw(rarely) else draw(st.integers(50, 250))
        staff.append(
            practitioner(
                f"p{i}",
                draw(st.sampled_from([*ROLES, *ROLES, "team_manager"])),
                team=draw(st.sampled_from(team_names)),
                capacity=str(Decimal(capacity) / 10),
                current=str(Decimal(draw(st.integers(0, capacity // 2))) / 10),
                skills=draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True)),
                available=not draw(rarely),
            )
        )
    ids = [p.practitioner_id for p in staff]
    cases = []
    for i in range(draw(st.integers(min(3, most_cases), most_cases))):
        tier = draw(st.integers(1, 3))
        cases.append(
            case(
                f"c{i}",
                tier,
                draw(st.sampled_from(["3", "5", "8", "2.5", "4.5"])),
                team=draw(st.sampled_from(team_names)),
                priority=draw(st.integers(1, 3)),
                previous=draw(st.none() | st.sampled_from([*ids, "someone-else"])),
                skills=[draw(st.sampled_from(SKILLS))] if draw(rarely) else [],
                reserved=draw(rarely),
                waited=draw(st.integers(0, 30)),
            )
        )
    return cases, staff


def _every_assignment(
    cases: Sequence[CaseToAllocate],
    staff: Sequence[PractitionerCapacity],
    rules: Rules,
) -> Iterator[Assignment]:
    """Every assignment that breaks no hard rule, by depth-first search."""
    room = {p.practitioner_id: p.capacity_points - p.current_points for p in staff}
    options = [[None, *(p for p in staff if eligibility(c, p, rules).allowed)] for c in cases]
    chosen: Assignment = {}

    def extend(i: int) -> Iterator[Assignment]:
        if i == len(cases):
            yield dict(chosen)
            return
        for option in options[i]:
            if option is None:
                chosen[cases[i].case_id] = None
                yield from extend(i + 1)
            elif room[option.practitioner_id] >= cases[i].points:
                chosen[cases[i].case_id] = option.practitioner_id
                room[option.practitioner_id] -= cases[i].points
                yield from extend(i + 1)
                room[option.practitioner_id] += cases[i].points

    yield from extend(0)


def _brute_force_best(
    cases: Sequence[CaseToAllocate], staff: Sequence[PractitionerCapacity], rules: Rules
) -> tuple[object, ...]:
    return max(
        objective(cases, staff, rules, assignment).key()
        for assignment in _every_assignment(cases, staff, rules)
    )


# -- optimal ---------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(most_cases=6, most_practitioners=3))
def test_every_stage_matches_brute_force_in_a_team(
    instance: tuple[list[CaseToAllocate], list[PractitionerCapacity]],
) -> None:
    cases, staff = instance
    result = allocate(cases, staff, RULES)
    assert result.optimal
    assert result.stage_gaps == dict.fromkeys(STAGES, 0.0)
    found = objective(cases, staff, RULES, _assignment(result)).key()
    assert found == _brute_force_best(cases, staff, RULES)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(most_cases=6, most_practitioners=3, teams=2))
def test_every_stage_matches_brute_force_in_each_group_across_teams(
    instance: tuple[list[CaseToAllocate], list[PractitionerCapacity]],
) -> None:
    cases, staff = instance
    assignment = _assignment(allocate(cases, staff, CROSS_TEAM))
    for group_cases, group_staff in independent_groups(cases, staff, CROSS_TEAM):
        found = objective(group_cases, group_staff, CROSS_TEAM, assignment).key()
        assert found == _brute_force_best(group_cases, group_staff, CROSS_TEAM)


def _three_practitioners(
    draw: st.DrawFn,
    *,
    capacity: str,
    current: tuple[int, int],
    cases: tuple[int, int],
    points: Sequence[str] = (),
) -> tuple[list[CaseToAllocate], list[PractitionerCapacity]]:
    """Three practitioners whose roles differ in the tiers they may hold, and tier 1 and 2
    cases of every priority (of the tier's points, or of `points`), many back with their
    previous practitioner."""
    staff = [
        practitioner(
            f"p{i}",
            draw(st.sampled_from(["asye", "social_worker", "experienced"])),
            capacity=capacity,
            current=str(draw(st.integers(*current))),
        )
        for i in range(3)
    ]
    drawn = [
        case(
            f"c{i}",
            draw(st.integers(1, 2)),
            draw(st.sampled_from(points)) if points else None,
            priority=draw(st.integers(1, 3)),
            previous=draw(st.none() | st.sampled_from(["p0", "p1", "p2"])),
        )
        for i in range(draw(st.integers(*cases)))
    ]
    return drawn, staff


def _matches_brute_force(
    instance: tuple[list[CaseToAllocate], list[PractitionerCapacity]],
) -> AllocationResult:
    cases, staff = instance
    result = allocate(cases, staff, RULES)
    assert result.optimal
    found = objective(cases, staff, RULES, _assignment(result)).key()
    assert found == _brute_force_best(cases, staff, RULES)
    return result


@st.composite
def room_for_everyone(
    draw: st.DrawFn,
) -> tuple[list[CaseToAllocate], list[PractitionerCapacity]]:
    """Three practitioners with room for every case: every priority is complete, so the
    solver merges types after work (`solver.GroupSolver._merge`)."""
    return _three_practitioners(draw, capacity="40", current=(0, 20), cases=(2, 6))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(room_for_everyone())
def test_every_stage_matches_brute_force_with_types_merged_after_work(
    instance: tuple[list[CaseToAllocate], list[PractitionerCapacity]],
) -> None:
    result = _matches_brute_force(instance)
    assert all(p.practitioner_id for p in result.proposals)


@st.composite
def more_work_than_room(
    draw: st.DrawFn,
) -> tuple[list[CaseToAllocate], list[PractitionerCapacity]]:
    """Cases of one and two points onto three practitioners with a few whole points of room
    each, and more work than room: the work fills every room, which fixes every load
    (`solver.GroupSolver._pin_loads`), unless an ASYE cannot take a tier 2 case."""
    cases, staff = _three_practitioners(
        draw, capacity="10", current=(6, 9), cases=(5, 7), points=("1", "2")
    )
    room = sum(p.capacity_points - p.current_points for p in staff)
    assume(sum(c.points for c in cases) > room)
    return cases, staff


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(more_work_than_room())
def test_every_stage_matches_brute_force_where_the_work_fixes_the_loads(
    instance: tuple[list[CaseToAllocate], list[PractitionerCapacity]],
) -> None:
    _matches_brute_force(instance)


def test_the_objective_weighs_priority_before_everything_else() -> None:
    staff = [practitioner("p1", current="77")]  # room for one 8-point case
    cases = [case("low", 3, priority=3, previous="p1"), case("high", 3, priority=1)]
    assert _assignment(allocate(cases, staff, RULES)) == {"low": None, "high": "p1"}


def test_continuity_comes_before_balance() -> None:
    staff = [practitioner("busy", current="60"), practitioner("free")]
    result = allocate([case("c1", 2, previous="busy")], staff, RULES)
    assert _assignment(result) == {"c1": "busy"}
    assert result.proposals[0].continuity


def test_the_highest_utilisation_is_kept_down_then_the_load_spread() -> None:
    staff = [practitioner("a", current="40"), practitioner("b", current="20")]
    cases = [case(f"c{i}", 2) for i in range(4)]  # 20 points
    result = allocate(cases, staff, RULES)
    after = {u.practitioner_id: u.after_points for u in result.utilisation}
    assert after == {"a": Decimal(40), "b": Decimal(40)}


def test_tier_1_goes_to_the_least_qualified_eligible_role() -> None:
    staff = [practitioner("sw", "social_worker"), practitioner("sa", "assistant")]
    result = allocate([case("c1", 1)], staff, RULES)
    assert _assignment(result) == {"c1": "sa"}
    least_first = sorted(ROLES, key=lambda role: qualification_rank(RULES.model, role))
    assert least_first == [
        "assistant",
        "occupational_therapist",
        "asye",
        "social_worker",
        "experienced",
        "advanced",
    ]


def test_interchangeable_cases_go_longest_waiting_first() -> None:
    staff = [practitioner("p1", current="75")]  # room for two Tier 2 cases
    cases = [case("new", 2, waited=1), case("oldest", 2, waited=90), case("older", 2, waited=30)]
    assignment = _assignment(allocate(cases, staff, RULES))
    assert assignment == {"new": None, "oldest": "p1", "older": "p1"}


def test_spread_penalty_counts_each_tenth_of_capacity_passed() -> None:
    assert spread_penalty(Decimal(0), Decimal(100)) == 0
    assert spread_penalty(Decimal(10), Decimal(100)) == 0
    assert spread_penalty(Decimal(25), Decimal(100)) == Decimal(15) + Decimal(5)
    assert spread_penalty(Decimal(5), Decimal(0)) == 0


# -- hard rules ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(instances(most_cases=25, most_practitioners=6, teams=2), st.booleans())
def test_no_proposal_breaks_a_hard_rule(
    instance: tuple[list[CaseToAllocate], list[PractitionerCapacity]], cross_team: bool
) -> None:
    cases, staff = instance
    rules = CROSS_TEAM if cross_team else RULES
    for result in (allocate(cases, staff, rules), allocate_greedy(cases, staff, rules)):
        assignment = _assignment(result)
        assert breaches(cases, staff, rules, assignment) == []
        for proposal, each in zip(result.proposals, cases, strict=True):
            assert proposal.case_id == each.case_id
            assert proposal.continuity == (
                proposal.practitioner_id is not None
                and proposal.practitioner_id == each.previous_practitioner
            )
        for used in result.utilisation:
            assert used.after_points <= max(used.capacity_points, used.before_points)


def test_breaches_names_each_broken_rule() -> None:
    staff = [practitioner("sa", "assistant", capacity="5"), practitioner("sw", available=False)]
    cases = [case("c1", 3), case("c2", 1, points="8")]
    problems = breaches(cases, staff, RULES, {"c1": "sa", "c2": "sa"})
    assert problems == [
        "c1: Tier 3 cases are not held by the role Social work assistant / care co-ordinator",
        "sa: 0 + 16 points exceed the capacity of 5",
    ]
    assert breaches(cases, staff, RULES, {"c2": "sw"}) == ["c2: sw is unavailable"]


def test_eligibility_names_the_first_broken_rule() -> None:
    amhp_case = case("c1", 2, skills=["amhp"], reserved=True)
    assert eligibility(amhp_case, practitioner("p", team="Review"), RULES).reason == (
        "p is in Review, not Hospital Discharge"
    )
    assert eligibility(amhp_case, practitioner("p", "assistant"), RULES).reason == (
        "Tier 2 cases are not held by the role Social work assistant / care co-ordinator"
    )
    # An occupational therapist may hold Tier 1, so only the reserved function rules them out.
    therapist = practitioner("p", "occupational_therapist")
    assert eligibility(case("c2", 1), therapist, RULES).allowed
    reserved_tier_1 = case("c2", 1, reserved=True)
    assert eligibility(reserved_tier_1, therapist, RULES) == Eligibility(
        False,
        "The case has a reserved function, for a registered social worker; "
        "p is an occupational therapist",
    )
    assert eligibility(
        reserved_tier_1, practitioner("p", "occupational_therapist", name="Olu Ade"), RULES
    ).reason == (
        "The case has a reserved function, for a registered social worker; "
        "Olu Ade is an occupational therapist"
    )
    assert eligibility(amhp_case, practitioner("p"), RULES).reason == (
        "p does not have the skill amhp"
    )
    unavailable = practitioner("p", skills=["amhp"], available=False)
    assert eligibility(amhp_case, unavailable, RULES).reason == "p is unavailable"
    allowed = eligibility(amhp_case, practitioner("p", skills=["amhp"], name="Aisha Khan"), RULES)
    assert allowed.allowed
    assert allowed.reason == "Aisha Khan (social worker) may hold Tier 2 cases"
    across = eligibility(case("c3", 1), practitioner("p", team="Review"), CROSS_TEAM)
    assert across.allowed
    assert eligibility(case("c4", 7, "5"), practitioner("p"), RULES).reason == (
        "Tier 7 is not a tier of the complexity model"
    )


# -- quality against the greedy baseline ------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(instances(most_cases=25, most_practitioners=6, teams=2), st.booleans())
def test_never_worse_than_greedy_stage_by_stage_in_any_group(
    instance: tuple[list[CaseToAllocate], list[PractitionerCapacity]], cross_team: bool
) -> None:
    """What optimality proves: in every group the whole objective is at least greedy's, so
    in particular the priority-weighted work (stage 1) always is."""
    cases, staff = instance
    rules = CROSS_TEAM if cross_team else RULES
    ours = _assignment(allocate(cases, staff, rules))
    greedy = _assignment(allocate_greedy(cases, staff, rules))
    for group_cases, group_staff in independent_groups(cases, staff, rules):
        mine = objective(group_cases, group_staff, rules, ours)
        theirs = objective(group_cases, group_staff, rules, greedy)
        assert mine.key() >= theirs.key()
        assert mine.work >= theirs.work


def test_greedy_takes_cases_in_turn_to_the_lowest_utilisation() -> None:
    staff = [practitioner("a", current="40"), practitioner("b", current="30", capacity="50")]
    cases = [case("second", 2, waited=1), case("first", 2, waited=5), case("urgent", 1, priority=1)]
    result = allocate_greedy(cases, staff, RULES)
    # urgent: a 47% vs b 60% -> a (40 -> 43); first: a 51% vs b 60% -> a; second: a 56%, b 60%.
    assert _assignment(result) == {"second": "a", "first": "a", "urgent": "a"}
    assert not result.optimal
    assert result.stage_gaps == {}
    assert "lowest utilisation" in result.proposals[0].reason


# -- explanations ----------------------------------------------------------------------------


def _reasons(
    cases: Sequence[CaseToAllocate], staff: Sequence[PractitionerCapacity], rules: Rules = RULES
) -> Mapping[str, str]:
    return {p.case_id: p.reason for p in allocate(cases, staff, rules).proposals}


def test_not_allocated_reasons_name_the_rule_nobody_meets() -> None:
    staff = [
        practitioner("sa", "assistant"),
        practitioner("ot", "occupational_therapist"),
        practitioner("mh", "social_worker", team="Mental Health", available=False),
    ]
    cases = [
        case("no team", 1, team="Review"),
        case("no role", 3),
        case("reserved", 1, reserved=True),
        case("skill", 1, skills=["bia"]),
        case("away", 2, team="Mental Health"),
    ]
    assert _reasons(cases, staff) == {
        "no team": "no practitioners in Review",
        "no role": "no one in Hospital Discharge has a role that may hold Tier 3",
        "reserved": "no one in Hospital Discharge who may hold Tier 1 is registered for "
        "reserved work",
        "skill": "no one in Hospital Discharge who may hold Tier 1 has the skill bia",
        "away": "everyone in Mental Health who could hold it is unavailable",
    }


def test_skills_held_apart_but_never_together() -> None:
    staff = [practitioner("a", skills=["amhp"]), practitioner("b", skills=["bia"])]
    reasons = _reasons([case("c1", 2, skills=["amhp", "bia"])], staff)
    assert reasons == {
        "c1": "no one in Hospital Discharge who may hold Tier 2 has all of the skills amhp and bia"
    }


def test_capacity_shortfall_in_points() -> None:
    staff = [practitioner("sw", current="77")]  # room for one Tier 3 case of 8 points
    cases = [case(f"c{i}", 3, waited=10 - i) for i in range(4)]
    reasons = _reasons(cases, staff)
    assert reasons["c1"] == "no Tier 3 capacity in Hospital Discharge: 24 points short"
    assert reasons["c0"].startswith("Tier 3, 8 points, to sw (social worker): the only eligible")


def test_capacity_left_in_pieces_too_small() -> None:
    staff = [practitioner("a", current="82"), practitioner("b", current="82")]
    reasons = _reasons([case("c1", 2)], staff, RULES)
    assert reasons["c1"] == (
        "no Tier 2 capacity in Hospital Discharge: the most room left with anyone eligible "
        "is 3 points, and the case needs 5"
    )


def test_allocated_reasons_and_the_next_best_alternative() -> None:
    staff = [
        practitioner("p1", current="49.3", name="Aisha Khan"),
        practitioner("p2", "experienced", current="55.4", name="Ben Ode"),
    ]
    result = allocate([case("c1", 2, previous="p1"), case("c2", 3)], staff, RULES)
    first, second = result.proposals
    assert first.reason == (
        "Tier 2, 5 points, to Aisha Khan (social worker): their case before; 58% → 73% of capacity"
    )
    assert first.alternative_id == "p2"
    assert first.alternative_reason == "Ben Ode (experienced social worker): would reach 71%"
    assert second.practitioner_id == "p1"
    assert second.reason.startswith("Tier 3, 8 points, to Aisha Khan (social worker): ")
    assert second.alternative_reason == "Ben Ode (experienced social worker): would reach 75%"


def test_the_reason_names_the_stage_that_decided() -> None:
    # Both could take it; moving it to the assistant's colleague would lift the top.
    staff = [practitioner("sa", "assistant", current="40"), practitioner("sw", current="80")]
    proposal = allocate([case("c1", 1)], staff, RULES).proposals[0]
    assert proposal.practitioner_id == "sa"
    assert "keeps the team's highest utilisation at 94%" in proposal.reason
    # Equal loads: the least qualified role takes Tier 1.
    staff = [practitioner("sa", "assistant"), practitioner("sw")]
    proposal = allocate([case("c1", 1)], staff, RULES).proposals[0]
    assert proposal.reason == (
        "Tier 1, 3 points, to sa (social work assistant / care co-ordinator): leaves the more "
        "qualified social worker free; 0% → 4% of capacity"
    )


def test_utilisation_before_and_after_for_everyone() -> None:
    staff = [practitioner("a", current="42.5"), practitioner("z", capacity="0")]
    result = allocate([case("c1", 3)], staff, RULES)
    assert [(u.practitioner_id, u.before_points, u.after_points) for u in result.utilisation] == [
        ("a", Decimal("42.5"), Decimal("50.5")),
        ("z", Decimal(0), Decimal(0)),
    ]
    assert result.utilisation[0].before == 0.5
    assert result.utilisation[1].after == 0.0
    assert result.highest_utilisation == pytest.approx(50.5 / 85)
    assert (result.allocated, result.not_allocated, result.continuity_kept) == (1, 0, 0)


# -- behaviour -------------------------------------------------------------------------------


def test_the_same_inputs_give_the_same_proposal() -> None:
    instance = allocation_instances.weekly_intake(7, practitioners=40, cases=60)
    first = allocate(instance.cases, instance.practitioners, instance.rules)
    again = allocate(instance.cases, instance.practitioners, instance.rules)
    assert first == again
    assert first.optimal


def test_a_time_limit_still_gives_a_rule_abiding_proposal_no_worse_than_greedy() -> None:
    instance = allocation_instances.council_rebalance(3, practitioners=40, cases=1200)
    cases, staff, rules = instance.cases, instance.practitioners, instance.rules
    result = allocate(cases, staff, rules, time_limit_s=0.05)
    assignment = _assignment(result)
    assert breaches(cases, staff, rules, assignment) == []
    assert set(result.stage_gaps) == set(STAGES)
    assert all(0.0 <= gap <= 1.0 for gap in result.stage_gaps.values())
    assert result.optimal == all(gap == 0.0 for gap in result.stage_gaps.values())
    greedy = _assignment(allocate_greedy(cases, staff, rules))
    for group_cases, group_staff in independent_groups(cases, staff, rules):
        ours = objective(group_cases, group_staff, rules, assignment)
        theirs = objective(group_cases, group_staff, rules, greedy)
        assert ours.work >= theirs.work


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c, p: ([c[0], c[0]], p), "The case id 'c1' is used more than once"),
        (lambda c, p: (c, [p[0], p[0]]), "The practitioner id 'p1' is used more than once"),
        (lambda c, p: ([replace(c[0], priority=4)], p), "priority 4, not 1, 2 or 3"),
        (lambda c, p: ([replace(c[0], points=Decimal("2.25"))], p), "at most one decimal"),
        (lambda c, p: ([replace(c[0], points=Decimal(0))], p), "more than 0 points"),
        (lambda c, p: (c, [replace(p[0], current_points=Decimal(-1))]), "cannot be negative"),
    ],
)
def test_inputs_the_engine_refuses(change: object, message: str) -> None:
    cases, staff = change([case("c1")], [practitioner("p1")])  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        allocate(cases, staff, RULES)


def test_nothing_to_allocate() -> None:
    result = allocate([], [practitioner("p1", current="10")], RULES)
    assert result.proposals == ()
    assert result.optimal
    assert result.highest_utilisation == pytest.approx(10 / 85)


def test_every_group_finishes_a_round_before_any_starts_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stage-major: a short time limit then costs only the least important stages."""
    from caseload_engine.allocation import solver as allocation_solver

    taken: list[int] = []
    original = allocation_solver.GroupSolver.try_round

    def recording(self: allocation_solver.GroupSolver, first_term: int, **kwargs: float) -> bool:
        taken.append(first_term)
        return original(self, first_term, **kwargs)

    monkeypatch.setattr(allocation_solver.GroupSolver, "try_round", recording)
    instance = allocation_instances.weekly_intake(7, practitioners=40, cases=60)
    result = allocate(instance.cases, instance.practitioners, instance.rules)
    assert result.optimal
    teams = len(independent_groups(instance.cases, instance.practitioners, instance.rules))
    assert teams > 1
    assert taken == sorted(taken)  # round by round, never back to an earlier one
    assert taken.count(0) == teams  # every group's work first, once each without a limit


def test_time_left_in_a_round_goes_to_the_groups_that_ran_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A group whose first try runs out is tried again while the round has time left, and
    its round is settled once, after its last try."""
    from caseload_engine.allocation import solver as allocation_solver

    tries: dict[tuple[int, int], int] = {}
    settled: list[tuple[int, int]] = []
    original_try = allocation_solver.GroupSolver.try_round
    original_settle = allocation_solver.GroupSolver.settle_round

    def first_try_runs_out(
        self: allocation_solver.GroupSolver, first_term: int, **kwargs: float
    ) -> bool:
        key = (id(self), first_term)
        tries[key] = tries.get(key, 0) + 1
        done = original_try(self, first_term, **kwargs)
        return done and tries[key] > 1

    def recording_settle(self: allocation_solver.GroupSolver, first_term: int) -> None:
        settled.append((id(self), first_term))
        original_settle(self, first_term)

    monkeypatch.setattr(allocation_solver.GroupSolver, "try_round", first_try_runs_out)
    monkeypatch.setattr(allocation_solver.GroupSolver, "settle_round", recording_settle)
    instance = allocation_instances.weekly_intake(5, practitioners=20, cases=30)
    cases, staff, rules = instance.cases, instance.practitioners, instance.rules
    result = allocate(cases, staff, rules, time_limit_s=60)
    assert len(independent_groups(cases, staff, rules)) > 1
    assert set(tries.values()) == {2}
    assert sorted(settled) == sorted(tries)  # each group's round settled once, after its tries
    proven = allocate(cases, staff, rules)
    assert objective(cases, staff, rules, _assignment(result)) == objective(
        cases, staff, rules, _assignment(proven)
    )
