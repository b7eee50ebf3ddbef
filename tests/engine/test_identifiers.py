"""NHS number and postcode validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload_engine.identifiers import (
    InvalidIdentifier,
    format_nhs_number,
    nhs_check_digit,
    normalise_nhs_number,
    normalise_postcode,
    synthetic_nhs_number,
)


@given(st.integers(min_value=0, max_value=999_999))
def test_synthetic_numbers_are_valid_and_in_the_999_range(serial: int) -> None:
    number = synthetic_nhs_number(serial)
    if number is None:
        assert nhs_check_digit(f"999{serial:06d}") is None
    else:
        assert number.startswith("999")
        assert normalise_nhs_number(format_nhs_number(number)) == number


@given(st.integers(min_value=0, max_value=999_999), st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_invalidates(serial: int, shift: int) -> None:
    number = synthetic_nhs_number(serial)
    if number is None:
        return
    wrong = number[:9] + str((int(number[9]) + shift) % 10)
    with pytest.raises(InvalidIdentifier, match="check digit"):
        normalise_nhs_number(wrong)


@pytest.mark.parametrize("raw", ["999 000 0018", "999-000-0018", " 9990000018 "])
def test_nhs_number_spacing_is_forgiven(raw: str) -> None:
    assert normalise_nhs_number(raw) == "9990000018"


@pytest.mark.parametrize("raw", ["", "99900000", "99900000181", "999000001A"])
def test_nhs_number_must_be_ten_digits(raw: str) -> None:
    with pytest.raises(InvalidIdentifier, match="10 digits"):
        normalise_nhs_number(raw)


def test_nine_digits_without_a_check_digit_are_never_valid() -> None:
    assert nhs_check_digit("999000000") is None
    with pytest.raises(InvalidIdentifier):
        normalise_nhs_number("9990000000")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("sw1a1aa", "SW1A 1AA"), ("ZZ1  1AA", "ZZ1 1AA"), ("m1 1ae", "M1 1AE"), ("gir0aa", "GIR 0AA")],
)
def test_postcodes_are_normalised(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "ZZ1", "1AA ZZ1", "ZZ1 ABC", "ZZZ1 1AA"])
def test_bad_postcodes_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier, match="full UK postcode"):
        normalise_postcode(raw)
