"""The map: tiles laid out without overlap (in a grid, or from centroids), the figure builder's colours per status
and value, the shapes a county gets, and the map on 社区社工配备 with every township of the demo county."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.data.maps import boundaries, tiles
from socialwork.figures import choices, db, maps
from socialwork.figures.place_filter import EVERYWHERE
from socialwork.present.screen import maps as drawn
from socialwork.present.theme import STATUS_COLOURS

CODES = [f"999999{n:03d}" for n in range(1, 18)]


def squares_overlap(a: list, b: list) -> bool:
    (ax0, ay0), (ax1, ay1) = a[0], a[2]
    (bx0, by0), (bx1, by1) = b[0], b[2]
    return min(ax0, ax1) < max(bx0, bx1) and min(bx0, bx1) < max(ax0, ax1) and \
        min(ay0, ay1) < max(by0, by1) and min(by0, by1) < max(ay0, ay1)  # fmt: skip


def assert_one_square_each(layout: dict, codes: list[str]) -> None:
    assert sorted(layout) == sorted(codes)
    assert len(set(layout.values())) == len(codes)  # no two in one cell
    rings = [f["geometry"]["coordinates"][0] for f in tiles.tile_geojson(layout)["features"]]
    assert not any(squares_overlap(a, b) for i, a in enumerate(rings) for b in rings[i + 1 :])


def test_the_grid_is_compact_and_ordered_by_code():
    layout = tiles.grid_layout(list(reversed(CODES)))
    assert_one_square_each(layout, CODES)
    assert [layout[c] for c in CODES[:6]] == [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (0, 1)]  # 17 places: 5 a row


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_centroids_give_each_place_its_own_square_near_where_it_lies(seed):
    rng = random.Random(seed)
    centroids = {code: (104 + rng.random(), 29 + rng.random()) for code in CODES}
    centroids[CODES[1]] = centroids[CODES[0]]  # two places at one point still get a square each
    layout = tiles.centroid_layout(CODES, centroids)
    assert_one_square_each(layout, CODES)
    west, east = min(CODES, key=lambda c: centroids[c][0]), max(CODES, key=lambda c: centroids[c][0])
    assert layout[west][0] < layout[east][0]


def test_places_without_a_centroid_take_the_cells_left():
    layout = tiles.centroid_layout(CODES, {CODES[0]: (104.0, 29.0), CODES[5]: (105.0, 30.0)})
    assert_one_square_each(layout, CODES)


def frame(statuses: list[str], values: list[float | None]) -> pd.DataFrame:
    codes = CODES[: len(statuses)]
    return pd.DataFrame({"place_code": codes, "place_name": [f"乡{i}" for i in range(len(codes))],
                         "value": values, "status": statuses})  # fmt: skip


def tile_shapes(codes: list[str]) -> maps.Shapes:
    square = tiles.tile_geojson(tiles.grid_layout(codes))
    return maps.Shapes(square, "tiles", maps.label_points(square))


def test_each_status_has_its_colour_and_a_legend_entry():
    data = frame(["met", "behind", "met", "no_data", "on_track"], [2.5, 1.0, 3.0, None, 1.9])
    fig = drawn.township_map(data, tile_shapes(list(data["place_code"])), "各乡镇（街道）平均持证")
    assert fig.data[0].type == "scattergeo" and fig.data[0].locationmode is None  # no world topojson fetched
    areas = {t.name: t for t in fig.data if t.type == "choropleth"}
    assert list(areas) == ["✓ 达标", "→ 进度正常", "! 滞后", "· 无数据"]
    expected = {"✓ 达标": ("met", [CODES[0], CODES[2]]), "→ 进度正常": ("on_track", [CODES[4]]),
                "! 滞后": ("behind", [CODES[1]]), "· 无数据": ("no_data", [CODES[3]])}  # fmt: skip
    for name, (status, codes) in expected.items():
        assert list(areas[name].locations) == codes
        assert {c for _, c in areas[name].colorscale} == {STATUS_COLOURS[status]}
    assert fig.layout.geo.visible is False and fig.layout.geo.fitbounds == "locations"
    assert fig.data[0].text[0] == "乡0<br>2.5"


def test_by_value_a_sequential_scale_and_grey_where_there_is_none():
    data = frame(["met", "behind", "met"], [2.5, 1.0, None])
    fig = drawn.township_map(data, tile_shapes(list(data["place_code"])), "地图", colour_by="value", unit="人")
    areas = [t for t in fig.data if t.type == "choropleth"]
    assert list(areas[0].locations) == CODES[:2] and list(areas[0].z) == [2.5, 1.0] and areas[0].showscale
    assert not {c for _, c in areas[0].colorscale} & set(STATUS_COLOURS.values())
    assert list(areas[1].locations) == [CODES[2]] and areas[1].name == "无数据"


def test_a_chosen_place_is_outlined_and_clicks_read_its_name():
    data = frame(["met", "behind"], [2.5, 1.0])
    fig = drawn.township_map(data, tile_shapes(list(data["place_code"])), "地图", chosen=(CODES[1],))
    behind = next(t for t in fig.data if t.name == "! 滞后")
    assert list(behind.marker.line.width) == [4] and behind.customdata[0][0] == "乡1"


def test_on_a_page_a_chosen_place_is_outlined_by_a_style_rule_naming_its_trace_and_position():
    data = frame(["met", "behind", "met", "behind"], [2.5, 1.0, 3.0, 0.5])
    fig = drawn.township_map(data, tile_shapes(list(data["place_code"])), "地图")  # 达标: 0, 2; 滞后: 1, 3
    path = ".st-key-m .choroplethlayer > g.trace:nth-of-type({}) > path.choroplethlocation:nth-of-type({})"
    style = drawn.outline_style(fig, "m", (CODES[2], CODES[3]))
    assert f"{path.format(1, 2)}, {path.format(2, 2)} {{" in style and "stroke-width: 4px !important" in style
    assert "stroke-width" not in drawn.outline_style(fig, "m", ())  # nothing picked: no rule, replacing the last
    by_value = drawn.township_map(frame(["met", "met"], [None, 1.0]), tile_shapes(CODES[:2]), "地图", colour_by="value")
    assert path.format(2, 1) in drawn.outline_style(by_value, "m", (CODES[0],))  # the places without a value: second


def test_the_pages_map_is_the_same_figure_whichever_township_is_picked():
    """A changed figure makes plotly rebuild the whole map (a quarter of a second on a slow phone): the pick is
    outlined by the page's style rule alone, and a legend click cannot hide a trace and shift the rule's places."""

    def overview(township: str | None) -> tuple[dict, list[str]]:
        at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
        if township:
            at.query_params["township"] = township
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "choropleth" in c.proto.spec)
        return spec, [h.proto.body for h in at.get("html") if ".st-key-overview_map " in h.proto.body]

    county, county_style = overview(None)
    township, township_style = overview("河口镇")
    assert township == county and county["layout"]["legend"]["itemclick"] is False
    assert len(county_style) == 1 and "stroke-width" not in county_style[0]
    code = str(choices.townships(LAST_SNAPSHOT).set_index("township_name").at["河口镇", "township_code"])
    traces = [t for t in county["data"] if t["type"] == "choropleth"]
    group, n = next((g, t["locations"].index(code) + 1) for g, t in enumerate(traces, 1) if code in t["locations"])
    assert f"g.trace:nth-of-type({group}) > path.choroplethlocation:nth-of-type({n}) {{" in township_style[0]


def test_a_township_pick_builds_no_map_and_another_target_or_colouring_builds_its_own(monkeypatch):
    """The page's map is built once per snapshot, scope, target and colouring and shared (snapshot_figure): a pick
    reuses it, a change of target or colouring gets its own."""
    db.forget_results()
    builds: list[str] = []
    build = drawn._build
    monkeypatch.setattr(drawn, "_build", lambda frame, *rest: builds.append(frame.spec.key) or build(frame, *rest))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/overview.py").run()
    built = len(builds)
    assert built >= 1
    at.multiselect(key="filter_townships").set_value(["河口镇"]).run()
    assert not at.exception and len(builds) == built, "a township pick rebuilt the map"
    at.segmented_control(key="overview_map_colour").set_value("value").run()
    assert len(builds) == built + 1
    at.selectbox(key="overview_map_metric").set_value("certified_per_urban_community").run()
    assert not at.exception and len(builds) == built + 2


def test_the_demo_county_is_drawn_from_its_boundaries_and_a_county_without_them_as_tiles(demo_store, fixture_store):
    _, shapes = maps.place_map(LAST_SNAPSHOT, EVERYWHERE, "certified_per_urban_community", demo_store)
    assert shapes.kind == "boundaries" and shapes.note is None
    assert {f["id"] for f in shapes.geojson["features"]} == set(
        choices.townships(LAST_SNAPSHOT, demo_store)["township_code"]
    )
    assert boundaries.load(fixture_store) is None
    on = choices.available_dates(fixture_store)[-1]
    _, tiled = maps.place_map(on, EVERYWHERE, None, fixture_store)
    assert tiled.kind == "tiles" and len(tiled.geojson["features"]) == 3


def test_boundaries_lacking_a_township_fall_back_to_tiles_and_say_so(demo_store):
    frame_, _ = maps.place_map(LAST_SNAPSHOT, EVERYWHERE, None, demo_store)
    codes = frame_.frame["place_code"].tolist()
    shapes = maps.shapes_for([*codes, "999901999"], "township", EVERYWHERE, demo_store)
    assert shapes.kind == "tiles" and shapes.note == "乡镇边界文件缺少 1 个乡镇（街道），暂以方块图显示"


def test_the_staffing_page_shows_the_map_of_every_township():
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/staffing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    figure = next(s for s in specs if any(t["type"] == "choropleth" for t in s["data"]))
    shown = {code for t in figure["data"] if t["type"] == "choropleth" for code in t["locations"]}
    assert shown == set(choices.townships(LAST_SNAPSHOT)["township_code"])
    assert figure["layout"]["title"]["text"].replace("<br>", "") == "各乡镇（街道）城市社区平均持证社工"
    assert at.selectbox(key="staffing_map_metric").value == "certified_per_urban_community"
    at.selectbox(key="staffing_map_metric").set_value("communities_served_share").run()
    figure = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "choropleth" in c.proto.spec)
    assert "有社工服务的村（社区）占比" in figure["layout"]["title"]["text"].replace("<br>", "")
