"""The annual report as files: PDF (fpdf2 with an embedded Unicode font: nothing fetched, no
system packages), Word (python-docx) and OpenDocument text (odfpy). All from the same stored
sections."""

from __future__ import annotations

import importlib.util
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from django.core.exceptions import ImproperlyConfigured
from docx import Document
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from odf import dc
from odf import style as odf_style
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import OpenDocumentText

from caseload.annualreport.models import AnnualReport
from caseload.ui.report import ReportSection, ReportTable, long_date

# DejaVu Sans, as matplotlib ships it (a pinned requirement): Unicode, so "Zoë Łukasiewicz-Nguyễn"
# and Welsh "Ŵ" print as written; found without importing matplotlib (no plotting is loaded).
_spec = importlib.util.find_spec("matplotlib")
if _spec is None or not _spec.submodule_search_locations:
    raise ImproperlyConfigured("matplotlib (for its DejaVu fonts) is missing: make install")
FONT_DIR = Path(_spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
FONT = "DejaVu"
TABLE_SIZE = 8
LINE = 4.5  # a table line's height in mm at TABLE_SIZE
# The font subsetter logs each table of the font at INFO on every PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)
_FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
}


def _period(report: AnnualReport) -> str:
    return f"{long_date(report.start)} to {long_date(report.end)}"


def _sections(report: AnnualReport) -> Sequence[ReportSection]:
    found: Sequence[ReportSection] = report.sections
    return found


def _measure(doc: FPDF, row: list[str], *, bold: bool) -> list[float]:
    doc.set_font(FONT, "B" if bold else "", TABLE_SIZE)
    return [doc.get_string_width(value) for value in row]


def _column_widths(
    doc: FPDF, headers: list[str], rows: list[list[str]], measured: list[list[float]]
) -> list[float]:
    """Each column as wide as its widest cell (none over half the page, so a long note wraps
    rather than squeezing the figures). When that is more than the page, each column keeps at
    least its longest unbreakable word (a header's words, a figure) and the wider ones give up
    the rest in proportion."""
    padding = 2 * doc.c_margin + 0.5
    doc.set_font(FONT, "B", TABLE_SIZE)
    least = [max(doc.get_string_width(word) for word in [*h.split(), ""]) for h in headers]
    natural = list(least)
    for row, widths in zip(rows, measured, strict=True):
        for i, (value, width) in enumerate(zip(row, widths, strict=True)):
            natural[i] = max(natural[i], width)
            if " " not in value:
                least[i] = max(least[i], width)
    natural = [min(w + padding, doc.epw / 2) for w in natural]
    least = [min(w + padding, n) for w, n in zip(least, natural, strict=True)]
    spare = doc.epw - sum(least)
    wanted = sum(natural) - sum(least)
    if sum(natural) <= doc.epw or spare <= 0 or wanted <= 0:
        scale = doc.epw / sum(natural if spare > 0 else least)
        return [w * scale for w in (natural if spare > 0 else least)]
    return [m + (n - m) * spare / wanted for m, n in zip(least, natural, strict=True)]


def _row_height(doc: FPDF, widths: list[float], row: list[str], measured: list[float]) -> float:
    """One line unless a cell does not fit: only then the line breaker counts its lines."""
    lines = 1
    for width, value, text_width in zip(widths, row, measured, strict=True):
        if text_width > width - 2 * doc.c_margin:
            # With output=LINES, multi_cell returns the lines alone (its type says any output).
            wrapped = cast(
                "list[str]",
                doc.multi_cell(
                    width, LINE, value, align="L", dry_run=True, output=MethodReturnValue.LINES
                ),
            )
            lines = max(lines, len(wrapped))
    return lines * LINE


