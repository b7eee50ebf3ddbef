"""The Employer Standards Health Check: the practitioner survey and the published reports.

How the survey stays anonymous and still answered once per person
-------------------------------------------------------------------
A round's answers are kept in two tables that share nothing but the round:

- `Participation`: who has answered the round (the user, the round). One row per person and
  round, unique, so a second answer is refused by the database as well as by the action.
- `Answer`: what was answered, with the team and role group kept for grouping and nothing else
  about the person: no user, no practitioner, no time.

The two rows are written in one transaction, so "has answered" and the answer cannot part, but
nothing ties one to the other: an answer's key is a random UUID (a sequence would line up the
n-th answer with the n-th participation), and it carries no timestamp (which would line up with
the change log's record that the user answered the round). What remains is the team and role
group, which is why the report shows only groups of five or more (caseload_engine.survey).
What this does not hide: someone reading the database's own files or logs (the order rows were
written to disk) could still line them up; the service never shows it.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from caseload.register.models import Team
from caseload_engine.reference import Role

# Plausible answers: a week has 168 hours; no caseload runs to four figures.
WEEKLY_HOURS_MAX = 100
CASES_MAX = 300
LIKERT = (1, 5)


class RoleGroup(models.TextChoices):
    """The groups the survey is reported by: finer ones would be too small to report."""

    SOCIAL_WORKER = "social_worker", "Social workers (including ASYEs)"
    ASSISTANT = "assistant", "Social work assistants"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapists"


ROLE_GROUP_OF: dict[str, RoleGroup] = {
    Role.ASSISTANT: RoleGroup.ASSISTANT,
    Role.ASYE: RoleGroup.SOCIAL_WORKER,
    Role.SOCIAL_WORKER: RoleGroup.SOCIAL_WORKER,
    Role.EXPERIENCED: RoleGroup.SOCIAL_WORKER,
    Role.ADVANCED: RoleGroup.SOCIAL_WORKER,
    Role.OCCUPATIONAL_THERAPIST: RoleGroup.OCCUPATIONAL_THERAPIST,
}


class Likert(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEITHER = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


class SurveyRound(models.Model):
    """A round of the practitioner survey, opened by the principal social worker."""

    period = models.CharField(max_length=40, unique=True, help_text="For example, 2026")
    opens_on = models.DateField()
    closes_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="surveyround_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return f"Workload survey {self.period}"

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


class Participation(models.Model):
    """That a user has answered a round: never which answer is theirs (see the module)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="participation_once_per_round")
        ]

    def __str__(self) -> str:
        return f"Answered round {self.round_id}"


class Answer(models.Model):
    """One practitioner's answers to a round, with no link to who gave them (see the module)."""

    # Random, so that the order of the keys says nothing about the order of answering.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="answers")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    role_group = models.CharField(max_length=32, choices=RoleGroup.choices)
    weekly_hours = models.DecimalField(
        "hours worked in a usual week",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(WEEKLY_HOURS_MAX)],
    )
    caseload = models.PositiveSmallIntegerField(
        "cases held now", validators=[MaxValueValidator(CASES_MAX)]
    )
    new_cases_expected = models.PositiveSmallIntegerField(
        "new cases expected next month", validators=[MaxValueValidator(CASES_MAX)]
    )
    allocated_fairly = models.PositiveSmallIntegerField(choices=Likert.choices)
    can_discuss_workload = models.PositiveSmallIntegerField(choices=Likert.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=0, weekly_hours__lte=WEEKLY_HOURS_MAX),
                name="answer_weekly_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(caseload__lte=CASES_MAX, new_cases_expected__lte=CASES_MAX),
                name="answer_cases_range",
            ),
            models.CheckConstraint(
                condition=Q(allocated_fairly__gte=LIKERT[0], allocated_fairly__lte=LIKERT[1])
                & Q(can_discuss_workload__gte=LIKERT[0], can_discuss_workload__lte=LIKERT[1]),
                name="answer_likert_range",
            ),
            models.CheckConstraint(
                condition=Q(role_group__in=RoleGroup.values), name="answer_role_group_known"
            ),
        ]

    def __str__(self) -> str:
        return f"An answer to round {self.round_id}"


class PublishedReport(models.Model):
    """A Health Check as published: its figures frozen as JSON, so that last year's report
    reads the same later whatever has changed in the register since."""

    as_of = models.DateField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    figures = models.JSONField()

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"Health Check as on {self.as_of:%d %B %Y}"
