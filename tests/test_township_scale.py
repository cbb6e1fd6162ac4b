"""Pages on a store with many townships: charts keep at most TOP_BARS + 1 bars, long lists are capped and say
so, totals still count every community; the demo county (17 townships) is drawn in full as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.bench.synthetic import Scale
from socialwork.bench.synthetic_store import write_store
from socialwork.data import settings
from socialwork.figures import choices, staffing
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.screen import cards, charts
from tests.html_tables import tables

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
SCALE = Scale("many_townships", townships=60, communities=600, people=3_000, snapshots=2)
CAP = 50  # rows per table in these tests (cards: 1,000 and the scorecard 300): 600 communities, 60 townships exceed it


@pytest.fixture(scope="module")
def many_townships(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("many_townships") / "store"
    write_store(store, SCALE)
    return store


def open_page(page: str, store: Path | None, monkeypatch: pytest.MonkeyPatch, **query) -> AppTest:
    if store is not None:
        monkeypatch.setenv(settings.DATA_DIR_ENV, str(store))
        monkeypatch.setattr(cards, "TABLE_MAX_ROWS", CAP)
        monkeypatch.setattr(cards, "SCORECARD_MAX_ROWS", CAP)
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_township_chart_shows_the_worst_and_one_bar_for_the_others(many_townships, monkeypatch):
    at = open_page("staffing", many_townships, monkeypatch)
    layout, bars = chart_specs(at)[0]["layout"], chart_specs(at)[0]["data"][1]  # [0]: the rows made clickable
    as_of = choices.available_dates(many_townships)[-1]
    by_township = staffing.staffing_by_township(as_of, EVERYWHERE, many_townships)
    with_urban = by_township[by_township["urban_communities"] > 0]
    assert len(bars["y"]) == charts.TOP_BARS + 1
    assert bars["y"][-1] == f"其他 {len(with_urban) - charts.TOP_BARS} 个乡镇（街道）"
    worst = with_urban.sort_values("average_certified_per_urban_community", kind="stable").head(charts.TOP_BARS)
    assert set(bars["y"][:-1]) == set(worst["township_name"])
    assert [c[0] for c in bars["customdata"][:-1]] == bars["y"][:-1]  # a click on these drills in
    assert bars["customdata"][-1] == [None]  # the others bar carries no township
    assert f"共{len(with_urban)}个" in layout["title"]["subtitle"]["text"].replace("<br>", "")
    every = tables(at)[0]  # every township, in the expander below the chart: its first CAP, and the count of all
    captions = " ".join(c.value for c in at.caption)
    assert len(every) == CAP and f"共 {SCALE.townships} 行，表中列出前 {CAP} 行。" in captions


def test_community_lists_are_capped_but_totals_count_every_community(many_townships, monkeypatch):
    at = open_page("staffing", many_townships, monkeypatch)
    as_of = choices.available_dates(many_townships)[-1]
    summary = staffing.staffing_summary(as_of, EVERYWHERE, many_townships)
    gaps, uncovered, communities = (tables(at)[i] for i in (1, 2, 3))
    assert len(communities) == CAP and summary["communities"] == SCALE.communities
    assert len(gaps) == min(CAP, summary["urban_communities_below_minimum"])
    assert len(uncovered) == min(CAP, summary["communities_without_social_worker"])
    # The capped list holds the largest gaps; the heading and the card add up every community.
    full = staffing.shortfall_list(as_of, EVERYWHERE, many_townships)
    assert list(gaps["缺口（人）"]) == list(full["shortfall"].head(len(gaps)))
    assert full["shortfall"].sum() == summary["total_shortfall"]
    assert any(f"缺口 {int(summary['total_shortfall'])} 人" in m.value for m in at.markdown)
    assert next(m.value for m in at.metric if m.label == "持证缺口") == f"{int(summary['total_shortfall'])}人"
    assert f"共 {SCALE.communities} 个村（社区），表中列出最需关注的 {CAP} 个" in captions(at)
    # The communities listed first are those furthest from the rule.
    assert communities["持证社工（人）"].head(3).tolist() == [0, 0, 0]


@pytest.mark.parametrize("cap", [1_000, CAP], ids=["complete list", "capped list"])
def test_many_selected_townships_keep_the_community_chart_short(many_townships, monkeypatch, cap):
    as_of = choices.available_dates(many_townships)[-1]
    names = list(choices.townships(as_of, many_townships)["township_name"][:25])
    at = open_page("staffing", many_townships, monkeypatch, township=names)
    urban = staffing.staffing_summary(
        as_of, Places.townships(choices.township_codes(names, as_of, many_townships)), many_townships
    )
    assert urban["urban_communities"] > charts.MAX_BARS
    monkeypatch.setattr(cards, "TABLE_MAX_ROWS", cap)
    at.run()
    chart = chart_specs(at)[0]
    # Complete, the 20 with the fewest; from a capped list (urban ones short of the rule first), those it holds.
    shown = len(chart["data"][0]["y"])
    assert shown == charts.TOP_BARS if cap > SCALE.communities else 0 < shown <= charts.MAX_BARS
    subtitle = chart["layout"]["title"]["subtitle"]["text"].replace("<br>", "")
    assert subtitle.endswith(f"共{int(urban['urban_communities'])}个")
    assert any("等25个乡镇（街道）" in m.value for m in at.markdown)  # the header names ten, then counts


def test_scorecard_lists_the_worst_townships_first_up_to_the_cap(many_townships, monkeypatch):
    at = open_page("targets", many_townships, monkeypatch)
    table = tables(at)[0]
    assert len(table) == CAP
    assert table["未达标项"].is_monotonic_decreasing
    assert f"共 {SCALE.townships} 个乡镇（街道），表中列出未达标项最多的 {CAP} 个" in captions(at)


@pytest.mark.parametrize("page", ["overview", "posts", "stations", "incentives", "purchases", "meeting"])
def test_other_pages_keep_charts_short(many_townships, monkeypatch, page):
    at = open_page(page, many_townships, monkeypatch)
    for spec in chart_specs(at):
        for trace in spec["data"]:
            if trace.get("orientation") == "h":  # a bar per township, organisation, department …
                assert len(trace["y"]) <= charts.MAX_BARS, spec["layout"]["title"]


def test_demo_county_is_drawn_in_full(monkeypatch):
    at = open_page("staffing", None, monkeypatch)
    chart = chart_specs(at)[0]
    by_township = staffing.staffing_by_township(choices.available_dates(settings.DEMO_DATA_DIR)[-1], EVERYWHERE)
    assert len(by_township) == 17
    assert set(chart["data"][0]["y"]) == set(by_township[by_township["urban_communities"] > 0]["township_name"])
    assert "subtitle" not in chart["layout"]["title"]
    assert "表中列出" not in captions(at)
    assert [len(t) for t in tables(at)][-1] == 267  # no table of every township; every community listed


def test_township_filter_searches_every_township_by_substring_without_select_all(many_townships, monkeypatch):
    at = open_page("posts", many_townships, monkeypatch)
    township_filter = at.multiselect[0]
    assert len(township_filter.options) == SCALE.townships
    assert township_filter.proto.placeholder == "全县 · 输入乡镇名称搜索"
    assert township_filter.proto.select_all == 0  # no English "Select all": empty already means the whole county
