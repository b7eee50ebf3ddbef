"""Workload for the demo council: each team's safe working level as agreed some months ago,
extra hours in the last four weeks, and two workload concerns from the most loaded
practitioners (one answered, one left unanswered and escalated by the daily run), so that every
workload page has something true-looking to show."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from caseload.accounts.models import AccessRole, User
from caseload.register.models import Team
from caseload.workload import actions
from caseload.workload.figures import practitioner_loads
from caseload.workload.models import ConcernSource, ExtraHours, SafeWorkingLevel, WorkloadConcern
from caseload_engine.dates import add_working_days

_AGREED_WITH = "Team meeting, {n} practitioners present; reviewed with the practice forum"


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def load_demo_workload(*, as_of: date, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    teams = list(Team.objects.order_by("pk"))
    managers = {
        user.practitioner.team_id: user
        for user in User.objects.filter(
            access_role=AccessRole.TEAM_MANAGER, practitioner__team__isnull=False
        ).select_related("practitioner")
    }
    loads = practitioner_loads(teams=teams, on=as_of)
    held_in = {team.pk: sum(load.team_id == team.pk for load in loads) for team in teams}
    SafeWorkingLevel.objects.bulk_create(
        SafeWorkingLevel(
            team=team,
            # Most teams flag at capacity; a few agreed a lower red level.
            amber_percent=80 if index % 4 == 3 else 85,
            red_percent=95 if index % 4 == 3 else 100,
            agreed_on=as_of - timedelta(days=rng.randint(30, 200)),
            agreed_with=_AGREED_WITH.format(n=held_in[team.pk]),
            recorded_by=managers.get(team.pk),
            recorded_at=_moment(as_of - timedelta(days=20)),
        )
        for index, team in enumerate(teams)
    )
    ExtraHours.objects.bulk_create(
        ExtraHours(
            practitioner_id=load.practitioner_id,
            worked_on=as_of - timedelta(days=rng.randint(0, 27)),
            hours=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
            note=rng.choice(["", "Finishing an assessment", "Late visit", "Court report"]),
        )
        for load in loads
        if load.percent is not None and load.percent > 85
        for _ in range(rng.randint(1, 3))
    )
    loaded = sorted(
        (load for load in loads if load.team_id in managers),
        key=lambda load: load.percent if load.percent is not None else 0,
        reverse=True,
    )
    # The most loaded raised one three days ago, answered; the next twelve days ago, not.
    for load, (days_ago, answered) in zip(loaded, ((3, True), (12, False)), strict=False):
        raised_on = as_of - timedelta(days=days_ago)
        concern = WorkloadConcern.objects.create(
            practitioner_id=load.practitioner_id,
            team_id=load.team_id,
            source=ConcernSource.PRACTITIONER,
            concern=(
                "Synthetic: three new cases this month, two of them Tier 3, and the duty rota "
                "leaves no time for the visits they need."
            ),
            raised_at=_moment(raised_on),
            answer_due_on=add_working_days(raised_on, actions.ANSWER_WORKING_DAYS),
        )
        if answered:
            concern.response = "Synthetic: two cases move to a colleague from Monday."
            concern.answered_by = managers[load.team_id]
            concern.answered_at = _moment(raised_on + timedelta(days=1))
            concern.save(update_fields=["response", "answered_by", "answered_at"])
    actions.escalate_unanswered(on=as_of)
