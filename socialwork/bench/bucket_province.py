"""A store of many counties served from a bucket, measured as deployed, on a SeaweedFS started for the purpose.

    python -m socialwork.bench.bucket_province --store /path/to/province [--repeats 5] [--sessions 20,40,80]

The store (a folder store of many counties, e.g. `bench`'s synthetic city or province) is published county by county
with publish_store (what `publish --to` runs: each county's snapshots, then the combined months), and then measured:

- publishing, the bucket's objects and bytes, a new server's first local copy;
- every page's queries, recorded as `bench` records them (the whole store, its first county, a township), replayed
  with the result cache bypassed from the folder and from the bucket's local copy, in the same run;
- opening the store (a new connection over every month) from the folder and from the copy;
- a version check with nothing new: the bucket's requests and milliseconds;
- one county publishing its latest month again (as the round's last county does: the month is then recombined over
  every county) while another server (a process with its own SOCIALWORK_CACHE) waits for it: how long until that
  server's province view reads it, opening the store here right after, and `combine` then;
- with `--sessions`, `load` against 2 replicas serving the store from the bucket (bucket_province_load.py).

Every figure is recorded with the machine's 1-minute load average: other work shares the cores. The tables go to
docs/performance.md, section `bucket-<top>` (city, province).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from socialwork.bench import bucket_province_load, sections
from socialwork.bench.runner import PAGES, distinct_calls, record_page_queries, replay, replay_steps, views_of
from socialwork.data import settings
from socialwork.data.contract.tables import TABLES
from socialwork.data.storage import bucket_combined, bucket_counties, combined, layout, store
from socialwork.data.storage.location import Bucket, client
from socialwork.data.storage.publishing import publish_store
from socialwork.figures import db, hierarchy
from socialwork.figures.place_filter import Places

TARGET_MS = {"county": 50, "township": 50, "city": 100, "province": 100, "nation": 300}
OUT = settings.REPO_ROOT / "docs" / "performance.md"


def load_now() -> float:
    return os.getloadavg()[0]


class Log:
    """Figures as they are measured, each with the load average at its end; printed as they come."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float]] = []

    def add(self, what: str, value: str) -> None:
        self.rows.append((what, value, load_now()))
        print(f"{what}: {value} (load {load_now():.1f})", file=sys.stderr, flush=True)


def timed_s(action) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def requests_during(action) -> tuple[Any, list[str]]:
    """What the bucket was asked while action ran: one operation name per request."""
    asked: list[str] = []
    events = client().meta.events

    def count(model, **_):
        asked.append(model.name)

    events.register("before-call.s3", count)
    try:
        return action(), asked
    finally:
        events.unregister("before-call.s3", count)


def bucket_size(bucket: Bucket) -> tuple[int, int]:
    """Objects and bytes under the store's prefix."""
    count = size = 0
    for page in client().get_paginator("list_objects_v2").paginate(Bucket=bucket.bucket, Prefix=bucket.prefix + "/"):
        for item in page.get("Contents", []):
            count, size = count + 1, size + item["Size"]
    return count, size


def publish(local: Path, bucket: Bucket, log: Log) -> None:
    """publish_store as `publish --to` runs it, the counties' part and the combining at its end timed apart."""
    start = time.perf_counter()
    combining_from = None
    for line in publish_store(local, bucket):
        if line.startswith("已把"):  # every county published; the combined months follow
            combining_from = time.perf_counter()
            log.add("publish --to: every county's snapshots", f"{combining_from - start:.0f} s")
    end = time.perf_counter()
    log.add("publish --to: then combining every month", f"{end - (combining_from or start):.0f} s")
    objects, size = bucket_size(bucket)
    log.add("the bucket: objects, bytes", f"{objects:,} objects, {size / 1e6:,.0f} MB")


def page_views(local: Path, bucket: Bucket, repeats: int, pages: tuple[str, ...]) -> dict[tuple[str, str], dict]:
    """Median ms of each page view replayed from the folder and from the bucket's copy, alternately."""
    os.environ[settings.DATA_DIR_ENV] = str(local)
    db.clear_cache()
    as_of = store.snapshot_dates(local)[-1]
    result = {}
    for view in views_of(local, as_of):
        for page in pages:
            steps = replay_steps(distinct_calls(record_page_queries(page, view.township_name, view.scope)))
            times: dict[str, list[float]] = {"local": [], "copy": []}
            for root in (local, bucket, local, bucket):
                replay(root, steps)  # warm: each mode's connection open, the OS cache full
            for _ in range(repeats):
                for mode, root in (("local", local), ("copy", bucket)):
                    _, seconds = timed_s(lambda r=root, s=steps: replay(r, s))
                    times[mode].append(seconds * 1000)
            result[(page, view.name)] = {m: statistics.median(t) for m, t in times.items()} | {"load": load_now()}
            print(f"  {page} {view.name}: {result[(page, view.name)]}", file=sys.stderr, flush=True)
    return result


