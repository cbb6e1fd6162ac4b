"""Derived tables written with each snapshot (contract.DERIVED_TABLES), from that snapshot's own files.

Pages then sum a few rows per township and date instead of scanning every register at every date:
that is what keeps a province or the nation within the page-time targets (docs/performance.md).
Each derived table is computed by queries/aggregates/<name>.sql over views named like the contract
tables, and cast to the contract's schema, so a query that drifts from the contract fails loudly.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from socialwork import db
from socialwork.contract import DERIVED_TABLES, TABLES, URBAN_COMMUNITY_MIN_CERTIFIED, Table

AGGREGATES_FOLDER = db.AGGREGATES_FOLDER
# Small row groups let a filter on the column a file is sorted by skip the rest of the file by its min/max
# statistics: township_figures is sorted by township, community_staffing by need_rank (docs/performance.md).
ROW_GROUP_ROWS = 2048


def query_name(table: Table) -> str:
    return f"{AGGREGATES_FOLDER}/{table.name}"


def write_derived(folder: Path, as_of: date) -> None:
    """Compute and write the derived tables beside the snapshot's contract tables, in contract order:
    a later one may read an earlier one (township_figures reads community_staffing)."""
    files = {table.name: folder / f"{table.name}.parquet" for table in TABLES}
    params = {"snapshot_date": as_of, "min_certified": URBAN_COMMUNITY_MIN_CERTIFIED}
    for table in DERIVED_TABLES:
        result = db.run_on_files(query_name(table), files, **params)
        result = result.select(list(table.column_names)).cast(table.arrow_schema())
        partial = folder / f".{table.name}.parquet.partial"
        pq.write_table(result, partial, row_group_size=ROW_GROUP_ROWS)
        files[table.name] = folder / f"{table.name}.parquet"
        os.replace(partial, files[table.name])
