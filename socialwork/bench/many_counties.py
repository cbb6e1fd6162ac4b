"""A synthetic store of many counties with the division hierarchy: a city, a province, or the nation (several
provinces). Its divisions table lists every province, city and county with its parent; each county is its own
county=<code>/ store, drawn by synthetic.SyntheticCounty and written through the import's write, counties side by side
in one worker process per core; the store then gets its combined monthly files.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.bench.synthetic import FIRST_PROVINCE, Progress, Scale, SyntheticCounty, snapshot_dates
from socialwork.data import combined, divisions, identity
from socialwork.data.contract import DIVISIONS
from socialwork.data.store import county_folder, write_snapshot_tables

CITY_CODE = "9901"  # a city's store: its one city
PROVINCE_CODE = "99"  # a province's store: its one province
SEED = 20261125  # the k-th county (in code order) draws with SEED + k


def division_rows(scale: Scale) -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent) of every province, city and county of a store of many counties, in code order:
    a city's store has no province; cities and counties are numbered through the store (基准12市, 基准120县)."""
    if scale.top == "city":
        provinces, cities = [], [CITY_CODE]
        rows = [(CITY_CODE, "基准测试市", "city", None)]
    else:
        one = scale.top == "province"
        provinces = [PROVINCE_CODE] if one else [f"{FIRST_PROVINCE + p}" for p in range(scale.provinces)]
        rows = [(code, "基准测试省" if one else f"基准{p + 1}省", "province", None) for p, code in enumerate(provinces)]
        cities = [f"{province}{k + 1:02d}" for province in provinces for k in range(scale.cities)]
        rows += [(code, f"基准{n + 1}市", "city", code[:2]) for n, code in enumerate(cities)]
    counties = [f"{city}{k + 1:02d}" for city in cities for k in range(scale.counties)]
    rows += [(code, f"基准{n + 1}县", "county", code[:4]) for n, code in enumerate(counties)]
    return sorted(rows)


def write_county(out: Path, scale: Scale, code: str, name: str, seed: int) -> str:
    """One county's own store under out (county.json and every snapshot, each through the import's write); its code."""
    folder = county_folder(out, code)
    identity.write(folder, identity.new_county(name, code))
    county = SyntheticCounty(scale, seed=seed, county_code=code)
    for i, on in enumerate(county.dates):
        write_snapshot_tables(folder, on, county.snapshot(i))
    return code


def write_counties(out: Path, scale: Scale, progress: Progress | None = None) -> list[date]:
    """The divisions and one county=<code>/ store per county, counties written side by side in worker processes,
    then the combined monthly files."""
    rows = division_rows(scale)
    divisions.write(out, pd.DataFrame(rows, columns=list(DIVISIONS.column_names)))
    counties = [(code, name) for code, name, level, _ in rows if level == "county"]
    # Spawned, not forked: a fork copies the parent's DuckDB and pool threads' locks in whatever state they are. (So a
    # script that calls this needs the usual `if __name__ == "__main__":` guard.)
    with ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(write_county, out, scale, code, name, SEED + k) for k, (code, name) in
                   enumerate(counties)]  # fmt: skip
        try:
            for done, future in enumerate(as_completed(futures), 1):
                future.result()
                if progress:
                    progress(done, len(futures))
        finally:  # on a failure or Ctrl-C, counties not started yet are not written
            for future in futures:
                future.cancel()
    combined.rebuild(out)
    return snapshot_dates(scale)
