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
from pathlib import Path
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

    def protected_points(self, role: str, fte: Decimal) -> Decimal:
        """Points the role's share keeps back from cases (an ASYE's development time): the
        capacity of a worker with the whole share, less the role's."""
        whole = ((self.points_per_fte - self.stable_element) * fte).quantize(Decimal("0.1"))
        return whole - self.points_for(role, fte)


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


# -- validation ------------------------------------------------------------------------------
# Every bound below keeps a published model inside what the service can store and compute:
# names fit their database columns, totals, tiers and points fit PostgreSQL's smallint, and
# capacity arithmetic stays within Decimal's precision. Messages start with where the problem
# is, as a path into the model: `factors[2].levels[1]` is the first level of the second factor
# (positions count from 1).

MAX_BYTES = 100_000
MAX_DEPTH = 8
MAX_FACTORS = 30
MAX_TIERS = 10
MAX_TIER_NUMBER = 99
MAX_TIER_POINTS = 1_000
MAX_POINTS_PER_FTE = 1_000
MAX_RESERVED_FUNCTIONS = 20
MAX_DECIMAL_PLACES = 3
NAME_LENGTH = 120  # ModelVersion.name
KEY_LENGTH = 40
LABEL_LENGTH = 120
SOURCE_LENGTH = 300
DESCRIPTOR_LENGTH = 2_000


def _at(where: str, message: str) -> ModelError:
    return ModelError(f"{where}: {message}")


def _check_text(text: str, where: str, *, limit: int, required: bool = True) -> None:
    if required and not text.strip():
        raise _at(where, "must not be blank")
    if len(text) > limit:
        raise _at(where, f"is {len(text):,} characters long; the limit is {limit:,}")
    # Control characters have no place in a label, and YAML turns some (U+0085) into line
    # breaks, so a model holding them would not read back as it was saved.
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise _at(where, "contains a control character")


def _check_key(key: str, where: str) -> None:
    _check_text(key, where, limit=KEY_LENGTH)
    if not key.isascii() or not key.isidentifier():
        raise _at(where, f"'{key}' must be letters, digits and underscores")


def _check_count(items: tuple[object, ...], where: str, *, noun: str, most: int) -> None:
    if len(items) > most:
        raise _at(where, f"{len(items)} {noun}s; a model has at most {most}")


def _check_whole(value: int, where: str, *, least: int, most: int) -> None:
    if not least <= value <= most:
        raise _at(where, f"must be a whole number from {least} to {most:,}, not {value}")


def _check_decimal(value: Decimal, where: str, *, least: Decimal, most: Decimal) -> None:
    if not value.is_finite():
        raise _at(where, f"must be a finite number, not {value}")
    if not least <= value <= most:
        raise _at(where, f"must be from {least} to {most}, not {value}")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise _at(where, f"may have at most {MAX_DECIMAL_PLACES} decimal places, not {value}")


