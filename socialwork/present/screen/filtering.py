"""The global filters every page shares: snapshot and townships, mirrored in the URL, the store's workspace and
the page set-up; chart clicks and the breadcrumb that change the township filter.
"""

from __future__ import annotations

import functools
import gc
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from socialwork.data import settings
from socialwork.data.storage import identity
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.layout import exists as store_exists
from socialwork.figures import db, hierarchy, metrics
from socialwork.figures.choices import (
    FilterError,
    damaged_dates,
    echoed,
    echoed_list,
    parse_as_of,
    store_notices,
    townships,
    townships_of_county,
)
from socialwork.figures.db import QueryError
from socialwork.figures.place_filter import Places
from socialwork.present.screen import scope
from socialwork.present.tables.files import file_name
from socialwork.present.theme import PAGE_CSS, SIDEBAR_FOLD
from socialwork.present.words.formatting import (
    date_stamp,
    place_text,
    scope_text,
)
from socialwork.present.words.plaintext import markdown_text

if TYPE_CHECKING:
    pass


URL_AS_OF = "asof"
URL_TOWNSHIP = "township"
_AS_OF_KEY = "filter_as_of"
_TOWNSHIPS_KEY = "filter_townships"
_PHONE_TOWNSHIPS_KEY = "filter_townships_phone"
_URL_ERRORS_KEY = "filter_url_errors"
_FILTERS_KEY = "filters"
_WORKSPACE_KEY = "workspace"
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
    # A store of many counties: the chosen city or county (None: all of the store), and its name.
    scope_code: str | None = None
    scope_name: str = ""
    multi_county: bool = False

    @property
    def places(self) -> Places:
        """The place filter every figure takes: the chosen townships, else the chosen division, else everywhere."""
        return Places.townships(self.township_codes) if self.township_codes else Places.within(self.scope_code)

    @property
    def damaged_months(self) -> list[date]:
        """The months left out as damaged, which trend charts mark (choices.damaged_dates)."""
        return damaged_dates(self.data)

    @property
    def scope_places(self) -> Places:
        """The chosen division without the township filter: what a map breaks down by the level below."""
        return Places.within(self.scope_code)

    @property
    def scope(self) -> str:
        if self.township_names or not self.multi_county:
            return scope_text(self.township_names)
        return self.scope_name or self.county.county_name  # the top division: 云岭市

    @property
    def place(self) -> str:
        """The county with the chosen townships, for downloaded files: 云溪县, 云溪县城关街道, 云岭市甲县."""
        return place_text(self.county.county_name + self.scope_name, self.township_names)

    def file_name(self, stem: str, extension: str) -> str:
        """A download's name, the county first: 云溪县_乡镇目标对比_全县_2026-10-31.xlsx."""
        names = self.township_names or ((self.scope_name,) if self.scope_name else ())
        return file_name(f"{self.county.county_name}_{stem}", self.as_of, names, extension)


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
    st.html(PAGE_CSS)  # styles only: Streamlit puts them out of the page's flow
    st.html(SIDEBAR_FOLD, unsafe_allow_javascript=True)  # the sidebar folded below 1100 pixels (hidden by PAGE_CSS)
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
            errors.append(
                f"链接参数 {URL_AS_OF}={echoed(raw_date)} 无效：{err}。已改为显示最新一期（{date_stamp(as_of)}）。"
            )
    errors += scope.read_url(as_of, data)
    county = st.session_state[scope.COUNTY_KEY]
    known = set(_townships_in(as_of, data, county)["township_name"])
    wanted = st.query_params.get_all(URL_TOWNSHIP)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        errors.append(_unknown_townships(unknown, as_of, data, county))
    st.session_state[_AS_OF_KEY] = as_of
    chosen = [n for n in dict.fromkeys(wanted) if n in known]
    if chosen:  # only then (see _keep_offered_townships)
        st.session_state[_TOWNSHIPS_KEY] = chosen
    st.session_state[_URL_ERRORS_KEY] = errors


