"""A report section as plain data: the PSW's annual report is made of them, and each app that
contributes one (case file audits, safeguarding) builds it without importing the report."""

from __future__ import annotations

from typing import TypedDict


class ReportTable(TypedDict):
    caption: str
    headers: list[str]
    rows: list[list[str]]


class ReportSection(TypedDict):
    title: str
    paragraphs: list[str]
    tables: list[ReportTable]
