"""The levels above the city on two provinces (tests/fixture_nation.py): the whole store breaks down by province, a
province by city, a city by county; every province's and city's figure is the sum (or the ratio recomputed from the
sums) of its counties' own, read from each county's own store; a province lacking a county's month says so, one
lacking all is 未报送 with empty figures; the picker's province, city and county boxes cascade and ?scope= takes a
province's code; the county ranking still ranks every county."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.storage import identity
from socialwork.figures import hierarchy, metrics, staffing
from socialwork.figures.metrics import levels
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.tables.places import BREAKDOWNS, division_staffing_table, division_table, labelled_names
from tests.fixture_city import BOTH, CITY, COUNTY_A, COUNTY_B, MISSING_MONTH, write_county_store
from tests.fixture_nation import (
    CITY_C,
    CITY_D,
    COUNTY_C,
    COUNTY_D,
    OTHER_PROVINCE,
    PROVINCE,
    write_nation_store,
)
from tests.html_tables import tables

JUNE = "2024-06-30"  # the latest month of 乙县 and 丁县 before the one they missed


@pytest.fixture(scope="module", params=["combined", "county folders"])
def nation(tmp_path_factory, request):
    """The two provinces read through their combined months, and from their county folders alone."""
    return write_nation_store(tmp_path_factory.mktemp("nation"), combine=request.param == "combined")


@pytest.fixture(scope="module")
def own(tmp_path_factory, fixture_store):
    """Each county's figures at a month, from a store of its own (甲县, 丙县 and 丁县 are the fixture county)."""
    alone = {COUNTY_B: write_county_store(tmp_path_factory.mktemp("b"), COUNTY_B)}
    alone |= dict.fromkeys((COUNTY_A, COUNTY_C, COUNTY_D), fixture_store)

    def figures(county: str, on=BOTH) -> pd.Series:
        return metrics.figures_by_snapshot(on, on, EVERYWHERE, alone[county]).loc[on]

    return figures


def _row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.set_index("division_code").loc[code]


def test_each_view_breaks_down_by_the_first_level_with_a_choice(nation):
    assert hierarchy.level_below(EVERYWHERE, nation) == "province"  # two provinces
    assert hierarchy.level_below(Places.within(PROVINCE), nation) == "city"  # 测试市 and 丙市
    assert (
        hierarchy.level_below(Places.within(OTHER_PROVINCE), nation) == "county"
    )  # one city, 丁市: straight to its county
    assert hierarchy.level_below(Places.within(CITY), nation) == "county"
    assert hierarchy.level_below(Places.within(COUNTY_A), nation) == "township"
    assert all(
        hierarchy.spans_counties(places, nation)
        for places in (EVERYWHERE, Places.within(PROVINCE), Places.within(CITY_D))
    )
    assert not hierarchy.spans_counties(Places.within(COUNTY_A), nation)


@pytest.mark.parametrize(
    ("scope", "level", "members"),
    [
        (None, "province", {PROVINCE: (COUNTY_C, COUNTY_A, COUNTY_B), OTHER_PROVINCE: (COUNTY_D,)}),
        (PROVINCE, "city", {CITY: (COUNTY_A, COUNTY_B), CITY_C: (COUNTY_C,)}),
    ],
)
def test_every_division_figure_is_the_sum_of_its_counties_own(nation, own, scope, level, members):
    """At 2025-03-31 every county reports: 测试省 = 甲县 + 乙县 + 丙县, 另一省 = 丁县; 测试市 = 甲县 + 乙县,
    丙市 = 丙县."""
    figures = levels.division_figures(BOTH, scope, level, nation)
    assert sorted(figures["division_code"]) == sorted(members)
    for code, counties in members.items():
        row = _row(figures, code)
        expected = sum((own(c) for c in counties[1:]), own(counties[0]))
        assert (row["counties"], row["counties_reporting"]) == (len(counties), len(counties))
        for column, value in expected.items():
            assert row[column] == pytest.approx(value), (code, column)
    # Hand-checked: 8 certified in the fixture county at 2025-03-31, 6 in 乙县 (without p1 and p2).
    assert _row(levels.division_figures(BOTH, None, "province", nation), PROVINCE)["certified_workers"] == 8 + 6 + 8


