"""Cards and tables shared by every page: the page header, KPI cards with status, scorecards, capped tables
and their downloads.
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from socialwork.figures import hierarchy, reporting_status
from socialwork.figures.metrics import Kpi, KpiReport, TownshipScorecard, status_counts
from socialwork.present.screen.fitting import for_screen
from socialwork.present.staff.login import audited_download
from socialwork.present.tables.files import csv_bytes, xlsx_bytes
from socialwork.present.tables.html import pill, table_html
from socialwork.present.tables.places import PLACE_NOUN, scorecard_frames
from socialwork.present.tables.topics import milestone_counts_frame, milestone_frame
from socialwork.present.theme import (
    CHART_CONFIG,
    GREY,
    MILESTONE_STATUS,
    STATUS_COLOURS,
    STATUS_NAMED_COLOURS,
    fit_key,
)
from socialwork.present.words.formatting import as_of_stamp, capped_list_note, pace_lines
from socialwork.present.words.plaintext import markdown_text
from socialwork.present.words.targets import (
    change_text,
    forecast_method,
    goal_text,
    is_unchanged,
    status_text,
    target_lines,
    value_text,
)

if TYPE_CHECKING:
    from socialwork.present.screen.filtering import Filters


# Rows of one table sent to the browser: a province lists 30,000 villages and communities, the nation 620,000.
# Longer lists show their first TABLE_MAX_ROWS in a meaningful order, say so, and download complete.
TABLE_MAX_ROWS = 1_000
# The ranking's rows carry a status pill per target: a nation's first 1,000 counties were 1.4 MB of HTML.
SCORECARD_MAX_ROWS = 300


def page_header(title: str, filters: Filters) -> None:
    """Page title with the county, the as-of stamp and the scope, on every page; names shown as plain text."""
    st.title(markdown_text(title))
    county = markdown_text(filters.county.county_name)
    st.markdown(f"#### {county} · {as_of_stamp(filters.as_of)} · 范围：{markdown_text(filters.scope)}")
    if filters.multi_county:  # a leader must never read a sum that silently lacks a county
        missing = hierarchy.reporting(filters.as_of, filters.places, filters.data).note
        if missing:
            st.warning(f"报送情况：{markdown_text(missing)}", icon=":material/report:")


def assembly_note(filters: Filters) -> None:
    """How the month in view was assembled by a reporting round (本月数据由各单位上报汇总：已报 21 / 24 ·
    沿用上月 3（…）), said where leaders look; nothing for a month imported whole, or while the server database does
    not answer."""
    assembly = reporting_status.assembly_at(filters.data, filters.as_of)
    if assembly is not None:  # carried-forward parts are last month's figures: said as a warning
        show = st.warning if assembly.carried else st.info
        show(markdown_text(assembly.text()), icon=":material/fact_check:")


def pills_html(counts: dict[str, tuple[str, int]]) -> str:
    """One solid pill per status with its count of targets, e.g. "✓ 达标 8 项", as one HTML block."""
    pills = "".join(pill(f"{label} {n} 项", status) for status, (label, n) in counts.items())
    return f'<div class="sw-summary">{pills}</div>'


def table_height(rows: int) -> int:
    """Pixel height that shows every row of a st.dataframe without an inner scrollbar."""
    return 38 + 35 * rows


PHONE_FIRST = ("距目标：", "年末预测：")  # a card's lines a phone shows at once: how far, and will we make it


def card_foot_html(kpi: Kpi, detailed: bool) -> str:
    """Under a card's figure, as one block: the status pill and goal; the gap, year-end forecast, 同比 and 责任单位
    (every card); a detailed card's pace lines; then the note (escaped).

    A phone shows the gap and the forecast in brief, and the rest one tap away ("更多", theme.PAGE_CSS): one card
    to a row of five such lists made 目标进度 ten thousand pixels long."""
    lines = [_phone_brief(html.escape(line), kpi) for line in target_lines(kpi)]
    first = "".join(f"<li>{line}</li>" for line in lines if line.startswith(PHONE_FIRST))
    rest = "".join(f"<li>{line}</li>" for line in lines if not line.startswith(PHONE_FIRST))
    rest += "".join(f'<li class="sw-pace">{html.escape(line)}</li>' for line in (pace_lines(kpi) if detailed else []))
    note = f'<div class="sw-note">{html.escape(kpi.note)}</div>' if kpi.note else ""
    more = (
        f'<details class="sw-card-more"><summary>更多</summary></details><div class="sw-rest">'
        f"{f'<ul>{rest}</ul>' if rest else ''}{note}</div>"
        if rest or note
        else ""
    )
    trend = [v for _, v in kpi.trend if v is not None] if detailed else []
    colour = GREY if is_unchanged(kpi) else STATUS_COLOURS.get(kpi.status, GREY)  # as the change above it
    return (
        f'<div class="sw-foot">{sparkline_svg(trend, colour)}{pill(status_text(kpi), kpi.status)}'
        f'<span class="sw-goal">目标 '
        f"{html.escape(goal_text(kpi))}</span>{f'<ul>{first}</ul>' if first else ''}{more}</div>"
    )


def sparkline_svg(values: list[float], colour: str) -> str:
    """The plan year's values as a line with no axes, in the card's colour: inline SVG, not st.metric's chart,
    whose Vega-Lite bundle and one view per card cost a phone's first visit to 目标进度 seconds (issue 32).
    Nothing for fewer than two values."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    # y runs down: the year's highest value at the top, a flat year mid-height
    heights = [15.0] * len(values) if high == low else [27 - 24 * (v - low) / (high - low) for v in values]
    points = " ".join(f"{100 * i / (len(values) - 1):.1f},{y:.1f}" for i, y in enumerate(heights))
    return (
        f'<svg class="sw-spark" viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label="本年走势">'
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
        'vector-effect="non-scaling-stroke" stroke-linejoin="round"/></svg>'
    )


