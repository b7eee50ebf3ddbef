"""What the planning pages show, from a plan's stored result (the engine's JSON and the job's
additions: caseload.planning.jobs) and today's establishment: rows for the tables, the curve's
chart, and plans side by side. The register is read through the calibration only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from caseload.planning.models import WorkforcePlan
from caseload.resource.figures import council_totals, establishment_by_team
from caseload.ui.charts import ChartSpec, Series
from caseload_engine.planning.report import TIER_MEASURES
from caseload_engine.reference import ROLE_LABELS

MEASURE_LABELS = {
    "open_cases": "Open cases (mean)",
    "waiting_cases": "Cases waiting for allocation (mean)",
    "wait_days": "Wait for allocation, days (mean)",
    "p_wait": "Share of cases that waited",
    "within_target": "Share allocated within the target",
}
SHARES = frozenset({"p_wait", "within_target"})


_LABELS = {str(role): label for role, label in ROLE_LABELS.items()}


def role_label(role: str) -> str:
    return _LABELS.get(role, role)


@dataclass(frozen=True)
class RoleRow:
    role: str
    funded_fte: Decimal | None  # today's establishment, every team
    fte_in_post: Decimal | None
    plan_fte: float | None  # the plan's establishment for the role
    fte_now: float | None  # the steady state on today's demand
    fte_in_12_months: float | None
    cost: float | None

    @property
    def label(self) -> str:
        return role_label(self.role)


def establishment_against(result: dict[str, Any] | None, *, on: date) -> list[RoleRow]:
    """Today's establishment by role, every team (three queries), beside the plan's FTE and
    the FTE needed now and in 12 months: the plan's roles first, then any other role in post."""
    today = {row.role: row for row in council_totals(establishment_by_team(on=on)).roles}
    plan = result or {"roles": [], "fte_now": [], "fte_in_12_months": []}
    rows: list[RoleRow] = []
    for index, role in enumerate(plan["roles"]):
        now = today.pop(role["role"], None)
        rows.append(
            RoleRow(
                role=role["role"],
                funded_fte=now.funded_fte if now else None,
                fte_in_post=now.fte_in_post if now else None,
                plan_fte=role["fte"],
                fte_now=plan["fte_now"][index],
                fte_in_12_months=plan["fte_in_12_months"][index],
                cost=role["cost"],
            )
        )
    rows.extend(
        RoleRow(row.role, row.funded_fte, row.fte_in_post, None, None, None, None)
        for row in today.values()
    )
    return rows


@dataclass(frozen=True)
class TierRow:
    tier: int
    measure: str
    mean: float
    low: float
    high: float

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self.measure]

    @property
    def is_share(self) -> bool:
        return self.measure in SHARES


def tier_rows(result: dict[str, Any]) -> list[TierRow]:
    return [
        TierRow(tier["tier"], measure, tier[measure]["mean"], *tier[measure]["ci"])
        for tier in result["tiers"]
        for measure in TIER_MEASURES
    ]


@dataclass(frozen=True)
class CurveRow:
    fte: float
    within_target: tuple[float, ...]
    wait_days: tuple[float, ...]
    is_plan: bool

    @property
    def pairs(self) -> tuple[tuple[float, float], ...]:
        """(share within target, mean wait) by tier."""
        return tuple(zip(self.within_target, self.wait_days, strict=True))


@dataclass(frozen=True)
class Curve:
    role: str
    tiers: tuple[int, ...]
    rows: tuple[CurveRow, ...]
    chart: ChartSpec

    @property
    def role_label(self) -> str:
        return role_label(self.role)


