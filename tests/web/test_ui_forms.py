"""The shared GOV.UK date field: any typed parts give a date or a message, never an exception,
and a field may bound the plausible dates."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from caseload.ui.forms import GovukDateField, days_from_today, today


def what_if_date() -> GovukDateField:
    """As the what-if absence form should bound its dates: from today to a year ahead."""
    return GovukDateField(label="Away from", earliest=today, latest=days_from_today(365))


@given(st.lists(st.text(max_size=30), min_size=3, max_size=3))
def test_any_typed_parts_give_a_date_or_a_message(parts: list[str]) -> None:
    field = GovukDateField(label="Date")
    with contextlib.suppress(ValidationError):
        assert isinstance(field.clean(parts), date | None)


@given(st.integers(), st.integers(), st.integers())
def test_any_numbers_give_a_date_or_a_message(day: int, month: int, year: int) -> None:
    field = GovukDateField(label="Date")
    try:
        typed = field.clean([str(day), str(month), str(year)])
    except ValidationError:
        return
    assert typed == date(year, month, day)


@pytest.mark.parametrize(
    "parts",
    [
        ["1" + "0" * 23, "1", "2026"],
        ["1", "1" + "0" * 23, "2026"],
        ["1", "1", "1" + "0" * 23],
        ["9" * 5000, "1", "2026"],
        ["²", "1", "2026"],
        ["1", "1", "２０２６²"],
    ],
)
def test_huge_or_digit_like_parts_are_not_a_date(parts: list[str]) -> None:
    with pytest.raises(ValidationError, match="must be a real date"):
        GovukDateField(label="Date").clean(parts)


def test_the_bounds_are_inclusive_and_named() -> None:
    field = GovukDateField(label="Date of birth", earliest=date(1900, 1, 1), latest=today)
    now = timezone.localdate()
    assert field.clean(["1", "1", "1900"]) == date(1900, 1, 1)
    assert field.clean([str(now.day), str(now.month), str(now.year)]) == now
    with pytest.raises(ValidationError, match="must be 1 January 1900 or later"):
        field.clean(["31", "12", "1899"])
    tomorrow = now + timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        field.clean([str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)])


def test_a_what_if_window_from_today_to_a_year_ahead() -> None:
    field = what_if_date()
    now = timezone.localdate()
    yesterday, last, beyond = (now + timedelta(days=n) for n in (-1, 365, 366))
    assert field.clean([str(last.day), str(last.month), str(last.year)]) == last
    with pytest.raises(ValidationError, match="must be today or later"):
        field.clean([str(yesterday.day), str(yesterday.month), str(yesterday.year)])
    with pytest.raises(ValidationError, match=f"must be {last.day} {last:%B %Y} or earlier"):
        field.clean([str(beyond.day), str(beyond.month), str(beyond.year)])
