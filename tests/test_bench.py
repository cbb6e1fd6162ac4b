"""The benchmark's synthetic data is contract-valid and its bookkeeping (inputs, replay, table) is right."""

from __future__ import annotations

import collections
import http.server
import shutil
import threading
import urllib.request
from datetime import date
from typing import ClassVar

import pandas as pd
import pytest

from socialwork.bench import inputs, report, runner
from socialwork.bench.many_counties import division_rows
from socialwork.bench.synthetic import SCALES, Scale, snapshot_dates
from socialwork.bench.synthetic_store import COMPLETE, MARKER, is_complete, write_store
from socialwork.cli import main
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME, TOWNSHIP_FIGURES
from socialwork.data.importing.validate import check_snapshot
from socialwork.data.storage import divisions, identity, layout, store
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.store import read_table
from socialwork.figures import db, metrics
from socialwork.figures.place_filter import EVERYWHERE, Places

TINY = SCALES["tiny"]
# The nation's shape, cut down: 2 provinces × 2 cities × 2 counties of 2 townships.
SMALL_NATION = Scale("small_nation", 2, 6, 30, 3, counties=2, cities=2, provinces=2)


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench") / "tiny"
    write_store(root, TINY)
    return root


def test_tiny_store_passes_every_import_check(tiny_store):
    for on in snapshot_dates(TINY):
        frames = {t.name: read_table(tiny_store, on, t) for t in TABLES}
        assert check_snapshot(frames) == []
        assert len(frames["townships"]) == TINY.townships
        assert len(frames["communities"]) == TINY.communities


def test_people_grow_to_about_the_scale_and_certificates_only_accumulate(tiny_store):
    dates = snapshot_dates(TINY)
    people = [read_table(tiny_store, on, TABLES_BY_NAME["people"]) for on in dates]
    assert 0.9 * TINY.people <= len(people[-1]) <= TINY.people
    first, last = (p.set_index("person_id")["certificate_level"] for p in (people[0], people[-1]))
    stayed = first.index.intersection(last.index)
    assert ((first[stayed] == "none") | (last[stayed] == first[stayed])).all()


def test_plan_figures_on_synthetic_data_equal_an_independent_pandas_count(tiny_store):
    dates = snapshot_dates(TINY)
    code = read_table(tiny_store, dates[-1], TABLES_BY_NAME["townships"])["township_code"].iloc[3]
    for township in (None, code):
        ours = metrics.figures_by_snapshot(
            dates[0], dates[-1], Places.townships([township] if township else []), tiny_store
        )
        theirs = runner.pandas_certified_by_snapshot(tiny_store, dates[-1], dates, township)
        assert ours["certified_workers"].astype(int).to_dict() == theirs.to_dict()
    db.clear_cache()


