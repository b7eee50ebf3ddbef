"""The register: teams, practitioners, people, requests for support, cases and who held them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from caseload.ui.forms import validate_name
from caseload_engine import reference
from caseload_engine import safeguarding_reference as sg_reference
from caseload_engine.identifiers import format_nhs_number

SWE_REGISTERED_ROLE_CODES = sorted(role.value for role in reference.SWE_REGISTERED_ROLES)
CASE_HOLDING_ROLE_CODES = sorted(role.value for role in reference.CASE_HOLDING_ROLES)
# Months between reviews of a held case: Care Act s27 asks for at least a yearly review, and a
# team may review more often; three years is the longest any council would set.
REVIEW_INTERVAL_RANGE = (1, 36)


class Locality(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    service_area = models.CharField(max_length=32, choices=reference.SERVICE_AREA_CHOICES)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="teams")
    # The team's safe working levels are the workload app's (SafeWorkingLevel), agreed with
    # its practitioners and kept as a history.
    # How long a held case waits for its next review: annual by default (Care Act s27).
    review_interval_months = models.PositiveSmallIntegerField(
        "review interval (months)", default=12
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_area", "locality"], name="team_one_per_service_area_locality"
            ),
            models.CheckConstraint(
                condition=Q(
                    review_interval_months__gte=REVIEW_INTERVAL_RANGE[0],
                    review_interval_months__lte=REVIEW_INTERVAL_RANGE[1],
                ),
                name="team_review_interval_months_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Specialism(models.Model):
    code = models.CharField(max_length=32, unique=True, choices=reference.SPECIALISM_CHOICES)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class Employment(models.TextChoices):
    PERMANENT = "permanent", "Permanent"
    FIXED_TERM = "fixed_term", "Fixed term"
    AGENCY = "agency", "Agency"


class Practitioner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practitioner",
    )
    given_name = models.CharField(max_length=80, validators=[validate_name])
    family_name = models.CharField(max_length=80, validators=[validate_name])
    role = models.CharField(max_length=32, choices=reference.ROLE_CHOICES)
    pcf_level = models.CharField(
        "PCF level", max_length=32, choices=reference.PCF_LEVEL_CHOICES, default="not_applicable"
    )
    fte = models.DecimalField("FTE", max_digits=3, decimal_places=2)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="practitioners", null=True, blank=True
    )
    specialisms = models.ManyToManyField(Specialism, blank=True, related_name="practitioners")
    swe_registration_number = models.CharField(
        "Social Work England registration number", max_length=12, blank=True
    )
    swe_renewal_date = models.DateField("registration renewal date", null=True, blank=True)
    employment = models.CharField(
        max_length=16, choices=Employment.choices, default=Employment.PERMANENT
    )
    start_date = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    capacity_points = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Leave blank to use the complexity model's capacity for the role and FTE",
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=1), name="practitioner_fte_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[code for code, _ in reference.ROLE_CHOICES]),
                name="practitioner_role_known",
            ),
            # Only the principal social worker may sit outside a team.
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(role="principal_social_worker"),
                name="practitioner_in_team_unless_psw",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=SWE_REGISTERED_ROLE_CODES)
                | Q(swe_registration_number__startswith="SW"),
                name="practitioner_registered_role_has_swe_number",
            ),
            models.CheckConstraint(
                condition=Q(capacity_points__isnull=True) | Q(capacity_points__gte=0),
                name="practitioner_capacity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(employment__in=Employment.values), name="practitioner_employment_known"
            ),
            models.UniqueConstraint(
                fields=["swe_registration_number"],
                condition=~Q(swe_registration_number=""),
                name="practitioner_swe_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def holds_cases(self) -> bool:
        return self.role in CASE_HOLDING_ROLE_CODES


def absences_covering(day: date, *, via: str = "") -> Q:
    """Absences covering `day` (an open-ended one covers every day on); `via` is the path to
    the absence from the model filtered."""
    return Q(**{f"{via}starts_on__lte": day}) & (
        Q(**{f"{via}ends_on__isnull": True}) | Q(**{f"{via}ends_on__gte": day})
    )


def absent_on(day: date) -> Q:
    """Practitioners with an absence covering `day`."""
    return absences_covering(day, via="absences__")


class Absence(models.Model):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="absences"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave blank if not yet known")
    reason = models.CharField(max_length=32, choices=reference.ABSENCE_REASON_CHOICES)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="absence_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} from {self.starts_on}"


class Person(models.Model):
    council_person_id = models.CharField("council person id", max_length=20, unique=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    given_name = models.CharField(max_length=80, validators=[validate_name])
    family_name = models.CharField(max_length=80, validators=[validate_name])
    date_of_birth = models.DateField()
    postcode = models.CharField(max_length=8)
    primary_support_reason = models.CharField(
        max_length=40, choices=reference.PRIMARY_SUPPORT_REASON_CHOICES, default="unknown"
    )
    has_unpaid_carer = models.BooleanField(default=False)
    # The Safeguarding Adults Collection's categories (SG1); blank where not recorded.
    sex = models.CharField(max_length=16, choices=sg_reference.SEX_CHOICES, blank=True)
    ethnicity = models.CharField(max_length=16, choices=sg_reference.ETHNICITY_CHOICES, blank=True)
    date_of_death = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            # The same-person check on a referral without an NHS number starts here.
            models.Index(fields=["date_of_birth", "postcode"], name="person_birth_postcode_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="person_nhs_number_unique"
            ),
            # ASCII digits only: a number in other digits would get round the uniqueness above.
            models.CheckConstraint(
                condition=Q(nhs_number="") | Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="person_nhs_number_ten_ascii_digits",
            ),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_death__gte=models.F("date_of_birth")),
                name="person_died_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number) if self.nhs_number else "Not known"


class SupportRequest(models.Model):
    """A request for support (a referral): the Client Level Data 'Request' event."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="requests")
    route_of_access = models.CharField(max_length=40, choices=reference.ROUTE_OF_ACCESS_CHOICES)
    source = models.CharField(max_length=40, choices=reference.REQUEST_SOURCE_CHOICES)
    received_at = models.DateTimeField()
    summary = models.TextField(blank=True)
    # Why a request joins someone already known to another team: those teams see it.
    known_person_reason = models.CharField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        # Demand counts requests by the week they came in.
        indexes = [models.Index(fields=["received_at"], name="request_received_idx")]

    def __str__(self) -> str:
        return f"Request {self.pk} received {self.received_at:%d %b %Y}"


