"""The inputs and results of allocation: waiting cases, practitioners' capacity, the rules in
force, and the proposal with its utilisation.

Plain frozen dataclasses, imported by every other module of the package and by the web app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from caseload_engine.complexity import ComplexityModel


@dataclass(frozen=True)
class CaseToAllocate:
    case_id: str
    team: str
    tier: int
    points: Decimal
    required_skills: frozenset[str] = frozenset()
    reserved: bool = False
    previous_practitioner: str | None = None
    waiting_since: date | None = None
    priority: int = 2  # 1 is the highest


@dataclass(frozen=True)
class PractitionerCapacity:
    practitioner_id: str
    team: str
    role: str
    fte: Decimal
    capacity_points: Decimal
    current_points: Decimal
    skills: frozenset[str] = frozenset()
    available: bool = True
    name: str = ""  # for explanations; the id is used when blank


@dataclass(frozen=True)
class Rules:
    model: ComplexityModel
    cross_team: bool = False


@dataclass(frozen=True)
class Proposal:
    case_id: str
    practitioner_id: str | None  # None: not allocated
    reason: str  # why this practitioner, or why nobody, in words
    alternative_id: str | None = None  # the next-best eligible practitioner, if any
    alternative_reason: str = ""
    continuity: bool = False  # goes back to the previous practitioner


@dataclass(frozen=True)
class Utilisation:
    practitioner_id: str
    capacity_points: Decimal
    before_points: Decimal
    after_points: Decimal

    @property
    def before(self) -> float:
        return float(self.before_points / self.capacity_points) if self.capacity_points else 0.0

    @property
    def after(self) -> float:
        return float(self.after_points / self.capacity_points) if self.capacity_points else 0.0


@dataclass(frozen=True)
class AllocationResult:
    proposals: tuple[Proposal, ...]
    utilisation: tuple[Utilisation, ...]
    optimal: bool  # every stage proven optimal
    stage_gaps: dict[str, float] = field(default_factory=dict)  # stage -> relative gap to bound

    @property
    def allocated(self) -> int:
        return sum(1 for p in self.proposals if p.practitioner_id is not None)

    @property
    def not_allocated(self) -> int:
        return len(self.proposals) - self.allocated

    @property
    def continuity_kept(self) -> int:
        return sum(1 for p in self.proposals if p.continuity)

    @property
    def highest_utilisation(self) -> float:
        return max((u.after for u in self.utilisation), default=0.0)
