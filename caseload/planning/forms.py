"""The planning pages' forms: the scenario as YAML (typed, or uploaded as a file), a plan's
name, and the plans to compare. A scenario is read by the engine's own reader, so an error is
the engine's message naming the key (`tiers[1].duration_weeks.mean: must be > 0`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from caseload.planning.models import NAME_MAX, WorkforcePlan
from caseload.ui.forms import GovukForm
from caseload_engine import complexity
from caseload_engine.planning import Scenario, ScenarioError, loads

MAX_BYTES = complexity.MAX_BYTES
COMPARE_MOST = 4


def _scenario(text: str) -> Scenario:
    try:
        return loads(text)
    except ScenarioError as error:
        raise forms.ValidationError(str(error), code="scenario") from None


class ScenarioForm(GovukForm):
    scenario = forms.CharField(
        label="Assumptions (YAML)",
        help_text="Every key is described in the README's \u201cWorkforce planning\u201d. Keys "
        "not known are refused.",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        strip=False,
    )
    # Set when the text came from the register's calibration: the run keeps the fit with it.
    calibrated = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_scenario(self) -> Scenario:
        return _scenario(self.cleaned_data["scenario"])


class UploadForm(GovukForm):
    file = forms.FileField(
        label="Upload a scenario",
        help_text=f"A YAML file as downloaded from a plan, at most {MAX_BYTES // 1000:,} KB.",
    )

    def clean_file(self) -> str:
        """The file's text, once it reads as a scenario (read no further than the limit)."""
        upload = self.cleaned_data["file"]
        raw = upload.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise forms.ValidationError(
                f"The file must be at most {MAX_BYTES:,} bytes", code="too_large"
            )
        try:
            text: str = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file must be UTF-8 text (YAML)") from None
        _scenario(text)
        return text


class NameForm(GovukForm):
    name = forms.CharField(label="Name", max_length=NAME_MAX)


class CompareForm(GovukForm):
    """The plans by id, among the saved ones (compared as text, so no id reaches the database
    unless it is one of theirs), in the order chosen."""

    plans = forms.MultipleChoiceField(
        label="Plans to compare",
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Choose from 2 to {COMPARE_MOST} saved plans.",
    )

    def __init__(self, *args: Any, saved: QuerySet[WorkforcePlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved = saved
        choices = [(str(pk), name) for pk, name in saved.values_list("pk", "name")]
        cast("forms.MultipleChoiceField", self.fields["plans"]).choices = choices

    def clean_plans(self) -> list[WorkforcePlan]:
        chosen = list(dict.fromkeys(self.cleaned_data["plans"]))
        if not 2 <= len(chosen) <= COMPARE_MOST:
            raise forms.ValidationError(f"Choose from 2 to {COMPARE_MOST} plans to compare")
        found = self.saved.in_bulk([int(pk) for pk in chosen])
        return [found[int(pk)] for pk in chosen]