def _phone_brief(line: str, kpi: Kpi) -> str:
    """A card's escaped line with what a phone leaves out marked (sw-why, hidden there by theme.PAGE_CSS): the
    forecast's method (the page's note names it) and 同比's last-year value: "年末预测：31人（预计难达标）",
    "同比：−20人"."""
    method = html.escape(forecast_method(kpi))
    if method and line.startswith("年末预测："):
        brief = f'<span class="sw-why">（{method}，</span><span class="sw-brief">（</span>'
        return line.replace(f"（{method}，", brief)
    if line.startswith("同比：") and "（去年同期" in line:
        start = line.index("（去年同期")
        return f'{line[:start]}<span class="sw-why">{line[start:]}</span>'
    return line


def kpi_card(kpi: Kpi, detailed: bool = False) -> None:
    """A bordered card: value, change since the previous snapshot, goal and status.

    Detailed cards add the year's trend line (sparkline_svg) and, for annual targets, pace and projection. The
    change and the trend line take the status's colour (red behind, green met …); everything under the figure is
    one block, since each Streamlit element costs a rerun time (docs/performance.md).
    """
    change = change_text(kpi)
    unchanged = is_unchanged(kpi)  # a change that rounds to nothing is shown grey, never as a red 0
    value = value_text(kpi)
    with st.container(border=True, key=fit_key(value, kpi.metric_key)):  # a long value shrinks to fit (theme)
        st.metric(
            kpi.label, value,
            delta=None if kpi.value is None or kpi.previous_value is None else change,
            delta_arrow="off" if unchanged else "auto",
            delta_color="off" if unchanged else STATUS_NAMED_COLOURS.get(kpi.status, "off"),
            delta_description="较上期", help=kpi.target_label and markdown_text(kpi.target_label),
        )  # fmt: skip
        st.markdown(card_foot_html(kpi, detailed), unsafe_allow_html=True)


