"""The form for a progression review: the outcome, the evidence against each PCF domain and
each KSS statement, the assessor's comments. All of it valid, or nothing is recorded. The ASYE
adds their own comments afterwards, on a form of their own."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from caseload.accounts.models import User
from caseload.asye.models import Programme
from caseload.register.models import Practitioner
from caseload.ui.forms import GovukDateField, GovukForm, days_from_today, today
from caseload_engine import asye
from caseload_engine.reference import Role

# A programme may be recorded up to a year after it started, or planned up to 3 months ahead.
START_WINDOW_DAYS = (-365, 92)
# Who may assess: a qualified colleague in the ASYE's team, or a practice educator anywhere.
ASSESSOR_ROLES = (
    Role.SOCIAL_WORKER,
    Role.EXPERIENCED,
    Role.ADVANCED,
    Role.TEAM_MANAGER,
    Role.PRINCIPAL_SOCIAL_WORKER,
)
PRACTICE_EDUCATOR = "practice_educator"
EVIDENCE_MAX = 2000
COMMENTS_MAX = 4000
# Line breaks and tabs are what a textarea legitimately holds; other controls are not text.
_ALLOWED_CONTROLS = frozenset("\n\r\t")


def validate_text(value: str) -> None:
    if any(unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS for char in value):
        raise ValidationError("The text must not contain control characters")


def _text(label: str, *, max_length: int, required: bool = True, rows: int = 3) -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


def pcf_field(code: str) -> str:
    return f"pcf_{code}"


def kss_field(code: str) -> str:
    return f"kss_{code}"


class ReviewForm(GovukForm):
    def __init__(self, *args: Any, programme: Programme, months: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.months = months
        self.fields["held_on"] = GovukDateField(
            label="Date the review was held", earliest=programme.starts_on, latest=today
        )
        self.fields["outcome"] = forms.ChoiceField(
            label="Outcome",
            choices=asye.outcome_choices(months),
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose the outcome of the review",
                "invalid_choice": "Choose the outcome of the review",
            },
        )
        for code, label in asye.PCF_DOMAINS:
            self.fields[pcf_field(code)] = _text(
                f"Evidence for {label}", max_length=EVIDENCE_MAX, rows=2
            )
        for code, label in asye.KSS_ADULTS:
            self.fields[kss_field(code)] = _text(
                f"Evidence for {label}", max_length=EVIDENCE_MAX, rows=2
            )
        self.fields["assessor_comments"] = _text(
            "The assessor's comments", max_length=COMMENTS_MAX, rows=5
        )
        # Field order as the page reads: the framework sections come between outcome and comments.
        self.pcf_fields = [self[pcf_field(code)] for code, _ in asye.PCF_DOMAINS]
        self.kss_fields = [self[kss_field(code)] for code, _ in asye.KSS_ADULTS]

    def evidence(self, prefix: str) -> dict[str, str]:
        choices = asye.PCF_DOMAINS if prefix == "pcf" else asye.KSS_ADULTS
        return {code: self.cleaned_data[f"{prefix}_{code}"] for code, _ in choices}


class CommentsForm(GovukForm):
    """The ASYE's own comments on a review."""

    asye_comments = _text("Your comments", max_length=COMMENTS_MAX, rows=6)


class AssessorChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        practitioner = obj.practitioner
        team = practitioner.team.name if practitioner.team else "no team"
        return f"{practitioner.full_name} ({practitioner.get_role_display()}, {team})"


def assessors_for(practitioner: Practitioner) -> QuerySet[User]:
    colleagues = Q(
        practitioner__team_id=practitioner.team_id, practitioner__role__in=ASSESSOR_ROLES
    )
    educators = Q(practitioner__specialisms__code=PRACTICE_EDUCATOR)
    return (
        User.objects.filter(colleagues | educators, is_active=True, practitioner__left_on=None)
        .exclude(practitioner=practitioner)
        .select_related("practitioner__team")
        .distinct()
        .order_by("practitioner__family_name", "practitioner__given_name", "pk")
    )


class StartForm(GovukForm):
    def __init__(self, *args: Any, practitioner: Practitioner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        earliest, latest = START_WINDOW_DAYS
        self.fields["starts_on"] = GovukDateField(
            label="Start date",
            earliest=days_from_today(earliest),
            latest=days_from_today(latest),
        )
        self.fields["assessor"] = AssessorChoice(
            queryset=assessors_for(practitioner),
            label="Assessor",
            empty_label="Choose the assessor",
            error_messages={
                "required": "Choose the assessor",
                "invalid_choice": "Choose the assessor from the list",
            },
        )
