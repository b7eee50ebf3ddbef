"""Django forms rendered with GOV.UK Frontend markup, error summary included."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

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


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with the messages the GOV.UK pattern recommends."""

    widget = GovukDateWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        self._label = label
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
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"The {self._label.lower()} must be a real date, like 27 3 2007")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                f"The {self._label.lower()} must be a real date, like 27 3 2007"
            ) from None

    def compress(self, data_list: list[Any]) -> date | None:
        # Not reached: clean() above parses the three parts itself, to word its own errors.
        raise NotImplementedError


class GovukForm(forms.Form):
    """Adds the GOV.UK classes, error states and ARIA links to every widget."""

    default_renderer = GovukFormRenderer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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

    def error_summary(self) -> list[tuple[str, str]]:
        """(message, anchor) pairs for the GOV.UK error summary, in the order of the fields."""
        items: list[tuple[str, str]] = []
        for message in self.non_field_errors():
            items.append((str(message), ""))
        for name in self.fields:
            bound = self[name]
            # A radio or checkbox group has no single label target: link to its first option.
            target = bound.id_for_label or f"{bound.auto_id}_0"
            for message in self.errors.get(name, []):
                items.append((str(message), f"#{target}"))
        return items