def _draw_row(doc: FPDF, widths: list[float], row: list[str], height: float) -> None:
    x, y = doc.l_margin, doc.get_y()
    for width, value in zip(widths, row, strict=True):
        if height == LINE:
            doc.cell(width, LINE, value, border=1)
        else:
            doc.rect(x, y, width, height)
            doc.multi_cell(width, LINE, value, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        x += width
        doc.set_xy(x, y)
    doc.set_xy(doc.l_margin, y + height)


def _table(doc: FPDF, table: ReportTable) -> None:
    """A plain grid, its header repeated on each page. fpdf2's own `table()` lays every cell
    out twice through its line breaker (5,000 cells: 2.6 s of the council's report); here each
    cell is measured once, and only a cell too wide for its column goes through the breaker."""
    headers, rows = table["headers"], table["rows"]
    header_widths = _measure(doc, headers, bold=True)
    measured = [_measure(doc, row, bold=False) for row in rows]
    widths = _column_widths(doc, headers, rows, measured)
    doc.set_font(FONT, "B", TABLE_SIZE)
    header_height = _row_height(doc, widths, headers, header_widths)
    if doc.get_y() + 2 * header_height > doc.page_break_trigger:
        doc.add_page()  # a header alone at the foot of a page helps no one
    _draw_row(doc, widths, headers, header_height)
    doc.set_font(FONT, "", TABLE_SIZE)
    for row, row_widths in zip(rows, measured, strict=True):
        height = _row_height(doc, widths, row, row_widths)
        if doc.get_y() + height > doc.page_break_trigger:
            doc.add_page()
            doc.set_font(FONT, "B", TABLE_SIZE)
            _draw_row(doc, widths, headers, header_height)
            doc.set_font(FONT, "", TABLE_SIZE)
        _draw_row(doc, widths, row, height)


def pdf(report: AnnualReport) -> bytes:
    doc = FPDF()
    for style, name in _FONT_FILES.items():
        doc.add_font(FONT, style, FONT_DIR / name)
    doc.set_title(report.title)
    doc.set_auto_page_break(auto=True, margin=15)
    doc.add_page()
    doc.set_font(FONT, "B", 18)
    doc.multi_cell(0, 10, report.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(FONT, "", 11)
    doc.multi_cell(0, 6, _period(report), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in _sections(report):
        doc.ln(4)
        doc.set_font(FONT, "B", 14)
        doc.multi_cell(0, 8, section["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.set_font(FONT, "", 10)
        for paragraph in section["paragraphs"]:
            doc.multi_cell(0, 5, paragraph, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            doc.ln(1)
        for table in section["tables"]:
            if not table["rows"]:
                continue
            doc.set_font(FONT, "I", 10)
            doc.multi_cell(0, 5, table["caption"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            _table(doc, table)
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


def _odt_style(name: str, family: str, **text_properties: str) -> odf_style.Style:
    made = odf_style.Style(name=name, family=family)
    made.addElement(odf_style.TextProperties(**text_properties))
    return made


def _odt_row(
    values: list[str], cell: odf_style.Style, paragraph: odf_style.Style | None = None
) -> odf_table.TableRow:
    line = odf_table.TableRow()
    for value in values:
        box = odf_table.TableCell(valuetype="string", stylename=cell)
        box.addElement(
            odf_text.P(text=value)
            if paragraph is None
            else odf_text.P(stylename=paragraph, text=value)
        )
        line.addElement(box)
    return line


def odt(report: AnnualReport) -> bytes:
    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=report.title))
    title = _odt_style("Title", "paragraph", fontsize="20pt", fontweight="bold")
    heading = _odt_style("Heading 1", "paragraph", fontsize="15pt", fontweight="bold")
    caption = _odt_style("Caption", "paragraph", fontstyle="italic")
    header = _odt_style("Table Heading", "paragraph", fontweight="bold")
    cell = odf_style.Style(name="Table Cell", family="table-cell")
    cell.addElement(odf_style.TableCellProperties(border="0.5pt solid #000000", padding="0.05cm"))
    for made in (title, heading, caption, header, cell):
        document.styles.addElement(made)
    document.text.addElement(odf_text.P(stylename=title, text=report.title))
    document.text.addElement(odf_text.P(text=_period(report)))
    for number, section in enumerate(_sections(report), start=1):
        document.text.addElement(
            odf_text.H(outlinelevel=1, stylename=heading, text=section["title"])
        )
        for paragraph in section["paragraphs"]:
            document.text.addElement(odf_text.P(text=paragraph))
        for drawn in section["tables"]:
            if not drawn["rows"]:
                continue
            document.text.addElement(odf_text.P(stylename=caption, text=drawn["caption"]))
            grid = odf_table.Table(name=f"Table {number}.{len(document.text.childNodes)}")
            grid.addElement(odf_table.TableColumn(numbercolumnsrepeated=len(drawn["headers"])))
            grid.addElement(_odt_row(drawn["headers"], cell, header))
            for row in drawn["rows"]:
                grid.addElement(_odt_row(row, cell))
            document.text.addElement(grid)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()
