"""The demand page's filters (all in the URL, so that a view can be shared) and the
contingency plan's form."""

from __future__ import annotations

from datetime import date
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from caseload.demand.figures import UNSCORED
from caseload.demand.models import CONTINGENCY_PLAN_MAX_LENGTH
from caseload.register.forms import TeamChoiceForm
from caseload.register.models import Team
from caseload.ui.forms import GovukForm
from caseload_engine import reference

WEEK_CHOICES = [("13", "13 weeks"), ("26", "26 weeks"), ("52", "52 weeks"), ("104", "104 weeks")]
DEFAULT_WEEKS = 52
# The earliest day a period may end on: no council's records go further back.
EARLIEST = date(2000, 1, 1)


class DemandFilterForm(TeamChoiceForm):
    """Choices only, and one ISO date: no typed number reaches a query."""

    tier = forms.ChoiceField(
        label="Tier",
        required=False,
        error_messages={"invalid_choice": "Choose a tier from the list"},
    )
    route = forms.ChoiceField(
        label="Route of access",
        choices=[("", "Every route"), *reference.ROUTE_OF_ACCESS_CHOICES],
        required=False,
        error_messages={"invalid_choice": "Choose a route from the list"},
    )
    weeks = forms.TypedChoiceField(
        label="Period",
        choices=WEEK_CHOICES,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose 13, 26, 52 or 104 weeks"},
    )
    until = forms.DateField(
        label="Up to",
        help_text="The whole weeks before this day, for example 2026-03-31. Blank for today.",
        input_formats=["%Y-%m-%d"],
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"invalid": "Enter a date such as 2026-03-31"},
    )

    def __init__(
        self, data: QueryDict | None, *, teams: QuerySet[Team], tiers: list[int], today: date
    ) -> None:
        super().__init__(data, teams=teams)
        self.today = today
        tier_field = cast("forms.ChoiceField", self.fields["tier"])
        tier_field.choices = [
            ("", "Every tier"),
            *((str(tier), f"Tier {tier}") for tier in tiers),
            (UNSCORED, "Not scored yet"),
        ]

    def clean_until(self) -> date | None:
        until = cast("date | None", self.cleaned_data.get("until"))
        if until is not None and not EARLIEST <= until <= self.today:
            raise forms.ValidationError(
                f"Enter a date from {EARLIEST:%Y-%m-%d} to today", code="out_of_range"
            )
        return until


class ContingencyPlanForm(GovukForm):
    text = forms.CharField(
        label="Contingency plan",
        help_text=(
            "What the team does when demand exceeds capacity: who is asked for help, which "
            "work waits, when the principal social worker and director are told."
        ),
        max_length=CONTINGENCY_PLAN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter the contingency plan",
            "max_length": f"Keep the plan to {CONTINGENCY_PLAN_MAX_LENGTH} characters",
        },
    )