def scorecard_table(card: TownshipScorecard, max_rows: int | None = None) -> None:
    """The per-township table, each target's cell a status pill, worst townships first; at most max_rows
    (SCORECARD_MAX_ROWS), the rest in the download."""
    values, statuses = scorecard_frames(card)
    total, max_rows = len(values), max_rows or SCORECARD_MAX_ROWS
    values, statuses = values.head(max_rows), statuses.head(max_rows)
    pills = {column: list(statuses[column]) for column in values.columns[3:]}
    phone = [values.columns[0], values.columns[2], *values.columns[3:4]]
    st.html(table_html(values, statuses=pills, phone=phone))
    if total > len(values):
        st.caption(
            f"共 {total:,} 个{PLACE_NOUN[card.level]}，表中列出未达标项最多的 {len(values):,} 个。"
            "完整表请下载，或在侧栏缩小范围。"
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
    name = filters.file_name(stem, "xlsx")
    st.download_button(
        "下载 Excel（XLSX）", audited_download(make, name), file_name=name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        icon=":material/download:", on_click="ignore",
    )  # fmt: skip


def _csv_button(label: str, table: Table, stem: str, filters: Filters, key: str) -> None:
    """The CSV download of one table (made when clicked)."""
    name = filters.file_name(stem, "csv")
    st.download_button(
        label, audited_download(lambda: csv_bytes(_frame(table), filters.as_of, filters.place), name), file_name=name,
        mime="text/csv", key=key, icon=":material/download:", on_click="ignore",
    )  # fmt: skip


def milestone_table(steps: pd.DataFrame) -> None:
    """Steps and measures with lead department, dates and where each stands (overdue in red)."""
    table = milestone_frame(steps)
    statuses = {"进度": [MILESTONE_STATUS[s] for s in steps["timeline_status"]]}
    st.html(table_html(table, statuses=statuses, phone=["事项", "截止日期", "进度"]))


def milestone_counts_table(counts: pd.DataFrame) -> None:
    """Each step over a view's counties: how many counties stand where on it."""
    st.html(table_html(milestone_counts_frame(counts), phone=["事项", "县数", "已逾期（县）"]))


def grid_key(labels: list[str]) -> str:
    """A card grid's key: its CSS class (st-key-sw_grid_…) lays the cards out (theme.PAGE_CSS)."""
    return f"sw_grid_{zlib.crc32('|'.join(labels).encode()):08x}"


def summary_metrics(items: list[tuple[str, str, str | None]], alert: set[str] | frozenset[str] = frozenset()) -> None:
    """Bordered metrics, (label, value, help) each, as many to a row as fit (two on a phone); those labelled in
    `alert` show their value in the colour of 滞后 (theme.PAGE_CSS, sw_alert)."""
    grid = grid_key([label for label, _, _ in items])
    with st.container(horizontal=True, key=grid):
        for number, (label, value, help_text) in enumerate(items):
            if label in alert:
                with st.container(key=f"sw_alert_{grid}_{number}"):
                    _summary_metric(label, value, help_text, f"{grid}_{number}")
            else:
                _summary_metric(label, value, help_text, f"{grid}_{number}")


def _summary_metric(label: str, value: str, help_text: str | None, name: str) -> None:
    key = fit_key(value, name)
    if key is None:
        st.metric(label, value, help=help_text, border=True)
    else:  # a long value shrinks to fit its card (theme.PAGE_CSS)
        with st.container(key=key):
            st.metric(label, value, help=help_text, border=True)


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
    st.markdown(pills_html(status_counts(report)), unsafe_allow_html=True)


def kpi_cards(kpis: list[Kpi], detailed: bool = True, key: str | None = None) -> None:
    """KPI cards in a grid: as many to a row as fit, two on a phone (key: a grid of its own CSS, sw_grid_…)."""
    if not kpis:
        return
    with st.container(horizontal=True, key=key or grid_key([k.metric_key for k in kpis])):
        for kpi in kpis:
            kpi_card(kpi, detailed=detailed)


def table(
    frame: pd.DataFrame, max_rows: int = 20, *, phone: list[str] | None = None,
    statuses: dict[str, list[str]] | None = None, css_class: str = "",
) -> None:  # fmt: skip
    """A read-only table (scrolling beyond max_rows); phone names the columns a phone shows before a tap. Its first
    TABLE_MAX_ROWS rows at most: a nation's 20,000 organisations were 7 MB of HTML and ten seconds in a browser."""
    total = len(frame)
    if total > TABLE_MAX_ROWS:
        frame = frame.head(TABLE_MAX_ROWS)
        statuses = {column: values[:TABLE_MAX_ROWS] for column, values in (statuses or {}).items()} or None
    st.html(table_html(frame, phone=phone, statuses=statuses, scroll_rows=max_rows, css_class=css_class))
    if total > len(frame):
        st.caption(f"共 {total:,} 行，表中列出前 {len(frame):,} 行。完整表请下载，或在侧栏缩小范围。")


def capped_table(
    frame: pd.DataFrame, total: int, noun: str, which: str, order: str = "", max_rows: int = 20,
    phone: list[str] | None = None, statuses: dict[str, list[str]] | None = None,
) -> None:  # fmt: skip
    """A table that may hold only the first rows of a longer list (total rows); a caption says so then."""
    table(frame, max_rows, phone=phone, statuses=statuses)
    note = capped_list_note(len(frame), total, noun, which, order)
    if note:
        st.caption(note)


def yes_no_statuses(column: pd.Series) -> list[str]:
    """是 as met, 否 as behind (a rule a row meets or not), anything else without a status."""
    return [{"是": "met", "否": "behind"}.get(value, "") for value in column]


def chart(figure: go.Figure, where: DeltaGenerator | None = None, **options) -> None:
    """A plotly chart in the page's width with its own template (not Streamlit's theme) and no toolbar."""
    (where or st).plotly_chart(for_screen(figure), width="stretch", theme=None, config=CHART_CONFIG, **options)
