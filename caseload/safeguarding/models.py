"""Safeguarding adults: concerns, the decision on each (Section 42 enquiry, other enquiry or no
further action), enquiries with Making Safeguarding Personal, strategy records, and closure
sign-off; and the targets each step is timed against.

The lists of codes are caseload_engine.safeguarding_reference's (the SAC's categories), so the
SAC report and the records export read these rows without mapping.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from caseload.audit.versions import PublishedVersion
from caseload.register.models import SWE_REGISTERED_ROLE_CODES
from caseload_engine import safeguarding_reference as ref
from caseload_engine.safeguarding_reference import codes

TEXT_MAX = 4000
# A target longer than a year of working days is a typing slip.
TARGET_DAYS_RANGE = (1, 260)


TARGET_FIELDS = (
    "decision_days",
    "strategy_days",
    "outcomes_days",
    "plan_days",
    "conclusion_days",
    "sign_off_days",
)


class Targets(PublishedVersion):
    """One version of the timeliness targets, in working days (England and Wales bank holidays
    excluded); each record keeps the due dates worked out when its step began."""

    decision_days = models.PositiveSmallIntegerField(
        "decide a concern within (working days)", default=2
    )
    strategy_days = models.PositiveSmallIntegerField(
        "hold the strategy discussion within (working days of the enquiry starting)", default=5
    )
    outcomes_days = models.PositiveSmallIntegerField(
        "ask the person's desired outcomes within (working days of the enquiry starting)",
        default=5,
    )
    plan_days = models.PositiveSmallIntegerField(
        "agree the safeguarding plan within (working days of the enquiry starting)", default=20
    )
    conclusion_days = models.PositiveSmallIntegerField(
        "conclude the enquiry within (working days of it starting)", default=60
    )
    sign_off_days = models.PositiveSmallIntegerField(
        "sign off the closure within (working days of the request)", default=5
    )
    DAY_FIELDS = TARGET_FIELDS

    class Meta(PublishedVersion.Meta):
        verbose_name_plural = "targets"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"{name}__gte": TARGET_DAYS_RANGE[0], f"{name}__lte": TARGET_DAYS_RANGE[1]}
                ),
                name=f"sg_targets_{name}_range",
            )
            for name in TARGET_FIELDS
        ]

    def __str__(self) -> str:
        return f"Safeguarding targets, version {self.number}"

    @classmethod
    def shipped_defaults(cls) -> dict[str, Any]:
        return {"change_note": "The defaults shipped with caseload"}


def _all_criteria_met() -> Q:
    return Q(
        criterion_care_and_support_needs=True,
        criterion_abuse_or_neglect=True,
        criterion_unable_to_protect=True,
    )


class Concern(models.Model):
    """A safeguarding concern about an adult, received by a team, and the decision on it."""

    person = models.ForeignKey(
        "register.Person", on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    team = models.ForeignKey(
        "register.Team", on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    received_at = models.DateTimeField()
    source = models.CharField("from whom", max_length=24, choices=ref.CONCERN_SOURCE_CHOICES)
    source_detail = models.CharField("who raised it", max_length=200, blank=True)
    route = models.CharField(max_length=24, choices=ref.CONCERN_ROUTE_CHOICES)
    summary = models.TextField("what was reported", max_length=TEXT_MAX)
    location_of_risk = models.CharField(max_length=32, choices=ref.LOCATION_OF_RISK_CHOICES)
    source_of_risk = models.CharField(max_length=24, choices=ref.SOURCE_OF_RISK_CHOICES)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_due_on = models.DateField()

    # The three statutory criteria, each recorded on its own (None: not yet considered).
    criterion_care_and_support_needs = models.BooleanField(null=True, blank=True)
    criterion_abuse_or_neglect = models.BooleanField(null=True, blank=True)
    criterion_unable_to_protect = models.BooleanField(null=True, blank=True)
    criteria_notes = models.TextField(max_length=TEXT_MAX, blank=True)

    decision = models.CharField(max_length=24, choices=ref.CONCERN_DECISION_CHOICES, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(max_length=TEXT_MAX, blank=True)
    signposting = models.TextField(max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["team", "decision", "decision_due_on"], name="sg_concern_due_idx"),
            models.Index(fields=["received_at"], name="sg_concern_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=codes(ref.CONCERN_SOURCE_CHOICES)),
                name="sg_concern_source_known",
            ),
            models.CheckConstraint(
                condition=Q(route__in=codes(ref.CONCERN_ROUTE_CHOICES)),
                name="sg_concern_route_known",
            ),
            models.CheckConstraint(
                condition=Q(location_of_risk__in=codes(ref.LOCATION_OF_RISK_CHOICES)),
                name="sg_concern_location_known",
            ),
            models.CheckConstraint(
                condition=Q(source_of_risk__in=codes(ref.SOURCE_OF_RISK_CHOICES)),
                name="sg_concern_risk_source_known",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=codes(ref.CONCERN_DECISION_CHOICES)),
                name="sg_concern_decision_known",
            ),
            # Decided exactly when it has a decision, a time and who decided.
            models.CheckConstraint(
                condition=(Q(decision="") & Q(decided_at__isnull=True))
                | (~Q(decision="") & Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="sg_concern_decided_iff_decision",
            ),
            # Care Act s42(1): a Section 42 enquiry exactly when all three criteria are met.
            models.CheckConstraint(
                condition=Q(decision="")
                | (Q(decision=ref.SECTION_42) & _all_criteria_met())
                | (~Q(decision=ref.SECTION_42) & ~_all_criteria_met()),
                name="sg_concern_section_42_iff_criteria",
            ),
            # No further action, or an enquiry other than s42, gives its reason.
            models.CheckConstraint(
                condition=Q(decision__in=["", ref.SECTION_42]) | ~Q(decision_reason=""),
                name="sg_concern_non_s42_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=F("received_at")),
                name="sg_concern_decided_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"Safeguarding concern {self.pk}"

    @property
    def is_decided(self) -> bool:
        return self.decision != ""

    @property
    def types_of_risk(self) -> list[str]:
        """The codes of the concern's types of risk (prefetch `risk_types`)."""
        return sorted(row.code for row in self.risk_types.all())

    @property
    def criteria(self) -> dict[str, bool | None]:
        return {key: getattr(self, f"criterion_{key}") for key, _ in ref.CRITERIA}


