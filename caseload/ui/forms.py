"""Django forms rendered with GOV.UK Frontend markup, error summary included."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils import timezone

from caseload.ui.report import long_date
from caseload_engine.text import ascii_digits, name_problem

# A bound on a date: a fixed day, or one worked out when the form is checked (like "today").
DateBound = date | Callable[[], date]

_WIDGET_CLASSES: dict[str, str] = {
    "text": "govuk-input",
    "number": "govuk-input",
    "email": "govuk-input",
    "password": "govuk-input",
    "search": "govuk-input",
    "time": "govuk-input govuk-input--width-5",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "radio": "govuk-radios__input",
}


class GovukFormRenderer(TemplatesSetting):
    field_template_name = "govuk/field.html"


class GovukDateWidget(forms.MultiWidget):
    template_name = "govuk/date_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        part = {"class": "govuk-input govuk-date-input__input", "inputmode": "numeric"}
        super().__init__(
            widgets={
                "day": forms.TextInput(
                    attrs={**part, "class": part["class"] + " govuk-input--width-2"}
                ),
                "month": forms.TextInput(
                    attrs={**part, "class": part["class"] + " govuk-input--width-2"}
                ),
                "year": forms.TextInput(
                    attrs={**part, "class": part["class"] + " govuk-input--width-4"}
                ),
            },
            attrs=attrs,
        )

    def decompress(self, value: date | None) -> list[int | None]:
        if value is None:
            return [None, None, None]
        return [value.day, value.month, value.year]

    def id_for_label(self, id_: str) -> str:
        # The error summary links to the first box, the day (MultiWidget numbers its boxes).
        return f"{id_}_0" if id_ else id_


def days_from_today(days: int) -> Callable[[], date]:
    """A bound `days` after today (before it, if negative), worked out when the form is checked."""
    return lambda: timezone.localdate() + timedelta(days=days)


def today() -> date:
    return timezone.localdate()


def _bound(bound: DateBound) -> date:
    return bound() if callable(bound) else bound


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with the messages the GOV.UK pattern recommends.

    `earliest` and `latest` bound the plausible dates (inclusive): a day, or a callable such as
    `today` or `days_from_today(365)`, so that "today" is the day the form is checked.
    """

    widget = GovukDateWidget

    def __init__(
        self,
        *,
        label: str,
        earliest: DateBound | None = None,
        latest: DateBound | None = None,
        **kwargs: Any,
    ) -> None:
        self._label = label
        self._earliest = earliest
        self._latest = latest
        parts = (
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1000, max_value=9999),
        )
        super().__init__(fields=parts, require_all_fields=False, label=label, **kwargs)

    def clean(self, value: Any) -> date | None:
        day, month, year = (str(part or "").strip() for part in (value or ["", "", ""]))
        if not (day or month or year):
            if self.required:
                raise ValidationError(f"Enter the {self._label.lower()}")
            return None
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise ValidationError(
                f"The {self._label.lower()} must include a {' and '.join(missing)}"
            )
        not_a_date = ValidationError(
            f"The {self._label.lower()} must be a real date, like 27 3 2007"
        )
        # ASCII digits only (other scripts' digits read as theirs), and no more of them than a
        # date has: `int` and `date` then never see a superscript or a 10^23.
        parts = [ascii_digits(part) for part in (day, month, year)]
        if any(part is None for part in parts):
            raise not_a_date
        day, month, year = (str(part) for part in parts)
        if len(day) > 2 or len(month) > 2 or len(year) != 4:
            raise not_a_date
        try:
            typed = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise not_a_date from None
        return self._within_bounds(typed)

    def _within_bounds(self, typed: date) -> date:
        label = self._label.lower()
        if self._earliest is not None:
            earliest = _bound(self._earliest)
            if typed < earliest:
                if earliest == timezone.localdate():
                    raise ValidationError(f"The {label} must be today or later")
                raise ValidationError(f"The {label} must be {long_date(earliest)} or later")
        if self._latest is not None:
            latest = _bound(self._latest)
            if typed > latest:
                if latest == timezone.localdate():
                    raise ValidationError(f"The {label} cannot be in the future")
                raise ValidationError(f"The {label} must be {long_date(latest)} or earlier")
        return typed

    def compress(self, data_list: list[Any]) -> date | None:
        # Not reached: clean() above parses the three parts itself, to word its own errors.
        raise NotImplementedError


