"""The annual report's forms."""

from __future__ import annotations

from django import forms

from caseload.decisions.forms import text_field
from caseload.ui.forms import GovukDateField, GovukForm, days_from_today, validate_text


class DraftForm(GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        validators=[validate_text],
        error_messages={"required": "Give the report a title"},
    )
    start = GovukDateField(
        label="Start of the period", earliest=days_from_today(-3650), latest=days_from_today(0)
    )
    end = GovukDateField(
        label="End of the period", earliest=days_from_today(-3650), latest=days_from_today(366)
    )


class SectionForm(GovukForm):
    text = text_field(
        "The section's words",
        required=False,
        rows=14,
        max_length=50000,
        help_text="Paragraphs separated by a blank line. The tables stay as the data gives them.",
    )

    def paragraphs(self) -> list[str]:
        text: str = self.cleaned_data["text"].replace("\r\n", "\n")
        return [p.strip() for p in text.split("\n\n") if p.strip()]