def test_a_division_equals_its_own_scope(nation):
    """The breakdown's row of a province is the province's own figure (the cards of its page)."""
    figures = levels.division_figures(BOTH, None, "province", nation)
    for code in (PROVINCE, OTHER_PROVINCE):
        whole = metrics.figures_by_snapshot(BOTH, BOTH, Places.within(code), nation).loc[BOTH]
        assert _row(figures, code)[list(whole.index)].astype(float).to_dict() == pytest.approx(whole.to_dict())


def test_ratios_by_province_are_recomputed_from_the_summed_parts(nation, own):
    """Average certified per urban community of 测试省: (5 + 3 + 5) / (3 + 3 + 3); share with two: (2 + 1 + 2) / 9."""
    frame = staffing.staffing_by_place(BOTH, EVERYWHERE, nation).set_index("township_code")
    parts = [own(c) for c in (COUNTY_A, COUNTY_B, COUNTY_C)]
    certified = sum(p["certified_in_urban_communities"] for p in parts)
    urban = sum(p["urban_communities"] for p in parts)
    assert (certified, urban) == (13, 9)
    assert frame.loc[PROVINCE, "average_certified_per_urban_community"] == pytest.approx(13 / 9)
    assert frame.loc[PROVINCE, "share_meeting_minimum"] == pytest.approx(100 * 5 / 9)
    assert frame.loc[OTHER_PROVINCE, "average_certified_per_urban_community"] == pytest.approx(5 / 3)
    table = division_staffing_table(levels.division_figures(BOTH, None, "province", nation), "province")
    assert table.set_index("省（区、市）").loc["测试省", "平均持证（人）"] == pytest.approx(1.44)


def test_a_province_lacking_a_county_says_so_and_one_lacking_all_is_not_reported(nation, own):
    """At 2024-11-30 乙县 and 丁县 have not reported: 测试省 is 甲县 + 丙县 and says it lacks one county; 另一省 has
    no county reporting: 未报送, its figures empty, never zeros."""
    figures = levels.division_figures(MISSING_MONTH, None, "province", nation)
    table = division_table(figures, BREAKDOWNS["posts"], "province").set_index("省（区、市）")
    assert table["报送情况"].to_dict() == {"另一省": f"未报送（最新 {JUNE}）", "测试省": "缺 1 个县（乙县）"}
    assert pd.isna(table.loc["另一省", "岗位（个）"])
    two = own(COUNTY_A, MISSING_MONTH) + own(COUNTY_C, MISSING_MONTH)
    assert table.loc["测试省", "岗位（个）"] == two["posts"]
    assert _row(figures, PROVINCE)["missing_counties"] == "乙县"
    names = labelled_names(figures["division_name"], figures["counties"], figures["counties_reporting"])
    assert names.tolist() == ["另一省", "测试省（缺1县）"]  # a bar never shows a partial sum as complete
    cities = division_table(levels.division_figures(MISSING_MONTH, PROVINCE, "city", nation), BREAKDOWNS["posts"],
                            "city")  # fmt: skip
    assert cities.set_index("市（州）")["报送情况"].to_dict() == {"丙市": "已报送", "测试市": "缺 1 个县（乙县）"}
    status = hierarchy.reporting(MISSING_MONTH, EVERYWHERE, nation)
    assert status.missing_names == (f"丁县：最新 {JUNE}", f"乙县：最新 {JUNE}")


def test_the_county_ranking_ranks_every_county_at_any_level(nation):
    for places in (EVERYWHERE, Places.within(PROVINCE)):
        card = metrics.place_scorecard(BOTH, places, nation)
        assert card.level == "county"
        expected = {COUNTY_A, COUNTY_B, COUNTY_C, COUNTY_D} if places.is_everywhere else {COUNTY_A, COUNTY_B, COUNTY_C}
        assert set(card.frame["township_code"]) == expected
    late = metrics.place_scorecard(MISSING_MONTH, EVERYWHERE, nation).frame
    assert late["township_name"].tolist()[-2:] == ["丁县", "乙县"]  # counties without the month last


