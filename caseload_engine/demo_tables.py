"""The synthetic council's weight tables, read once from `data/demo.yaml`.

One copy for the demo generator (`demo`, `demo_complexity`) and the allocation benchmark's
instances (`allocation.instances`), so that the benchmark stays shaped like the demo. Every code
is checked against the reference lists and every per-area table against the service areas when
this module is imported, so a typo in the file fails at once rather than in a draw.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, TypeVar

import yaml

from caseload_engine.reference import (
    ABSENCE_REASON_CHOICES,
    EVENT_OUTCOME_CHOICES,
    PRIMARY_SUPPORT_REASON_CHOICES,
    REQUEST_SOURCE_CHOICES,
    ROUTE_OF_ACCESS_CHOICES,
    SERVICE_AREA_CHOICES,
    SPECIALISM_CHOICES,
    Choices,
    Role,
)

K = TypeVar("K")
_ROLES: Final = frozenset(role.value for role in Role)
_AREAS: Final = frozenset(code for code, _ in SERVICE_AREA_CHOICES)
# (code, weight) pairs in the file's order, which is the order draws follow.
Weights = tuple[tuple[K, float], ...]
AgeBand = tuple[float, int, int, int]  # share, lowest, highest, most likely age


@dataclass(frozen=True)
class SpecialismChance:
    specialism: str
    chance: float
    roles: frozenset[str]
    areas: frozenset[str] | None  # None: in any service area


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"demo tables: {where} must be a number, not {value!r}")
    return value


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"demo tables: {where} must be a whole number, not {value!r}")
    return value


def _mapping(value: Any, where: str) -> Mapping[Any, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"demo tables: {where} must be a mapping")
    return value


def _list(value: Any, where: str, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        size = "" if length is None else f" of {length}"
        raise ValueError(f"demo tables: {where} must be a list{size}")
    return value


def _codes(keys: Collection[object], known: Collection[object], where: str) -> None:
    unknown = sorted(str(key) for key in keys if key not in known)
    if unknown:
        raise ValueError(f"demo tables: unknown codes in {where}: {unknown}")


def _weights(value: Any, where: str, known: Collection[str]) -> Weights[str]:
    table = _mapping(value, where)
    _codes(table, known, where)
    return tuple((str(code), _number(weight, f"{where}.{code}")) for code, weight in table.items())


def _per_area(value: Any, where: str) -> dict[str, Any]:
    """A table with one entry per service area, every area and no other."""
    table = _mapping(value, where)
    if set(table) != _AREAS:
        raise ValueError(f"demo tables: {where} must cover every service area, and only those")
    return {str(area): table[area] for area in table}


def _pair(value: Any, where: str) -> tuple[int, int]:
    low, high = _list(value, where, 2)
    return _whole(low, where), _whole(high, where)


def _per_role(value: Any, where: str) -> dict[Role, Any]:
    table = _mapping(value, where)
    _codes(table, _ROLES, where)
    return {Role(code): entry for code, entry in table.items()}


def _choices(choices: Choices) -> frozenset[str]:
    return frozenset(code for code, _ in choices)


def _specialisms(value: Any) -> tuple[SpecialismChance, ...]:
    chances = []
    for index, entry in enumerate(_list(value, "specialisms")):
        where = f"specialisms[{index}]"
        line = _mapping(entry, where)
        code = str(line.get("specialism"))
        _codes([code], _choices(SPECIALISM_CHOICES), where)
        roles = [str(role) for role in _list(line.get("roles"), f"{where}.roles")]
        _codes(roles, _ROLES, f"{where}.roles")
        areas = None
        if "areas" in line:
            areas = [str(area) for area in _list(line["areas"], f"{where}.areas")]
            _codes(areas, _AREAS, f"{where}.areas")
        chances.append(
            SpecialismChance(
                specialism=code,
                chance=_number(line.get("chance"), f"{where}.chance"),
                roles=frozenset(roles),
                areas=None if areas is None else frozenset(areas),
            )
        )
    return tuple(chances)


_FILE: Final = _mapping(
    yaml.safe_load(
        resources.files("caseload_engine").joinpath("data/demo.yaml").read_text("utf-8")
    ),
    "the file",
)


def _get(key: str) -> Any:
    if key not in _FILE:
        raise ValueError(f"demo tables: no {key}")
    return _FILE[key]


CASE_HOLDER_ROLES: Final = _weights(_get("case_holder_roles"), "case_holder_roles", _ROLES)
FTE: Final = _weights(_get("fte"), "fte", {"1.00", "0.80", "0.60", "0.50"})
MANAGER_FTE: Final = _weights(_get("manager_fte"), "manager_fte", {"1.00", "0.80"})
CASELOAD_BASE: Final[dict[Role, float]] = {
    role: _number(value, f"caseload_base.{role.value}")
    for role, value in _per_role(_get("caseload_base"), "caseload_base").items()
}
START_DAYS_AGO: Final[dict[Role, tuple[int, int]]] = {
    role: _pair(value, f"start_days_ago.{role.value}")
    for role, value in _per_role(_get("start_days_ago"), "start_days_ago").items()
}

ABSENCE_RATE: Final = _number(_get("absence_rate"), "absence_rate")
_ABSENCES: Final = _mapping(_get("absences"), "absences")
_codes(_ABSENCES, _choices(ABSENCE_REASON_CHOICES), "absences")
ABSENCE_REASONS: Final[Weights[str]] = tuple(
    (str(reason), _number(_mapping(entry, reason).get("weight"), f"absences.{reason}.weight"))
    for reason, entry in _ABSENCES.items()
)
ABSENCE_DAYS: Final[dict[str, tuple[int, int]]] = {
    str(reason): _pair(entry.get("days"), f"absences.{reason}.days")
    for reason, entry in _ABSENCES.items()
}

SPECIALISMS: Final = _specialisms(_get("specialisms"))

TIER_MIX: Final[dict[str, tuple[float, ...]]] = {
    area: tuple(_number(share, f"tier_mix.{area}") for share in _list(mix, f"tier_mix.{area}"))
    for area, mix in _per_area(_get("tier_mix"), "tier_mix").items()
}
SECTION_42_SHARE: Final = _number(_get("section_42_share"), "section_42_share")
AMHP_SHARE: Final = _number(_get("amhp_share"), "amhp_share")
BIA_SHARE: Final = _number(_get("bia_share"), "bia_share")
BIA_AREAS: Final = frozenset(str(area) for area in _list(_get("bia_areas"), "bia_areas"))
_codes(BIA_AREAS, _AREAS, "bia_areas")

_PRIORITIES: Final = _mapping(_get("priorities"), "priorities")
_codes(_PRIORITIES, {1, 2, 3}, "priorities")
PRIORITIES: Final[Weights[int]] = tuple(
    (int(priority), _number(weight, f"priorities.{priority}"))
    for priority, weight in _PRIORITIES.items()
)

OUTCOMES: Final = _weights(_get("outcomes"), "outcomes", _choices(EVENT_OUTCOME_CHOICES))
PRIMARY_SUPPORT_REASONS: Final[dict[str, Weights[str]]] = {
    area: _weights(
        table, f"primary_support_reasons.{area}", _choices(PRIMARY_SUPPORT_REASON_CHOICES)
    )
    for area, table in _per_area(_get("primary_support_reasons"), "primary_support_reasons").items()
}
ROUTES_OF_ACCESS: Final[dict[str, Weights[str]]] = {
    area: _weights(table, f"routes_of_access.{area}", _choices(ROUTE_OF_ACCESS_CHOICES))
    for area, table in _per_area(_get("routes_of_access"), "routes_of_access").items()
}
REQUEST_SOURCES: Final[dict[str, Weights[str]]] = {
    area: _weights(table, f"request_sources.{area}", _choices(REQUEST_SOURCE_CHOICES))
    for area, table in _per_area(_get("request_sources"), "request_sources").items()
}
AGE_BANDS: Final[dict[str, tuple[AgeBand, ...]]] = {
    area: tuple(
        (
            _number(share, f"age_bands.{area}"),
            _whole(low, f"age_bands.{area}"),
            _whole(high, f"age_bands.{area}"),
            _whole(mode, f"age_bands.{area}"),
        )
        for share, low, high, mode in (
            _list(band, f"age_bands.{area}", 4) for band in _list(bands, f"age_bands.{area}")
        )
    )
    for area, bands in _per_area(_get("age_bands"), "age_bands").items()
}

GIVEN_NAMES: Final = tuple(str(name) for name in _list(_get("given_names"), "given_names"))
FAMILY_NAMES: Final = tuple(str(name) for name in _list(_get("family_names"), "family_names"))


def specialism_chances(role: str, area: str | None) -> dict[str, float]:
    """Each specialism's chance for a practitioner of the role in a team of the service area
    (None: in no team), in the file's order."""
    return {
        line.specialism: line.chance
        for line in SPECIALISMS
        if role in line.roles and (line.areas is None or area in line.areas)
    }