def _validate(model: ComplexityModel) -> None:
    _check_text(model.name, "name", limit=NAME_LENGTH)
    if not model.factors:
        raise _at("factors", "The model needs at least one factor")
    _check_count(model.factors, "factors", noun="factor", most=MAX_FACTORS)
    seen_keys: set[str] = set()
    seen_names: set[str] = set()
    for index, factor in enumerate(model.factors, 1):
        where = f"factors[{index}]"
        _check_key(factor.key, f"{where}.key")
        if factor.key in seen_keys:
            raise _at(f"{where}.key", f"Factor key '{factor.key}' is used more than once")
        seen_keys.add(factor.key)
        _check_text(factor.name, f"{where}.name", limit=NAME_LENGTH)
        folded = factor.name.strip().casefold()
        if folded in seen_names:
            raise _at(f"{where}.name", f"Factor name '{factor.name}' is used more than once")
        seen_names.add(folded)
        _check_text(factor.source, f"{where}.source", limit=SOURCE_LENGTH, required=False)
        if len(factor.levels) != len(LEVELS):
            raise _at(
                f"{where}.levels",
                f"Factor '{factor.name}' needs exactly three levels, for scores 1-3",
            )
        for score, level in zip(LEVELS, factor.levels, strict=True):
            _check_text(level.label, f"{where}.levels[{score}].label", limit=LABEL_LENGTH)
            _check_text(
                level.descriptor, f"{where}.levels[{score}].descriptor", limit=DESCRIPTOR_LENGTH
            )
    if not model.tiers:
        raise _at("tiers", "The model needs at least one tier")
    _check_count(model.tiers, "tiers", noun="tier", most=MAX_TIERS)
    positions = {id(band): index for index, band in enumerate(model.tiers, 1)}
    for band in model.tiers:
        where = f"tiers[{positions[id(band)]}]"
        _check_whole(band.tier, f"{where}.tier", least=1, most=MAX_TIER_NUMBER)
        _check_whole(band.points, f"{where}.points", least=1, most=MAX_TIER_POINTS)
        unknown = band.roles - ROLE_CODES
        if unknown:
            raise _at(
                f"{where}.roles",
                f"Tier {band.tier} names unknown roles: {', '.join(sorted(unknown))}",
            )
        if not band.roles:
            raise _at(
                f"{where}.roles", f"Tier {band.tier} must name at least one role that may hold it"
            )
    bands = sorted(model.tiers, key=lambda band: band.minimum)
    tiers = [band.tier for band in bands]
    if tiers != sorted(set(tiers)):
        raise _at("tiers", "Tier numbers must be unique and rise with the total")
    expected = model.lowest_total
    for band in bands:
        where = f"tiers[{positions[id(band)]}]"
        if band.minimum > band.maximum:
            raise _at(
                where, f"Tier {band.tier} starts at {band.minimum} after it ends at {band.maximum}"
            )
        if band.minimum > expected:
            raise _at(
                f"{where}.minimum",
                f"Totals {expected}-{band.minimum - 1} fall in no tier "
                f"(a gap before tier {band.tier})",
            )
        if band.minimum < expected:
            raise _at(
                f"{where}.minimum",
                f"Tier {band.tier} overlaps the tier before it at total {band.minimum}"
                if band is not bands[0]
                else f"Tier {band.tier} starts at {band.minimum}, below the lowest possible "
                f"total {model.lowest_total}",
            )
        expected = band.maximum + 1
    if expected - 1 != model.highest_total:
        raise _at(
            f"tiers[{positions[id(bands[-1])]}].maximum",
            f"The last tier ends at {expected - 1}, but totals reach {model.highest_total}"
            if expected - 1 < model.highest_total
            else f"The last tier ends at {expected - 1}, above the highest possible total "
            f"{model.highest_total}",
        )
    _check_count(
        model.reserved_functions,
        "reserved_functions",
        noun="reserved function",
        most=MAX_RESERVED_FUNCTIONS,
    )
    function_keys: set[str] = set()
    for index, function in enumerate(model.reserved_functions, 1):
        where = f"reserved_functions[{index}]"
        _check_key(function.key, f"{where}.key")
        if function.key in function_keys:
            raise _at(
                f"{where}.key", f"Reserved function key '{function.key}' is used more than once"
            )
        function_keys.add(function.key)
        _check_text(function.name, f"{where}.name", limit=NAME_LENGTH)
    unknown_registered = model.registered_roles - ROLE_CODES
    if unknown_registered:
        raise _at(
            "registered_roles", f"Unknown registered roles: {', '.join(sorted(unknown_registered))}"
        )
    if model.reserved_functions and not model.registered_roles:
        raise _at(
            "registered_roles",
            "Reserved functions need the list of registered roles that may do them",
        )
    capacity = model.capacity
    _check_decimal(
        capacity.points_per_fte,
        "capacity.points_per_fte",
        least=Decimal(1),
        most=Decimal(MAX_POINTS_PER_FTE),
    )
    _check_decimal(
        capacity.stable_element,
        "capacity.stable_element",
        least=Decimal(0),
        most=Decimal(MAX_POINTS_PER_FTE),
    )
    if capacity.stable_element >= capacity.points_per_fte:
        raise _at(
            "capacity.stable_element",
            "Capacity needs points per FTE above the stable element",
        )
    for role, share in capacity.role_share.items():
        where = f"capacity.role_share.{role}"
        if role not in ROLE_CODES:
            raise _at(where, f"'{role}' is not a known role")
        _check_decimal(share, where, least=Decimal("0.001"), most=Decimal(1))


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


