"""Cards and tables shared by every page: the page header, KPI cards with status, scorecards, capped tables
and their downloads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from socialwork.figures.metrics import Kpi, KpiReport, TownshipScorecard, status_counts
from socialwork.present.charts import STATUS_BADGE_COLOURS, STATUS_COLOURS
from socialwork.present.exports import csv_bytes, xlsx_bytes
from socialwork.present.formatting import (
    as_of_stamp,
    capped_list_note,
    change_text,
    format_value,
    goal_text,
    pace_lines,
    scorecard_frames,
    scorecard_header,
    status_text,
)
from socialwork.present.plaintext import markdown_text

if TYPE_CHECKING:
    from socialwork.present.filtering import Filters

    pass


# Rows of one table sent to the browser: a province lists 30,000 villages and communities, the nation 620,000.
# Longer lists show their first TABLE_MAX_ROWS in a meaningful order, say so, and download complete.
TABLE_MAX_ROWS = 1_000


def page_header(title: str, filters: Filters) -> None:
    """Page title with the county, the as-of stamp and the scope, on every page; names shown as plain text."""
    st.title(markdown_text(title))
    county = markdown_text(filters.county.county_name)
    st.markdown(f"#### {county} · {as_of_stamp(filters.as_of)} · 范围：{markdown_text(filters.scope)}")


def status_badge(kpi: Kpi) -> None:
    st.badge(status_text(kpi), color=STATUS_BADGE_COLOURS[kpi.status])


def status_summary(counts: dict[str, tuple[str, int]]) -> None:
    """One badge per status with its count of targets, e.g. "✓ 达标 8 项"."""
    with st.container(horizontal=True, gap="small"):
        for status, (label, n) in counts.items():
            st.badge(f"{label} {n} 项", color=STATUS_BADGE_COLOURS[status])


def table_height(rows: int) -> int:
    """Pixel height that shows every row of a st.dataframe without an inner scrollbar."""
    return 38 + 35 * rows


def kpi_card(kpi: Kpi, detailed: bool = False) -> None:
    """A bordered card: value, change since the previous snapshot, goal and status.

    Detailed cards add the year's trend line and, for annual targets, pace and projection.
    """
    change = change_text(kpi)
    unchanged = kpi.value is not None and kpi.value == kpi.previous_value
    trend = [v for _, v in kpi.trend if v is not None] if detailed else []
    with st.container(border=True):
        st.metric(
            kpi.label, format_value(kpi.value, kpi.decimals, kpi.unit), delta=None if change == "—" else change,
            delta_arrow="off" if unchanged else "auto", delta_color="off" if unchanged else "normal",
            delta_description="较上期", help=kpi.target_label and markdown_text(kpi.target_label),
            chart_data=trend if len(trend) > 1 else None,
            chart_type="line",
        )  # fmt: skip
        with st.container(horizontal=True, vertical_alignment="center"):
            status_badge(kpi)
            st.markdown(f"目标 {goal_text(kpi)}")
        lines = pace_lines(kpi) if detailed else []
        if lines:
            st.markdown("\n".join(f"- {line}" for line in lines))
        if kpi.note:
            st.caption(kpi.note)


def _status_css(statuses: pd.DataFrame) -> pd.DataFrame:
    fills = {s: f"background-color: {c}33" for s, c in STATUS_COLOURS.items()}  # 20 % tint keeps text legible
    return statuses.map(lambda s: fills.get(s, ""))


def scorecard_table(card: TownshipScorecard, max_rows: int | None = None) -> None:
    """The per-township table, cells tinted by status, sortable by any column; at most max_rows (TABLE_MAX_ROWS).

    Tinting goes through pandas' Styler, whose cost grows with the cells (about 1 s per 1,000 townships) and
    which refuses more than 262,144 cells: a province or the nation is cut to its first rows, worst first.
    """
    values, statuses = scorecard_frames(card)
    total, max_rows = len(values), max_rows or TABLE_MAX_ROWS
    values, statuses = values.head(max_rows), statuses.head(max_rows)
    styled = values.style.apply(lambda _: _status_css(statuses), axis=None)
    config = {
        scorecard_header(s, card.label(s)): st.column_config.NumberColumn(
            help=card.label(s), format=f"%.{s.decimals}f", width="small"
        )
        for s in card.metrics
    }
    st.dataframe(
        styled, hide_index=True, width="stretch", height=table_height(min(len(values), 20)), column_config=config,
        placeholder="—",
    )  # fmt: skip
    if total > len(values):
        st.caption(
            f"共 {total:,} 个乡镇（街道），表中列出未达标项最多的 {len(values):,} 个（点击列名只在这些行内排序）。"
            "完整表请下载，或在侧栏选择乡镇（街道）。"
        )


Table = pd.DataFrame | Callable[[], pd.DataFrame]  # a frame, or a function that fetches it when downloaded


def _frame(table: Table) -> pd.DataFrame:
    return table() if callable(table) else table


def download_buttons(frame: Table, stem: str, filters: Filters, title: str, key: str) -> None:
    """CSV and XLSX of a table, named and stamped with the as-of date and the township filter.

    The files are made when a button is clicked, not on every run (a province's XLSX takes seconds); frame may
    be a function, so that a table shown capped downloads complete.
    """
    with st.container(horizontal=True):
        _xlsx_button(lambda: xlsx_bytes(_frame(frame), filters.as_of, filters.place, title), stem, filters, key)
        _csv_button("下载 CSV", frame, stem, filters, f"{key}_csv")


def _xlsx_button(make: Callable[[], bytes], stem: str, filters: Filters, key: str) -> None:
    """The XLSX download of a page's table or tables (made when clicked)."""
    st.download_button(
        "下载 Excel（XLSX）", make, file_name=filters.file_name(stem, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        icon=":material/download:", on_click="ignore",
    )  # fmt: skip


def _csv_button(label: str, table: Table, stem: str, filters: Filters, key: str) -> None:
    """The CSV download of one table (made when clicked)."""
    st.download_button(
        label, lambda: csv_bytes(_frame(table), filters.as_of, filters.place), file_name=filters.file_name(stem, "csv"),
        mime="text/csv", key=key, icon=":material/download:", on_click="ignore",
    )  # fmt: skip


def milestone_table(steps: pd.DataFrame) -> None:
    """Steps and measures with lead department, dates and where each stands."""
    table = pd.DataFrame(
        {
            "事项": steps["title"],
            "类型": steps["kind_label"],
            "牵头部门": steps["lead_department"],
            "截止日期": steps["due_date"],
            "完成日期": steps["done_date"],
            "进度": steps["timeline_label"],
            "逾期天数": steps["days_overdue"],
        }
    )
    narrow = st.column_config.Column(width="small")
    config = {"事项": st.column_config.Column(width="large"), **dict.fromkeys(list(table.columns)[1:], narrow)}
    st.dataframe(
        table, hide_index=True, width="stretch", height=table_height(len(table)), placeholder="—", column_config=config
    )


def summary_metrics(items: list[tuple[str, str, str | None]]) -> None:
    """Bordered metrics, (label, value, help) each: one row of up to five, else rows of three."""
    per_row = len(items) if len(items) <= 5 else 3
    for start in range(0, len(items), per_row):
        row = items[start : start + per_row]
        for column, (label, value, help_text) in zip(st.columns(per_row), row, strict=False):
            column.metric(label, value, help=help_text, border=True)


def download_sheets(sheets: dict[str, Table], stem: str, filters: Filters, title: str, key: str) -> None:
    """One XLSX with a sheet per table, and a CSV per table, made when clicked (see download_buttons)."""
    with st.container(horizontal=True):
        _xlsx_button(
            lambda: xlsx_bytes({n: _frame(t) for n, t in sheets.items()}, filters.as_of, filters.place, title),
            stem, filters, key,
        )  # fmt: skip
        for name, sheet in sheets.items():
            _csv_button(f"下载 CSV：{name}", sheet, f"{stem}_{name}", filters, f"{key}_{name}_csv")


def report_summary(report: KpiReport) -> None:
    """The KPI report's note and the count of targets per status."""
    if report.note:
        st.info(report.note)
    status_summary(status_counts(report))
    return report


def kpi_cards(kpis: list[Kpi], detailed: bool = True) -> None:
    """KPI cards, three to a row."""
    for start in range(0, len(kpis), 3):
        for column, kpi in zip(st.columns(3), kpis[start : start + 3], strict=False):
            with column:
                kpi_card(kpi, detailed=detailed)


def table(frame: pd.DataFrame, max_rows: int = 20) -> None:
    """A read-only table sized to its rows (scrolling beyond max_rows)."""
    st.dataframe(frame, hide_index=True, width="stretch", height=table_height(min(len(frame), max_rows)),
                 placeholder="—")  # fmt: skip


def capped_table(frame: pd.DataFrame, total: int, noun: str, which: str, order: str = "", max_rows: int = 20) -> None:
    """A table that may hold only the first rows of a longer list (total rows); a caption says so then."""
    table(frame, max_rows)
    note = capped_list_note(len(frame), total, noun, which, order)
    if note:
        st.caption(note)
