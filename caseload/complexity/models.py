"""The council's complexity model, versioned, and the assessments scored against it."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from caseload.audit.versions import PublishedVersion
from caseload_engine import complexity


@lru_cache(maxsize=32)
def _parse(definition: str) -> complexity.ComplexityModel:
    return complexity.loads(definition)


class ModelVersion(PublishedVersion):
    """One version of the complexity model: every assessment can be explained against the
    model it was scored under."""

    name = models.CharField(max_length=120)
    definition = models.TextField(help_text="The model in YAML")

    def __str__(self) -> str:
        return f"{self.name}, version {self.number}"

    @property
    def model(self) -> complexity.ComplexityModel:
        return _parse(self.definition)

    @classmethod
    def shipped_defaults(cls) -> dict[str, Any]:
        text = complexity.default_model_text()
        return {
            "name": _parse(text).name,
            "definition": text,
            "change_note": "The default model shipped with caseload",
        }


class Assessment(models.Model):
    """A case scored on the model's factors, with the tier it places the case in and, where a
    manager used professional judgement, the tier they set instead. Both stay visible."""

    case = models.ForeignKey("register.Case", on_delete=models.PROTECT, related_name="assessments")
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    scores = models.JSONField(help_text="Factor key to score, 1-3")
    rationales = models.JSONField(default=dict, help_text="Factor key to the scorer's reason")
    reserved_functions = models.JSONField(default=list, blank=True)
    total = models.PositiveSmallIntegerField()
    tier = models.PositiveSmallIntegerField(help_text="The tier the total places the case in")
    override_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    effective_tier = models.GeneratedField(
        expression=Coalesce("override_tier", "tier"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    points = models.PositiveSmallIntegerField(help_text="Workload points of the effective tier")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [
            models.Index(
                fields=["case"], condition=Q(is_current=True), name="assessment_current_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_current=True), name="assessment_one_current"
            ),
            # An override always carries its reason, who made it and when; no override, none.
            models.CheckConstraint(
                condition=(
                    Q(override_tier__isnull=True)
                    & Q(override_reason="")
                    & Q(overridden_by__isnull=True)
                    & Q(overridden_at__isnull=True)
                )
                | (
                    Q(override_tier__isnull=False)
                    & ~Q(override_reason="")
                    & Q(overridden_by__isnull=False)
                    & Q(overridden_at__isnull=False)
                ),
                name="assessment_override_complete",
            ),
            models.CheckConstraint(condition=Q(tier__gte=1), name="assessment_tier_positive"),
            models.CheckConstraint(condition=Q(points__gte=1), name="assessment_points_positive"),
        ]

    def __str__(self) -> str:
        return f"Tier {self.effective_tier} for case {self.case_id}"

    @property
    def is_overridden(self) -> bool:
        return self.override_tier is not None

    @property
    def scored(self) -> complexity.Scored:
        return complexity.score(self.model_version.model, self.scores)

    def factor_rows(self) -> list[dict[str, object]]:
        """Each factor with its score, level and the scorer's rationale, for display."""
        model = self.model_version.model
        return [
            {
                "name": factor.name,
                "score": self.scores[factor.key],
                "level": factor.level(self.scores[factor.key]),
                "rationale": self.rationales.get(factor.key, ""),
            }
            for factor in model.factors
        ]

    def reserved_function_names(self) -> list[str]:
        model = self.model_version.model
        known = {function.key: function.name for function in model.reserved_functions}
        return [known.get(key, key) for key in self.reserved_functions]


def capacity_points(
    *, role: str, fte: Decimal, personal: Decimal | None, model: complexity.ComplexityModel
) -> Decimal:
    """A practitioner's capacity in points: their own figure where one is set, else the model's
    for their role and FTE."""
    return personal if personal is not None else model.capacity.points_for(role, fte)
