"""Meeting documents read back with their own libraries (python-pptx, pypdf, openpyxl, python-docx): what a
bureau hands to its leaders has the county's identity, every target with the app's status, the milestones, the
township table and the complete gap lists, and nothing in it is cut off or stored as text that should be a number.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date, datetime

import openpyxl
import pytest
from docx import Document
from PIL import Image, ImageChops
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader

from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import choices, metrics, posts, staffing
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.documents.exports import export_bytes, export_label
from socialwork.present.documents.rendering import figure_png
from socialwork.present.documents.report import report_data, report_sections, report_title
from socialwork.present.documents.report_pdf import report_html
from socialwork.present.meeting.captions import caption_for
from socialwork.present.meeting.slides import MAP_SLIDE, meeting
from socialwork.present.theme import TEMPLATE
from socialwork.present.words.formatting import status_text

STAMP = "数据截至 2026年10月31日"
# Chromium's PDF maps some glyphs to the radical that shares them (页 comes out as ⻚, 马 as ⻢); NFKC folds the
# Kangxi radicals back, not these.
RADICALS = str.maketrans(
    "⻚⺠⻢⻰⻔⻓⻋⻉⻛⻜⻥⻦⻩⻬⻮⻳⻅⻆⻝⻣⻤⻘⻄⻨",
    "页民马龙门长车贝风飞鱼鸟黄齐齿龟见角食骨鬼青西麦",
)
YEAR_END = date(2025, 12, 31)


def shown(text: str) -> str:
    """Text as extracted from a PDF, as read: radical twins folded back, line breaks and spaces gone."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


# ---------------------------------------------------------------- PPTX


@pytest.fixture(scope="module")
def county_deck() -> Presentation:
    return Presentation(io.BytesIO(export_bytes("pptx", LAST_SNAPSHOT, EVERYWHERE, None)))


def slide_text(slide) -> str:
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_deck_has_a_slide_per_view_with_stamp_page_numbers_and_notes(county_deck):
    content = meeting(LAST_SNAPSHOT, EVERYWHERE, None)
    slides = list(county_deck.slides)
    assert len(slides) == len(content.slides) + 1
    for number, slide in enumerate(slides, start=1):
        assert STAMP in slide_text(slide) and f"{number} / {len(slides)}" in slide_text(slide)
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
    for slide, view in zip(slides[1:], content.slides, strict=True):
        assert view.title in slide_text(slide) and view.caption in slide_text(slide)
    report = metrics.kpi_report(LAST_SNAPSHOT)
    net = next(k for k in report.kpis if k.metric_key == "certified_net_increase")
    talent = slides[1 + [v.key for v in content.slides].index("talent")]
    notes = talent.notes_slide.notes_text_frame.text
    assert f"持证社工年度净增：{int(net.value)}人；目标 > 40人；差 {int(net.gap)}人" in notes  # the figures behind it
    assert status_text(net) in notes


def test_deck_charts_are_native_with_the_figures_numbers(county_deck):
    """Every chart slide holds a PowerPoint chart (no picture; the map, which no PowerPoint chart draws, aside), its
    series the same numbers as the page's."""
    content = meeting(LAST_SNAPSHOT, EVERYWHERE, None)
    charts = {}
    for slide, view in zip(list(county_deck.slides)[1:], content.slides, strict=True):
        if view.key == MAP_SLIDE:
            continue
        assert not [s for s in slide.shapes if s.shape_type == 13], f"{view.title}: a picture, not a chart"
        found = [s.chart for s in slide.shapes if s.has_chart]
        assert bool(found) == (view.figure is not None), view.title
        if found:
            charts[view.key] = found[0]
    trend = metrics.figures_by_snapshot(metrics.first_date(), LAST_SNAPSHOT, EVERYWHERE)
    certified = charts["talent"].plots[0].series[0]
    assert list(certified.values) == list(trend["certified_workers"])
    by_sector = posts.posts_by_sector(LAST_SNAPSHOT, EVERYWHERE)
    filled, vacant = charts["posts"].plots[0].series
    assert sum(filled.values) + sum(vacant.values) == by_sector["posts"].sum()
    assert len(charts["posts"].plots[0].categories) == len(by_sector)
    coverage = [s.name for s in charts["coverage"].plots[0].series]
    assert coverage[0] == "有社工服务的村（社区）占比" and coverage[-1].startswith("目标 100")


