"""The forms of learning and feedback: every input read here before an action sees it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from caseload.accounts.models import User
from caseload.decisions.forms import text_field
from caseload.learning.models import (
    CONTRIBUTING_FACTORS,
    HOURS_MAX,
    DirectPracticeKind,
    FeedbackAbout,
    FeedbackChannel,
    FeedbackKind,
    Grade,
    IncidentKind,
    OutcomesMet,
)
from caseload.register.models import Team
from caseload.ui.forms import GovukDateField, GovukForm, days_from_today, validate_text
from caseload_engine.text import ascii_digits

# Ids are bigints; anything longer is a typing slip (and never reaches int()).
_ID_DIGITS = 12


class CaseNumberField(forms.CharField):
    """A case's number as the case page shows it: digits of any script, read strictly."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, **kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        digits = ascii_digits(text.strip())
        if digits is None or not 0 < len(digits) <= _ID_DIGITS:
            raise ValidationError("Enter the case number in digits, like 1234")
        return int(digits)


def _choice(label: str, choices: Any, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class IncidentForm(GovukForm):
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), error_messages={"required": "Choose the team"}
    )
    kind = _choice("Was it an incident or a near miss?", IncidentKind.choices, "Choose one")
    occurred_on = GovukDateField(
        label="Date it happened", earliest=days_from_today(-3650), latest=days_from_today(0)
    )
    case = CaseNumberField(
        label="Case number (optional)",
        required=False,
        help_text="If it concerns one case: the number on the case's page",
    )
    what_happened = text_field("What happened")
    immediate_actions = text_field("What was done straight away")
    who_was_told = text_field("Who was told", rows=2)
    grade = forms.TypedChoiceField(
        label="How serious was it?",
        choices=Grade.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how serious it was", "invalid_choice": "Choose one"},
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Team]", self.fields["team"]).queryset = teams


class RegradeForm(GovukForm):
    grade = forms.TypedChoiceField(
        label="How serious is it now known to be?",
        choices=Grade.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how serious it was", "invalid_choice": "Choose one"},
    )
    reason = text_field("Why the seriousness changed", rows=3)


class CommissionForm(GovukForm):
    lead = forms.ModelChoiceField(
        label="Who leads the review",
        queryset=User.objects.none(),
        error_messages={"required": "Choose who leads the review"},
    )
    terms = text_field("Terms of reference", help_text="What the review is to look at, no-blame")

    def __init__(self, *args: Any, leads: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["lead"]).queryset = leads


class ReviewForm(GovukForm):
    contributing_factors = forms.MultipleChoiceField(
        label="Contributing factors (Yorkshire Contributory Factors Framework)",
        choices=list(CONTRIBUTING_FACTORS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    findings = text_field("Findings", required=False, rows=6, max_length=20000)
    sar_reference = forms.CharField(
        label="Safeguarding Adults Review reference (if the board commissioned one)",
        required=False,
        max_length=60,
        validators=[validate_text],
    )
    sar_url = forms.URLField(
        label="Link to the Safeguarding Adults Review",
        required=False,
        max_length=300,
        assume_scheme="https",
    )
    complete = forms.BooleanField(label="The review is complete", required=False)


class RecommendationForm(GovukForm):
    text = text_field("Recommendation")
    owner = forms.ModelChoiceField(
        label="Owner", queryset=User.objects.none(), error_messages={"required": "Choose an owner"}
    )
    due_on = GovukDateField(
        label="Due date", earliest=days_from_today(0), latest=days_from_today(3 * 365)
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["owner"]).queryset = owners


class DoneForm(GovukForm):
    note = text_field("What was done", rows=2)


class BriefForm(GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        validators=[validate_text],
        error_messages={"required": "Give the brief a title"},
    )
    summary = text_field("What practitioners should learn", rows=8, max_length=20000)


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No"), ("", "Prefer not to say")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class AnswersForm(GovukForm):
    """The person's answers: the same on the link's page and when typed in from paper."""

    listened_to = _yes_no("Did you feel listened to?")
    outcomes_met = forms.ChoiceField(
        label="Were the outcomes that mattered to you met?",
        choices=[*OutcomesMet.choices, ("", "Prefer not to say")],
        required=False,
        widget=forms.RadioSelect,
    )
    could_be_better = text_field("What could have been better?", required=False)
    comments = text_field("Anything else you want to tell us", required=False)
    anonymous = forms.BooleanField(
        label="Do not tell the worker who I am",
        required=False,
        help_text="The worker will see what you said but not your name or case",
    )
    may_quote = forms.BooleanField(
        label="You may quote my words, without my name, in the council's reports",
        required=False,
    )


class FeedbackForm(AnswersForm):
    case = CaseNumberField(
        label="Case number",
        help_text="The number on the case's page",
        error_messages={"required": "Enter the case number"},
    )
    about = _choice("What is it about?", FeedbackAbout.choices, "Choose what it is about")
    kind = _choice(
        "Is it feedback, a compliment or a complaint?", FeedbackKind.choices, "Choose one"
    )
    channel = _choice(
        "How was it given?",
        [c for c in FeedbackChannel.choices if c[0] != FeedbackChannel.LINK],
        "Choose how it was given",
    )
    received_on = GovukDateField(
        label="Date received", earliest=days_from_today(-3650), latest=days_from_today(0)
    )

    field_order = ["case", "about", "kind", "channel", "received_on"]


class LinkForm(GovukForm):
    case = CaseNumberField(
        label="Case number",
        help_text="The number on the case's page",
        error_messages={"required": "Enter the case number"},
    )
    about = _choice("What is it about?", FeedbackAbout.choices, "Choose what it is about")


class FrameworkForm(GovukForm):
    vision = text_field("Vision", rows=4, max_length=20000)
    values = text_field("Values", rows=4, max_length=20000)
    practice_model = text_field("Practice model", rows=6, max_length=20000)
    desired_outcomes = text_field("Desired outcomes", rows=4, max_length=20000)
    evidence = text_field("Evidence it draws on", rows=4, max_length=20000)
    contributors_practitioners = text_field("Practitioners who contributed", required=False, rows=2)
    contributors_people = text_field(
        "People using services who contributed", required=False, rows=2
    )
    contributors_partners = text_field("Partners who contributed", required=False, rows=2)


class DirectPracticeForm(GovukForm):
    kind = _choice("Kind of practice", DirectPracticeKind.choices, "Choose the kind of practice")
    on = GovukDateField(label="Date", earliest=days_from_today(-730), latest=days_from_today(0))
    hours = forms.DecimalField(
        label="Hours",
        min_value=0.1,
        max_value=HOURS_MAX,
        max_digits=4,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter the hours",
            "invalid": "Enter hours like 2 or 1.5",
            "min_value": "Enter more than 0 hours",
            "max_value": f"Enter {HOURS_MAX} hours or fewer",
            "max_digits": f"Enter {HOURS_MAX} hours or fewer",
            "max_decimal_places": "Enter hours to one decimal place at most",
            "max_whole_digits": f"Enter {HOURS_MAX} hours or fewer",
        },
    )
    team = forms.ModelChoiceField(
        label="Team (optional)", queryset=Team.objects.order_by("name"), required=False
    )
    note = text_field("Note", required=False, rows=2)
