"""Workload (Employer Standard 3): each team's safe working level as agreed with its
practitioners, extra hours worked, workload concerns and the daily utilisation snapshot that
says how long someone has been over the red threshold."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from caseload.register.models import Practitioner, Team

# Bounds of a threshold, as a percentage of capacity in points.
LEVEL_RANGE = (1, 200)
EXTRA_HOURS_RANGE = (Decimal("0.25"), Decimal("24"))
NOTE_LENGTH = 500
CONCERN_LENGTH = 4000


@dataclass(frozen=True)
class Level:
    """The thresholds in force for a team: amber from `amber` up to `red`, red above `red`."""

    amber: int
    red: int


# A team with no agreed level yet (one created after the levels were carried over): flagged
# at capacity, with a warning before it.
DEFAULT_LEVEL = Level(amber=85, red=100)


class SafeWorkingLevel(models.Model):
    """One agreement of a team's thresholds; the latest recorded is in force, the rest are its
    history. The single source of a team's safe level (Team.safe_utilisation_percent, the
    one number before, became the red threshold of each team's first row)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="safe_working_levels")
    amber_percent = models.PositiveSmallIntegerField("amber from (% of capacity)")
    red_percent = models.PositiveSmallIntegerField("red above (% of capacity)")
    agreed_on = models.DateField()
    # Who among the practitioners agreed them: names, a meeting ("team meeting, all present").
    agreed_with = models.CharField(max_length=NOTE_LENGTH)
    # Null only for the levels carried over from the single safe level, which nobody recorded.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["team", "-recorded_at"], name="safelevel_team_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amber_percent__gte=LEVEL_RANGE[0], red_percent__lte=LEVEL_RANGE[1])
                & Q(amber_percent__lt=F("red_percent")),
                name="safelevel_amber_below_red",
            ),
            models.CheckConstraint(condition=~Q(agreed_with=""), name="safelevel_agreed_with"),
        ]

    def __str__(self) -> str:
        return f"{self.amber_percent}%/{self.red_percent}% for team {self.team_id}"

    @property
    def level(self) -> Level:
        return Level(amber=self.amber_percent, red=self.red_percent)


class ExtraHours(models.Model):
    """Hours a practitioner worked beyond their contract on a day, in their own words."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="extra_hours"
    )
    worked_on = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    note = models.CharField(max_length=NOTE_LENGTH, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-worked_on", "-id"]
        verbose_name_plural = "extra hours"
        indexes = [models.Index(fields=["practitioner", "worked_on"], name="extrahours_prac_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=EXTRA_HOURS_RANGE[0], hours__lte=EXTRA_HOURS_RANGE[1]),
                name="extrahours_hours_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hours} hours on {self.worked_on} by practitioner {self.practitioner_id}"


class ConcernSource(models.TextChoices):
    PRACTITIONER = "practitioner", "Raised by the practitioner"
    OVER_RED = "over_red", "Over the red threshold for two weeks"


class WorkloadConcern(models.Model):
    """A practitioner's workload said to be unsafe, by them or by two weeks over the red
    threshold. Their manager answers it on the record; unanswered, it goes to the PSW."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="workload_concerns"
    )
    # The team when raised: whose manager answers it, even if the practitioner moves on.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="workload_concerns")
    source = models.CharField(max_length=16, choices=ConcernSource.choices)
    concern = models.TextField(max_length=CONCERN_LENGTH)
    raised_at = models.DateTimeField(default=timezone.now)
    # The working day after which, unanswered, it escalates.
    answer_due_on = models.DateField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(max_length=CONCERN_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(
                fields=["answer_due_on"],
                condition=Q(answered_at__isnull=True, escalated_at__isnull=True),
                name="concern_due_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=ConcernSource.values), name="concern_source_known"
            ),
            models.CheckConstraint(condition=~Q(concern=""), name="concern_not_blank"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answered_by__isnull=True, response="")
                | (Q(answered_at__isnull=False, answered_by__isnull=False) & ~Q(response="")),
                name="concern_answer_whole",
            ),
            # The daily run raises one two-weeks-over-red concern at a time per practitioner.
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(source=ConcernSource.OVER_RED, answered_at__isnull=True),
                name="concern_one_open_over_red",
            ),
        ]

    def __str__(self) -> str:
        return f"Workload concern {self.pk} of practitioner {self.practitioner_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None


class UtilisationSnapshot(models.Model):
    """A practitioner's load as the daily run found it, with the team's thresholds then: what
    "over the red threshold for two weeks" is read from."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="utilisation_snapshots"
    )
    on = models.DateField()
    points = models.DecimalField(max_digits=8, decimal_places=2)
    capacity = models.DecimalField(max_digits=8, decimal_places=2)
    amber_percent = models.PositiveSmallIntegerField()
    red_percent = models.PositiveSmallIntegerField()
    over_red = models.BooleanField()

    class Meta:
        ordering = ["-on"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "on"], name="snapshot_once_a_day")
        ]

    def __str__(self) -> str:
        return f"Load of practitioner {self.practitioner_id} on {self.on}"
