"""Complexity scores for a synthetic council, consistent with who holds each case.

Every case is scored into its own tier (drawn by the generator from its team's service-area mix,
and held only by roles that may hold it): factor scores that add up to a total inside that
tier's band, and reserved functions at `demo_tables`' shares where its holder may carry them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from caseload_engine import complexity
from caseload_engine.demo import DemoCase, DemoCouncil
from caseload_engine.demo_tables import AMHP_SHARE, SECTION_42_SHARE


@dataclass(frozen=True)
class DemoScore:
    scores: dict[str, int]
    reserved_functions: tuple[str, ...]


def score_council(
    council: DemoCouncil, model: complexity.ComplexityModel, *, seed: int
) -> tuple[DemoScore, ...]:
    """One score per case of the council, in the same order; deterministic for the seed."""
    rng = random.Random(seed)
    roles = {p.key: p.role for p in council.practitioners}
    areas = {team.key: team.service_area for team in council.teams}
    return tuple(
        _score_case(case, model, rng, area=areas[case.team_key], holder_role=_holder(case, roles))
        for case in council.cases
    )


def _holder(case: DemoCase, roles: Mapping[str, str]) -> str | None:
    current = [a for a in case.allocations if a.ended_at is None]
    return roles[current[0].practitioner_key] if current else None


def _score_case(
    case: DemoCase,
    model: complexity.ComplexityModel,
    rng: random.Random,
    *,
    area: str,
    holder_role: str | None,
) -> DemoScore:
    band = model.band(case.tier)
    total = rng.randint(band.minimum, band.maximum)
    scores = _spread(total, [factor.key for factor in model.factors], rng)
    registered = holder_role is None or holder_role in model.registered_roles
    reserved: list[str] = []
    known = {function.key for function in model.reserved_functions}
    top_tier = band is model.tiers[-1]
    if registered and top_tier and "section_42_lead" in known and rng.random() < SECTION_42_SHARE:
        reserved.append("section_42_lead")
    if registered and area == "mental_health" and "amhp" in known and rng.random() < AMHP_SHARE:
        reserved.append("amhp")
    return DemoScore(scores=scores, reserved_functions=tuple(reserved))


def _spread(total: int, keys: list[str], rng: random.Random) -> dict[str, int]:
    """Scores of 1-3 over the keys adding up to `total` (which lies in n..3n)."""
    scores = dict.fromkeys(keys, complexity.LEVELS[0])
    for _ in range(total - len(keys)):
        key = rng.choice([k for k in keys if scores[k] < complexity.LEVELS[-1]])
        scores[key] += 1
    return scores
