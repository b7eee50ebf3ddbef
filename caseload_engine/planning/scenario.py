"""A workforce planning scenario: demand by tier, the roles that carry it, and the target.

Scenarios are data (YAML or JSON), written by hand or, later, calibrated from the register; this
module turns that data into typed, validated values and refuses anything else with a message
that starts with the key path, positions counting from 1: `tiers[1].duration_weeks.mean: must
be > 0`. Unknown keys are refused with their path, so that a misspelt key is never ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from caseload_engine import complexity
from caseload_engine.durations import DISTRIBUTIONS as DISTRIBUTIONS
from caseload_engine.durations import Distribution as Distribution
from caseload_engine.durations import Duration as Duration
from caseload_engine.reference import CASE_HOLDING_ROLES, Role

WEEKS_IN_YEAR = 52
DAYS_IN_WEEK = 7

# Bounds keep a scenario's simulation within this machine's memory and a few minutes: its
# arrays hold, for each round and replication, a count by role and tier, by tier and by role.
MAX_WEEKS = 520
MAX_DURATION_WEEKS = MAX_WEEKS * 10
MAX_REPLICATIONS = 10_000
MAX_ROUNDS_PER_DAY = 96
MAX_CELLS = 25_000_000
MAX_CASES = 100_000_000  # about twelve times a large council's five-year plan
MAX_TIERS = 10
MAX_EMPIRICAL = 10_000
MAX_RATE = 100_000.0
MAX_FTE = 100_000.0
MAX_POINTS = 1_000
MAX_SEED = 2**63 - 1
MAX_MONEY = 1e9


class ScenarioError(ValueError):
    """The scenario cannot be used; the message starts with the key path that is wrong."""


@dataclass(frozen=True)
class TierDemand:
    tier: int
    # One rate for every week, or 52 for a seasonal year (week 1 is the horizon's first week).
    arrivals_per_week: tuple[float, ...]
    duration_weeks: Duration
    points: int
    growth: float = 0.0  # a year, compounding: 0.03 is 3% more requests each year
    share_becoming_cases: float = 1.0


@dataclass(frozen=True)
class RolePlan:
    role: str
    fte: float
    capacity_points_per_fte: float
    may_hold: frozenset[int]
    cost_per_fte: float = 0.0
    leavers_per_year: float = 0.0  # FTE leaving a year, each post left vacant until filled
    weeks_to_fill: float = 0.0
    september_intake: float = 0.0  # FTE joining each September (newly qualified: ASYEs)
    max_fte: float | None = None  # the most the staffing search may propose (recruitable)
    # The role each September's intake moves to a year after joining (ASYEs to social worker);
    # those in post at the start move at the horizon's first September.
    progresses_to: str | None = None

    @property
    def cost_per_point(self) -> float:
        return self.cost_per_fte / self.capacity_points_per_fte


@dataclass(frozen=True)
class ServiceLevel:
    within_days: int
    share: float


@dataclass(frozen=True)
class Scenario:
    weeks: int
    warm_up_weeks: int
    replications: int
    seed: int
    service_level: ServiceLevel
    tiers: tuple[TierDemand, ...]
    roles: tuple[RolePlan, ...]
    start_month: int = 4  # the horizon's first month (April: the council's financial year)
    allocation_rounds_per_day: int = 1

    @property
    def steps(self) -> int:
        return self.weeks * DAYS_IN_WEEK * self.allocation_rounds_per_day

    @property
    def cost(self) -> float:
        """The establishment's cost for a year."""
        return sum(role.fte * role.cost_per_fte for role in self.roles)


# -- reading -----------------------------------------------------------------------------------