def test_the_store_is_the_nation_and_the_path_runs_through_every_level(nation):
    county, _ = identity.load_or_fallback(nation)
    assert (county.county_name, county.issuer) == ("全国", "民政部")
    assert hierarchy.path_to(COUNTY_A, BOTH, nation) == [(PROVINCE, "测试省"), (CITY, "测试市"), (COUNTY_A, "甲县")]
    assert list(hierarchy.children(BOTH, None, nation)["division_code"]) == [OTHER_PROVINCE, PROVINCE]


def test_the_workbook_of_the_nation_has_sheets_by_province(nation):
    from openpyxl import load_workbook

    from socialwork.present.documents import databook

    book = load_workbook(io.BytesIO(databook.tables_workbook_bytes(MISSING_MONTH, EVERYWHERE, "全国", nation)))
    by_province = {"各省城市社区配备", "各省岗位", "各省社工站", "各省督导培训", "购买服务各省"}
    assert by_province | {"各县目标排名"} <= set(book.sheetnames)
    rows = [[cell.value for cell in row] for row in book["各省岗位"].iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "省（区、市）")
    listed = [row[:2] for row in rows[header + 1 :]]
    assert listed == [["另一省", f"未报送（最新 {JUNE}）"], ["测试省", "缺 1 个县（乙县）"]]


# ---------------------------------------------------------------- the app


def _open(nation, monkeypatch, page: str = "stations", **query: str) -> AppTest:
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(nation))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    for key, value in {"asof": BOTH.isoformat(), **query}.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py").run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]


def _boxes(at: AppTest) -> dict[str, list[str]]:
    """The sidebar's scope boxes shown, by key, with their options."""
    keys = ("filter_province", "filter_city", "filter_county")
    return {box.key: box.options for box in at.sidebar.selectbox if box.key in keys}


def _titles(at: AppTest) -> str:
    titles = [json.loads(c.proto.spec)["layout"]["title"] for c in at.get("plotly_chart")]
    return json.dumps(titles, ensure_ascii=False).replace("<br>", "")  # a long title wraps


def test_the_picker_cascades_province_city_county(nation, monkeypatch):
    at = _open(nation, monkeypatch)
    assert _boxes(at) == {"filter_province": ["另一省", "测试省"], "filter_county": ["丁县", "丙县", "甲县", "乙县"]}
    at.selectbox(key="filter_province").set_value(PROVINCE).run()
    _ok(at)
    assert _boxes(at) == {"filter_province": ["另一省", "测试省"], "filter_city": ["丙市", "测试市"],
                          "filter_county": ["丙县", "甲县", "乙县"]}  # fmt: skip
    assert at.query_params["scope"] in (PROVINCE, [PROVINCE])
    at.selectbox(key="filter_city").set_value(CITY).run()
    assert _boxes(at)["filter_county"] == ["甲县", "乙县"]
    assert at.query_params["scope"] in (CITY, [CITY])
    at.selectbox(key="filter_province").set_value(OTHER_PROVINCE).run()  # the city and county are cleared
    _ok(at)
    assert "filter_city" not in _boxes(at) and _boxes(at)["filter_county"] == ["丁县"]  # 另一省 has one city
    assert at.query_params["scope"] in (OTHER_PROVINCE, [OTHER_PROVINCE])


def test_a_county_picked_first_shows_its_province_and_city(nation, monkeypatch):
    at = _open(nation, monkeypatch)
    at.selectbox(key="filter_county").set_value(COUNTY_C).run()
    _ok(at)
    assert at.selectbox(key="filter_province").value == PROVINCE
    assert at.selectbox(key="filter_city").value == CITY_C
    assert at.query_params["scope"] in (COUNTY_C, [COUNTY_C])


