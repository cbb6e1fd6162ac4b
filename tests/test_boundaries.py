"""Township boundaries: a county's GeoJSON checked (every township, valid rings, the size before parsing), simplified
and stored beside county.json; a failed check leaves what was there. The fixture county's townships T1 T2 T3."""

from __future__ import annotations

import io
import json
import math
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from socialwork import cli
from socialwork.data.demo.county import DemoCounty
from socialwork.data.demo.writing import write_demo_boundaries
from socialwork.data.maps import boundaries, geometry
from socialwork.data.maps.boundaries import BOUNDARIES_FILE, BoundaryError
from tests.fixture_county import T1, T2, T3

COUNTY = "999999"
TOWNSHIPS = {T1: "甲街道", T2: "乙镇", T3: "丙乡"}


def square(x: float, y: float, size: float = 0.1) -> list[list[float]]:
    """A closed square ring with its lower left corner at (x, y) (counter-clockwise, as RFC 7946 writes it)."""
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(code: str, ring: list, name: str = "code_property", **extra) -> dict:
    properties = {} if name == "id" else {name if name != "code_property" else "township_code": code}
    out = {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    return out | ({"id": code} if name == "id" else {}) | extra


def county_file(tmp_path: Path, features: list[dict], name: str = "townships.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8")
    return path


def good_features(prop: str = "code_property") -> list[dict]:
    return [feature(code, square(100 + 0.1 * i, 30), prop) for i, code in enumerate((T1, T2, T3))]


@pytest.fixture
def store(tmp_path: Path, fixture_store: Path) -> Path:
    """A copy of the fixture county (its latest snapshot names T1 T2 T3), to write boundaries into."""
    root = tmp_path / "store"
    shutil.copytree(fixture_store, root)
    return root


def problems(source: Path, root: Path) -> list[str]:
    with pytest.raises(BoundaryError) as caught:
        boundaries.import_file(source, root, COUNTY)
    return caught.value.problems


def test_a_good_file_is_stored_beside_county_json_with_codes_as_ids(tmp_path, store):
    stored = boundaries.import_file(county_file(tmp_path, good_features()), store, COUNTY, "gcj02")
    on_disk = json.loads((store / BOUNDARIES_FILE).read_text(encoding="utf-8"))
    assert on_disk == stored and boundaries.load(store) == stored
    assert [f["id"] for f in stored["features"]] == [T1, T2, T3]
    assert [f["properties"]["name"] for f in stored["features"]] == ["甲街道", "乙镇", "丙乡"]  # the store's names
    assert stored["socialwork"] | {"written_at": ""} == {"kind": "polygons", "crs": "gcj02",
                                                         "source": "townships.geojson", "written_at": ""}  # fmt: skip
    outer = stored["features"][0]["geometry"]["coordinates"][0][0]
    assert geometry.signed_area(outer) < 0  # clockwise: plotly.js (d3-geo) would read it as the rest of the globe
    assert not list(store.glob(f".{BOUNDARIES_FILE}.*"))  # the temporary file was renamed into place


@pytest.mark.parametrize(
    ("prop", "value"), [("XZQDM", None), ("adcode", "000"), ("乡镇代码", None), ("id", None)], ids=str
)
def test_common_property_names_carry_the_code(tmp_path, store, prop, value):
    features = good_features(prop)
    if value:  # a 12-digit statistical code of the township: its first 9 digits
        for f in features:
            f["properties"][prop] += value
    stored = boundaries.import_file(county_file(tmp_path, features), store, COUNTY)
    assert [f["id"] for f in stored["features"]] == [T1, T2, T3]


def test_a_missing_township_is_named(tmp_path, store):
    found = problems(county_file(tmp_path, good_features()[:2]), store)
    assert found == ["缺少 1 个乡镇（街道）的要素：丙乡（999999201）"]


def test_a_self_intersecting_polygon_is_named_with_its_feature(tmp_path, store):
    features = good_features()
    features[1]["geometry"]["coordinates"] = [[[100, 30], [100.1, 30.1], [100.1, 30], [100, 30.1], [100, 30]]]
    assert problems(county_file(tmp_path, features), store) == [
        "第 2 个要素（乡镇代码 999999101）外边界自相交（第 1 条边与另一条边相交）"
    ]


def test_an_unclosed_ring_is_named(tmp_path, store):
    features = good_features()
    features[2]["geometry"]["coordinates"][0].pop()
    assert problems(county_file(tmp_path, features), store) == [
        "第 3 个要素（乡镇代码 999999201）外边界没有闭合（首尾坐标不同）"
    ]


def test_a_township_outside_the_county_and_one_unknown_to_it(tmp_path, store):
    features = [*good_features(), feature("530524001", square(101, 30)), feature("999999888", square(101, 31))]
    assert problems(county_file(tmp_path, features), store) == [
        "第 4 个要素（乡镇代码 530524001）不属于本县（区划代码 999999）",
        "第 5 个要素（乡镇代码 999999888）不是本县最新一期数据中的乡镇（街道）",
    ]


def test_a_feature_without_a_code_says_which_property_names_are_read(tmp_path, store):
    features = good_features()
    features[0]["properties"] = {"NAME": "甲街道"}
    found = problems(county_file(tmp_path, features), store)
    assert found[0].startswith("第 1 个要素没有 9 位乡镇代码（属性名可为 township_code、code、adcode、XZQDM")


def test_invalid_json_says_where(tmp_path, store):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [}', encoding="utf-8")
    assert problems(path, store) == ["文件 broken.geojson 不是有效的 JSON：第 2 行第 15 列（Expecting value）"]


def test_projected_coordinates_are_refused(tmp_path, store):
    features = good_features()
    features[0]["geometry"]["coordinates"] = [square(500000, 3300000, 1000)]
    assert "不在中国境内的经纬度范围" in problems(county_file(tmp_path, features), store)[0]


def test_a_100_mb_file_is_refused_before_it_is_parsed(tmp_path, store, monkeypatch):
    huge = tmp_path / "huge.geojson"
    with huge.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: no disk used

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_text", never)
    monkeypatch.setattr(json, "loads", never)
    assert problems(huge, store) == [
        "文件 huge.geojson 有 100.0 MB，超过上限 20 MB：请只保留本县各乡镇（街道）的边界，或先在 GIS 软件中简化"
    ]


def test_the_cap_is_the_limit_given(tmp_path, store, monkeypatch):
    path = county_file(tmp_path, good_features())
    monkeypatch.setattr(boundaries, "MAX_BYTES", path.stat().st_size - 1)
    with pytest.raises(BoundaryError, match="超过上限"):
        boundaries.read_file(path, boundaries.MAX_BYTES)


def test_a_failed_check_leaves_the_stored_boundaries_as_they_were(tmp_path, store):
    boundaries.import_file(county_file(tmp_path, good_features()), store, COUNTY)
    before = (store / BOUNDARIES_FILE).read_bytes()
    problems(county_file(tmp_path, good_features()[:1], "worse.geojson"), store)
    assert (store / BOUNDARIES_FILE).read_bytes() == before
    assert not list(store.glob(f".{BOUNDARIES_FILE}.*"))


def circle(cx: float, cy: float, radius: float, points: int) -> list[list[float]]:
    ring = [[cx + radius * math.cos(2 * math.pi * i / points), cy + radius * math.sin(2 * math.pi * i / points)]
            for i in range(points)]  # fmt: skip
    return [*ring, ring[0]]


def test_simplification_keeps_every_township_and_fits_the_budget():
    shapes = {code: {"name": name, "polygons": [[circle(100 + i * 0.3, 30, 0.1, 3000)]]}
              for i, (code, name) in enumerate(TOWNSHIPS.items())}  # fmt: skip
    full = len(json.dumps(boundaries._collection(shapes, {c: s["polygons"] for c, s in shapes.items()})))
    small = boundaries.simplified(shapes, budget=20_000)
    size = len(json.dumps(small, ensure_ascii=False, separators=(",", ":")))
    assert [f["id"] for f in small["features"]] == list(TOWNSHIPS) and size <= 20_000 < full
    for f in small["features"]:
        ring = f["geometry"]["coordinates"][0][0]
        assert geometry.is_closed(ring) and len(ring) >= 4 and geometry.crossing(ring) is None


def test_centroids_alone_are_stored_for_the_tile_map(tmp_path, store):
    points = [
        {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Point", "coordinates": [100 + i, 30]}}
        for i, code in enumerate(TOWNSHIPS)
    ]
    stored = boundaries.import_file(county_file(tmp_path, points), store, COUNTY)
    assert stored["socialwork"]["kind"] == "centroids"
    assert [f["geometry"]["type"] for f in stored["features"]] == ["Point"] * 3


def test_a_ring_check_sees_a_touch_and_passes_a_simple_ring():
    assert geometry.crossing(square(0, 0)) is None
    assert geometry.crossing(circle(0, 0, 1, 500)) is None
    touching = [[0, 0], [2, 0], [2, 2], [1, 0], [0, 2], [0, 0]]  # the ring comes back to a point of its first edge
    assert geometry.crossing(touching) is not None


def test_the_committed_demo_boundaries_are_what_the_generator_writes(demo_store, tmp_path):
    generated = write_demo_boundaries(tmp_path, DemoCounty().townships)  # tmp_path has no snapshot: codes unchecked
    assert json.loads((demo_store / BOUNDARIES_FILE).read_text(encoding="utf-8")) == generated
    assert len(generated["features"]) == 17


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_the_boundaries_command_stores_and_refuses_in_chinese(tmp_path, store):
    good, bad = county_file(tmp_path, good_features()), county_file(tmp_path, good_features()[1:], "bad.geojson")
    code, out, _ = run("boundaries", str(good), "--data", str(store), "--crs", "gcj02")
    assert code == 0 and "已写入乡镇边界：3 个乡镇（街道）的边界，坐标系 GCJ-02" in out
    code, _, err = run("boundaries", str(bad), "--data", str(store))
    assert code == 2 and "原有边界未改动" in err and "  - 缺少 1 个乡镇（街道）的要素：甲街道（999999001）" in err
    assert boundaries.load(store)["socialwork"]["crs"] == "gcj02"


def test_init_takes_boundaries_before_the_first_month(tmp_path):
    good = county_file(tmp_path, good_features())
    args = (
        "init",
        "--data",
        str(tmp_path / "s"),
        "--county",
        "测试县",
        "--code",
        COUNTY,
        "-o",
        str(tmp_path / "t.xlsx"),
    )
    assert run(*args, "--boundaries", str(good))[0] == 0
    assert [f["id"] for f in boundaries.load(tmp_path / "s")["features"]] == [T1, T2, T3]