def fits(text: str, size_pt: float, width_pt: float, height_pt: float) -> bool:
    """Estimated independently of the deck's own sizing: a Chinese character is one em wide, anything else
    0.6 em; lines 1.2 em apart; 0.1 inch of inset on each side."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.6 for c in text)
    lines = max(1, math.ceil(ems * size_pt / (width_pt - 14.4)))
    return lines * size_pt * 1.2 <= height_pt - 7.2


def test_nothing_in_the_deck_is_cut_off(county_deck):
    width, height = county_deck.slide_width, county_deck.slide_height
    for number, slide in enumerate(county_deck.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.left + shape.width <= width, (number, shape.name)
            assert shape.top >= 0 and shape.top + shape.height <= height, (number, shape.name)
            if shape.has_text_frame and shape.text_frame.text:
                run = shape.text_frame.paragraphs[0].runs[0]
                box = (Emu(shape.width).pt, Emu(shape.height).pt)
                assert fits(shape.text_frame.text, run.font.size.pt, *box), (number, shape.text_frame.text)
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for column, cell in zip(table.columns, row.cells, strict=True):
                        run = cell.text_frame.paragraphs[0].runs[0]
                        assert fits(cell.text, run.font.size.pt, Emu(column.width).pt, Emu(row.height).pt + 7.2), (
                            number,
                            cell.text,
                        )


def test_caption_wording():
    kpi = metrics.Kpi("certified_net_increase", "持证社工年度净增", None, "人", 0, 36.0, 40.0, "gt", "county",
                      "missed", "未达标", None, None, None, "")  # fmt: skip
    assert caption_for(kpi) == "持证社工年度净增 36人，距目标 41人 尚差 5人"


def test_deck_for_a_township_respects_the_filter():
    codes = Places.townships(choices.township_codes(["城关街道"], LAST_SNAPSHOT))
    deck = Presentation(io.BytesIO(export_bytes("pptx", LAST_SNAPSHOT, codes, ["城关街道"])))
    texts = [slide_text(s) for s in deck.slides]
    assert all("范围：城关街道" in t for t in texts)
    assert any("不单独考核" in t for t in texts)  # a county-wide total under a township filter


# ---------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def county_pdf() -> PdfReader:
    return PdfReader(io.BytesIO(export_bytes("pdf", LAST_SNAPSHOT, EVERYWHERE, None)))


def test_pdf_is_an_a4_portrait_report_with_identity_stamp_and_page_numbers_on_every_page(county_pdf):
    pages = [shown(page.extract_text()) for page in county_pdf.pages]
    assert len(pages) >= 5
    title = report_title(report_data(LAST_SNAPSHOT, EVERYWHERE, None).county, LAST_SNAPSHOT, "pdf")
    assert county_pdf.metadata.title == title == "XX县社会工作人才支持专项工作推进情况报告"
    for number, (page, text) in enumerate(zip(county_pdf.pages, pages, strict=True), start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 portrait
        assert shown(STAMP) in text and f"第{number}页/共{len(pages)}页" in text, number
        assert "XX县民政局" in text  # the issuer on every page
    fonts = [font.get_object() for page in county_pdf.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts and all(embedded(font) for font in fonts), "every font is embedded"


def embedded(font) -> bool:
    """A Type 3 font carries its glyphs' drawings (Skia embeds an OpenType CJK font so); others a font file."""
    if font.get("/Subtype") == "/Type3":
        return "/CharProcs" in font
    descriptor = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
    return any(k in descriptor["/FontDescriptor"].get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_pdf_first_page_is_the_summary(county_pdf):
    first = shown(county_pdf.pages[0].extract_text())
    report = metrics.kpi_report(LAST_SNAPSHOT)
    counts = "、".join(f"{label}{n}项" for label, n in metrics.status_counts(report).values())
    assert "一、总体情况" in first and counts in first
    for kpi in report.kpis:
        if kpi.projection is not None:  # every annual target with its year-end projection, on the first page
            assert shown(kpi.label) in first, kpi.label
    overdue = metrics.milestones(LAST_SNAPSHOT)
    for title in overdue.loc[overdue["timeline_status"] == "overdue", "title"]:
        assert shown(title) in first
    assert "二、各项目标完成情况" not in first


def test_pdf_sections_run_on_after_the_summary_page(county_pdf):
    """Only the summary stands alone on its page: each later section begins below the last, so no page is left half
    empty before a heading (13 pages, pages 3 to 7 half empty, before issue 36; 11 pages after)."""
    pages = [shown(page.extract_text()) for page in county_pdf.pages]
    headings = [shown(s.heading) for s in report_sections(report_data(LAST_SNAPSHOT, EVERYWHERE, None), "pdf")]
    first_page = {h: next(n for n, text in enumerate(pages) if h in text) for h in headings}
    assert first_page[headings[1]] == 1  # the targets begin on page two
    shared = [h for h in headings[2:] if first_page[h] == first_page[headings[headings.index(h) - 1]]]
    assert shared, f"every section began a page of its own: {first_page}"
    assert len(pages) <= 11


def test_pdf_holds_every_target_milestone_township_and_the_complete_gap_lists(county_pdf):
    text = "".join(shown(page.extract_text()) for page in county_pdf.pages)
    for kpi in metrics.kpi_report(LAST_SNAPSHOT).kpis:
        assert shown(kpi.label) in text and shown(status_text(kpi)) in text, kpi.label
    for title in metrics.milestones(LAST_SNAPSHOT)["title"]:
        assert shown(title) in text, title
    for name in metrics.township_scorecard(LAST_SNAPSHOT).frame["township_name"]:
        assert shown(name) in text, name
    shortfalls, unserved = (
        staffing.shortfall_list(LAST_SNAPSHOT, EVERYWHERE),
        staffing.uncovered_list(LAST_SNAPSHOT, EVERYWHERE),
    )
    assert len(unserved) == 26 and len(shortfalls) == 15  # the demo's gaps, every one listed
    for row in [*shortfalls.itertuples(), *unserved.itertuples()]:
        assert shown(f"{row.township_name}{row.community_name}") in text, row.community_name


def test_pdf_html_is_offline_and_escapes_names():
    html = report_html(report_data(LAST_SNAPSHOT, EVERYWHERE, None))
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "<title>XX县社会工作人才支持专项工作推进情况报告</title>" in html


# ---------------------------------------------------------------- XLSX

UNIT_TEXT = re.compile(r"^[-+]?[\d,]+(\.\d+)?\s*(人|个|家|场|张|%|万元|人/社区)$")


@pytest.fixture(scope="module")
def county_book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", LAST_SNAPSHOT, EVERYWHERE, None)))


def test_workbook_has_every_table_with_stamp_frozen_header_and_widths(county_book):
    for name in ("年度目标", "乡镇可比目标", "实施步骤", "村社区社工配备", "城市社区缺口", "无社工村社区", "岗位按领域",
                 "社工站", "社工机构", "激励", "购买服务各年度", "购买服务各部门", "购买服务各乡镇"):  # fmt: skip
        assert name in county_book.sheetnames
    for sheet in county_book.worksheets:
        assert sheet["A2"].value.startswith(STAMP) and sheet.freeze_panes == "A5", sheet.title
        for cell in sheet[4]:
            width = sheet.column_dimensions[cell.column_letter].width
            longest = max((displayed_width(c) for c in sheet[cell.column_letter][4:] if c.value is not None), default=0)
            assert width >= min(longest, 50), (sheet.title, cell.value, width, longest)


def displayed_width(cell) -> float:
    """How wide Excel shows a cell: its number as formatted, a Chinese character two units, others one."""
    value = cell.value
    if isinstance(value, datetime):
        text = value.date().isoformat()
    elif isinstance(value, int | float):
        decimals = len(cell.number_format.split(".")[1]) if "." in cell.number_format else 0
        text = f"{value:,.{decimals}f}"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_workbook_numbers_are_numbers_and_dates_are_dates(county_book):
    for sheet in county_book.worksheets:
        for row in sheet.iter_rows(min_row=5, values_only=True):
            assert not [v for v in row if isinstance(v, str) and UNIT_TEXT.match(v)], (sheet.title, row)
    targets = county_book["年度目标"]
    header = [c.value for c in targets[4]]
    rows = {r[header.index("指标")]: r for r in targets.iter_rows(min_row=5, values_only=True)}
    report = metrics.kpi_report(LAST_SNAPSHOT)
    for kpi in report.kpis:
        row = rows[kpi.label]
        assert row[header.index("当前值")] == pytest.approx(kpi.value) and row[header.index("单位")] == kpi.unit
        assert row[header.index("状态")] == kpi.status_label
    value_cells = {targets.cell(row=r, column=2).value: targets.cell(row=r, column=header.index("当前值") + 1)
                   for r in range(5, targets.max_row + 1)}  # fmt: skip
    assert value_cells["持证社工年度净增"].number_format == "#,##0"
    assert value_cells["持证社工≥2名的城市社区占比"].number_format == "#,##0.0"
    steps = county_book["实施步骤"]
    due = [c.value for c in steps[4]].index("截止日期") + 1
    assert all(isinstance(steps.cell(row=r, column=due).value, datetime) for r in range(5, steps.max_row + 1))
    assert steps.cell(row=5, column=due).number_format.lower() == "yyyy-mm-dd"
    budget = county_book["购买服务各年度"]
    assert [c.value for c in budget[4]][2] == "预算（万元）"
    assert isinstance(budget["C5"].value, int | float) and budget["C5"].number_format == "#,##0.0"  # 万元: a decimal


def test_workbook_for_a_township_respects_the_filter():
    codes = Places.townships(choices.township_codes(["白水镇"], LAST_SNAPSHOT))
    book = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", LAST_SNAPSHOT, codes, ["白水镇"])))
    for sheet in book.worksheets:
        assert "范围：白水镇" in sheet["A2"].value
    communities = book["村社区社工配备"]
    assert {row[0] for row in communities.iter_rows(min_row=5, values_only=True)} == {"白水镇"}


# ---------------------------------------------------------------- DOCX


def docx(as_of: date) -> Document:
    return Document(io.BytesIO(export_bytes("docx", as_of, EVERYWHERE, None)))


def test_a_part_year_is_a_progress_report_and_a_complete_year_a_summary():
    october = docx(LAST_SNAPSHOT)
    assert october.paragraphs[0].text == "XX县社会工作人才支持专项工作2026年阶段性进展报告"
    assert october.core_properties.title == october.paragraphs[0].text
    assert not [p.text for p in october.paragraphs if "年度总结" in p.text]
    assert docx(YEAR_END).paragraphs[0].text == "XX县社会工作人才支持专项工作2025年度总结"
    assert export_label("docx", LAST_SNAPSHOT) == "阶段性进展报告（DOCX）"
    assert export_label("docx", YEAR_END) == "年度总结（DOCX）"


def test_the_report_is_written_from_the_figures_with_one_marked_space():
    document = docx(LAST_SNAPSHOT)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体情况", "二、各项目标完成情况", "三、实施步骤推进情况",
                        "四、各乡镇（街道）目标完成情况", "五、存在问题与缺口清单", "六、自上次会议以来",
                        "七、上次会议督办事项落实情况", "八、下一步工作打算"]  # fmt: skip
    marked = [p.text for p in document.paragraphs if "工作人员填写" in p.text]
    assert len(marked) == 1 and marked[0].startswith("【此处由工作人员填写")
    body = {h: [] for h in headings}
    current = None
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            current = paragraph.text
        elif current and paragraph.text.strip():
            body[current].append(paragraph.text)
    assert all(body[h] for h in headings[:-1]) and body[headings[-1]] == marked  # data everywhere but the last


