"""Changes to the Health Check: a survey round opened, a survey answered, a report published.

As with the other apps' actions: atomic, keyword-only, the acting user, and a ChangeEvent in
the same transaction. An answer's change event names the round and the user, never the answer
(caseload.healthcheck.models explains why nothing ties one to the other).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.healthcheck import figures
from caseload.healthcheck.models import (
    ROLE_GROUP_OF,
    Answer,
    Participation,
    PublishedReport,
    SurveyRound,
)
from caseload.register.models import Practitioner
from caseload.ui.report import long_date
from caseload.web.errors import ActionRefused


@transaction.atomic
def open_round(*, by: User, period: str, opens_on: date, closes_on: date) -> SurveyRound:
    """Open a round of the survey. Rounds never overlap, so a practitioner has one to answer."""
    if not has_permission(by, Permission.MANAGE_HEALTH_CHECK):
        raise ActionRefused("Your role cannot open a survey round")
    period = period.strip()
    if not period:
        raise ActionRefused("Enter the period the round is for", field="period")
    if closes_on < opens_on:
        raise ActionRefused("The round must close on or after the day it opens", field="closes_on")
    # Lock the rounds so that two rounds opened at once cannot overlap.
    rounds = list(SurveyRound.objects.select_for_update().order_by("pk"))
    if any(r.period.casefold() == period.casefold() for r in rounds):
        raise ActionRefused("There is a round for this period already", field="period")
    overlapping = next(
        (r for r in rounds if r.opens_on <= closes_on and opens_on <= r.closes_on), None
    )
    if overlapping is not None:
        raise ActionRefused(
            f"The round for {overlapping.period} runs from {long_date(overlapping.opens_on)} to "
            f"{long_date(overlapping.closes_on)}: rounds cannot overlap",
            field="opens_on",
        )
    created = SurveyRound.objects.create(
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        opened_by=by,
        opened_at=timezone.now(),
    )
    record_change(
        by=by,
        action=ChangeAction.SURVEY_ROUND_OPENED,
        changes={
            "survey_round": (None, created.pk),
            "opens_on": (None, opens_on.isoformat()),
            "closes_on": (None, closes_on.isoformat()),
        },
    )
    return created


def open_round_on(day: date) -> SurveyRound | None:
    """The round open on `day`, if any (rounds do not overlap)."""
    return SurveyRound.objects.filter(opens_on__lte=day, closes_on__gte=day).first()


def has_answered(user: User, survey_round: SurveyRound) -> bool:
    return Participation.objects.filter(round=survey_round, user=user).exists()


@dataclass(frozen=True)
class SurveyAnswers:
    weekly_hours: Decimal
    caseload: int
    new_cases_expected: int
    allocated_fairly: int
    can_discuss_workload: int


def respondent(user: User, *, on: date) -> Practitioner | None:
    """The user's practitioner record, if they are a case holder in a team and in post on `on`:
    the people the survey asks."""
    practitioner = Practitioner.objects.filter(user=user).first()
    if (
        practitioner is None
        or practitioner.team_id is None
        or practitioner.role not in ROLE_GROUP_OF
        or practitioner.start_date > on
        or (practitioner.left_on is not None and practitioner.left_on <= on)
    ):
        return None
    return practitioner


@transaction.atomic
def answer_survey(*, by: User, survey_round: SurveyRound, answers: SurveyAnswers) -> Participation:
    """Record a practitioner's answers, once per round: the participation and the answer are
    written together, and share nothing but the round. Returns the participation (that they
    answered), never the answer."""
    if not has_permission(by, Permission.ANSWER_WORKLOAD_SURVEY):
        raise ActionRefused("Your role does not answer the workload survey")
    today = timezone.localdate()
    if not survey_round.is_open_on(today):
        raise ActionRefused("This survey round is not open")
    practitioner = respondent(by, on=today)
    if practitioner is None or practitioner.team_id is None:
        raise ActionRefused("The survey is for practitioners who hold cases in a team")
    try:
        # A savepoint, so that a second answer's refusal leaves the transaction usable.
        with transaction.atomic():
            participation = Participation.objects.create(round=survey_round, user=by)
    except IntegrityError:
        raise ActionRefused("You have answered this round already") from None
    Answer.objects.create(
        round=survey_round,
        team_id=practitioner.team_id,
        role_group=ROLE_GROUP_OF[practitioner.role],
        weekly_hours=answers.weekly_hours,
        caseload=answers.caseload,
        new_cases_expected=answers.new_cases_expected,
        allocated_fairly=answers.allocated_fairly,
        can_discuss_workload=answers.can_discuss_workload,
    )
    record_change(
        by=by,
        action=ChangeAction.SURVEY_ANSWERED,
        changes={"survey_round": (None, survey_round.pk)},
    )
    return participation


@transaction.atomic
def publish_report(*, by: User) -> PublishedReport:
    """Publish the Health Check as it stands today: its figures frozen as they are built."""
    if not has_permission(by, Permission.MANAGE_HEALTH_CHECK):
        raise ActionRefused("Your role cannot publish the Health Check")
    today = timezone.localdate()
    report = PublishedReport.objects.create(
        as_of=today,
        published_at=timezone.now(),
        published_by=by,
        figures=figures.build(on=today),
    )
    record_change(
        by=by,
        action=ChangeAction.HEALTH_CHECK_PUBLISHED,
        changes={"health_check": (None, report.pk), "as_of": (None, today.isoformat())},
    )
    return report
