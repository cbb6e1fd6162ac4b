"""Streamlit glue shared by every page: the global filters (mirrored in the URL) and the page header."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from socialwork.data import identity, settings
from socialwork.data.store import StoreError, snapshot_dates
from socialwork.figures.db import QueryError
from socialwork.figures.metrics import Kpi, KpiReport, TownshipScorecard, status_counts
from socialwork.figures.places import FilterError, parse_as_of, townships
from socialwork.present.charts import STATUS_BADGE_COLOURS, STATUS_COLOURS
from socialwork.present.exports import csv_bytes, file_name, xlsx_bytes
from socialwork.present.formatting import (
    as_of_stamp,
    capped_list_note,
    change_text,
    date_stamp,
    format_value,
    goal_text,
    pace_lines,
    place_text,
    scope_text,
    scorecard_frames,
    scorecard_header,
    status_text,
)
from socialwork.present.plaintext import markdown_text

if TYPE_CHECKING:
    from socialwork.present.meeting import Outline, Slide

URL_AS_OF = "asof"
URL_TOWNSHIP = "township"
_AS_OF_KEY = "filter_as_of"
_TOWNSHIPS_KEY = "filter_townships"
_URL_ERRORS_KEY = "filter_url_errors"
_FILTERS_KEY = "filters"
_WORKSPACE_KEY = "workspace"
# Rows of one table sent to the browser: a province lists 30,000 villages and communities, the nation 620,000.
# Longer lists show their first TABLE_MAX_ROWS in a meaningful order, say so, and download complete.
TABLE_MAX_ROWS = 1_000
APP_TITLE = "社会工作人才看板"  # the browser tab's title before the store's county is known


@dataclass(frozen=True)
class Workspace:
    """The store this server shows and the county it belongs to (FALLBACK, with a warning, for an old store)."""

    data: Path
    county: identity.County
    warning: str | None


@dataclass(frozen=True)
class Filters:
    """The chosen snapshot and townships (empty = whole county), as every page receives them."""

    data: Path
    as_of: date
    township_codes: tuple[str, ...]
    township_names: tuple[str, ...]
    county: identity.County = identity.FALLBACK

    @property
    def codes_or_none(self) -> list[str] | None:
        return list(self.township_codes) or None

    @property
    def scope(self) -> str:
        return scope_text(self.township_names)

    @property
    def place(self) -> str:
        """The county with the chosen townships, for downloaded files: 云溪县, 云溪县城关街道."""
        return place_text(self.county.county_name, self.township_names)

    def file_name(self, stem: str, extension: str) -> str:
        """A download's name, the county first: 云溪县_乡镇目标对比_全县_2026-10-31.xlsx."""
        return file_name(f"{self.county.county_name}_{stem}", self.as_of, self.township_names, extension)


def page_config() -> Workspace:
    """The browser tab titled with the store's county (st.set_page_config may be called again later in a run);
    an unreadable county.json stops the app with a Chinese message."""
    data = settings.data_dir()
    try:
        county, warning = identity.load_or_fallback(data)
    except StoreError as err:
        st.set_page_config(page_title=APP_TITLE, page_icon="📊", layout="wide")
        st.error(f"无法读取县域信息：{err}")
        st.stop()
    title = county.app_title if warning is None else APP_TITLE  # a county not yet known is not named
    st.set_page_config(page_title=title, page_icon="📊", layout="wide")
    workspace = Workspace(data, county, warning)
    st.session_state[_WORKSPACE_KEY] = workspace
    return workspace


def current_workspace() -> Workspace:
    """The store and county of this run (set by page_config in the entrypoint)."""
    return st.session_state[_WORKSPACE_KEY]


