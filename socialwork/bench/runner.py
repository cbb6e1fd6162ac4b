"""Measure one store: every page's queries, the bare-scan floor and the pandas baseline, in one process.

Run by `python -m socialwork bench` in a fresh process per scale, so that peak memory is the scale's own:
    python -m socialwork.bench.runner --data DIR --scale NAME --repeats N   (prints one JSON document)

The queries a page runs are recorded by running the page itself (Streamlit's AppTest) against the store, in each of
its views (a county's store: the county and one township; a store of many counties: the whole store, named by its
top level city, province or nation, its first county, and a township within that county, picked as a person does);
they are then replayed with the result cache bypassed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from socialwork.bench.inputs import ALL, Input, page_inputs
from socialwork.data import settings
from socialwork.data.storage import divisions
from socialwork.data.storage.layout import county_folders
from socialwork.data.storage.store import files_by_date, files_of_date
from socialwork.figures import db, parallel
from socialwork.figures.place_filter import Places

PAGES = ("overview", "targets", "staffing", "posts", "stations", "incentives", "purchases", "meeting")
ENTRYPOINT = settings.REPO_ROOT / "dashboard.py"

Call = tuple[str, dict[str, Any], parallel.Task | None]  # query, parameters, read of a together() batch


@dataclass
class PageTiming:
    page: str
    view: str  # "county" or "township", and for a store of many counties its whole: "city", "province" or "nation"
    queries: int
    median_ms: float
    p95_ms: float
    floor_median_ms: float
    pandas_median_ms: float | None = None


@dataclass(frozen=True)
class View:
    """One view of a store a page is measured in: how a person asks for it, and what the baselines read."""

    name: str  # "county", "township", or a store of many counties' whole: "city", "province", "nation"
    places: Places  # the place filter the figures take
    scope: str | None  # ?scope= (a county of a store of many counties)
    township_name: str | None  # ?township= (the URL names townships as people do)
    folder: Path  # the store, or the county's own store within it, whose files the baselines read
    township: str | None = None  # the township the baselines keep


def whole_store_name(root: Path) -> str:
    """A store of many counties' whole view is named by its top level: city, province, or nation (several provinces)."""
    known = divisions.read(root)
    tops = known[known["parent_code"].isna()]
    return "nation" if len(tops) > 1 else str(tops["division_level"].iloc[0])


