"""The complexity model: validated on load, scored monotonely, explained in words, round-tripped."""

from __future__ import annotations

import dataclasses
import itertools
import re
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caseload_engine import complexity
from caseload_engine.complexity import (
    LEVELS,
    CapacityPolicy,
    ComplexityModel,
    Factor,
    Level,
    ModelError,
    ReservedFunction,
    ScoreError,
    TierBand,
)
from caseload_engine.reference import Role

DEFAULT = complexity.default_model()
ROLES = [role.value for role in Role]

# -- a strategy for valid models --------------------------------------------------------------

# Any Unicode text but control characters, which models refuse (see the test below).
_any_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc"]),
    min_size=1,
    max_size=24,
).filter(str.strip)
# Names and descriptors matter only to the YAML round trip; elsewhere cheap ones will do.
_plain_text = st.sampled_from(["Risk", "Low", "Serious harm is likely", "Tier één", "x"])
# Keys like 'null', 'yes' or 'on' test that YAML keeps them text.
_keys = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True) | st.sampled_from(
    ["null", "yes", "on"]
)
_role_sets = st.frozensets(st.sampled_from(ROLES), min_size=1)
_shares = st.integers(min_value=1, max_value=10).map(lambda tenths: Decimal(tenths) / 10)


def _unique(drawn: list[str]) -> list[str]:
    return list(dict.fromkeys(drawn))


@st.composite
def _factors(draw: st.DrawFn, words: st.SearchStrategy[str]) -> tuple[Factor, ...]:
    keys = draw(st.lists(_keys, min_size=1, max_size=8).map(_unique))
    return tuple(
        Factor(
            key=key,
            name=f"{draw(words)} {key}",  # factor names are unique within a model
            source=draw(st.just("") | words),
            levels=(
                Level(draw(words), draw(words)),
                Level(draw(words), draw(words)),
                Level(draw(words), draw(words)),
            ),
        )
        for key in keys
    )


@st.composite
def valid_models(draw: st.DrawFn, words: st.SearchStrategy[str] = _plain_text) -> ComplexityModel:
    """1-8 factors; 1-4 contiguous bands covering exactly n..3n; any points and roles."""
    factors = draw(_factors(words))
    lowest, highest = len(factors) * LEVELS[0], len(factors) * LEVELS[-1]
    band_count = draw(st.integers(min_value=1, max_value=min(4, highest - lowest + 1)))
    starts = sorted(
        draw(
            st.sets(
                st.integers(min_value=lowest + 1, max_value=highest),
                min_size=band_count - 1,
                max_size=band_count - 1,
            )
        )
    )
    tier_numbers = sorted(
        draw(
            st.sets(st.integers(min_value=1, max_value=9), min_size=band_count, max_size=band_count)
        )
    )
    tiers = tuple(
        TierBand(
            tier=tier,
            minimum=minimum,
            maximum=next_minimum - 1,
            points=draw(st.integers(min_value=1, max_value=1_000)),
            roles=draw(_role_sets),
        )
        for tier, minimum, next_minimum in zip(
            tier_numbers, [lowest, *starts], [*starts, highest + 1], strict=True
        )
    )
    function_keys = draw(st.lists(_keys, max_size=3).map(_unique))
    points_per_fte = draw(st.integers(min_value=1, max_value=200))
    return ComplexityModel(
        name=draw(words),
        factors=factors,
        tiers=tiers,
        reserved_functions=tuple(ReservedFunction(key, draw(words)) for key in function_keys),
        registered_roles=draw(_role_sets if function_keys else st.just(frozenset[str]())),
        capacity=CapacityPolicy(
            points_per_fte=Decimal(points_per_fte),
            stable_element=Decimal(draw(st.integers(min_value=0, max_value=points_per_fte - 1))),
            role_share=draw(st.dictionaries(st.sampled_from(ROLES), _shares)),
        ),
    )


@st.composite
def models_with_scores(draw: st.DrawFn) -> tuple[ComplexityModel, dict[str, int]]:
    model = draw(valid_models())
    scores = {factor.key: draw(st.sampled_from(LEVELS)) for factor in model.factors}
    return model, scores


# -- properties -------------------------------------------------------------------------------


