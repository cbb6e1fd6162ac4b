"""Derived tables written with each snapshot (contract.DERIVED_TABLES), from that snapshot's own files.

Pages then sum a few rows per township and date instead of scanning every register at every date:
that is what keeps a province or the nation within the page-time targets (docs/performance.md).
Each derived table is computed by queries/aggregates/<name>.sql over views named like the contract
tables, and cast to the contract's schema, so a query that drifts from the contract fails loudly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from socialwork.data import settings
from socialwork.data.contract.plan_figures import ADDITIVE_FIGURES
from socialwork.data.contract.schema import Table
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.data.contract.tables import DERIVED_TABLES, TABLES, TOWNSHIP_FIGURES
from socialwork.data.generate.figure_sql import figure_reads

AGGREGATES_FOLDER = "aggregates"  # queries/aggregates/*.sql: run here at write time, never by pages
_CONTRACT = {table.name: table for table in TABLES + DERIVED_TABLES}
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


class AggregateError(Exception):
    """A derived table that could not be computed, worded in Chinese."""


# Small row groups let a filter on the column a file is sorted by skip the rest of the file by its min/max
# statistics: township_figures is sorted by township, community_staffing by need_rank (docs/performance.md).
ROW_GROUP_ROWS = 2048


def query_name(table: Table) -> str:
    return f"{AGGREGATES_FOLDER}/{table.name}"


def write_derived(folder: Path, as_of: date) -> None:
    """Compute and write the derived tables beside the snapshot's contract tables, in contract order:
    a later one may read an earlier one (township_figures reads community_staffing)."""
    files = {table.name: folder / f"{table.name}.parquet" for table in TABLES}
    schemas = {name: set(pq.read_schema(path).names) for name, path in files.items()}
    absent = {name: set(_CONTRACT[name].column_names) - names for name, names in schemas.items()}
    params = {"snapshot_date": as_of, "min_certified": URBAN_COMMUNITY_MIN_CERTIFIED}
    # One connection for the snapshot: opening one per derived table cost more than the queries on a county's data.
    with _snapshot_connection(files, schemas) as con:
        for table in DERIVED_TABLES:
            result = _run(con, query_name(table), folder, params)
            result = result.select(list(table.column_names))
            if table is TOWNSHIP_FIGURES:
                result = without_data(result, {name: columns for name, columns in absent.items() if columns})
            result = result.cast(table.arrow_schema())
            partial = folder / f".{table.name}.parquet.partial"
            pq.write_table(result, partial, row_group_size=ROW_GROUP_ROWS)
            os.replace(partial, folder / f"{table.name}.parquet")
            _add_view(con, table.name, folder / f"{table.name}.parquet", set(table.column_names))


def without_data(figures: pa.Table, absent: dict[str, set[str]]) -> pa.Table:
    """Township figures counting a column the snapshot lacks, emptied: no data at that date, not 0."""
    for figure in ADDITIVE_FIGURES:
        if any(columns & absent.get(table, set()) for table, columns in figure_reads(figure).items()):
            index = figures.schema.get_field_index(figure.key)
            empty = pa.nulls(figures.num_rows, figures.schema.field(index).type)
            figures = figures.set_column(index, figure.key, empty)
    return figures


_shared: list[duckdb.DuckDBPyConnection] = []


def _database() -> duckdb.DuckDBPyConnection:
    """One in-memory database per process: a cursor on it (its own connection, its temporary views its own, so
    threads writing two snapshots at once never see each other's) opens far faster than a new database."""
    if not _shared:
        con = duckdb.connect()
        con.execute("set enable_progress_bar = false")
        _shared.append(con)
    return _shared[0]


@contextmanager
def _snapshot_connection(files: dict[str, Path], schemas: dict[str, set[str]]) -> Iterator[duckdb.DuckDBPyConnection]:
    con = _database().cursor()
    try:
        con.execute("set enable_progress_bar = false")
        for table, path in files.items():
            _add_view(con, table, path, schemas[table])
        yield con
    finally:
        con.close()


def _add_view(con: duckdb.DuckDBPyConnection, table: str, path: Path, present: set[str]) -> None:
    """A view of one snapshot's file of a table; contract columns the file lacks read as NULL."""
    quoted = str(path).replace("'", "''")  # a path of ours, never a value from a user; quotes escaped all the same
    nulls = "".join(f", null::{c.type} as {c.name}" for c in _CONTRACT[table].columns if c.name not in present)
    source = f"read_parquet('{quoted}', hive_partitioning = false)"
    con.execute(f"create or replace temp view {table} as select *{nulls} from {source}")


def _run(con: duckdb.DuckDBPyConnection, name: str, folder: Path, params: dict[str, Any]) -> pa.Table:
    sql = (settings.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    wanted = set(_PARAMETER.findall("\n".join(line.split("--", 1)[0] for line in sql.splitlines())))
    try:
        return con.sql(sql, params={k: v for k, v in params.items() if k in wanted}).to_arrow_table()
    except duckdb.Error as err:
        raise AggregateError(f"汇总查询 {name} 执行失败（文件夹 {folder}）：{err}") from err
