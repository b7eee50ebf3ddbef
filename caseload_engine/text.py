"""What typed text may hold: digits read as ASCII, names without hidden characters."""

from __future__ import annotations

import unicodedata

# Characters that reorder text without showing themselves (the right-to-left override among
# them): in a name they make a record read differently from what is stored.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Categories never part of a name: controls, surrogates, private use, unassigned, and line or
# paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})


def ascii_digits(text: str) -> str | None:
    """`text` as ASCII digits when every character is a decimal digit of some script
    (fullwidth and Arabic-Indic digits read as what they are); None otherwise, superscripts
    and fractions included (Python's `str.isdigit` accepts those, but `int` cannot read them)."""
    if not text:
        return None
    digits = []
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is None:
            return None
        digits.append(str(value))
    return "".join(digits)


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a person's name, or None if it can.

    Refused: control characters, bidirectional controls, and a name with nothing visible (only
    zero-width or other format characters). Zero-width joiners inside a name stay allowed, as
    some scripts need them.
    """
    for char in name:
        if char in BIDI_CONTROLS:
            return "must not contain characters that change the direction of text"
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return "must not contain control characters"
    visible = [char for char in name if not (char.isspace() or unicodedata.category(char) == "Cf")]
    if not visible:
        return "must contain letters"
    return None
