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
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from socialwork.bench.synthetic import FIRST_PROVINCE, Progress, Scale, SyntheticCounty, snapshot_dates
from socialwork.data.contract.county_files import DIVISIONS
from socialwork.data.contract.tables import SNAPSHOT_PARTITION
from socialwork.data.storage import combined, divisions, identity
from socialwork.data.storage.layout import county_folder
from socialwork.data.storage.store import write_snapshot_tables

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


def copy_county(out: Path, source_code: str, code: str, name: str) -> str:
    """A county's store made from a drawn county's: the same files with the source's code replaced by code in every
    *_code column (townships, communities), so that the copy's rows are its own places; its code."""
    folder = county_folder(out, code)
    identity.write(folder, identity.new_county(name, code))
    for snapshot in sorted(county_folder(out, source_code).glob(f"{SNAPSHOT_PARTITION}=*")):
        staging = folder / f".copy-{snapshot.name}"
        staging.mkdir()
        for file in sorted(snapshot.glob("*.parquet")):
            row_group = pq.ParquetFile(file).metadata.row_group(0).num_rows  # as written: small for derived tables
            pq.write_table(_recoded(pq.read_table(file), source_code, code), staging / file.name,
                           row_group_size=max(row_group, 1))  # fmt: skip
        os.replace(staging, folder / snapshot.name)
    return code


def _recoded(table: pa.Table, source_code: str, code: str) -> pa.Table:
    for index, field in enumerate(table.schema):
        if field.name.endswith("_code") and pa.types.is_string(field.type):
            values = table.column(index)
            moved = pc.binary_join_element_wise(code, pc.utf8_slice_codeunits(values, len(code)), "")
            table = table.set_column(index, field, pc.if_else(pc.starts_with(values, source_code), moved, values))
    return table


def _run_all(pool: ProcessPoolExecutor, tasks: list[tuple], progress: Progress | None, total: int, before: int = 0):
    """Run (function, *arguments) tasks in the pool, counting them off; on a failure or Ctrl-C, tasks not started yet
    are not run."""
    futures = [pool.submit(*task) for task in tasks]
    try:
        for done, future in enumerate(as_completed(futures), before + 1):
            future.result()
            if progress:
                progress(done, total)
    finally:
        for future in futures:
            future.cancel()


def write_counties(out: Path, scale: Scale, progress: Progress | None = None) -> list[date]:
    """The divisions and one county=<code>/ store per county, counties written side by side in worker processes,
    then the combined monthly files."""
    rows = division_rows(scale)
    divisions.write(out, pd.DataFrame(rows, columns=list(DIVISIONS.column_names)))
    counties = [(code, name) for code, name, level, _ in rows if level == "county"]
    # Spawned, not forked: a fork copies the parent's DuckDB and pool threads' locks in whatever state they are. (So a
    # script that calls this needs the usual `if __name__ == "__main__":` guard.)
    drawn = counties[: scale.drawn_counties or len(counties)]
    with ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("spawn")) as pool:
        _run_all(pool, [(write_county, out, scale, code, name, SEED + k) for k, (code, name) in enumerate(drawn)],
                 progress, len(counties))  # fmt: skip
        copies = [(copy_county, out, drawn[k % len(drawn)][0], code, name) for k, (code, name) in
                  enumerate(counties[len(drawn):])]  # fmt: skip
        _run_all(pool, copies, progress, len(counties), before=len(drawn))
    combined.rebuild(out)
    return snapshot_dates(scale)
