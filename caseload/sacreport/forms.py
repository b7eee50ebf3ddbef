"""The filters of the SAC report and the quality view: choices from lists and one short number,
so nothing typed reaches a query unread."""

from __future__ import annotations

from datetime import date
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from caseload.register.forms import TeamChoiceForm
from caseload.register.models import Team
from caseload.sacreport.quality import SAMPLE_SIZES, months_to
from caseload.ui.forms import GovukForm
from caseload_engine import sac
from caseload_engine.text import ascii_digits

YEARS_OFFERED = 6
MONTHS_OFFERED = 24
FORMATS = (("xlsx", "Excel (.xlsx)"), ("csv", "CSV"), ("json", "JSON"))
RAW = "raw"
COUNTS = (
    ("", "As published: small numbers suppressed"),
    (RAW, "Every count: the council's return to DHSC"),
)
SEED_DIGITS = 9


def years_to(today: date) -> list[sac.FinancialYear]:
    """The financial year today falls in and the five before it, newest first."""
    current = sac.year_of(today)
    return [sac.FinancialYear(current.first - back) for back in range(YEARS_OFFERED)]


class YearForm(GovukForm):
    year = forms.ChoiceField(
        label="Financial year",
        error_messages={
            "invalid_choice": "Choose a financial year from the list",
            "required": "Choose a financial year",
        },
    )

    counts = forms.ChoiceField(
        label="Counts",
        choices=COUNTS,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose published or every count"},
    )

    def __init__(self, data: QueryDict | None, *, today: date) -> None:
        super().__init__(data)
        self.years = years_to(today)
        field = cast("forms.ChoiceField", self.fields["year"])
        field.choices = [(str(year), str(year)) for year in self.years]
        field.initial = str(self.years[0])

    def chosen(self) -> sac.FinancialYear:
        return sac.financial_year(self.cleaned_data["year"])

    @property
    def raw(self) -> bool:
        """Every count (the council's own return), rather than as published."""
        return self.is_bound and self.cleaned_data.get("counts") == RAW


class DownloadForm(YearForm):
    format = forms.ChoiceField(
        label="Format",
        choices=FORMATS,
        error_messages={
            "invalid_choice": "Choose xlsx, csv or json",
            "required": "Choose a format",
        },
    )


class QualityForm(TeamChoiceForm):
    month = forms.ChoiceField(
        label="Up to the month",
        required=False,
        error_messages={"invalid_choice": "Choose a month from the list"},
    )
    size = forms.TypedChoiceField(
        label="Enquiries in the sample",
        choices=[(str(size), str(size)) for size in SAMPLE_SIZES],
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose 5, 10 or 20 enquiries"},
    )
    seed = forms.CharField(
        label="Sample number",
        help_text="The same number gives the same sample again; change it for another.",
        required=False,
        max_length=SEED_DIGITS,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"max_length": f"Enter a sample number of up to {SEED_DIGITS} digits"},
    )

    def __init__(self, data: QueryDict | None, *, teams: QuerySet[Team], today: date) -> None:
        super().__init__(data, teams=teams)
        self.months = list(reversed(months_to(today, MONTHS_OFFERED)))
        # The last whole month unless another is chosen: this one has only begun.
        self.default_month = self.months[1]
        field = cast("forms.ChoiceField", self.fields["month"])
        field.choices = [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in self.months]
        field.initial = f"{self.default_month:%Y-%m}"

    def clean_month(self) -> date:
        chosen = self.cleaned_data.get("month") or f"{self.default_month:%Y-%m}"
        return next(m for m in self.months if f"{m:%Y-%m}" == chosen)

    def clean_seed(self) -> int:
        text = (self.cleaned_data.get("seed") or "").strip()
        if not text:
            return 1
        digits = ascii_digits(text)
        if digits is None:
            raise forms.ValidationError("Enter the sample number in digits, such as 1")
        return int(digits)
