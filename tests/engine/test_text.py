"""What typed text may hold: digits of any script read as ASCII, names with nothing hidden."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload_engine.text import ascii_digits, name_problem

# The zero of some scripts' decimal digits: fullwidth, Arabic-Indic, Devanagari, Bengali, Thai.
ZEROS = ["0", "\uff10", "\u0660", "\u0966", "\u09e6", "\u0e50"]


@given(st.integers(min_value=0), st.sampled_from(ZEROS))
def test_decimal_digits_of_any_script_read_as_the_number(number: int, zero: str) -> None:
    written = "".join(chr(ord(zero) + int(digit)) for digit in str(number))
    assert ascii_digits(written) == str(number)


@pytest.mark.parametrize("text", ["", "²", "1²", "①", "½", "1 2", "-1", "1.0", "1e5", "1_0"])
def test_anything_but_decimal_digits_is_not_a_number(text: str) -> None:
    assert ascii_digits(text) is None


@pytest.mark.parametrize(
    "name",
    [
        "Nora",
        "O'Brien-Smith",
        "José",
        "Nguyễn",
        "\u0645\u062d\u0645\u062f",  # Muhammad, in Arabic script
        "Zoë Anne",
        "\u0645\u0647\u0631\u200c\u0646\u0627\u0632",  # Persian, with a zero-width non-joiner
    ],
)
def test_names_are_accepted(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Nora\u202eremoc", "direction"),  # right-to-left override
        ("\u2067Nora", "direction"),  # right-to-left isolate
        ("Nora\u200f", "direction"),  # right-to-left mark
        ("No\x00ra", "control"),
        ("Nora\nSmith", "control"),
        ("Nora\tSmith", "control"),
        ("Nora\x1b[31m", "control"),
        ("Nora\u2028", "control"),  # line separator
        ("\u200b\u200b", "letters"),  # zero-width spaces only
        ("\u200d\ufeff ", "letters"),
    ],
)
def test_names_hiding_characters_are_refused(name: str, problem: str) -> None:
    assert problem in (name_problem(name) or "")
