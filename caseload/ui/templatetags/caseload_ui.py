from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from caseload_engine.reference import ROLE_CHOICES, label

register = template.Library()


@register.filter
def days_since(moment: datetime | None) -> int | str:
    """Calendar days, here, from a moment's day to today, for 'days waiting' columns: a
    request from 11 pm yesterday has waited one day, not none."""
    if moment is None:
        return ""
    return (timezone.localdate() - timezone.localdate(moment)).days


@register.filter
def role_label(code: str) -> str:
    """A practitioner role's label from its code."""
    return label(ROLE_CHOICES, code)


@register.filter
def clamp_percent(value: float | int) -> int:
    """A percentage kept within 0-100, for the width of a bar."""
    return max(0, min(100, int(value)))


@register.filter
def subtract(value: int, other: int) -> int:
    return value - other
