"""Supervision: the policy of how often it happens, each practitioner's agreement, the records
of sessions with their case discussions and actions, and addenda to locked records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

MINUTES_MIN = 1
# Ten hours: longer than any real session, so a larger figure is a typing slip.
MINUTES_MAX = 600


class PolicyVersion(models.Model):
    """One published version of the supervision policy: which policy applies to each role and
    what each policy asks (the minimum minutes for a session to count, and the steps of its
    interval). Never edited: a change is a new version, so a due date can always be explained
    by the version in force. With no version published, the engine's defaults apply."""

    number = models.PositiveIntegerField(unique=True)
    content = models.JSONField(
        help_text="Per role, the policy key; per policy key, its minimum minutes and steps"
    )
    note = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1), name="policy_version_number_positive"
            )
        ]

    def __str__(self) -> str:
        return f"Supervision policy, version {self.number}"


class Agreement(models.Model):
    """A practitioner's supervision agreement with their supervisor, signed by both. A new
    agreement supersedes the last; only one is current."""

    practitioner = models.ForeignKey(
        "register.Practitioner", on_delete=models.PROTECT, related_name="supervision_agreements"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    frequency = models.CharField(max_length=200)
    place = models.CharField(max_length=200)
    if_missed = models.TextField("if a session is missed")
    starts_on = models.DateField()
    supervisor_signed_at = models.DateTimeField(null=True, blank=True)
    supervisee_signed_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(superseded_at__isnull=True),
                name="agreement_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"Supervision agreement from {self.starts_on:%d %b %Y}"

    @property
    def is_signed(self) -> bool:
        return self.supervisor_signed_at is not None and self.supervisee_signed_at is not None


class SessionKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one"
    GROUP = "group", "Group or reflective practice"
    ASYE_REVIEW = "asye_review", "ASYE review"


class Session(models.Model):
    """A supervision record. Locked once both have signed: every action refuses a change, and
    anything said later is an addendum."""

    supervisee = models.ForeignKey(
        "register.Practitioner", on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    agenda = models.TextField(blank=True)
    workload_review = models.TextField(blank=True)
    utilisation_percent_at_time = models.PositiveIntegerField(
        null=True, blank=True, help_text="The supervisee's utilisation when it was recorded"
    )
    wellbeing = models.TextField(blank=True)
    reflection = models.TextField("reflection and learning", blank=True)
    cpd = models.TextField("CPD", blank=True)
    supervisee_comment = models.TextField(blank=True)
    supervisor_signed_at = models.DateTimeField(null=True, blank=True)
    supervisee_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["supervisee", "held_on"], name="session_supervisee_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=MINUTES_MIN) & Q(minutes__lte=MINUTES_MAX),
                name="session_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SessionKind.values), name="session_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Supervision on {self.held_on:%d %b %Y}"

    @property
    def is_locked(self) -> bool:
        return self.supervisor_signed_at is not None and self.supervisee_signed_at is not None


class Addendum(models.Model):
    """Something added to a session's record after it was locked."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="addendum_not_empty")]

    def __str__(self) -> str:
        return f"Addendum to session {self.session_id}"


class CaseDiscussion(models.Model):
    """A case discussed in supervision, with the decision reached and what the case showed at
    the time (its tier, points and risk score then, not now)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="discussions")
    case = models.ForeignKey(
        "register.Case", on_delete=models.PROTECT, related_name="supervision_discussions"
    )
    discussion = models.TextField()
    decision = models.TextField(blank=True)
    tier_at_time = models.PositiveSmallIntegerField(null=True, blank=True)
    points_at_time = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_at_time = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The score of the complexity model's risk factor then"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "case"], name="case_discussion_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} in session {self.session_id}"


class Action(models.Model):
    """Something to be done, agreed in supervision: on its owner's task list until done."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="actions")
    discussion = models.ForeignKey(
        CaseDiscussion, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["owner", "due_on"],
                condition=Q(done_at__isnull=True),
                name="supervision_action_open_idx",
            )
        ]
        constraints = [
            # Done means when and by whom; open, neither.
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="supervision_action_done_complete",
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="supervision_action_described"
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk} from session {self.session_id}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