_TOP_KEYS = (
    "weeks",
    "warm_up_weeks",
    "replications",
    "seed",
    "service_level",
    "tiers",
    "roles",
    "start_month",
    "allocation_rounds_per_day",
)
_TOP_REQUIRED = ("weeks", "service_level", "tiers", "roles")
_SERVICE_KEYS = ("within_days", "share")
_TIER_KEYS = (
    "tier",
    "arrivals_per_week",
    "growth",
    "share_becoming_cases",
    "duration_weeks",
    "points",
)
_TIER_REQUIRED = ("tier", "arrivals_per_week", "duration_weeks", "points")
_DURATION_KEYS: dict[str, tuple[str, ...]] = {
    "exponential": ("distribution", "mean"),
    "lognormal": ("distribution", "mean", "sd"),
    "empirical": ("distribution", "weeks"),
}
_ROLE_KEYS = (
    "role",
    "fte",
    "capacity_points_per_fte",
    "may_hold",
    "cost_per_fte",
    "leavers_per_year",
    "weeks_to_fill",
    "september_intake",
    "max_fte",
    "progresses_to",
)
_ROLE_REQUIRED = ("role", "fte", "capacity_points_per_fte")
CASE_ROLE_CODES = tuple(role.value for role in Role if role in CASE_HOLDING_ROLES)


def _at(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}")


def _entry(
    value: object, where: str, keys: tuple[str, ...], required: tuple[str, ...]
) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _at(where, f"must be a mapping with the keys {', '.join(keys)}")
    for key in value:
        if key not in keys:
            raise _at(
                f"{where}.{key}" if where else str(key),
                f"unknown key (the keys are {', '.join(keys)})",
            )
    for key in required:
        if key not in value:
            raise _at(f"{where}.{key}" if where else key, "is missing")
    return value


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _number(
    entry: Mapping[str, Any],
    key: str,
    where: str,
    *,
    above: float | None = None,
    least: float | None = None,
    most: float,
    default: float | None = None,
) -> float:
    """A finite number in range. `above` is a strict bound (`must be > 0`), `least` an
    inclusive one (`must be >= 0`)."""
    # Required keys are checked by `_entry`: a key absent here has a default.
    if key not in entry and default is not None:
        return default
    return _check_number(entry[key], _path(where, key), above=above, least=least, most=most)


