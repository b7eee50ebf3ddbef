"""The ASYE programme of a newly qualified social worker, and its progression reviews as held.

The schedule (what is due when, what is overdue) is the engine's (caseload_engine.asye), worked
out from the start date and the reviews held: a review is a row only once it has been held.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from caseload.register.models import Practitioner
from caseload_engine import asye
from caseload_engine.reference import Choices

PROGRESS_OUTCOMES = [code for code, _ in asye.PROGRESS_OUTCOME_CHOICES]
FINAL_OUTCOMES = [code for code, _ in asye.FINAL_OUTCOME_CHOICES]
EXTENSION_OUTCOMES = [code for code, _ in asye.EXTENSION_OUTCOME_CHOICES]
ASSESSMENTS = [asye.FINAL_REVIEW, asye.EXTENSION_REVIEW]
ENDING_OUTCOMES = sorted(asye.ENDING_OUTCOMES)


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", "In progress"
    COMPLETED = "completed", "Completed"


class Programme(models.Model):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="asye_programmes"
    )
    starts_on = models.DateField()
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="asye_assessed"
    )
    status = models.CharField(
        max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ACTIVE
    )
    ended_on = models.DateField(null=True, blank=True)
    # The final assessment's outcome, once the programme has ended.
    outcome = models.CharField(max_length=16, choices=asye.FINAL_OUTCOME_CHOICES, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(status=ProgrammeStatus.ACTIVE),
                name="asye_one_active_programme_per_practitioner",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgrammeStatus.values), name="asye_programme_status_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ProgrammeStatus.ACTIVE, ended_on__isnull=True, outcome="")
                    | Q(
                        status=ProgrammeStatus.COMPLETED,
                        ended_on__isnull=False,
                        ended_on__gte=F("starts_on"),
                        outcome__in=ENDING_OUTCOMES,
                    )
                ),
                name="asye_programme_ended_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"ASYE programme of practitioner {self.practitioner_id} from {self.starts_on}"

    @property
    def is_active(self) -> bool:
        return self.status == ProgrammeStatus.ACTIVE

    def schedule(self, today: date) -> list[asye.ScheduledReview]:
        """The reviews as they stand on `today`; the programme's reviews should be prefetched."""
        reviews = self.reviews.all()
        held = {review.months: review.held_on for review in reviews}
        extended = any(
            r.months == asye.FINAL_REVIEW and r.outcome == asye.EXTENDED for r in reviews
        )
        return asye.schedule(self.starts_on, held, today, extended=extended)


class Review(models.Model):
    """A progression review as held and recorded: all of it at once, never edited after."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reviews")
    months = models.PositiveSmallIntegerField(choices=[(m, str(m)) for m in asye.ALL_REVIEW_MONTHS])
    due_on = models.DateField()
    held_on = models.DateField()
    outcome = models.CharField(max_length=16)
    # {PCF domain code: the evidence seen}, every domain; the same for the KSS statements.
    pcf_evidence = models.JSONField()
    kss_evidence = models.JSONField()
    assessor_comments = models.TextField()
    asye_comments = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["months"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "months"], name="asye_one_review_each"),
            models.CheckConstraint(
                condition=Q(months__in=asye.ALL_REVIEW_MONTHS), name="asye_review_months_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(months=asye.FINAL_REVIEW, outcome__in=FINAL_OUTCOMES)
                    | Q(months=asye.EXTENSION_REVIEW, outcome__in=EXTENSION_OUTCOMES)
                    | (~Q(months__in=ASSESSMENTS) & Q(outcome__in=PROGRESS_OUTCOMES))
                ),
                name="asye_review_outcome_fits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.months}-month ASYE review of programme {self.programme_id}"

    @property
    def name(self) -> str:
        return asye.review_name(self.months)

    @property
    def outcome_label(self) -> str:
        return dict(asye.outcome_choices(self.months)).get(self.outcome, self.outcome)

    def evidence(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Each framework's headings with the evidence recorded against them, in order."""
        return [
            ("Professional Capabilities Framework", _against(asye.PCF_DOMAINS, self.pcf_evidence)),
            ("Knowledge and Skills Statement", _against(asye.KSS_ADULTS, self.kss_evidence)),
        ]


def _against(headings: Choices, evidence: object) -> list[tuple[str, str]]:
    """The headings the review was recorded against, in order: one recorded before a heading
    was listed (KSS section 11, added in 2026) shows none for it, as it was signed off."""
    given = evidence if isinstance(evidence, dict) else {}
    return [(label, str(given[code])) for code, label in headings if code in given]
