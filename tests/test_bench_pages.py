"""The page benchmarks' own parts, fast: twins of a page's elements, profile buckets, tables, docs sections."""

from __future__ import annotations

import base64
import json
import os

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.bench import browser, browser_store, profiling, sections, server, twin
from socialwork.cluster.serving import cpu_seconds
from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import db
from tests import fixture_city, fixture_county
from tests.fixture_city import BOTH
from tests.fixture_nation import COUNTY_D, write_nation_store

ROOT = settings.REPO_ROOT.as_posix()
BARE_APP = str(settings.REPO_ROOT / "socialwork" / "bench" / "bare_app.py")


# ---------------------------------------------------------------- twins
def test_a_figure_spec_counts_points_of_plain_and_base64_arrays():
    numbers = {"dtype": "i2", "bdata": base64.b64encode(np.arange(7, dtype="i2").tobytes()).decode()}
    spec = {
        "data": [
            {"type": "bar", "orientation": "h", "x": numbers, "y": list("abcdefg"), "texttemplate": "%{x}"},
            {"x": [1, 2, 3], "y": [4, 5, 6], "mode": "lines"},
        ],
        "layout": {"shapes": [{}, {}], "annotations": [{}], "height": 420},
    }
    assert twin.figure_spec(json.dumps(spec)) == {
        "kind": "plotly_chart",
        "traces": [
            {"type": "bar", "orientation": "h", "mode": None, "points": 7, "text": True},
            {"type": "scatter", "orientation": "v", "mode": "lines", "points": 3, "text": False},
        ],
        "shapes": 2,
        "annotations": 1,
        "height": 420,
    }


def test_elements_are_counted_by_kind_inside_containers():
    nodes = [
        {"kind": "title", "chars": 4},
        {"kind": "columns", "weights": [1, 1], "children": [
            [{"kind": "container", "border": True, "horizontal": False,
              "children": [{"kind": "metric"}, {"kind": "badge"}]}],
            [{"kind": "plotly_chart"}, {"kind": "dataframe"}],
        ]},
        {"kind": "expander", "label": "全部", "children": [{"kind": "dataframe"}, {"kind": "download_button"}]},
        {"kind": "alert", "level": "info", "chars": 3},
    ]  # fmt: skip
    assert twin.count_kinds(nodes) == {
        "metrics": 1, "charts": 1, "tables": 2, "texts": 3, "widgets": 1, "containers": 3
    }  # fmt: skip
    assert twin.counts_text(twin.count_kinds(nodes)) == "1 / 1 / 2 / 3 / 1"