@pytest.fixture(scope="module")
def small_nation(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench") / "small_nation"
    write_store(root, SMALL_NATION)
    return root


def test_a_nation_shaped_store_lists_every_division_under_its_parent_and_holds_every_county(small_nation):
    known = divisions.read(small_nation)
    assert divisions.check(known) == []
    levels = dict(zip(known["division_code"], known["division_level"], strict=True))
    pairs = zip(known["division_level"], known["parent_code"], strict=True)
    parents = {(level, levels.get(parent)) for level, parent in pairs}
    assert parents == {("province", None), ("city", "province"), ("county", "city")}
    assert known.groupby("division_level").size().to_dict() == {"province": 2, "city": 4, "county": 8}
    assert list(known["division_name"][known["division_level"] == "county"]) == [f"基准{n}县" for n in range(1, 9)]
    counties = list(known["division_code"][known["division_level"] == "county"])
    assert counties[:3] == ["610101", "610102", "610201"] and counties[-1] == "620202"
    assert list(layout.county_folders(small_nation)) == counties
    dates = snapshot_dates(SMALL_NATION)
    for code, folder in layout.county_folders(small_nation).items():
        assert identity.load(folder).county_code == code
        assert store.snapshot_dates(folder) == dates
        townships = read_table(folder, dates[-1], TABLES_BY_NAME["townships"])["township_code"]
        assert list(townships) == [f"{code}001", f"{code}002"]
        villages = read_table(folder, dates[-1], TABLES_BY_NAME["communities"])["community_code"]
        assert villages.str.fullmatch(rf"{code}00[12]\d{{3}}").all()


def test_the_province_and_nation_scales_have_the_sizes_of_the_issue():
    province, nation = SCALES["province"], SCALES["nation"]
    sizes = [(s.top, s.county_count, s.county_count * s.townships, s.county_count * s.communities,
              s.county_count * s.people) for s in (province, nation)]  # fmt: skip
    assert sizes == [("province", 120, 1_800, 30_000, 300_000), ("nation", 2_790, 41_850, 619_380, 1_501_020)]
    assert (SCALES["city"].top, SCALES["city"].county_count, SCALES["tiny"].top) == ("city", 10, "county")
    for scale in (province, nation):
        rows = pd.DataFrame(division_rows(scale), columns=["division_code", "division_name", "division_level",
                                                            "parent_code"])  # fmt: skip
        assert divisions.check(rows) == []
    assert division_rows(province)[:2] == [("99", "基准测试省", "province", None), ("9901", "基准1市", "city", "99")]
    last = division_rows(nation)[-10:]  # the last city and its 9 counties, numbered through the nation
    assert (last[0], last[-1]) == (("9110", "基准310市", "city", "91"), ("911009", "基准2790县", "county", "9110"))
    with pytest.raises(ValueError, match="does not fit"):
        Scale("too_many", 2, 4, 10, 1, counties=100)


def test_a_store_of_many_counties_is_measured_whole_by_county_and_by_township(small_nation):
    dates = snapshot_dates(SMALL_NATION)
    views = runner.views_of(small_nation, dates[-1])
    county = layout.county_folder(small_nation, "610101")
    assert [(v.name, v.places, v.scope, v.folder, v.township) for v in views] == [
        ("nation", EVERYWHERE, None, small_nation, None),
        ("county", Places.within("610101"), "610101", county, None),
        ("township", Places.townships(["610101001"]), "610101", county, "610101001"),
    ]
    assert views[2].township_name == "乡镇00001"
    people = inputs.Input("people", ("township_code",), inputs.AS_OF)
    assert [p for _, p in runner.input_files(county, people, dates[-1], dates)] == [
        county / f"snapshot_date={dates[-1]}" / "people.parquet"
    ]
    # The whole store: the combined month's one file, as the readers read it (every county's 8 without it).
    assert [p.parent.parent.name for _, p in runner.input_files(small_nation, people, dates[-1], dates)] == ["combined"]
    for view in views:  # the benchmark's check: the figures equal an independent pandas count in every view
        ours = metrics.figures_by_snapshot(dates[0], dates[-1], view.places, small_nation)["certified_workers"]
        theirs = runner.pandas_certified_by_snapshot(view.folder, dates[-1], dates, view.township)
        assert ours.astype(int).to_dict() == theirs.to_dict(), view.name
    db.clear_cache()


def test_the_aggregate_command_rewrites_every_countys_derived_tables(small_nation, tmp_path, capsys):
    root = shutil.copytree(small_nation, tmp_path / "copy")
    on = snapshot_dates(SMALL_NATION)[-1]
    figures = TOWNSHIP_FIGURES
    before = read_table(root / "county=620202", on, figures)
    layout.table_path(root / "county=620202", on, figures).unlink()
    assert main(["aggregate", "--data", str(root)]) == 0
    assert "已重新生成 3 期快照的汇总文件（8 个县）" in capsys.readouterr().out
    pd.testing.assert_frame_equal(read_table(root / "county=620202", on, figures), before)


def test_a_store_whose_writing_was_interrupted_is_not_taken_for_complete(tiny_store, tmp_path):
    assert is_complete(tiny_store, TINY)
    assert not is_complete(tiny_store, Scale("tiny", 12, 150, 1_500, 4))
    marker = (tiny_store / MARKER).read_text()
    (tmp_path / MARKER).write_text(marker.replace(COMPLETE, ""))  # as written before the first snapshot
    assert not is_complete(tmp_path, TINY)
    assert not is_complete(tmp_path / "absent", TINY)


def test_write_store_refuses_a_folder_that_is_not_synthetic(tmp_path):
    (tmp_path / "keep.txt").write_text("real data")
    with pytest.raises(StoreError, match="不是基准测试数据目录"):
        write_store(tmp_path, Scale("x", 2, 4, 10, 1))


def test_every_query_says_what_it_reads_from_the_registers():
    assert set(inputs.QUERY_INPUTS) == set(db.query_names())
    for name, needed in inputs.QUERY_INPUTS.items():
        for item in needed:
            assert set(item.columns) <= set(TABLES_BY_NAME[item.table].column_names), name


def test_page_inputs_merge_columns_and_let_every_snapshot_cover_the_latest():
    merged = inputs.page_inputs(["changes/service_point_changes", "stations/stations_by_township"])
    assert merged[1] == inputs.Input(
        "townships",
        ("brand_project", "has_station", "station_resident_workers", "station_stars", "township_code", "township_name"),
        inputs.ALL,
    )


def test_repeated_calls_are_replayed_once():
    calls = [
        ("kpi/targets_for_year", {"snapshot_date": date(2026, 10, 31), "plan_year": 2026}, None),
        ("kpi/targets_for_year", {"snapshot_date": date(2026, 10, 31), "plan_year": 2026, "unused": 1}, (1, 0)),
        ("kpi/targets_for_year", {"snapshot_date": date(2026, 10, 31), "plan_year": 2025}, (1, 1)),
    ]
    assert runner.distinct_calls(calls) == [calls[0], calls[2]]


def test_replay_keeps_the_pages_concurrency():
    a, b, c, d, e, f = (("q", {"n": n}, task) for n, task in enumerate([None, (7, 0), (7, 1), (7, 0), None, (8, 0)]))
    # a alone; then batch 7's two reads side by side (read 0 asks b then d); then e alone; then batch 8.
    assert runner.replay_steps([a, b, c, d, e, f]) == [[[a]], [[b, d], [c]], [[e]], [[f]]]


def test_percentile_and_table_marks_targets():
    assert runner.percentile([5, 1, 4, 2, 3], 0.95) == 5
    page = {"page": "overview", "queries": 3, "p95_ms": 40.0, "floor_median_ms": 20.0, "pandas_median_ms": 900.0}
    result = {
        "scale": "county", "snapshots": 2, "duckdb_peak_mb": 300, "pandas_peak_mb": 400,
        "pandas_agrees": {"county": True, "township": True}, "repeats": {"pages": 20, "bare_scan": 5, "pandas": 3},
        "rows": {"townships": 17, "communities": 267, "people": 512, "store_mb": 3},
        "pages": [page | {"view": "county", "median_ms": 30.0}, page | {"view": "township", "median_ms": 60.0}],
    }  # fmt: skip
    table = report.scale_table(result)
    assert "| overview | county | 3 | 30.0 | 40.0 | 20.0 | 900 | 30.0× faster | 1.50× | ✓ |" in table
    assert "| overview | township | 3 | 60.0 | 40.0 | 20.0 | 900 | 15.0× faster | 3.00× | ✗ |" in table
    assert report.summary_lines([result])[-1] == "| county | 60.0 | 50 | 15× | 3.00× | 300 |"


class _App(http.server.BaseHTTPRequestHandler):
    """A stand-in app server: counts the requests that reach it; its static file and its page both cacheable."""

    protocol_version = "HTTP/1.1"
    hits: ClassVar[collections.Counter] = collections.Counter()

    def do_GET(self) -> None:
        self.hits[self.path] += 1
        body = b"ok"
        self.send_response(200)
        self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_the_views_benchmark_is_served_through_the_deployments_haproxy_caching_only_static_files(tmp_path):
    """bench --views puts socialwork/cluster/haproxy.py's configuration in front: a static file is fetched from the
    app once however often it is asked for, a page every time (though the app marks both cacheable)."""
    from socialwork.bench.views import front
    from socialwork.cluster.serving import stop_server

    _App.hits.clear()
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    with (tmp_path / "haproxy.log").open("wb") as log:
        proxy, base = front(tmp_path, app.server_address[1], log)
    try:
        for _ in range(3):
            for path in ("/static/js/index.abc123.js", "/overview"):
                request = urllib.request.Request(base + path, headers={"Cookie": "SWREPLICA=r1"})
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert answer.read() == b"ok"
    finally:
        stop_server(proxy)
        app.shutdown()
    assert (_App.hits["/static/js/index.abc123.js"], _App.hits["/overview"]) == (1, 3)


def test_every_recorded_page_lists_the_kpi_reports_queries_though_another_page_computed_it_first():
    """The KPI report is kept per store version (db.cached): without forgetting it, only the first page recorded in a
    process would list its queries, and the benchmark would time the later pages without them."""
    first = {name for name, _, _ in runner.record_page_queries("overview", None)}
    second = {name for name, _, _ in runner.record_page_queries("targets", None)}
    assert "kpi/plan_figures_by_snapshot" in first
    assert "kpi/plan_figures_by_snapshot" in second


def test_a_copied_county_holds_its_sources_rows_under_its_own_codes(tmp_path):
    scale = Scale("copied", 2, 6, 30, 2, counties=2, cities=2, provinces=1, drawn_counties=3)
    root = tmp_path / "copied"
    write_store(root, scale)
    on = snapshot_dates(scale)[-1]
    codes = sorted(layout.county_folders(root))
    assert len(codes) == 4
    source, copy = codes[0], codes[3]  # the fourth county copies the first
    for table in ("communities", "people", "township_figures", "community_staffing"):
        ours = read_table(layout.county_folder(root, copy), on, store_table(table))
        theirs = read_table(layout.county_folder(root, source), on, store_table(table))
        assert len(ours) == len(theirs) > 0
        for column in [c for c in ours.columns if c.endswith("_code") and c != "urban_rural_code"]:
            values = ours[column].dropna()
            assert values.str.startswith(copy).all(), (table, column)
            assert values.str[6:].tolist() == theirs[column].dropna().str[6:].tolist(), (table, column)
    figures = metrics.figures_by_snapshot(on, on, Places.within(copy), root)["certified_workers"]
    assert (
        figures.iloc[0] == metrics.figures_by_snapshot(on, on, Places.within(source), root)["certified_workers"].iloc[0]
    )
    db.clear_cache()


def store_table(name: str):
    from socialwork.data.contract.tables import DERIVED_TABLES, TABLES

    return next(t for t in TABLES + DERIVED_TABLES if t.name == name)
