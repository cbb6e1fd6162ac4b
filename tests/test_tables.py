"""Tables as HTML (present/tables/html.py): names escaped, numbers worded as the app words them, statuses as pills with
their symbol, the columns a phone shows and the toggle for the rest."""

from __future__ import annotations

from datetime import date

import pandas as pd

from socialwork.present.tables.html import cell_text, decimals_of, phone_columns, table_html
from tests.html_tables import frames_in

HOSTILE = '<a href="http://evil.example">点我</a> & <b>粗</b>'


def test_names_are_text_never_markup():
    html = table_html(pd.DataFrame({"乡镇（街道）": [HOSTILE], "持证社工（人）": [1]}))
    assert "<a href" not in html and "<b>" not in html
    assert frames_in(html)[0]["乡镇（街道）"].tolist() == [HOSTILE]


def test_values_are_worded_as_the_app_words_them():
    assert [cell_text(v, 0) for v in (1234, 2.0, None, float("nan"), True, date(2026, 10, 31))] == [
        "1,234", "2", "—", "—", "是", "2026-10-31",
    ]  # fmt: skip
    assert cell_text(68.085, 1) == "68.1"
    assert [decimals_of(pd.Series(v)) for v in ([1.0, 2.0], [1.5, 2.0], [2.404, 1.0])] == [0, 1, 2]
    assert decimals_of(pd.Series([227.0, 254.0], name="预算（万元）")) == 1  # money keeps its decimal


def test_statuses_are_pills_with_their_symbol_and_a_dash_is_no_status():
    frame = pd.DataFrame({"乡镇（街道）": ["甲", "乙", "丙"], "占比（%）": [100.0, 50.0, None]})
    html = table_html(frame, statuses={"占比（%）": ["met", "behind", "behind"]})
    assert '<span class="sw-pill sw-met">✓ 100.0</span>' in html
    assert '<span class="sw-pill sw-behind">! 50.0</span>' in html
    assert html.count("sw-pill") == 2  # no pill for a missing value


def test_a_phone_shows_name_value_and_status_and_the_rest_behind_a_toggle():
    frame = pd.DataFrame({"指标": ["甲"], "方案目标": ["文字"], "当前值": [1], "目标": ["≥ 2"], "状态": ["! 滞后"]})
    statuses = {"状态": ["behind"]}
    assert phone_columns(frame, statuses) == ["指标", "状态", "当前值"]
    html = table_html(frame, statuses=statuses)
    assert html.count("sw-x") == 4  # 方案目标 and 目标: header and cell each hidden on a phone
    assert "显示全部 5 列" in html
    assert "显示全部" not in table_html(frame, phone=list(frame.columns))  # nothing hidden, no toggle


def test_a_long_table_scrolls_inside_its_box():
    frame = pd.DataFrame({"村（社区）": [f"村{i}" for i in range(30)]})
    assert "max-height" in table_html(frame, scroll_rows=20)
    assert "max-height" not in table_html(frame, scroll_rows=None)


def test_arrow_backed_columns_read_as_their_plain_twins_row_by_row():
    """Cells are built a column at a time from tolist(): each row keeps its own values, whatever backs the column."""
    on = date(2026, 10, 31)
    plain = pd.DataFrame({"乡镇（街道）": ["甲", None, "丙"], "人数": [1234.0, None, 3.0], "日期": [on] * 3})
    arrow = plain.astype({"乡镇（街道）": "string[pyarrow]", "人数": "Int64"})
    arrow["日期"] = arrow["日期"].astype("date32[pyarrow]")
    statuses = {"人数": ["met", "behind", "behind"]}
    assert table_html(arrow, statuses=statuses) == table_html(plain, statuses=statuses)
    assert '<td class="sw-num">1,234</td>' in table_html(arrow)
    read = frames_in(table_html(arrow))[0]
    assert read["乡镇（街道）"].tolist()[::2] == ["甲", "丙"] and read["人数"].tolist()[::2] == [1234.0, 3.0]
    assert read.iloc[1, :2].isna().all() and (read["日期"] == "2026-10-31").all()