_MODEL_KEYS = ("name", "factors", "tiers", "reserved_functions", "registered_roles", "capacity")
_FACTOR_KEYS = ("key", "name", "source", "levels")
_LEVEL_KEYS = ("label", "descriptor")
_TIER_KEYS = ("tier", "minimum", "maximum", "points", "roles")
_FUNCTION_KEYS = ("key", "name")
_CAPACITY_KEYS = ("points_per_fte", "stable_element", "role_share")


def from_dict(data: object) -> ComplexityModel:
    """Build and validate a model from plain data. Every refusal is a ModelError that starts
    with where the problem is; unknown keys are refused, so that a misspelt one is not
    silently ignored."""
    top = _entry(data, "the model", _MODEL_KEYS, required=("name", "factors", "tiers"))
    factors = tuple(
        _factor(item, f"factors[{index}]")
        for index, item in enumerate(_list(top, "factors", "factors", MAX_FACTORS), 1)
    )
    tiers = tuple(
        _tier(item, f"tiers[{index}]")
        for index, item in enumerate(_list(top, "tiers", "tiers", MAX_TIERS), 1)
    )
    functions = []
    for index, item in enumerate(
        _list(top, "reserved_functions", "reserved_functions", MAX_RESERVED_FUNCTIONS), 1
    ):
        entry = _entry(item, f"reserved_functions[{index}]", _FUNCTION_KEYS)
        where = f"reserved_functions[{index}]"
        functions.append(
            ReservedFunction(key=_text(entry, "key", where), name=_text(entry, "name", where))
        )
    capacity = _entry(top.get("capacity", {}), "capacity", _CAPACITY_KEYS, required=())
    shares = capacity.get("role_share", {})
    if not isinstance(shares, dict):
        raise _at("capacity.role_share", "must be a mapping of role codes to shares")
    return ComplexityModel(
        name=_text(top, "name", "the model"),
        factors=factors,
        tiers=tiers,
        reserved_functions=tuple(functions),
        registered_roles=_roles(top.get("registered_roles", []), "registered_roles"),
        capacity=CapacityPolicy(
            points_per_fte=_number(capacity.get("points_per_fte", 100), "capacity.points_per_fte"),
            stable_element=_number(capacity.get("stable_element", 15), "capacity.stable_element"),
            role_share={
                _role_code(role): _number(share, f"capacity.role_share.{role}")
                for role, share in shares.items()
            },
        ),
    )


def _factor(item: object, where: str) -> Factor:
    entry = _entry(item, where, _FACTOR_KEYS, required=("key", "name", "levels"))
    levels = entry["levels"]
    if not isinstance(levels, list) or len(levels) != len(LEVELS):
        raise _at(f"{where}.levels", "needs exactly three levels, for scores 1-3")
    built = []
    for score, level in zip(LEVELS, levels, strict=True):
        level_where = f"{where}.levels[{score}]"
        fields = _entry(level, level_where, _LEVEL_KEYS)
        built.append(
            Level(
                label=_text(fields, "label", level_where),
                descriptor=_text(fields, "descriptor", level_where),
            )
        )
    return Factor(
        key=_text(entry, "key", where),
        name=_text(entry, "name", where),
        source=_text(entry, "source", where) if "source" in entry else "",
        levels=(built[0], built[1], built[2]),
    )


def _tier(item: object, where: str) -> TierBand:
    entry = _entry(item, where, _TIER_KEYS)
    return TierBand(
        tier=_whole(entry, "tier", where),
        minimum=_whole(entry, "minimum", where),
        maximum=_whole(entry, "maximum", where),
        points=_whole(entry, "points", where),
        roles=_roles(entry["roles"], f"{where}.roles"),
    )


