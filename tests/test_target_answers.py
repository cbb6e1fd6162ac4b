"""The leader's answers for every target, on every surface: the gap to the goal, the year-end forecast with its
method, 同比 (the same month last year) and the 责任单位. Values are worked out by hand on the fixture county; each
surface (card, overview table, slide, PPTX, PDF, DOCX, XLSX, CLI, the 目标进度 and 总览 pages) has its own test, so a
merge that drops one from one surface fails here (a merge once removed the forecast from the main page unnoticed).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.data.storage import identity
from socialwork.data.storage.store import write_snapshot
from socialwork.figures import metrics
from socialwork.figures.metrics import Kpi
from socialwork.figures.metrics.pace import Projection
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.documents.exports import export_bytes
from socialwork.present.meeting.slides import MAP_SLIDE, TARGETS_SLIDE, meeting
from socialwork.present.screen.cards import card_foot_html, sparkline_svg
from socialwork.present.tables.topics import kpi_frame
from socialwork.present.theme import STATUS_COLOURS
from socialwork.present.words import targets as words
from tests.fixture_county import FIXTURE_COUNTY, T1, snapshot
from tests.test_documents import shown, slide_text

MARCH_2024, MARCH_2025 = date(2024, 3, 31), date(2025, 3, 31)
ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
ANSWER_COLUMNS = ("差距", "年末预测", "同比", "责任单位")


def kpi(**fields) -> Kpi:
    """A KPI of 持证社工年度净增 with every field a test does not set left plain."""
    base = dict(
        metric_key="certified_net_increase", label="持证社工年度净增", target_label=None, unit="人", decimals=0,
        value=4.0, goal=40.0, comparator="gt", scope="county", status="behind", status_label="滞后",
        previous_value=4.0, expected_now=30.0, baseline_date=date(2025, 12, 31), note="",
    )  # fmt: skip
    return Kpi(**(base | fields))


# ---------------------------------------------------------------- words


def test_the_gap_is_in_the_unit_with_the_share_of_a_count_goal_done():
    assert words.gap_text(kpi(gap=37.0)) == "差 37人（已完成 10%）"
    share = kpi(unit="%", decimals=1, value=68.1, goal=100.0, comparator="ge", gap=31.9)
    assert words.gap_text(share) == "差 31.9个百分点"  # a rate: points, no share of the goal
    assert words.gap_text(kpi(status="met", gap=None, value=45.0)) == "已达标"
    assert words.gap_text(kpi(goal=None, comparator=None, status="no_goal")) == "—"


def test_percentage_differences_are_points_and_a_change_that_rounds_to_nothing_is_level():
    assert words.signed_difference(0.3, 1, "%") == "+0.3个百分点"
    assert words.signed_difference(-2, 0, "人") == "−2人"
    assert words.signed_difference(0.04, 1, "%") == "持平"  # never "+0.0%" in a red pill
    level = kpi(unit="%", decimals=1, value=59.46, previous_value=59.44)
    assert words.is_unchanged(level) is False and words.change_text(level) == "+0.02个百分点"


def test_rounding_never_shows_equal_numbers_beside_a_change_or_a_met_looking_value_behind():
    # 59.5% → 59.5%，变化 −0.1% was shown: one more decimal where the two round alike.
    assert words.distinct_decimals((59.48, 59.46), 1) == 2
    assert words.distinct_decimals((59.4, 60.0), 1) == 1
    behind = kpi(unit="%", decimals=1, value=67.96, goal=68.01, comparator="gt_baseline", gap=0.05)
    assert words.value_text(behind) == "67.96%" and words.goal_text(behind) == "> 68.01%"


def test_the_forecast_names_its_method_and_verdict():
    seasonal = kpi(projection=Projection(linear=4.8, seasonal=31.0, seasonal_years=(2024, 2025), remaining=37.0))
    assert words.forecast_text(seasonal) == "31人（按往年同期规律（参照2024、2025年），预计难达标）"
    assert words.forecast_text(seasonal, brief=True) == "31人（难达标）"
    linear = kpi(projection=Projection(linear=48.0, seasonal=None, seasonal_years=(), remaining=37.0))
    assert words.forecast_text(linear) == "48人（按当前进度线性外推，预计可达标）"
    assert words.forecast_misses(seasonal) and not words.forecast_misses(linear)
    assert words.forecast_text(kpi(metric_key="active_organisations", projection=None)) == "—"  # a level figure


def test_year_on_year_compares_with_the_same_month_last_year():
    assert words.yoy_text(kpi(last_year_value=24.0)) == "−20人（去年同期 24人）"
    assert words.yoy_text(kpi(last_year_value=24.0), brief=True) == "−20人"
    assert words.yoy_text(kpi(last_year_value=None)) == "去年同期无数据"


# ---------------------------------------------------------------- figures, worked out by hand


@pytest.fixture(scope="module")
def units_store(tmp_path_factory):
    """The fixture county at the ends of 2023 and 2024 and at 31 March of 2024 and 2025, with a 责任单位 for every
    target."""
    root = tmp_path_factory.mktemp("units")
    identity.write(root, FIXTURE_COUNTY)
    for on in (date(2023, 12, 31), MARCH_2024, date(2024, 12, 31), MARCH_2025):
        frames = snapshot(on)
        frames["targets"] = frames["targets"].assign(responsible_unit="县民政局")
        write_snapshot(root, on, frames)
    return root


def test_the_report_carries_gap_and_same_month_last_year(units_store):
    net = metrics.kpi_report(MARCH_2025, EVERYWHERE, units_store).kpis[0]
    # Certified at 2024-12-31: p1 p2 p3 p4 p5 p10; at 2025-03-31 p8 too (certified 2025-01-15): net 1. "> 40" asks
    # 41: the gap is 40.
    assert (net.metric_key, net.value, net.gap) == ("certified_net_increase", 1.0, 40.0)
    # 同比: the net increase of 2024 at 2024-03-31: p3 certified 2024-03-10, p6 left 2024-02-01: 0.
    assert (net.last_year_date, net.last_year_value) == (MARCH_2024, 0.0)
    assert words.yoy_text(net) == "+1人（去年同期 0人）"


def test_responsibility_is_data_and_a_township_answers_for_its_own(units_store):
    county = metrics.kpi_report(MARCH_2025, EVERYWHERE, units_store)
    assert {k.responsible_unit for k in county.kpis if k.goal is not None} == {"县民政局"}
    township = metrics.kpi_report(MARCH_2025, Places.townships([T1]), units_store)
    by_scope = {k.scope: k.responsible_unit for k in township.kpis if k.scope}
    assert by_scope == {"scale_free": "甲街道", "county": "县民政局"}


# ---------------------------------------------------------------- every surface


def demo_kpis() -> list[Kpi]:
    return list(metrics.kpi_report(LAST_SNAPSHOT).kpis)


def net_increase() -> Kpi:
    return demo_kpis()[0]


def test_card_shows_gap_forecast_year_on_year_and_unit():
    foot = card_foot_html(net_increase(), detailed=False)
    for part in ("距目标：差 ", "年末预测：", "按往年同期规律", "同比：", "去年同期", "责任单位：县民政局、县人社局"):
        assert part in foot, part


def test_a_detailed_card_draws_its_year_as_a_line_in_its_status_colour():
    kpi = replace(net_increase(), trend=((date(2026, 1, 31), 1.0), (date(2026, 2, 28), None), (date(2026, 3, 31), 2.0),
                                         (date(2026, 4, 30), 3.0)), status="behind")  # fmt: skip
    foot = card_foot_html(kpi, detailed=True)
    assert 'points="0.0,27.0 50.0,15.0 100.0,3.0"' in foot  # a month without a value is left out, highest on top
    assert f'stroke="{STATUS_COLOURS["behind"]}"' in foot
    assert "sw-spark" not in card_foot_html(kpi, detailed=False)  # the overview's cards have no trend line
    assert 'points="0.0,15.0 100.0,15.0"' in sparkline_svg([5.0, 5.0], "#000")  # a flat year: mid-height
    assert sparkline_svg([5.0], "#000") == ""


def test_overview_table_has_every_answer():
    frame = kpi_frame(metrics.kpi_report(LAST_SNAPSHOT))
    assert set(ANSWER_COLUMNS) <= set(frame.columns)
    row = frame.iloc[0]
    assert row["差距"].startswith("差 ") and row["年末预测"].endswith("难达标）") and row["同比"].endswith("人")


def test_targets_slide_and_its_notes_have_every_answer():
    slide = next(s for s in meeting(LAST_SNAPSHOT, EVERYWHERE, None).slides if s.key == TARGETS_SLIDE)
    assert set(ANSWER_COLUMNS) <= set(slide.table.columns)
    assert "差 " in slide.notes and "年末预测" in slide.notes and "同比" in slide.notes and "责任单位" in slide.notes


def test_pptx_has_every_answer_and_the_township_ranking():
    deck = Presentation(io.BytesIO(export_bytes("pptx", LAST_SNAPSHOT, EVERYWHERE, None)))
    cells = [
        cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
        for row in shape.table.rows for cell in row.cells
    ]  # fmt: skip
    for header in ANSWER_COLUMNS:
        assert header in cells, header
    assert "县民政局、县人社局" in cells
    assert any("各乡镇（街道）目标排名" in slide_text(s) for s in deck.slides)


def test_pdf_has_every_answer_and_overdue_in_two_named_meanings():
    text = "".join(
        shown(p.extract_text())
        for p in PdfReader(io.BytesIO(export_bytes("pdf", LAST_SNAPSHOT, EVERYWHERE, None))).pages
    )
    for part in (*ANSWER_COLUMNS, "县民政局、县人社局", "逾期的督办事项2项", "逾期的实施步骤与工作举措"):
        assert shown(part) in text, part


def test_docx_has_every_answer():
    document = Document(io.BytesIO(export_bytes("docx", LAST_SNAPSHOT, EVERYWHERE, None)))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for header in ANSWER_COLUMNS:
        assert header in cells, header
    text = "\n".join(p.text for p in document.paragraphs)
    assert re.search(r"逾期的督办事项 \d+ 项", text)


def test_xlsx_targets_sheet_has_the_answers_as_numbers():
    book = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", LAST_SNAPSHOT, EVERYWHERE, None)))
    sheet = next(
        ws for ws in book.worksheets if any(c.value == "距目标差距" for row in ws.iter_rows(max_row=6) for c in row)
    )
    header_row = next(r for r in sheet.iter_rows(max_row=6) if any(c.value == "距目标差距" for c in r))
    headers = {c.value: c.column for c in header_row}
    for name in ("距目标差距", "年末预测（判断所用）", "去年同期值", "同比变化", "责任单位"):
        assert name in headers, name
    first = header_row[0].row + 1
    gap = sheet.cell(first, headers["距目标差距"]).value
    assert isinstance(gap, int | float) and gap == net_increase().gap


def test_cli_json_and_text_carry_the_answers(capsys):
    assert cli.main(["kpis", "--as-of", LAST_SNAPSHOT.isoformat(), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["kpis"][0]
    assert first["gap"] == net_increase().gap and first["responsible_unit"] == "县民政局、县人社局"
    assert first["last_year_date"] == date(LAST_SNAPSHOT.year - 1, 10, 31).isoformat()
    assert cli.main(["kpis", "--as-of", LAST_SNAPSHOT.isoformat()]) == 0
    assert "年末预测" in capsys.readouterr().out


def markdown_blocks(at: AppTest) -> str:
    """Every markdown and HTML block of the page, as one text."""
    return "\n".join([*(m.value for m in at.markdown), *(h.proto.body for h in at.html)])


def test_targets_page_cards_show_pace_forecast_and_trend():
    """The regression: 目标进度's cards are drawn through the follow-up wrapper and had lost their detailed form."""
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.run()
    at.switch_page("pages/targets.py").run()
    assert not at.exception
    text = markdown_blocks(at)
    assert text.count("年末预测：") >= sum(k.projection is not None for k in demo_kpis())
    assert "按时间进度此时应达" in text and "距目标：差 " in text and "同比：" in text
    assert text.count('class="sw-spark"') >= sum(len(k.trend) > 1 for k in demo_kpis()) > 0, "the trend lines"
    assert not [m for m in at.metric if m.proto.chart_data], "st.metric's sparkline fetches the Vega-Lite bundle"


