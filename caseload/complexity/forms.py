from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from caseload.ui.forms import GovukForm
from caseload_engine import complexity

RATIONALE_SUFFIX = "_rationale"


class ScoreForm(GovukForm):
    """One radio group and one short rationale per factor of the model, then reserved functions."""

    def __init__(self, *args: Any, model: complexity.ComplexityModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model = model
        for factor in model.factors:
            self.fields[factor.key] = forms.TypedChoiceField(
                label=factor.name,
                coerce=int,
                choices=[
                    (score, f"{score} — {level.label}")
                    for score, level in zip(complexity.LEVELS, factor.levels, strict=True)
                ],
                widget=forms.RadioSelect,
                error_messages={"required": f"Select a score for {factor.name}"},
            )
            self.fields[factor.key + RATIONALE_SUFFIX] = forms.CharField(
                label=f"Why {factor.name.lower()} scores this",
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=1000,
                error_messages={"required": f"Give a short reason for the {factor.name} score"},
            )
        if model.reserved_functions:
            self.fields["reserved_functions"] = forms.MultipleChoiceField(
                label="Reserved functions this case needs",
                help_text="Each needs a registered social worker, whatever the tier",
                choices=[(function.key, function.name) for function in model.reserved_functions],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def factor_groups(self) -> list[dict[str, Any]]:
        """Per factor: its radios with their descriptors, and its rationale box."""
        groups = []
        for factor in self.model.factors:
            field = self[factor.key]
            groups.append(
                {
                    "factor": factor,
                    "field": field,
                    "radios": [
                        {"radio": radio, "descriptor": level.descriptor}
                        for radio, level in zip(field, factor.levels, strict=True)
                    ],
                    "rationale": self[factor.key + RATIONALE_SUFFIX],
                }
            )
        return groups

    def scores(self) -> dict[str, int]:
        return {factor.key: self.cleaned_data[factor.key] for factor in self.model.factors}

    def rationales(self) -> dict[str, str]:
        return {
            factor.key: self.cleaned_data[factor.key + RATIONALE_SUFFIX]
            for factor in self.model.factors
        }

    def reserved_functions(self) -> list[str]:
        return list(self.cleaned_data.get("reserved_functions", []))

    def partial_scores(self) -> dict[str, int]:
        """Factors scored so far (submitted, or the scores being revised), for the live total."""
        source = self.data if self.is_bound else self.initial
        scored: dict[str, int] = {}
        for factor in self.model.factors:
            raw = str(source.get(factor.key, ""))
            if raw in {"1", "2", "3"}:
                scored[factor.key] = int(raw)
        return scored


class OverrideForm(GovukForm):
    tier = forms.TypedChoiceField(
        label="Tier to use instead",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the tier to use instead"},
    )
    reason = forms.CharField(
        label="Why professional judgement differs from the score",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Give the reason for overriding the tier"},
    )

    def __init__(
        self, *args: Any, model: complexity.ComplexityModel, scored_tier: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        tier_field = cast("forms.TypedChoiceField", self.fields["tier"])
        tier_field.choices = [
            (band.tier, f"Tier {band.tier} ({band.points} points)")
            for band in model.tiers
            if band.tier != scored_tier
        ]


class ModelDefinitionForm(GovukForm):
    definition = forms.CharField(
        label="Model (YAML)",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        help_text="Factors with three levels each, tiers covering every total, points and roles",
        error_messages={"required": "Enter the model"},
    )
    change_note = forms.CharField(
        label="What changed in this version",
        max_length=300,
        error_messages={"required": "Say what changed in this version"},
    )

    def clean_definition(self) -> str:
        text = str(self.cleaned_data["definition"])
        try:
            complexity.loads(text)
        except complexity.ModelError as error:
            raise ValidationError(str(error)) from None
        return text
