"""The PPTX deck: a title slide and one slide per meeting slide, with PowerPoint's own charts (editable: the numbers
are in the chart's sheet), status-coloured tables, the figures behind each slide in its speaker notes, and every
text sized to fit its box."""

from __future__ import annotations

import io
import math
import unicodedata

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from socialwork.data.importing.spreadsheet import strip_control
from socialwork.figures import metrics
from socialwork.present.documents.rendering import IMAGE_WIDTH, figure_png
from socialwork.present.meeting.group_charts import ChartData
from socialwork.present.meeting.slides import Meeting, Slide
from socialwork.present.tables.html import cell_text
from socialwork.present.tables.places import reporting_text
from socialwork.present.theme import DARK_TEXT_FILLS, GOAL_LINE, STATUS_COLOURS

EAST_ASIAN_FONT = "Microsoft YaHei"  # what Chinese office PCs have; elsewhere the system substitutes a CJK font
LATIN_FONT = "Arial"
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
LEFT, WIDTH = Inches(0.5), Inches(12.333)
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.75)
CAPTION_TOP, CAPTION_HEIGHT = Inches(1.05), Inches(1.05)
BODY_TOP, BODY_HEIGHT = Inches(2.2), Inches(4.65)
FOOTER_TOP, FOOTER_HEIGHT = Inches(7.0), Inches(0.35)
INK, MUTED, BLUE, ALERT = (31, 31, 31), (102, 102, 102), (43, 92, 138), (165, 0, 38)
CHART_TYPES = {
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
    "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
}
TEXT_MARGIN_PT = 7.2 * 2  # a text frame's default inset, top and bottom (0.05 inch each) plus a little air
LINE_SPACING = 1.25


