from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from caseload.register.actions import PersonDetails, RequestDetails
from caseload.register.models import (
    CONTACT_NOTE_MAX_LENGTH,
    PRIORITY_CHOICES,
    REVIEW_INTERVAL_RANGE,
    ContactKind,
    Team,
)
from caseload.ui.forms import GovukDateField, GovukForm, NameField, today, validate_text
from caseload_engine import reference
from caseload_engine.identifiers import InvalidIdentifier, normalise_nhs_number, normalise_postcode

BLANK_CHOICE = [("", "Select an option")]
# No one on the register was born before this: an earlier date is a typing error.
EARLIEST_BIRTH = date(1900, 1, 1)


def _choice_field(label: str, choices: reference.Choices, required: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=BLANK_CHOICE + list(choices), error_messages={"required": required}
    )


def clean_nhs_number(raw: str) -> str:
    """An NHS number field's value: blank, or ten ASCII digits with a valid check digit."""
    if not raw.strip():
        return ""
    try:
        return normalise_nhs_number(raw)
    except InvalidIdentifier as exc:
        raise ValidationError(str(exc)) from None


def clean_postcode(raw: str) -> str:
    """A postcode field's value, in the register's one form (the same-person check compares it)."""
    try:
        return normalise_postcode(raw)
    except InvalidIdentifier as exc:
        raise ValidationError(str(exc)) from None


def _parse_time(raw: str) -> time:
    try:
        return datetime.strptime(raw.strip(), "%H:%M").time()
    except ValueError:
        raise ValidationError("Enter the time received in 24-hour format, like 14:30") from None


