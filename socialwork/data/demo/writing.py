"""`python -m socialwork demo`: the demo store written whole (snapshots, county, follow-ups, outlines)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.demo import shapes
from socialwork.data.demo.county import DemoCounty
from socialwork.data.demo.followups import write_demo_followups
from socialwork.data.demo.reporting import write_demo_round, write_demo_users
from socialwork.data.demo.story import COUNTY_CODE, DEMO_COUNTY, FIRST_SNAPSHOT, LAST_SNAPSHOT, month_ends
from socialwork.data.maps import boundaries
from socialwork.data.storage import identity
from socialwork.data.storage.layout import DEMO_MARKER, DEMO_USERS_FILE, StoreError
from socialwork.data.storage.store import snapshot_dates, write_snapshot


def write_demo(out: Path) -> list[date]:
    """Write the demo county's snapshots into `out`, which must be empty or a previous demo."""
    if out.exists() and any(out.iterdir()) and not (out / DEMO_MARKER).exists():
        raise StoreError(f"目录 {out} 不是空目录，也不是演示数据目录；为免覆盖真实数据，已停止")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / DEMO_MARKER).write_text("Written by `python -m socialwork demo`; safe to regenerate.\n")
    identity.write(out, DEMO_COUNTY)
    county = DemoCounty()
    dates = month_ends(FIRST_SNAPSHOT, LAST_SNAPSHOT)
    for on in dates:
        write_snapshot(out, on, county.snapshot(on))
    codes = {t["name"]: t["code"] for t in county.townships}
    write_demo_followups(out / FOLLOWUP_FILE, codes)
    write_demo_round(f"sqlite:///{out / FOLLOWUP_FILE}", out, codes)
    write_demo_users(out / DEMO_USERS_FILE)
    write_demo_boundaries(out, county.townships)
    return snapshot_dates(out)


def write_demo_boundaries(out: Path, townships: list[dict]) -> dict:
    """The demo's synthetic township outlines (shapes.py), checked and stored as any county's are (under the
    source name they were first written with, demo_shapes.py, so the committed demo stays the same)."""
    return boundaries.store(shapes.demo_geojson(townships), out, COUNTY_CODE, "wgs84", "demo_shapes.py",
                            stamp=f"{LAST_SNAPSHOT.isoformat()}T00:00:00+00:00")  # fmt: skip
