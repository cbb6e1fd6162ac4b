"""The store's tables and views on a connection (figures/db.py opens it): every contract and derived table over its
snapshot files, small ones held in memory, and the enum labels and divisions beside them."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd

from socialwork.data.contract.county_files import COUNTY_PARTITION, DIVISIONS
from socialwork.data.contract.schema import CONTRACT_VERSION, VERSION_KEY, Table
from socialwork.data.contract.tables import DERIVED_TABLES, ENUMS, SNAPSHOT_PARTITION, TABLES
from socialwork.data.storage import combined, divisions, identity, store
from socialwork.data.storage.layout import StoreError, county_folder, is_multi_county
from socialwork.data.storage.location import Location


def enum_labels_frame() -> pd.DataFrame:
    """Every enumeration of the contract as rows, so queries can list all codes and their labels."""
    rows = [
        {"enum_name": e.name, "code": code, "label": label, "group_code": e.groups.get(code), "sort_order": i}
        for e in ENUMS
        for i, (code, label) in enumerate(e.labels.items())
    ]
    return pd.DataFrame(rows)


# Tables held in memory for the connection's life (a connection lasts one store version, see connection()):
# the derived figure tables always (trends read every date, and opening one small file per date costs more
# than the sums), and any table whose rows over all dates are few enough that a copy is cheap, which for
# a county is every table. The rest (a province's or the nation's registers) stay in their Parquet files.
ALWAYS_IN_MEMORY = ("county_figures", "township_figures")
IN_MEMORY_MAX_ROWS = 2_000_000


def _rows(con: duckdb.DuckDBPyConnection, files: str) -> int:
    """Rows over every snapshot, from the Parquet footers alone."""
    return con.execute(f"select coalesce(sum(num_rows), 0) from parquet_file_metadata({files})").fetchall()[0][0]


class Layout(NamedTuple):
    """How a store's files are laid out: one county's, or many counties' each in its own folder (store.py)."""

    multi_county: bool
    county_code: str | None  # a single county's code (county.json), given to its rows as county_code
    county_name: str | None = None  # and its name, the one row of its divisions table


def _layout(root: Location) -> Layout:
    if is_multi_county(root):
        return Layout(True, None)
    county, warning = identity.load_or_fallback(root)
    return Layout(False, None, None) if warning else Layout(False, county.county_code, county.county_name)


class Files(NamedTuple):
    """A table's files as DuckDB list literals: every one, a county's own (county from its folder name, in a store
    of many counties), and combined months' (county_code a column, combined.py); None where there are none."""

    every: str
    own: str | None
    combined: str | None


def _file_list(root: Location, table_name: str, listed: dict[str, list[Path]]) -> Files:
    """The table's files (paths from the store's own listing, never from a user; quotes are escaped all the same)."""
    files = listed[table_name]
    if not files:
        raise StoreError(f"数据目录 {root} 中没有 {table_name}.parquet 文件")
    own = [f for f in files if not combined.is_combined(f)]
    merged = [f for f in files if combined.is_combined(f)]
    return Files(_literal(files), _literal(own) if own else None, _literal(merged) if merged else None)


