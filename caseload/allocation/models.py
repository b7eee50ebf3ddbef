"""Proposals the engine made for an allocation meeting, and what the manager decided."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caseload_engine import reference


class AllocationProposal(models.Model):
    """The engine's proposal, kept as it was shown, so a decision can be read against it."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Allocation meeting"
        WHAT_IF = "what_if", "What if a practitioner is away"

    team = models.ForeignKey("register.Team", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What if: whose cases are redistributed, from when, why, and until when (the last day
    # away; blank if not known). Deciding it records the absence.
    away_practitioner = models.ForeignKey(
        "register.Practitioner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    away_from = models.DateField(null=True, blank=True)
    away_reason = models.CharField(
        max_length=32, choices=reference.ABSENCE_REASON_CHOICES, blank=True
    )
    away_until = models.DateField(null=True, blank=True)
    model_version = models.ForeignKey(
        "complexity.ModelVersion", on_delete=models.PROTECT, related_name="+"
    )
    # The engine's inputs and result, for the record: case and practitioner ids, tiers,
    # points and reasons; no names of the people supported.
    inputs = models.JSONField()
    result = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind="meeting",
                    away_practitioner__isnull=True,
                    away_from__isnull=True,
                    away_reason="",
                    away_until__isnull=True,
                )
                | (
                    models.Q(
                        kind="what_if", away_practitioner__isnull=False, away_from__isnull=False
                    )
                    & ~models.Q(away_reason="")
                ),
                name="proposal_what_if_names_who_from_when_and_why",
            ),
            models.CheckConstraint(
                condition=models.Q(away_until__isnull=True)
                | models.Q(away_until__gte=models.F("away_from")),
                name="proposal_away_until_not_before_away_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} proposal {self.pk} for team {self.team_id}"


class AllocationDecision(models.Model):
    """What the manager accepted, changed (with reasons) or left, in the transaction that
    wrote the allocations."""

    proposal = models.OneToOneField(
        AllocationProposal, on_delete=models.PROTECT, related_name="decision"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    # One entry per case: proposed and chosen practitioner ids, whether accepted, the reason.
    decisions = models.JSONField()

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"Decision on proposal {self.proposal_id}"


class Handover(models.Model):
    """A case to pass from one practitioner to another on a date: an accepted what-if for a
    practitioner away from a future date. Carried out on the day (`carry_out_handovers`, run
    daily), or earlier by the manager; cancelled by the manager; lapsed if the case was closed
    or reallocated meanwhile."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        CARRIED_OUT = "carried_out", "Carried out"
        CANCELLED = "cancelled", "Cancelled"
        LAPSED = "lapsed", "Lapsed"

    decision = models.ForeignKey(
        AllocationDecision, on_delete=models.PROTECT, related_name="handovers"
    )
    case = models.ForeignKey("register.Case", on_delete=models.PROTECT, related_name="handovers")
    from_practitioner = models.ForeignKey(
        "register.Practitioner", on_delete=models.PROTECT, related_name="handovers_out"
    )
    to_practitioner = models.ForeignKey(
        "register.Practitioner", on_delete=models.PROTECT, related_name="handovers_in"
    )
    due_on = models.DateField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PLANNED)
    # When and by whom it left the plan; nobody for the daily run.
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["planned", "carried_out", "cancelled", "lapsed"]),
                name="handover_state_known",
            ),
            models.CheckConstraint(
                condition=models.Q(state="planned", settled_at__isnull=True)
                | (~models.Q(state="planned") & models.Q(settled_at__isnull=False)),
                name="handover_settled_unless_planned",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_practitioner=models.F("to_practitioner")),
                name="handover_to_someone_else",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="planned"),
                name="handover_one_planned_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"Handover of case {self.case_id} on {self.due_on}"