class ConcernRiskType(models.Model):
    """One type of risk of a concern: a concern (and its enquiry) may count in several."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="risk_types")
    code = models.CharField(max_length=32, choices=ref.TYPE_OF_RISK_CHOICES)

    class Meta:
        ordering = ["concern", "code"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "code"], name="sg_risk_type_once"),
            models.CheckConstraint(
                condition=Q(code__in=codes(ref.TYPE_OF_RISK_CHOICES)), name="sg_risk_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class EnquiryKind(models.TextChoices):
    SECTION_42 = "section_42", "Section 42 enquiry"
    OTHER = "other", "Other enquiry"


class EnquiryStatus(models.TextChoices):
    OPEN = "open", "Open"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Concluded, awaiting sign-off"
    CLOSED = "closed", "Closed"


class Enquiry(models.Model):
    """An enquiry (Section 42 or other) started by the decision on a concern."""

    concern = models.OneToOneField(Concern, on_delete=models.PROTECT, related_name="enquiry")
    # The concern's person and team, kept here too: every list and access check starts here.
    person = models.ForeignKey(
        "register.Person", on_delete=models.PROTECT, related_name="safeguarding_enquiries"
    )
    team = models.ForeignKey(
        "register.Team", on_delete=models.PROTECT, related_name="safeguarding_enquiries"
    )
    kind = models.CharField(max_length=16, choices=EnquiryKind.choices)
    status = models.CharField(
        max_length=24, choices=EnquiryStatus.choices, default=EnquiryStatus.OPEN
    )
    started_on = models.DateField()
    lead = models.ForeignKey(
        "register.Practitioner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safeguarding_enquiries",
    )
    # The lead's role when they were made lead: the export's lead_role, and the database's
    # own check of the reserved-function rule.
    lead_role = models.CharField(max_length=32, blank=True)

    # Due dates, worked out from the targets in force when the enquiry started.
    strategy_due_on = models.DateField()
    outcomes_due_on = models.DateField()
    plan_due_on = models.DateField()
    conclusion_due_on = models.DateField()

    # Making Safeguarding Personal: asked at the start, in the person's own words, or why not.
    msp_asked = models.CharField(
        "were the person's desired outcomes asked",
        max_length=24,
        choices=ref.MSP_ASKED_CHOICES,
        blank=True,
    )
    desired_outcomes = models.TextField(
        "desired outcomes, in the person's own words", max_length=TEXT_MAX, blank=True
    )
    outcomes_not_asked_reason = models.TextField(
        "why no outcomes were recorded", max_length=TEXT_MAX, blank=True
    )
    outcomes_recorded_at = models.DateTimeField(null=True, blank=True)
    # Mental capacity for the enquiry's decisions, and who supported the person.
    lacked_capacity = models.BooleanField(
        "lacked capacity for the enquiry's decisions", null=True, blank=True
    )
    support = models.CharField(max_length=16, choices=ref.SUPPORT_CHOICES, blank=True)

    plan = models.TextField("safeguarding plan", max_length=TEXT_MAX, blank=True)
    plan_agreed_on = models.DateField(null=True, blank=True)

    # The conclusion.
    concluded_on = models.DateField(null=True, blank=True)
    action_and_result = models.CharField(
        max_length=32, choices=ref.ACTION_AND_RESULT_CHOICES, blank=True
    )
    risk_outcome = models.CharField(max_length=16, choices=ref.RISK_OUTCOME_CHOICES, blank=True)
    msp_achieved = models.CharField(
        "were the desired outcomes achieved",
        max_length=16,
        choices=ref.MSP_ACHIEVED_CHOICES,
        blank=True,
    )
    conclusion = models.TextField(max_length=TEXT_MAX, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Closure sign-off under the delegation scheme: the level it asked for when requested.
    sign_off_level = models.CharField(max_length=20, blank=True)
    sign_off_due_on = models.DateField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_comments = models.TextField(max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name_plural = "enquiries"
        indexes = [
            models.Index(fields=["team", "status", "started_on"], name="sg_enquiry_team_idx"),
            models.Index(fields=["started_on"], name="sg_enquiry_started_idx"),
            models.Index(fields=["concluded_on"], name="sg_enquiry_concluded_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EnquiryKind.values), name="sg_enquiry_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnquiryStatus.values), name="sg_enquiry_status_known"
            ),
            # Leading a Section 42 enquiry is reserved to registered social workers.
            models.CheckConstraint(
                condition=~Q(kind=EnquiryKind.SECTION_42)
                | Q(lead__isnull=True)
                | Q(lead_role__in=SWE_REGISTERED_ROLE_CODES),
                name="sg_enquiry_s42_lead_registered",
            ),
            models.CheckConstraint(
                condition=Q(lead__isnull=True, lead_role="")
                | Q(lead__isnull=False) & ~Q(lead_role=""),
                name="sg_enquiry_lead_has_role",
            ),
            models.CheckConstraint(
                condition=Q(msp_asked="") | Q(msp_asked__in=codes(ref.MSP_ASKED_CHOICES)),
                name="sg_enquiry_msp_asked_known",
            ),
            # Outcomes in the person's words when expressed; a reason when none were.
            models.CheckConstraint(
                condition=Q(msp_asked="")
                | (Q(msp_asked=ref.MSP_ASKED_EXPRESSED) & ~Q(desired_outcomes=""))
                | (~Q(msp_asked=ref.MSP_ASKED_EXPRESSED) & ~Q(outcomes_not_asked_reason="")),
                name="sg_enquiry_outcomes_or_reason",
            ),
            models.CheckConstraint(
                condition=Q(support="") | Q(support__in=codes(ref.SUPPORT_CHOICES)),
                name="sg_enquiry_support_known",
            ),
            models.CheckConstraint(
                condition=Q(action_and_result="")
                | Q(action_and_result__in=codes(ref.ACTION_AND_RESULT_CHOICES)),
                name="sg_enquiry_action_and_result_known",
            ),
            models.CheckConstraint(
                condition=Q(risk_outcome="") | Q(risk_outcome__in=codes(ref.RISK_OUTCOME_CHOICES)),
                name="sg_enquiry_risk_outcome_known",
            ),
            models.CheckConstraint(
                condition=Q(msp_achieved="") | Q(msp_achieved__in=codes(ref.MSP_ACHIEVED_CHOICES)),
                name="sg_enquiry_msp_achieved_known",
            ),
            # Concluded exactly when it has a conclusion date and the SAC's action and result;
            # a risk found (or not ruled out) has its outcome, no risk found has none; whether
            # the person's outcomes were achieved only where they expressed some.
            models.CheckConstraint(
                condition=(Q(concluded_on__isnull=True) & Q(action_and_result=""))
                | (Q(concluded_on__isnull=False) & ~Q(action_and_result="")),
                name="sg_enquiry_concluded_iff_result",
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True)
                | Q(action_and_result__in=sorted(ref.RESULTS_WITH_RISK)) & ~Q(risk_outcome="")
                | Q(action_and_result__in=sorted(ref.RESULTS_WITHOUT_RISK)) & Q(risk_outcome="")
                | Q(action_and_result="ceased_at_request"),
                name="sg_enquiry_risk_outcome_with_risk",
            ),
            models.CheckConstraint(
                condition=Q(msp_achieved="")
                | Q(msp_asked=ref.MSP_ASKED_EXPRESSED) & Q(concluded_on__isnull=False),
                name="sg_enquiry_achieved_only_if_expressed",
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=F("started_on")),
                name="sg_enquiry_concludes_after_it_starts",
            ),
            # Open, awaiting sign-off (concluded), or closed (concluded and signed off).
            models.CheckConstraint(
                condition=Q(status=EnquiryStatus.OPEN, concluded_on__isnull=True)
                | Q(
                    status=EnquiryStatus.AWAITING_SIGN_OFF,
                    concluded_on__isnull=False,
                    signed_off_at__isnull=True,
                )
                | Q(
                    status=EnquiryStatus.CLOSED,
                    concluded_on__isnull=False,
                    signed_off_at__isnull=False,
                    signed_off_by__isnull=False,
                ),
                name="sg_enquiry_status_consistent",
            ),
            # Never signed off by whoever concluded it.
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True) | ~Q(signed_off_by=F("concluded_by")),
                name="sg_enquiry_not_signed_off_by_concluder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == EnquiryStatus.OPEN

    @property
    def lacked_capacity_display(self) -> str:
        return {True: "Yes", False: "No", None: "Not recorded"}[self.lacked_capacity]


class StrategyRecord(models.Model):
    """A strategy discussion or meeting held for an enquiry."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.PROTECT, related_name="strategy_records")
    kind = models.CharField(max_length=16, choices=ref.STRATEGY_KIND_CHOICES)
    held_on = models.DateField()
    attendees = models.TextField("who took part", max_length=TEXT_MAX)
    summary = models.TextField("what was agreed", max_length=TEXT_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=codes(ref.STRATEGY_KIND_CHOICES)),
                name="sg_strategy_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on}"


def target_label(name: str) -> str:
    """A target's label, from its field."""
    return str(getattr(Targets._meta.get_field(name), "verbose_name", name))
