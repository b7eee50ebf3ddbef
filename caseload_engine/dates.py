"""Calendar arithmetic the schedules share: calendar months and England and Wales working days.

Bank holidays come from the maintained `holidays` package (its rules for the United Kingdom,
England subdivision, which Wales shares), not a hand-typed list: substitute days, the Easter
dates and one-off holidays stay right without anyone editing a table here.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (negative moves back), clamped to the month's end:
    31 Jan + 1 = 28 Feb (29 in a leap year), 31 Mar - 1 = 28/29 Feb.

    Raises OverflowError past year 1 or 9999, as `date + timedelta` does.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date value out of range")
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # Cached per year as a frozen set: the package's holiday dict grows as it is queried, and a
    # frozen copy is safe to share between threads.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    """True when `day` is an England and Wales bank holiday (substitute days included)."""
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def first_working_day_from(day: date) -> date:
    """`day` itself when it is a working day, else the next working day after it."""
    while not is_working_day(day):
        day += _DAY
    return day


def add_working_days(day: date, days: int) -> date:
    """The working day `days` working days after `day` (which need not be one itself): a
    concern raised on a Friday before a bank holiday Monday, plus 1, is due on the Tuesday."""
    if days < 0:
        raise ValueError("Count working days forward only")
    while days:
        day += _DAY
        days -= is_working_day(day)
    return day
