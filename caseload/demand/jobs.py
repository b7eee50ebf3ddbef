"""The forecast of requests: per team, and per tier where the history allows, made by a
background job (statsmodels takes seconds a series) and stored for the page to draw.

It runs with `caseload daily` but makes each team's forecast once a week: once the last whole
week's forecast is stored, the day's run has nothing to do. The principal social worker can run
it again at once (after correcting the records, say); a run for the same weeks replaces what it
made before, so running twice leaves the same forecasts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DateField
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.demand.figures import local_midnight, tier_of, week_start
from caseload.demand.models import RequestForecast
from caseload.jobs.actions import start_job
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.register.models import SupportRequest, Team
from caseload.web.errors import ActionRefused
from caseload_engine import forecast

KIND = "demand_forecast"
HORIZON = 12
LEVEL = 0.8

# Requests per week: (team, tier or None for every tier) -> Monday -> count.
Counts = dict[tuple[int, int | None], dict[date, int]]


def start_forecasts(*, by: User) -> Job:
    """Queue a run now, replacing this week's forecasts; only for those who may ask."""
    if not has_permission(by, Permission.RUN_FORECASTS):
        raise ActionRefused("Your role cannot run the forecasts")
    return start_job(
        by=by,
        kind=KIND,
        title="Forecast requests for every team",
        parameters={"on": timezone.localdate().isoformat(), "refresh": True},
        origin_url=reverse("demand"),
    )


def weekly_counts(*, before: date) -> Counts:
    """Every team's requests per week before `before` (a Monday), in total and by the current
    tier of each request's case. Two queries."""
    received = SupportRequest.objects.filter(received_at__lt=local_midnight(before)).annotate(
        week=TruncWeek("received_at", output_field=DateField())
    )
    counts: Counts = defaultdict(dict)
    for team, week, n in (
        received.values("case__team", "week")
        .annotate(n=Count("pk"))
        .values_list("case__team", "week", "n")
    ):
        counts[(team, None)][week] = n
    for team, tier, week, n in (
        received.annotate(tier=tier_of("case"))
        .filter(tier__isnull=False)
        .values("case__team", "tier", "week")
        .annotate(n=Count("pk"))
        .values_list("case__team", "tier", "week", "n")
    ):
        counts[(team, tier)][week] = n
    return counts


def _forecast(by_week: dict[date, int], *, first: date, last: date) -> dict[str, object]:
    """The stored fields of one forecast, or of the refusal to make one."""
    series = forecast.weekly_series(by_week, first=first, last=last)
    try:
        made = forecast.forecast_weekly(series, horizon=HORIZON, level=LEVEL)
    except forecast.ForecastRefused as refusal:
        return {"history_weeks": len(series.weeks), "refused": str(refusal)[:300]}
    return {
        "history_weeks": len(series.weeks),
        "method": made.method,
        "level": Decimal(str(made.level)),
        "mase": made.mase,
        "naive_mase": made.naive_mase,
        "points": [
            {"week": week.isoformat(), "forecast": middle, "lower": lower, "upper": upper}
            for week, middle, lower, upper in zip(
                made.weeks, made.forecast, made.lower, made.upper, strict=True
            )
        ],
    }


@transaction.atomic
def _store(team: Team, tier: int | None, *, history_to: date, fields: dict[str, object]) -> None:
    RequestForecast.objects.update_or_create(
        team=team,
        tier=tier,
        history_to=history_to,
        defaults={
            "made_at": timezone.now(),
            "method": "",
            "mase": None,
            "naive_mase": None,
            "points": [],
            "refused": "",
            **fields,
        },
    )


def make_forecasts(*, on: date, refresh: bool, progress: ReportProgress | None = None) -> int:
    """Forecast every team (and its tiers) from the whole weeks before `on`'s week; a team
    already forecast from those weeks is left as it is unless `refresh`. How many teams were
    forecast."""
    history_to = week_start(on) - timedelta(weeks=1)
    done = set(
        RequestForecast.objects.filter(history_to=history_to, tier__isnull=True).values_list(
            "team_id", flat=True
        )
    )
    teams = [team for team in Team.objects.order_by("name") if refresh or team.pk not in done]
    if not teams:
        return 0
    counts = weekly_counts(before=week_start(on))
    for number, team in enumerate(teams, 1):
        total = counts.get((team.pk, None), {})
        if not total:
            _store(
                team,
                None,
                history_to=history_to,
                fields={"history_weeks": 0, "refused": "No requests have been recorded yet."},
            )
            continue
        # A tier's series starts with the team's: a week with none of that tier counts as 0.
        first = min(total)
        for (team_id, tier), by_week in counts.items():
            if team_id == team.pk:
                fields = _forecast(by_week, first=first, last=history_to)
                _store(team, tier, history_to=history_to, fields=fields)
        if progress is not None:
            progress(number * 100 // len(teams), f"{number} of {len(teams)} teams")
    return len(teams)


@job_kind(KIND, label="Forecast requests", daily=True)
def run_forecasts(job: Job, progress: ReportProgress) -> Outcome:
    made = make_forecasts(
        on=date.fromisoformat(job.parameters["on"]),
        refresh=bool(job.parameters.get("refresh")),
        progress=progress,
    )
    return Outcome(
        summary=(
            f"Forecast requests for {made} team{'' if made == 1 else 's'}."
            if made
            else "This week's forecasts were already made."
        ),
        url=reverse("demand"),
        label="See demand",
    )
