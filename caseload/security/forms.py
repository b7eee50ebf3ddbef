from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from caseload.security.two_factor import normalise_code
from caseload.ui.forms import GovukForm


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not (code.isascii() and code.isalnum()) or len(code) > 16:
            raise ValidationError("Enter the code as it is shown, letters and numbers only")
        return code
