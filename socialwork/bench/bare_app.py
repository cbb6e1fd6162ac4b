"""The bare Streamlit twins of the dashboard's pages (socialwork/bench/twin.py), for the browser benchmark.

Served by `streamlit run socialwork/bench/bare_app.py` with $SOCIALWORK_BARE_SPECS naming the twins' JSON: the same
sidebar (snapshot picker, a store of many counties' division boxes, township filter), navigation and, per page, the
same elements as the dashboard's view: the county's (or the whole store's, before a county is picked), the township's
once a township is chosen; synthetic numbers, no query, none of the dashboard's code.
"""

import json
import os
from functools import partial
from pathlib import Path

import numpy as np
import streamlit as st

from socialwork.bench import twin

SPECS = json.loads(Path(os.environ[twin.SPECS_ENV]).read_text(encoding="utf-8"))


def draw_page(page: str, stamp: str, view: str, scope: str) -> None:
    """One twin: the view's elements (a page not measured has an empty twin)."""
    spec = SPECS["pages"].get(page, {}).get(view, [])
    twin.Drawer(np.random.default_rng(twin.seed(page, stamp, scope)), scope, stamp).draw(spec)


def division_boxes() -> str | None:
    """A store of many counties' division boxes (the last is the county's): the county picked, if any."""
    picked = None
    for i, box in enumerate(SPECS["boxes"]):
        picked = st.selectbox(box["label"], options=box["options"], index=None, placeholder=box["placeholder"],
                              key=f"twin_box_{i}")  # fmt: skip
    return picked


st.set_page_config(page_title="基准：空白对照页", page_icon="📊", layout="wide")
with st.sidebar:
    as_of = st.selectbox("数据截至", options=SPECS["dates"], format_func=twin.date_text, key="twin_as_of")
    county = division_boxes()
    names = []
    if county or not SPECS["boxes"]:  # a store of many counties offers townships once a county is picked
        names = st.multiselect(
            "乡镇（街道）", options=SPECS["townships"], key="twin_townships", placeholder="全县 · 输入乡镇名称搜索",
            help="不选即为全县；输入名称中的字可快速查找，可多选", filter_mode="contains", select_all=False,
        )  # fmt: skip
stamp = f"数据截至 {twin.date_text(as_of)}"
st.query_params["asof"] = as_of
if names:
    st.query_params["township"] = names
elif "township" in st.query_params:
    del st.query_params["township"]
view = "township" if names else "county" if county or not SPECS["boxes"] else SPECS["first_view"]
scope = "、".join(names) or county or SPECS["whole"]
pages = [
    st.Page(partial(draw_page, page, stamp, view, scope), title=title, icon=icon, url_path=page, default=i == 0)
    for i, (page, (title, icon)) in enumerate(SPECS["navigation"].items())
]
st.navigation(pages).run()
