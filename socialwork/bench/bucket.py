"""What reading a store from a bucket costs against the same store on disk, on a SeaweedFS started for the purpose.

    python -m socialwork.bench.bucket [--data data/demo] [--repeats 10]

The store is published to the bucket (publish_store), every page's queries are recorded as `bench` records them
(county view and one township), and each page view's queries are replayed, result cache bypassed, reading:

- local: the folder itself;
- copy: the bucket through this server's local copy of the published files (what the app does);
- direct: the bucket's objects on every query, through pyarrow's S3 filesystem registered with DuckDB (fsspec's
  ArrowFSWrapper), the same views built from the same manifests' files.

Each mode is measured twice: as the app runs a county (every table copied into memory when the store is opened)
and with every register left in its Parquet files (IN_MEMORY_MAX_ROWS = 0, as for a province or the nation), where
each query reads the files. Opening the store (building the views) is timed too: for the copy, with an empty
local copy (a new server) and a full one. Prints one Markdown report (docs/object-storage.md keeps the last).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from socialwork.bench import seaweed
from socialwork.bench.runner import PAGES, distinct_calls, record_page_queries, replay, replay_steps, timed
from socialwork.data import settings
from socialwork.data.storage import location
from socialwork.data.storage import store as store_module
from socialwork.data.storage.location import Bucket
from socialwork.data.storage.publishing import publish_store
from socialwork.figures import db, store_views

MODES = ("local", "copy", "direct")


def s3_filesystem() -> Any:
    """pyarrow's S3 filesystem for the environment's endpoint and keys, wrapped for DuckDB's register_filesystem."""
    from fsspec.implementations.arrow import ArrowFSWrapper
    from pyarrow import fs

    endpoint = os.environ[location.ENDPOINT_ENV]
    scheme, _, host = endpoint.partition("://")
    arrow = fs.S3FileSystem(
        access_key=os.environ[location.KEY_ENV], secret_key=os.environ[location.SECRET_ENV],
        region=os.environ.get(location.REGION_ENV, location.DEFAULT_REGION), endpoint_override=host, scheme=scheme,
    )  # fmt: skip

    class S3Wrapper(ArrowFSWrapper):
        protocol = ("s3",)  # the prefix DuckDB hands to this filesystem (the wrapper's own is pyarrow's type name)

    return S3Wrapper(arrow)


@contextmanager
def reading_directly(bucket: Bucket):
    """While the block runs, the store's views read the bucket's objects (s3:// paths), not the local copy."""
    from socialwork.data.storage import objectstore

    filesystem, original_files, original_connection = s3_filesystem(), store_module.snapshot_files, db._new_connection

    def files(root):
        if root != bucket:
            return original_files(root)
        published = objectstore.published(root).snapshots
        return {d: {t: f"s3://{root.bucket}/{root.key(p)}" for t, p in m.files.items()} for d, m in published.items()}

    def connection():
        con = original_connection()
        con.register_filesystem(filesystem)
        return con

    store_module.snapshot_files, db._new_connection = files, connection
    try:
        yield
    finally:
        store_module.snapshot_files, db._new_connection = original_files, original_connection


def open_ms(root: Any, repeats: int, before: Any = None) -> float:
    """Median milliseconds to open the store (list it, build its tables and views) from nothing cached."""
    times = []
    for _ in range(repeats):
        db.clear_cache()
        if before:
            before()
        start = time.perf_counter()
        db.open_store(root)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(local: Path, bucket: Bucket, repeats: int) -> dict[str, Any]:
    """Page-view medians (ms) by mode and memory policy, and the time to open the store."""
    os.environ[settings.DATA_DIR_ENV] = str(local)
    township = db.run("places/townships_at_snapshot", data=local, snapshot_date=store_module.snapshot_dates(local)[-1])
    views = {"county": None, "township": str(township["township_name"].iloc[0])}
    steps = {(p, v): replay_steps(distinct_calls(record_page_queries(p, t))) for p in PAGES for v, t in views.items()}
    roots = {"local": local, "copy": bucket, "direct": bucket}
    result: dict[str, Any] = {"pages": {}, "open": {}}
    original = store_views.IN_MEMORY_MAX_ROWS
    for policy, limit in (("memory", original), ("files", 0)):
        store_views.IN_MEMORY_MAX_ROWS = limit
        for mode in MODES:
            with ExitStack() as stack:
                if mode == "direct":
                    stack.enter_context(reading_directly(bucket))
                db.clear_cache()
                root = roots[mode]
                for key, page_steps in steps.items():
                    ms = statistics.median(timed(lambda r=root, s=page_steps: replay(r, s), repeats))
                    result["pages"].setdefault(policy, {}).setdefault(key, {})[mode] = ms
                result["open"][(policy, mode)] = open_ms(root, 3)
                if mode == "copy":
                    empty = lambda: shutil.rmtree(settings.cache_dir(bucket), ignore_errors=True)  # noqa: E731
                    result["open"][(policy, "copy, a new server")] = open_ms(root, 3, empty)
    store_views.IN_MEMORY_MAX_ROWS = original
    return result


def markdown(result: dict[str, Any], store: Path, repeats: int) -> str:
    """The medians as tables: every page view, then the sums and ratios, then opening the store."""
    lines = [
        f"Store: `{store}` published to SeaweedFS on loopback; medians of {repeats} replays per page view, ms.",
        "",
    ]
    labels = {"memory": "as the app runs a county (tables in memory)",
              "files": "every register read from its files on each query (a province's way)"}  # fmt: skip
    for policy, label in labels.items():
        pages = result["pages"][policy]
        lines += [
            f"#### {label}",
            "",
            "| page | view | local | copy | direct | direct ÷ local |",
            "|---|---|---|---|---|---|",
        ]
        for (page, view), ms in pages.items():
            ratio = ms["direct"] / ms["local"]
            lines.append(
                f"| {page} | {view} | {ms['local']:.1f} | {ms['copy']:.1f} | {ms['direct']:.1f} | {ratio:.1f}× |"
            )
        sums = {mode: sum(ms[mode] for ms in pages.values()) for mode in MODES}
        lines.append(
            f"| **all {len(pages)} page views** | | **{sums['local']:.0f}** | **{sums['copy']:.0f}** "
            f"| **{sums['direct']:.0f}** | **{sums['direct'] / sums['local']:.1f}×** |"
        )
        lines.append("")
    lines += ["#### opening the store (listing it, building its tables and views; median of 3)", "",
              "| tables | mode | ms |", "|---|---|---|"]  # fmt: skip
    lines += [f"| {policy} | {mode} | {ms:.0f} |" for (policy, mode), ms in result["open"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialwork.bench.bucket")
    parser.add_argument("--data", type=Path, default=settings.DEMO_DATA_DIR)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="socialwork-bucket-bench-")))
        server = stack.enter_context(seaweed.running(folder / "seaweedfs", ("socialwork",)))
        os.environ.update(server.environment())
        os.environ[settings.CACHE_DIR_ENV] = str(folder / "cache")
        bucket = Bucket("socialwork", "bench")
        list(publish_store(args.data.resolve(), bucket))
        result = measure(args.data.resolve(), bucket, args.repeats)
    print(markdown(result, args.data, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