@given(models_with_scores(), st.data())
def test_raising_any_factor_never_lowers_the_total_or_the_tier(
    model_and_scores: tuple[ComplexityModel, dict[str, int]], data: st.DataObject
) -> None:
    model, scores = model_and_scores
    raisable = [key for key, value in scores.items() if value < LEVELS[-1]]
    assume(raisable)
    key = data.draw(st.sampled_from(raisable))
    raised = {**scores, key: data.draw(st.sampled_from([v for v in LEVELS if v > scores[key]]))}
    before, after = complexity.score(model, scores), complexity.score(model, raised)
    assert after.total > before.total
    assert after.tier >= before.tier


def test_the_default_model_is_monotone_in_every_factor_for_every_scoring() -> None:
    keys = [factor.key for factor in DEFAULT.factors]
    for levels in itertools.product(LEVELS, repeat=len(keys)):
        scores = dict(zip(keys, levels, strict=True))
        base = complexity.score(DEFAULT, scores)
        for key in keys:
            if scores[key] < LEVELS[-1]:
                raised = complexity.score(DEFAULT, {**scores, key: scores[key] + 1})
                assert raised.total == base.total + 1
                assert raised.tier >= base.tier


@given(valid_models())
def test_every_reachable_total_falls_in_exactly_one_tier(model: ComplexityModel) -> None:
    for total in range(model.lowest_total, model.highest_total + 1):
        holding = [band for band in model.tiers if band.holds(total)]
        assert len(holding) == 1
        assert model.band_for_total(total) == holding[0]
    for unreachable in (model.lowest_total - 1, model.highest_total + 1):
        with pytest.raises(ScoreError, match=f"Total {unreachable} is outside"):
            model.band_for_total(unreachable)


@given(models_with_scores())
def test_a_score_lands_in_the_band_holding_its_total(
    model_and_scores: tuple[ComplexityModel, dict[str, int]],
) -> None:
    model, scores = model_and_scores
    scored = complexity.score(model, scores)
    band = model.band(scored.tier)
    assert scored.total == sum(scores.values())
    assert band.holds(scored.total)
    assert scored.points == band.points


def test_the_default_model_round_trips() -> None:
    assert complexity.loads(complexity.dumps(DEFAULT)) == DEFAULT


@settings(deadline=None)  # YAML for eight factors of long Unicode text is slow to emit
@given(valid_models(words=_any_text))
def test_any_valid_model_round_trips_through_yaml(model: ComplexityModel) -> None:
    assert complexity.loads(complexity.dumps(model)) == model


@pytest.mark.parametrize("control", ["\x85", "\x00", "\x1b"])
def test_a_name_with_a_control_character_is_refused(control: str) -> None:
    # YAML would read U+0085 back as a line break: such a model could not round-trip.
    with pytest.raises(ModelError, match="control character"):
        dataclasses.replace(DEFAULT, name=f"caseload{control}model")


# -- the default model ------------------------------------------------------------------------


def test_the_default_model_has_six_factors_and_three_tiers() -> None:
    assert len(DEFAULT.factors) == 6
    assert [(band.minimum, band.maximum) for band in DEFAULT.tiers] == [(6, 9), (10, 13), (14, 18)]
    assert [band.points for band in DEFAULT.tiers] == [3, 5, 8]


def test_default_tiers_narrow_who_may_hold_them() -> None:
    tier_1, tier_2, tier_3 = (DEFAULT.band(tier).roles for tier in (1, 2, 3))
    assert Role.ASSISTANT in tier_1
    assert Role.ASSISTANT not in tier_2
    assert Role.ASYE in tier_2
    assert Role.ASYE not in tier_3


# -- validation -------------------------------------------------------------------------------


def _default_data() -> dict[str, Any]:
    return complexity.to_dict(DEFAULT)


