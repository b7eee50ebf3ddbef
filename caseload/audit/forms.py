"""The audit logs' search: sent by POST, so that an NHS number searched for never reaches a
URL, a browser's history or a server's log."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from caseload.accounts.models import User
from caseload.audit.presenters import Directory
from caseload.ui.forms import GovukDateField, GovukForm
from caseload_engine.text import ascii_digits

MAX_USER_ID_DIGITS = 18


class AuditSearchForm(GovukForm):
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=20,
        help_text="Their register id, NHS number or council person id",
    )
    user = forms.CharField(
        label="Who",
        required=False,
        max_length=150,
        help_text="A username, or the user id of someone whose account has gone",
    )
    date_from = GovukDateField(label="From", required=False, help_text="For example, 1 3 2026")
    date_to = GovukDateField(label="To", required=False, help_text="For example, 31 3 2026")
    action = forms.ChoiceField(label="What", required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, actions: list[tuple[str, str]], directory: Directory, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.directory = directory
        cast("forms.ChoiceField", self.fields["action"]).choices = [("", "Anything"), *actions]

    def clean_person(self) -> int | None:
        text = self.cleaned_data["person"].strip()
        if not text:
            return None
        person_id = self.directory.person_id_for(text)
        if person_id is None:
            raise ValidationError("No one on the register has that NHS number or council id")
        return person_id

    def clean_user(self) -> int | None:
        text = self.cleaned_data["user"].strip()
        if not text:
            return None
        digits = ascii_digits(text)
        if digits is not None and len(digits) <= MAX_USER_ID_DIGITS:
            return int(digits)
        user_id = User.objects.filter(username=text).values_list("pk", flat=True).first()
        if user_id is None:
            raise ValidationError("No one has that username")
        return user_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("date_from")
        end: date | None = cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start")
        return cleaned
