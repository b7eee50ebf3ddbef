"""Case file audit forms: the tool's YAML, the sample's month and filters, an auditor chosen,
the audit itself (one field per question of its tool version), a response, a moderation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from caseload.ui.forms import GovukForm, validate_text
from caseload_engine import audit_sample, audit_tool
from caseload_engine.audit_sample import Filter
from caseload_engine.reference import ROLE_CHOICES
from caseload_engine.text import ascii_digits

GRADE_CHOICES = [(str(g), audit_tool.GRADE_LABELS[g]) for g in audit_tool.GRADES]
TEXT_MAX = 5000


def _text(
    label: str, *, required: bool = True, rows: int = 4, help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


def _grade(label: str, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=GRADE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class ToolForm(GovukForm):
    definition = forms.CharField(
        label="Audit tool (YAML)",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        help_text="Sections of questions, each graded, yes_no or free_text, with guidance",
        error_messages={"required": "Enter the audit tool"},
    )
    change_note = forms.CharField(
        label="What changed in this version",
        max_length=300,
        validators=[validate_text],
        error_messages={"required": "Say what changed in this version"},
    )

    def clean_definition(self) -> str:
        text = str(self.cleaned_data["definition"])
        try:
            audit_tool.loads(text)
        except audit_tool.ToolError as error:
            raise ValidationError(str(error)) from None
        return text


class SampleForm(GovukForm):
    """The month to draw, its quota, and a theme's filters (read from the query string)."""

    month = forms.CharField(
        label="Month", max_length=20, help_text="For example, 2026-11", required=True
    )
    per_team = forms.CharField(
        label="Cases per team",
        max_length=5,
        required=False,
        help_text=f"1 to {audit_sample.MAX_PER_TEAM} (default {audit_sample.DEFAULT_PER_TEAM}); "
        "for a themed audit, leave empty to take every case that matches",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    tier = forms.CharField(
        label="Theme: tiers (optional)",
        max_length=20,
        required=False,
        help_text="For example, 3 or 2,3",
    )
    role = forms.ChoiceField(
        label="Theme: the worker's role (optional)",
        choices=[("", "Any role"), *ROLE_CHOICES],
        required=False,
    )
    s42_closed = forms.CharField(
        label="Theme: Section 42 enquiries closed between (optional)",
        max_length=30,
        required=False,
        help_text="The cases of people whose Section 42 enquiry was signed off closed in "
        "these days, for example 2026-07-01..2026-09-30",
    )

    def clean_month(self) -> Any:
        try:
            return audit_sample.parse_month(self.cleaned_data["month"])
        except audit_sample.SampleError as error:
            raise ValidationError(str(error)) from None

    def clean_tier(self) -> Filter | None:
        text = self.cleaned_data["tier"].strip()
        if not text:
            return None
        try:
            return audit_sample.make_filter("tier", text)
        except audit_sample.SampleError as error:
            raise ValidationError(str(error)) from None

    def clean_s42_closed(self) -> Filter | None:
        text = self.cleaned_data["s42_closed"].strip()
        if not text:
            return None
        try:
            return audit_sample.make_filter("s42_closed_between", text)
        except audit_sample.SampleError as error:
            raise ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("per_team") or "").strip()
        themed = bool(data.get("tier") or data.get("role") or data.get("s42_closed"))
        if not text:
            data["per_team"] = None if themed else audit_sample.DEFAULT_PER_TEAM
        else:
            digits = ascii_digits(text)
            if (
                digits is None
                or len(digits) > 3
                or not 1 <= int(digits) <= audit_sample.MAX_PER_TEAM
            ):
                self.add_error(
                    "per_team",
                    f"Cases per team must be a whole number, 1 to {audit_sample.MAX_PER_TEAM}",
                )
            else:
                data["per_team"] = int(digits)
        return data

    def filters(self) -> list[Filter]:
        data = self.cleaned_data
        chosen = [data["tier"]] if data.get("tier") else []
        if data.get("role"):
            chosen.append(audit_sample.make_filter("role", data["role"]))
        if data.get("s42_closed"):
            chosen.append(data["s42_closed"])
        return chosen

    def theme(self) -> str:
        data = self.cleaned_data
        parts = []
        if self.data.get("tier", "").strip():
            parts.append(f"Tier {self.data['tier'].strip()}")
        if data.get("role"):
            parts.append(dict(ROLE_CHOICES)[data["role"]])
        if data.get("s42_closed"):
            parts.append(f"Section 42 enquiries closed {self.data['s42_closed'].strip()}")
        return ", ".join(parts)


class AssignForm(GovukForm):
    case = forms.IntegerField(widget=forms.HiddenInput)
    auditor = forms.TypedChoiceField(
        label="Auditor",
        coerce=int,
        choices=[],
        error_messages={"required": "Choose the auditor", "invalid_choice": "Choose the auditor"},
    )

    def __init__(self, *args: Any, auditors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditor"].choices = [("", "Choose"), *auditors]  # type: ignore[attr-defined]


class AuditForm(GovukForm):
    """One field per question of the audit's tool version (see `audit_form`), then the overall
    grade, the summary and the actions."""

    def __init__(self, *args: Any, tool: audit_tool.Tool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tool = tool

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"section": s, "fields": [self[q.key] for q in s.questions]} for s in self.tool.sections
        ]

    def answers(self) -> dict[str, object]:
        return {q.key: self.cleaned_data[q.key] for q in self.tool.questions}

    def actions(self) -> list[str]:
        return [line for line in self.cleaned_data["actions"].splitlines() if line.strip()]