def test_the_url_takes_a_province_and_the_page_breaks_it_down_by_city(nation, monkeypatch):
    at = _open(nation, monkeypatch, scope=PROVINCE)
    assert at.selectbox(key="filter_province").value == PROVINCE
    assert "各市（州）运营社工站" in _titles(at)
    table = next(t for t in tables(at) if "市（州）" in t.columns)
    assert table["市（州）"].tolist() == ["丙市", "测试市"] and set(table["报送情况"]) == {"已报送"}


def test_an_unknown_code_names_the_levels_of_the_store(nation, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(nation))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["scope"] = "12"
    at.run()
    assert any("未知区划代码“12”（应为本数据目录中省、市或县的区划代码）" in e.value for e in at.error)


def test_the_whole_store_breaks_down_by_province_on_every_page(nation, monkeypatch):
    at = _open(nation, monkeypatch, page="staffing", asof=MISSING_MONTH.isoformat())
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert charts[0]["layout"]["title"]["text"] == "各省城市社区平均持证社工"
    subtitle = charts[0]["layout"]["title"]["subtitle"]["text"].replace("<br>", "")  # wrapped to fit
    assert "标“缺N县”的省（区、市）只合计已报送本月数据的县" in subtitle
    assert charts[0]["data"][1]["y"] == ["测试省（缺1县）"]  # 另一省 has no bar: none of its counties reported
    for page in ("stations", "incentives", "purchases", "posts"):
        at = _open(nation, monkeypatch, page=page)
        key = "training" if page == "incentives" else page
        assert BREAKDOWNS[key].title_at("province") in _titles(at), page


def test_the_breadcrumb_goes_up_through_every_level(nation, monkeypatch):
    at = _open(nation, monkeypatch, page="staffing", scope=COUNTY_A)
    crumbs = [b for b in at.button if b.key and b.key.startswith("sw_crumb_")]
    assert [b.label for b in crumbs] == ["全国", "测试省", "测试市"]
    crumbs[1].click().run()  # up to the province: a 2-digit code
    _ok(at)
    assert at.query_params["scope"] in (PROVINCE, [PROVINCE])
    assert (at.selectbox(key="filter_province").value, at.selectbox(key="filter_city").value) == (PROVINCE, None)
    next(b for b in at.button if b.key == "sw_crumb_0").click().run()
    assert "scope" not in at.query_params


def test_a_long_list_of_late_counties_is_named_then_counted():
    """A province's or nation's page names the first 30 counties that lack the month; its cards name up to three,
    else count them."""
    late = tuple(f"{i}县：最新 2024-06-30" for i in range(35))
    status = hierarchy.Reporting(BOTH, ("1",) * 40, ("1",) * 5, late)
    assert status.note.startswith("缺 35 个县数据（0县：最新 2024-06-30；")
    assert "29县：最新 2024-06-30…），合计与目标只含已报送的 5 个县" in status.note and "30县" not in status.note
    assert status.card_note == "缺 35 个县数据（名单见报送情况），合计与目标只含已报送的 5 个县"
    few = hierarchy.Reporting(BOTH, ("1",) * 4, ("1",), late[:3])
    named = "0县：最新 2024-06-30；1县：最新 2024-06-30；2县：最新 2024-06-30"
    assert few.card_note == few.note == f"缺 3 个县数据（{named}），合计与目标只含已报送的 1 个县"


def test_the_cli_takes_a_province_and_names_the_levels_of_an_unknown_code(nation, capsys):
    from socialwork import cli

    assert cli.main(["kpis", "--as-of", BOTH.isoformat(), "--scope", PROVINCE, "--data", str(nation), "--json"]) == 0
    assert '"scope_code": "99"' in capsys.readouterr().out
    assert cli.main(["kpis", "--as-of", BOTH.isoformat(), "--scope", "12", "--data", str(nation)]) == 2
    listed = "未知区划代码：12。本数据目录中的省、市、县有：98 另一省、9801 丁市、980101 丁县、99 测试省"
    assert listed in capsys.readouterr().err
