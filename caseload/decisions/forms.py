"""The forms of the decisions pages: every input read here before an action sees it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from caseload.decisions.actions import DecisionDetails, SchemeLevels
from caseload.decisions.models import (
    MAX_WEEKLY_AMOUNT,
    DecisionKind,
    LegalBasis,
    PracticeEscalation,
    SignOffLevel,
)
from caseload.ui.forms import GovukForm, validate_text


def text_field(label: str, *, required: bool = True, rows: int = 3, **kwargs: Any) -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        max_length=kwargs.pop("max_length", 4000),
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[validate_text],
        error_messages={"required": kwargs.pop("required_message", f"Enter {label.lower()}")},
        **kwargs,
    )


def weekly_amount_field(
    label: str, *, minimum: Decimal = Decimal(0), **kwargs: Any
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=minimum,
        max_value=MAX_WEEKLY_AMOUNT,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the amount in pounds, like 1250 or 1250.50",
            "max_value": f"Enter an amount up to £{MAX_WEEKLY_AMOUNT:,.2f} a week",
            "min_value": f"Enter an amount of £{minimum} or more",
            "max_digits": f"Enter an amount up to £{MAX_WEEKLY_AMOUNT:,.2f} a week",
            "max_decimal_places": "Enter the amount to the penny at most",
            "max_whole_digits": f"Enter an amount up to £{MAX_WEEKLY_AMOUNT:,.2f} a week",
        },
        **kwargs,
    )


class DecisionForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of decision",
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of decision"},
    )
    weekly_amount = weekly_amount_field(
        "Amount (£ a week)", required=False, help_text="For a funding decision only"
    )
    summary = text_field("What was decided")
    options_considered = text_field("Options considered")
    rationale = text_field("Rationale", required_message="Give the rationale for the decision")
    legal_basis = forms.ChoiceField(
        label="The law or policy it rests on",
        choices=[("", "Choose"), *LegalBasis.choices],
        error_messages={"required": "Choose the law or policy the decision rests on"},
    )
    legal_basis_detail = forms.CharField(
        label="Section, paragraph or local policy",
        required=False,
        max_length=300,
        validators=[validate_text],
        help_text="Required for a local policy: its name",
    )
    risks = text_field("Risks", required=False)
    positive_risk_taking = forms.BooleanField(
        label="Positive risk-taking agreed with the person", required=False
    )
    persons_view = text_field("The person's own view")
    against_wishes = forms.BooleanField(
        label="This decision goes against the person's expressed wishes", required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == DecisionKind.FUNDING and cleaned.get("weekly_amount") is None:
            if "weekly_amount" not in self.errors:
                self.add_error("weekly_amount", "Enter the weekly amount of the funding")
        elif kind and kind != DecisionKind.FUNDING and cleaned.get("weekly_amount") is not None:
            self.add_error(
                "weekly_amount", "Only a funding decision has a weekly amount: leave it blank"
            )
        if (
            cleaned.get("legal_basis") == LegalBasis.LOCAL_POLICY
            and not cleaned.get("legal_basis_detail", "").strip()
        ):
            self.add_error("legal_basis_detail", "Name the local policy")
        return cleaned

    def details(self) -> DecisionDetails:
        data = self.cleaned_data
        return DecisionDetails(
            kind=data["kind"],
            summary=data["summary"],
            options_considered=data["options_considered"],
            rationale=data["rationale"],
            legal_basis=data["legal_basis"],
            legal_basis_detail=data["legal_basis_detail"],
            risks=data["risks"],
            positive_risk_taking=data["positive_risk_taking"],
            persons_view=data["persons_view"],
            against_wishes=data["against_wishes"],
            weekly_amount=data["weekly_amount"],
        )


class RequestSignOffForm(GovukForm):
    note = text_field(
        "What has changed since it was returned", required=False, rows=3, max_length=2000
    )


class SignOffAnswerForm(GovukForm):
    APPROVE, RETURN = "approve", "return"
    answer = forms.ChoiceField(
        label="Your answer",
        choices=[(APPROVE, "Sign off the decision"), (RETURN, "Return it with comments")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign off the decision or return it"},
    )
    comments = text_field(
        "Comments", required=False, rows=4, max_length=2000, help_text="Required to return it"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == self.RETURN and not cleaned.get("comments", "").strip():
            self.add_error("comments", "Say what needs to change before it can be signed off")
        return cleaned


class EscalationForm(GovukForm):
    nature = forms.ChoiceField(
        label="The case is",
        choices=PracticeEscalation.Nature.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the case is complex or controversial"},
    )
    question = text_field(
        "Your question for the principal social worker",
        required_message="Ask the principal social worker your question",
    )


class AdviceForm(GovukForm):
    advice = text_field("Your advice", rows=5, required_message="Write your advice")


class ReferForm(GovukForm):
    note = text_field(
        "What you ask the director, and your view",
        rows=4,
        required_message="Say what you are asking the director, and your view",
    )


class DirectorDecisionForm(GovukForm):
    decision = text_field(
        "The director's decision", rows=5, required_message="Write the director's decision"
    )


def _level_field(label: str) -> forms.ChoiceField:
    # Blank is a choice ("No sign-off"), so the field is not required.
    return forms.ChoiceField(
        label=label, choices=SignOffLevel.choices, required=False, widget=forms.RadioSelect
    )


class SchemeForm(GovukForm):
    closing_tier3 = _level_field("Closing a Tier 3 case needs sign-off by")
    against_wishes = _level_field(
        "A decision against the person's expressed wishes needs sign-off by"
    )
    safeguarding = _level_field("A safeguarding decision needs sign-off by")
    funding_above_threshold = _level_field(
        "A funding decision above the threshold needs sign-off by"
    )
    funding_threshold = weekly_amount_field(
        "Funding threshold (£ a week)",
        minimum=Decimal("0.01"),
        help_text="A funding decision above this amount a week needs the sign-off above",
    )
    by_asye = _level_field("Any decision by a practitioner in their ASYE needs sign-off by")
    change_note = forms.CharField(
        label="What changed and why",
        max_length=300,
        validators=[validate_text],
        error_messages={"required": "Say what changed and why"},
    )

    def scheme_levels(self) -> SchemeLevels:
        data = self.cleaned_data
        return SchemeLevels(
            closing_tier3=data["closing_tier3"],
            against_wishes=data["against_wishes"],
            safeguarding=data["safeguarding"],
            funding_above_threshold=data["funding_above_threshold"],
            funding_threshold=data["funding_threshold"],
            by_asye=data["by_asye"],
        )