def test_docx_statuses_and_lists_agree_with_the_app():
    document = docx(LAST_SNAPSHOT)
    report = metrics.kpi_report(LAST_SNAPSHOT)
    targets = next(t for t in document.tables if t.rows[0].cells[0].text == "指标")
    status = [c.text for c in targets.rows[0].cells].index("状态")
    shown_status = {r.cells[0].text: r.cells[status].text for r in targets.rows[1:]}
    assert shown_status == {k.label: status_text(k) for k in report.kpis}
    assert shown_status["本年发放“XX英才卡”"] == "→ 进度正常"  # never a bare 否 where the app says on track
    texts = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert set(metrics.milestones(LAST_SNAPSHOT)["title"]) <= texts
    assert set(metrics.township_scorecard(LAST_SNAPSHOT).frame["township_name"]) <= texts
    assert set(staffing.uncovered_list(LAST_SNAPSHOT, EVERYWHERE)["community_name"]) <= texts


def test_chart_images_draw_chinese_glyphs():
    import plotly.graph_objects as go

    def picture(title: str) -> Image.Image:
        figure = go.Figure(go.Bar(x=[1], y=[1])).update_layout(template=TEMPLATE, title=title)
        return Image.open(io.BytesIO(figure_png(figure, 600, 300))).convert("RGB")

    # Missing glyphs draw identical boxes whatever the characters; real glyphs differ.
    assert ImageChops.difference(picture("社会工作"), picture("工作社会")).getbbox() is not None
