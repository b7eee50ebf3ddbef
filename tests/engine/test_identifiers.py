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


def fullwidth(text: str) -> str:
    """ASCII letters and digits as an East Asian keyboard types them."""
    return "".join(chr(ord(char) + 0xFEE0) if char.isalnum() else char for char in text)


# The zero digit of fullwidth, Arabic-Indic and Devanagari numbers.
@pytest.mark.parametrize("zero", ["\uff10", "\u0660", "\u0966"])
def test_nhs_numbers_in_other_scripts_digits_are_stored_in_ascii(zero: str) -> None:
    written = "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in "999 000 0018")
    assert normalise_nhs_number(written) == "9990000018"


@pytest.mark.parametrize("raw", ["99900000¹⁸", "999000001⑧", "999000001½"])
def test_nhs_numbers_with_digit_like_characters_are_refused(raw: str) -> None:
    # str.isdigit() accepts each of these, and int() then fails on them.
    with pytest.raises(InvalidIdentifier, match="10 digits"):
        normalise_nhs_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ec1a 1bb", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("ZZ99 3VZ", "ZZ99 3VZ"),  # the NHS's non-geographic 'no fixed abode'
        (fullwidth("SW1A 1AA"), "SW1A 1AA"),
    ],
)
def test_real_and_non_geographic_postcodes_are_accepted(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "QA1 1AA",  # first letter Q
        "VA1 1AA",
        "XA1 1AA",
        "AZ1 1AA",  # second letter Z
        "AI1 1AA",
        "AJ1 1AA",
        "A1I 1AA",  # third (A9A) not in ABCDEFGHJKPSTUW
        "A1Z 1AA",
        "AA1C 1AA",  # fourth (AA9A) not in ABEHMNPRVWXY
        "AA1D 1AA",
        "AB1 1CC",  # inward unit letters C, I, K, M, O, V
        "AB1 1AI",
        "AB1 1KA",
        "AB1 1MA",
        "AB1 1OA",
        "AB1 1AV",
        "AB1 ²AA",  # a superscript is not a digit of a postcode
        "\u0131A1 1AA",  # a dotless i, which upper-cases to I
    ],
)
def test_postcodes_breaking_the_letter_rules_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier, match="full UK postcode"):
        normalise_postcode(raw)


FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"
THIRD = "ABCDEFGHJKPSTUW"
FOURTH = "ABEHMNPRVWXY"
UNIT = "ABDEFGHJLNPQRSTUWXYZ"
DIGIT = "0123456789"


def _postcode(*alphabets: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from(alphabet) for alphabet in alphabets)).map("".join)


OUTWARD = st.one_of(
    _postcode(FIRST, DIGIT),
    _postcode(FIRST, DIGIT, DIGIT),
    _postcode(FIRST, SECOND, DIGIT),
    _postcode(FIRST, SECOND, DIGIT, DIGIT),
    _postcode(FIRST, DIGIT, THIRD),
    _postcode(FIRST, SECOND, DIGIT, FOURTH),
)
INWARD = _postcode(DIGIT, UNIT, UNIT)


@given(OUTWARD.filter(lambda outward: not outward.startswith("ZZ")), INWARD)
def test_every_postcode_the_format_allows_is_accepted(outward: str, inward: str) -> None:
    assert normalise_postcode(f"{outward.lower()}{inward.lower()}") == f"{outward} {inward}"


@given(OUTWARD, INWARD, st.sampled_from("CIKMOV"), st.integers(min_value=1, max_value=2))
def test_an_inward_letter_the_format_never_uses_is_refused(
    outward: str, inward: str, letter: str, position: int
) -> None:
    if outward.startswith("ZZ"):
        return  # the non-geographic area keeps its own inward codes (ZZ99 3VZ)
    bad = inward[:position] + letter + inward[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        normalise_postcode(f"{outward} {bad}")


@given(st.sampled_from("QVX"), OUTWARD, INWARD)
def test_a_first_letter_the_format_never_uses_is_refused(
    letter: str, outward: str, inward: str
) -> None:
    with pytest.raises(InvalidIdentifier):
        normalise_postcode(f"{letter}{outward[1:]} {inward}")
