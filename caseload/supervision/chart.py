"""The compliance chart: each group's monthly percentage as a line, All first and thickest in
the legend's order, drawn by the project's chart component with the table beneath it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from caseload.supervision.compliance import Trend
from caseload.ui.charts import ChartSpec, Series


def compliance_chart(
    months: Sequence[date], total: Trend, trends: Sequence[Trend], *, by_label: str
) -> ChartSpec:
    """A month with no one in post is a gap in its line."""
    lines = [
        Series(
            name=trend.label,
            values=[figure.percent for figure in trend.months] or [None] * len(months),
        )
        for trend in (total, *trends)
    ]
    return ChartSpec(
        kind="line",
        title=f"Compliance by {by_label.lower()} and month",
        labels=[f"{month:%b %Y}" for month in months],
        series=lines,
        y_label="Compliant (per cent)",
        y_max=100,
        y_suffix="%",
        summary=_summary(months, total, trends),
    )


def _summary(months: Sequence[date], total: Trend, trends: Sequence[Trend]) -> str:
    """The overall figure's first and last months, and the lowest group in the last month."""
    known = [figure for figure in total.months if figure.percent is not None]
    if not known:
        return "No one supervision applies to was in post in these months."
    first, last = known[0], known[-1]
    sentence = f"Overall, {last.percent}% were compliant in {last.month:%B %Y}"
    if first is not last:
        sentence += f", against {first.percent}% in {first.month:%B %Y}"
    sentence += "."
    latest = [
        (trend.months[-1].percent, trend.label)
        for trend in trends
        if trend.months and trend.months[-1].percent is not None
    ]
    if len(latest) > 1:
        percent, label = min(latest)
        sentence += f" Lowest in {months[-1]:%B %Y}: {label}, {percent}%."
    return sentence + " The table below has every figure."
