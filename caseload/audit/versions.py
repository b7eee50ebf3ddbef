"""Settings a council publishes in versions (the complexity model, the audit tool, the
delegation scheme, the safeguarding targets): never edited, a change is a new version, so
whatever was recorded under one can always be explained by it.

It sits with the audit trail because a version is one: who published what, when and why.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models


class PublishedVersion(models.Model):
    number = models.PositiveIntegerField(unique=True)
    change_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-number"]

    @classmethod
    def shipped_defaults(cls) -> dict[str, Any]:
        """Version 1's fields: the defaults shipped with caseload."""
        raise NotImplementedError

    @classmethod
    def current(cls) -> Self:
        """The newest version; until someone publishes one, the shipped defaults, recorded as
        version 1 the first time they are needed (get_or_create: two first requests at once
        record it once)."""
        version = cls._default_manager.order_by("-number").first()
        if version is not None:
            return version
        version, _ = cls._default_manager.get_or_create(number=1, defaults=cls.shipped_defaults())
        return version