def ensure_entrypoint() -> None:
    """Call first in every page file.

    On a server's first session, Streamlit's legacy pages/ discovery runs a deep-linked page file
    without the entrypoint (seen on 1.67). Leaving that mode and rerunning lets dashboard.py and
    st.navigation handle the link; page files keep the same script hash, so the page is the same.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _read_url(dates: list[date], data: Path) -> None:
    """Seed the filter widgets from the URL once per session; bad values are reported (as plain text), not fatal."""
    errors = []
    as_of = dates[-1]
    raw_date = st.query_params.get(URL_AS_OF)
    if raw_date:
        try:
            as_of = parse_as_of(raw_date, data)
        except FilterError as err:
            errors.append(f"链接参数 {URL_AS_OF}={raw_date} 无效：{err}。已改为显示最新一期（{date_stamp(as_of)}）。")
    known = set(townships(as_of, data)["township_name"])
    wanted = st.query_params.get_all(URL_TOWNSHIP)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        errors.append(f"链接参数 {URL_TOWNSHIP} 中有未知乡镇（街道）：{'、'.join(unknown)}，已忽略。")
    st.session_state[_AS_OF_KEY] = as_of
    st.session_state[_TOWNSHIPS_KEY] = [n for n in dict.fromkeys(wanted) if n in known]
    st.session_state[_URL_ERRORS_KEY] = errors


def _write_url(filters: Filters) -> None:
    st.query_params[URL_AS_OF] = filters.as_of.isoformat()
    if filters.township_names:
        st.query_params[URL_TOWNSHIP] = list(filters.township_names)
    elif URL_TOWNSHIP in st.query_params:
        del st.query_params[URL_TOWNSHIP]


def welcome_text(workspace: Workspace, can_upload: bool) -> str:
    """What to do on a store without snapshots: `init` first where the county is unknown, then the first import."""
    data, county = workspace.data, workspace.county
    command = f"python -m socialwork import 文件.xlsx --as-of YYYY-MM-DD --data {data}"
    if workspace.warning is not None:
        return (
            f"数据目录 `{data}` 尚未初始化，还不知道本看板属于哪个县。请在服务器上依次运行：\n\n"
            f"1. `python -m socialwork init --data {data} --county 县名 --code 县级区划代码`："
            "写入县域信息，并生成本县的导入模板；\n"
            "2. 按模板填写第一个月的数据（第一期必须填写“年度目标”）；\n"
            f"3. `{command}`；\n"
            "4. 刷新本页，即显示看板。"
        )
    upload = (
        "；或以数据员身份登录后，在左侧“数据导入”页上传"
        if can_upload
        else "（如需在网页上导入，请先用 `python -m socialwork add-user` 设置数据员登录，并设置 SOCIALWORK_AUTH_FILE）"
    )
    return (
        f"{county.county_name}的数据目录 `{data}` 已初始化，还没有任何月度数据。导入第一个月的数据：\n\n"
        "1. 下载本县导入模板（下方按钮，或 init 时生成的文件），每个数据表一个工作表：第 1 行为列名，"
        "第 2 行为填写说明，从第 3 行起填写数据。第一期必须填写“年度目标”，“实施步骤与举措”可选；"
        "以后各期如无变化，这两个工作表可以省略，导入时沿用上一期；\n"
        f"2. 导入：在服务器上运行 `{command}`{upload}；\n"
        "3. 导入完成后刷新本页，即显示看板。"
    )


def sidebar_filters(workspace: Workspace) -> Filters | None:
    """Snapshot picker and township multi-filter in the sidebar; the result is kept for the pages.

    None while the store holds no snapshot (a store just made by `init`): the welcome page then explains the
    first import."""
    data = workspace.data
    try:
        dates = snapshot_dates(data) if data.is_dir() else []
        if not dates:
            st.session_state[_FILTERS_KEY] = None
            return None
        if _AS_OF_KEY not in st.session_state:
            _read_url(dates, data)
        with st.sidebar:
            as_of = st.selectbox("数据截至", options=dates[::-1], format_func=date_stamp, key=_AS_OF_KEY)
            known = townships(as_of, data)
            names = st.multiselect(
                "乡镇（街道）",
                options=list(known["township_name"]),
                key=_TOWNSHIPS_KEY,
                placeholder="全县 · 输入乡镇名称搜索",
                help="不选即为全县；输入名称中的字可快速查找，可多选",
                # Substring matching suits Chinese place names; no English "Select all": empty is the whole
                # county, and a province's hundreds of matches in one click would flood the URL.
                filter_mode="contains",
                select_all=False,
            )
    except (StoreError, QueryError) as err:
        st.error(f"无法读取数据：{markdown_text(err)}")
        st.stop()
    codes = dict(zip(known["township_name"], known["township_code"], strict=True))
    filters = Filters(data, as_of, tuple(codes[n] for n in names), tuple(names), workspace.county)
    _write_url(filters)
    if workspace.warning:
        st.warning(workspace.warning)
    for message in st.session_state.pop(_URL_ERRORS_KEY, []):
        st.error(markdown_text(message))  # it quotes the URL: a hand-edited link must not render as markdown
    st.session_state[_FILTERS_KEY] = filters
    return filters


def run_page(page) -> None:
    """Run the chosen page; a data problem met on the way is shown in Chinese, not as a traceback."""
    try:
        page.run()
    except (StoreError, QueryError) as err:
        st.error(f"无法读取数据：{markdown_text(err)}")


def current_filters() -> Filters:
    """The filters chosen in the sidebar during this run."""
    return st.session_state[_FILTERS_KEY]


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
        st.download_button(
            "下载 Excel（XLSX）", lambda: xlsx_bytes(_frame(frame), filters.as_of, filters.place, title),
            file_name=filters.file_name(stem, "xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
            icon=":material/download:", on_click="ignore",
        )  # fmt: skip
        st.download_button(
            "下载 CSV", lambda: csv_bytes(_frame(frame), filters.as_of, filters.place),
            file_name=filters.file_name(stem, "csv"), mime="text/csv",
            key=f"{key}_csv", icon=":material/download:", on_click="ignore",
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


def _set_townships(names: list[str]) -> None:
    st.session_state[_TOWNSHIPS_KEY] = names


def township_from_chart(chart_key: str) -> None:
    """on_select callback of a township chart: the clicked bar becomes the township filter."""
    points = st.session_state[chart_key]["selection"]["points"]
    if points:
        point = points[0]
        custom = point.get("customdata")
        name = custom[0] if isinstance(custom, list) else point["y"]
        if name:  # the bar standing for all other townships carries none
            _set_townships([name])


def breadcrumb(filters: Filters) -> None:
    """全县 › 城关街道: the county link clears the township filter."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        if filters.township_names:
            st.button("全县", icon=":material/arrow_back:", on_click=_set_townships, args=([],), type="tertiary")
            st.markdown(f"› **{markdown_text(filters.scope)}**")
        else:
            st.markdown("**全县**（点击图中的乡镇查看其社区）")


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
        st.download_button(
            "下载 Excel（XLSX）",
            lambda: xlsx_bytes({n: _frame(t) for n, t in sheets.items()}, filters.as_of, filters.place, title),
            file_name=filters.file_name(stem, "xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
            icon=":material/download:", on_click="ignore",
        )  # fmt: skip
        for name, sheet in sheets.items():
            st.download_button(
                f"下载 CSV：{name}", lambda sheet=sheet: csv_bytes(_frame(sheet), filters.as_of, filters.place),
                file_name=filters.file_name(f"{stem}_{name}", "csv"), mime="text/csv",
                key=f"{key}_{name}_csv", icon=":material/download:", on_click="ignore",
            )  # fmt: skip


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


_USER_KEY = "logged_in_user"


def logged_in_user():
    return st.session_state.get(_USER_KEY)


def login_gate() -> None:
    """Stop the page with a login form unless a data-staff user is logged in."""
    from socialwork.present.auth import AuthError, load_users, login

    if logged_in_user():
        user = logged_in_user()
        with st.sidebar:
            st.caption(f"已登录：{markdown_text(user.display_name)}")
            if st.button("退出登录", icon=":material/logout:"):
                del st.session_state[_USER_KEY]
                st.rerun()
        return
    st.subheader("数据员登录")
    with st.form("login"):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            user = login(load_users(), username, password)
        except AuthError as err:
            st.error(str(err))
            st.stop()
        if user:
            st.session_state[_USER_KEY] = user
            st.rerun()
        st.error("用户名或密码不正确")
    st.stop()


PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {padding-top: 1.5rem; max-width: 100%;}
[data-testid="stMain"] h1 {font-size: 3.2rem;}
[data-testid="stMain"] p, [data-testid="stMain"] li {font-size: 1.7rem;}
[data-testid="stDataFrame"] * {font-size: 1.15rem;}
</style>
"""


def presentation_view(plan: Outline, slide: Slide, index: int) -> None:
    """One slide of the meeting's outline, large, with previous/next controls (← → keys) and the stamp."""
    st.html(PRESENTATION_CSS)
    stamp = markdown_text(f"{plan.county.county_name} · {plan.stamp}")
    st.markdown(f"**{stamp}**　·　{index + 1} / {len(plan.keys)}")
    st.title(markdown_text(slide.title))
    st.markdown(f"### {markdown_text(slide.caption)}")
    if slide.figure is not None:
        figure = slide.figure.update_layout(font_size=22, height=620, title_text="", legend_font_size=20)
        figure.update_xaxes(tickfont_size=20, title_font_size=20).update_yaxes(tickfont_size=20, title_font_size=20)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
    elif slide.table is not None:
        st.dataframe(slide.table, hide_index=True, width="stretch", height=table_height(len(slide.table)))
    with st.container(horizontal=True):
        st.button("上一页", icon=":material/arrow_back:", shortcut="ArrowLeft", disabled=index == 0,
                  on_click=set_view, args=(index - 1,))  # fmt: skip
        st.button("下一页", icon=":material/arrow_forward:", shortcut="ArrowRight",
                  disabled=index == len(plan.keys) - 1, on_click=set_view, args=(index + 1,))  # fmt: skip
        st.button("退出演示", icon=":material/close:", shortcut="Escape", on_click=set_view, args=(None,))


VIEW_PARAM = "view"


def set_view(index: int | None) -> None:
    if index is None:
        st.query_params.pop(VIEW_PARAM, None)
    else:
        st.query_params[VIEW_PARAM] = str(index + 1)


def presentation_index(slide_count: int) -> int | None:
    """The slide the URL asks for (?view=1 is the first), None outside presentation mode."""
    raw = st.query_params.get(VIEW_PARAM)
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= slide_count:
        shown = markdown_text(raw)  # a hand-edited link: shown as plain text
        st.error(f"链接参数 {VIEW_PARAM}={shown} 无效：应为 1 至 {slide_count} 之间的页码，已从第 1 页开始。")
        return 0
    return int(raw) - 1


def export_panel(filters: Filters) -> None:
    """A button per meeting document; each is generated on demand, with progress, then offered for download."""
    from socialwork.present.documents import EXPORT_KINDS, export_bytes
    from socialwork.present.rendering import RenderError

    columns = st.columns(len(EXPORT_KINDS))
    for column, (kind, (label, mime)) in zip(columns, EXPORT_KINDS.items(), strict=True):
        key = ("export", kind, filters.as_of, filters.township_codes)
        with column:
            if st.button(f"生成{label}", key=f"make_{kind}", icon=":material/description:"):
                with st.status(f"正在生成{label}…", expanded=False) as status:
                    try:
                        st.session_state[key] = export_bytes(
                            kind, filters.as_of, filters.codes_or_none, list(filters.township_names), filters.data
                        )
                        status.update(label=f"{label}已生成", state="complete")
                    except RenderError as err:
                        status.update(label="生成失败", state="error")
                        st.error(markdown_text(err))
            if key in st.session_state:
                st.download_button(
                    f"下载{label}", st.session_state[key], mime=mime, key=f"download_{kind}", on_click="ignore",
                    file_name=filters.file_name("社工人才专项工作", kind),
                    icon=":material/download:", type="primary",
                )  # fmt: skip
