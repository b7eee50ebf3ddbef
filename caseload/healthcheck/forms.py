"""The survey's forms: a round opened by the principal social worker, and a practitioner's
answers."""

from __future__ import annotations

from django import forms

from caseload.healthcheck.models import CASES_MAX, WEEKLY_HOURS_MAX, Likert
from caseload.ui.forms import GovukDateField, GovukForm, days_from_today, validate_name


class RoundForm(GovukForm):
    period = forms.CharField(
        label="Period",
        max_length=40,
        help_text="What the round is for, as the report will name it: for example, 2026",
        validators=[validate_name],
        error_messages={"required": "Enter the period the round is for"},
    )
    opens_on = GovukDateField(
        label="Opens on", earliest=days_from_today(-365), latest=days_from_today(365)
    )
    closes_on = GovukDateField(
        label="Closes on", earliest=days_from_today(-365), latest=days_from_today(730)
    )


def _likert(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=Likert.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how far you agree", "invalid_choice": "Choose one"},
    )


def _count(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=CASES_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter a number of cases (0 if none)",
            "invalid": "Enter a whole number of cases, like 18",
            "min_value": "Enter 0 or more",
            "max_value": f"Enter {CASES_MAX} or fewer",
        },
    )


class AnswerForm(GovukForm):
    weekly_hours = forms.DecimalField(
        label="How many hours do you work in a usual week?",
        help_text="Including hours worked beyond your contract: for example, 39.5",
        min_value=0,
        max_value=WEEKLY_HOURS_MAX,
        max_digits=4,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter the hours you work in a usual week",
            "invalid": "Enter a number of hours, like 37 or 39.5",
            "min_value": "Enter 0 or more",
            "max_value": f"Enter {WEEKLY_HOURS_MAX} or fewer",
            "max_digits": "Enter a number of hours, like 37 or 39.5",
            "max_decimal_places": "Enter hours to one decimal place at most",
            "max_whole_digits": f"Enter {WEEKLY_HOURS_MAX} or fewer",
        },
    )
    caseload = _count("How many cases do you hold now?", "Open cases allocated to you")
    new_cases_expected = _count(
        "How many new cases do you expect to be allocated next month?", "Your best guess"
    )
    allocated_fairly = _likert("Work is allocated fairly in my team")
    can_discuss_workload = _likert("I can discuss my workload with my managers")
