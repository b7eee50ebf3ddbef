from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from caseload.ui.forms import GovukForm
from caseload_engine import complexity
from caseload_engine.reference import ROLE_LABELS, Role

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


def _text_field(label: str, max_length: int, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"required": f"Enter the {label.lower()}"},
    )


class ModelDetailsForm(GovukForm):
    """The form-based editor's own fields: the model's name and the change note."""

    name = _text_field("Model name", complexity.NAME_LENGTH)
    change_note = forms.CharField(
        label="What changed in this version",
        max_length=300,
        error_messages={"required": "Say what changed in this version"},
    )


class FactorForm(GovukForm):
    """One factor: its key, name, source and its three levels (scores 1 to 3)."""

    key = _text_field("Key", complexity.KEY_LENGTH)
    name = _text_field("Name", complexity.NAME_LENGTH)
    source = _text_field("Source", complexity.SOURCE_LENGTH, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].widget.attrs["spellcheck"] = "false"
        for score in complexity.LEVELS:
            self.fields[f"label_{score}"] = _text_field(
                f"Level {score} label", complexity.LABEL_LENGTH
            )
            self.fields[f"descriptor_{score}"] = forms.CharField(
                label=f"Level {score} descriptor",
                max_length=complexity.DESCRIPTOR_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
                error_messages={"required": f"Enter the level {score} descriptor"},
            )

    def levels(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"label_{s}"], self[f"descriptor_{s}"]) for s in complexity.LEVELS]

    def as_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": data["key"],
            "name": data["name"],
            "source": data["source"],
            "levels": [
                {"label": data[f"label_{s}"], "descriptor": data[f"descriptor_{s}"]}
                for s in complexity.LEVELS
            ],
        }

    @staticmethod
    def initial_for(factor: complexity.Factor) -> dict[str, Any]:
        initial: dict[str, Any] = {"key": factor.key, "name": factor.name, "source": factor.source}
        for score, level in zip(complexity.LEVELS, factor.levels, strict=True):
            initial[f"label_{score}"] = level.label
            initial[f"descriptor_{score}"] = level.descriptor
        return initial


def _whole_field(label: str, least: int, most: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=least,
        max_value=most,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"The {label.lower()} must be a whole number",
            "min_value": f"The {label.lower()} must be {least} or more",
            "max_value": f"The {label.lower()} must be {most:,} or less",
        },
    )


class TierForm(GovukForm):
    """One tier (band of totals): its number, the totals it holds, its points and who holds it."""

    tier = _whole_field("Tier", 1, complexity.MAX_TIER_NUMBER)
    minimum = _whole_field("Lowest total", 0, 3 * complexity.MAX_FACTORS)
    maximum = _whole_field("Highest total", 0, 3 * complexity.MAX_FACTORS)
    points = _whole_field("Points", 1, complexity.MAX_TIER_POINTS)
    roles = forms.MultipleChoiceField(
        label="Who may hold it",
        choices=[(role.value, ROLE_LABELS[role]) for role in Role],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role that may hold this tier"},
    )

    def as_data(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in ("tier", "minimum", "maximum", "points")} | {
            "roles": list(self.cleaned_data["roles"])
        }

    @staticmethod
    def initial_for(band: complexity.TierBand) -> dict[str, Any]:
        return {
            "tier": band.tier,
            "minimum": band.minimum,
            "maximum": band.maximum,
            "points": band.points,
            "roles": sorted(band.roles),
        }


class _RowsFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Rows that the editor can remove, each with its own, named, checkbox."""

    noun = "row"

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {self.noun}"
            form.fields["DELETE"].widget.attrs["class"] = "govuk-checkboxes__input"


class _FactorRows(_RowsFormSet):
    noun = "factor"


class _TierRows(_RowsFormSet):
    noun = "tier"


# Bounded both ways: a post cannot ask for more rows than a model may hold.
FactorFormSet = forms.formset_factory(
    FactorForm,
    formset=_FactorRows,
    extra=0,
    can_delete=True,
    max_num=complexity.MAX_FACTORS,
    absolute_max=complexity.MAX_FACTORS,
    validate_max=True,
)
TierFormSet = forms.formset_factory(
    TierForm,
    formset=_TierRows,
    extra=0,
    can_delete=True,
    max_num=complexity.MAX_TIERS,
    absolute_max=complexity.MAX_TIERS,
    validate_max=True,
)
