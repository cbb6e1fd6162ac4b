"""A synthetic store written for the benchmark: one county (synthetic.py draws it) or many counties
(many_counties.py, side by side), with the marker that says it is synthetic, of which scale, and complete."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from socialwork.bench import many_counties
from socialwork.bench.synthetic import Progress, Scale, SyntheticCounty
from socialwork.data.storage import identity
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.store import write_snapshot_tables

MARKER = "SYNTHETIC"
COMPLETE = "complete"  # the marker's last line once every snapshot is written


def write_store(out: Path, scale: Scale, progress: Progress | None = None) -> list[date]:
    """Write every snapshot of a synthetic store into out (emptied first if it holds one already)."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise StoreError(f"目录 {out} 不是空目录，也不是基准测试数据目录；为免覆盖真实数据，已停止")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text(f"{scale}\nWritten by `python -m socialwork bench`; safe to regenerate.\n")
    if scale.county_count > 1:
        dates = many_counties.write_counties(out, scale, progress)
    else:
        dates = write_county_store(out, scale, progress)
    with (out / MARKER).open("a") as marker:  # an interrupted build (some counties written, not all) lacks it
        marker.write(f"{COMPLETE}\n")
    return dates


def is_complete(out: Path, scale: Scale) -> bool:
    """Whether out holds a synthetic store of this scale whose writing finished."""
    marker = out / MARKER
    lines = marker.read_text().splitlines() if marker.is_file() else []
    return lines[:1] == [str(scale)] and COMPLETE in lines


def write_county_store(out: Path, scale: Scale, progress: Progress | None = None) -> list[date]:
    """A single county's store (township codes beginning with 9, one county.json)."""
    identity.write(out, identity.new_county("基准测试县", "990000"))
    county = SyntheticCounty(scale)
    for i, on in enumerate(county.dates):
        write_snapshot_tables(out, on, county.snapshot(i))
        if progress:
            progress(i + 1, len(county.dates))
    return county.dates