def _check_number(
    value: object, path: str, *, above: float | None, least: float | None, most: float
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _at(path, f"must be a number, not {value!r:.40}")
    if isinstance(value, int) and abs(value) > 10**15:
        raise _at(path, f"must be at most {most:,g}")
    number = float(value)
    if not math.isfinite(number):
        raise _at(path, f"must be a finite number, not {value!r:.40}")
    if above is not None and not number > above:
        raise _at(path, f"must be > {above:g}")
    if least is not None and not number >= least:
        raise _at(path, f"must be >= {least:g}")
    if number > most:
        raise _at(path, f"must be at most {most:,g}")
    return number


def _whole(
    entry: Mapping[str, Any],
    key: str,
    where: str,
    *,
    least: int,
    most: int,
    default: int | None = None,
) -> int:
    path = _path(where, key)
    if key not in entry and default is not None:
        return default
    value: object = entry[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _at(path, f"must be a whole number, not {value!r:.40}")
    if not least <= value <= most:
        shown = f"{value}" if abs(value) < 10**15 else "one that large"
        raise _at(path, f"must be a whole number from {least:,} to {most:,}, not {shown}")
    return value


def _list(value: object, path: str, *, most: int) -> list[object]:
    if not isinstance(value, list):
        raise _at(path, "must be a list")
    if not value:
        raise _at(path, "must not be empty")
    if len(value) > most:
        raise _at(path, f"has {len(value):,} entries; the most is {most:,}")
    return value


def from_dict(data: object, *, model: complexity.ComplexityModel | None = None) -> Scenario:
    """A validated scenario from plain data. `model` gives the roles that may hold each tier
    when a role names no `may_hold` (default: caseload's own complexity model)."""
    top = _entry(data, "", _TOP_KEYS, _TOP_REQUIRED) if isinstance(data, dict) else None
    if top is None:
        raise ScenarioError(f"The scenario must be a mapping with the keys {', '.join(_TOP_KEYS)}")
    weeks = _whole(top, "weeks", "", least=1, most=MAX_WEEKS)
    warm_up = _whole(top, "warm_up_weeks", "", least=0, most=weeks - 1, default=0)
    replications = _whole(top, "replications", "", least=2, most=MAX_REPLICATIONS, default=200)
    seed = _whole(top, "seed", "", least=0, most=MAX_SEED, default=1)
    start_month = _whole(top, "start_month", "", least=1, most=12, default=4)
    rounds = _whole(
        top, "allocation_rounds_per_day", "", least=1, most=MAX_ROUNDS_PER_DAY, default=1
    )
    service = _entry(top["service_level"], "service_level", _SERVICE_KEYS, _SERVICE_KEYS)
    within_days = _whole(service, "within_days", "service_level", least=0, most=weeks * 7)
    if within_days >= (weeks - warm_up) * DAYS_IN_WEEK:
        raise _at(
            "service_level.within_days",
            f"must be shorter than the {weeks - warm_up} weeks measured after the warm-up",
        )
    level = ServiceLevel(
        within_days=within_days,
        share=_number(service, "share", "service_level", above=0, most=1),
    )
    tiers = tuple(
        _tier(item, f"tiers[{index}]")
        for index, item in enumerate(_list(top["tiers"], "tiers", most=MAX_TIERS), 1)
    )
    numbers = [tier.tier for tier in tiers]
    for index, tier in enumerate(tiers, 1):
        if numbers.index(tier.tier) != index - 1:
            raise _at(f"tiers[{index}].tier", f"Tier {tier.tier} is given more than once")
    known_model = model or complexity.default_model()
    roles = tuple(
        _role(item, f"roles[{index}]", known_model, set(numbers))
        for index, item in enumerate(_list(top["roles"], "roles", most=len(CASE_ROLE_CODES)), 1)
    )
    names = [role.role for role in roles]
    for index, role in enumerate(roles, 1):
        if names.index(role.role) != index - 1:
            raise _at(f"roles[{index}].role", f"'{role.role}' is given more than once")
    for index, role in enumerate(roles, 1):
        if role.progresses_to is not None and role.progresses_to not in names:
            raise _at(
                f"roles[{index}].progresses_to",
                f"names a role the scenario does not have: {role.progresses_to}",
            )
        if role.progresses_to == role.role:
            raise _at(f"roles[{index}].progresses_to", "must be another role")
    for index, tier in enumerate(tiers, 1):
        if not any(tier.tier in role.may_hold for role in roles):
            raise _at(f"tiers[{index}]", f"no role may hold Tier {tier.tier} cases")
    width = len(roles) * len(tiers) + len(roles) + len(tiers)
    if weeks * DAYS_IN_WEEK * rounds * replications * width > MAX_CELLS:
        raise _at(
            "replications",
            f"{replications:,} replications of {weeks} weeks at {rounds} allocation rounds a day "
            f"is too large a simulation for {len(roles)} roles and {len(tiers)} tiers; use "
            "fewer replications, weeks or rounds",
        )
    # Each case is drawn and counted: bound them, at the horizon's highest rates.
    cases = replications * sum(
        max(tier.arrivals_per_week)
        * tier.share_becoming_cases
        * max(1.0, 1 + tier.growth) ** (weeks / WEEKS_IN_YEAR)
        * weeks
        for tier in tiers
    )
    if cases > MAX_CASES:
        raise _at(
            "replications",
            f"up to {cases:,.0f} cases over {replications:,} replications of {weeks} weeks is "
            f"too large a simulation (the most is {MAX_CASES:,}); use fewer replications or "
            "weeks",
        )
    return Scenario(
        weeks=weeks,
        warm_up_weeks=warm_up,
        replications=replications,
        seed=seed,
        service_level=level,
        tiers=tiers,
        roles=roles,
        start_month=start_month,
        allocation_rounds_per_day=rounds,
    )


def _tier(item: object, where: str) -> TierDemand:
    entry = _entry(item, where, _TIER_KEYS, _TIER_REQUIRED)
    rates_value = entry["arrivals_per_week"]
    rates_path = f"{where}.arrivals_per_week"
    if isinstance(rates_value, list):
        if len(rates_value) != WEEKS_IN_YEAR:
            raise _at(
                rates_path,
                f"must be one number or a list of {WEEKS_IN_YEAR} weekly rates, not "
                f"{len(rates_value)}",
            )
        rates = tuple(
            _check_number(value, f"{rates_path}[{index}]", above=None, least=0, most=MAX_RATE)
            for index, value in enumerate(rates_value, 1)
        )
    else:
        rates = (_check_number(rates_value, rates_path, above=None, least=0, most=MAX_RATE),)
    return TierDemand(
        tier=_whole(entry, "tier", where, least=1, most=complexity.MAX_TIER_NUMBER),
        arrivals_per_week=rates,
        growth=_number(entry, "growth", where, above=-1, most=10, default=0.0),
        share_becoming_cases=_number(
            entry, "share_becoming_cases", where, least=0, most=1, default=1.0
        ),
        duration_weeks=_duration(entry["duration_weeks"], f"{where}.duration_weeks"),
        points=_whole(entry, "points", where, least=1, most=MAX_POINTS),
    )


def _duration(value: object, where: str) -> Duration:
    if not isinstance(value, dict):
        raise _at(where, "must be a mapping with a distribution: " + ", ".join(DISTRIBUTIONS))
    distribution = value.get("distribution")
    if distribution not in DISTRIBUTIONS:
        raise _at(
            f"{where}.distribution",
            f"must be one of {', '.join(DISTRIBUTIONS)}, not {distribution!r:.40}",
        )
    keys = _DURATION_KEYS[distribution]
    entry = _entry(value, where, keys, keys)
    if distribution == "empirical":
        path = f"{where}.weeks"
        weeks = tuple(
            _check_number(item, f"{path}[{index}]", above=0, least=None, most=MAX_DURATION_WEEKS)
            for index, item in enumerate(_list(entry["weeks"], path, most=MAX_EMPIRICAL), 1)
        )
        return Duration("empirical", mean=math.fsum(weeks) / len(weeks), weeks=weeks)
    mean = _number(entry, "mean", where, above=0, most=MAX_DURATION_WEEKS)
    if distribution == "exponential":
        return Duration("exponential", mean=mean)
    return Duration(
        "lognormal", mean=mean, sd=_number(entry, "sd", where, above=0, most=MAX_DURATION_WEEKS)
    )


def _role(item: object, where: str, model: complexity.ComplexityModel, tiers: set[int]) -> RolePlan:
    entry = _entry(item, where, _ROLE_KEYS, _ROLE_REQUIRED)
    code = entry["role"]
    if code not in CASE_ROLE_CODES:
        raise _at(
            f"{where}.role",
            f"must be a case-holding role: {', '.join(CASE_ROLE_CODES)}, not {code!r:.40}",
        )
    if "may_hold" in entry:
        path = f"{where}.may_hold"
        held = entry["may_hold"]
        if not isinstance(held, list) or any(
            isinstance(tier, bool) or not isinstance(tier, int) for tier in held
        ):
            raise _at(path, "must be a list of tier numbers")
        unknown = sorted(set(held) - tiers)
        if unknown:
            raise _at(path, f"names a tier the scenario does not have: {unknown[0]}")
        may_hold = frozenset(held)
    else:
        may_hold = frozenset(
            band.tier
            for band in model.tiers
            if band.tier in tiers and complexity.may_hold(model, role=code, tier=band.tier).allowed
        )
    return RolePlan(
        role=code,
        fte=_number(entry, "fte", where, least=0, most=MAX_FTE),
        capacity_points_per_fte=_number(
            entry, "capacity_points_per_fte", where, above=0, most=complexity.MAX_POINTS_PER_FTE
        ),
        may_hold=may_hold,
        cost_per_fte=_number(entry, "cost_per_fte", where, least=0, most=MAX_MONEY, default=0.0),
        leavers_per_year=_number(
            entry, "leavers_per_year", where, least=0, most=MAX_FTE, default=0.0
        ),
        weeks_to_fill=_number(entry, "weeks_to_fill", where, least=0, most=MAX_WEEKS, default=0.0),
        september_intake=_number(
            entry, "september_intake", where, least=0, most=MAX_FTE, default=0.0
        ),
        max_fte=(
            _number(entry, "max_fte", where, least=0, most=MAX_FTE) if "max_fte" in entry else None
        ),
        progresses_to=_progresses_to(entry, where),
    )


def _progresses_to(entry: Mapping[str, Any], where: str) -> str | None:
    if "progresses_to" not in entry:
        return None
    code = entry["progresses_to"]
    if code not in CASE_ROLE_CODES:
        raise _at(
            f"{where}.progresses_to",
            f"must be a case-holding role: {', '.join(CASE_ROLE_CODES)}, not {code!r:.40}",
        )
    return str(code)


def loads(text: str, *, model: complexity.ComplexityModel | None = None) -> Scenario:
    """A scenario from YAML (or JSON, which YAML reads too) text, through the complexity
    model's guarded reader: safe loading, no anchors or aliases, a size limit."""
    try:
        data = complexity.strict_yaml(text, noun="scenario")
    except complexity.ModelError as error:
        raise ScenarioError(str(error)) from None
    return from_dict(data, model=model)


def read_file(path: Path, *, model: complexity.ComplexityModel | None = None) -> Scenario:
    """A scenario file; errors name the file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(complexity.MAX_BYTES + 1)
    except OSError as error:
        raise ScenarioError(f"Cannot read the scenario {path}: {error.strerror}") from None
    if len(raw) > complexity.MAX_BYTES:
        raise ScenarioError(f"{path}: the scenario is over {complexity.MAX_BYTES:,} bytes long")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"The scenario {path} is not UTF-8 text") from None
    try:
        return loads(text, model=model)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: {error}") from None


def to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain data that `from_dict` reads back as the same scenario."""
    return {
        "weeks": scenario.weeks,
        "warm_up_weeks": scenario.warm_up_weeks,
        "replications": scenario.replications,
        "seed": scenario.seed,
        "start_month": scenario.start_month,
        "allocation_rounds_per_day": scenario.allocation_rounds_per_day,
        "service_level": {
            "within_days": scenario.service_level.within_days,
            "share": scenario.service_level.share,
        },
        "tiers": [
            {
                "tier": tier.tier,
                "arrivals_per_week": (
                    tier.arrivals_per_week[0]
                    if len(tier.arrivals_per_week) == 1
                    else list(tier.arrivals_per_week)
                ),
                "growth": tier.growth,
                "share_becoming_cases": tier.share_becoming_cases,
                "duration_weeks": _duration_dict(tier.duration_weeks),
                "points": tier.points,
            }
            for tier in scenario.tiers
        ],
        "roles": [
            {
                "role": role.role,
                "fte": role.fte,
                "capacity_points_per_fte": role.capacity_points_per_fte,
                "may_hold": sorted(role.may_hold),
                "cost_per_fte": role.cost_per_fte,
                "leavers_per_year": role.leavers_per_year,
                "weeks_to_fill": role.weeks_to_fill,
                "september_intake": role.september_intake,
                **({} if role.max_fte is None else {"max_fte": role.max_fte}),
                **({} if role.progresses_to is None else {"progresses_to": role.progresses_to}),
            }
            for role in scenario.roles
        ],
    }


def _duration_dict(duration: Duration) -> dict[str, Any]:
    if duration.distribution == "empirical":
        return {"distribution": "empirical", "weeks": list(duration.weeks)}
    if duration.distribution == "lognormal":
        return {"distribution": "lognormal", "mean": duration.mean, "sd": duration.sd}
    return {"distribution": "exponential", "mean": duration.mean}


def dumps(scenario: Scenario) -> str:
    """The scenario as YAML that `loads` reads back as the same scenario (to download, edit
    and upload again)."""
    return yaml.safe_dump(to_dict(scenario), sort_keys=False, allow_unicode=True, width=96)