@pytest.mark.parametrize("page", ["staffing", "targets"])
def test_a_twin_draws_the_elements_of_its_page(page, tmp_path, monkeypatch):
    specs = {
        "dates": [LAST_SNAPSHOT.isoformat()],
        "townships": ["河口镇", "城关街道"],
        "boxes": [],
        "whole": "全县",
        "first_view": "county",
        "navigation": {page: ["页面", ":material/dashboard:"]},
        "pages": {
            page: {view: twin.page_spec(page, town) for view, town in (("county", None), ("township", "河口镇"))}
        },
    }
    (tmp_path / "twins.json").write_text(json.dumps(specs, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(twin.SPECS_ENV, str(tmp_path / "twins.json"))
    at = AppTest.from_file(BARE_APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert twin.count_kinds(twin.block_spec(at.main)) == twin.count_kinds(specs["pages"][page]["county"])
    at.multiselect[0].set_value(["河口镇"]).run()
    drawn = twin.block_spec(at.main)
    assert twin.count_kinds(drawn) == twin.count_kinds(specs["pages"][page]["township"])
    assert any("范围：河口镇" in m.value for m in at.markdown)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    wanted = [n for n in _walk(specs["pages"][page]["township"]) if n["kind"] == "plotly_chart"]
    assert [len(c["data"]) for c in charts] == [len(n["traces"]) for n in wanted]


def _captions(count: int) -> list[dict]:
    return [{"kind": "markdown", "chars": 20, "scope": True, "bullets": 0}] + [{"kind": "caption", "chars": 3}] * count


def test_a_nation_twin_picks_a_county_in_its_boxes_then_a_township(tmp_path, monkeypatch):
    """The bare app's sidebar for a store of many counties: no township filter before a county is picked; the whole
    store's twin, then the county's, then the township's."""
    root = write_nation_store(tmp_path / "nation")
    store = browser_store.store_of(root, False, BOTH)
    specs = {
        "dates": [BOTH.isoformat()],
        **browser_store.sidebar_spec(store, BOTH),
        "first_view": store.views[0],
        "navigation": {"overview": ["总览", ":material/dashboard:"]},
        "pages": {"overview": {view: _captions(i + 1) for i, view in enumerate(store.views)}},
    }
    (tmp_path / "twins.json").write_text(json.dumps(specs, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(twin.SPECS_ENV, str(tmp_path / "twins.json"))
    at = AppTest.from_file(BARE_APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert (len(at.caption), len(at.multiselect)) == (1, 0)
    assert any("范围：全部" in m.value for m in at.markdown)
    at.selectbox(key="twin_box_1").set_value("丁县").run()  # the county box, after the province box
    assert (len(at.caption), len(at.multiselect)) == (2, 1)
    assert any("范围：丁县" in m.value for m in at.markdown)
    at.multiselect[0].set_value([store.township]).run()
    assert len(at.caption) == 3 and any(f"范围：{store.township}" in m.value for m in at.markdown)


def test_the_browser_benchmark_picks_a_stores_first_county_and_its_first_township(tmp_path):
    nation = browser_store.store_of(write_nation_store(tmp_path / "nation"), False, BOTH)
    first = COUNTY_D + fixture_county.T1[6:]  # 丁县 (980101) is the fixture county recoded: T1 甲街道 comes first
    assert (nation.name, nation.county, nation.county_code) == ("nation", "丁县", COUNTY_D)
    assert (nation.township, nation.township_code) == ("甲街道", first)
    assert nation.views == ("nation", "county", "township")
    assert [nation.query(view) for view in nation.views] == [(None, None), (None, COUNTY_D), ("甲街道", COUNTY_D)]
    sidebar = browser_store.sidebar_spec(nation, BOTH)
    assert [(box["label"], box["options"]) for box in sidebar["boxes"]] == [
        ("省（自治区、直辖市）", ["另一省", "测试省"]),
        ("县（市、区）", ["丁县", "丙县", "甲县", "乙县"]),
    ]
    assert sidebar["whole"] == "全部" and sidebar["townships"] == ["甲街道", "乙镇", "丙乡"]
    city = browser_store.store_of(fixture_city.write_city_store(tmp_path / "city"), False, BOTH)
    assert (city.name, city.county_code) == ("city", fixture_city.COUNTY_A)
    assert [box["label"] for box in browser_store.sidebar_spec(city, BOTH)["boxes"]] == ["县（市、区）"]
    demo = browser_store.store_of(settings.data_dir(), True, LAST_SNAPSHOT)
    assert (demo.name, demo.township, demo.views) == ("demo", "河口镇", ("county", "township"))
    assert demo.query("township") == ("河口镇", None) and browser.section_name(demo) == "browser"
    assert browser.section_name(nation) == "browser-nation"


def _walk(nodes: list[dict]) -> list[dict]:
    found = []
    for node in nodes:
        found.append(node)
        for children in twin._children(node):
            found += _walk(children)
    return found


# ---------------------------------------------------------------- profile buckets
def test_files_fall_in_the_issues_buckets():
    assert profiling.file_bucket(f"{ROOT}/socialwork/figures/db.py") == "queries"
    assert profiling.file_bucket(f"{ROOT}/socialwork/present/screen/charts.py") == "figures"
    assert profiling.file_bucket(f"{ROOT}/socialwork/present/screen/cards.py") == "ours"
    assert profiling.file_bucket(f"{ROOT}/pages/overview.py") == "ours"
    assert profiling.file_bucket(f"{ROOT}/.venv/lib/python3.11/site-packages/pandas/core/frame.py") == "pandas"
    assert profiling.file_bucket("/x/site-packages/plotly/basedatatypes.py") == "figures"
    assert profiling.file_bucket("/x/site-packages/streamlit/elements/metric.py") == "streamlit"
    assert profiling.file_bucket("/x/site-packages/starlette/routing.py") == "other"


def test_c_functions_and_the_standard_library_count_for_their_callers():
    ours, charts = (
        (f"{ROOT}/socialwork/data/storage/store.py", 10, "snapshot_dates"),
        (f"{ROOT}/socialwork/present/screen/charts.py", 5, "bar"),
    )
    stat = (profiling.STDLIB + "pathlib.py", 1000, "stat")
    posix_stat = ("~", 0, "<built-in method posix.stat>")
    duckdb = ("~", 0, "<method 'execute' of '_duckdb.DuckDBPyConnection' objects>")
    length = ("~", 0, "<built-in method builtins.len>")
    stats = {
        ours: (1, 1, 0.010, 0.1, {}),
        charts: (1, 1, 0.020, 0.1, {}),
        stat: (4, 4, 0.004, 0.04, {ours: (4, 4, 0.004, 0.04)}),
        posix_stat: (4, 4, 0.030, 0.03, {stat: (4, 4, 0.030, 0.03)}),
        duckdb: (1, 1, 0.050, 0.05, {ours: (1, 1, 0.050, 0.05)}),
        length: (3, 3, 0.006, 0.006, {ours: (1, 1, 0.002, 0.002), charts: (2, 2, 0.004, 0.004)}),
    }  # fmt: skip
    totals = profiling.attribute(stats)
    assert totals == pytest.approx(
        {"queries": 0.050, "pandas": 0, "figures": 0.024, "streamlit": 0, "ours": 0.046, "other": 0}
    )


def test_the_heaviest_calls_are_our_functions_but_wrappers():
    stats = {
        (f"{ROOT}/socialwork/figures/metrics.py", 1, "kpi_report"): (1, 1, 0.01, 0.050, {}),
        (f"{ROOT}/socialwork/present/screen/filtering.py", 1, "run_page"): (1, 1, 0.0, 0.200, {}),
        (f"{ROOT}/socialwork/present/screen/charts.py", 1, "bar_chart"): (1, 1, 0.01, 0.030, {}),
        ("/x/site-packages/plotly/basedatatypes.py", 1, "update"): (1, 1, 0.01, 0.090, {}),
    }
    assert profiling.heaviest(stats, 2) == [
        ("figures.metrics.kpi_report", 0.050),
        ("present.screen.charts.bar_chart", 0.030),
    ]


def test_the_profile_table_gives_milliseconds_and_shares():
    cpu = {"queries": 10, "pandas": 30, "figures": 20, "streamlit": 25, "ours": 10, "other": 5}
    result = {"pages": [{"page": "overview", "wall_ms": 41.0, "process_cpu_ms": 38.2, "cpu_ms": cpu}]}
    assert "| overview | 41 | 38 | 100 | 10 (10%) | 30 (30%) | 20 (20%) | 25 (25%) | 10 (10%) | 5 (5%) |" in (
        profiling.table(result)
    )


# ---------------------------------------------------------------- browser tables
def _views(first: list[float], rerun: list[float], cpu: float) -> dict:
    return {"first_ms": first, "rerun_ms": rerun, "cpu_first_s": [cpu] * len(first), "cpu_rerun_s": [cpu / 2] * 3}


def test_the_browser_table_sets_each_page_beside_its_twin():
    counts = dict.fromkeys(twin.SUMMARY_KINDS, 1)
    result = {
        "pages": [
            {"page": "overview", "elements": {"county": counts, "township": counts | {"texts": 2}},
             "dashboard": _views([5800, 6000, 9000], [900, 800, 1000], 0.4),
             "bare": _views([5500, 5400, 5000], [600, 700, 500], 0.2)},
            {"page": "posts", "elements": {"county": counts, "township": counts},
             "dashboard": _views([7000, 7000, 7000], [700, 700, 700], 0.4),
             "bare": _views([5000, 5000, 5000], [600, 600, 600], 0.2)},
        ]
    }  # fmt: skip
    table = browser.timing_table(result)
    assert (
        "| overview | 1 / 1 / 1 / 1 / 1 → 1 / 1 / 1 / 2 / 1 | 6.00 | 5.40 | +0.60 | ✓ | 0.90 | 0.60 | 1.50× | ✗ |"
        in table
    )
    assert "| posts | 1 / 1 / 1 / 1 / 1 | 7.00 | 5.00 | +2.00 | ✗ | 0.70 | 0.60 | 1.17× | ✓ |" in table
    assert "| overview | 0.40 | 0.20 | 2.0× | 0.20 | 0.10 | 2.0× |" in browser.cpu_table(result)
    lines = browser.summary(result)
    assert "1 of 2 pages (page − bare +0.60 to +2.00 s)" in lines[0]
    assert "1 of 2 pages (page ÷ bare 1.17× to 1.50×)" in lines[1]
    assert "0.300 s for the dashboard, 0.150 s for the bare twins (2.0×)" in lines[2]
    assert "0.150 s per page view, 0.100 s per township rerun" in lines[3]


def test_a_store_of_many_counties_adds_the_county_pick_to_the_tables():
    counts = dict.fromkeys(twin.SUMMARY_KINDS, 1)
    ours = _views([3000, 3200, 3100], [500, 500, 500], 0.4) | {"county_ms": [900, 1000, 800], "cpu_county_s": [0.3] * 3}
    bare = _views([2500, 2500, 2500], [400, 400, 400], 0.2) | {"county_ms": [500, 500, 500], "cpu_county_s": [0.1] * 3}
    result = {"pages": [{"page": "overview", "elements": {"nation": counts, "county": counts,
                                                          "township": counts | {"texts": 2}},
                         "dashboard": ours, "bare": bare}]}  # fmt: skip
    table = browser.timing_table(result)
    assert "| page | elements (nation → county → township) | first render s |" in table
    assert (
        "| overview | 1 / 1 / 1 / 1 / 1 → 1 / 1 / 1 / 2 / 1 | 3.10 | 2.50 | +0.60 | ✓ | 0.90 | 0.50 | 1.80× | ✗ "
        "| 0.50 | 0.40 | 1.25× | ✓ |" in table
    )
    assert "| overview | 0.40 | 0.20 | 2.0× | 0.30 | 0.10 | 3.0× | 0.20 | 0.10 | 2.0× |" in browser.cpu_table(result)
    lines = browser.summary(result)
    assert lines[1] == "- County pick within 1.3× the bare page: 0 of 1 pages (page ÷ bare 1.80× to 1.80×)."
    assert lines[2] == "- Township rerun within 1.3× the bare page: 1 of 1 pages (page ÷ bare 1.25× to 1.25×)."
    assert "0.300 s for the dashboard, 0.133 s for the bare twins" in lines[3]  # (3×0.4 + 3×0.3 + 3×0.2) / 9


def test_server_cpu_time_is_read_from_proc():
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))
    assert cpu_seconds(os.getpid()) > before


def test_the_benchmark_server_forgets_cached_results_when_asked(tmp_path, monkeypatch):
    marker = tmp_path / "forget"
    monkeypatch.setattr(db, "run", db.run)  # restored after the test
    monkeypatch.setattr(db, "cached", db.cached)
    server.forget_results_when_asked(marker)
    db.run("places/townships_at_snapshot", snapshot_date=LAST_SNAPSHOT)
    report = db.cached("bench-test", (), object)
    assert db._results and db.cached("bench-test", (), object) is report
    server.ask_to_forget(marker)
    assert db.cached("bench-test", (), object) is not report  # whole figures (the KPI report) are forgotten too
    db.run("kpi/targets_for_year", snapshot_date=LAST_SNAPSHOT, plan_year=LAST_SNAPSHOT.year)
    assert [key[2] for key in db._results] == ["kpi/targets_for_year"]


# ---------------------------------------------------------------- docs/performance.md
def test_writing_one_section_keeps_the_text_and_the_others():
    text = "# Performance\n\nqueries table\n"
    text = sections.put(text, "profile", "## Profile\nold\n")
    text = sections.put(text, "browser", "## Browser\nfirst\n")
    text = sections.put(text, "profile", "## Profile\nnew\n")
    assert text == (
        "# Performance\n\nqueries table\n\n<!-- bench:browser -->\n## Browser\nfirst\n<!-- /bench:browser -->\n"
        "\n<!-- bench:profile -->\n## Profile\nnew\n<!-- /bench:profile -->\n"
    )
    rewritten = sections.carry(text, "# Performance\n\nnew queries table\n")
    assert rewritten.startswith("# Performance\n\nnew queries table\n\n<!-- bench:browser -->\n## Browser\nfirst\n")
    assert "## Profile\nnew\n" in rewritten and "queries table\n\n" not in rewritten.replace("new queries", "")