class CaseStatus(models.TextChoices):
    AWAITING_SCREENING = "awaiting_screening", "Awaiting screening"
    AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
    ALLOCATED = "allocated", "Allocated"
    # The care plan is in place: the team holds the case, with no worker, until its next review.
    HELD = "held", "Held by team until review"
    CLOSED = "closed", "Closed"


WAITING_STATUSES = (CaseStatus.AWAITING_SCREENING, CaseStatus.AWAITING_ALLOCATION)
OPEN_STATUSES = (*WAITING_STATUSES, CaseStatus.ALLOCATED, CaseStatus.HELD)
PRIORITY_CHOICES = [(1, "1 (highest)"), (2, "2"), (3, "3 (lowest)")]


class Case(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    request = models.OneToOneField(SupportRequest, on_delete=models.PROTECT, related_name="case")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        max_length=24, choices=CaseStatus.choices, default=CaseStatus.AWAITING_SCREENING
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, choices=reference.EVENT_OUTCOME_CHOICES, blank=True)
    priority = models.PositiveSmallIntegerField(
        choices=PRIORITY_CHOICES,
        default=2,
        help_text="For the allocation meeting: 1 is allocated first",
    )
    # Set when the case is handed back to the team (HELD) or reviewed; the daily job
    # reviews_falling_due turns a held case whose review is near into waiting work.
    next_review_on = models.DateField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(fields=["team", "status", "opened_at"], name="case_team_status_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_known"
            ),
            # A closed case has a closing time and an outcome; an open one has neither.
            models.CheckConstraint(
                condition=(
                    Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=False) & ~Q(outcome="")
                )
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True) & Q(outcome="")),
                name="case_closed_iff_outcome",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="case_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=3), name="case_priority_1_to_3"
            ),
            # The team holds a case only until a known review date.
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.HELD) | Q(next_review_on__isnull=False),
                name="case_held_has_next_review",
            ),
            models.UniqueConstraint(
                fields=["person", "team"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_one_open_per_person_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES

    @property
    def is_held(self) -> bool:
        return self.status == CaseStatus.HELD

    @property
    def priority_choices(self) -> list[tuple[int, str]]:
        return PRIORITY_CHOICES


class Allocation(models.Model):
    """Who held a case, from when to when, and who allocated it: the allocation history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="allocations")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="allocations"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(
                fields=["practitioner"],
                condition=Q(ended_at__isnull=True),
                name="allocation_current_idx",
            ),
            # Demand finds each case's first allocation, and those started in a period.
            models.Index(fields=["case", "started_at"], name="allocation_case_started_idx"),
            models.Index(fields=["started_at"], name="allocation_started_idx"),
        ]
        constraints = [
            # A case has at most one current holder.
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="allocation_one_current"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="allocation_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} from {self.started_at:%d %b %Y}"


class ContactKind(models.TextChoices):
    VISIT = "visit", "Visit"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    LETTER = "letter", "Letter"


CONTACT_NOTE_MAX_LENGTH = 500


class Contact(models.Model):
    """A contact with the person on a case: the case's contact log (actions.record_contact)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    occurred_on = models.DateField()
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Who had the contact: the recorder's practitioner record, if they have one.
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    note = models.CharField(max_length=CONTACT_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_on"], name="contact_case_occurred_idx")]
        # "Not in the future" and "not before the case opened" depend on today and on the case:
        # no check constraint can say them, so the form and actions.record_contact do.
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ContactKind.values), name="contact_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class IdentifierSequence(models.Model):
    """The next number of a council-issued identifier, taken under a row lock."""

    name = models.CharField(max_length=40, primary_key=True)
    next_value = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.name}: next {self.next_value}"
