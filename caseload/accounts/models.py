from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

# AccessRole is defined with the permissions; importable from here too, beside the field.
from caseload.accounts.permissions import AccessRole as AccessRole
from caseload.accounts.permissions import Permission, roles_with


class User(AbstractUser):
    access_role = models.CharField(max_length=32, choices=AccessRole.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(access_role__in=AccessRole.values),
                name="user_access_role_known",
            ),
            # Only the roles that administer the service reach the Django admin.
            models.CheckConstraint(
                condition=models.Q(is_staff=False)
                | models.Q(access_role__in=roles_with(Permission.ADMINISTER)),
                name="user_only_administrators_are_staff",
            ),
        ]
