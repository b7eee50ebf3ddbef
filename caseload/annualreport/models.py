"""The principal social worker's annual report: a draft the PSW edits section by section, and
each published version, frozen as it was published.

Sections are stored as built (`caseload.annualreport.sections.ReportSection`, plain JSON), so a
published report reads the same years later whatever the live data does since.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AnnualReport(models.Model):
    """One report for a period: `version` None is the draft (one per period); each publish
    freezes a copy with the next version number."""

    title = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField()
    sections = models.JSONField()
    version = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    # The draft's bookkeeping, by section title (titles are what survive a rebuild): whose words
    # the PSW edited (a rebuild keeps them), and what the last rebuild from the data changed.
    edited_sections = models.JSONField(default=list, blank=True)
    changed_sections = models.JSONField(default=list, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-end", "-version", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["start", "end"], condition=Q(version__isnull=True), name="report_one_draft"
            ),
            models.UniqueConstraint(fields=["start", "end", "version"], name="report_version_once"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="report_period_forward"),
            # Published means a version and a time; a draft has neither.
            models.CheckConstraint(
                condition=Q(version__isnull=True, published_at__isnull=True)
                | Q(version__isnull=False, published_at__isnull=False),
                name="report_published_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.version is None
