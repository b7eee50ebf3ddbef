"""Charts: what to draw, typed here and drawn in the browser by Chart.js (served from the
project's own packages, no CDN) through caseload/static/caseload/charts.js.

A view builds a ChartSpec and its template includes the partial, then the same figures as a
GOV.UK table beneath it (the table is the full alternative; `summary` says in a sentence or two
what the chart shows, visibly, for everyone):

    {% include "ui/chart.html" with chart=figures.chart %}

and loads the drawing scripts once on the page, in base.html's `scripts` block:

    {% block scripts %}{% include "ui/chart_scripts.html" %}{% endblock %}

Without JavaScript the figure shows its title and summary only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# Distinct in hue and lightness (GOV.UK colours); lines also differ by dash, for print in grey.
COLOURS = (
    "#1d70b8",
    "#d4351c",
    "#00703c",
    "#f47738",
    "#4c2c92",
    "#505a5f",
    "#912b88",
    "#28a197",
    "#b58840",
    "#0b0c0c",
)
DASHES = ((), (6, 3), (2, 2), (8, 3, 2, 3))

Value = float | int | None  # None leaves a gap


@dataclass(frozen=True)
class Series:
    """One line or set of bars; `lower` and `upper` (both or neither) shade a band around a
    line, such as a forecast's prediction interval, named `band_name` in the legend."""

    name: str
    values: Sequence[Value]
    lower: Sequence[Value] | None = None
    upper: Sequence[Value] | None = None
    band_name: str = ""

    def __post_init__(self) -> None:
        if (self.lower is None) != (self.upper is None):
            raise ValueError(f"{self.name}: a band needs both lower and upper values")
        for values in (self.values, self.lower or (), self.upper or ()):
            if any(value is not None and not math.isfinite(value) for value in values):
                raise ValueError(f"{self.name}: values must be finite numbers or None")


@dataclass(frozen=True)
class ChartSpec:
    kind: Literal["line", "bar"]
    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    y_label: str
    summary: str  # the text alternative: what the chart shows, in plain sentences
    y_max: float | None = None  # e.g. 100 for percentages; None lets the data decide
    y_suffix: str = ""  # after each number on the axis and in tooltips, e.g. "%"
    stacked: bool = False  # bars of each label on top of one another (parts of a whole)
    colours: Sequence[str] = field(default=COLOURS)

    def __post_init__(self) -> None:
        for series in self.series:
            for values in (series.values, series.lower, series.upper):
                if values is not None and len(values) != len(self.labels):
                    raise ValueError(
                        f"{series.name}: {len(values)} values for {len(self.labels)} labels"
                    )

    def data(self) -> dict[str, Any]:
        """What charts.js draws, as JSON (through json_script, so no markup escapes it)."""
        return {
            "kind": self.kind,
            "labels": list(self.labels),
            "yLabel": self.y_label,
            "yMax": self.y_max,
            "ySuffix": self.y_suffix,
            "stacked": self.stacked,
            "series": [
                {
                    "name": series.name,
                    "values": list(series.values),
                    "lower": None if series.lower is None else list(series.lower),
                    "upper": None if series.upper is None else list(series.upper),
                    "bandName": series.band_name,
                    "colour": self.colours[number % len(self.colours)],
                    "dash": list(DASHES[number % len(DASHES)]),
                }
                for number, series in enumerate(self.series)
            ],
        }
