from __future__ import annotations

from django.conf import settings
from django.db import models


class WrongCodes(models.Model):
    """Wrong sign-in codes in a row for one user. Kept per user, not per address: whoever types
    codes already has the password, so the limit must hold across addresses."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    count = models.PositiveSmallIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "wrong codes"

    def __str__(self) -> str:
        return f"{self.count} wrong codes for user {self.user_id}"