class RequestForm(GovukForm):
    """The request-for-support half of a referral."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        empty_label="Select a team",
        error_messages={"required": "Select the team the request is for"},
    )
    received_on = GovukDateField(
        label="Date received",
        help_text="For example, 27 3 2026",
        earliest=EARLIEST_BIRTH,
        latest=today,
    )
    time_received = forms.CharField(
        label="Time received",
        max_length=5,
        help_text="24-hour clock, like 14:30",
        error_messages={"required": "Enter the time received, like 14:30"},
    )
    route_of_access = _choice_field(
        "Route of access", reference.ROUTE_OF_ACCESS_CHOICES, "Select the route of access"
    )
    source = _choice_field(
        "Who made the request", reference.REQUEST_SOURCE_CHOICES, "Select who made the request"
    )
    summary = forms.CharField(
        label="What the person needs help with",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
        help_text="Keep to what the team needs to screen the request",
    )
    known_person_reason = forms.CharField(
        label="If the person is already known to another team, why this request",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        help_text="Their other teams see this, with your name",
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = cast("forms.ModelChoiceField[Team]", self.fields["team"])
        team_field.queryset = teams
        only_team = teams.first() if teams.count() == 1 else None
        if only_team is not None:
            team_field.initial = only_team
        # Most requests are recorded the day they arrive.
        self.fields["received_on"].initial = timezone.localdate()

    def clean_time_received(self) -> time:
        return _parse_time(self.cleaned_data["time_received"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        received_on, at = cleaned.get("received_on"), cleaned.get("time_received")
        if received_on is not None and at is not None:
            received_at = timezone.make_aware(datetime.combine(received_on, at))
            if received_at > timezone.now():
                self.add_error("received_on", "The date received cannot be in the future")
            else:
                cleaned["received_at"] = received_at
        return cleaned

    def request_details(self) -> RequestDetails:
        data = self.cleaned_data
        return RequestDetails(
            team=data["team"],
            route_of_access=data["route_of_access"],
            source=data["source"],
            received_at=data["received_at"],
            summary=data["summary"].strip(),
            known_person_reason=data["known_person_reason"].strip(),
        )


class NewPersonReferralForm(RequestForm):
    """A referral for someone not yet on the register: who they are, then the request."""

    given_name = NameField(
        label="First name", max_length=80, error_messages={"required": "Enter the first name"}
    )
    family_name = NameField(
        label="Last name", max_length=80, error_messages={"required": "Enter the last name"}
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        help_text="For example, 31 3 1950",
        earliest=EARLIEST_BIRTH,
        latest=today,
    )
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=14,
        required=False,
        help_text="10 digits, like 999 000 0018. Leave blank if not known",
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10, error_messages={"required": "Enter the postcode"}
    )
    primary_support_reason = _choice_field(
        "Primary support reason",
        reference.PRIMARY_SUPPORT_REASON_CHOICES,
        "Select the primary support reason",
    )
    has_unpaid_carer = forms.BooleanField(label="Has an unpaid carer", required=False)

    field_order = [
        "given_name",
        "family_name",
        "date_of_birth",
        "nhs_number",
        "postcode",
        "primary_support_reason",
        "has_unpaid_carer",
        "team",
        "received_on",
        "time_received",
        "route_of_access",
        "source",
        "summary",
        "known_person_reason",
    ]

    def clean_nhs_number(self) -> str:
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["postcode"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        born, received_on = cleaned.get("date_of_birth"), cleaned.get("received_on")
        if born is not None and received_on is not None and received_on < born:
            self.add_error("received_on", "The date received cannot be before the date of birth")
        return cleaned

    def person_details(self) -> PersonDetails:
        data = self.cleaned_data
        return PersonDetails(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            nhs_number=data["nhs_number"],
            postcode=data["postcode"],
            primary_support_reason=data["primary_support_reason"],
            has_unpaid_carer=data["has_unpaid_carer"],
        )


class CloseCaseForm(GovukForm):
    outcome = _choice_field("Outcome", reference.EVENT_OUTCOME_CHOICES, "Select the outcome")
    closed_on = GovukDateField(label="Date closed", help_text="For example, 27 3 2026")

    def clean_closed_on(self) -> Any:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on is not None and closed_on > timezone.localdate():
            raise ValidationError("The date closed cannot be in the future")
        return closed_on

    def closed_at(self) -> datetime:
        """End of the working day closed on, or now if that is today."""
        closed_on = self.cleaned_data["closed_on"]
        if closed_on == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(closed_on, time(17, 0)))


class CasePriorityForm(GovukForm):
    priority = forms.TypedChoiceField(choices=PRIORITY_CHOICES, coerce=int)


class PersonSearchForm(GovukForm):
    q = forms.CharField(
        label="Search by name, NHS number or council person id",
        max_length=100,
        error_messages={"required": "Enter a name, NHS number or council person id"},
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class TeamReviewIntervalForm(GovukForm):
    review_interval_months = forms.IntegerField(
        label="Months between reviews of a held case",
        help_text=(
            "A case handed back to the team is reviewed this many months later; the Care Act "
            f"asks for at least a yearly review. From {REVIEW_INTERVAL_RANGE[0]} to "
            f"{REVIEW_INTERVAL_RANGE[1]}."
        ),
        min_value=REVIEW_INTERVAL_RANGE[0],
        max_value=REVIEW_INTERVAL_RANGE[1],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the months between reviews",
            "invalid": "Enter the months between reviews as a whole number, like 12",
            "min_value": f"Enter at least {REVIEW_INTERVAL_RANGE[0]} month",
            "max_value": f"Enter at most {REVIEW_INTERVAL_RANGE[1]} months",
        },
    )


class ContactForm(GovukForm):
    """A contact on another day than today, or with a note."""

    kind = forms.ChoiceField(
        label="Kind of contact",
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of contact"},
    )
    occurred_on = GovukDateField(
        label="Date of the contact", help_text="For example, 27 3 2026", latest=today
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=CONTACT_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_text],
        error_messages={
            "max_length": f"The note must be {CONTACT_NOTE_MAX_LENGTH} characters or fewer"
        },
    )


class QuickContactForm(GovukForm):
    """One of the "… today" buttons: the kind only."""

    kind = forms.ChoiceField(choices=ContactKind.choices)


class HandBackForm(GovukForm):
    next_review_on = GovukDateField(
        label="Date of the next review",
        help_text="Leave as it is for the team's usual interval. For example, 27 3 2027",
        earliest=today,
    )


class ReviewForm(GovukForm):
    reviewed_on = GovukDateField(
        label="Date of the review", help_text="For example, 27 3 2026", latest=today
    )


class TeamChoiceForm(GovukForm):
    """Which of the user's teams to show (none chosen: all of them). Pages with more filters
    add their own fields to it."""

    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Every team",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )

    def __init__(self, data: QueryDict | None, *, teams: QuerySet[Team]) -> None:
        super().__init__(data)
        cast("forms.ModelChoiceField[Team]", self.fields["team"]).queryset = teams
