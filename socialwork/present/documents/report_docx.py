"""The DOCX report staff edit and send on: a 年度总结 for a complete plan year, else a 阶段性进展报告, written from
the figures section by section (report.REPORT_SECTIONS); the one marked space is for what data cannot say.

Laid out as a bureau's document (GB/T 9704-2012, 党政机关公文格式): A4, margins 37/35/28/26 mm (top, bottom, left,
right), the title in 小标宋 二号, the body in 仿宋 三号 at 22 lines a page, headings in 黑体, page numbers "— 1 —" in
宋体 四号 at the outer edge (odd pages right, even left). Linux has none of these fonts: the document names them, and
Word on the reader's PC (which has 仿宋/宋体/黑体) draws them; each font is named with its fallback in the font table.
Statuses are coloured words (✓ 达标 in green, ! 滞后 in red …), and each metric group's chart is a picture."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from socialwork.data.importing.spreadsheet import strip_control
from socialwork.present.documents.rendering import figure_png
from socialwork.present.documents.report import (
    Bullets,
    Figure,
    Narrative,
    Paragraph,
    ReportData,
    Table,
    report_sections,
    report_title,
)
from socialwork.present.tables.html import cell_text, decimals_of
from socialwork.present.theme import STATUS_COLOURS
from socialwork.present.words.formatting import date_stamp

# GB/T 9704-2012: the fonts a bureau's Word has, each with the one it falls back to (w:altName in the font table).
TITLE_FONT, BODY_FONT, HEADING_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei", NUMBER_FONT: "SimSun"}
LATIN_FONT = "Times New Roman"
TITLE_SIZE, BODY_SIZE, NUMBER_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(14), Pt(10.5)  # 二号, 三号, 四号, 五号
LINE_PITCH = Pt(28.95)  # 22 lines in the 225 mm the margins leave
MARGINS_MM = {"top_margin": 37, "bottom_margin": 35, "left_margin": 28, "right_margin": 26}
TEXT_WIDTH = Mm(210 - 28 - 26)
DARK_RED = "C00000"


def _east_asian(element, font: str) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _page(document) -> None:
    """A4 portrait with the standard's margins; odd and even pages number at their outer edge."""
    section = document.sections[0]
    section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)
    for name, mm in MARGINS_MM.items():
        setattr(section, name, Mm(mm))
    section.footer_distance = Mm(28 - 7)  # the number sits 7 mm below the text block's last line
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph, alignment) -> None:
    """— 1 — in 宋体 四号: an em dash, the PAGE field, an em dash."""
    paragraph.alignment = alignment
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            run._r.append(code)
    paragraph.add_run(" —")
    for each in paragraph.runs:
        each.font.size = NUMBER_SIZE
        _east_asian(each._r, NUMBER_FONT)


def _styles(document) -> None:
    """Body in 仿宋 三号 on a fixed 28.95 pt line; headings in 黑体 三号; the title style in 小标宋 二号."""
    normal = document.styles["Normal"]
    normal.font.size, normal.font.color.rgb = BODY_SIZE, RGBColor(0, 0, 0)
    _east_asian(normal.element, BODY_FONT)
    layout = normal.paragraph_format
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    layout.space_before = layout.space_after = Pt(0)
    layout.first_line_indent = Pt(32)  # two characters
    for name, font, size in (("Title", TITLE_FONT, TITLE_SIZE), ("Heading 1", HEADING_FONT, BODY_SIZE),
                             ("Heading 2", HEADING_FONT, BODY_SIZE)):  # fmt: skip
        style = document.styles[name]
        style.font.size, style.font.bold, style.font.color.rgb = size, False, RGBColor(0, 0, 0)
        style.font.name = LATIN_FONT
        _east_asian(style.element, font)
        style.paragraph_format.first_line_indent = Pt(0 if name == "Title" else 32)
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
    _font_fallbacks(document)


def _font_fallbacks(document) -> None:
    """Each font the document names, with the one Word draws where it is missing (w:altName in the font table,
    which python-docx keeps as a plain part: its XML is rewritten)."""
    part = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    table = etree.fromstring(part.blob)
    for name, fallback in FALLBACKS.items():
        font = etree.SubElement(table, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), fallback)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _shade(cell, colour: str) -> None:
    """A table cell's fill (w:shd), e.g. a status's colour."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#"))
    cell._tc.get_or_add_tcPr().append(shading)


def _table(document, block: Table) -> None:
    """A table in 五号 with a shaded bold header; a status cell's words in its status's colour, bold."""
    frame = block.frame
    if block.title:
        document.add_paragraph(strip_control(block.title), style="Heading 2")
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style, table.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, frame.columns, strict=True):
        _cell(cell, str(header), bold=True)
        _shade(cell, "#E8EEF5")
    places = {c: decimals_of(frame[c]) if frame[c].dtype.kind in "fi" else 0 for c in frame.columns}
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        cells = table.add_row().cells
        for cell, column, value in zip(cells, frame.columns, row, strict=True):
            text = cell_text(value, places[column])
            status = block.statuses.get(column, [None] * len(frame))[i]
            colour = STATUS_COLOURS[status].lstrip("#") if status and text != "—" else None
            _cell(cell, text, bold=colour is not None, colour=colour)


def _cell(cell, text: str, bold: bool = False, colour: str | None = None) -> None:
    """A table cell's one paragraph: 五号, single-spaced, no indent."""
    paragraph = cell.paragraphs[0]
    layout = paragraph.paragraph_format
    layout.first_line_indent, layout.line_spacing_rule = Pt(0), WD_LINE_SPACING.SINGLE
    run = paragraph.add_run(strip_control(text))
    run.font.size, run.bold = TABLE_SIZE, bold
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)


def _block(document, block) -> None:
    if isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        paragraph.add_run(strip_control(block.text)).bold = block.strong
    elif isinstance(block, Bullets):
        for item in block.items:
            document.add_paragraph(strip_control(f"· {item}"))
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Narrative):
        run = document.add_paragraph().add_run(strip_control(block.prompt))
        run.bold, run.font.highlight_color = True, WD_COLOR_INDEX.YELLOW
        for _ in range(4):  # room to write in
            document.add_paragraph()
    elif isinstance(block, Figure):  # the group's chart as a picture, its caption below it
        picture = document.add_paragraph()
        picture.paragraph_format.first_line_indent = Pt(0)
        picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        picture.add_run().add_picture(io.BytesIO(figure_png(block.figure)), width=TEXT_WIDTH)
        caption = document.add_paragraph(strip_control(block.caption))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.runs[0].font.size = NUMBER_SIZE
    else:
        raise TypeError(f"unknown block {block!r}")


def report_docx_bytes(data: ReportData) -> bytes:
    """The report as DOCX: title, issuer and date, stamp, then every section written from the figures."""
    document = Document()
    _page(document)
    _styles(document)
    title = report_title(data.county, data.as_of, "docx")
    document.core_properties.title, document.core_properties.author = title, data.county.issuer
    heading = document.add_paragraph(strip_control(title), style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer = document.add_paragraph(strip_control(f"{data.county.issuer}　{date_stamp(data.as_of)}"))
    issuer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(strip_control(f"{data.stamp}；统计期间：{data.period}。"))
    for section in report_sections(data, "docx"):
        document.add_paragraph(strip_control(section.heading), style="Heading 1")
        for block in section.blocks:
            _block(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
