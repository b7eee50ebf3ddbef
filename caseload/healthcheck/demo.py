"""The demo council's practitioner survey: this year's round, closed a fortnight ago, answered
by most of the practitioners who hold cases, so that the demo's Health Check shows survey
results as a council would see them."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from caseload.accounts.models import AccessRole, User
from caseload.healthcheck.models import ROLE_GROUP_OF, Answer, Participation, SurveyRound
from caseload.register.models import OPEN_STATUSES, Practitioner

ANSWERED_SHARE = 0.8
# How the answers to each statement fall (strongly disagree .. strongly agree), by weight.
FAIRLY_WEIGHTS = (5, 15, 25, 40, 15)
DISCUSS_WEIGHTS = (3, 10, 20, 45, 22)
LIKERT = (1, 2, 3, 4, 5)


def load_demo_survey(*, as_of: date, seed: int) -> int:
    """Writes the round, its participations and answers; returns the number of answers."""
    psw = User.objects.filter(access_role=AccessRole.PRINCIPAL_SOCIAL_WORKER).order_by("pk").first()
    if psw is None:
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    survey_round = SurveyRound.objects.create(
        period=str(as_of.year),
        opens_on=as_of - timedelta(days=42),
        closes_on=as_of - timedelta(days=14),
        opened_by=psw,
        opened_at=timezone.now() - timedelta(days=42),
    )
    held = Count(
        "allocations",
        filter=Q(allocations__ended_at__isnull=True, allocations__case__status__in=OPEN_STATUSES),
    )
    rows = (
        Practitioner.objects.filter(
            user__isnull=False, team__isnull=False, role__in=list(ROLE_GROUP_OF), left_on=None
        )
        .annotate(held=held)
        .order_by("pk")
        .values_list("user_id", "team_id", "role", "fte", "held")
    )
    respondents = [row for row in rows if rng.random() < ANSWERED_SHARE]
    Participation.objects.bulk_create(
        Participation(round=survey_round, user_id=user_id) for user_id, *_ in respondents
    )
    # Shuffled, so that not even the order of writing follows the participations.
    rng.shuffle(respondents)
    answers = [
        Answer(
            round=survey_round,
            team_id=team_id,
            role_group=ROLE_GROUP_OF[role],
            weekly_hours=(fte * 37 + Decimal(rng.randint(0, 16)) / 2).quantize(Decimal("0.1")),
            caseload=max(cases + rng.randint(-2, 2), 0),
            new_cases_expected=rng.randint(1, 6),
            allocated_fairly=rng.choices(LIKERT, FAIRLY_WEIGHTS)[0],
            can_discuss_workload=rng.choices(LIKERT, DISCUSS_WEIGHTS)[0],
        )
        for _, team_id, role, fte, cases in respondents
    ]
    Answer.objects.bulk_create(answers)
    return len(answers)
