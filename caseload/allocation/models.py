"""Proposals the engine made for an allocation meeting, and what the manager decided."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
    # What if: whose cases are redistributed, and from when they are away.
    away_practitioner = models.ForeignKey(
        "register.Practitioner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    away_from = models.DateField(null=True, blank=True)
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
                condition=models.Q(kind="meeting", away_practitioner__isnull=True)
                | models.Q(kind="what_if", away_practitioner__isnull=False),
                name="proposal_what_if_names_the_practitioner",
            )
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
