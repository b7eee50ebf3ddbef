"""The ASYE schedule: reviews at 3, 6, 9 and 12 months, month ends held, overdue flags."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from caseload_engine import asye
from caseload_engine.asye import ReviewState
from caseload_engine.dates import add_months

START = date(2026, 8, 31)


def test_a_due_date_past_the_month_end_is_held_to_its_last_day() -> None:
    assert [asye.due_on(START, m) for m in asye.REVIEW_MONTHS] == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 31),
        date(2027, 8, 31),
    ]


def test_a_leap_year_february_keeps_its_29th() -> None:
    assert asye.due_on(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_a_review_is_overdue_the_day_after_it_was_due() -> None:
    due = date(2026, 11, 30)
    assert asye.state_of(due, None, due) is ReviewState.DUE_SOON
    assert asye.state_of(due, None, due + timedelta(days=1)) is ReviewState.OVERDUE


def test_due_soon_starts_a_fortnight_ahead() -> None:
    due = date(2026, 11, 30)
    fortnight = timedelta(days=asye.DUE_SOON_DAYS)
    assert asye.state_of(due, None, due - fortnight) is ReviewState.DUE_SOON
    assert asye.state_of(due, None, due - fortnight - timedelta(days=1)) is ReviewState.SCHEDULED


def test_a_held_review_is_never_overdue_however_late() -> None:
    assert asye.state_of(date(2026, 1, 1), date(2026, 3, 1), date(2027, 1, 1)) is ReviewState.HELD


def test_the_schedule_flags_what_is_held_overdue_and_next() -> None:
    reviews = asye.schedule(START, {3: date(2026, 12, 2)}, today=date(2027, 3, 10))
    assert [(r.months, r.state, r.overdue_days) for r in reviews] == [
        (3, ReviewState.HELD, 0),
        (6, ReviewState.OVERDUE, 10),
        (9, ReviewState.SCHEDULED, 0),
        (12, ReviewState.SCHEDULED, 0),
    ]
    upcoming = asye.next_review(reviews)
    assert upcoming is not None
    assert upcoming.months == 6
    assert [r.is_final for r in reviews] == [False, False, False, True]


def test_nothing_is_next_once_every_review_is_held() -> None:
    held = {m: asye.due_on(START, m) for m in asye.REVIEW_MONTHS}
    assert asye.next_review(asye.schedule(START, held, today=date(2028, 1, 1))) is None


def test_only_the_final_assessment_can_pass_or_fail() -> None:
    assert {code for code, _ in asye.outcome_choices(12)} == {"pass", "fail", "extended"}
    for months in (3, 6, 9):
        assert "pass" not in {code for code, _ in asye.outcome_choices(months)}


def test_the_frameworks_list_nine_pcf_domains_and_distinct_kss_statements() -> None:
    assert len(asye.PCF_DOMAINS) == 9
    assert len({code for code, _ in asye.KSS_ADULTS}) == len(asye.KSS_ADULTS)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_each_due_date_is_the_same_day_months_on_or_that_months_last(start: date) -> None:
    previous = start
    for months in asye.REVIEW_MONTHS:
        due = asye.due_on(start, months)
        assert due > previous
        previous = due
        month_index = start.month - 1 + months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        assert (due.year, due.month) == (year, month)
        assert due.day == min(start.day, calendar.monthrange(year, month)[1])


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=-30, max_value=800),
)
def test_overdue_reviews_are_exactly_those_not_held_and_past_due(start: date, offset: int) -> None:
    today = start + timedelta(days=offset)
    held = {3: start + timedelta(days=80)}
    for review in asye.schedule(start, held, today):
        overdue = review.months not in held and today > review.due_on
        assert (review.state is ReviewState.OVERDUE) == overdue
        assert review.overdue_days == ((today - review.due_on).days if overdue else 0)


def test_an_extension_adds_a_pass_or_fail_review_three_months_after_the_final() -> None:
    held = {m: asye.due_on(START, m) for m in asye.REVIEW_MONTHS}
    assert asye.next_review(asye.schedule(START, held, today=date(2028, 1, 1))) is None
    upcoming = asye.next_review(asye.schedule(START, held, date(2028, 1, 1), extended=True))
    assert upcoming is not None
    assert upcoming.months == asye.EXTENSION_REVIEW
    assert upcoming.due_on == add_months(asye.due_on(START, 12), 3)
    assert upcoming.name == "extension review"
    assert {code for code, _ in asye.outcome_choices(upcoming.months)} == {"pass", "fail"}
