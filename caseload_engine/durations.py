"""How long a piece of work lasts, in weeks: the planning scenario's duration type.

Its own small module (no numpy, no planning package) so that the demo generator, which draws
its cases' durations from named distributions of this type, shares it with the planning engine
without importing the planner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Distribution = Literal["exponential", "lognormal", "empirical"]
DISTRIBUTIONS: tuple[Distribution, ...] = ("exponential", "lognormal", "empirical")


@dataclass(frozen=True)
class Duration:
    """How long a case stays open, in weeks: exponential (mean), lognormal (mean, sd) or
    empirical (a list of observed durations, drawn from with replacement)."""

    distribution: Distribution
    mean: float
    sd: float = 0.0
    weeks: tuple[float, ...] = ()

    def log_parameters(self) -> tuple[float, float]:
        """A lognormal's mu and sigma (of the log of the weeks), from its mean and sd."""
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)
