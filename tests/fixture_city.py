"""A city of two small counties in one store, each the fixture county (tests/fixture_county.py) under its own codes.

测试市 (9999): 甲县 (999901) is the fixture county as it is; 乙县 (999902) is the fixture county without p1 and p2 (so
its 甲街道's 甲一社区 has no certified worker), with goals of its own (net increase > 10, one organisation) and no
snapshot of 2024-11-30: that month it has not reported. The divisions table also lists a township of 乙县, 辛乡
(999902301), that 乙县's snapshots never hold: it is reported missing whenever 乙县 reports.

Each county is also written as a store of its own (write_county_store), read through the single-county code path:
the city's figures are checked against those.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data.storage import combined, divisions, identity
from socialwork.data.storage.layout import county_folder
from socialwork.data.storage.store import write_snapshot
from tests import fixture_county

CITY, COUNTY_A, COUNTY_B = "9999", "999901", "999902"
NAMES = {CITY: "测试市", COUNTY_A: "甲县", COUNTY_B: "乙县"}
MISSING_MONTH = date(2024, 11, 30)  # 乙县 has not reported it
BOTH = date(2025, 3, 31)
LISTED_ONLY = "999902301"  # 辛乡: in the divisions table, never in 乙县's snapshots
B_DROPS = {"p1", "p2"}
# Queries that find nothing in a single county's store (no city targets, no divisions listing townships).
EMPTY_IN_ONE_COUNTY = {"kpi/division_targets_for_year", "places/townships_reporting"}
B_GOALS = {"certified_net_increase": 10.0, "active_organisations": 1.0}


def _recoded(frame: pd.DataFrame, county: str) -> pd.DataFrame:
    """The fixture's frame with its county code 999999 replaced in every code column."""
    out = frame.copy()
    for column in out.columns:
        if column.endswith("_code") and column != "urban_rural_code":
            out[column] = out[column].map(lambda v: county + v[6:] if isinstance(v, str) else v)
    return out


def county_snapshot(county: str, on: date) -> dict[str, pd.DataFrame]:
    """One month of one county of the city."""
    frames = {name: _recoded(frame, county) for name, frame in fixture_county.snapshot(on).items()}
    if county == COUNTY_B:
        frames["people"] = frames["people"][~frames["people"]["person_id"].isin(B_DROPS)].reset_index(drop=True)
        targets = frames["targets"]
        for key, goal in B_GOALS.items():
            targets.loc[targets["metric_key"] == key, "goal_value"] = goal
    return frames


def county_dates(county: str) -> list[date]:
    return [on for on in fixture_county.SNAPSHOTS if not (county == COUNTY_B and on == MISSING_MONTH)]


def divisions_frame() -> pd.DataFrame:
    rows = [
        (CITY, NAMES[CITY], "city", None),
        (COUNTY_A, NAMES[COUNTY_A], "county", CITY),
        (COUNTY_B, NAMES[COUNTY_B], "county", CITY),
        (LISTED_ONLY, "辛乡", "township", COUNTY_B),
    ]
    return pd.DataFrame(rows, columns=["division_code", "division_name", "division_level", "parent_code"])


def write_county_store(root: Path, county: str) -> Path:
    """One county of the city as a single county's store."""
    identity.write(root, identity.new_county(NAMES[county], county))
    for on in county_dates(county):
        write_snapshot(root, on, county_snapshot(county, on))
    return root


def write_city_store(root: Path, combine: bool = True) -> Path:
    """The city: divisions.parquet and one county folder per county, and (unless combine is False) its combined
    months, as after each county's import (socialwork/data/storage/combined.py)."""
    divisions.write(root, divisions_frame())
    for county in (COUNTY_A, COUNTY_B):
        write_county_store(county_folder(root, county), county)
    if combine:
        combined.rebuild(root)
    return root


def kpis_json(capsys, data, on: date, scope: str | None = None) -> dict:
    """What `python -m socialwork kpis --json` prints for a store (a folder or a bucket) at a month and scope."""
    from socialwork import cli

    args = ["kpis", "--as-of", on.isoformat(), "--json", "--data", str(data), *(["--scope", scope] if scope else [])]
    assert cli.main(args) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)