def _literal(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def create_views(con: duckdb.DuckDBPyConnection, root: Location, county: str | None = None) -> bool:
    """The store's tables and views on the connection; whether every table is held in memory.

    With a county of a store of many counties: that county's rows alone, read from its own folder (the files its
    combined months were made from) and held in memory, beside the whole store's divisions and their goals."""
    source = root if county is None else county_folder(root, county)
    layout = _layout(source) if county is None else Layout(False, county)
    listed = store.files_by_table(source)
    _refuse_newer_snapshots(con, root, _file_list(root, TABLES[0].name, listed))
    everything_in_memory = True
    for table in TABLES + DERIVED_TABLES:
        files = _file_list(root, table.name, listed)
        if table in DERIVED_TABLES:
            _check_derived_columns(table, _columns_by_file(con, files.every))
        in_memory = (
            county is not None or table.name in ALWAYS_IN_MEMORY or _rows(con, files.every) <= IN_MEMORY_MAX_ROWS
        )
        everything_in_memory = everything_in_memory and in_memory
        if in_memory:
            # Sorted so that a filter on the date (or the township) skips most row groups.
            order = (
                "township_code, " if table.name in ALWAYS_IN_MEMORY and "township_code" in table.column_names else ""
            )
            source = _source(files, layout, by_name=table not in DERIVED_TABLES)
            con.execute(f"create table {table.name} as {source} order by {order}{SNAPSHOT_PARTITION}")
            _add_absent_columns(con, table)
        else:
            con.execute(f"create view {table.name} as {_view_source(con, table, files, layout)}")
    if everything_in_memory:
        # A county's queries take milliseconds, most of them planning: a second thread costs more to start
        # than it saves, and statistics propagation (which prunes row groups of large files) a fifth of the time.
        con.execute("set threads = 1")
        con.execute("set disabled_optimizers = 'statistics_propagation'")

    _add_frame(con, "enum_labels", enum_labels_frame())
    known = store_divisions(root, layout) if county is None else _lineage(divisions.read(root), county)
    _add_frame(con, "divisions", known)
    _add_frame(con, "division_targets", divisions.read_targets(root))
    return everything_in_memory


def _add_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """A small frame as a table of the connection."""
    con.register(f"{name}_source", frame)
    con.execute(f"create table {name} as select * from {name}_source")
    con.unregister(f"{name}_source")


def store_divisions(root: Path, layout: Layout) -> pd.DataFrame:
    """The divisions table; a single county's store has one row, its county (when county.json names it)."""
    if layout.multi_county:
        return divisions.read(root)
    frame = pd.DataFrame(columns=list(DIVISIONS.column_names), dtype="object")
    if layout.county_code:
        frame.loc[0] = [layout.county_code, layout.county_name, "county", None]
    return frame


def _lineage(frame: pd.DataFrame, county: str) -> pd.DataFrame:
    """The divisions a county's own connection needs: the county, those above it and those under it (its queries lie
    within it; a nation's 45,000 divisions would be scanned by each of them)."""
    codes = frame["division_code"]
    return frame[codes.str.startswith(county) | codes.map(county.startswith)].reset_index(drop=True)


# A table is read across snapshots by column name: a column that older snapshots lack (added to the contract later)
# reads as NULL at their dates, and everywhere while no snapshot has it yet. Derived tables are checked instead: a
# missing column there is computed by `python -m socialwork aggregate`. Every table has a county_code column: the
# county folder's code in a store of many counties (hive partitioning), else the store's own county's.


def _source(files: Files, layout: Layout, by_name: bool, nulls: str = "") -> str:
    """A table's rows over every snapshot's file, the snapshot date (and county) from the folder names; a combined
    month's rows carry their county_code."""
    union = ", union_by_name = true" if by_name else ""
    if layout.multi_county:
        columns, county = f"* rename ({COUNTY_PARTITION} as county_code)", f", '{COUNTY_PARTITION}': 'VARCHAR'"
    else:
        code = "null" if layout.county_code is None else f"'{layout.county_code}'"  # six digits, checked on writing
        columns, county = f"*, {code}::VARCHAR as county_code", ""
    parts = []
    if files.own:
        parts.append(
            f"select {columns}{nulls} from read_parquet({files.own}, hive_partitioning = true, "
            f"hive_types = {{'{SNAPSHOT_PARTITION}': 'DATE'{county}}}{union})"
        )
    if files.combined:
        parts.append(
            f"select *{nulls} from read_parquet({files.combined}, hive_partitioning = true, "
            f"hive_types = {{'{SNAPSHOT_PARTITION}': 'DATE'}}{union})"
        )
    return parts[0] if len(parts) == 1 else "select * from (" + " union all by name ".join(parts) + ")"


def _add_absent_columns(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Columns of the contract that no snapshot of an in-memory table holds yet, as NULL."""
    found = {row[0] for row in con.execute(f"describe {table.name}").fetchall()}
    for column in table.columns:
        if column.name not in found:
            con.execute(f"alter table {table.name} add column {column.name} {column.type}")


def _view_source(con: duckdb.DuckDBPyConnection, table: Table, files: Files, layout: Layout) -> str:
    """A large table's view: union_by_name only where the files differ, since it opens every footer each time a
    query is planned; columns no file holds as NULL."""
    columns = _columns_by_file(con, files.every)
    found = set().union(*columns.values()) if columns else set()
    nulls = "".join(f", null::{c.type} as {c.name}" for c in table.columns if c.name not in found)
    kinds = {frozenset(names - {"county_code"}) for names in columns.values()}  # combined files add county_code
    return _source(files, layout, by_name=len(kinds) > 1, nulls=nulls)


def _columns_by_file(con: duckdb.DuckDBPyConnection, files: str) -> dict[str, set[str]]:
    """Each snapshot file's columns, from the Parquet footers alone."""
    rows = con.execute(
        f"select file_name, list(name) from parquet_schema({files}) where num_children is null group by file_name"
    ).fetchall()
    return {file: set(names) for file, names in rows}


def _refuse_newer_snapshots(con: duckdb.DuckDBPyConnection, root: Location, first_table: Files) -> None:
    """A snapshot written under a newer contract than this version knows may mean its columns differently.

    A snapshot's contract tables are written together, so one of them (first_table's files) tells its version."""
    files = first_table.every
    newest = con.execute(
        f"select max(try_cast(decode(value) as integer)) from parquet_kv_metadata({files}) "
        f"where decode(key) = '{VERSION_KEY}'"
    ).fetchall()[0][0]
    if newest is not None and newest > CONTRACT_VERSION:
        raise StoreError(
            f"数据目录 {root} 中的快照由较新版本的软件写入（数据契约第 {newest} 版，"
            f"本软件为第 {CONTRACT_VERSION} 版）；请先更新本软件"
        )


def _check_derived_columns(table: Table, columns: dict[str, set[str]]) -> None:
    """A derived file written by an older version lacks columns the queries read: say how to rewrite it."""
    for names in columns.values():
        missing = [name for name in table.column_names if name not in names]
        if missing:
            raise StoreError(
                f"汇总文件 {table.name}.parquet 缺少列：{'、'.join(missing)}（由旧版本写入）；"
                "请运行 python -m socialwork aggregate 重新生成"
            )
