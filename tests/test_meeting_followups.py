"""From meeting to meeting in the meeting's materials: the "自上次会议以来" and "上次会议督办事项落实情况" slides of the
outline, the deck and the PDF's HTML; the DOCX summary's appended table; the workbook's sheet of items."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from docx import Document
from pptx import Presentation

from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import changes
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.documents.deck import deck_bytes
from socialwork.present.documents.exports import export_bytes
from socialwork.present.documents.report import report_data
from socialwork.present.documents.report_pdf import report_html
from socialwork.present.meeting.slides import FOLLOWUPS_SLIDE, SINCE_SLIDE, meeting, outline, slide
from socialwork.present.tables.changes import slide_caption
from tests.fixture_county import T1

MAPING = "999901201"  # 马坪乡


def slide_texts(content: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(content))
    return [" ".join(shape.text_frame.text for shape in s.shapes if shape.has_text_frame) for s in deck.slides]


def test_the_outline_ends_with_the_slides_that_look_back(fixture_store, demo_store):
    assert outline(LAST_SNAPSHOT, EVERYWHERE, None).keys[-3:] == (
        SINCE_SLIDE,
        FOLLOWUPS_SLIDE,
        FOLLOWUPS_SLIDE,
    )
    assert outline(date(2026, 6, 30), EVERYWHERE, None).keys[-1] == SINCE_SLIDE  # no meeting before June's data
    assert SINCE_SLIDE not in outline(date(2022, 12, 31), EVERYWHERE, None).keys  # nothing earlier to compare with
    assert outline(date(2024, 11, 30), EVERYWHERE, None, fixture_store).keys[-1] == SINCE_SLIDE


def test_the_since_slide_speaks_the_changes_since_the_last_meeting():
    plan = outline(LAST_SNAPSHOT, EVERYWHERE, None)
    since = slide(plan, plan.keys.index(SINCE_SLIDE))
    start = changes.since(LAST_SNAPSHOT)
    expected = changes.compare(date(2026, 8, 31), LAST_SNAPSHOT)
    assert since.title == "自上次会议以来"
    assert since.notes == slide_caption(expected, start.meeting)  # the whole sentence; the caption counts
    counts = (
        "目标状态变化 3项，城市社区新达标 0个，村（社区）新有社工服务 1个，乡镇目标状态变化 1个，社工站与机构变动 0处"
    )
    assert since.caption.endswith(f"{counts}，新设岗位 1个")
    assert since.caption.startswith("上次会议：2026年8月社会工作人才工作调度会（2026年9月8日）。对比 2026年8月31日与")
    assert list(since.table.columns) == ["指标", "8月31日", "10月31日", "变化", "状态"]
    assert list(since.table["状态"][:3]) == ["↑ 进度正常 → 达标", "↑ 进度正常 → 达标", "↓ 达标 → 滞后"]


def test_the_followups_slide_lists_the_last_meetings_items_overdue_first():
    plan = outline(LAST_SNAPSHOT, EVERYWHERE, None)
    parts = [slide(plan, i) for i, key in enumerate(plan.keys) if key == FOLLOWUPS_SLIDE]
    view = parts[0]
    assert view.caption == (
        "2026年8月社会工作人才工作调度会（2026年9月8日）确定督办事项 4 项：已完成 1 项，推进中 2 项，未开始 1 项；"
        "其中逾期 1 项。更早会议尚未完成的事项 1 项（逾期 1 项）"
    )
    # The last meeting's four items and the earlier meeting's overdue one, overdue first, three to a slide.
    assert [len(part.table) for part in parts] == [3, 2]
    assert [s for part in parts for s in part.table["状态"]] == [
        "逾期 31 天",
        "逾期 16 天",
        "推进中",
        "未开始",
        "已完成",
    ]  # fmt: skip  (due 09-30, 10-15)
    assert [s for part in parts for s in part.statuses["状态"]] == ["behind", "behind", "on_track", "no_data", "met"]
    assert list(view.table["督办事项"][:2]) == [
        "马坪乡社工站对照星级标准整改，申报年度星级评定",  # the earlier meeting's, overdue: listed by name
        "在医务、残疾人等重点领域新开发社工岗位，年内新增不少于5个",
    ]
    assert "已逾期 31 天" in view.notes and "已逾期 16 天" in view.notes


def test_under_a_township_the_slide_keeps_to_its_items():
    plan = outline(LAST_SNAPSHOT, Places.townships([MAPING]), ["马坪乡"])
    view = slide(plan, plan.keys.index(FOLLOWUPS_SLIDE))
    assert list(view.table["督办事项"]) == ["马坪乡社工站对照星级标准整改，申报年度星级评定"]  # its own, overdue
    assert view.caption == (
        "2026年8月社会工作人才工作调度会（2026年9月8日）未确定涉及所选乡镇（街道）的督办事项。"
        "更早会议尚未完成的事项 1 项（逾期 1 项）"
    )


def test_the_deck_and_the_report_carry_both_slides():
    texts = slide_texts(deck_bytes(meeting(LAST_SNAPSHOT, EVERYWHERE, None)))
    assert texts[-3].startswith("自上次会议以来 上次会议：") and texts[-1].startswith("上次会议督办事项落实情况")
    html = report_html(report_data(LAST_SNAPSHOT, EVERYWHERE, None))
    assert "自上次会议以来" in html and "上次会议督办事项落实情况" in html and "县民政局、县人社局" in html


def test_the_summary_appends_the_items_table():
    document = Document(io.BytesIO(export_bytes("docx", LAST_SNAPSHOT, EVERYWHERE, None)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "上次会议督办事项落实情况" in headings[-2]  # before the one section staff write (下一步工作打算)
    items = document.tables[-1]
    assert [c.text for c in items.rows[0].cells] == [
        "督办事项",
        "乡镇（街道）",
        "牵头单位",
        "完成时限",
        "状态",
        "最新进展",
    ]
    assert [r.cells[4].text for r in items.rows[1:]] == [
        "逾期 31 天",
        "逾期 16 天",
        "推进中",
        "未开始",
        "已完成",
    ]


def test_the_workbook_has_a_sheet_of_every_item_in_the_filter(fixture_store):
    book = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", LAST_SNAPSHOT, EVERYWHERE, None)))
    sheet = book["会议督办事项"]
    assert [c.value for c in sheet[4]][:3] == ["编号", "督办事项", "状态"]
    assert sheet.max_row == 4 + 7
    book = openpyxl.load_workbook(
        io.BytesIO(export_bytes("xlsx", date(2024, 11, 30), Places.townships([T1]), ["甲街道"], fixture_store))
    )
    assert book["会议督办事项"].max_row == 4  # no meeting recorded: the header alone
