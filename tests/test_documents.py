"""Meeting documents opened with their own libraries: pages, stamp, captions equal to the KPIs, the filter."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import openpyxl
import pytest
from docx import Document
from PIL import Image, ImageChops
from pptx import Presentation
from pypdf import PdfReader

from socialwork.data.demo import LAST_SNAPSHOT
from socialwork.figures import metrics, places
from socialwork.present.charts import TEMPLATE
from socialwork.present.documents import export_bytes, report_html
from socialwork.present.meeting import caption_for, meeting
from socialwork.present.rendering import figure_png

STAMP = "数据截至 2026年10月31日"


def slide_texts(content: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(content))
    return [" ".join(shape.text_frame.text for shape in s.shapes if shape.has_text_frame) for s in deck.slides]


@pytest.fixture(scope="module")
def county_deck() -> bytes:
    return export_bytes("pptx", LAST_SNAPSHOT, None, None)


def test_deck_has_a_slide_per_view_with_stamp_page_numbers_and_kpi_captions(county_deck):
    content = meeting(LAST_SNAPSHOT, None, None)
    texts = slide_texts(county_deck)
    assert len(texts) == len(content.slides) + 1
    for number, text in enumerate(texts, start=1):
        assert STAMP in text and f"{number} / {len(texts)}" in text
    report = metrics.kpi_report(LAST_SNAPSHOT)
    net = next(k for k in report.kpis if k.metric_key == "certified_net_increase")
    assert caption_for(net) in texts[2]  # the talent slide speaks the KPI's own figures
    assert f"持证社工年度净增 {int(net.value)}人" in texts[2]
    assert any(shape.shape_type == 13 for shape in Presentation(io.BytesIO(county_deck)).slides[2].shapes)  # picture


def test_caption_wording():
    kpi = metrics.Kpi("certified_net_increase", "持证社工年度净增", None, "人", 0, 36.0, 40.0, "gt", "county",
                      "missed", "未达标", None, None, None, "")  # fmt: skip
    assert caption_for(kpi) == "持证社工年度净增 36人，距目标 41人 尚差 5人"


def test_deck_for_a_township_respects_the_filter():
    codes = places.township_codes(["城关街道"], LAST_SNAPSHOT)
    texts = slide_texts(export_bytes("pptx", LAST_SNAPSHOT, codes, ["城关街道"]))
    assert all("范围：城关街道" in t for t in texts)
    assert "乡镇贡献" in texts[1]


def test_pdf_report_embeds_chinese_text_and_fetches_nothing():
    content = meeting(LAST_SNAPSHOT, None, None)
    html = report_html(content)
    assert "http://" not in html and "https://" not in html  # offline: every image is inline
    assert html.count(f"<footer><span>{content.stamp}</span>") == len(content.slides) + 1  # the title page too
    assert "<div class='caption'>XX县民政局</div>" in html  # the issuer, from the store's identity
    reader = PdfReader(io.BytesIO(export_bytes("pdf", LAST_SNAPSHOT, None, None)))
    assert len(reader.pages) == len(content.slides) + 1
    # NFKC: the font maps some ideographs to their Kangxi-radical twins (⼯ for 工) in extracted text
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages))
    assert "XX县社会工作人才支持专项工作推进情况" in text.replace(" ", "")
    assert "数据截至 2026年10月31日" in text
    fonts = {f for page in reader.pages for f in (page["/Resources"].get("/Font") or {})}
    assert fonts, "fonts are embedded"


def test_workbook_has_a_sheet_per_table_with_stamp_and_filter():
    codes = places.township_codes(["白水镇"], LAST_SNAPSHOT)
    book = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", LAST_SNAPSHOT, codes, ["白水镇"])))
    assert len(book.sheetnames) >= 10
    for sheet in book.worksheets:
        assert sheet["A2"].value.startswith(STAMP) and "范围：白水镇" in sheet["A2"].value
    communities = book["村社区社工配备"]
    assert {row[0] for row in communities.iter_rows(min_row=5, values_only=True)} == {"白水镇"}


def test_summary_report_structure_and_figures():
    document = Document(io.BytesIO(export_bytes("docx", date(2024, 12, 31), None, None)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、工作开展情况", "二、目标完成情况", "三、存在问题", "四、下一步打算"]
    table = document.tables[0]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    net = rows["全县持证社会工作者年度增量超过40人"]
    report = metrics.kpi_report(date(2024, 12, 31))
    expected = next(k for k in report.kpis if k.metric_key == "certified_net_increase")
    assert net[3] == f"{int(expected.value)}人" and net[4] == "否"


def test_chart_images_draw_chinese_glyphs():
    import plotly.graph_objects as go

    def picture(title: str) -> Image.Image:
        figure = go.Figure(go.Bar(x=[1], y=[1])).update_layout(template=TEMPLATE, title=title)
        return Image.open(io.BytesIO(figure_png(figure, 600, 300))).convert("RGB")

    # Missing glyphs draw identical boxes whatever the characters; real glyphs differ.
    assert ImageChops.difference(picture("社会工作"), picture("工作社会")).getbbox() is not None