def _question_field(question: audit_tool.Question) -> forms.Field:
    field: forms.Field
    if question.kind is audit_tool.Kind.GRADED:
        field = _grade(question.text, f"Choose a grade for “{question.text}”")
    elif question.kind is audit_tool.Kind.YES_NO:
        field = forms.ChoiceField(
            label=question.text,
            choices=list(audit_tool.YES_NO_ANSWERS.items()),
            widget=forms.RadioSelect,
            error_messages={"required": f"Answer “{question.text}”"},
        )
    else:
        field = _text(question.text, required=False, rows=3)
    field.help_text = question.guidance
    return field


def audit_form(tool: audit_tool.Tool, data: Any = None, **kwargs: Any) -> AuditForm:
    """The form for a tool version: its questions as fields, declared on a class of their own
    so that the GOV.UK styling reaches every one."""
    fields: dict[str, Any] = {q.key: _question_field(q) for q in tool.questions}
    fields["grade"] = _grade("Overall grade", "Choose the overall grade")
    fields["summary"] = _text("Summary for the practitioner", rows=5)
    fields["actions"] = _text(
        "Actions for the practitioner",
        required=False,
        help_text="One a line: they go to the practitioner's next supervision",
    )
    form_class: type[AuditForm] = type("ToolAuditForm", (AuditForm,), fields)
    return form_class(data, tool=tool, **kwargs)


class ResponseForm(GovukForm):
    response = _text("Your response")


class ModerationForm(GovukForm):
    grade = _grade("Your grade", "Choose your grade")
    note = _text("Moderation note", required=False, rows=3)


class AppointForm(GovukForm):
    user = forms.TypedChoiceField(
        label="Name a moderator",
        coerce=int,
        choices=[],
        help_text="A manager or senior practitioner: they moderate the audits chosen",
        error_messages={"required": "Choose who to name", "invalid_choice": "Choose who to name"},
    )

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Choose"), *candidates]  # type: ignore[attr-defined]


class ShareForm(GovukForm):
    percent = forms.CharField(
        label="Share of each month's completed audits to moderate (per cent)",
        max_length=5,
        help_text="1 to 100; at least one audit of every team is moderated whatever the share",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"required": "Enter the share, 1 to 100"},
    )

    def clean_percent(self) -> int:
        digits = ascii_digits(self.cleaned_data["percent"].strip().rstrip("%").strip())
        if digits is None or len(digits) > 3 or not 1 <= int(digits) <= 100:
            raise ValidationError("The share must be a whole number, 1 to 100")
        return int(digits)


class ToolDetailsForm(GovukForm):
    """The form editor's tool name and change note (its questions are `QuestionFormSet`)."""

    name = forms.CharField(
        label="Name of the tool",
        max_length=audit_tool.MAX_TEXT,
        validators=[validate_text],
        error_messages={"required": "Enter the name of the tool"},
    )
    change_note = ToolForm.base_fields["change_note"]


class QuestionForm(GovukForm):
    """One question, with the section it belongs to: consecutive questions of the same section
    key make the section."""

    section_key = forms.CharField(label="Section key", max_length=audit_tool.MAX_KEY)
    section_title = forms.CharField(
        label="Section title", max_length=audit_tool.MAX_TEXT, validators=[validate_text]
    )
    key = forms.CharField(label="Question key", max_length=audit_tool.MAX_KEY)
    kind = forms.ChoiceField(
        label="Kind",
        choices=[
            (audit_tool.Kind.GRADED.value, "Graded"),
            (audit_tool.Kind.YES_NO.value, "Yes or no"),
            (audit_tool.Kind.FREE_TEXT.value, "Free text"),
        ],
    )
    text = forms.CharField(
        label="Question", max_length=audit_tool.MAX_TEXT, validators=[validate_text]
    )
    guidance = forms.CharField(
        label="Guidance for the auditor",
        max_length=audit_tool.MAX_GUIDANCE,
        required=False,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @staticmethod
    def initial_for(section: audit_tool.Section, question: audit_tool.Question) -> dict[str, str]:
        return {
            "section_key": section.key,
            "section_title": section.title,
            "key": question.key,
            "kind": question.kind.value,
            "text": question.text,
            "guidance": question.guidance,
        }


class _QuestionRows(forms.BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this question"
            form.fields["DELETE"].widget.attrs["class"] = "govuk-checkboxes__input"


# Bounded both ways: a post cannot ask for more rows than a tool may hold.
QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=_QuestionRows,
    extra=0,
    can_delete=True,
    max_num=audit_tool.MAX_QUESTIONS,
    absolute_max=audit_tool.MAX_QUESTIONS,
    validate_max=True,
)
