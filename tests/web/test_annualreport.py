"""The principal social worker's annual report: built from live data, edited per section,
published as versions, and downloaded as PDF and Word (issue 15)."""

from __future__ import annotations

import io
import re
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pytest_django import DjangoAssertNumQueries

from caseload.annualreport import actions, sections
from caseload.annualreport.models import AnnualReport
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.learning import actions as learning
from caseload.learning.models import DirectPracticeKind
from caseload.web.errors import ActionRefused
from tests import learning_factories as make
from tests.conftest import World, client_for


def _draft(world: World) -> AnnualReport:
    end = timezone.localdate()
    return actions.draft_report(
        by=world.pat, title="Synthetic annual report", start=end - timedelta(days=364), end=end
    )


def test_every_section_has_the_agreed_shape(world: World) -> None:
    make.incident(world.priya, world.team_north)
    make.feedback(world.mona, world.case_held_by_priya, may_quote=True)
    built = sections.build(
        start=timezone.localdate() - timedelta(days=30), end=timezone.localdate()
    )
    assert len(built) == len(sections.SECTIONS)
    for section in built:
        assert set(section) == {"title", "paragraphs", "tables"}
        assert all(isinstance(p, str) for p in section["paragraphs"])
        for table in section["tables"]:
            assert set(table) == {"caption", "headers", "rows"}
            assert all(len(row) == len(table["headers"]) for row in table["rows"])
            assert all(isinstance(cell, str) for row in table["rows"] for cell in row)


def test_a_picked_quotation_appears_without_a_name(world: World) -> None:
    quoted = make.feedback(
        world.mona, world.case_held_by_priya, may_quote=True, comments="Synthetic: kind and clear"
    )
    learning.pick_quotation(by=world.pat, feedback=quoted, picked=True)
    learning.record_direct_practice(
        by=world.pat,
        kind=DirectPracticeKind.MENTORING,
        on=timezone.localdate(),
        hours=Decimal("1.5"),
        team=None,
        note="",
    )
    report = _draft(world)
    text = str(report.sections)
    assert "Synthetic: kind and clear" in text
    assert world.person_of_priya.family_name not in text
    practice = next(s for s in report.sections if "direct practice" in s["title"])
    assert ["Mentoring", "1.5"] in practice["tables"][0]["rows"]


def test_the_psw_edits_a_section_and_publishes_versions(world: World) -> None:
    report = _draft(world)
    client = client_for(world.pat)
    last = len(report.sections)
    url = reverse("annual_report_section", args=[report.pk, last])
    response = client.post(url, {"text": "Priority one.\r\n\r\nPriority two."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.sections[-1]["paragraphs"] == ["Priority one.", "Priority two."]
    assert client.post(reverse("annual_report_publish", args=[report.pk])).status_code == 302
    assert client.post(reverse("annual_report_publish", args=[report.pk])).status_code == 302
    versions = AnnualReport.objects.filter(version__isnull=False).order_by("version")
    assert [v.version for v in versions] == [1, 2]
    # A published version is never edited; the director reads it, never the draft.
    with pytest.raises(ActionRefused):
        actions.edit_section(by=world.pat, report=versions[0], index=0, paragraphs=["x"])
    dee = client_for(world.dee)
    assert dee.get(reverse("annual_report", args=[versions[0].pk])).status_code == 200
    assert dee.get(reverse("annual_report", args=[report.pk])).status_code == 404
    assert ChangeEvent.objects.filter(action=ChangeAction.ANNUAL_REPORT_PUBLISHED).count() == 2
    assert (
        client.get(reverse("annual_report_section", args=[report.pk, last + 1])).status_code == 404
    )


def test_a_bad_period_is_refused(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ActionRefused, match="end after"):
        actions.draft_report(by=world.pat, title="x", start=today, end=today)
    with pytest.raises(ActionRefused, match="at most"):
        actions.draft_report(by=world.pat, title="x", start=today - timedelta(days=800), end=today)
    _draft(world)
    with pytest.raises(ActionRefused, match="exists already"):
        _draft(world)


def test_the_pdf_and_the_word_file_open_with_every_section(world: World) -> None:
    report = _draft(world)
    actions.edit_section(by=world.pat, report=report, index=0, paragraphs=["Café “quoted” Zoë ✓"])
    client = client_for(world.pat)
    pdf = client.get(reverse("annual_report_pdf", args=[report.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    word = client.get(reverse("annual_report_docx", args=[report.pk]))
    document = Document(io.BytesIO(word.content))
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings == [s["title"] for s in report.sections]
    assert any("Zoë ✓" in p.text for p in document.paragraphs)
    _pdf_text_has_titles(pdf.content, [s["title"] for s in report.sections])


def _pdf_text_has_titles(content: bytes, titles: list[str]) -> None:
    """The titles are in the page streams (compressed by fpdf2), as its core fonts write them."""
    text = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            text += stream
    decoded = text.decode("latin-1")
    for title in titles:
        assert title.replace("'", "\\'") in decoded or title in decoded, title


def test_the_list_asks_the_same_queries_as_reports_are_added(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_for(world.dee)
    end = timezone.localdate()

    def add(first: int) -> None:
        for years in range(first, first + 2):
            start = end - timedelta(days=366 * years + 300)
            report = actions.draft_report(
                by=world.pat, title="Synthetic", start=start, end=start + timedelta(days=300)
            )
            actions.publish_report(by=world.pat, report=report)

    add(1)
    with CaptureQueriesContext(connection) as counted:
        assert client.get(reverse("annual_reports")).status_code == 200
    add(3)
    with django_assert_num_queries(len(counted.captured_queries)):
        assert client.get(reverse("annual_reports")).status_code == 200