def _entry(
    value: object, where: str, keys: tuple[str, ...], required: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A mapping with only the known keys, and every required one (all of them by default)."""
    if not isinstance(value, dict):
        raise _at(where, f"must be a mapping with the keys {', '.join(keys)}")
    for key in value:
        if key not in keys:
            raise _at(where, f"unknown key '{key}' (the keys are {', '.join(keys)})")
    for key in keys if required is None else required:
        if key not in value:
            raise _at(where, f"missing '{key}'")
    return value


def _list(entry: Mapping[str, Any], key: str, where: str, most: int) -> list[object]:
    items = entry.get(key, [])
    if not isinstance(items, list):
        raise _at(where, "must be a list of entries")
    if len(items) > most:
        raise _at(where, f"{len(items)} entries; a model has at most {most}")
    return items


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str):
        # YAML reads `yes`, `1` or `2024-01-01` as other things than text.
        raise _at(f"{where}.{key}", f"must be text (in quotes if need be), not {value!r:.40}")
    return value


def _whole(entry: Mapping[str, Any], key: str, where: str) -> int:
    value: object = entry[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _at(f"{where}.{key}", f"must be a whole number, not {value!r:.40}")
    return value


def _number(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _at(where, f"must be a number, not {value!r:.40}")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise _at(where, f"must be a number, not {value!r:.40}") from None


def _role_code(value: object) -> str:
    if not isinstance(value, str):
        raise _at("capacity.role_share", f"'{value!r:.40}' is not a role code")
    return value


def _roles(value: object, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise _at(where, "must be a list of role codes")
    return frozenset(value)


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


def normalised(model: ComplexityModel) -> dict[str, Any]:
    """The model's content, whatever its YAML's layout, comments or tier order: two texts with
    the same normalised content are the same model."""
    content = to_dict(model)
    content["tiers"].sort(key=lambda band: band["minimum"])
    return content


def _plain_number(value: Decimal) -> int | float | str:
    """YAML's plainest spelling that reads back as exactly the same Decimal."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(str(as_float)) == value else str(value)


class _ModelLoader(yaml.SafeLoader):
    """Safe YAML less what a model never needs and an attacker would use: anchors and aliases
    (a few KB of them expand into gigabytes), nesting deeper than a model's, and a key given
    twice (YAML would silently keep the last). Refused while composing, before anything is
    expanded."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _at(_line(event.start_mark), "anchors and aliases (& and *) are not allowed")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _at(_line(event.start_mark), f"nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node = super().compose_mapping_node(anchor)
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise _at(_line(key.start_mark), f"the key '{key.value}' is given twice")
                seen.add(key.value)
        return node


def _line(mark: Any) -> str:
    return f"line {mark.line + 1}" if mark is not None else "the model"


def loads(text: str) -> ComplexityModel:
    """Read a model from YAML text: the one way into the service for a model, in the web app
    and on the command line."""
    size = len(text.encode("utf-8", "surrogatepass")) if len(text) <= MAX_BYTES else len(text)
    if size > MAX_BYTES:
        raise ModelError(f"The model is {size:,} bytes long; the limit is {MAX_BYTES:,}")
    try:
        data = yaml.load(text, Loader=_ModelLoader)  # noqa: S506 - a safe loader, stricter
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None)
        raise _at(
            _line(mark), f"the model is not valid YAML{f' ({problem})' if problem else ''}"
        ) from None
    except ModelError:
        raise
    except (ValueError, OverflowError):
        # A value YAML recognises but Python cannot hold: a 5,000-digit number, 31 February.
        raise ModelError(
            "The model holds a number or date too large or impossible to read"
        ) from None
    return from_dict(data)


def read_file(path: Path) -> ComplexityModel:
    """A model file, read no further than the size limit; errors name the file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ModelError(f"Cannot read the model {path}: {error.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise ModelError(f"{path}: the model is over {MAX_BYTES:,} bytes long")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"The model {path} is not UTF-8 text") from None
    try:
        return loads(text)
    except ModelError as error:
        raise ModelError(f"{path}: {error}") from None


def dumps(model: ComplexityModel) -> str:
    return yaml.safe_dump(to_dict(model), sort_keys=False, allow_unicode=True, width=96)


def default_model_text() -> str:
    return resources.files("caseload_engine").joinpath("models/default.yaml").read_text("utf-8")


def default_model() -> ComplexityModel:
    return loads(default_model_text())
