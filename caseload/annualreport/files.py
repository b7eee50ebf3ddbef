"""The annual report as files: PDF (fpdf2, its core fonts: nothing fetched, no system
packages) and Word (python-docx). Both from the same stored sections."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from fpdf import FPDF
from fpdf.fonts import FontFace

from caseload.annualreport.models import AnnualReport
from caseload.annualreport.sections import ReportSection

# The PDF core fonts hold Latin-1 only: typographic quotes and dashes are mapped to their
# plain forms, anything else outside it becomes "?" (the Word file keeps every character).
_PLAIN = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _period(report: AnnualReport) -> str:
    return f"{report.start:%-d %B %Y} to {report.end:%-d %B %Y}"


def _sections(report: AnnualReport) -> Sequence[ReportSection]:
    found: Sequence[ReportSection] = report.sections
    return found


def pdf(report: AnnualReport) -> bytes:
    doc = FPDF()
    doc.set_title(_latin1(report.title))
    doc.set_auto_page_break(auto=True, margin=15)
    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.multi_cell(0, 10, _latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 11)
    doc.multi_cell(0, 6, _latin1(_period(report)), new_x="LMARGIN", new_y="NEXT")
    for section in _sections(report):
        doc.ln(4)
        doc.set_font("Helvetica", "B", 14)
        doc.multi_cell(0, 8, _latin1(section["title"]), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Helvetica", "", 10)
        for paragraph in section["paragraphs"]:
            doc.multi_cell(0, 5, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
            doc.ln(1)
        for table in section["tables"]:
            if not table["rows"]:
                continue
            doc.set_font("Helvetica", "I", 10)
            doc.multi_cell(0, 5, _latin1(table["caption"]), new_x="LMARGIN", new_y="NEXT")
            doc.set_font("Helvetica", "", 8)
            with doc.table(headings_style=FontFace(emphasis="BOLD")) as drawn:
                for row in [table["headers"], *table["rows"]]:
                    cells = drawn.row()
                    for value in row:
                        cells.cell(_latin1(value))
            doc.ln(2)
    return bytes(doc.output())


def docx(report: AnnualReport) -> bytes:
    document = Document()
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    document.add_paragraph(_period(report))
    for section in _sections(report):
        document.add_heading(section["title"], level=1)
        for paragraph in section["paragraphs"]:
            document.add_paragraph(paragraph)
        for table in section["tables"]:
            if not table["rows"]:
                continue
            document.add_paragraph(table["caption"], style="Caption")
            drawn = document.add_table(rows=1, cols=len(table["headers"]))
            drawn.style = "Table Grid"
            for cell, header in zip(drawn.rows[0].cells, table["headers"], strict=True):
                cell.text = header
            for row in table["rows"]:
                for cell, value in zip(drawn.add_row().cells, row, strict=True):
                    cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
