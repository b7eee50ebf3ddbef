"""Reporting the survey only in groups of five or more."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from caseload_engine.survey import average, group, mean, percent_agreeing


def test_groups_of_five_or_more_are_shown_largest_first() -> None:
    grouping = group({"a": 5, "b": 9})
    assert grouping.shown == ("b", "a")
    assert grouping.other == ()
    assert grouping.suppressed == ()


def test_small_groups_merge_into_other_when_that_makes_five() -> None:
    grouping = group({"a": 7, "b": 3, "c": 2})
    assert grouping.shown == ("a",)
    assert set(grouping.other) == {"b", "c"}


def test_the_smallest_shown_group_joins_an_other_under_five() -> None:
    # Otherwise c's 2 answers could be worked out as the total less a and b.
    grouping = group({"a": 6, "b": 5, "c": 2})
    assert grouping.shown == ("a",)
    assert grouping.other == ("b", "c")


def test_everything_is_suppressed_under_five_answers_in_all() -> None:
    grouping = group({"a": 2, "b": 2})
    assert grouping.shown == ()
    assert grouping.other == ()
    assert set(grouping.suppressed) == {"a", "b"}


def test_empty_groups_are_ignored() -> None:
    assert group({"a": 5, "b": 0}).shown == ("a",)
    assert group({}).suppressed == ()


@given(st.dictionaries(st.integers(0, 20), st.integers(0, 30), max_size=12))
def test_no_group_under_five_can_be_read_or_derived(counts: dict[int, int]) -> None:
    grouping = group(counts)
    assert all(counts[key] >= 5 for key in grouping.shown)
    other = sum(counts[key] for key in grouping.other)
    assert other == 0 or other >= 5
    # Every answer is counted once: shown, in "other", or (only when all are) suppressed.
    keys = [*grouping.shown, *grouping.other, *grouping.suppressed]
    assert sorted(keys) == sorted(key for key, count in counts.items() if count > 0)
    assert not grouping.suppressed or sum(counts.values()) < 5


def test_means_and_agreement() -> None:
    assert mean([Decimal("37.5"), 40, 41]) == Decimal("39.5")
    assert mean([]) is None
    assert average(7, 3) == Decimal("2.3")
    assert average(1, 0) is None
    assert percent_agreeing([5, 4, 3, 2, 1, 4]) == 50
    assert percent_agreeing([]) is None
