"""Synthetic allocation problems shaped like the demo council, for the benchmark and tests.

Deterministic for a seed. Teams have 6-10 case holders (or the sizes asked for) with the demo's
role mix and FTE; their
capacity follows the complexity model; tiers follow the demo's service-area mix and points the
model's tiers; reserved functions and specialist skills are rare, as in the demo. The weights
are the demo's own (`demo_tables`).

- `weekly_intake`: new cases onto practitioners already holding 50-95% of their capacity;
  a few cases come back to someone who held them before.
- `single_team`: one team's waiting list onto its part-loaded practitioners; `random_teams`
  draws teams of 5-40 practitioners with up to 100 waiting cases, as real teams (hospital
  discharge, duty) run to 30-40 practitioners.
- `council_rebalance`: every open case of a council re-allocated from scratch, nearly all with
  their current holder as previous practitioner.
- `national`: councils of varied size adding up to the national totals, each a rebalance;
  `national_council` builds one at a time, so that the whole never needs to be in memory.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, TypeVar

from caseload_engine import demo_tables as tables
from caseload_engine.allocation.records import CaseToAllocate, PractitionerCapacity, Rules
from caseload_engine.complexity import ComplexityModel, default_model
from caseload_engine.demo import LOCALITIES
from caseload_engine.reference import SERVICE_AREA_CHOICES, Role

AS_OF: Final = date(2026, 3, 2)
T = TypeVar("T")

_UNAVAILABLE: Final = tables.ABSENCE_RATE / 2  # the demo's absences, half of them current


@dataclass(frozen=True)
class Instance:
    name: str
    cases: tuple[CaseToAllocate, ...]
    practitioners: tuple[PractitionerCapacity, ...]
    rules: Rules


@dataclass(frozen=True)
class CouncilSpec:
    """One council of the national instance, to be built where it is solved."""

    number: int
    practitioners: int
    cases: int
    seed: int


def weekly_intake(
    seed: int = 2026,
    *,
    practitioners: int = 300,
    cases: int = 500,
    team_size: tuple[int, int] = (6, 10),
) -> Instance:
    rng = _random(seed)
    rules = Rules(default_model())
    staff, areas = _staff(
        rng, rules.model, practitioners, prefix="", loaded=True, team_size=team_size
    )
    waiting = _cases(rng, rules.model, staff, areas, cases, returning=0.10, window_days=56)
    teams = "" if team_size == (6, 10) else f" in teams of {_sizes_label(team_size)}"
    return Instance(
        f"weekly intake: {cases} cases, {practitioners} practitioners{teams}", waiting, staff, rules
    )


def single_team(seed: int = 2026, *, practitioners: int = 30, cases: int = 60) -> Instance:
    """One team's waiting list, shaped as the weekly intake is."""
    return weekly_intake(
        seed, practitioners=practitioners, cases=cases, team_size=(practitioners, practitioners)
    )


def random_teams(
    seed: int = 2026, *, count: int = 50, sizes: tuple[int, int] = (5, 40), most_cases: int = 100
) -> tuple[Instance, ...]:
    """Single teams of random size within `sizes`, each with 10 to `most_cases` waiting."""
    rng = _random(seed)
    return tuple(
        single_team(
            rng.randrange(2**31),
            practitioners=rng.randint(*sizes),
            cases=rng.randint(min(10, most_cases), most_cases),
        )
        for _ in range(count)
    )


def council_rebalance(
    seed: int = 2026,
    *,
    practitioners: int = 300,
    cases: int = 10_000,
    prefix: str = "",
    team_size: tuple[int, int] = (6, 10),
) -> Instance:
    rng = _random(seed)
    rules = Rules(default_model())
    staff, areas = _staff(
        rng, rules.model, practitioners, prefix=prefix, loaded=False, team_size=team_size
    )
    held = _cases(rng, rules.model, staff, areas, cases, returning=0.9, window_days=548)
    return Instance(
        f"council rebalance: {cases} cases, {practitioners} practitioners", held, staff, rules
    )


def national(
    seed: int = 2026, *, councils: int = 153, practitioners: int = 18_500, cases: int = 1_500_000
) -> tuple[CouncilSpec, ...]:
    """Councils of varied size (a few large, many small) with exactly the totals given."""
    rng = _random(seed)
    weights = [rng.lognormvariate(0, 0.6) for _ in range(councils)]
    staff = _apportion(practitioners, weights)
    caseloads = _apportion(cases, staff)
    return tuple(
        CouncilSpec(number + 1, staff[number], caseloads[number], seed * 1000 + number)
        for number in range(councils)
    )


def national_council(spec: CouncilSpec) -> Instance:
    return council_rebalance(
        spec.seed,
        practitioners=spec.practitioners,
        cases=spec.cases,
        prefix=f"Council {spec.number:03d} ",
    )


