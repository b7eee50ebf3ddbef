"""Workload forms: every field checked here, and again by the actions and the database."""

from __future__ import annotations

from typing import Any

from django import forms

from caseload.ui.forms import GovukDateField, GovukForm, days_from_today, today
from caseload.workload.models import (
    CONCERN_LENGTH,
    EXTRA_HOURS_RANGE,
    LEVEL_RANGE,
    NOTE_LENGTH,
)

_LOW, _HIGH = LEVEL_RANGE
_NUMERIC = forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"})


def _percent(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=_LOW,
        max_value=_HIGH,
        widget=_NUMERIC,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a whole number, like 90",
            # %% since Django fills in %(limit_value)s in these two.
            "min_value": f"Enter a level of at least {_LOW}%%",
            "max_value": f"Enter a level of at most {_HIGH}%%",
        },
    )


def _text(label: str, length: int, *, required: bool = True, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"Keep it to {length} characters",
        },
    )


class SafeWorkingLevelForm(GovukForm):
    amber_percent = _percent(
        "Amber level", "Utilisation above this share of capacity shows amber, as a warning."
    )
    red_percent = _percent(
        "Red level",
        "Utilisation above this is over the safe level: red. Two weeks over it goes to the "
        "principal social worker.",
    )
    agreed_on = GovukDateField(label="Date agreed", earliest=days_from_today(-3660), latest=today)
    agreed_with = _text("Who agreed them", NOTE_LENGTH, rows=2)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        amber, red = cleaned.get("amber_percent"), cleaned.get("red_percent")
        if amber is not None and red is not None and amber >= red:
            self.add_error("amber_percent", "The amber level must be below the red level")
        return cleaned


class ExtraHoursForm(GovukForm):
    worked_on = GovukDateField(label="Day worked", earliest=days_from_today(-366), latest=today)
    hours = forms.DecimalField(
        label="Hours beyond your contract",
        help_text="In hours, to the quarter hour: 1.5 is an hour and a half.",
        min_value=EXTRA_HOURS_RANGE[0],
        max_value=EXTRA_HOURS_RANGE[1],
        max_digits=4,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter the hours",
            "invalid": "Enter the hours as a number, like 1.5",
            "min_value": "Enter at least a quarter of an hour (0.25)",
            "max_value": "Enter at most 24 hours",
            "max_digits": "Enter the hours as a number, like 1.5",
            "max_decimal_places": "Enter the hours to at most 2 decimal places",
            "max_whole_digits": "Enter at most 24 hours",
        },
    )
    note = _text("What the hours were for (optional)", NOTE_LENGTH, required=False, rows=2)


class ConcernForm(GovukForm):
    concern = _text("What makes your workload unsafe", CONCERN_LENGTH)


class AnswerForm(GovukForm):
    response = _text("Your answer", CONCERN_LENGTH)
