"""A plan: the steady state, the simulation's results with their intervals, and (if asked)
the least-cost staffing, as JSON (`caseload plan --json`), text and a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from caseload_engine.planning.scenario import Scenario
from caseload_engine.planning.search import Staffing, search_staffing
from caseload_engine.planning.simulate import Estimate, simulate
from caseload_engine.planning.steady import fte_needed, open_cases_expected
from caseload_engine.reference import ROLE_LABELS, Role
from caseload_engine.tabular import Cell

TIER_MEASURES = ("open_cases", "waiting_cases", "wait_days", "p_wait", "within_target")
TABLE_COLUMNS = ("section", "name", "measure", "mean", "ci_low", "ci_high")


@dataclass(frozen=True)
class TierPlan:
    tier: int
    open_cases_expected: float
    estimates: dict[str, Estimate]  # by TIER_MEASURES


@dataclass(frozen=True)
class RoleOutcome:
    role: str
    fte: float
    fte_needed: float
    cost: float
    utilisation: Estimate
    fte_in_post: Estimate


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    tiers: tuple[TierPlan, ...]
    roles: tuple[RoleOutcome, ...]
    staffing: Staffing | None

    @property
    def cost(self) -> float:
        return self.scenario.cost

    @property
    def meets_service_level(self) -> bool:
        share = self.scenario.service_level.share
        return all(tier.estimates["within_target"].mean >= share for tier in self.tiers)


def make_plan(
    scenario: Scenario, *, search: bool = False, progress: Callable[[int], None] | None = None
) -> Plan:
    """`progress` is told the percent of the simulation done (not of the staffing search)."""
    result = simulate(scenario, progress=progress)
    expected = open_cases_expected(scenario)
    needed = fte_needed(scenario)
    tiers = tuple(
        TierPlan(
            tier=tier.tier,
            open_cases_expected=expected[index],
            estimates={
                measure: Estimate.of(getattr(result, measure)[:, index])
                for measure in TIER_MEASURES
            },
        )
        for index, tier in enumerate(scenario.tiers)
    )
    roles = tuple(
        RoleOutcome(
            role=role.role,
            fte=role.fte,
            fte_needed=needed[index],
            cost=role.fte * role.cost_per_fte,
            utilisation=Estimate.of(result.utilisation[:, index]),
            fte_in_post=Estimate.of(result.fte_in_post[:, index]),
        )
        for index, role in enumerate(scenario.roles)
    )
    return Plan(
        scenario=scenario,
        tiers=tiers,
        roles=roles,
        staffing=search_staffing(scenario) if search else None,
    )


def as_json(plan: Plan) -> dict[str, Any]:
    level = plan.scenario.service_level
    document: dict[str, Any] = {
        "tiers": [
            {
                "tier": tier.tier,
                **{measure: tier.estimates[measure].as_json() for measure in TIER_MEASURES},
                "open_cases_expected": round(tier.open_cases_expected, 4),
            }
            for tier in plan.tiers
        ],
        "roles": [
            {
                "role": role.role,
                "fte": role.fte,
                "fte_needed": round(role.fte_needed, 4),
                "cost": round(role.cost, 2),
                "utilisation": role.utilisation.as_json(),
                "fte_in_post": role.fte_in_post.as_json(),
            }
            for role in plan.roles
        ],
        "cost": round(plan.cost, 2),
        "service_level": {"within_days": level.within_days, "share": level.share},
        "meets_service_level": plan.meets_service_level,
        "replications": plan.scenario.replications,
    }
    if plan.staffing is not None:
        document["staffing"] = {
            "fte": {
                role.role: count
                for role, count in zip(plan.scenario.roles, plan.staffing.fte, strict=True)
            },
            "cost": round(plan.staffing.cost, 2),
            "meets_service_level": plan.staffing.meets_service_level,
            "evaluations": plan.staffing.evaluations,
        }
    return document


def text_lines(plan: Plan) -> list[str]:
    scenario = plan.scenario
    level = scenario.service_level
    lines = [
        f"Workforce plan over {scenario.weeks} weeks ({scenario.warm_up_weeks} warm-up), "
        f"{scenario.replications} replications, seed {scenario.seed}; 95% intervals in brackets.",
        f"Target: {level.share:.0%} of cases allocated within {level.within_days} days.",
        "",
    ]
    for tier in plan.tiers:
        found = tier.estimates
        lines += [
            f"Tier {tier.tier}: {_shown(found['open_cases'], '.1f')} open cases "
            f"(Little's law: {tier.open_cases_expected:.1f}), "
            f"{_shown(found['waiting_cases'], '.1f')} waiting",
            f"  mean wait {_shown(found['wait_days'], '.1f')} days; "
            f"{_shown(found['p_wait'], '.0%')} waited; "
            f"{_shown(found['within_target'], '.1%')} allocated within {level.within_days} days",
        ]
    lines.append("")
    for role in plan.roles:
        lines.append(
            f"{_label(role.role)}: {role.fte:g} FTE ({_shown(role.fte_in_post, '.1f')} in post), "
            f"utilisation {_shown(role.utilisation, '.0%')}; steady state needs "
            f"{role.fte_needed:.1f} FTE; £{role.cost:,.0f} a year"
        )
    lines += [
        "",
        f"Cost £{plan.cost:,.0f} a year. The target is "
        + ("met." if plan.meets_service_level else "NOT met."),
    ]
    if plan.staffing is not None:
        mix = ", ".join(
            f"{count} {_label(role.role)}"
            for role, count in zip(scenario.roles, plan.staffing.fte, strict=True)
        )
        verdict = "meets" if plan.staffing.meets_service_level else "does NOT meet"
        lines.append(
            f"Least-cost staffing found: {mix}; £{plan.staffing.cost:,.0f} a year; {verdict} "
            f"the target ({plan.staffing.evaluations} staffings simulated)."
        )
    return lines


def table_rows(plan: Plan) -> list[dict[str, Cell]]:
    """One row per measure, for a spreadsheet (TABLE_COLUMNS)."""
    rows: list[dict[str, Cell]] = []
    for tier in plan.tiers:
        name = f"Tier {tier.tier}"
        rows.extend(
            _row("tier", name, measure, tier.estimates[measure]) for measure in TIER_MEASURES
        )
        rows.append(_value_row("tier", name, "open_cases_expected", tier.open_cases_expected))
    for role in plan.roles:
        rows.append(_row("role", role.role, "utilisation", role.utilisation))
        rows.append(_row("role", role.role, "fte_in_post", role.fte_in_post))
        rows.append(_value_row("role", role.role, "fte", role.fte))
        rows.append(_value_row("role", role.role, "fte_needed", role.fte_needed))
        rows.append(_value_row("role", role.role, "cost", role.cost))
    rows.append(_value_row("plan", "establishment", "cost", plan.cost))
    if plan.staffing is not None:
        for planned, count in zip(plan.scenario.roles, plan.staffing.fte, strict=True):
            rows.append(_value_row("staffing", planned.role, "fte", count))
        rows.append(_value_row("staffing", "least cost", "cost", plan.staffing.cost))
    return rows


def _row(section: str, name: str, measure: str, found: Estimate) -> dict[str, Cell]:
    return {
        "section": section,
        "name": name,
        "measure": measure,
        "mean": _decimal(found.mean),
        "ci_low": _decimal(found.low),
        "ci_high": _decimal(found.high),
    }


def _value_row(section: str, name: str, measure: str, value: float) -> dict[str, Cell]:
    return {
        "section": section,
        "name": name,
        "measure": measure,
        "mean": _decimal(value),
        "ci_low": "",
        "ci_high": "",
    }


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


def _shown(found: Estimate, spec: str) -> str:
    return f"{found.mean:{spec}} [{found.low:{spec}} to {found.high:{spec}}]"


def _label(role: str) -> str:
    return ROLE_LABELS[Role(role)]
