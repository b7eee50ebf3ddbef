"""Demand's records: the forecasts of requests the background job makes, and each team's
contingency plan for when demand exceeds capacity."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.register.models import Team
from caseload_engine import forecast

CONTINGENCY_PLAN_MAX_LENGTH = 2000


class RequestForecast(models.Model):
    """The forecast of a team's weekly requests (of one tier, or all), made from the weeks up
    to `history_to`. A run for the same weeks replaces it, so running again changes nothing.
    Too short a history gives a row too: `refused` says why there is no forecast."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="request_forecasts")
    # None: every tier, and cases not yet scored.
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    # The Monday of the last whole week in the history.
    history_to = models.DateField()
    history_weeks = models.PositiveIntegerField()
    made_at = models.DateTimeField()
    # The engine's key for the method chosen (forecast.METHOD_NAMES).
    method = models.CharField(max_length=32, blank=True)
    level = models.DecimalField(max_digits=3, decimal_places=2, default=0.8)
    # Mean absolute scaled error over the weeks held out, of the method and of the
    # seasonal-naive forecast (same week last year): the page compares the two.
    mase = models.FloatField(null=True, blank=True)
    naive_mase = models.FloatField(null=True, blank=True)
    # [{"week": "2026-12-07", "forecast": 41.2, "lower": 30.0, "upper": 52.9}, ...]
    points = models.JSONField(default=list, blank=True)
    refused = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["team", "tier", "-history_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "history_to"],
                condition=Q(tier__isnull=True),
                name="requestforecast_one_per_team_week",
            ),
            models.UniqueConstraint(
                fields=["team", "tier", "history_to"],
                condition=Q(tier__isnull=False),
                name="requestforecast_one_per_team_tier_week",
            ),
            # Either a forecast (a method) or the reason there is none.
            models.CheckConstraint(
                condition=(~Q(method="") & Q(refused="")) | (Q(method="") & ~Q(refused="")),
                name="requestforecast_method_or_refusal",
            ),
            models.CheckConstraint(
                condition=Q(level__gt=0) & Q(level__lt=1), name="requestforecast_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Forecast for team {self.team_id} to {self.history_to}"

    @property
    def method_name(self) -> str:
        return forecast.METHOD_NAMES.get(self.method, self.method)

    @property
    def level_percent(self) -> int:
        return round(self.level * 100)

    @property
    def weeks(self) -> list[tuple[date, float, float, float]]:
        """Each forecast week's Monday, forecast, and interval's lower and upper bounds."""
        return [
            (
                date.fromisoformat(point["week"]),
                float(point["forecast"]),
                float(point["lower"]),
                float(point["upper"]),
            )
            for point in self.points
        ]

    @property
    def total(self) -> float:
        return sum(float(point["forecast"]) for point in self.points)

    @property
    def backtest(self) -> str:
        """Whether to trust it, in a sentence: its backtest error against seasonal naive."""
        if self.refused:
            return f"There is no forecast: {self.refused}"
        held_out = f"over the last {forecast.BACKTEST_WEEKS} weeks held out"
        if self.mase is None or self.naive_mase is None:
            return (
                "Its error could not be measured: the requests did not change from one year "
                "to the next, so there is nothing to compare against."
            )
        if self.method == forecast.SEASONAL_NAIVE:
            return (
                "This forecast is 'same week last year': exponential smoothing did no better "
                f"{held_out} (scaled error {self.naive_mase:.2f})."
            )
        if self.naive_mase == 0:
            return f"'Same week last year' made no error {held_out}: trust this no further."
        change = (self.naive_mase - self.mase) * 100 / self.naive_mase
        return (
            f"This forecast was {abs(change):.0f}% {'better' if change >= 0 else 'worse'} than "
            f"'same week last year' {held_out} (scaled error {self.mase:.2f} against "
            f"{self.naive_mase:.2f})."
        )


class ContingencyPlan(models.Model):
    """One version of a team's contingency plan: a new version is a new row, never an edit,
    so the page can say who wrote what is in force and when."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="contingency_plans")
    version = models.PositiveIntegerField()
    text = models.TextField(max_length=CONTINGENCY_PLAN_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["team", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "version"], name="contingencyplan_one_per_team_version"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="contingencyplan_version"),
            models.CheckConstraint(condition=~Q(text=""), name="contingencyplan_has_text"),
        ]

    def __str__(self) -> str:
        return f"Contingency plan {self.version} of team {self.team_id}"