def _band_edges(data: dict[str, Any], edges: list[tuple[int, int]]) -> dict[str, Any]:
    for band, (minimum, maximum) in zip(data["tiers"], edges, strict=True):
        band["minimum"], band["maximum"] = minimum, maximum
    return data


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ([(6, 9), (11, 13), (14, 18)], r"Totals 10-10 fall in no tier \(a gap before tier 2\)"),
        ([(6, 9), (9, 13), (14, 18)], "Tier 2 overlaps the tier before it at total 9"),
        ([(5, 9), (10, 13), (14, 18)], "Tier 1 starts at 5, below the lowest possible total 6"),
        ([(6, 9), (10, 13), (14, 17)], "The last tier ends at 17, but totals reach 18"),
        ([(6, 9), (10, 13), (14, 19)], "ends at 19, above the highest possible total 18"),
    ],
    ids=["gap", "overlap", "below-n", "short-of-3n", "beyond-3n"],
)
def test_bands_must_cover_every_total_once(edges: list[tuple[int, int]], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        complexity.from_dict(_band_edges(_default_data(), edges))


def test_a_factor_needs_three_levels() -> None:
    data = _default_data()
    del data["factors"][0]["levels"][2]
    with pytest.raises(ModelError, match="Factor 'Risk' needs exactly three levels"):
        complexity.from_dict(data)


def test_factor_keys_are_unique() -> None:
    data = _default_data()
    data["factors"][1]["key"] = "risk"
    with pytest.raises(ModelError, match="Factor key 'risk' is used more than once"):
        complexity.from_dict(data)


def test_tiers_name_known_roles() -> None:
    data = _default_data()
    data["tiers"][0]["roles"].append("wizard")
    with pytest.raises(ModelError, match="Tier 1 names unknown roles: wizard"):
        complexity.from_dict(data)


@pytest.mark.parametrize("points", [0, -5])
def test_tiers_weigh_positive_points(points: int) -> None:
    data = _default_data()
    data["tiers"][1]["points"] = points
    with pytest.raises(ModelError, match="Tier 2 must weigh a positive number of points"):
        complexity.from_dict(data)


def test_bad_yaml_is_reported_with_its_line() -> None:
    text = "name: broken\nfactors:\n  - key: risk\n    name: [Risk\ntiers: []\n"
    with pytest.raises(ModelError, match=r"not valid YAML at line 5"):
        complexity.loads(text)


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        (lambda data: data["tiers"][0].pop("points"), "Missing 'points' in the model"),
        (lambda data: data["factors"][2].pop("name"), "Missing 'name' in the model"),
        (lambda data: data.pop("factors"), "'factors' must be a list of entries"),
        (lambda data: data.pop("name"), "The model needs a name"),
    ],
    ids=["tier-points", "factor-name", "factors", "model-name"],
)
def test_a_missing_key_is_named(remove: Any, message: str) -> None:
    data = _default_data()
    remove(data)
    with pytest.raises(ModelError, match=message):
        complexity.loads(yaml.safe_dump(data))


@pytest.mark.parametrize("capacity", [[100, 15], "100"])
def test_capacity_that_is_not_a_mapping_is_a_model_error(capacity: object) -> None:
    data = _default_data()
    data["capacity"] = capacity
    with pytest.raises(ModelError):
        complexity.from_dict(data)


# -- scoring ----------------------------------------------------------------------------------


def _scores(**overrides: int) -> dict[str, int]:
    return {**{factor.key: 2 for factor in DEFAULT.factors}, **overrides}


def test_a_missing_score_names_the_factor() -> None:
    scores = _scores()
    del scores["stability"]
    with pytest.raises(ScoreError, match="Stability of the situation") as raised:
        complexity.score(DEFAULT, scores)
    assert raised.value.factor == "stability"


@pytest.mark.parametrize("bad", [0, 4, "2", True, 2.0])
def test_a_score_outside_1_to_3_names_the_factor(bad: Any) -> None:
    with pytest.raises(ScoreError, match="Risk must be scored 1, 2 or 3") as raised:
        complexity.score(DEFAULT, {**_scores(), "risk": bad})
    assert raised.value.factor == "risk"


def test_a_score_for_no_factor_is_named() -> None:
    with pytest.raises(ScoreError, match="'mood' is not a factor of this model") as raised:
        complexity.score(DEFAULT, {**_scores(), "mood": 2})
    assert raised.value.factor == "mood"


def test_the_explanation_gives_the_tier_then_each_factor() -> None:
    scored = complexity.score(DEFAULT, _scores(risk=3, breadth_of_need=3, depth_of_need=3))
    assert (scored.total, scored.tier, scored.points) == (15, 3, 8)
    assert scored.explanation[0] == "Tier 3: total 15 ≥ 14"
    for factor, line in zip(DEFAULT.factors, scored.explanation[1:], strict=True):
        level = scored.scores[factor.key]
        assert line.startswith(f"{factor.name} {level} — {factor.level(level).label}")
        assert factor.level(level).descriptor in line
    assert scored.summary.startswith("Tier 3: total 15 ≥ 14; Risk 3 — High: ")


