"""Charts and lists at province scale: top-N with "others", capped name lists and Excel sheets, by hand."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from socialwork.present.screen import charts
from socialwork.present.tables import files
from socialwork.present.words.formatting import (
    capped_list_note,
    card_count,
    format_value,
    names_text,
    post_summary_items,
    scope_text,
    staffing_summary_items,
)

FIVE = pd.DataFrame(
    {
        "township_code": ["t1", "t2", "t3", "t4", "t5"],
        "township_name": ["甲", "乙", "丙", "丁", "戊"],
        "projects": [1, 5, 3, 2, 4],
        "budget_wan": [10.0, 50.0, 30.0, 20.0, 40.0],
    }
)


def test_five_townships_top_three_and_the_other_two_summed():
    top = charts.top_n(
        FIVE, ["budget_wan"], n=3, limit=3, label="township_name", others="其他 {count:,} 个乡镇（街道）",
        summed=["projects", "budget_wan"],
    )  # fmt: skip
    frame = top.frame
    assert list(frame["township_name"]) == ["乙", "戊", "丙", "其他 2 个乡镇（街道）"]
    assert list(frame["budget_wan"]) == [50.0, 40.0, 30.0, 30.0]  # 20 + 10
    assert list(frame["projects"]) == [5, 4, 3, 3]  # 2 + 1
    assert list(frame[charts.OTHERS]) == [False, False, False, True]
    assert pd.isna(frame.loc[3, "township_code"])  # not a township: nothing to drill into
    assert (top.total, top.shown, top.capped) == (5, 3, True)
    assert top.note("预算最多", "乡镇（街道）") == "显示预算最多的3个乡镇（街道），共5个；其余合并为末尾一栏"


def test_up_to_the_limit_every_row_stays_in_order_without_others():
    top = charts.top_n(FIVE, ["budget_wan"], ascending=True, n=3, limit=5, label="township_name", others="其他")
    assert list(top.frame["township_name"]) == ["甲", "丁", "丙", "戊", "乙"]
    assert not top.frame[charts.OTHERS].any()
    assert (top.total, top.shown, top.capped) == (5, 5, False)
    assert top.note("预算最少", "乡镇（街道）") is None


def test_without_an_others_label_the_rest_is_left_out_and_the_note_says_so():
    top = charts.top_n(FIVE, ["budget_wan"], ascending=True, n=2, limit=3)
    assert list(top.frame["township_name"]) == ["甲", "丁"]
    assert top.note("预算最少", "乡镇（街道）") == "显示预算最少的2个乡镇（街道），共5个"


def test_ties_keep_the_order_they_came_in():
    tied = FIVE.assign(budget_wan=1.0)
    assert list(charts.top_n(tied, ["budget_wan"], n=2, limit=2).frame["township_name"]) == ["甲", "乙"]


def township_staffing(n: int) -> pd.DataFrame:
    """n townships with 2 urban communities each; township i has i % 5 certified among them."""
    certified = [i % 5 for i in range(n)]
    return pd.DataFrame(
        {
            "township_code": [f"t{i:03d}" for i in range(n)],
            "township_name": [f"乡镇{i:03d}" for i in range(n)],
            "urban_communities": 2,
            "certified_in_urban_communities": certified,
            "average_certified_per_urban_community": [c / 2 for c in certified],
            "urban_communities_meeting_minimum": [min(c // 2, 2) for c in certified],
            "total_shortfall": [max(0, 4 - c) for c in certified],
        }
    )


def test_township_staffing_chart_keeps_the_worst_and_one_bar_for_the_rest():
    frame = township_staffing(40)
    fig = charts.township_staffing_bars(frame, 2, "各乡镇（街道）城市社区平均持证社工")
    rows, bar = fig.data  # a transparent bar across each township's row makes it clickable, then the bar drawn
    assert list(rows.y) == list(bar.y) and list(rows.customdata) == list(bar.customdata)
    assert rows.x[0] == 2 and rows.x[-1] is None  # the others row has nothing to click
    assert len(bar.y) == charts.TOP_BARS + 1
    assert list(bar.x[:8]) == [0.0] * 8  # the eight townships without a certified worker come first
    assert bar.y[-1] == "其他 20 个乡镇（街道）"
    rest = frame.sort_values("average_certified_per_urban_community", kind="stable").iloc[charts.TOP_BARS :]
    assert bar.x[-1] == pytest.approx(rest["certified_in_urban_communities"].sum() / rest["urban_communities"].sum())
    assert [c[0] for c in bar.customdata[:-1]] == list(bar.y[:-1]) and bar.customdata[-1][0] is None
    assert bar.marker.color[-1] == charts.OTHERS_COLOUR
    assert fig.layout.title.text == "各乡镇（街道）城市社区平均持证社工"
    assert fig.layout.title.subtitle.text == "显示与目标差距最大的20个乡镇（街道），共40个；其余合并为末尾一栏"


def test_a_county_sized_chart_is_drawn_in_full_without_a_note():
    fig = charts.township_staffing_bars(township_staffing(charts.MAX_BARS), 2, "标题")
    assert len(fig.data[1].y) == charts.MAX_BARS
    assert fig.layout.title.text == "标题" and fig.layout.title.subtitle.text is None


def test_community_chart_counts_communities_a_capped_list_left_out():
    frame = pd.DataFrame(
        {
            "township_name": "甲", "community_code": [f"c{i:02d}" for i in range(40)],
            "community_name": [f"社区{i:02d}" for i in range(40)], "community_kind": "urban_community",
            "certified_workers": [i % 4 for i in range(40)], "meets_minimum": [i % 4 >= 2 for i in range(40)],
        }
    )  # fmt: skip
    fig = charts.community_staffing_bars(frame, 2, "甲各城市社区持证社工", urban_total=55)
    assert len(fig.data[0].y) == charts.TOP_BARS and max(fig.data[0].x) == 1
    assert fig.layout.title.subtitle.text == "显示持证社工最少的20个城市社区，共55个"


def test_bar_chart_draws_the_others_row_in_grey_with_its_note():
    top = charts.top_n(FIVE, ["budget_wan"], n=3, limit=3, label="township_name", others="其他 {count} 个",
                       summed=["budget_wan"])  # fmt: skip
    fig = charts.bar_chart(top.frame, "township_name", "budget_wan", "预算", "万元", horizontal=True,
                           note=top.note("预算最多", "乡镇（街道）"))  # fmt: skip
    assert list(fig.data[0].marker.color) == [charts.PRIMARY] * 3 + [charts.OTHERS_COLOUR]
    assert fig.layout.title.subtitle.text.startswith("显示预算最多的3个")
    assert charts.bar_chart(FIVE, "township_name", "budget_wan", "预算", "万元").layout.title.subtitle.text is None


def test_names_are_listed_up_to_a_limit_then_counted():
    assert names_text(["甲", "乙"]) == "甲、乙"
    many = [f"乡镇{i:04d}" for i in range(1_800)]
    assert names_text(many, 2, "乡镇（街道）") == "乡镇0000、乡镇0001等1,800个乡镇（街道）"
    assert scope_text(["城关街道", "马坪乡"]) == "城关街道、马坪乡"
    assert scope_text(many).endswith("乡镇0009等1,800个乡镇（街道）")
    assert scope_text([]) == "全县"


def test_a_capped_list_says_how_many_there_are():
    assert capped_list_note(267, 267, "村（社区）", "最需关注的") is None
    note = capped_list_note(1_000, 30_000, "村（社区）", "最需关注的", "缺口大者在前")
    assert note.startswith("共 30,000 个村（社区），表中列出最需关注的 1,000 个（缺口大者在前）。")


def test_an_excel_sheet_stops_at_its_row_limit_and_says_so(monkeypatch):
    monkeypatch.setattr(files, "XLSX_MAX_ROWS", 3)
    frame = pd.DataFrame({"村（社区）": [f"社区{i}" for i in range(5)]})
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx_bytes(frame, date(2026, 10, 31), "全县", "各村（社区）")))
    sheet = book.active
    assert "共 5 行" in sheet["A3"].value and "前 3 行" in sheet["A3"].value
    assert [sheet.cell(row, 1).value for row in range(5, 9)] == ["社区0", "社区1", "社区2", None]
    small = openpyxl.load_workbook(io.BytesIO(files.xlsx_bytes(frame.head(3), date(2026, 10, 31), "全县", "t")))
    assert small.active["A3"].value is None


def test_year_end_labels_are_head_counts_even_when_the_figures_are_floats():
    figures = pd.DataFrame(
        {"certified_workers": [144.0, 150.0, 1190.0]},
        index=pd.Index([date(2023, 12, 31), date(2024, 1, 31), date(2024, 12, 31)], name="snapshot_date"),
    )
    fig = charts.certified_trend(figures, "持证社工")
    assert list(fig.data[1].text) == ["144", "1,190"]


def test_metric_cards_show_a_provinces_counts_in_wan_with_the_exact_count_in_the_help():
    assert card_count(9_999, "人") == ("9,999人", None)
    assert card_count(155_641, "个") == ("15.6万", "共 155,641个")
    assert card_count(12_000, "人", "缺口") == ("1.2万", "缺口；共 12,000人")
    summary = pd.Series({
        "average_certified_per_urban_community": 0.83, "urban_communities": 155_641,
        "urban_communities_meeting_minimum": 31_600, "total_shortfall": 191_676,
        "communities_without_social_worker": 412,
    })  # fmt: skip
    values = {label: value for label, value, _ in staffing_summary_items(summary)}
    assert values == {"城市社区": "15.6万", "平均持证": "0.83人", "达到2名": "20.3%", "持证缺口": "19.2万",
                      "无社工村社": "412个"}  # fmt: skip


def test_large_sums_of_money_are_shown_in_yi_and_counts_with_separators():
    assert format_value(250.0, 1, "万元") == "250.0万元"
    assert format_value(1_263_047.0, 1, "万元") == "126.30亿元"
    assert format_value(-12_000.0, 1, "万元") == "-1.20亿元"
    items = post_summary_items(pd.Series({
        "posts": 375_000, "filled_posts": 318_512, "vacant_posts": 56_488, "new_this_year": 16_059,
        "new_since_previous": 1_632, "institution_main_professional_share": 30.1,
    }))  # fmt: skip
    assert [value for _, value, _ in items][:2] == ["375,000个", "318,512个"]


def test_staffing_labels_take_the_standard_from_the_contract_and_the_goal_from_the_targets(monkeypatch):
    from socialwork.present.words import formatting

    monkeypatch.setattr(formatting, "MIN_CERTIFIED", 3)  # a plan asking for three per urban community
    summary = pd.Series({
        "average_certified_per_urban_community": 2.5, "urban_communities": 4, "urban_communities_meeting_minimum": 1,
        "total_shortfall": 3, "communities_without_social_worker": 0,
    })  # fmt: skip
    items = {label: help_text for label, _, help_text in staffing_summary_items(summary, average_goal=2.5)}
    assert "达到3名" in items and "只计不足 3 名" in items["持证缺口"] and "（3 − 持证人数）" in items["持证缺口"]
    assert items["平均持证"] == "每个城市社区平均持证社工；目标 ≥ 2.5"
    assert staffing_summary_items(summary)[1][2] == "每个城市社区平均持证社工"  # no goal this year: none claimed