def open_s(root: Any, repeats: int = 3) -> float:
    """Median seconds to open the store (list it, build its views) with nothing cached in this process."""
    times = []
    for _ in range(repeats):
        db.clear_cache()
        times.append(timed_s(lambda: db.open_store(root))[1])
    return statistics.median(times)


def version_check(bucket: Bucket, log: Log) -> None:
    """A version check with nothing new, five times a second apart (past the listings' one-second reuse)."""
    bucket_counties.version(bucket)
    asked, times = [], []
    for _ in range(5):
        time.sleep(1.1)
        (_, seconds), asked = requests_during(lambda: timed_s(lambda: bucket_counties.version(bucket)))
        times.append(seconds * 1000)
    kinds = ", ".join(f"{asked.count(k)} {k}" for k in sorted(set(asked)))
    log.add(
        "a version check with nothing new",
        f"{len(asked)} request(s) ({kinds}), median {statistics.median(times):.0f} ms",
    )


def first_copy_s(bucket: Bucket, cache: Path) -> float:
    """Seconds a process with an empty local copy takes to list the store and copy every published file."""
    code = f"from socialwork.data.storage import location, store; store.snapshot_dates(location.parse({str(bucket)!r}))"
    env = os.environ | {settings.CACHE_DIR_ENV: str(cache)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=settings.REPO_ROOT)
    seconds = time.perf_counter() - start
    shutil.rmtree(cache, ignore_errors=True)
    return seconds


def copy_cache(source: Path, target: Path) -> None:
    """Another server's local copy made from this one's (hard links; the copy's links are relative)."""
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)


def republish_latest(local: Path, bucket: Bucket, code: str) -> date:
    """The county publishes its latest month again (its own files read back from the folder), as a new version."""
    on = store.snapshot_dates(layout.county_folder(local, code))[-1]
    folder = layout.snapshot_folder(layout.county_folder(local, code), on)
    tables = {t.name: pq.read_table(folder / f"{t.name}.parquet") for t in TABLES}
    store.write_snapshot_tables(layout.county_store(bucket, code), on, tables, replace=True)
    return on


def watch(bucket: Bucket, on: date, code: str) -> None:
    """Another server: open the store, say so, then rerun as a page does (the store's version checked at the app's
    pace) until the county's new snapshot of `on` is what the province view reads; print when, as JSON."""
    _, opening = timed_s(lambda: db.open_store(bucket))
    before = combined.listing(layout.local_root(bucket)).snapshots[on][code]
    print(json.dumps({"ready": opening}), flush=True)
    version = db.current_version(bucket)
    while True:
        time.sleep(0.2)
        if db.current_version(bucket) == version:
            continue
        version = db.current_version(bucket)
        reporting, view_s = timed_s(lambda: hierarchy.reporting(on, Places.everywhere(), bucket))
        if combined.listing(layout.local_root(bucket)).snapshots[on][code] != before:
            print(json.dumps({"seen": time.time(), "view_s": view_s, "missing": len(reporting.missing_names)}),
                  flush=True)  # fmt: skip
            return


def new_month(local: Path, bucket: Bucket, cache: Path, log: Log) -> None:
    """One county's month again: seen by another server, opening here, combining."""
    code = next(iter(layout.county_folders(local)))
    on = store.snapshot_dates(local)[-1]
    other = cache.with_name("other-server")
    copy_cache(cache, other)
    env = os.environ | {settings.CACHE_DIR_ENV: str(other)}
    watcher = subprocess.Popen([sys.executable, "-m", "socialwork.bench.bucket_province", "--watch", str(bucket),
                                "--county", code, "--as-of", on.isoformat()], env=env, stdout=subprocess.PIPE,
                               text=True, cwd=settings.REPO_ROOT)  # fmt: skip
    try:
        ready = json.loads(watcher.stdout.readline())
        log.add("another server opening the store (its copy up to date)", f"{ready['ready']:.1f} s")
        _, seconds = timed_s(lambda: republish_latest(local, bucket, code))
        published = time.time()
        log.add(f"county {code} publishing {on} again (12 files and a manifest)", f"{seconds:.1f} s")
        seen = json.loads(watcher.stdout.readline())
        log.add("publication to its figures in the whole store's view on another server",
                f"{seen['seen'] - published:.1f} s (the view itself {seen['view_s']:.1f} s)")  # fmt: skip
    finally:
        watcher.wait(timeout=600)
    db.clear_cache()
    log.add("opening the store from the copy right after (the month read from the counties' files)",
            f"{timed_s(lambda: db.open_store(bucket))[1]:.1f} s")  # fmt: skip
    log.add("… again (median of 3)", f"{open_s(bucket):.1f} s")
    done, seconds = timed_s(lambda: bucket_combined.combine(bucket))
    log.add("combine after it", f"{seconds:.1f} s ({len(done.written)} month(s) written, {len(done.current)} current)")
    db.clear_cache()
    log.add("opening the store from the copy once combined (median of 3)", f"{open_s(bucket):.1f} s")


