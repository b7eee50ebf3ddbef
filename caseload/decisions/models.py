"""Accountable decisions on a case: the decision log, the delegation scheme that says which
decisions need whose sign-off, the sign-off requests, and escalations to the principal social
worker (and on to the director)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from caseload.audit.versions import PublishedVersion

# The default weekly amount above which a funding decision needs a senior manager: £1,000 a
# week (about the cost of a residential care home place), which the PSW may change.
DEFAULT_FUNDING_THRESHOLD = Decimal("1000.00")
# A weekly amount no council would sign off: above this, a typing slip, refused.
MAX_WEEKLY_AMOUNT = Decimal("99999.99")


class SignOffLevel(models.TextChoices):
    """Whose sign-off a decision needs. Each level is a permission (levels.py), not a role."""

    NONE = "", "No sign-off"
    TEAM_MANAGER = "team_manager", "A team manager"
    SENIOR_MANAGER = "senior_manager", "A senior manager (the director)"


LEVEL_RANK = {SignOffLevel.NONE: 0, SignOffLevel.TEAM_MANAGER: 1, SignOffLevel.SENIOR_MANAGER: 2}


class DelegationScheme(PublishedVersion):
    """One version of the delegation scheme: each decision keeps the version it was recorded
    under."""

    closing_tier3 = models.CharField(
        "closing a Tier 3 case", max_length=20, choices=SignOffLevel.choices, blank=True
    )
    against_wishes = models.CharField(
        "a decision against the person's expressed wishes",
        max_length=20,
        choices=SignOffLevel.choices,
        blank=True,
    )
    safeguarding = models.CharField(
        "a safeguarding decision", max_length=20, choices=SignOffLevel.choices, blank=True
    )
    funding_above_threshold = models.CharField(
        "a funding decision above the threshold",
        max_length=20,
        choices=SignOffLevel.choices,
        blank=True,
    )
    funding_threshold = models.DecimalField(
        "funding threshold (£ a week)", max_digits=7, decimal_places=2
    )
    by_asye = models.CharField(
        "any decision by a practitioner in their ASYE",
        max_length=20,
        choices=SignOffLevel.choices,
        blank=True,
    )
    LEVEL_FIELDS = ("closing_tier3", "against_wishes", "safeguarding", "funding_above_threshold")

    class Meta(PublishedVersion.Meta):
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__in": SignOffLevel.values}),
                    name=f"delegation_{name}_known",
                )
                for name in (
                    "closing_tier3",
                    "against_wishes",
                    "safeguarding",
                    "funding_above_threshold",
                    "by_asye",
                )
            ),
            models.CheckConstraint(
                condition=Q(funding_threshold__gt=0) & Q(funding_threshold__lte=MAX_WEEKLY_AMOUNT),
                name="delegation_funding_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Delegation scheme, version {self.number}"

    @classmethod
    def shipped_defaults(cls) -> dict[str, Any]:
        return {
            "closing_tier3": SignOffLevel.TEAM_MANAGER,
            "against_wishes": SignOffLevel.TEAM_MANAGER,
            "safeguarding": SignOffLevel.TEAM_MANAGER,
            "funding_above_threshold": SignOffLevel.SENIOR_MANAGER,
            "funding_threshold": DEFAULT_FUNDING_THRESHOLD,
            "by_asye": SignOffLevel.TEAM_MANAGER,
            "change_note": "The defaults shipped with caseload",
        }


class DecisionKind(models.TextChoices):
    CLOSING_CASE = "closing_case", "Closing the case"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    FUNDING = "funding", "Funding (with the weekly amount)"
    ELIGIBILITY = "eligibility", "Eligibility"
    CARE_AND_SUPPORT = "care_and_support", "Care and support plan"
    OTHER = "other", "Other"


class LegalBasis(models.TextChoices):
    CARE_ACT_S9 = "care_act_s9", "Care Act 2014 s9: needs assessment"
    CARE_ACT_S10 = "care_act_s10", "Care Act 2014 s10: carer's assessment"
    CARE_ACT_S11 = "care_act_s11", "Care Act 2014 s11: refusal of assessment"
    CARE_ACT_S13 = "care_act_s13", "Care Act 2014 s13: eligibility"
    CARE_ACT_S18 = "care_act_s18", "Care Act 2014 s18: duty to meet needs for care and support"
    CARE_ACT_S19 = "care_act_s19", "Care Act 2014 s19: power to meet needs"
    CARE_ACT_S20 = "care_act_s20", "Care Act 2014 s20: duty to meet a carer's needs"
    CARE_ACT_S24_25 = "care_act_s24_25", "Care Act 2014 s24/25: care and support plan"
    CARE_ACT_S26 = "care_act_s26", "Care Act 2014 s26: personal budget"
    CARE_ACT_S27 = "care_act_s27", "Care Act 2014 s27: review of a plan"
    CARE_ACT_S42 = "care_act_s42", "Care Act 2014 s42: safeguarding enquiry"
    MCA_2005 = "mca_2005", "Mental Capacity Act 2005"
    LOCAL_POLICY = "local_policy", "Local policy (name it)"


class Decision(models.Model):
    """One entry in a case's decision log. Never edited: a correction is a new entry that
    names the one it corrects."""

    case = models.ForeignKey("register.Case", on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=24, choices=DecisionKind.choices)
    summary = models.TextField("what was decided", max_length=4000)
    options_considered = models.TextField(max_length=4000)
    rationale = models.TextField(max_length=4000)
    legal_basis = models.CharField(max_length=24, choices=LegalBasis.choices)
    legal_basis_detail = models.CharField(max_length=300, blank=True)
    risks = models.TextField(max_length=4000, blank=True)
    positive_risk_taking = models.BooleanField(
        "positive risk-taking agreed with the person", default=False
    )
    persons_view = models.TextField("the person's own view", max_length=4000)
    against_wishes = models.BooleanField(
        "goes against the person's expressed wishes", default=False
    )
    weekly_amount = models.DecimalField(
        "amount (£ a week)", max_digits=7, decimal_places=2, null=True, blank=True
    )
    # The tier the case had when decided: closing a Tier 3 case needs its sign-off.
    tier_at_decision = models.PositiveSmallIntegerField(null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    scheme = models.ForeignKey(DelegationScheme, on_delete=models.PROTECT, related_name="+")
    # Whose sign-off the scheme asked for, and why, in words: fixed when recorded.
    sign_off_level = models.CharField(max_length=20, choices=SignOffLevel.choices, blank=True)
    sign_off_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="decision_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(legal_basis__in=LegalBasis.values), name="decision_legal_basis_known"
            ),
            models.CheckConstraint(
                condition=Q(sign_off_level__in=SignOffLevel.values),
                name="decision_sign_off_level_known",
            ),
            # A funding decision carries its weekly amount; no other decision has one.
            models.CheckConstraint(
                condition=(
                    Q(kind=DecisionKind.FUNDING)
                    & Q(weekly_amount__gte=0)
                    & Q(weekly_amount__lte=MAX_WEEKLY_AMOUNT)
                )
                | (~Q(kind=DecisionKind.FUNDING) & Q(weekly_amount__isnull=True)),
                name="decision_funding_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis=LegalBasis.LOCAL_POLICY) | ~Q(legal_basis_detail=""),
                name="decision_local_policy_named",
            ),
            models.CheckConstraint(
                condition=Q(sign_off_level="") | ~Q(sign_off_reason=""),
                name="decision_sign_off_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision {self.pk} on case {self.case_id}"

    @property
    def needs_sign_off(self) -> bool:
        return self.sign_off_level != SignOffLevel.NONE

    @property
    def status(self) -> str:
        """In words, from its requests (prefetch `sign_offs` to read many)."""
        if not self.needs_sign_off:
            return "Recorded"
        states = {request.state for request in self.sign_offs.all()}
        if SignOffRequest.State.APPROVED in states:
            return "Signed off"
        if SignOffRequest.State.OPEN in states:
            return "Awaiting sign-off"
        return "Returned with comments"

    @property
    def is_awaiting_sign_off(self) -> bool:
        return self.status == "Awaiting sign-off"

    @property
    def is_returned(self) -> bool:
        return self.status == "Returned with comments"


class SignOffRequest(models.Model):
    """A request that someone with the authority signs a decision off: approved, or returned
    with comments (after which the requester may ask again: a new request)."""

    class State(models.TextChoices):
        OPEN = "open", "Awaiting sign-off"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned with comments"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="sign_offs")
    level = models.CharField(max_length=20, choices=SignOffLevel.choices)
    note = models.TextField(max_length=2000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["state", "requested_at"], name="signoff_state_requested_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[SignOffLevel.TEAM_MANAGER, SignOffLevel.SENIOR_MANAGER]),
                name="signoff_level_known",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "approved", "returned"]), name="signoff_state_known"
            ),
            # Nobody signs off their own request.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="signoff_not_by_requester",
            ),
            # Open: nobody has answered; answered: who and when, and a return says why.
            models.CheckConstraint(
                condition=(
                    Q(state="open") & Q(decided_by__isnull=True) & Q(decided_at__isnull=True)
                )
                | (
                    ~Q(state="open")
                    & Q(decided_by__isnull=False)
                    & Q(decided_at__gte=F("requested_at"))
                ),
                name="signoff_answered_completely",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(comments=""),
                name="signoff_return_has_comments",
            ),
            models.UniqueConstraint(
                fields=["decision"], condition=Q(state="open"), name="signoff_one_open"
            ),
            models.UniqueConstraint(
                fields=["decision"], condition=Q(state="approved"), name="signoff_one_approval"
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-off request {self.pk} for decision {self.decision_id}"


class PracticeEscalation(models.Model):
    """A case raised with the principal social worker as complex or controversial, with a
    question; their advice; and, where they take it further, the director's decision. (Not the
    allocation meeting's raising of unallocated cases.)"""

    class Nature(models.TextChoices):
        COMPLEX = "complex", "Complex"
        CONTROVERSIAL = "controversial", "Controversial"

    class State(models.TextChoices):
        WITH_PSW = "with_psw", "Awaiting the principal social worker"
        ADVISED = "advised", "Advice given"
        WITH_DIRECTOR = "with_director", "With the director"
        DECIDED = "decided", "Decided by the director"

    case = models.ForeignKey(
        "register.Case", on_delete=models.PROTECT, related_name="practice_escalations"
    )
    nature = models.CharField(max_length=16, choices=Nature.choices)
    question = models.TextField(max_length=4000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.WITH_PSW)
    advice = models.TextField(max_length=4000, blank=True)
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    advised_at = models.DateTimeField(null=True, blank=True)
    director_decision = models.TextField(max_length=4000, blank=True)
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    director_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["state", "raised_at"], name="escalation_state_raised_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(nature__in=["complex", "controversial"]),
                name="escalation_nature_known",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["with_psw", "advised", "with_director", "decided"]),
                name="escalation_state_known",
            ),
            # Past the PSW, their advice (or their note taking it on) is recorded in full.
            models.CheckConstraint(
                condition=(
                    Q(state="with_psw")
                    & Q(advice="")
                    & Q(advised_by__isnull=True)
                    & Q(advised_at__isnull=True)
                )
                | (
                    ~Q(state="with_psw")
                    & ~Q(advice="")
                    & Q(advised_by__isnull=False)
                    & Q(advised_at__gte=F("raised_at"))
                ),
                name="escalation_advice_complete",
            ),
            models.CheckConstraint(
                condition=(
                    ~Q(state="decided")
                    & Q(director_decision="")
                    & Q(director__isnull=True)
                    & Q(director_decided_at__isnull=True)
                )
                | (
                    Q(state="decided")
                    & ~Q(director_decision="")
                    & Q(director__isnull=False)
                    & Q(director_decided_at__isnull=False)
                ),
                name="escalation_director_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Practice escalation {self.pk} on case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.WITH_PSW, self.State.WITH_DIRECTOR)
