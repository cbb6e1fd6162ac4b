"""The scope picker of a store of many counties: province → city → county (searchable select boxes, each shown when
there is more than one to choose from) in the sidebar and in the URL (`?scope=CODE`), the breadcrumb that goes back
up, and the division bar a click drills into. A single county's store shows none of it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from socialwork.data.contract.enums import DIVISION_DIGITS
from socialwork.figures import hierarchy
from socialwork.figures.choices import echoed

URL_SCOPE = "scope"
PROVINCE_KEY = "filter_province"
CITY_KEY = "filter_city"
COUNTY_KEY = "filter_county"
PHONE_POPOVER_KEY = "filter_phone_open"  # whether the phone's filter at the top of the page is open (filtering.py)
# The box of each level above the township, top down: its session key and its label.
KEYS = {"province": PROVINCE_KEY, "city": CITY_KEY, "county": COUNTY_KEY}
LABELS = {"province": "省（自治区、直辖市）", "city": "市（州）", "county": "县（市、区）"}


def divisions_above(as_of: date, data: Path) -> dict[str, pd.DataFrame]:
    """The store's provinces, cities and counties (code, name, parent) at the snapshot, by level."""
    return hierarchy.divisions_above(as_of, data).by_level


def _set_scope(code: str | None) -> None:
    """Every box set to the division and its parents (the parents' boxes, hidden or not, are reconciled by picker)."""
    for level, key in KEYS.items():
        digits = DIVISION_DIGITS[level]
        st.session_state[key] = code[:digits] if code and len(code) >= digits else None


def read_url(as_of: date, data: Path) -> list[str]:
    """Seed the province, city and county boxes from `?scope=` once per session; the problems, in Chinese, for the
    page."""
    raw = st.query_params.get(URL_SCOPE)
    _set_scope(None)
    if not raw or not hierarchy.many_counties(data):
        return [f"链接参数 {URL_SCOPE}={echoed(raw)} 无效：本数据目录只有一个县。"] if raw else []
    levels = divisions_above(as_of, data)
    if any(raw in set(frame["division_code"]) for frame in levels.values()):
        _set_scope(raw)
        return []
    kinds = "省、市或县" if len(levels["province"]) > 1 else "市或县"
    problem = f"未知区划代码“{echoed(raw)}”（应为本数据目录中{kinds}的区划代码），已改为显示全部。"
    return [f"链接参数 {URL_SCOPE}={echoed(raw)} 无效：{problem}"]


def _clear_below_province() -> None:
    st.session_state[CITY_KEY], st.session_state[COUNTY_KEY] = None, None


def _clear_county() -> None:
    st.session_state[COUNTY_KEY] = None


def _set_county(code: str | None) -> None:
    """A county picked (before its province or city, too): those boxes show where it lies; none: the box above stays."""
    if code:
        _set_scope(code)
    else:
        st.session_state[COUNTY_KEY] = None


def _county_chosen() -> None:
    _set_county(st.session_state[COUNTY_KEY])


def picker(as_of: date, data: Path) -> str | None:
    """Province, city and county boxes in the sidebar, cascading (a province's cities, a city's counties); a box
    only where there is a choice at its level: the province with more than one province, the city with more than one
    city in the province. The chosen scope."""
    above = hierarchy.divisions_above(as_of, data)
    levels, names = above.by_level, above.names
    province = city = None
    provinces = above.codes_within("province", None)
    if len(provinces) > 1:
        province = st.selectbox(
            LABELS["province"], options=provinces, key=PROVINCE_KEY, format_func=names.get,
            index=None, placeholder="全部 · 输入名称搜索", on_change=_clear_below_province,
        )  # fmt: skip
    elif st.session_state.get(PROVINCE_KEY) is not None:
        st.session_state[PROVINCE_KEY] = None
    cities = above.codes_within("city", province)
    if len(cities) > 1 and (province or len(provinces) <= 1):  # a nation's 300 cities wait for the province
        city = st.selectbox(
            LABELS["city"], options=cities, key=CITY_KEY, format_func=names.get, index=None,
            placeholder=f"{_whole(province, None, levels)} · 输入名称搜索", on_change=_clear_county,
        )  # fmt: skip
    elif st.session_state.get(CITY_KEY) is not None:
        st.session_state[CITY_KEY] = None
    county = st.selectbox(
        LABELS["county"], options=above.codes_within("county", city or province), key=COUNTY_KEY,
        format_func=names.get, index=None, placeholder=f"{_whole(province, city, levels)} · 输入县名搜索",
        on_change=_county_chosen, help="不选即为上一级全部；选定县后可再选乡镇（街道）",
    )  # fmt: skip
    return county or city or province


def _whole(province: str | None, city: str | None, levels: dict[str, pd.DataFrame]) -> str:
    """What an empty box stands for: 全市, 全省 or 全部 (the whole store)."""
    if city or len(levels["city"]) == 1:
        return "全市"
    if province or len(levels["province"]) == 1:
        return "全省"
    return "全部"


_PHONE_COUNTY_KEY = "filter_county_phone"


def keep_phone_filter_open() -> None:
    """After a pick in the phone's filter: its button's label names the new scope, a new popover, opened again."""
    st.session_state[PHONE_POPOVER_KEY] = True


def _copy_phone_county() -> None:
    _set_county(st.session_state[_PHONE_COUNTY_KEY])
    keep_phone_filter_open()


def phone_picker(as_of: date, data: Path) -> None:
    """The county box again, over every county of the store, for the phone's filter at the top of the page (the
    sidebar is folded away there); both boxes hold the same choice."""
    above = hierarchy.divisions_above(as_of, data)
    st.session_state[_PHONE_COUNTY_KEY] = st.session_state.get(COUNTY_KEY)  # the sidebar's, drawn before
    st.selectbox(
        "县（市、区）", options=above.codes_within("county", None), key=_PHONE_COUNTY_KEY, format_func=above.names.get,
        placeholder="全部 · 输入县名搜索", on_change=_copy_phone_county,
    )  # fmt: skip


def write_url(scope_code: str | None) -> None:
    if scope_code:
        st.query_params[URL_SCOPE] = scope_code
    elif URL_SCOPE in st.query_params:
        del st.query_params[URL_SCOPE]


def go_to(code: str | None, township_key: str) -> None:
    """Breadcrumb and chart callback: show a division, a province's, city's or county's (None: the whole store),
    township filter cleared."""
    st.session_state[township_key] = []
    _set_scope(code)


def division_from_chart(chart_key: str, names_to_codes: dict[str, str], township_key: str) -> None:
    """on_select callback of a chart by province, city or county: the clicked division becomes the scope."""
    points = st.session_state[chart_key]["selection"]["points"]
    if points:
        custom = points[0].get("customdata")
        name = custom[0] if isinstance(custom, list) else str(points[0]["y"]).replace("<br>", "")
        if name in names_to_codes:
            go_to(names_to_codes[name], township_key)
