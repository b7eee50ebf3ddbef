"""A line chart of percentages by month, drawn on the server as SVG: it works offline and with
no JavaScript. The page's table holds the same figures and is the accessible alternative, so
the drawing is hidden from assistive technology.

This module only places things (coordinates and labels); the template draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 640
HEIGHT = 240
LEFT = 40  # room for the percentage labels
RIGHT = 30  # room for the last month's label
TOP = 10
BOTTOM = 30  # room for the month labels
GRIDLINES = (0, 25, 50, 75, 100)
# Distinct in hue and lightness; the legend also names each line, and the table has the figures.
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


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    # The SVG polyline's points: a month with no one in post is left out of the line.
    points: str
    dots: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    left: int
    right: float
    top: int
    bottom: float


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span * index / (count - 1) if count > 1 else span / 2), 1)


def _y(percent: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (100 - percent) / 100, 1)


def percent_chart(
    months: Sequence[date], series: Sequence[tuple[str, Sequence[int | None]]]
) -> LineChart:
    """One line per (label, a percentage or None per month); None leaves a month out."""
    lines = []
    for number, (label, values) in enumerate(series):
        dots = tuple(
            (_x(i, len(months)), _y(value)) for i, value in enumerate(values) if value is not None
        )
        lines.append(
            Line(
                label=label,
                colour=COLOURS[number % len(COLOURS)],
                points=" ".join(f"{x},{y}" for x, y in dots),
                dots=dots,
            )
        )
    # Every month labelled when there is room; otherwise every other one, the latest kept.
    step = 1 if len(months) <= 6 else 2
    x_ticks = tuple(
        Tick(_x(i, len(months)), HEIGHT - BOTTOM + 18, f"{month:%b %y}")
        for i, month in enumerate(months)
        if (len(months) - 1 - i) % step == 0
    )
    y_ticks = tuple(Tick(LEFT - 6, _y(p), f"{p}%") for p in GRIDLINES)
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        lines=tuple(lines),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
    )
