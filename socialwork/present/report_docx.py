"""The DOCX report staff edit and send on: a 年度总结 for a complete plan year, else a 阶段性进展报告, written from
the figures section by section (documents.REPORT_SECTIONS); the one marked space is for what data cannot say.
Statuses read as in the app (✓ 达标, ! 滞后 …), status cells shaded in the app's colours."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from socialwork.data.spreadsheet import strip_control
from socialwork.present.documents import (
    Bullets,
    Figure,
    Narrative,
    Paragraph,
    ReportData,
    Table,
    report_sections,
    report_title,
)
from socialwork.present.formatting import date_stamp
from socialwork.present.tables import cell_text, decimals_of
from socialwork.present.theme import DARK_TEXT_FILLS, STATUS_COLOURS

EAST_ASIAN_FONT = "Microsoft YaHei"  # what Chinese office PCs have; elsewhere the system substitutes a CJK font
LATIN_FONT = "Arial"


def _fonts(document) -> None:
    style = document.styles["Normal"]
    style.font.name, style.font.size = LATIN_FONT, Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _shade(cell, colour: str) -> None:
    """A table cell's fill (w:shd), e.g. a status's colour."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#"))
    cell._tc.get_or_add_tcPr().append(shading)


def _table(document, block: Table) -> None:
    frame = block.frame
    if block.title:
        document.add_paragraph(strip_control(block.title), style="Heading 2")
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = strip_control(str(header))
        cell.paragraphs[0].runs[0].bold = True
        _shade(cell, "#E8EEF5")
    places = {c: decimals_of(frame[c]) if frame[c].dtype.kind in "fi" else 0 for c in frame.columns}
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        cells = table.add_row().cells
        for cell, column, value in zip(cells, frame.columns, row, strict=True):
            cell.text = strip_control(cell_text(value, places[column]))
            status = block.statuses.get(column, [None] * len(frame))[i]
            if status and cell.text != "—":
                colour = STATUS_COLOURS[status]
                _shade(cell, colour)
                run = cell.paragraphs[0].runs[0]
                run.bold = True
                run.font.color.rgb = RGBColor.from_string("1F1F1F" if colour in DARK_TEXT_FILLS else "FFFFFF")


def _block(document, block) -> None:
    if isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        paragraph.add_run(strip_control(block.text)).bold = block.strong
    elif isinstance(block, Bullets):
        for item in block.items:
            document.add_paragraph(strip_control(item), style="List Bullet")
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Narrative):
        run = document.add_paragraph().add_run(strip_control(block.prompt))
        run.bold, run.font.highlight_color = True, WD_COLOR_INDEX.YELLOW
        for _ in range(4):  # room to write in
            document.add_paragraph()
    elif not isinstance(block, Figure):  # charts are the PDF's and the deck's
        raise TypeError(f"unknown block {block!r}")


def report_docx_bytes(data: ReportData) -> bytes:
    """The report as DOCX: title, issuer and stamp, then every section written from the figures."""
    document = Document()
    _fonts(document)
    title = report_title(data.county, data.as_of, "docx")
    document.core_properties.title, document.core_properties.author = title, data.county.issuer
    document.add_heading(strip_control(title), level=0)
    document.add_paragraph(strip_control(f"{data.county.issuer}　{date_stamp(data.as_of)}"))
    document.add_paragraph(strip_control(f"{data.stamp}；统计期间：{data.period}。"))
    for section in report_sections(data, "docx"):
        document.add_heading(strip_control(section.heading), level=1)
        for block in section.blocks:
            _block(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
