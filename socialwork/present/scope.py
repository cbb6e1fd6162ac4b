"""The scope picker of a store of many counties: city → county (searchable select boxes) in the sidebar and in the URL
(`?scope=CODE`), the breadcrumb that goes back up, and the county bar a click drills into. A single county's store
shows none of it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from socialwork.data.store import is_multi_county
from socialwork.figures import hierarchy

URL_SCOPE = "scope"
CITY_KEY = "filter_city"
COUNTY_KEY = "filter_county"


def cities_and_counties(as_of: date, data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's cities and counties (code, name, parent) at the snapshot."""
    known = hierarchy.divisions(as_of, None, data)
    return known[known["division_level"] == "city"], known[known["division_level"] == "county"]


def read_url(as_of: date, data: Path) -> list[str]:
    """Seed the city and county boxes from `?scope=` once per session; the problems, in Chinese, for the page."""
    raw = st.query_params.get(URL_SCOPE)
    st.session_state[CITY_KEY], st.session_state[COUNTY_KEY] = None, None
    if not raw or not is_multi_county(data):
        return [f"链接参数 {URL_SCOPE}={raw} 无效：本数据目录只有一个县。"] if raw else []
    cities, counties = cities_and_counties(as_of, data)
    if raw in set(counties["division_code"]):
        st.session_state[COUNTY_KEY] = raw
        raw = raw[:4]
    if raw in set(cities["division_code"]):
        st.session_state[CITY_KEY] = raw
        return []
    if st.session_state[COUNTY_KEY]:
        return []
    problem = f"未知区划代码“{raw}”（应为本数据目录中市或县的区划代码），已改为显示全部。"
    return [f"链接参数 {URL_SCOPE}={raw} 无效：{problem}"]


def _clear_county() -> None:
    st.session_state[COUNTY_KEY] = None


def picker(as_of: date, data: Path) -> str | None:
    """City and county boxes in the sidebar (the city only when the store holds more than one); the chosen scope."""
    cities, counties = cities_and_counties(as_of, data)
    names = dict(zip(cities["division_code"], cities["division_name"], strict=True))
    names |= dict(zip(counties["division_code"], counties["division_name"], strict=True))
    city = None
    if len(cities) > 1:
        city = st.selectbox(
            "市（州）", options=list(cities["division_code"]), key=CITY_KEY, format_func=names.get,
            index=None, placeholder="全部 · 输入名称搜索", on_change=_clear_county,
        )  # fmt: skip
    elif st.session_state.get(CITY_KEY) is not None:
        st.session_state[CITY_KEY] = None
    options = counties[counties["division_code"].str.startswith(city)] if city else counties
    county = st.selectbox(
        "县（市、区）", options=list(options["division_code"]), key=COUNTY_KEY, format_func=names.get, index=None,
        placeholder=f"{'全市' if city or len(cities) == 1 else '全部'} · 输入县名搜索",
        help="不选即为上一级全部；选定县后可再选乡镇（街道）",
    )  # fmt: skip
    return county or city


_PHONE_COUNTY_KEY = "filter_county_phone"


def _copy_phone_county() -> None:
    st.session_state[COUNTY_KEY] = st.session_state[_PHONE_COUNTY_KEY]


def phone_picker(as_of: date, data: Path) -> None:
    """The county box again, for the phone's filter at the top of the page (the sidebar is folded away there); both
    boxes hold the same choice."""
    _, counties = cities_and_counties(as_of, data)
    names = dict(zip(counties["division_code"], counties["division_name"], strict=True))
    st.session_state[_PHONE_COUNTY_KEY] = st.session_state.get(COUNTY_KEY)  # the sidebar's, drawn before
    st.selectbox(
        "县（市、区）", options=list(counties["division_code"]), key=_PHONE_COUNTY_KEY, format_func=names.get,
        placeholder="全部 · 输入县名搜索", on_change=_copy_phone_county,
    )  # fmt: skip


def write_url(scope_code: str | None) -> None:
    if scope_code:
        st.query_params[URL_SCOPE] = scope_code
    elif URL_SCOPE in st.query_params:
        del st.query_params[URL_SCOPE]


def go_to(code: str | None, township_key: str) -> None:
    """Breadcrumb and chart callback: show a division (None: the whole store), township filter cleared."""
    st.session_state[township_key] = []
    st.session_state[COUNTY_KEY] = code if code and len(code) == 6 else None
    if code and len(code) == 4:
        st.session_state[CITY_KEY] = code
    elif code is None:
        st.session_state[CITY_KEY] = None


def county_from_chart(chart_key: str, names_to_codes: dict[str, str], township_key: str) -> None:
    """on_select callback of a county chart: the clicked county becomes the scope."""
    points = st.session_state[chart_key]["selection"]["points"]
    if points:
        custom = points[0].get("customdata")
        name = custom[0] if isinstance(custom, list) else str(points[0]["y"]).replace("<br>", "")
        if name in names_to_codes:
            go_to(names_to_codes[name], township_key)
