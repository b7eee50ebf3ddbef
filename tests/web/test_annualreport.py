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
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load as load_odt
from pytest_django import DjangoAssertNumQueries

from caseload.annualreport import actions, files, sections
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


def test_a_rebuild_keeps_the_psws_words_and_says_which_sections_changed(world: World) -> None:
    report = _draft(world)
    titles = [section["title"] for section in report.sections]
    incidents = titles.index("Learning from incidents")
    actions.edit_section(by=world.pat, report=report, index=0, paragraphs=["Synthetic: ours."])
    actions.edit_section(by=world.pat, report=report, index=incidents, paragraphs=["Ours too."])
    make.incident(world.priya, world.team_north)  # new data since the draft was built
    client = client_for(world.pat)
    response = client.post(reverse("annual_report_rebuild", args=[report.pk]), follow=True)
    page = response.content.decode()
    assert "1 section changed" in page
    report.refresh_from_db()
    assert report.changed_sections == ["Learning from incidents"]
    assert report.sections[0]["paragraphs"] == ["Synthetic: ours."]
    # The edited words stay; the tables come from today's data.
    rebuilt = report.sections[incidents]
    assert rebuilt["paragraphs"] == ["Ours too."]
    assert sum(int(row[1]) for row in rebuilt["tables"][0]["rows"]) == 1
    assert page.count(">Changed</strong>") == 1
    event = ChangeEvent.objects.get(action=ChangeAction.ANNUAL_REPORT_REBUILT)
    assert event.changes["sections_changed"] == [None, 1]
    # A rebuild with nothing new changes nothing.
    assert actions.rebuild_draft(by=world.pat, report=report).changed == []


def test_a_draft_is_deleted_and_a_published_version_never(world: World) -> None:
    report = _draft(world)
    published = actions.publish_report(by=world.pat, report=report)
    client = client_for(world.pat)
    assert client.post(reverse("annual_report_delete", args=[published.pk])).status_code == 302
    assert AnnualReport.objects.filter(pk=published.pk).exists()
    with pytest.raises(ActionRefused):
        actions.delete_draft(by=world.pat, report=published)
    assert client.post(reverse("annual_report_delete", args=[report.pk])).status_code == 302
    assert not AnnualReport.objects.filter(pk=report.pk).exists()
    event = ChangeEvent.objects.get(action=ChangeAction.ANNUAL_REPORT_DELETED)
    assert event.changes["report"] == [report.pk, None]
    # The director reads reports but neither rebuilds nor deletes.
    again = _draft(world)
    dee = client_for(world.dee)
    assert dee.post(reverse("annual_report_delete", args=[again.pk])).status_code == 403
    assert dee.post(reverse("annual_report_rebuild", args=[again.pk])).status_code == 403
    assert AnnualReport.objects.filter(pk=again.pk).exists()


def test_a_bad_period_is_refused(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ActionRefused, match="end after"):
        actions.draft_report(by=world.pat, title="x", start=today, end=today)
    with pytest.raises(ActionRefused, match="at most"):
        actions.draft_report(by=world.pat, title="x", start=today - timedelta(days=800), end=today)
    _draft(world)
    with pytest.raises(ActionRefused, match="exists already"):
        _draft(world)


def test_the_pdf_word_and_odt_files_open_with_every_section(world: World) -> None:
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
    odt = client.get(reverse("annual_report_odt", args=[report.pk]))
    assert odt["Content-Type"] == "application/vnd.oasis.opendocument.text"
    opened = load_odt(io.BytesIO(odt.content))
    assert [teletype.extractText(h) for h in opened.getElementsByType(odf_text.H)] == [
        s["title"] for s in report.sections
    ]
    assert "Zoë ✓" in teletype.extractText(opened.text)
    text = pdf_text(pdf.content).replace("\n", " ")
    for section in report.sections:
        assert section["title"] in text


_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.DOTALL)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_TOKEN = re.compile(rb"/(\w+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _stream(body: bytes) -> bytes:
    found = _STREAM.search(body)
    if found is None:
        return b""
    try:
        return zlib.decompress(found.group(1))
    except zlib.error:
        return found.group(1)


def _unescape(raw: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.DOTALL)


def pdf_text(content: bytes) -> str:
    """The text fpdf2 wrote with its embedded TrueType fonts, read back through each font's
    ToUnicode map (glyph ids to characters): what a reader's copy and search would give."""
    objects = {int(n): body for n, body in _OBJECT.findall(content)}
    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
            if unicode is None:
                continue
            cmap = _stream(objects[int(unicode.group(1))])
            maps[name] = {
                int(gid, 16): chr(int(code, 16))
                for gid, code in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4,8})>", cmap)
            }
    text = []
    for body in objects.values():
        stream = _stream(body)
        if b"BT" not in stream:
            continue
        font: dict[int, str] = {}
        for name, literal in _TOKEN.findall(stream):
            if name:
                font = maps.get(name, {})
                continue
            raw = _unescape(literal)
            glyphs = (int.from_bytes(raw[i : i + 2]) for i in range(0, len(raw), 2))
            text.append("".join(font.get(glyph, "\ufffd") for glyph in glyphs))
    return "\n".join(text)


NAMES = "Zoë Łukasiewicz-Nguyễn, Ŵyn ap Siôn"


def test_the_pdf_prints_names_in_any_script_with_an_embedded_font(world: World) -> None:
    report = _draft(world)
    actions.edit_section(by=world.pat, report=report, index=0, paragraphs=[f"Thanks to {NAMES}."])
    content = client_for(world.pat).get(reverse("annual_report_pdf", args=[report.pk])).content
    assert b"/FontFile2" in content  # the TrueType font is in the file, not left to the reader
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans", content)
    text = pdf_text(content)
    assert NAMES in text
    assert "?" not in text.split("Thanks to", 1)[1].split(".", 1)[0]


def test_a_long_table_breaks_across_pages_with_its_header_again(world: World) -> None:
    rows = [[f"Team {n}", "Synthetic", str(n)] for n in range(150)]
    # One cell far wider than the page: it wraps within its column, the row grows to fit.
    rows.append(["Team wide", " ".join(f"word{n}" for n in range(80)), "1"])
    report = _draft(world)
    report.sections = [
        {
            "title": "Synthetic",
            "paragraphs": [],
            "tables": [
                {"caption": "Many rows", "headers": ["Team", "Note", "Cases"], "rows": rows}
            ],
        }
    ]
    text = pdf_text(files.pdf(report))
    assert text.count("Cases") > 2
    assert "Team 149" in text
    assert "word0" in text
    assert "word79" in text


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