def curve(result: dict[str, Any]) -> Curve:
    """The share within target by tier as the curve's role's FTE varies, as a chart and rows."""
    found = result["curve"]
    tiers = tuple(tier["tier"] for tier in result["tiers"])
    plan_fte = result["roles"][-1]["fte"]
    rows = tuple(
        CurveRow(
            fte=point["fte"],
            within_target=tuple(point["within_target"]),
            wait_days=tuple(point["wait_days"]),
            is_plan=point["fte"] == round(plan_fte, 1),
        )
        for point in found["points"]
    )
    label = role_label(found["role"]).lower()
    target = result["service_level"]
    worst = [min(row.within_target) for row in rows]
    enough = next(
        (row.fte for row, share in zip(rows, worst, strict=True) if share >= target["share"]), None
    )
    summary = (
        f"The share of each tier's cases allocated within {target['within_days']} days, as "
        f"{label} FTE goes from {rows[0].fte:g} to {rows[-1].fte:g}. "
        + (
            f"Every tier meets the target of {target['share']:.0%} from {enough:g} FTE."
            if enough is not None
            else f"No FTE shown meets the target of {target['share']:.0%} in every tier."
        )
        + " The table below has the figures, with the mean wait."
    )
    chart = ChartSpec(
        kind="line",
        title=f"Cases allocated within {target['within_days']} days, by {label} FTE",
        labels=[f"{row.fte:g}" for row in rows],
        series=[
            Series(
                name=f"Tier {tier}",
                values=[round(100 * row.within_target[index], 1) for row in rows],
            )
            for index, tier in enumerate(tiers)
        ],
        y_label="Allocated within the target (%)",
        y_max=100,
        y_suffix="%",
        summary=summary,
    )
    return Curve(role=found["role"], tiers=tiers, rows=rows, chart=chart)


# -- side by side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: float | None
    difference: float | None  # from the first plan's
    is_share: bool

    @property
    def text(self) -> str:
        if self.value is None:
            return "\u2013"  # an en dash: no figure
        return f"{self.value:.1%}" if self.is_share else f"{self.value:,.1f}"

    @property
    def difference_text(self) -> str:
        """Signed; a share's in percentage points."""
        if self.difference is None:
            return ""
        if self.is_share:
            return f"{100 * self.difference:+.1f} points"
        return f"{self.difference:+,.1f}"


@dataclass(frozen=True)
class ComparedRow:
    section: str
    label: str
    cells: tuple[Cell, ...]


def _values(result: dict[str, Any]) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    for tier in result["tiers"]:
        for measure in TIER_MEASURES:
            found[(f"Tier {tier['tier']}", measure)] = tier[measure]["mean"]
    for role in result["roles"]:
        name = role_label(role["role"])
        found[(name, "fte")] = role["fte"]
        found[(name, "fte_needed")] = role["fte_needed"]
        found[(name, "utilisation")] = role["utilisation"]["mean"]
        found[(name, "cost")] = role["cost"]
    found[("Every role", "cost")] = result["cost"]
    return found


ROLE_MEASURES = {
    "fte": "FTE",
    "fte_needed": "FTE needed (steady state)",
    "utilisation": "Utilisation",
    "cost": "Cost a year (£)",
}


def compare(plans: Sequence[WorkforcePlan]) -> list[ComparedRow]:
    """Each tier's and role's figures (and the cost) of every plan, in the first plan's order
    with any tier or role only the others have after, each with its difference from the
    first plan's (none where either plan lacks it)."""
    values = [_values(plan.result or {"tiers": [], "roles": [], "cost": 0}) for plan in plans]
    keys: list[tuple[str, str]] = []
    for found in values:
        keys.extend(key for key in found if key not in keys)
    rows = []
    for section, measure in keys:
        first = values[0].get((section, measure))
        share = measure in SHARES or measure == "utilisation"
        cells = []
        for found in values:
            value = found.get((section, measure))
            difference = None if value is None or first is None else value - first
            cells.append(Cell(value, difference, share))
        rows.append(
            ComparedRow(
                section=section,
                label=MEASURE_LABELS.get(measure) or ROLE_MEASURES[measure],
                cells=tuple(cells),
            )
        )
    return rows


# -- the calibration's fit -------------------------------------------------------------------


@dataclass(frozen=True)
class FitShown:
    """One tier's fit, as stored (caseload.planning.assumptions): its figures by name, and any
    table it has (observed against fitted quantiles)."""

    figures: tuple[tuple[str, Any], ...]
    tables: tuple[tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...]], ...]


def _words(key: str) -> str:
    words = key.replace("_", " ")
    return words[:1].upper() + words[1:]


def fits_shown(fits: Sequence[dict[str, Any]]) -> list[FitShown]:
    shown = []
    for fit in fits:
        figures: list[tuple[str, Any]] = []
        tables = []
        for key, value in fit.items():
            if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
                headers = tuple(value[0])
                rows = tuple(tuple(row.get(column) for column in headers) for row in value)
                tables.append((_words(key), tuple(_words(h) for h in headers), rows))
            elif isinstance(value, list):
                figures.append((_words(key), ", ".join(f"{item}" for item in value)))
            else:
                figures.append((_words(key), value))
        shown.append(FitShown(tuple(figures), tuple(tables)))
    return shown
