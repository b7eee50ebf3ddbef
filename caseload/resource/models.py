"""The establishment: how many full-time-equivalent posts each team is funded for, per role.

A row holds from its `effective_from` day until a later row for the same team and role takes
over: the establishment in force on a day is the latest row from that day or before. Rows are
never deleted, so the page can say what the establishment was on any day.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.register.models import Team
from caseload_engine.reference import ROLE_CHOICES, Role

MIN_FUNDED_FTE = Decimal("0.01")
MAX_FUNDED_FTE = Decimal("999")
# The principal social worker sits outside every team, so no team is funded for one.
ESTABLISHMENT_ROLE_CHOICES = tuple(
    (code, label) for code, label in ROLE_CHOICES if code != Role.PRINCIPAL_SOCIAL_WORKER
)
ESTABLISHMENT_ROLES = [code for code, _ in ESTABLISHMENT_ROLE_CHOICES]


class Establishment(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="establishment")
    role = models.CharField(max_length=32, choices=ESTABLISHMENT_ROLE_CHOICES)
    funded_fte = models.DecimalField("funded FTE", max_digits=5, decimal_places=2)
    effective_from = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["team", "role", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "role", "effective_from"], name="establishment_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(funded_fte__gte=MIN_FUNDED_FTE) & Q(funded_fte__lte=MAX_FUNDED_FTE),
                name="establishment_funded_fte_in_range",
            ),
            models.CheckConstraint(
                condition=Q(role__in=ESTABLISHMENT_ROLES), name="establishment_role_known"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.funded_fte} FTE {self.role} in team {self.team_id} from {self.effective_from}"
        )