def measure(local: Path, bucket: Bucket, cache: Path, repeats: int, pages: tuple[str, ...], log: Log) -> dict:
    publish(local, bucket, log)
    log.add("a new server's first local copy (another process, an empty SOCIALWORK_CACHE)",
            f"{first_copy_s(bucket, cache.with_name('first-copy')):.0f} s")  # fmt: skip
    store.snapshot_dates(bucket)  # this process's copy (publish_store's combining made it) up to date
    log.add("opening the store from the folder (median of 3)", f"{open_s(local):.1f} s")
    log.add("opening the store from the bucket's copy (median of 3)", f"{open_s(bucket):.1f} s")
    version_check(bucket, log)
    return page_views(local, bucket, repeats, pages)


def markdown(local: Path, log: Log, pages: dict, repeats: int, crowd: str) -> str:
    top = next(name for _, name in pages) if pages else "store"
    lines = [
        f"## A store of many counties served from a bucket: {top} (`python -m socialwork.bench.bucket_province`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} UTC on {os.cpu_count()} cores shared with other developers' work "
        f"(the 1-minute load average is given with every figure); store `{local}`; SeaweedFS on loopback.",
        "",
        "| what | measured | load |",
        "|---|---|---:|",
        *(f"| {what} | {value} | {load:.1f} |" for what, value, load in log.rows),
        "",
        f"Page views, median of {repeats} replays each with the result cache bypassed (ms), folder and bucket copy "
        "alternately in one process:",
        "",
        "| page | view | folder | bucket's copy | target | load |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (page, view), ms in pages.items():
        target = TARGET_MS.get(view, 0)
        mark = "" if ms["copy"] <= target else " ⚠"
        lines.append(
            f"| {page} | {view} | {ms['local']:.0f} | {ms['copy']:.0f}{mark} | ≤ {target} | {ms['load']:.1f} |"
        )
    for view in dict.fromkeys(v for _, v in pages):
        of_view = [ms for (_, v), ms in pages.items() if v == view]
        local_p50 = statistics.median(ms["local"] for ms in of_view)
        copy_p50 = statistics.median(ms["copy"] for ms in of_view)
        lines.append(f"| **p50 of the {len(of_view)} pages** | {view} | **{local_p50:.0f}** | **{copy_p50:.0f}** | "
                     f"≤ {TARGET_MS.get(view, 0)} | |")  # fmt: skip
    return "\n".join(lines) + "\n" + crowd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialwork.bench.bucket_province")
    parser.add_argument("--store", type=Path, help="a folder store of many counties")
    parser.add_argument("--work", type=Path, help="SeaweedFS's data and the local copies (default: a temporary one)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--sessions", default="20,40,80", help="load crowds against 2 replicas; '' for none")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; docs/performance.md untouched")
    parser.add_argument("--watch", help=argparse.SUPPRESS)  # another server (new_month's subprocess)
    parser.add_argument("--county", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.watch:
        from socialwork.data.storage import location

        watch(location.parse(args.watch), date.fromisoformat(args.as_of), args.county)
        return 0
    local, log = args.store.resolve(), Log()
    with ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="socialwork-province-")))
        from socialwork.bench import seaweed

        server = stack.enter_context(seaweed.running(work / "seaweedfs", ("socialwork",)))
        os.environ.update(server.environment())
        cache = work / "cache"
        os.environ[settings.CACHE_DIR_ENV] = str(cache)
        bucket = Bucket("socialwork", local.name)
        pages = measure(local, bucket, cache, args.repeats, tuple(args.pages.split(",")), log)
        crowd = ""
        sessions = [int(n) for n in args.sessions.split(",") if n]
        if sessions:
            crowd = bucket_province_load.measure(bucket, cache, work, sessions, args.reruns, server.environment())
        new_month(local, bucket, cache, log)
    text = markdown(local, log, pages, args.repeats, crowd)
    print(text)
    if not args.no_write:
        top = next(name for _, name in pages) if pages else "store"
        old = OUT.read_text(encoding="utf-8")
        OUT.write_text(sections.put(old, f"bucket-{top}", text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