def _unknown_townships(unknown: list[str], as_of: date, data: Path, county: str | None) -> str:
    """Why townships of the URL are left out: unknown, or (their county chosen) the county lacks the month."""
    if county and hierarchy.many_counties(data):
        status = hierarchy.reporting(as_of, Places.within(county), data)
        if status.missing_names:  # not unknown: the month is what the county lacks
            return (f"链接参数 {URL_TOWNSHIP} 中的乡镇（街道）{echoed_list(unknown)} 没有 {as_of.isoformat()} 的数据："
                    f"{status.note}，已改为显示全县。")  # fmt: skip
    return f"链接参数 {URL_TOWNSHIP} 中有未知乡镇（街道）：{echoed_list(unknown)}，已忽略。"


def _townships_in(as_of: date, data: Path, county_code: str | None):
    """The townships a leader may pick: every one of a single county's store, a chosen county's in a store of many
    (none before a county is chosen: names repeat across counties)."""
    if not hierarchy.many_counties(data):
        return townships(as_of, data)
    if county_code:
        return townships_of_county(as_of, county_code, data)
    return pd.DataFrame(columns=["township_code", "township_name"])  # not the nation's 41,000 read to be left out


def _write_url(filters: Filters) -> None:
    scope.write_url(filters.scope_code)
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
        dates = db.snapshot_dates(data) if store_exists(data) else []
        if not dates:
            st.session_state[_FILTERS_KEY] = None
            return None
        if _AS_OF_KEY not in st.session_state:
            _read_url(dates, data)
        with st.sidebar:
            as_of = st.selectbox("数据截至", options=dates[::-1], format_func=date_stamp, key=_AS_OF_KEY)
            multi = hierarchy.many_counties(data)
            scope_code = scope.picker(as_of, data) if multi else None
            known = _townships_in(as_of, data, scope_code if scope_code and len(scope_code) == 6 else None)
            _keep_offered_townships(set(known["township_name"]))
            names = (
                []
                if multi and known.empty
                else st.multiselect(
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
            )
    except (StoreError, QueryError) as err:
        st.error(f"无法读取数据：{markdown_text(err)}")
        st.stop()
    codes = dict(zip(known["township_name"], known["township_code"], strict=True))
    scope_name = hierarchy.name_of(scope_code, as_of, data) if scope_code else ""
    filters = Filters(data, as_of, tuple(codes[n] for n in names), tuple(names), workspace.county, scope_code,
                      scope_name, multi)  # fmt: skip
    phone_filter(list(known["township_name"]), filters)
    _write_url(filters)
    if workspace.warning:
        st.warning(workspace.warning)
    for notice in store_notices(data):  # a damaged month left out, a bucket not answering: said on every page
        st.warning(notice, icon=":material/broken_image:")
    for message in st.session_state.pop(_URL_ERRORS_KEY, []):
        st.error(markdown_text(message))  # it quotes the URL: a hand-edited link must not render as markdown
    st.session_state[_FILTERS_KEY] = filters
    return filters


def _keep_offered_townships(offered: set[str]) -> None:
    """Drop a township chosen in another county (before the county changed): it is no longer on offer.

    The box's state is written only then (and for a link's choice, _read_url). A state the script writes is sent
    with the box as a value to set, and the browser redraws the box as changed: on a slow phone that redraw came
    after the page's and held up its settling by about 0.15 s on every township pick (issue 32)."""
    chosen = st.session_state.get(_TOWNSHIPS_KEY, [])
    kept = [n for n in chosen if n in offered]
    if kept != chosen:
        st.session_state[_TOWNSHIPS_KEY] = kept


def _copy_phone_choice() -> None:
    st.session_state[_TOWNSHIPS_KEY] = st.session_state[_PHONE_TOWNSHIPS_KEY]
    scope.keep_phone_filter_open()


def phone_filter(options: list[str], filters: Filters) -> None:
    """The place filter again at the top of the page, shown on a phone only (theme.PAGE_CSS), where the
    sidebar is folded away: a button naming the scope opens it. Both filters hold the same choice; in a store of many
    counties the county comes first, and townships once a county is chosen.

    Its boxes are drawn only while it is open (a lazy popover: opening it reruns the page, from cached figures): on
    a screen it is never shown, and a nation's box of 2,800 counties would otherwise be built and sent on every run."""
    label = "范围" if filters.multi_county else "乡镇（街道）"
    with st.container(key="sw_phone_filter"):
        popover = st.popover(f"{label}：{markdown_text(filters.scope)}", icon=":material/filter_alt:", width="stretch",
                             key=scope.PHONE_POPOVER_KEY, on_change="rerun")  # fmt: skip
    if not popover.open:
        return
    st.session_state[_PHONE_TOWNSHIPS_KEY] = list(filters.township_names)  # the sidebar's, before it is drawn
    with popover:
        if filters.multi_county:
            scope.phone_picker(filters.as_of, filters.data)
        if options:
            st.multiselect(
                "乡镇（街道）", options=options, key=_PHONE_TOWNSHIPS_KEY, on_change=_copy_phone_choice,
                placeholder="全县 · 输入乡镇名称搜索", filter_mode="contains", select_all=False,
            )  # fmt: skip


def run_page(page) -> None:
    """Run the chosen page; a data problem met on the way is shown in Chinese, not as a traceback."""
    try:
        page.run()
    except (StoreError, QueryError) as err:
        st.error(f"无法读取数据：{markdown_text(err)}")
    else:
        _read_ahead(st.session_state.get(_FILTERS_KEY))
    _freeze_what_stays()


def _read_ahead(filters: Filters | None) -> Future | None:
    """A county's whole view drawn: its township rows read while the person looks at it, for a township pick."""
    if filters is None or filters.township_codes:
        return None
    if not filters.multi_county:
        return metrics.read_township_rows_ahead(filters.as_of, None, filters.data)
    if hierarchy.level_of(filters.scope_code) == "county":
        return metrics.read_township_rows_ahead(filters.as_of, filters.scope_code, filters.data)
    return None  # a city's or province's view: which county comes next is anyone's guess


@functools.cache
def _freeze_what_stays() -> None:
    """Once a process, after its first page: the modules, Streamlit's runtime and the first views' objects are there to
    stay. Out of the garbage collector's sight (gc.freeze), its full collections, which hold every session's thread,
    skim the rest: at nation scale a full collection took 75-90 ms, two or three in every ten reruns."""
    gc.collect()
    gc.freeze()


def current_filters() -> Filters:
    """The filters chosen in the sidebar during this run."""
    return st.session_state[_FILTERS_KEY]


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
    """全县 › 城关街道: the county link clears the township filter; in a store of many counties, 测试市 › 甲县 ›
    甲街道, each a link one level up."""
    if filters.multi_county:
        _division_breadcrumb(filters)
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        if filters.township_names:
            st.button("全县", icon=":material/arrow_back:", on_click=_set_townships, args=([],), type="tertiary")
            st.markdown(f"› **{markdown_text(filters.scope)}**")
        else:
            st.markdown("**全县**（点击图中的乡镇查看其社区）")


def _division_breadcrumb(filters: Filters) -> None:
    below = hierarchy.path_to(filters.scope_code, filters.as_of, filters.data)
    # The store's top division (its city) is the store itself: named once, first.
    path = [(None, filters.county.county_name), *[(c, n) for c, n in below if c != filters.county.county_code]]
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key="sw_breadcrumb"):
        for i, (code, name) in enumerate(path):
            if i < len(path) - 1 or filters.township_names:
                st.button(markdown_text(name), key=f"sw_crumb_{i}", on_click=scope.go_to, args=(code, _TOWNSHIPS_KEY),
                          icon=":material/arrow_back:" if i == 0 else None, type="tertiary")  # fmt: skip
            else:
                st.markdown(f"**{markdown_text(name)}**")
        if filters.township_names:
            st.markdown(f"› **{markdown_text(filters.scope)}**")


def division_from_chart(chart_key: str, names_to_codes: dict[str, str]) -> None:
    """on_select callback of a chart by province, city or county: the clicked division becomes the scope."""
    scope.division_from_chart(chart_key, names_to_codes, _TOWNSHIPS_KEY)