def _random(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - synthetic data, not security-sensitive randomness


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Whole shares of total in proportion to weights, largest remainders first."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _sizes_label(sizes: tuple[int, int]) -> str:
    return str(sizes[0]) if sizes[0] == sizes[1] else f"{sizes[0]}-{sizes[1]}"


def _team_sizes(rng: random.Random, total: int, bounds: tuple[int, int]) -> list[int]:
    """Teams within bounds (of their midpoint on average) adding up to total; one team if
    total is small."""
    least, most = bounds
    count = max(1, round(2 * total / (least + most)))
    sizes = [total // count + (1 if i < total % count else 0) for i in range(count)]
    for _ in range(count):  # vary the sizes, keeping each within bounds
        giver, taker = rng.randrange(count), rng.randrange(count)
        if giver != taker and sizes[giver] > least and sizes[taker] < most:
            sizes[giver] -= 1
            sizes[taker] += 1
    return sizes


def _team_names(count: int, prefix: str) -> list[tuple[str, str]]:
    """(name, service area) for each team: every area in a locality, then the next locality."""
    names = []
    for i in range(count):
        area, label = SERVICE_AREA_CHOICES[i % len(SERVICE_AREA_CHOICES)]
        locality_index = i // len(SERVICE_AREA_CHOICES)
        locality = LOCALITIES[locality_index % len(LOCALITIES)]
        round_number = locality_index // len(LOCALITIES)
        suffix = f" {round_number + 1}" if round_number else ""
        names.append((f"{prefix}{label} {locality}{suffix}", area))
    return names


def _pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def _staff(
    rng: random.Random,
    model: ComplexityModel,
    count: int,
    *,
    prefix: str,
    loaded: bool,
    team_size: tuple[int, int],
) -> tuple[tuple[PractitionerCapacity, ...], dict[str, str]]:
    """The practitioners, and each team's service area."""
    sizes = _team_sizes(rng, count, team_size)
    practitioners: list[PractitionerCapacity] = []
    areas: dict[str, str] = {}
    for (team, area), size in zip(_team_names(len(sizes), prefix), sizes, strict=True):
        areas[team] = area
        roles = [Role(_pick(rng, tables.CASE_HOLDER_ROLES)) for _ in range(size)]
        # As in the demo, a team always has an assistant and a social worker.
        for needed, slot in ((Role.ASSISTANT, 0), (Role.SOCIAL_WORKER, 1)):
            if needed not in roles:
                roles[slot] = needed
        for role in roles:
            fte = Decimal(_pick(rng, tables.FTE))
            capacity = model.capacity.points_for(role.value, fte)
            share = rng.uniform(0.5, 0.95) if loaded else 0.0
            practitioners.append(
                PractitionerCapacity(
                    practitioner_id=f"{prefix}P{len(practitioners) + 1:05d}".replace(" ", "-"),
                    team=team,
                    role=role.value,
                    fte=fte,
                    capacity_points=capacity,
                    current_points=Decimal(round(float(capacity) * share)),
                    skills=_skills(rng, role, area),
                    available=rng.random() >= _UNAVAILABLE,
                )
            )
    return tuple(practitioners), areas


def _skills(rng: random.Random, role: Role, area: str) -> frozenset[str]:
    """The demo's specialisms: AMHP and BIA among experienced and advanced social workers."""
    chances = tables.specialism_chances(role.value, area)
    return frozenset(skill for skill, chance in chances.items() if rng.random() < chance)


def _cases(
    rng: random.Random,
    model: ComplexityModel,
    staff: Sequence[PractitionerCapacity],
    areas: dict[str, str],
    count: int,
    *,
    returning: float,
    window_days: int,
) -> tuple[CaseToAllocate, ...]:
    teams: dict[str, list[PractitionerCapacity]] = {}
    for practitioner in staff:
        teams.setdefault(practitioner.team, []).append(practitioner)
    names = list(teams)
    per_team = _apportion(count, [len(teams[name]) for name in names])
    bands = sorted(model.tiers, key=lambda band: band.tier)
    cases: list[CaseToAllocate] = []
    for name, team_cases in zip(names, per_team, strict=True):
        area = areas[name]
        mix = tables.TIER_MIX[area]
        for _ in range(team_cases):
            band = rng.choices(bands, [mix[min(i, len(mix) - 1)] for i in range(len(bands))])[0]
            skills: set[str] = set()
            # Section 42 enquiries (top tier), AMHP work and best interests assessments are
            # reserved; the last two need the skill.
            reserved = band is bands[-1] and rng.random() < tables.SECTION_42_SHARE
            if area == "mental_health" and rng.random() < tables.AMHP_SHARE:
                skills.add("amhp")
            if area in tables.BIA_AREAS and rng.random() < tables.BIA_SHARE:
                skills.add("bia")
            previous = None
            if rng.random() < returning:
                holders = [p for p in teams[name] if p.role in band.roles] or teams[name]
                previous = rng.choice(holders).practitioner_id
            cases.append(
                CaseToAllocate(
                    case_id=f"C{len(cases) + 1:07d}",
                    team=name,
                    tier=band.tier,
                    points=Decimal(band.points),
                    required_skills=frozenset(skills),
                    reserved=reserved or bool(skills),
                    previous_practitioner=previous,
                    waiting_since=AS_OF - timedelta(days=int(rng.triangular(0, window_days, 0))),
                    priority=_pick(rng, tables.PRIORITIES),
                )
            )
    return tuple(cases)
