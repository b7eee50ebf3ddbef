"""Reporting an anonymous survey in groups big enough not to point at anyone.

A group (a team and a role group, say) is shown only with at least `minimum` answers. Smaller
groups are merged into one "other" group; if that is still under the minimum, the smallest
shown group joins it, and so on, so that no group's figures can be worked out by taking the
shown groups from the total. If all the answers together are under the minimum, nothing is
shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

MINIMUM_GROUP = 5
# A Likert answer of 4 or 5 ("agree", "strongly agree") counts as agreeing.
AGREE_FROM = 4

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Grouping(Generic[K]):
    shown: tuple[K, ...]  # the groups reported under their own name, largest first
    other: tuple[K, ...]  # the groups merged into "other" (empty, or at least `minimum` answers)
    suppressed: tuple[K, ...]  # groups not reported at all (only when every answer is)


def group(counts: Mapping[K, int], *, minimum: int = MINIMUM_GROUP) -> Grouping[K]:
    """Which groups to report by name, which to merge into "other", and which to leave out."""
    present = [key for key, count in counts.items() if count > 0]
    if sum(counts[key] for key in present) < minimum:
        return Grouping((), (), tuple(present))
    # Largest first; ties in the order given, so the result does not depend on chance.
    ordered = sorted(present, key=lambda key: -counts[key])
    shown = [key for key in ordered if counts[key] >= minimum]
    other = [key for key in ordered if counts[key] < minimum]
    while other and sum(counts[key] for key in other) < minimum:
        other.insert(0, shown.pop())
    return Grouping(tuple(shown), tuple(other), ())


def mean(values: Sequence[int | Decimal]) -> Decimal | None:
    """The mean to one decimal place (None for no values)."""
    return average(sum((Decimal(value) for value in values), Decimal(0)), len(values))


def average(total: int | Decimal, count: int) -> Decimal | None:
    """`total` over `count` to one decimal place (None for a count of 0)."""
    if count == 0:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent_agreeing(answers: Sequence[int]) -> int | None:
    """The whole-number share of Likert answers (1 to 5) that agree (None for no answers)."""
    if not answers:
        return None
    agreeing = sum(1 for answer in answers if answer >= AGREE_FROM)
    return int((Decimal(100 * agreeing) / len(answers)).quantize(0, rounding=ROUND_HALF_UP))
