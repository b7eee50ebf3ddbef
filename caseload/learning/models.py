"""Learning from untoward incidents, feedback from people who use services, the practice
framework statement and the principal social worker's own direct practice.

Contributing factors are the categories of the Yorkshire Contributory Factors Framework
(Lawton et al., BMJ Quality & Safety 2012), a recognised, no-blame, systems-focused framework
(`CONTRIBUTING_FACTORS`); the README names them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

GRADE_MIN, GRADE_MAX = 1, 4
# A day's direct practice: no session runs longer.
HOURS_MAX = 24

# The Yorkshire Contributory Factors Framework's categories, as stored and as shown.
CONTRIBUTING_FACTORS: dict[str, str] = {
    "situational": "Situational factors (the person, the individual staff, the team)",
    "local_working_conditions": (
        "Local working conditions (workload, staffing, supervision, equipment, leadership)"
    ),
    "organisational": "Organisational factors (structure, priorities, culture)",
    "external": "External factors (policy, commissioning, other agencies' design)",
    "communication": "Communication systems (between people, teams and agencies)",
    "training": "Training and education",
    "equipment_and_systems": "Equipment and systems (including recording systems)",
    "policies_and_procedures": "Policies and procedures",
    "safety_culture": "Safety culture",
    "active_failures": "Active failures (slips, lapses, mistakes, violations of rules)",
    "design": "Design of the environment and of the work",
    "lines_of_responsibility": "Lines of responsibility",
    "management_of_risk": "Management of risk (including supervision of risk)",
    "support_from_central_functions": "Support from central functions (HR, IT, legal)",
}


class IncidentKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    NEAR_MISS = "near_miss", "Near miss"


class Grade(models.IntegerChoices):
    """How serious: the harm done or that might have been done."""

    LOW = 1, "Low: no or minimal harm"
    MODERATE = 2, "Moderate: short-term harm"
    SERIOUS = 3, "Serious: lasting harm"
    CRITICAL = 4, "Critical: death or permanent harm"


# A learning review is warranted from this grade up (the page suggests it; the PSW decides).
REVIEW_SUGGESTED_FROM = Grade.SERIOUS


class Incident(models.Model):
    team = models.ForeignKey("register.Team", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "register.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=IncidentKind.choices)
    occurred_on = models.DateField()
    what_happened = models.TextField()
    immediate_actions = models.TextField()
    who_was_told = models.TextField()
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["team", "occurred_on"], name="incident_team_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=GRADE_MIN) & Q(grade__lte=GRADE_MAX),
                name="incident_grade_in_range",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=IncidentKind.values), name="incident_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(what_happened=""), name="incident_what_happened_said"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%d %b %Y}"


class GradeChange(models.Model):
    """A change of an incident's seriousness as more became known: the reason stays here, as
    free text never goes to the change log (which keeps the old and new grades)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="grade_changes")
    old_grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    new_grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(old_grade=F("new_grade")), name="grade_change_changes"
            ),
            models.CheckConstraint(
                condition=Q(new_grade__gte=GRADE_MIN) & Q(new_grade__lte=GRADE_MAX),
                name="grade_change_in_range",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="grade_change_reason_said"),
        ]

    def __str__(self) -> str:
        return f"Incident {self.incident_id} regraded {self.old_grade} to {self.new_grade}"