class NameField(forms.CharField):
    """A person's or practitioner's name: trimmed, with nothing hidden in it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validators=[validate_name], **kwargs)


# Line breaks and tabs belong in a paragraph of text; no other control character does.
_ALLOWED_CONTROLS = frozenset("\n\r\t")


def validate_text(value: str) -> None:
    """For free text: control and hidden formatting characters are refused."""
    if any(
        unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs") and char not in _ALLOWED_CONTROLS
        for char in value
    ):
        raise ValidationError(
            "The text must not contain control or hidden formatting characters",
            code="control_characters",
        )


def validate_name(value: str) -> None:
    """For forms and model fields alike: a name with control or direction-changing characters,
    or with nothing visible, is refused."""
    problem = name_problem(value)
    if problem is not None:
        raise ValidationError(f"The name {problem}", code="invalid_name")


@dataclass(frozen=True)
class ErrorLink:
    """A link that goes with an error, to where the user can act on it."""

    text: str
    href: str


@dataclass(frozen=True)
class SummaryItem:
    message: str
    anchor: str = ""
    link: ErrorLink | None = None


class GovukForm(forms.Form):
    """Adds the GOV.UK classes, error states and ARIA links to every widget."""

    default_renderer = GovukFormRenderer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_links: dict[str, ErrorLink] = {}
        for name, field in self.fields.items():
            widget = field.widget
            kind = getattr(widget, "input_type", None) or (
                "textarea" if isinstance(widget, forms.Textarea) else "select"
            )
            if isinstance(widget, forms.MultiWidget):
                continue
            classes = _WIDGET_CLASSES.get(kind, "")
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{classes} {existing}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if isinstance(widget, forms.MultiWidget):
                for part in widget.widgets:
                    part.attrs["class"] += " govuk-input--error"
                continue
            described = [f"{self[name].auto_id}-error", widget.attrs.get("aria-describedby", "")]
            widget.attrs["aria-describedby"] = " ".join(part for part in described if part)
            base = widget.attrs.get("class", "").split(" ")[0]
            if base in ("govuk-input", "govuk-select", "govuk-textarea"):
                widget.attrs["class"] += f" {base}--error"

    def add_linked_error(self, message: str, link: ErrorLink) -> None:
        """An error about the whole form, shown at the top with a link to act on it."""
        self.add_error(None, message)
        self.error_links[message] = link

    def error_summary(self) -> list[SummaryItem]:
        """The GOV.UK error summary: the form's own errors first, then the fields' in order."""
        items = [
            SummaryItem(str(message), link=self.error_links.get(str(message)))
            for message in self.non_field_errors()
        ]
        for name in self.fields:
            bound = self[name]
            # A radio or checkbox group has no single label target: link to its first option.
            target = bound.id_for_label or f"{bound.auto_id}_0"
            for message in self.errors.get(name, []):
                items.append(SummaryItem(str(message), f"#{target}"))
        return items


class ErrorSummary:
    """The GOV.UK error summary for a form and several formsets at once."""

    def __init__(self, details: GovukForm, *formsets: forms.BaseFormSet) -> None:  # type: ignore[type-arg]
        self.error_summary: list[SummaryItem] = list(details.error_summary())
        for formset in formsets:
            self.error_summary.extend(SummaryItem(str(e)) for e in formset.non_form_errors())
            for form in formset.forms:
                self.error_summary.extend(form.error_summary())
        self.errors = bool(self.error_summary)
