"""What the service tells a user: in the app, and by email from a task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationKind(models.TextChoices):
    NEW_ALLOCATION = "new_allocation", "New allocation"
    HANDOVER_DUE = "handover_due", "Handover due"
    REGISTRATION_RENEWAL_DUE = "registration_renewal_due", "Registration renewal due"
    KNOWN_PERSON_REFERRED = "known_person_referred", "Request for someone your team knows"
    ASYE_REVIEW_DUE = "asye_review_due", "ASYE review due"
    # For the issues to come (supervision, quality assurance), declared here so that every
    # notice the service sends is in one list.
    SUPERVISION_DUE = "supervision_due", "Supervision due"
    SIGN_OFF_REQUESTED = "sign_off_requested", "Sign-off requested"
    ESCALATION = "escalation", "Escalation"
    WORKLOAD_CONCERN = "workload_concern", "Workload concern"
    CASE_AUDIT = "case_audit", "Case file audit"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    RECOMMENDATION_DUE = "recommendation_due", "Learning review recommendation due"
    LEARNING_BRIEF_PUBLISHED = "learning_brief_published", "Learning brief published"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    # The title goes by email too, so it names nobody the service supports; the body, shown
    # only in the app, may.
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A path within the site, where the user acts on it.
    link = models.CharField(max_length=200, blank=True)
    # Set for a notice to go to a recipient once only (say, per registration renewal date).
    once_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(link="") | (Q(link__startswith="/") & ~Q(link__startswith="//")),
                name="notification_link_within_site",
            ),
            models.UniqueConstraint(
                fields=["recipient", "once_key"],
                condition=~Q(once_key=""),
                name="notification_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for user {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
