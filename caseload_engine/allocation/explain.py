"""The words of allocation proposals, for a team manager: who, why, and what it does to loads.

Points arrive scaled to integers (tenths of a point), as the allocation engine holds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from caseload_engine.allocation.criteria import POINTS_SCALE
from caseload_engine.reference import ROLE_LABELS, Role

if TYPE_CHECKING:
    from caseload_engine.allocation.records import CaseToAllocate, PractitionerCapacity

_ROLE_CODES = frozenset(role.value for role in Role)


def display_name(practitioner: PractitionerCapacity) -> str:
    return practitioner.name.strip() or practitioner.practitioner_id


def role_phrase(role: str) -> str:
    """The role's label as it reads mid-sentence: 'social worker', but 'ASYE social worker'."""
    label = ROLE_LABELS[Role(role)] if role in _ROLE_CODES else role
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def with_article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def listed(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def points_text(scaled: int) -> str:
    return format((Decimal(scaled) / POINTS_SCALE).normalize(), "f")


def percent(load: int, capacity: int) -> str:
    """Utilisation as a whole percentage, halves rounded up."""
    if capacity <= 0:
        return "no capacity"
    return f"{(200 * load + capacity) // (2 * capacity)}%"


def permille_percent(permille: int) -> str:
    return f"{(permille + 5) // 10}%"


def allocated(
    case: CaseToAllocate,
    practitioner: PractitionerCapacity,
    why: str,
    *,
    before: tuple[int, int],
    after: tuple[int, int],
) -> str:
    """'Tier 2, 5 points, to Aisha Khan (social worker): their case before; 58% → 64% of
    capacity'. `before` and `after` are (load, capacity)."""
    points = format(case.points.normalize(), "f")
    return (
        f"Tier {case.tier}, {points} points, to {display_name(practitioner)} "
        f"({role_phrase(practitioner.role)}): {why}; "
        f"{percent(*before)} → {percent(*after)} of capacity"
    )


def would_reach(practitioner: PractitionerCapacity, load: int, capacity: int) -> str:
    return (
        f"{display_name(practitioner)} ({role_phrase(practitioner.role)}): "
        f"would reach {percent(load, capacity)}"
    )


def no_capacity(*, tier: int, where: str, short: int, largest_room: int, needed: int) -> str:
    """Why nobody eligible took a case: the points missing for the cases like it that wait, or,
    when there is enough room in total but in pieces too small, the largest piece."""
    opening = f"no Tier {tier} capacity {where}"
    if short > 0:
        return f"{opening}: {points_text(short)} points short"
    return (
        f"{opening}: the most room left with anyone eligible is {points_text(largest_room)} "
        f"points, and the case needs {points_text(needed)}"
    )