class LearningReview(models.Model):
    """A no-blame, systems-focused review of an incident, commissioned by the PSW."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="review")
    terms = models.TextField("terms of reference")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commissioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commissioned_at = models.DateTimeField()
    contributing_factors = models.JSONField(default=list, blank=True)
    findings = models.TextField(blank=True)
    # A Safeguarding Adults Review the board commissioned about the same events.
    sar_reference = models.CharField("SAR reference", max_length=60, blank=True)
    sar_url = models.URLField("SAR link", max_length=300, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-commissioned_at", "-id"]

    def __str__(self) -> str:
        return f"Learning review of incident {self.incident_id}"

    def factor_labels(self) -> list[str]:
        return [CONTRIBUTING_FACTORS.get(key, key) for key in self.contributing_factors]


class Recommendation(models.Model):
    review = models.ForeignKey(
        LearningReview, on_delete=models.PROTECT, related_name="recommendations"
    )
    text = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(done_at__isnull=True), name="recommendation_open_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="recommendation_done_complete",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="recommendation_said"),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.pk}"


class LearningBrief(models.Model):
    """What practitioners should take from a review (or from several), published to them all."""

    review = models.ForeignKey(
        LearningReview, on_delete=models.PROTECT, null=True, blank=True, related_name="briefs"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="brief_titled")]

    def __str__(self) -> str:
        return self.title


class BriefReading(models.Model):
    brief = models.ForeignKey(LearningBrief, on_delete=models.PROTECT, related_name="readings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brief", "user"], name="brief_read_once_per_user")
        ]

    def __str__(self) -> str:
        return f"Brief {self.brief_id} read by user {self.user_id}"


class FeedbackAbout(models.TextChoices):
    ASSESSMENT = "assessment", "An assessment"
    REVIEW = "review", "A review"
    SAFEGUARDING = "safeguarding", "A safeguarding enquiry"
    OTHER = "other", "Something else"


class FeedbackKind(models.TextChoices):
    FEEDBACK = "feedback", "Feedback"
    COMPLIMENT = "compliment", "Compliment"
    COMPLAINT = "complaint", "Complaint"


class FeedbackChannel(models.TextChoices):
    LINK = "link", "By the feedback link"
    PAPER = "paper", "On paper, typed in by staff"
    SPOKEN = "spoken", "In person or by telephone, typed in by staff"


class OutcomesMet(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class Feedback(models.Model):
    """What a person (or someone on their behalf) said about the service they had.

    Anonymity: with `anonymous`, the practitioner sees the feedback about their practice with
    neither the case nor the person nor the day (only the month); reports never name anyone.
    The team's managers and the PSW, who follow feedback up, see the case."""

    case = models.ForeignKey("register.Case", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        "register.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey("register.Team", on_delete=models.PROTECT, related_name="+")
    about = models.CharField(max_length=16, choices=FeedbackAbout.choices)
    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    channel = models.CharField(max_length=16, choices=FeedbackChannel.choices)
    received_on = models.DateField()
    listened_to = models.BooleanField("felt listened to", null=True, blank=True)
    outcomes_met = models.CharField(
        max_length=8, choices=OutcomesMet.choices, blank=True, help_text="Blank: not answered"
    )
    could_be_better = models.TextField("what could be better", blank=True)
    comments = models.TextField(blank=True)
    anonymous = models.BooleanField(default=False)
    # The person agreed their words may be quoted (without their name) in the annual report.
    may_quote = models.BooleanField(default=False)
    picked_for_report = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["team", "received_on"], name="feedback_team_idx"),
            models.Index(fields=["practitioner", "received_on"], name="feedback_practitioner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values), name="feedback_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(about__in=FeedbackAbout.values), name="feedback_about_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=FeedbackChannel.values), name="feedback_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(outcomes_met__in=[*OutcomesMet.values, ""]),
                name="feedback_outcomes_known",
            ),
            # Only words the person agreed to have quoted are picked.
            models.CheckConstraint(
                condition=Q(picked_for_report=False) | Q(may_quote=True),
                name="feedback_picked_only_if_quotable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} received {self.received_on:%d %b %Y}"


class FeedbackLink(models.Model):
    """A one-use link that asks for feedback without signing in. Only the token's SHA-256 is
    kept: the link itself is shown once, to whoever made it, to send."""

    token_hash = models.CharField(max_length=64, unique=True)
    case = models.ForeignKey("register.Case", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        "register.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey("register.Team", on_delete=models.PROTECT, related_name="+")
    about = models.CharField(max_length=16, choices=FeedbackAbout.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    feedback = models.OneToOneField(
        Feedback, on_delete=models.PROTECT, null=True, blank=True, related_name="link"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="feedback_link_expires"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback link {self.pk}"


class LinkAttempt(models.Model):
    """One request for a feedback link's page, by a keyed hash of the client's address (never
    the address): the rate limit counts them across every web server."""

    address_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["address_hash", "at"], name="link_attempt_idx")]

    def __str__(self) -> str:
        return f"Link attempt at {self.at:%Y-%m-%d %H:%M}"


class FrameworkVersion(models.Model):
    """One published version of the practice framework statement (Employer Standard 1)."""

    number = models.PositiveIntegerField(unique=True)
    vision = models.TextField()
    values = models.TextField()
    practice_model = models.TextField()
    desired_outcomes = models.TextField()
    evidence = models.TextField()
    contributors_practitioners = models.TextField("practitioners who contributed", blank=True)
    contributors_people = models.TextField("people using services who contributed", blank=True)
    contributors_partners = models.TextField("partners who contributed", blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="framework_number_positive")
        ]

    def __str__(self) -> str:
        return f"Practice framework, version {self.number}"


class FrameworkAcknowledgement(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="framework_acknowledged_once")
        ]

    def __str__(self) -> str:
        return f"Framework {self.version_id} acknowledged by user {self.user_id}"


class DirectPracticeKind(models.TextChoices):
    """The principal social worker's direct practice (Care and Support statutory guidance 1.29)."""

    CASEWORK = "casework", "Casework"
    CO_WORKING = "co_working", "Co-working a case"
    DEVELOPMENT_SESSION = "development_session", "Practice development session"
    MENTORING = "mentoring", "Mentoring"


class DirectPractice(models.Model):
    psw = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=DirectPracticeKind.choices)
    on = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    team = models.ForeignKey(
        "register.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=HOURS_MAX), name="direct_practice_hours"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DirectPracticeKind.values), name="direct_practice_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on:%d %b %Y}"
