"""The complexity model: validated on load, scored monotonely, explained in words, round-tripped."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caseload.cli import main
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
    with pytest.raises(ModelError, match=r"factors\[1\]\.levels: needs exactly three levels"):
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
    with pytest.raises(ModelError, match=r"tiers\[2\]\.points: must be a whole number from 1"):
        complexity.from_dict(data)


def test_bad_yaml_is_reported_with_its_line() -> None:
    text = "name: broken\nfactors:\n  - key: risk\n    name: [Risk\ntiers: []\n"
    with pytest.raises(ModelError, match=r"line 5: the model is not valid YAML"):
        complexity.loads(text)


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        (lambda data: data["tiers"][0].pop("points"), "tiers[1]: missing 'points'"),
        (lambda data: data["factors"][2].pop("name"), "factors[3]: missing 'name'"),
        (lambda data: data.pop("factors"), "the model: missing 'factors'"),
        (lambda data: data.pop("name"), "the model: missing 'name'"),
    ],
    ids=["tier-points", "factor-name", "factors", "model-name"],
)
def test_a_missing_key_is_named(remove: Any, message: str) -> None:
    data = _default_data()
    remove(data)
    with pytest.raises(ModelError, match=re.escape(message)):
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


@pytest.mark.parametrize(
    ("role", "fte", "points"),
    [("asye", "1.0", "8.5"), ("asye", "0.5", "4.3"), ("social_worker", "1.0", "0")],
)
def test_protected_points_are_what_the_role_share_keeps_back(
    role: str, fte: str, points: str
) -> None:
    assert DEFAULT.capacity.protected_points(role, Decimal(fte)) == Decimal(points)


def test_two_factors_may_not_share_a_name() -> None:
    data = complexity.to_dict(DEFAULT)
    data["factors"][1]["name"] = "RISK"
    with pytest.raises(ModelError, match="Factor name 'RISK' is used more than once"):
        complexity.from_dict(data)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("tiers", 0, "minimum"), 5.7, "tiers[1].minimum: must be a whole number, not 5.7"),
        (("tiers", 0, "points"), True, "tiers[1].points: must be a whole number, not True"),
        (("tiers", 0, "roles"), "asye", "tiers[1].roles: must be a list of role codes"),
        (("registered_roles",), "asye", "registered_roles: must be a list of role codes"),
        (
            ("capacity", "points_per_fte"),
            float("inf"),
            "capacity.points_per_fte: must be a finite number, not Infinity",
        ),
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


# -- hostile models: every bound, and every message says where --------------------------------


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # Scoring into tier 0 was a 500 (the assessment's tier must be positive).
        (("tiers", 0, "tier"), 0, "tiers[1].tier: must be a whole number from 1 to 99, not 0"),
        (("tiers", 0, "tier"), -1, "tiers[1].tier: must be a whole number from 1 to 99, not -1"),
        # Every caseload page and proposal was a 500.
        (
            ("capacity", "points_per_fte"),
            1e30,
            "capacity.points_per_fte: must be from 1 to 1000, not 1E+30",
        ),
        (
            ("capacity", "points_per_fte"),
            float("nan"),
            "capacity.points_per_fte: must be a finite number, not NaN",
        ),
        (
            ("capacity", "stable_element"),
            "-Infinity",
            "capacity.stable_element: must be a finite number, not -Infinity",
        ),
        (
            ("capacity", "stable_element"),
            100,
            "capacity.stable_element: Capacity needs points per FTE above the stable element",
        ),
        (
            ("capacity", "role_share", "asye"),
            "0.0000001",
            "capacity.role_share.asye: must be from 0.001 to 1, not 1E-7",
        ),
        (
            ("capacity", "role_share", "asye"),
            "0.1234",
            "capacity.role_share.asye: may have at most 3 decimal places, not 0.1234",
        ),
        (
            ("capacity", "role_share", "wizard"),
            1,
            "capacity.role_share.wizard: 'wizard' is not a known role",
        ),
        # A 500 on PostgreSQL: the name column holds 120 characters, points a smallint.
        (("name",), "n" * 121, "name: is 121 characters long; the limit is 120"),
        (
            ("tiers", 2, "points"),
            32_768,
            "tiers[3].points: must be a whole number from 1 to 1,000, not 32768",
        ),
        (
            ("factors", 1, "levels", 2, "descriptor"),
            "d" * 2_001,
            "factors[2].levels[3].descriptor: is 2,001 characters long; the limit is 2,000",
        ),
        (("factors", 0, "levels", 0, "label"), "  ", "factors[1].levels[1].label: must not be"),
        (("factors", 3, "source"), "s" * 301, "factors[4].source: is 301 characters long"),
        (("factors", 0, "key"), "k" * 41, "factors[1].key: is 41 characters long"),
        (("factors", 0, "key"), "risk level", "factors[1].key: 'risk level' must be letters"),
        (("factors", 0, "name"), 123, "factors[1].name: must be text (in quotes if need be)"),
        (("factors", 0, "name"), True, "factors[1].name: must be text"),
        (("reserved_functions", 0, "key"), "amhp!", "reserved_functions[1].key: 'amhp!'"),
        (("tiers", 1, "wieght"), 3, "tiers[2]: unknown key 'wieght'"),
        (("factors", 1, "levels", 0, "wieght"), 3, "factors[2].levels[1]: unknown key 'wieght'"),
        (("capacity", "points_per_ft"), 3, "capacity: unknown key 'points_per_ft'"),
        (("nmae",), "x", "the model: unknown key 'nmae'"),
    ],
)
def test_a_model_that_would_break_the_service_is_refused_saying_where(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    with pytest.raises(ModelError, match=f"^{re.escape(message)}"):
        complexity.from_dict(_set(_default_data(), path, value))


def _factor_data(number: int) -> dict[str, Any]:
    level = {"label": "l", "descriptor": "d"}
    return {"key": f"f{number}", "name": f"F{number}", "levels": [level, level, level]}


def test_more_factors_than_the_limit_are_refused() -> None:
    data = _default_data()
    data["factors"] = [_factor_data(number) for number in range(31)]
    with pytest.raises(ModelError, match=r"^factors: 31 entries; a model has at most 30"):
        complexity.from_dict(data)


def test_more_tiers_than_the_limit_are_refused() -> None:
    data = _default_data()
    data["tiers"] = [
        {"tier": tier, "minimum": 5 + tier, "maximum": 5 + tier, "points": 1, "roles": ["asye"]}
        for tier in range(1, 12)
    ]
    with pytest.raises(ModelError, match=r"^tiers: 11 entries; a model has at most 10"):
        complexity.from_dict(data)


# A 5.9 KB text that expanded into a 34.7 MB name (and 2.2 GB on the command line).
LAUGHS = "a0: &a0 'lol'\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10)
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (LAUGHS + "name: *a9\n", "line 1: anchors and aliases (& and *) are not allowed"),
        ("name: &n caseload\n", "line 1: anchors and aliases (& and *) are not allowed"),
        ("name: x\ntiers: []\nname: y\n", "line 3: the key 'name' is given twice"),
        ("name: " + "[" * 20 + "]" * 20 + "\n", "line 1: nested more than 8 levels deep"),
        ("name: " + "9" * 5_000 + "\n", "The model holds a number or date too large"),
        ("name: !!python/object/apply:os.system [ls]\n", "line 1: the model is not valid YAML"),
        ("- a list\n", "the model: must be a mapping with the keys name, factors"),
        ("", "the model: must be a mapping"),
        ("name: x\n" + "#" * 100_000 + "\n", "The model is 100,009 bytes long; the limit is"),
    ],
    ids=["laughs", "anchor", "twice", "deep", "digits", "python-tag", "list", "empty", "size"],
)
def test_hostile_yaml_is_refused_before_it_is_expanded(text: str, message: str) -> None:
    with pytest.raises(ModelError, match=f"^{re.escape(message)}"):
        complexity.loads(text)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_WHERE = (
    r"^(line \d+|the model|The model|name|factors|tiers|reserved_functions|registered_roles"
    r"|capacity)"
)


def _refusal(build: Callable[[], object]) -> str | None:
    try:
        build()
    except ModelError as error:
        return str(error)
    return None


@given(_json)
def test_any_data_is_a_model_or_a_model_error_saying_where(data: object) -> None:
    refusal = _refusal(lambda: complexity.from_dict(data))
    assert refusal is None or re.match(_WHERE, refusal), refusal


@given(st.text(max_size=200))
def test_any_text_is_a_model_or_a_model_error_saying_where(text: str) -> None:
    refusal = _refusal(lambda: complexity.loads(text))
    assert refusal is None or re.match(_WHERE, refusal), refusal


@settings(deadline=None)
@given(st.data())
def test_an_unknown_key_anywhere_is_refused_with_its_path(data: st.DataObject) -> None:
    model = _default_data()
    mappings: list[tuple[str, dict[str, Any]]] = [
        ("the model", model),
        ("capacity", model["capacity"]),
    ]
    for index, factor in enumerate(model["factors"], 1):
        mappings.append((f"factors[{index}]", factor))
        mappings.extend(
            (f"factors[{index}].levels[{n}]", level) for n, level in enumerate(factor["levels"], 1)
        )
    mappings.extend((f"tiers[{index}]", band) for index, band in enumerate(model["tiers"], 1))
    where, mapping = data.draw(st.sampled_from(mappings))
    mapping["wieght"] = 3
    with pytest.raises(ModelError, match=f"^{re.escape(where)}: unknown key 'wieght'"):
        complexity.loads(yaml.safe_dump(model))


def test_normalised_content_ignores_layout_comments_and_tier_order() -> None:
    data = _default_data()
    data["tiers"].reverse()
    reordered = complexity.loads("# a comment\n" + yaml.safe_dump(data, indent=4))
    assert reordered != DEFAULT
    assert complexity.normalised(reordered) == complexity.normalised(DEFAULT)
    renamed = dataclasses.replace(DEFAULT, name="Another name")
    assert complexity.normalised(renamed) != complexity.normalised(DEFAULT)


# -- the command line reads model files through the same validator ---------------------------


def test_the_command_line_refuses_a_model_file_of_aliases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "laughs.yaml"
    model.write_text(LAUGHS + "name: *a9\n", encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text("risk\n1\n", encoding="utf-8")
    assert main(["tier", str(cases), "--model", str(model)]) == 2
    assert capsys.readouterr().err == (
        f"{model}: line 1: anchors and aliases (& and *) are not allowed\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\n" + "#" * 200_000, "the model is over 100,000 bytes long"),
        ("tiers:\n  - tier: 0\n", "the model: missing 'name'"),
        (yaml.safe_dump(_set(_default_data(), ("tiers", 0, "tier"), 0)), "tiers[1].tier:"),
    ],
    ids=["size", "missing", "tier-0"],
)
def test_the_command_line_refuses_hostile_model_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(text, encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text("risk\n1\n", encoding="utf-8")
    assert main(["tier", str(cases), "--model", str(model)]) == 2
    assert capsys.readouterr().err.startswith(f"{model}: {message}")
    assert not (tmp_path / "cases-scored.csv").exists()
