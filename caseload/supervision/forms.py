"""The supervision forms: a session with its case discussions and actions (formsets), the
supervisee's comment, an addendum, an agreement."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from caseload.register.models import Case
from caseload.supervision.models import MINUTES_MAX, MINUTES_MIN, SessionKind
from caseload.ui.forms import GovukDateField, GovukForm, days_from_today, today
from caseload_engine import supervision as rules
from caseload_engine.reference import ROLE_LABELS, Role

NOTE_LENGTH = 10_000
SHORT_LENGTH = 200
# Nobody records supervision from before the service kept it, nor plans an action decades on.
EARLIEST = date(2000, 1, 1)
OWNERS = [("supervisee", "The supervisee"), ("supervisor", "The supervisor")]
MAX_DISCUSSIONS = 30
MAX_ACTIONS = 30


def _note(label: str, *, required: bool = False, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"The {label.lower()} must be {NOTE_LENGTH:,} characters or fewer",
        },
        **kwargs,
    )


def _short(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=SHORT_LENGTH,
        error_messages={
            "required": f"Enter {label.lower()}",
            "max_length": f"{label} must be {SHORT_LENGTH} characters or fewer",
        },
    )


class SessionForm(GovukForm):
    held_on = GovukDateField(label="Date of the session", earliest=EARLIEST, latest=today)
    minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=MINUTES_MIN,
        max_value=MINUTES_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the length of the session in minutes",
            "invalid": "The length must be a whole number of minutes",
            "min_value": f"The length must be at least {MINUTES_MIN} minute",
            "max_value": f"The length must be {MINUTES_MAX} minutes or less",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of session",
        choices=SessionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of session"},
    )
    agenda = _note("Agenda", rows=3)
    workload_review = _note("Workload review")
    wellbeing = _note("Wellbeing")
    reflection = _note("Reflection and learning")
    cpd = _note("CPD", help_text="Continuing professional development: what and when")


class _ActionFields(GovukForm):
    """One action: what, who, by when. Left empty, the row is no action."""

    action = _note("Action", rows=2)
    owner = forms.ChoiceField(
        label="Who does it",
        choices=OWNERS,
        required=False,
        initial="supervisee",
        error_messages={"invalid_choice": "Choose the supervisee or the supervisor"},
    )
    due_on = GovukDateField(
        label="Due by", earliest=EARLIEST, latest=days_from_today(3 * 366), required=False
    )
    # Which open action of the record this row is, when changing it: it keeps its id.
    action_id = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Open the record again: the page was changed",
            "min_value": "Open the record again: the page was changed",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action", "").strip():
            if not data.get("owner"):
                self.add_error("owner", "Choose who does the action")
            if data.get("due_on") is None and "due_on" not in self.errors:
                self.add_error("due_on", "Enter the date the action is due by")
        return data


class _CaseField(forms.ModelChoiceField[Case]):
    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.person.full_name} (case {obj.pk})"


class DiscussionForm(_ActionFields):
    """A case discussed, the decision, and an action from it."""

    case = _CaseField(
        label="Case",
        queryset=Case.objects.none(),
        empty_label="Choose a case",
        error_messages={
            "required": "Choose the case discussed",
            "invalid_choice": "Choose one of the supervisee's cases",
        },
    )
    discussion = _note("Discussion", required=True)
    decision = _note("Decision", rows=2)
    field_order = ["case", "discussion", "decision", "action", "owner", "due_on", "action_id"]

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].label = "Action from this discussion"
        cast(_CaseField, self.fields["case"]).queryset = cases


class ActionForm(_ActionFields):
    """An action not about one case, or another about a case discussed (the discussion holds
    one)."""

    case = _CaseField(
        label="About the case",
        queryset=Case.objects.none(),
        required=False,
        empty_label="Not about one case",
        error_messages={"invalid_choice": "Choose one of the supervisee's cases"},
    )
    field_order = ["case", "action", "owner", "due_on", "action_id"]

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_CaseField, self.fields["case"]).queryset = cases


class _Rows(forms.BaseFormSet):  # type: ignore[type-arg]
    noun = "row"

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {self.noun}"
            form.fields["DELETE"].widget.attrs["class"] = "govuk-checkboxes__input"


class _CaseRows(_Rows):
    """Rows that each pick one of the cases."""

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        self.cases = cases
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "cases": self.cases}


class _DiscussionRows(_CaseRows):
    noun = "discussion"

    def clean(self) -> None:
        seen: set[int] = set()
        for form in self.forms:
            if not form.cleaned_data or form in self.deleted_forms:
                continue
            case = form.cleaned_data.get("case")
            if case is None:
                continue
            if case.pk in seen:
                form.add_error("case", "This case is already discussed above: one entry per case")
            seen.add(case.pk)


class _ActionRows(_CaseRows):
    noun = "action"


# Bounded both ways: a post cannot ask for more rows than a session may hold.
DiscussionFormSet = cast(
    "type[_DiscussionRows]",
    forms.formset_factory(
        DiscussionForm,
        formset=_DiscussionRows,
        extra=2,
        can_delete=True,
        max_num=MAX_DISCUSSIONS,
        absolute_max=MAX_DISCUSSIONS,
        validate_max=True,
    ),
)
ActionFormSet = cast(
    "type[_ActionRows]",
    forms.formset_factory(
        ActionForm,
        formset=_ActionRows,
        extra=2,
        can_delete=True,
        max_num=MAX_ACTIONS,
        absolute_max=MAX_ACTIONS,
        validate_max=True,
    ),
)


class CommentForm(GovukForm):
    comment = _note("Your comment", required=True)


class AddendumForm(GovukForm):
    text = _note(
        "Addendum",
        required=True,
        help_text="The record is signed by both, so it stays as it was; this is added after it",
    )


class AgreementForm(GovukForm):
    frequency = _short("How often")
    place = _short("Where")
    if_missed = _note("What happens if a session is missed", required=True, rows=3)
    starts_on = GovukDateField(label="Starts on", earliest=EARLIEST, latest=days_from_today(366))


# The editor offers this many step rows per policy (the engine allows up to MAX_STEPS).
EDIT_STEPS = 4
INTERVALS = [("", "No step"), *((i.value, i.adverb.capitalize()) for i in rules.Interval)]
UNITS = [("weeks", "weeks"), ("months", "months")]


class PolicyForm(GovukForm):
    """One policy: its name, the minutes a session needs to count, and its steps (an interval
    until so many weeks or months after the start in post; the last step has no end)."""

    label = forms.CharField(
        label="Name",
        max_length=rules.MAX_LABEL_LENGTH,
        error_messages={"required": "Enter the policy's name"},
    )
    minimum_minutes = forms.IntegerField(
        label="A session counts from (minutes)",
        min_value=rules.MIN_MINUTES_BOUNDS[0],
        max_value=rules.MIN_MINUTES_BOUNDS[1],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the minutes a session needs to count",
            "invalid": "The minutes must be a whole number",
            "min_value": f"The minutes must be at least {rules.MIN_MINUTES_BOUNDS[0]}",
            "max_value": f"The minutes must be {rules.MIN_MINUTES_BOUNDS[1]} or less",
        },
    )

    def __init__(self, *args: Any, key: str, prefix: str | None = None, **kwargs: Any) -> None:
        self.key = key
        super().__init__(*args, prefix=prefix or f"policy-{key}", **kwargs)
        for number in range(1, EDIT_STEPS + 1):
            self.fields[f"step_{number}_interval"] = forms.ChoiceField(
                label=f"Step {number}: how often",
                choices=INTERVALS,
                required=False,
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
            self.fields[f"step_{number}_until"] = forms.IntegerField(
                label=f"Step {number}: until, after the start in post",
                required=False,
                min_value=1,
                max_value=rules.UNTIL_WEEKS_BOUNDS[1],
                help_text="Leave blank for the last step",
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}
                ),
                error_messages={
                    "invalid": "The number must be a whole number",
                    "min_value": "The number must be at least 1",
                    "max_value": f"The number must be {rules.UNTIL_WEEKS_BOUNDS[1]} or less",
                },
            )
            self.fields[f"step_{number}_unit"] = forms.ChoiceField(
                label=f"Step {number}: in",
                choices=UNITS,
                required=False,
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )

    def removing(self) -> bool:
        """Whether the PSW asks to remove this policy (its other fields then do not matter)."""
        return "remove" in self.fields and self.is_bound and bool(self["remove"].data)

    def step_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"step_{n}_{part}"] for part in ("interval", "until", "unit")]
            for n in range(1, EDIT_STEPS + 1)
        ]

    def as_mapping(self) -> dict[str, Any]:
        """The policy as the engine reads it; rows with no interval are no step."""
        data = self.cleaned_data
        steps = []
        for number in range(1, EDIT_STEPS + 1):
            interval = data.get(f"step_{number}_interval")
            if not interval:
                continue
            step: dict[str, Any] = {"interval": interval}
            until = data.get(f"step_{number}_until")
            if until is not None:
                step[f"until_{data.get(f'step_{number}_unit') or 'weeks'}"] = until
            steps.append(step)
        return {
            "key": self.key,
            "label": data["label"],
            "minimum_minutes": data["minimum_minutes"],
            "steps": steps,
        }

    @staticmethod
    def initial_for(policy: rules.Policy) -> dict[str, Any]:
        initial: dict[str, Any] = {"label": policy.label, "minimum_minutes": policy.minimum_minutes}
        for number, step in enumerate(policy.steps, start=1):
            initial[f"step_{number}_interval"] = step.interval.value
            if step.until_weeks is not None:
                initial |= {
                    f"step_{number}_until": step.until_weeks,
                    f"step_{number}_unit": "weeks",
                }
            if step.until_months is not None:
                initial |= {
                    f"step_{number}_until": step.until_months,
                    f"step_{number}_unit": "months",
                }
        return initial


class ExistingPolicyForm(PolicyForm):
    """A published policy, which may be given a new key, or removed: the engine refuses it if
    a role still uses it."""

    rename_to = forms.CharField(
        label="New key",
        required=False,
        max_length=40,
        help_text=(
            "Leave blank to keep the key. Lower-case letters, digits, hyphens or underscores;"
            " the roles that use the policy follow it, and earlier versions keep the old key"
        ),
        error_messages={"max_length": "The new key must be 40 characters or fewer"},
    )
    remove = forms.BooleanField(
        label="Remove this policy",
        required=False,
        help_text="Only a policy no role uses: give its roles another policy first or as well",
    )

    def clean_rename_to(self) -> str:
        new_key: str = self.cleaned_data["rename_to"]
        if new_key and not rules.KEY_PATTERN.fullmatch(new_key):
            raise forms.ValidationError(
                "The new key must be 1 to 40 lower-case letters, digits, hyphens or underscores"
            )
        return new_key

    @property
    def renamed_to(self) -> str | None:
        """The new key asked for, if any (after a valid form)."""
        new_key = self.cleaned_data.get("rename_to") or ""
        return new_key if new_key and new_key != self.key else None


class NewPolicyForm(PolicyForm):
    """A policy to add, known by a new key; left empty, none is added. The key is checked by the
    engine with the rest of the policy."""

    new_key = forms.CharField(
        label="Key",
        required=False,
        max_length=40,
        help_text="Lower-case letters, digits, hyphens or underscores; it can be renamed later",
        error_messages={"max_length": "The key must be 40 characters or fewer"},
    )
    field_order = ["new_key", "label", "minimum_minutes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, key="", prefix="new-policy", **kwargs)
        self.fields["label"].required = False
        self.fields["minimum_minutes"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.key = (data.get("new_key") or "").strip()
        if self.key:
            if not (data.get("label") or "").strip() and "label" not in self.errors:
                self.add_error("label", "Enter the new policy's name")
            if data.get("minimum_minutes") is None and "minimum_minutes" not in self.errors:
                self.add_error("minimum_minutes", "Enter the minutes a session needs to count")
        elif any(
            # A unit is always chosen (a select has no empty option), so it says nothing.
            value not in (None, "")
            for name, value in data.items()
            if name != "new_key" and not name.endswith("_unit")
        ):
            self.add_error("new_key", "Give the new policy a key, or leave its fields empty")
        return data


class RolesForm(GovukForm):
    """Which policy applies to each role."""

    def __init__(self, *args: Any, policies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, prefix="roles", **kwargs)
        for role in Role:
            self.fields[role.value] = forms.ChoiceField(
                label=ROLE_LABELS[role],
                choices=policies,
                widget=forms.Select(attrs={"class": "govuk-select"}),
                error_messages={
                    "required": f"Choose a policy for {ROLE_LABELS[role]}",
                    "invalid_choice": f"Choose one of the policies for {ROLE_LABELS[role]}",
                },
            )


class PolicyNoteForm(GovukForm):
    note = forms.CharField(
        label="What changed in this version",
        max_length=300,
        error_messages={
            "required": "Say what changed in this version",
            "max_length": "Say what changed in 300 characters or fewer",
        },
    )
