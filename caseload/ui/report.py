"""Reports as plain data, and their wording. A section: the PSW's annual report is made of
them, and each app that contributes one (case file audits, safeguarding) builds it without
importing the report."""

from __future__ import annotations

from datetime import date
from typing import TypedDict


class ReportTable(TypedDict):
    caption: str
    headers: list[str]
    rows: list[list[str]]


class ReportSection(TypedDict):
    title: str
    paragraphs: list[str]
    tables: list[ReportTable]


def percent_of(part: int, whole: int) -> int | None:
    """`part` as a whole-number percentage of `whole`; None when there is nothing to count."""
    return None if whole == 0 else round(100 * part / whole)


def count_of(count: int, one: str, many: str) -> str:
    """The count with its noun: "1 concern", "3 concerns"."""
    return f"{count} {one if count == 1 else many}"


def long_date(day: date) -> str:
    """ "1 December 2026": the day without a leading zero, in every C library (strftime's
    `%-d` is glibc's alone)."""
    return f"{day.day} {day:%B %Y}"
