"""Workforce plans (issue 13): a scenario, what the engine made of it, and, once saved, a name.

A run makes a plan with no name (a draft, which only the link from its job leads to); saving
names it, and a named plan is listed, compared and shared by its link. The scenario is kept as
the plain data `caseload_engine.planning.from_dict` reads, and the result as the engine's JSON
(`planning.as_json`) with the page's additions (caseload.planning.jobs), so a plan reads as it
did when it was run whatever the register or establishment says later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

NAME_MAX = 100


class WorkforcePlan(models.Model):
    name = models.CharField(max_length=NAME_MAX, blank=True)
    scenario = models.JSONField()
    # The calibration's fit by tier, when the scenario came from the register (shown with it).
    fits = models.JSONField(default=list, blank=True)
    result = models.JSONField(null=True, blank=True)  # None until its job has run
    # Nobody for the plans `caseload plan-councils` queues.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-saved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), condition=~Q(name=""), name="workforce_plan_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(name="", saved_at__isnull=True)
                | (~Q(name="") & Q(saved_at__isnull=False, result__isnull=False)),
                name="workforce_plan_saved_when_named",
            ),
        ]
        indexes = [models.Index(fields=["saved_at"], name="workforce_plan_saved_idx")]

    def __str__(self) -> str:
        return self.name or f"Workforce plan {self.pk}"

    @property
    def is_saved(self) -> bool:
        return bool(self.name)
