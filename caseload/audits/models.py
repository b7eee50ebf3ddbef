"""Case file audits: the audit tool (versioned like the complexity model), each audit of a case
against a version of it, the practitioner's response, the moderator's grade, and the actions
that go to the practitioner's next supervision."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from caseload.audit.versions import PublishedVersion
from caseload_engine import audit_sample, audit_tool

GRADE_CHOICES = [(g, label) for g, label in audit_tool.GRADE_LABELS.items()]


@lru_cache(maxsize=16)
def _parse(definition: str) -> audit_tool.Tool:
    return audit_tool.loads(definition)


class ToolVersion(PublishedVersion):
    """One version of the audit tool: every audit is read against the questions it was
    answered on."""

    name = models.CharField(max_length=500)
    definition = models.TextField(help_text="The tool in YAML")

    class Meta(PublishedVersion.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="audit_tool_number_positive")
        ]

    def __str__(self) -> str:
        return f"{self.name}, version {self.number}"

    @property
    def tool(self) -> audit_tool.Tool:
        return _parse(self.definition)

    @classmethod
    def shipped_defaults(cls) -> dict[str, Any]:
        text = audit_tool.default_tool_text()
        return {
            "name": _parse(text).name,
            "definition": text,
            "change_note": "The default audit tool shipped with caseload",
        }


class AuditStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to the auditor"
    COMPLETED = "completed", "Completed"


class Audit(models.Model):
    """A case's file audited for a month: by an auditor who never worked the case, against the
    tool version current when it was assigned."""

    case = models.ForeignKey("register.Case", on_delete=models.PROTECT, related_name="audits")
    team = models.ForeignKey("register.Team", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        "register.Practitioner", on_delete=models.PROTECT, related_name="audits"
    )
    # The audited practitioner's login, kept here so that the database refuses an auditor who
    # is the worker (a check constraint cannot look across tables).
    practitioner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    month = models.DateField(help_text="The first day of the month sampled")
    theme = models.CharField(max_length=200, blank=True)
    tool_version = models.ForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AuditStatus.choices, default=AuditStatus.ASSIGNED
    )
    answers = models.JSONField(default=dict, blank=True)
    grade = models.PositiveSmallIntegerField(choices=GRADE_CHOICES, null=True, blank=True)
    summary = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField("the practitioner's response", blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    moderated_grade = models.PositiveSmallIntegerField(choices=GRADE_CHOICES, null=True, blank=True)
    moderation_note = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "team_id", "case_id"]
        indexes = [
            models.Index(fields=["case", "month"], name="audit_case_month_idx"),
            models.Index(fields=["month", "team"], name="audit_month_team_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "month"], name="audit_once_per_case_month"),
            models.CheckConstraint(
                condition=~Q(auditor=F("practitioner_user")), name="audit_not_own_case"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AuditStatus.values), name="audit_status_known"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=4),
                name="audit_grade_in_range",
            ),
            models.CheckConstraint(
                condition=Q(moderated_grade__isnull=True)
                | Q(moderated_grade__gte=1, moderated_grade__lte=4),
                name="audit_moderated_grade_in_range",
            ),
            # Completed means a grade and when; assigned, neither.
            models.CheckConstraint(
                condition=Q(
                    status=AuditStatus.ASSIGNED, grade__isnull=True, completed_at__isnull=True
                )
                | Q(status=AuditStatus.COMPLETED, grade__isnull=False, completed_at__isnull=False),
                name="audit_completed_complete",
            ),
            models.CheckConstraint(
                condition=Q(
                    moderated_grade__isnull=True,
                    moderated_by__isnull=True,
                    moderated_at__isnull=True,
                )
                | Q(
                    moderated_grade__isnull=False,
                    moderated_by__isnull=False,
                    moderated_at__isnull=False,
                    status=AuditStatus.COMPLETED,
                ),
                name="audit_moderation_complete",
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True, response="")
                | (Q(responded_at__isnull=False, status=AuditStatus.COMPLETED) & ~Q(response="")),
                name="audit_response_complete",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="audit_month_first_day"),
            # A moderator re-grades someone else's audit of someone else's case.
            models.CheckConstraint(
                condition=~Q(moderated_by=F("auditor")), name="audit_not_moderated_by_auditor"
            ),
            models.CheckConstraint(
                condition=~Q(moderated_by=F("practitioner_user")),
                name="audit_not_moderated_by_practitioner",
            ),
        ]

    def __str__(self) -> str:
        return f"Audit of case {self.case_id} for {self.month:%B %Y}"

    @property
    def grade_label(self) -> str:
        return audit_tool.GRADE_LABELS.get(self.grade or 0, "")

    @property
    def moderated_grade_label(self) -> str:
        return audit_tool.GRADE_LABELS.get(self.moderated_grade or 0, "")


class AuditAction(models.Model):
    """Something the practitioner is to do, from an audit: on their supervision agenda (the
    supervision record form and their supervision page) until done."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="audit_action_done_complete",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="audit_action_described"),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk} from audit {self.audit_id}"


class Moderator(models.Model):
    """Someone the PSW names to moderate audits on their behalf (a delegate)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_moderator"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "pk"]

    def __str__(self) -> str:
        return f"Moderator {self.user_id}"


class ModerationShare(models.Model):
    """The share of completed audits to moderate, each setting kept: the newest is in force."""

    percent = models.PositiveSmallIntegerField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="audit_moderation_share_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.percent}% moderated"

    @classmethod
    def current_percent(cls) -> int:
        latest = cls.objects.order_by("-set_at", "-pk").values_list("percent", flat=True).first()
        return audit_sample.DEFAULT_MODERATION_PERCENT if latest is None else latest
