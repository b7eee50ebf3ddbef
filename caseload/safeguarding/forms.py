"""The safeguarding forms: a concern received, its decision (the three criteria one by one), the
enquiry's lead, desired outcomes and capacity, a strategy record, the plan, the conclusion,
sign-off, and the targets."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms
from django.db.models import QuerySet

from caseload.register.models import Practitioner, Team
from caseload.safeguarding.models import TARGET_DAYS_RANGE, TARGET_FIELDS, TEXT_MAX, target_label
from caseload.ui.forms import GovukDateField, GovukForm, NameField, today, validate_text
from caseload_engine import safeguarding_reference as ref

# Nobody records a concern received before the service kept them.
EARLIEST = date(2000, 1, 1)
YES_NO = [("yes", "Yes"), ("no", "No")]
CAPACITY = [("", "Not recorded"), ("yes", "Yes, they lacked capacity"), ("no", "No")]


def _text(label: str, *, required: bool = False, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label} must be {TEXT_MAX:,} characters or fewer",
        },
        **kwargs,
    )


def _short(label: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=200,
        validators=[validate_text],
        error_messages={"max_length": f"{label} must be 200 characters or fewer"},
    )


def _choice(label: str, choices: Any, *, required: bool = True, radios: bool = True) -> Any:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={"required": f"Choose {label[0].lower()}{label[1:]}"},
    )


class ConcernForm(GovukForm):
    team = forms.ModelChoiceField(
        label="Team receiving the concern",
        queryset=Team.objects.none(),
        error_messages={"required": "Choose the team", "invalid_choice": "Choose a team"},
    )
    council_person_id = forms.CharField(
        label="Council person id of someone on the register",
        required=False,
        max_length=20,
        help_text="Leave blank for someone new, and give their details below",
    )
    given_name = NameField(label="Given name (someone new)", required=False, max_length=80)
    family_name = NameField(label="Family name (someone new)", required=False, max_length=80)
    date_of_birth = GovukDateField(
        label="Date of birth (someone new)", earliest=date(1900, 1, 1), latest=today, required=False
    )
    postcode = forms.CharField(label="Postcode (someone new)", required=False, max_length=8)
    sex = _choice("Sex", [("", "Not recorded"), *ref.SEX_CHOICES], required=False, radios=False)
    ethnicity = _choice(
        "Ethnicity", [("", "Not recorded"), *ref.ETHNICITY_CHOICES], required=False, radios=False
    )
    received_on = GovukDateField(label="Date received", earliest=EARLIEST, latest=today)
    received_time = forms.TimeField(
        label="Time received (24-hour, e.g. 14:30)",
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time received",
            "invalid": "Enter a time like 14:30",
        },
    )
    source = _choice("From whom", ref.CONCERN_SOURCE_CHOICES, radios=False)
    source_detail = _short("Who raised it (name or organisation)")
    route = _choice("How it was received", ref.CONCERN_ROUTE_CHOICES, radios=False)
    summary = _text("What was reported", required=True)
    types_of_risk = forms.MultipleChoiceField(
        label="Types of risk",
        choices=ref.TYPE_OF_RISK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one type of risk"},
    )
    location_of_risk = _choice("Location of risk", ref.LOCATION_OF_RISK_CHOICES, radios=False)
    source_of_risk = _choice("Source of risk", ref.SOURCE_OF_RISK_CHOICES)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        # A practitioner records for their own team: chosen for them.
        first_two = list(teams[:2])
        if len(first_two) == 1:
            self.fields["team"].initial = first_two[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("council_person_id"):
            for name in ("given_name", "family_name", "date_of_birth", "postcode"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Give this for someone new, or their council person id")
        return data

    @property
    def received_time_value(self) -> time:
        value: time = self.cleaned_data["received_time"]
        return value


class DecisionForm(GovukForm):
    criterion_care_and_support_needs = _choice(ref.CRITERIA[0][1], YES_NO)
    criterion_abuse_or_neglect = _choice(ref.CRITERIA[1][1], YES_NO)
    criterion_unable_to_protect = _choice(ref.CRITERIA[2][1], YES_NO)
    criteria_notes = _text("Notes on the criteria")
    decision = _choice("Decision", ref.CONCERN_DECISION_CHOICES)
    reason = _text(
        "Reason (for another enquiry or no further action)",
        help_text="Required unless the decision is a Section 42 enquiry",
    )
    signposting = _text("Signposting (where the person or referrer was directed)")
    lead = forms.ModelChoiceField(
        label="Who leads the enquiry",
        queryset=Practitioner.objects.none(),
        required=False,
        help_text="A Section 42 enquiry is led by a registered social worker",
    )

    def __init__(self, *args: Any, leads: QuerySet[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads  # type: ignore[attr-defined]

    def criteria(self) -> dict[str, bool]:
        return {key: self.cleaned_data[f"criterion_{key}"] == "yes" for key, _ in ref.CRITERIA}


class LeadForm(GovukForm):
    lead = forms.ModelChoiceField(
        label="Who leads the enquiry",
        queryset=Practitioner.objects.none(),
        error_messages={"required": "Choose who leads the enquiry"},
    )

    def __init__(self, *args: Any, leads: QuerySet[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads  # type: ignore[attr-defined]


class OutcomesForm(GovukForm):
    msp_asked = _choice("Were the person's desired outcomes asked?", ref.MSP_ASKED_CHOICES)
    desired_outcomes = _text("Desired outcomes, in the person's own words")
    not_asked_reason = _text("Why no outcomes were recorded")
    lacked_capacity = _choice(
        "Did the person lack capacity for the enquiry's decisions?", CAPACITY, required=False
    )
    support = _choice(
        "Who supported the person", [("", "Not recorded"), *ref.SUPPORT_CHOICES], required=False
    )

    def capacity(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("lacked_capacity") or "")


class StrategyForm(GovukForm):
    kind = _choice("Discussion or meeting", ref.STRATEGY_KIND_CHOICES)
    held_on = GovukDateField(label="Date held", earliest=EARLIEST, latest=today)
    attendees = _text("Who took part", required=True, rows=2)
    summary = _text("What was agreed", required=True)


class PlanForm(GovukForm):
    plan = _text("Safeguarding plan", required=True, rows=6)
    agreed_on = GovukDateField(label="Date agreed", earliest=EARLIEST, latest=today)


class ConclusionForm(GovukForm):
    concluded_on = GovukDateField(label="Date concluded", earliest=EARLIEST, latest=today)
    action_and_result = _choice("Action taken and result", ref.ACTION_AND_RESULT_CHOICES)
    risk_outcome = _choice(
        "Risk outcome", [("", "No risk outcome"), *ref.RISK_OUTCOME_CHOICES], required=False
    )
    msp_achieved = _choice(
        "Were the desired outcomes achieved?",
        [("", "Not applicable: none were expressed"), *ref.MSP_ACHIEVED_CHOICES],
        required=False,
    )
    conclusion = _text("Conclusion", required=True)


class SignOffForm(GovukForm):
    approve = _choice("Your decision", [("yes", "Sign off the closure"), ("no", "Return it")])
    comments = _text("Comments (required to return it)")


def _days(name: str) -> forms.IntegerField:
    low, high = TARGET_DAYS_RANGE
    return forms.IntegerField(
        label=target_label(name).capitalize(),
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter a number of working days",
            "invalid": "Enter a whole number of working days",
            "min_value": f"Enter a number from {low} to {high}",
            "max_value": f"Enter a number from {low} to {high}",
        },
    )


class TargetsForm(GovukForm):
    decision_days = _days("decision_days")
    strategy_days = _days("strategy_days")
    outcomes_days = _days("outcomes_days")
    plan_days = _days("plan_days")
    conclusion_days = _days("conclusion_days")
    sign_off_days = _days("sign_off_days")
    note = _short("What changed and why", required=True)

    def days(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in TARGET_FIELDS}
