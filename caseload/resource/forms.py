"""The resource pages' forms: every input read here before a query or an action sees it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from caseload.register.models import Team
from caseload.resource.models import ESTABLISHMENT_ROLE_CHOICES, MAX_FUNDED_FTE, MIN_FUNDED_FTE
from caseload.ui.forms import GovukDateField, GovukForm, days_from_today

# Up to three whole digits and two decimal places, ASCII only: other scripts' digits, exponents,
# signs and spaces inside are refused before Decimal (which would read them) sees the text.
_FTE = re.compile(r"[0-9]{1,3}(\.[0-9]{0,2})?|\.[0-9]{1,2}")
# The establishment history starts with the service's records; a year ahead is budget-setting.
EARLIEST_EFFECTIVE = date(2000, 1, 1)


class FteField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=10,
            widget=forms.TextInput(
                attrs={
                    "inputmode": "decimal",
                    "spellcheck": "false",
                    "class": "govuk-input--width-5",
                }
            ),
            **kwargs,
        )

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        if not _FTE.fullmatch(text):
            raise ValidationError("Enter the funded FTE as a number, like 6 or 6.5")
        fte = Decimal(text)
        if not MIN_FUNDED_FTE <= fte <= MAX_FUNDED_FTE:
            raise ValidationError(f"Enter a funded FTE from {MIN_FUNDED_FTE} to {MAX_FUNDED_FTE}")
        return fte


class EstablishmentForm(GovukForm):
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.order_by("name"),
        error_messages={
            "required": "Choose the team",
            "invalid_choice": "Choose a team from the list",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *ESTABLISHMENT_ROLE_CHOICES],
        error_messages={
            "required": "Choose the role",
            "invalid_choice": "Choose a role from the list",
        },
    )
    funded_fte = FteField(
        label="Funded FTE",
        help_text="The full-time-equivalent posts funded for the role, like 6.5",
        error_messages={"required": "Enter the funded FTE"},
    )
    effective_from = GovukDateField(
        label="Effective from",
        earliest=EARLIEST_EFFECTIVE,
        latest=days_from_today(366),
        help_text="The first day the funding holds, for example 1 4 2027",
    )
