"""Complexity models: factors scored 1-3, a total, a tier, and what the tier means.

A council's model is data (YAML), validated on load so that every reachable total falls in
exactly one tier. Scoring is a pure function of a model and a set of scores, and explains
itself in words, so that a tier can be justified years later against the model version it
was scored under.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

from caseload_engine.reference import ROLE_LABELS, Role

LEVELS = (1, 2, 3)
ROLE_CODES = frozenset(role.value for role in Role)


class ModelError(ValueError):
    """The model cannot be used; the message names the part that is wrong."""


class ScoreError(ValueError):
    """A set of scores does not fit the model; `factor` names the factor concerned."""

    def __init__(self, message: str, *, factor: str | None = None) -> None:
        super().__init__(message)
        self.factor = factor


@dataclass(frozen=True)
class Level:
    label: str
    descriptor: str


@dataclass(frozen=True)
class Factor:
    key: str
    name: str
    levels: tuple[Level, Level, Level]
    source: str = ""

    def level(self, score: int) -> Level:
        if score not in LEVELS:
            raise ScoreError(f"{self.name} must be scored 1, 2 or 3", factor=self.key)
        return self.levels[score - 1]


@dataclass(frozen=True)
class TierBand:
    tier: int
    minimum: int
    maximum: int
    points: int
    roles: frozenset[str]

    def holds(self, total: int) -> bool:
        return self.minimum <= total <= self.maximum


@dataclass(frozen=True)
class ReservedFunction:
    key: str
    name: str


@dataclass(frozen=True)
class CapacityPolicy:
    points_per_fte: Decimal = Decimal(100)
    stable_element: Decimal = Decimal(15)
    role_share: Mapping[str, Decimal] = field(default_factory=dict)

    def points_for(self, role: str, fte: Decimal) -> Decimal:
        """Points available for cases: (per-FTE points less the stable element) x FTE x share."""
        share = self.role_share.get(role, Decimal(1))
        return ((self.points_per_fte - self.stable_element) * fte * share).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ComplexityModel:
    name: str
    factors: tuple[Factor, ...]
    tiers: tuple[TierBand, ...]
    reserved_functions: tuple[ReservedFunction, ...] = ()
    registered_roles: frozenset[str] = frozenset()
    capacity: CapacityPolicy = field(default_factory=CapacityPolicy)

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def lowest_total(self) -> int:
        return len(self.factors) * LEVELS[0]

    @property
    def highest_total(self) -> int:
        return len(self.factors) * LEVELS[-1]

    def factor(self, key: str) -> Factor:
        for factor in self.factors:
            if factor.key == key:
                return factor
        raise KeyError(key)

    def band_for_total(self, total: int) -> TierBand:
        for band in self.tiers:
            if band.holds(total):
                return band
        raise ScoreError(f"Total {total} is outside {self.lowest_total}-{self.highest_total}")

    def band(self, tier: int) -> TierBand:
        for band in self.tiers:
            if band.tier == tier:
                return band
        raise KeyError(tier)

    def reserved_function(self, key: str) -> ReservedFunction:
        for function in self.reserved_functions:
            if function.key == key:
                return function
        raise KeyError(key)


def _check_text(text: str, what: str) -> None:
    # Control characters have no place in a label, and YAML turns some (U+0085) into line
    # breaks, so a model holding them would not read back as it was saved.
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise ModelError(f"{what} contains a control character")


def _validate(model: ComplexityModel) -> None:
    if not model.name.strip():
        raise ModelError("The model needs a name")
    _check_text(model.name, "The model's name")
    if not model.factors:
        raise ModelError("The model needs at least one factor")
    seen_names: set[str] = set()
    for factor in model.factors:
        if not factor.name.strip():
            raise ModelError(f"Factor '{factor.key}' needs a name")
        folded = factor.name.strip().casefold()
        if folded in seen_names:
            raise ModelError(f"Factor name '{factor.name}' is used more than once")
        seen_names.add(folded)
        _check_text(factor.name, f"Factor '{factor.key}' name")
        _check_text(factor.source, f"Factor '{factor.key}' source")
        for score, level in zip(LEVELS, factor.levels, strict=False):
            _check_text(level.label + level.descriptor, f"Factor '{factor.name}' level {score}")
    keys = [factor.key for factor in model.factors]
    for key in keys:
        if keys.count(key) > 1:
            raise ModelError(f"Factor key '{key}' is used more than once")
        if not key.isidentifier():
            raise ModelError(f"Factor key '{key}' must be letters, digits and underscores")
    for factor in model.factors:
        if len(factor.levels) != len(LEVELS):
            raise ModelError(f"Factor '{factor.name}' needs exactly three levels, for scores 1-3")
        for score, level in zip(LEVELS, factor.levels, strict=True):
            if not level.label.strip() or not level.descriptor.strip():
                raise ModelError(
                    f"Factor '{factor.name}' level {score} needs a label and a descriptor"
                )
    if not model.tiers:
        raise ModelError("The model needs at least one tier")
    bands = sorted(model.tiers, key=lambda band: band.minimum)
    tiers = [band.tier for band in bands]
    if tiers != sorted(set(tiers)):
        raise ModelError("Tier numbers must be unique and rise with the total")
    expected = model.lowest_total
    for band in bands:
        if band.minimum > band.maximum:
            raise ModelError(
                f"Tier {band.tier} starts at {band.minimum} after it ends at {band.maximum}"
            )
        if band.minimum > expected:
            raise ModelError(
                f"Totals {expected}-{band.minimum - 1} fall in no tier "
                f"(a gap before tier {band.tier})"
            )
        if band.minimum < expected:
            raise ModelError(
                f"Tier {band.tier} overlaps the tier before it at total {band.minimum}"
                if band is not bands[0]
                else f"Tier {band.tier} starts at {band.minimum}, below the lowest possible "
                f"total {model.lowest_total}"
            )
        expected = band.maximum + 1
        if band.points <= 0:
            raise ModelError(f"Tier {band.tier} must weigh a positive number of points")
        unknown = band.roles - ROLE_CODES
        if unknown:
            raise ModelError(f"Tier {band.tier} names unknown roles: {', '.join(sorted(unknown))}")
        if not band.roles:
            raise ModelError(f"Tier {band.tier} must name at least one role that may hold it")
    if expected - 1 != model.highest_total:
        raise ModelError(
            f"The last tier ends at {expected - 1}, but totals reach {model.highest_total}"
            if expected - 1 < model.highest_total
            else f"The last tier ends at {expected - 1}, above the highest possible total "
            f"{model.highest_total}"
        )
    function_keys = [function.key for function in model.reserved_functions]
    if len(function_keys) != len(set(function_keys)):
        raise ModelError("Reserved function keys must be unique")
    for function in model.reserved_functions:
        if not function.name.strip():
            raise ModelError(f"Reserved function '{function.key}' needs a name")
        _check_text(function.key + function.name, f"Reserved function '{function.key}'")
    unknown_registered = model.registered_roles - ROLE_CODES
    if unknown_registered:
        raise ModelError(f"Unknown registered roles: {', '.join(sorted(unknown_registered))}")
    if model.reserved_functions and not model.registered_roles:
        raise ModelError("Reserved functions need the list of registered roles that may do them")
    capacity = model.capacity
    if not (capacity.points_per_fte.is_finite() and capacity.stable_element.is_finite()):
        raise ModelError("Capacity points must be finite numbers")
    if not 0 <= capacity.stable_element < capacity.points_per_fte:
        raise ModelError(
            "Capacity needs points per FTE above the stable element, which cannot be negative"
        )
    for role, share in capacity.role_share.items():
        if role not in ROLE_CODES or not share.is_finite() or not 0 < share <= 1:
            raise ModelError(f"Capacity share for '{role}' must be a known role and in (0, 1]")


# -- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    total: int
    tier: int
    points: int
    scores: Mapping[str, int]
    explanation: tuple[str, ...]

    @property
    def summary(self) -> str:
        return "; ".join(self.explanation)


def check_scores(model: ComplexityModel, scores: Mapping[str, int]) -> dict[str, int]:
    """Scores for every factor of the model and nothing else, each 1-3."""
    unknown = set(scores) - {factor.key for factor in model.factors}
    if unknown:
        name = sorted(unknown)[0]
        raise ScoreError(f"'{name}' is not a factor of this model", factor=name)
    checked: dict[str, int] = {}
    for factor in model.factors:
        if factor.key not in scores:
            raise ScoreError(f"{factor.name} has no score", factor=factor.key)
        score = scores[factor.key]
        if isinstance(score, bool) or not isinstance(score, int) or score not in LEVELS:
            raise ScoreError(f"{factor.name} must be scored 1, 2 or 3", factor=factor.key)
        checked[factor.key] = score
    return checked


def score(model: ComplexityModel, scores: Mapping[str, int]) -> Scored:
    checked = check_scores(model, scores)
    total = sum(checked.values())
    band = model.band_for_total(total)
    factor_reasons = [
        f"{factor.name} {checked[factor.key]} — {factor.level(checked[factor.key]).label}: "
        f"{factor.level(checked[factor.key]).descriptor}"
        for factor in model.factors
    ]
    return Scored(
        total=total,
        tier=band.tier,
        points=band.points,
        scores=checked,
        explanation=(_tier_reason(model, band, total), *factor_reasons),
    )


def _tier_reason(model: ComplexityModel, band: TierBand, total: int) -> str:
    if band.minimum == model.lowest_total:
        return f"Tier {band.tier}: total {total} ≤ {band.maximum}"
    if band.maximum == model.highest_total:
        return f"Tier {band.tier}: total {total} ≥ {band.minimum}"
    return f"Tier {band.tier}: total {total} in {band.minimum} to {band.maximum}"


# -- who may hold what -----------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str


def may_hold(
    model: ComplexityModel, *, role: str, tier: int, reserved: Iterable[str] = ()
) -> Eligibility:
    """Whether a practitioner in `role` may hold a case of `tier` with these reserved functions."""
    band = model.band(tier)
    functions = [_reserved(model, key) for key in reserved]
    if role not in band.roles:
        return Eligibility(False, f"Tier {tier} cases are not held by the role {_role_label(role)}")
    for function in functions:
        if role not in model.registered_roles:
            return Eligibility(False, f"{function.name} is reserved for a registered social worker")
    return Eligibility(True, f"The role {_role_label(role)} may hold Tier {tier} cases")


def _reserved(model: ComplexityModel, key: str) -> ReservedFunction:
    try:
        return model.reserved_function(key)
    except KeyError:
        raise ScoreError(f"'{key}' is not a reserved function of this model") from None


def roles_for(model: ComplexityModel, *, tier: int, reserved: Iterable[str] = ()) -> list[str]:
    """The roles that may hold such a case, in the reference order."""
    return [
        role.value
        for role in Role
        if may_hold(model, role=role.value, tier=tier, reserved=reserved).allowed
    ]


def _role_label(role: str) -> str:
    return ROLE_LABELS[Role(role)] if role in ROLE_CODES else role


# -- YAML ------------------------------------------------------------------------------------


def from_dict(data: Mapping[str, Any]) -> ComplexityModel:
    """Build and validate a model from plain data; ModelError names what is missing or wrong."""
    try:
        factors = tuple(
            Factor(
                key=str(item["key"]),
                name=str(item["name"]),
                source=str(item.get("source", "")),
                levels=_levels(item),
            )
            for item in _list(data, "factors")
        )
        tiers = tuple(
            TierBand(
                tier=_whole(item, "tier", "tier"),
                minimum=_whole(item, "minimum", f"tier {item.get('tier')}"),
                maximum=_whole(item, "maximum", f"tier {item.get('tier')}"),
                points=_whole(item, "points", f"tier {item.get('tier')}"),
                roles=_names(item.get("roles"), f"tier {item.get('tier')} roles"),
            )
            for item in _list(data, "tiers")
        )
        functions = tuple(
            ReservedFunction(key=str(item["key"]), name=str(item["name"]))
            for item in data.get("reserved_functions") or ()
        )
        capacity_data = _mapping(data.get("capacity"), "capacity")
        capacity = CapacityPolicy(
            points_per_fte=_number(capacity_data.get("points_per_fte", 100), "points_per_fte"),
            stable_element=_number(capacity_data.get("stable_element", 15), "stable_element"),
            role_share={
                str(role): _number(share, f"role_share for {role}")
                for role, share in _mapping(capacity_data.get("role_share"), "role_share").items()
            },
        )
        return ComplexityModel(
            name=str(data.get("name", "")),
            factors=factors,
            tiers=tiers,
            reserved_functions=functions,
            registered_roles=_names(data.get("registered_roles"), "registered_roles"),
            capacity=capacity,
        )
    except KeyError as missing:
        raise ModelError(f"Missing '{missing.args[0]}' in the model") from None
    except (TypeError, ValueError, ArithmeticError) as bad:
        if isinstance(bad, ModelError):
            raise
        raise ModelError(f"The model has a value of the wrong kind: {bad}") from None


def _whole(item: Mapping[str, Any], key: str, where: str) -> int:
    value: object = item[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"'{key}' of {where} must be a whole number, not {value!r}")
    return value


def _number(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ModelError(f"'{what}' must be a number, not {value!r}")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ModelError(f"'{what}' must be a number, not {value!r}") from None


def _names(value: object, what: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ModelError(f"'{what}' must be a list of role codes")
    return frozenset(value)


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ModelError(f"'{what}' must be a mapping of names to values")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ModelError(f"'{key}' must be a list of entries")
    return items


def _levels(item: Mapping[str, Any]) -> tuple[Level, Level, Level]:
    levels = item.get("levels")
    if not isinstance(levels, list) or len(levels) != len(LEVELS):
        raise ModelError(f"Factor '{item.get('name', item.get('key'))}' needs exactly three levels")
    built = [Level(label=str(lv["label"]), descriptor=str(lv["descriptor"])) for lv in levels]
    return (built[0], built[1], built[2])


def to_dict(model: ComplexityModel) -> dict[str, Any]:
    return {
        "name": model.name,
        "factors": [
            {
                "key": factor.key,
                "name": factor.name,
                "source": factor.source,
                "levels": [
                    {"label": level.label, "descriptor": level.descriptor}
                    for level in factor.levels
                ],
            }
            for factor in model.factors
        ],
        "tiers": [
            {
                "tier": band.tier,
                "minimum": band.minimum,
                "maximum": band.maximum,
                "points": band.points,
                "roles": [role.value for role in Role if role.value in band.roles],
            }
            for band in model.tiers
        ],
        "reserved_functions": [
            {"key": function.key, "name": function.name} for function in model.reserved_functions
        ],
        "registered_roles": [role.value for role in Role if role.value in model.registered_roles],
        "capacity": {
            "points_per_fte": _plain_number(model.capacity.points_per_fte),
            "stable_element": _plain_number(model.capacity.stable_element),
            "role_share": {
                role: _plain_number(share) for role, share in model.capacity.role_share.items()
            },
        },
    }


def _plain_number(value: Decimal) -> int | float | str:
    """YAML's plainest spelling that reads back as exactly the same Decimal."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(str(as_float)) == value else str(value)


def loads(text: str) -> ComplexityModel:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ModelError(f"The model is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise ModelError("The model must be a YAML mapping with name, factors and tiers")
    return from_dict(data)


def dumps(model: ComplexityModel) -> str:
    return yaml.safe_dump(to_dict(model), sort_keys=False, allow_unicode=True, width=96)


def default_model_text() -> str:
    return resources.files("caseload_engine").joinpath("models/default.yaml").read_text("utf-8")


def default_model() -> ComplexityModel:
    return loads(default_model_text())
