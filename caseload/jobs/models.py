"""Work done in the background for a user, or by the daily run: what it is, how far it has got,
and what it produced or why it failed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    # A key in caseload.jobs.registry: what the job does and how.
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    # Nobody for the daily run: such a job has no page anyone can see.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Ids and dates only: what the job works on, read afresh when it runs.
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    # Where the user went from, to try again; and what the job produced, as a path in the site.
    origin_url = models.CharField(max_length=200, blank=True)
    result_url = models.CharField(max_length=200, blank=True)
    result_label = models.CharField(max_length=100, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    # Why it failed, in words for the user; the traceback goes to the logs only.
    error_message = models.CharField(max_length=1000, blank=True)
    # The task queue's own id for the run, to find it in the queue's records.
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["started_by", "created_at"], name="job_started_by_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="job_status_known",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_0_to_100"),
            models.CheckConstraint(
                condition=Q(status__in=["succeeded", "failed"], finished_at__isnull=False)
                | (~Q(status__in=["succeeded", "failed"]) & Q(finished_at__isnull=True)),
                name="job_finished_when_done",
            ),
            models.CheckConstraint(
                condition=Q(status="failed") & ~Q(error_message="") | ~Q(status="failed"),
                name="job_failure_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.kind}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}
