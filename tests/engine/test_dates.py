"""Calendar months clamped to the month's end, and England and Wales working days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload_engine.dates import (
    add_months,
    first_working_day_from,
    is_bank_holiday,
    is_working_day,
)

# Far enough from the ends of `date` that a few years either way stay in range.
DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
MONTHS = st.integers(min_value=-600, max_value=600)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 4, 30), 1, date(2026, 5, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2026, 5, 31), -13, date(2025, 4, 30)),
        (date(2026, 5, 17), 0, date(2026, 5, 17)),
    ],
)
def test_calendar_months_clamp_to_the_end_of_the_month(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("day", "months"), [(date(9999, 12, 1), 1), (date(1, 1, 31), -1)])
def test_months_past_the_calendar_raise_overflow(day: date, months: int) -> None:
    with pytest.raises(OverflowError):
        add_months(day, months)


@given(DAYS, MONTHS)
def test_adding_months_lands_in_the_right_month_on_the_day_or_the_month_end(
    day: date, months: int
) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    month_end = calendar.monthrange(moved.year, moved.month)[1]
    assert moved.day == min(day.day, month_end)


@given(DAYS, st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=600))
def test_months_forward_are_monotonic(day: date, fewer: int, more: int) -> None:
    fewer, more = sorted((fewer, more))
    assert add_months(day, fewer) <= add_months(day, more)


@given(DAYS, MONTHS)
def test_months_there_and_back_never_pass_the_start(day: date, months: int) -> None:
    # Clamping loses days at a month's end, so the round trip can only fall short, never beyond.
    assert add_months(add_months(day, months), -months) <= day
    if day.day <= 28:
        assert add_months(add_months(day, months), -months) == day


# The published England and Wales bank holidays (gov.uk/bank-holidays) for 2026 and 2027.
BANK_HOLIDAYS_2026_2027 = [
    date(2026, 1, 1),
    date(2026, 4, 3),  # Good Friday
    date(2026, 4, 6),  # Easter Monday
    date(2026, 5, 4),
    date(2026, 5, 25),
    date(2026, 8, 31),
    date(2026, 12, 25),
    date(2026, 12, 28),  # Boxing Day falls on a Saturday: the substitute day
    date(2027, 1, 1),
    date(2027, 3, 26),  # Good Friday
    date(2027, 3, 29),  # Easter Monday
    date(2027, 5, 3),
    date(2027, 5, 31),
    date(2027, 8, 30),
    date(2027, 12, 27),  # Christmas Day on a Saturday: substitute Monday
    date(2027, 12, 28),  # Boxing Day on a Sunday: substitute Tuesday
]


@pytest.mark.parametrize("day", BANK_HOLIDAYS_2026_2027)
def test_england_and_wales_bank_holidays_are_not_working_days(day: date) -> None:
    assert is_bank_holiday(day)
    assert not is_working_day(day)


def test_there_are_no_other_bank_holidays_on_weekdays_in_2026_and_2027() -> None:
    day, end = date(2026, 1, 1), date(2027, 12, 31)
    found = []
    while day <= end:
        if day.weekday() < 5 and is_bank_holiday(day):
            found.append(day)
        day += timedelta(days=1)
    assert found == BANK_HOLIDAYS_2026_2027


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 3, 17),  # St Patrick's Day: a bank holiday in Northern Ireland only
        date(2026, 8, 3),  # Scotland's summer bank holiday
        date(2026, 11, 30),  # St Andrew's Day (Scotland)
        date(2027, 7, 12),  # Battle of the Boyne (Northern Ireland)
    ],
)
def test_other_nations_holidays_are_working_days_in_england_and_wales(day: date) -> None:
    assert is_working_day(day)


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 12, 5))  # Saturday
    assert not is_working_day(date(2026, 12, 6))  # Sunday
    assert is_working_day(date(2026, 12, 7))  # Monday


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 1)),  # a Tuesday: itself
        (date(2026, 12, 5), date(2026, 12, 7)),  # Saturday -> Monday
        (date(2026, 12, 24), date(2026, 12, 24)),  # Christmas Eve is a working day
        (date(2026, 12, 25), date(2026, 12, 29)),  # Fri holiday, weekend, Mon substitute
        (date(2027, 3, 26), date(2027, 3, 30)),  # Good Friday -> the Tuesday after Easter
        (date(2027, 12, 25), date(2027, 12, 29)),  # Sat, Sun, two substitute days
    ],
)
def test_first_working_day_from(day: date, expected: date) -> None:
    assert first_working_day_from(day) == expected


@given(DAYS)
def test_first_working_day_from_is_the_earliest_working_day_not_before(day: date) -> None:
    found = first_working_day_from(day)
    assert found >= day
    assert is_working_day(found)
    # Every day skipped was not a working day; England and Wales never close for a week.
    assert found - day < timedelta(days=7)
    skipped = day
    while skipped < found:
        assert not is_working_day(skipped)
        skipped += timedelta(days=1)