def views_of(root: Path, as_of: date) -> list[View]:
    """The views a store is measured in: a county and its first township, or a store of many counties' whole, its first
    county and that county's first township."""
    from socialwork.figures import choices

    known = choices.townships(as_of, root).sort_values("township_code")
    counties = county_folders(root)
    if not counties:
        first = known.iloc[0]
        township, name = str(first["township_code"]), str(first["township_name"])
        return [
            View("county", Places.everywhere(), None, None, root),
            View("township", Places.townships([township]), None, name, root, township),
        ]
    county, folder = next(iter(counties.items()))
    first = known[known["township_code"].str.startswith(county)].iloc[0]
    township, name = str(first["township_code"]), str(first["township_name"])
    return [
        View(whole_store_name(root), Places.everywhere(), None, None, root),
        View("county", Places.within(county), county, None, folder),
        View("township", Places.townships([township]), county, name, folder, township),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(action: Callable[[], object], repeats: int, warm_up: bool = True) -> list[float]:
    """Milliseconds of each of `repeats` runs, after one untimed warm-up run unless told otherwise."""
    if warm_up:
        action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# ---------------------------------------------------------------- the product's queries
def record_page_queries(page: str, township: str | None, scope: str | None = None) -> list[Call]:
    """Run the page as Streamlit would and note every query it asks for, with its parameters and, for a
    query asked within parallel.together(), which read of which batch asked."""
    from streamlit.testing.v1 import AppTest

    calls: list[Call] = []
    original = db.run
    # Figures kept per store version (db.cached: the KPI report, the scorecard) would otherwise be computed by the
    # first page recorded and their queries missing from every later page's list.
    db.forget_results()

    def recording(name: str, data: Path | None = None, **params: Any) -> pd.DataFrame:
        calls.append((name, params, parallel.current_task()))
        return original(name, data, **params)

    db.run = recording
    try:
        at = AppTest.from_file(str(ENTRYPOINT), default_timeout=600)
        if scope:  # a store of many counties offers a county's townships once the county is chosen
            at.query_params["scope"] = scope
        if township:
            at.query_params["township"] = [township]
        at.switch_page(f"pages/{page}.py").run()
    finally:
        db.run = original
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    if problems:
        raise RuntimeError(f"page {page} ({township or 'county'}) failed: {problems}")
    return calls


def distinct_calls(calls: list[Call]) -> list[Call]:
    """Each query and parameter set once: within one page run the app answers a repeat from its result cache."""
    seen, distinct = set(), []
    for name, params, task in calls:
        key = (name, repr(sorted(db.bind(name, params).items())))
        if key not in seen:
            seen.add(key)
            distinct.append((name, params, task))
    return distinct


def replay_steps(calls: list[Call]) -> list[list[list[Call]]]:
    """The calls as the page made them: steps one after another, each step reads side by side (a batch of
    together()) or a single query asked outside one, and each read its queries in order."""
    steps: list[dict[int, list[Call]]] = []
    batches: dict[int, dict[int, list[Call]]] = {}
    for call in calls:
        task = call[2]
        if task is None:
            steps.append({0: [call]})
            continue
        batch, read = task
        if batch not in batches:
            batches[batch] = {}
            steps.append(batches[batch])
        batches[batch].setdefault(read, []).append(call)
    return [list(step.values()) for step in steps]


def replay(root: Path, steps: list[list[list[Call]]]) -> None:
    """Run the queries with the page's own concurrency, bypassing the result cache."""

    def run_read(read: list[Call]) -> None:
        for name, params, _ in read:
            db.execute(name, root, db.bind(name, params))

    for reads in steps:
        parallel.together(*(lambda read=read: run_read(read) for read in reads))


# ---------------------------------------------------------------- baselines
def input_files(root: Path, item: Input, as_of: date, dates: list[date]) -> list[tuple[date, Path]]:
    """The files of every snapshot an input needs, each with its date (the store listed once: a nation's listing takes
    a quarter second, and is never part of a timing)."""
    chosen = [d for d in dates if d <= as_of] if item.snapshots == ALL else [as_of]
    listed = files_by_date(root)
    return [(d, path) for d in chosen for path in listed.get(d, {}).get(item.table, [])]


def bare_scan(con: duckdb.DuckDBPyConnection, files: list[Path], columns: tuple[str, ...], township: str | None):
    """Read every needed column of every needed file once: the least any register-scanning design pays."""
    touched = ", ".join(f'min("{c}")' for c in columns)
    where = "where township_code = $township" if township and "township_code" in columns else ""
    params = {"files": [str(f) for f in files]} | ({"township": township} if where else {})
    con.execute(f"select count(*), {touched} from read_parquet($files) {where}", params).fetchall()


def pandas_page(files: list[tuple[date, Path]], columns: tuple[str, ...], township: str | None) -> pd.DataFrame:
    """What a hand-written dashboard does: read each file, filter, group by township, stack the results.
    File by file, so that memory stays bounded at nation scale (stacking first would need tens of GB)."""
    keys = ["township_code"] if "township_code" in columns else []
    results = []
    for on, path in files:
        frame = pd.read_parquet(path, columns=list(columns))
        if township and keys:
            frame = frame[frame["township_code"] == township]
        counted = frame.groupby(keys, dropna=False).count() if keys else frame.count().to_frame().T
        results.append(counted.assign(snapshot_date=on))
    return pd.concat(results)


def pandas_certified_by_snapshot(root: Path, as_of: date, dates: list[date], township: str | None) -> pd.Series:
    """The headline figure, computed independently in pandas, to check the benchmark data is read the same."""
    item = Input("people", ("township_code", "certificate_level"), ALL)
    counts = {}
    for on, path in input_files(root, item, as_of, dates):
        people = pd.read_parquet(path, columns=list(item.columns))
        if township:
            people = people[people["township_code"] == township]
        counts[on] = counts.get(on, 0) + int((people["certificate_level"] != "none").sum())  # a city: every county
    return pd.Series(counts)


# ---------------------------------------------------------------- one store
def measure(root: Path, repeats: int, floor_repeats: int, pandas_repeats: int) -> dict[str, Any]:
    from socialwork.figures import choices, metrics

    os.environ[settings.DATA_DIR_ENV] = str(root)
    db.clear_cache()
    dates = choices.available_dates(root)
    as_of = dates[-1]
    views = {view.name: view for view in views_of(root, as_of)}
    started = time.perf_counter()
    recorded = {
        (page, view.name): distinct_calls(record_page_queries(page, view.township_name, view.scope))
        for page in PAGES
        for view in views.values()
    }
    recording_s = time.perf_counter() - started

    timings: list[PageTiming] = []
    floor_con = duckdb.connect()
    for (page, name), calls in recorded.items():
        steps = replay_steps(calls)
        times = timed(lambda steps=steps: replay(root, steps), repeats)
        view = views[name]
        # Listed before timing: the baselines pay for reading the files, not for finding them.
        needed = [(item, [p for _, p in input_files(view.folder, item, as_of, dates)])
                  for item in page_inputs([query for query, _, _ in calls])]  # fmt: skip

        def floor(needed=needed, view=view):
            for item, files in needed:
                bare_scan(floor_con, files, item.columns, view.township)

        floor_times = timed(floor, floor_repeats)
        timings.append(
            PageTiming(page, name, len(calls), statistics.median(times), percentile(times, 0.95),
                       statistics.median(floor_times))
        )  # fmt: skip
    duckdb_peak_mb = peak_memory_mb()

    for timing in timings:
        view = views[timing.view]
        needed = [(item, input_files(view.folder, item, as_of, dates))
                  for item in page_inputs([query for query, _, _ in recorded[(timing.page, timing.view)]])]  # fmt: skip

        def by_pandas(needed=needed, view=view):
            for item, files in needed:
                pandas_page(files, item.columns, view.township)

        # No warm-up: the files are in the OS cache already, and a nation-scale run takes tens of seconds.
        timing.pandas_median_ms = statistics.median(timed(by_pandas, pandas_repeats, warm_up=False))
    pandas_peak_mb = peak_memory_mb()

    checks = {}
    for name, view in views.items():
        ours = metrics.figures_by_snapshot(dates[0], as_of, view.places, root)["certified_workers"]
        theirs = pandas_certified_by_snapshot(view.folder, as_of, dates, view.township)
        checks[name] = ours.astype(int).to_dict() == theirs.to_dict()
    return {
        "store": str(root),
        "as_of": as_of.isoformat(),
        "snapshots": len(dates),
        "township": views["township"].township,
        "county": views["county"].scope,
        "rows": store_rows(root, as_of),
        "recording_s": recording_s,
        "duckdb_peak_mb": duckdb_peak_mb,
        "pandas_peak_mb": pandas_peak_mb,
        "pandas_agrees": checks,
        "repeats": {"pages": repeats, "bare_scan": floor_repeats, "pandas": pandas_repeats},
        "pages": [asdict(t) for t in timings],
    }


def store_rows(root: Path, as_of: date) -> dict[str, int]:
    """Counties, rows of the main registers at the as-of date, and Parquet bytes on disk for the whole store."""
    con = duckdb.connect()
    rows = {
        name: con.execute(
            "select count(*) from read_parquet($files)", {"files": [str(f) for f in files_of_date(root, as_of, name)]}
        ).fetchall()[0][0]
        for name in ("townships", "communities", "people", "posts", "activities")
    }
    rows["counties"] = len(county_folders(root)) or 1
    rows["store_mb"] = round(sum(p.stat().st_size for p in root.rglob("*.parquet")) / 2**20)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialwork.bench.runner")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--floor-repeats", type=int, default=5)
    parser.add_argument("--pandas-repeats", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure(args.data.resolve(), args.repeats, args.floor_repeats, args.pandas_repeats)
    json.dump(result, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
