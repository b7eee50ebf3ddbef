"""A practitioner's load: the points of the cases they hold against their capacity in points.

The one computation of it, used by the practitioner's page, the team page and the allocation
meeting's inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum

from caseload.complexity.models import Assessment, capacity_points
from caseload.register.models import OPEN_STATUSES, Practitioner
from caseload_engine import complexity


def held_points() -> Subquery:
    """Per practitioner row (an outer query over practitioners): the points of the open cases
    they hold now, by each case's current assessment; None if they hold no scored case."""
    return Subquery(
        Assessment.objects.filter(
            is_current=True,
            case__status__in=OPEN_STATUSES,
            case__allocations__practitioner=OuterRef("pk"),
            case__allocations__ended_at__isnull=True,
        )
        .values("case__allocations__practitioner")
        .annotate(total=Sum("points"))
        .values("total")
    )


@dataclass(frozen=True)
class Load:
    points: Decimal
    capacity: Decimal

    @property
    def percent(self) -> int | None:
        """Utilisation, rounded to a whole percent; None without capacity."""
        return round(self.points * 100 / self.capacity) if self.capacity else None

    def over(self, safe_percent: int) -> bool:
        """Above the safe share of capacity (exactly, not after rounding). Any points held
        without capacity are over."""
        return self.points * 100 > self.capacity * safe_percent


def load_of(
    practitioner: Practitioner, *, held: Decimal | int | None, model: complexity.ComplexityModel
) -> Load:
    """`held` is the practitioner's `held_points()`."""
    return Load(
        points=Decimal(held or 0),
        capacity=capacity_points(
            role=practitioner.role,
            fte=practitioner.fte,
            personal=practitioner.capacity_points,
            model=model,
        ),
    )
