from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class AccessRole(models.TextChoices):
    """What a user may see and do. A job title lives on the Practitioner record instead."""

    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    PRINCIPAL_SOCIAL_WORKER = "principal_social_worker", "Principal social worker"
    DIRECTOR = "director", "Director or senior manager"
    ADMINISTRATOR = "administrator", "Administrator"


# Who may search and export the audit logs.
AUDIT_LOG_READERS = frozenset({AccessRole.PRINCIPAL_SOCIAL_WORKER, AccessRole.ADMINISTRATOR})


class User(AbstractUser):
    access_role = models.CharField(max_length=32, choices=AccessRole.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(access_role__in=AccessRole.values),
                name="user_access_role_known",
            ),
            # Only administrators reach the Django admin.
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(access_role=AccessRole.ADMINISTRATOR),
                name="user_only_administrators_are_staff",
            ),
        ]

    @property
    def is_oversight(self) -> bool:
        """Principal social workers and directors see every team, read-only."""
        return self.access_role in {AccessRole.PRINCIPAL_SOCIAL_WORKER, AccessRole.DIRECTOR}