def test_overview_answers_the_five_questions():
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.run()
    assert not at.exception
    text = markdown_blocks(at)
    for question in ("哪些目标落后，差多少", "最需关注", "上次会议以来变化与逾期", "年底能否完成", "与去年同期相比"):
        assert question in text, question
    assert "逾期督办 2 项" in text and "逾期 " in text
    behind = [k for k in demo_kpis() if k.status in ("behind", "missed")]
    assert f"{len(behind)} 项落后" in text


def test_no_red_zero_on_a_card_whose_change_rounds_away():
    level = replace(net_increase(), unit="%", decimals=1, value=50.02, previous_value=50.0, status="behind")
    assert words.is_unchanged(level) is False and words.change_text(level) == "+0.02个百分点"
    flat = replace(level, value=50.0)
    assert words.is_unchanged(flat) and words.change_text(flat) == "持平"


def test_docx_follows_the_official_document_format():
    """GB/T 9704-2012: A4, margins 37/35/28/26 mm, title 小标宋 二号, body 仿宋 三号, page numbers "— N —" at the outer
    edge, statuses as coloured words, the groups' charts as pictures."""
    document = Document(io.BytesIO(export_bytes("docx", LAST_SNAPSHOT, EVERYWHERE, None)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)]  # fmt: skip
    assert margins == [37, 35, 28, 26]
    for footer, alignment in ((section.footer, "RIGHT"), (section.even_page_footer, "LEFT")):
        xml = footer.paragraphs[0]._p.xml
        assert (
            "PAGE" in xml and footer.paragraphs[0].text == "—  —" and alignment in str(footer.paragraphs[0].alignment)
        )
    fonts = {style: document.styles[style].element.rPr.rFonts.get(qn("w:eastAsia")) for style in ("Normal", "Title")}
    assert fonts == {"Normal": "仿宋_GB2312", "Title": "方正小标宋简体"}
    assert document.styles["Normal"].font.size.pt == 16 and document.styles["Title"].font.size.pt == 22
    coloured = [
        run for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs
        for run in p.runs if run.text.startswith("! 滞后")
    ]  # fmt: skip
    assert coloured and all(str(run.font.color.rgb) == STATUS_COLOURS["behind"].lstrip("#").upper() for run in coloured)
    assert len(document.inline_shapes) >= 5  # each metric group's chart