def text_em(text: str) -> float:
    """The width of a text in ems: a Chinese character is one, a digit or Latin letter about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in text)


def lines_needed(text: str, size_pt: float, width_emu: int) -> int:
    """Lines the text takes in a box of that width (the frame's side insets, 0.1 inch each, taken off)."""
    usable = Emu(width_emu).pt - 14.4
    return max(1, math.ceil(text_em(text) * size_pt / usable))


def fitting_size(text: str, width_emu: int, height_emu: int, largest: int, smallest: int) -> int:
    """The largest font size (pt) at which the text fits the box, at least `smallest`."""
    for size in range(largest, smallest - 1, -1):
        if lines_needed(text, size, width_emu) * size * LINE_SPACING + TEXT_MARGIN_PT <= Emu(height_emu).pt:
            return size
    return smallest


def _ea(font_element) -> None:
    """The East Asian typeface on a run's or chart's font (without it Chinese falls back to a default font)."""
    for old in font_element.findall(qn("a:ea")):
        font_element.remove(old)
    latin = font_element.find(qn("a:latin"))
    ea = font_element.makeelement(qn("a:ea"), {"typeface": EAST_ASIAN_FONT})
    if latin is not None:
        latin.addnext(ea)
    else:
        font_element.append(ea)


def _run_font(run, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, LATIN_FONT
    run.font.color.rgb = RGBColor(*colour)
    _ea(run._r.get_or_add_rPr())


def _text(slide, text: str, top, height, largest: int, smallest: int, *, left=LEFT, width=WIDTH, bold=False,
          colour=INK):  # fmt: skip
    """A text box holding the text at the largest size that fits it."""
    text = strip_control(text)
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
    run = frame.paragraphs[0].add_run()
    run.text = text
    _run_font(run, fitting_size(text, width, height, largest, smallest), bold, colour)
    return frame


def _footer(slide, meeting: Meeting, number: int, total: int, stamp: bool = True) -> None:
    """The stamp (数据截至 …, scope) and the page number; the cover, which states the stamp large, only the number."""
    if stamp:
        _text(slide, meeting.stamp, FOOTER_TOP, FOOTER_HEIGHT, 12, 10, width=Inches(10.5), colour=MUTED)
    _text(slide, f"{number} / {total}", FOOTER_TOP, FOOTER_HEIGHT, 12, 10, left=Inches(11.6), width=Inches(1.2),
          colour=MUTED)  # fmt: skip


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _skip_labels(axis, every: int) -> None:
    """Label only every n-th category (four years of month-ends would print over each other)."""
    offset = axis._element.find(qn("c:lblOffset"))
    skip = etree.SubElement(axis._element, qn("c:tickLblSkip"))
    skip.set("val", str(every))
    if offset is not None:
        offset.addnext(skip)


def _picture(slide, figure) -> None:
    """A figure as a picture in the body's box, as wide as its height allows."""
    png = figure_png(figure, width=IMAGE_WIDTH, height=int(IMAGE_WIDTH * BODY_HEIGHT / WIDTH))
    slide.shapes.add_picture(io.BytesIO(png), LEFT, BODY_TOP, width=WIDTH, height=BODY_HEIGHT)


def _chart(slide, data: ChartData) -> None:
    """A native chart: the categories and series of the slide's figure, its colours and, for a line, its goal."""
    chart_data = CategoryChartData(number_format=data.number_format)
    chart_data.categories = list(data.categories)
    for name, values in data.series:
        chart_data.add_series(strip_control(name), list(values))
    if data.goal is not None:
        chart_data.add_series(f"目标 {data.goal:g}{data.value_title}", [data.goal] * len(data.categories))
    chart = slide.shapes.add_chart(CHART_TYPES[data.kind], LEFT, BODY_TOP, WIDTH, BODY_HEIGHT, chart_data).chart
    chart.font.size, chart.font.name = Pt(14), LATIN_FONT
    _ea(chart.font._element)
    chart.has_legend = len(chart_data) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
    chart.value_axis.has_title = True
    chart.value_axis.axis_title.text_frame.text = data.value_title
    chart.value_axis.has_major_gridlines = True
    plot = chart.plots[0]
    for series, colour in zip(plot.series, data.colours, strict=False):
        if data.kind == "line":
            series.format.line.color.rgb, series.format.line.width, series.smooth = _rgb(colour), Pt(3), False
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(colour)
    if data.goal is not None:
        goal = plot.series[len(data.series)]
        goal.format.line.color.rgb, goal.format.line.dash_style = _rgb(GOAL_LINE), MSO_LINE.DASH
    if data.kind == "line" and len(data.categories) > 12:
        _skip_labels(chart.category_axis, math.ceil(len(data.categories) / 8))
    if data.kind != "line":
        plot.has_data_labels = True
        plot.data_labels.number_format, plot.data_labels.number_format_is_linked = data.number_format, False
        plot.data_labels.font.size = Pt(12)
        if data.kind == "column":
            plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    if data.kind == "stacked_bar":
        chart.category_axis.reverse_order = True  # the first category on top, as on screen
        chart.category_axis.tick_labels.font.size = Pt(11)
        plot.gap_width = 40


TABLE_COLUMN_EMS = 20  # the widest a slide's table column grows before its text wraps


def _cell_lines(text: str, width_emu: int) -> int:
    """Lines a 16-pt cell text takes in a column (a tenth more room than text_em counts, as a margin)."""
    return max(1, math.ceil(text_em(text) * 1.1 * 16 / (Emu(width_emu).pt - 14.4)))


def _table(slide, view: Slide) -> None:
    """A table in the large type: a row is 0.42 inch, so the slide's rows (slides.ROWS_PER_SLIDE) fit."""
    frame = view.table
    rows, cols = len(frame) + 1, len(frame.columns)
    texts = [[str(c) for c in frame.columns]] + [[cell_text(v, 0 if not isinstance(v, float) else 1) for v in row]
                                                 for row in frame.itertuples(index=False, name=None)]  # fmt: skip
    # A column is at least as wide as its header and at most TABLE_COLUMN_EMS wide: a long text wraps, a short one
    # keeps its line; a row is as tall as its longest wrapped cell, never lower than a line of the large type.
    weights = [max(text_em(texts[0][c]) + 1, min(TABLE_COLUMN_EMS, max(text_em(r[c]) for r in texts) + 1))
               for c in range(cols)]  # fmt: skip
    widths = [int(WIDTH * weight / sum(weights)) for weight in weights]
    heights = [max(Inches(0.42), Pt(max(_cell_lines(t, w) for t, w in zip(row, widths, strict=True)) * 16 * 1.25 + 4))
               for row in texts]  # fmt: skip
    if sum(heights) > BODY_HEIGHT:  # a very long list: the rows share the body's height
        heights = [int(BODY_HEIGHT / rows)] * rows
    shape = slide.shapes.add_table(rows, cols, LEFT, BODY_TOP, WIDTH, sum(heights))
    for c, width in enumerate(widths):
        shape.table.columns[c].width = width
    for row, height in zip(shape.table.rows, heights, strict=True):
        row.height = height
    for r in range(rows):
        for c in range(cols):
            cell = shape.table.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = strip_control(texts[r][c])
            status = view.statuses.get(frame.columns[c], [None] * len(frame))[r - 1] if r else None
            colour = (255, 255, 255) if r == 0 else INK
            if status:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(STATUS_COLOURS[status])
                colour = INK if STATUS_COLOURS[status] in DARK_TEXT_FILLS else (255, 255, 255)
            _run_font(run, 16, bold=r == 0 or bool(status), colour=colour)


def deck_bytes(meeting: Meeting) -> bytes:
    """16:9 deck: a title slide, then one slide per meeting slide with its caption, chart or table, and notes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = deck.slide_layouts[6]
    total = len(meeting.slides) + 1
    cover = deck.slides.add_slide(blank)
    _text(cover, meeting.title, Inches(2.2), Inches(1.4), 40, 28, bold=True, colour=BLUE)
    _text(cover, meeting.stamp, Inches(3.8), Inches(0.7), 24, 18)
    _text(cover, meeting.county.issuer, Inches(4.6), Inches(0.7), 24, 18)
    missing = reporting_text(meeting.reporting) if meeting.reporting is not None else ""
    if missing:  # the sums of every slide lack a county: said on the cover, in full
        _text(cover, missing, Inches(5.4), Inches(1.2), 22, 14, colour=ALERT)
    if meeting.assembly is not None:  # how a reporting round assembled the month, with the units carried forward
        top, colour = Inches(6.2) if missing else Inches(5.4), ALERT if meeting.assembly.carried else MUTED
        _text(cover, meeting.assembly.text(), top, Inches(0.7), 20, 12, colour=colour)
    _footer(cover, meeting, 1, total, stamp=False)
    if meeting.report is not None:
        cover.notes_slide.notes_text_frame.text = strip_control(_cover_notes(meeting))
    for number, view in enumerate(meeting.slides, start=2):
        slide = deck.slides.add_slide(blank)
        _text(slide, view.title, TITLE_TOP, TITLE_HEIGHT, 32, 24, bold=True, colour=BLUE)
        _text(slide, view.caption, CAPTION_TOP, CAPTION_HEIGHT, 20, 12)
        if view.chart is not None:
            _chart(slide, view.chart)
        elif view.figure is not None:  # a map: no native PowerPoint chart draws one, so a picture of it
            _picture(slide, view.figure)
        elif view.table is not None:
            _table(slide, view)
        _footer(slide, meeting, number, total)
        slide.notes_slide.notes_text_frame.text = strip_control(view.notes or view.caption)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _cover_notes(meeting: Meeting) -> str:
    """The title slide's notes: how many targets stand where."""
    counts = metrics.status_counts(meeting.report)
    return f"{meeting.stamp}。{len(meeting.report.kpis)} 项目标：" + "，".join(
        f"{k} {n} 项" for k, n in counts.values()
    )
