"""The demand page's charts, drawn by the project's chart component with their tables beneath:
requests per week over the period, and a team's history with its forecast and interval band."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from caseload.demand.figures import Requests
from caseload.demand.models import RequestForecast
from caseload.ui.charts import ChartSpec, Series


def _week(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def requests_chart(requests: Requests) -> ChartSpec:
    """Each week's requests as a bar, stacked by route of access."""
    weekly = requests.weekly
    counts = [count for _, count in weekly]
    busiest_week, busiest = max(weekly, key=lambda row: row[1])
    routes = requests.by_route
    summary = (
        f"{sum(counts)} requests in {len(counts)} weeks, {sum(counts) / len(counts):.1f} a week "
        f"on average; the most, {busiest}, in the week starting {_week(busiest_week)}."
    )
    if routes:
        summary += f" The most came by {routes[0].label.lower()} ({routes[0].count})."
    return ChartSpec(
        kind="bar",
        title="Requests per week, by route of access",
        labels=[_week(week) for week, _ in weekly],
        series=[
            Series(name=route.label, values=values) for route, values in requests.weekly_by_route
        ]
        or [Series(name="Requests", values=counts)],
        y_label="Requests",
        stacked=True,
        summary=summary + " The table below has every week.",
    )


def forecast_chart(history: Sequence[tuple[date, int]], forecast: RequestForecast) -> ChartSpec:
    """The year of requests before the forecast, then the forecast with its interval as a band
    (the history's line stops where the forecast's starts)."""
    weeks = forecast.weeks
    gap: list[float | None] = [None] * len(history)
    middles: list[float | None] = [middle for _, middle, _, _ in weeks]
    level = f"{forecast.level_percent}%"
    summary = (
        f"{sum(count for _, count in history)} requests in the {len(history)} weeks to "
        f"{_week(forecast.history_to)}; {forecast.total:.0f} forecast for the next {len(weeks)} "
        f"weeks, between {min(lower for _, _, lower, _ in weeks):.0f} and "
        f"{max(upper for _, _, _, upper in weeks):.0f} a week at the {level} level. "
        "The table below has every week."
    )
    return ChartSpec(
        kind="line",
        title="Requests per week and their forecast",
        labels=[_week(week) for week, _ in history] + [_week(week) for week, *_ in weeks],
        series=[
            Series(name="Requests", values=[count for _, count in history] + [None] * len(weeks)),
            Series(
                name="Forecast",
                values=gap + middles,
                lower=gap + [lower for _, _, lower, _ in weeks],
                upper=gap + [upper for _, _, _, upper in weeks],
                band_name=f"{level} prediction interval",
            ),
        ],
        y_label="Requests",
        summary=summary,
    )