def test_xlsx_years_are_numbers_every_table_filters_and_the_changes_are_there():
    book = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", LAST_SNAPSHOT, EVERYWHERE, None)))
    incentives = book["激励"]
    assert incentives.cell(4, 1).value == "年度" and isinstance(incentives.cell(5, 1).value, int)
    assert incentives.cell(5, 1).number_format == "0"  # 2022, never "2,022"
    assert all(sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A4:") for sheet in book.worksheets
               if sheet.max_row > 4)  # fmt: skip
    changes_sheet = book["变化对比·目标"]
    assert [c.value for c in changes_sheet[4]][:1] == ["指标"] and changes_sheet.max_row == 4 + len(demo_kpis())


def test_pptx_cover_states_the_date_once():
    deck = Presentation(io.BytesIO(export_bytes("pptx", LAST_SNAPSHOT, EVERYWHERE, None)))
    assert slide_text(deck.slides[0]).count("数据截至") == 1


# ---------------------------------------------------------------- the map, on every surface that shows it


def choropleth_ids(spec: dict) -> set[str]:
    return {code for trace in spec["data"] if trace["type"] == "choropleth" for code in trace["locations"]}


def test_overview_has_the_map_of_every_township():
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.run()
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    townships = set(metrics.township_scorecard(LAST_SNAPSHOT).frame["township_code"])
    assert any(choropleth_ids(spec) == townships for spec in specs)


def test_the_meeting_has_a_map_slide_in_presentation_the_deck_and_the_pdf():
    slides = meeting(LAST_SNAPSHOT, EVERYWHERE, None).slides
    [view] = [s for s in slides if s.key == MAP_SLIDE]
    townships = set(metrics.township_scorecard(LAST_SNAPSHOT).frame["township_code"])
    assert choropleth_ids(view.figure.to_plotly_json()) == townships
    assert view.caption.startswith("有社工服务的村（社区）占比：17 个乡镇（街道）中")
    deck = Presentation(io.BytesIO(export_bytes("pptx", LAST_SNAPSHOT, EVERYWHERE, None)))
    [map_slide] = [s for s in deck.slides if "地图：社会工作服务覆盖" in slide_text(s)]
    assert any(shape.shape_type == 13 for shape in map_slide.shapes)  # MSO_SHAPE_TYPE.PICTURE
    pdf = "".join(
        shown(p.extract_text())
        for p in PdfReader(io.BytesIO(export_bytes("pdf", LAST_SNAPSHOT, EVERYWHERE, None))).pages
    )
    assert shown("地图：社会工作服务覆盖") in pdf
