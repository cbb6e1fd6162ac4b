"""社区社工配备 page: county and township views, a township without urban communities, chart drill data."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import choices, staffing
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.html_tables import tables

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")


def open_staffing(**query) -> AppTest:
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/staffing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_county_view_shows_the_summary_and_the_township_chart():
    at = open_staffing()
    summary = staffing.staffing_summary(LAST_SNAPSHOT, EVERYWHERE)
    assert metric(at, "持证缺口") == f"{int(summary['total_shortfall'])}人"
    assert metric(at, "城市社区") == f"{int(summary['urban_communities'])}个"
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["title"]["text"].replace("<br>", "") == "各乡镇（街道）城市社区平均持证社工"
    shown_townships = set(chart["data"][0]["y"])
    by_township = staffing.staffing_by_township(LAST_SNAPSHOT, EVERYWHERE)
    assert shown_townships == set(by_township[by_township["urban_communities"] > 0]["township_name"])
    assert len(tables(at)[2]) == 267  # every village and community of the county


@pytest.mark.parametrize("name", ["城关街道", "白水镇"])
def test_township_view_lists_its_communities(name):
    at = open_staffing(township=[name])
    codes = Places.townships(choices.township_codes([name], LAST_SNAPSHOT))
    frame = staffing.community_staffing(LAST_SNAPSHOT, codes)
    assert len(tables(at)[2]) == len(frame)
    gaps = tables(at)[0]
    assert gaps["缺口（人）"].sum() == staffing.staffing_summary(LAST_SNAPSHOT, codes)["total_shortfall"]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "各城市社区持证社工" in chart["layout"]["title"]["text"].replace("<br>", "")
    assert any(b.label == "全县" for b in at.button)  # the breadcrumb back to the county


def test_township_without_urban_communities_says_so():
    at = open_staffing(township=["马坪乡"])
    assert any("没有城市社区" in i.value for i in at.info)
    assert metric(at, "平均持证") == "—"


def test_breadcrumb_returns_to_the_county():
    at = open_staffing(township=["城关街道"])
    next(b for b in at.button if b.label == "全县").click().run()
    assert at.multiselect[0].value == []
    assert any("范围：全县" in m.value for m in at.markdown)