@pytest.mark.parametrize(
    ("scores", "first_line"),
    [
        (_scores(risk=1, breadth_of_need=1, depth_of_need=1), "Tier 1: total 9 ≤ 9"),
        (_scores(), "Tier 2: total 12 in 10 to 13"),
    ],
)
def test_lower_tiers_explain_their_bounds(scores: dict[str, int], first_line: str) -> None:
    assert complexity.score(DEFAULT, scores).explanation[0] == first_line


# -- who may hold what ------------------------------------------------------------------------

# The registered social workers of the default model, in the reference order.
SOCIAL_WORKERS = ["asye", "social_worker", "experienced", "advanced"]


def test_an_occupational_therapist_may_hold_tier_1_but_not_a_reserved_function() -> None:
    assert complexity.may_hold(DEFAULT, role="occupational_therapist", tier=1).allowed
    refused = complexity.may_hold(
        DEFAULT, role="occupational_therapist", tier=1, reserved=["section_42_lead"]
    )
    assert not refused.allowed
    assert refused.reason == (
        "Leading a Section 42 safeguarding enquiry is reserved for a registered social worker"
    )


@pytest.mark.parametrize(
    ("role", "tier", "allowed"),
    [
        ("assistant", 1, True),
        ("assistant", 2, False),
        ("asye", 2, True),
        ("asye", 3, False),
        ("social_worker", 3, True),
        ("team_manager", 1, False),
    ],
)
def test_tiers_set_who_may_hold_them(role: str, tier: int, allowed: bool) -> None:
    assert complexity.may_hold(DEFAULT, role=role, tier=tier).allowed is allowed


def test_a_refusal_names_the_role() -> None:
    refused = complexity.may_hold(DEFAULT, role="assistant", tier=2)
    assert refused.reason == (
        "Tier 2 cases are not held by the role Social work assistant / care co-ordinator"
    )


def test_a_registered_social_worker_may_take_a_reserved_function() -> None:
    assert complexity.may_hold(DEFAULT, role="asye", tier=1, reserved=["amhp"]).allowed


@pytest.mark.parametrize(
    ("tier", "reserved", "roles"),
    [
        (1, [], ["assistant", *SOCIAL_WORKERS, "occupational_therapist"]),
        (1, ["amhp"], SOCIAL_WORKERS),
        (2, [], SOCIAL_WORKERS),
        (2, ["section_42_lead", "amhp"], SOCIAL_WORKERS),
        (3, ["best_interests_assessment"], SOCIAL_WORKERS[1:]),
    ],
)
def test_roles_for_lists_eligible_roles_in_reference_order(
    tier: int, reserved: list[str], roles: list[str]
) -> None:
    assert complexity.roles_for(DEFAULT, tier=tier, reserved=reserved) == roles


# -- capacity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "fte", "points"),
    [
        ("social_worker", "1.0", "85.0"),
        ("asye", "1.0", "76.5"),
        ("social_worker", "0.6", "51.0"),
    ],
)
def test_capacity_is_points_less_the_stable_element_by_fte_and_role(
    role: str, fte: str, points: str
) -> None:
    assert DEFAULT.capacity.points_for(role, Decimal(fte)) == Decimal(points)


def test_two_factors_may_not_share_a_name() -> None:
    data = complexity.to_dict(DEFAULT)
    data["factors"][1]["name"] = "RISK"
    with pytest.raises(ModelError, match="Factor name 'RISK' is used more than once"):
        complexity.from_dict(data)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("tiers", 0, "minimum"), 5.7, "'minimum' of tier 1 must be a whole number, not 5.7"),
        (("tiers", 0, "points"), True, "'points' of tier 1 must be a whole number, not True"),
        (("tiers", 0, "roles"), "asye", "'tier 1 roles' must be a list of role codes"),
        (("registered_roles",), "asye", "'registered_roles' must be a list of role codes"),
        (("capacity", "points_per_fte"), float("inf"), "Capacity points must be finite"),
    ],
)
def test_values_of_the_wrong_kind_are_named(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    data = complexity.to_dict(DEFAULT)
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(ModelError, match=re.escape(message)):
        complexity.from_dict(data)


def test_an_unknown_reserved_function_is_an_error_whatever_the_role() -> None:
    for tier in (1, 3):
        with pytest.raises(ScoreError, match="'typo' is not a reserved function"):
            complexity.roles_for(DEFAULT, tier=tier, reserved=["typo"])


def test_a_level_outside_one_to_three_is_refused() -> None:
    with pytest.raises(ScoreError):
        DEFAULT.factors[0].level(0)
