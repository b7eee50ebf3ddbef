"""Validation of the identifiers a person record carries: NHS number and UK postcode."""

from __future__ import annotations

import re

from caseload_engine.text import ascii_digits

# Numbers in this range pass the check digit but can never be issued to a real person,
# so demo data and tests draw from it.
SYNTHETIC_NHS_PREFIX = "999"

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
# The published format's letter rules, position by position: the first letter never Q, V or
# X; a second letter never I, J or Z; a letter third (A9A) only from ABCDEFGHJKPSTUW; a letter
# fourth (AA9A) only from ABEHMNPRVWXY; the inward unit never C, I, K, M, O or V.
_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"
_THIRD = "ABCDEFGHJKPSTUW"
_FOURTH = "ABEHMNPRVWXY"
_UNIT = "ABDEFGHJLNPQRSTUWXYZ"
_OUTWARD = (
    rf"[{_FIRST}][0-9]{{1,2}}"
    rf"|[{_FIRST}][{_SECOND}][0-9]{{1,2}}"
    rf"|[{_FIRST}][0-9][{_THIRD}]"
    rf"|[{_FIRST}][{_SECOND}][0-9][{_FOURTH}]"
)
_POSTCODE = re.compile(rf"(?:{_OUTWARD})[0-9][{_UNIT}]{{2}}|GIR0AA")
# The non-geographic ZZ area (as in the NHS's ZZ99 pseudo-postcodes), which the demo council
# and tests use so that no synthetic person lives at a real address.
_NON_GEOGRAPHIC = re.compile(r"ZZ[0-9]{1,2}[0-9][A-Z]{2}")
# Fullwidth forms (as an East Asian keyboard types them) to their ASCII letters and digits.
_FULLWIDTH = {0xFF01 + offset: 0x21 + offset for offset in range(94)}


class InvalidIdentifier(ValueError):
    """The value is not a valid identifier; the message says why, for the person typing it."""


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit for nine digits; None when no valid number has them (remainder 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(raw: str) -> str:
    """Ten digits with spaces and hyphens removed, or InvalidIdentifier naming the problem."""
    digits = ascii_digits(re.sub(r"[\s-]", "", raw))
    if digits is None or len(digits) != 10:
        raise InvalidIdentifier("Enter an NHS number of 10 digits, like 999 000 0018")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise InvalidIdentifier("Enter a valid NHS number: the check digit does not match")
    return digits


def format_nhs_number(digits: str) -> str:
    """The 3-3-4 grouping people read NHS numbers in."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def synthetic_nhs_number(serial: int) -> str | None:
    """The NHS number for a serial in the never-issued 999 range; None if it has no check digit."""
    if not 0 <= serial < 1_000_000:
        raise ValueError("serial must be between 0 and 999,999")
    first_nine = f"{SYNTHETIC_NHS_PREFIX}{serial:06d}"
    check = nhs_check_digit(first_nine)
    return None if check is None else f"{first_nine}{check}"


def normalise_postcode(raw: str) -> str:
    """Upper case with one space before the inward code, or InvalidIdentifier. Fullwidth
    letters and digits read as ASCII; anything else outside ASCII is refused (before upper
    casing, which turns some, like the dotless i, into ASCII letters)."""
    compact = re.sub(r"\s+", "", raw.translate(_FULLWIDTH))
    if not compact.isascii():
        raise InvalidIdentifier("Enter a full UK postcode, like AB1 2CD")
    compact = compact.upper()
    if not (_POSTCODE.fullmatch(compact) or _NON_GEOGRAPHIC.fullmatch(compact)):
        raise InvalidIdentifier("Enter a full UK postcode, like AB1 2CD")
    return f"{compact[:-3]} {compact[-3:]}"
