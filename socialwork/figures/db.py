"""The one data-access module: named SQL files run with bound parameters over the snapshot store.

One DuckDB connection per store per process, a cursor per query (one connection shared by
concurrent sessions fails with "connection is busy"), results cached by query name, parameters
and store version, so a newly imported snapshot is seen at once. The store's snapshot list, and
whole figures built from several queries (`cached`, e.g. the KPI report), are kept by store version too.
"""

from __future__ import annotations

import re
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import duckdb
import pandas as pd

from socialwork.data import divisions, identity, settings, store
from socialwork.data.aggregates import AGGREGATES_FOLDER
from socialwork.data.contract import (
    CONTRACT_VERSION,
    COUNTY_PARTITION,
    DERIVED_TABLES,
    DIVISIONS,
    ENUMS,
    SNAPSHOT_PARTITION,
    TABLES,
    VERSION_KEY,
    Table,
)
from socialwork.data.location import Bucket, Location
from socialwork.data.store import StoreError, remove_stale_staging, store_version
from socialwork.figures.frames import frame_from_arrow

# DuckDB suggests con.sql() instead, which plans the query twice when it has parameters: the copy is cheaper.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result makes an extra copy", category=UserWarning)

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_CACHE_SIZE = 512
_DERIVED_CACHE_SIZE = 64  # a KPI report per (date, townships) asked for lately; each is a few kilobytes

T = TypeVar("T")

_lock = threading.Lock()
_connections: dict[Location, tuple[Any, OpenStore]] = {}
_results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_derived: OrderedDict[tuple, Any] = OrderedDict()  # whole figures built from several queries (cached())
_running: dict[tuple, Future] = {}  # computations running now, so that a second asker waits instead of running again
_dates: dict[Location, tuple[Any, list[date]]] = {}  # root -> (store version, its snapshot dates)


class QueryError(Exception):
    """A query that could not run, worded in Chinese."""


@cache
def query_text(name: str) -> str:
    """The SQL of queries/<name>.sql."""
    path = settings.QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"查询文件不存在：queries/{name}.sql")
    return path.read_text(encoding="utf-8")


# queries/aggregates/*.sql compute derived tables at write time (data.aggregates), never through run().


def query_names() -> list[str]:
    """Every query under queries/ (write-time aggregates aside), as names for run()."""
    names = (
        p.relative_to(settings.QUERIES_DIR).with_suffix("").as_posix() for p in settings.QUERIES_DIR.rglob("*.sql")
    )
    return sorted(n for n in names if not n.startswith(f"{AGGREGATES_FOLDER}/"))


def query_parameters(name: str) -> set[str]:
    """The $names a query binds."""
    return set(_PARAMETER.findall(_without_comments(query_text(name))))


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def enum_labels_frame() -> pd.DataFrame:
    """Every enumeration of the contract as rows, so queries can list all codes and their labels."""
    rows = [
        {"enum_name": e.name, "code": code, "label": label, "group_code": e.groups.get(code), "sort_order": i}
        for e in ENUMS
        for i, (code, label) in enumerate(e.labels.items())
    ]
    return pd.DataFrame(rows)


def _new_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")  # a long query would print bars into the server's log
    return con


class OpenStore(NamedTuple):
    con: duckdb.DuckDBPyConnection
    # A store too large to hold in memory (a province, the nation) fetches results through Arrow (frames.py).
    through_arrow: bool


def _connect(root: Location) -> OpenStore:
    remove_stale_staging(root)  # where the server and the CLI open a store: an interrupted import's leftovers go
    if not store.snapshot_dates(root):
        if isinstance(root, Bucket):
            raise StoreError(f"对象存储 {root} 尚未发布任何快照")
        raise StoreError(f"数据目录 {root} 中没有任何快照（应为 {SNAPSHOT_PARTITION}=YYYY-MM-DD 文件夹）")
    con = _new_connection()
    con.execute("set parquet_metadata_cache = true")  # pages read the same few files again and again
    try:
        in_memory = _create_views(con, root)
    except duckdb.Error as err:
        con.close()
        raise StoreError(f"无法读取数据目录 {root} 中的快照文件（文件可能已损坏）：{err}") from err
    except StoreError:
        con.close()
        raise
    return OpenStore(con, through_arrow=not in_memory)


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
    if store.is_multi_county(root):
        return Layout(True, None)
    county, warning = identity.load_or_fallback(root)
    return Layout(False, None, None) if warning else Layout(False, county.county_code, county.county_name)


def _file_list(root: Location, table_name: str) -> str:
    """The table's files as a DuckDB list literal (paths from the store's own listing, never from a user; quotes
    are escaped all the same)."""
    files = store.table_files(root, table_name)
    if not files:
        raise StoreError(f"数据目录 {root} 中没有 {table_name}.parquet 文件")
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def _create_views(con: duckdb.DuckDBPyConnection, root: Location) -> bool:
    """The store's tables and views on the connection; whether every table is held in memory."""
    layout = _layout(root)
    _refuse_newer_snapshots(con, root)
    everything_in_memory = True
    for table in TABLES + DERIVED_TABLES:
        files = _file_list(root, table.name)
        if table in DERIVED_TABLES:
            _check_derived_columns(table, _columns_by_file(con, files))
        in_memory = table.name in ALWAYS_IN_MEMORY or _rows(con, files) <= IN_MEMORY_MAX_ROWS
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
    _add_frame(con, "divisions", store_divisions(root, layout))
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


# A table is read across snapshots by column name: a column that older snapshots lack (added to the contract later)
# reads as NULL at their dates, and everywhere while no snapshot has it yet. Derived tables are checked instead: a
# missing column there is computed by `python -m socialwork aggregate`. Every table has a county_code column: the
# county folder's code in a store of many counties (hive partitioning), else the store's own county's.


def _source(files: str, layout: Layout, by_name: bool, nulls: str = "") -> str:
    """A table's rows over every snapshot's file, the snapshot date (and county) from the folder names."""
    union = ", union_by_name = true" if by_name else ""
    if layout.multi_county:
        columns, county = f"* rename ({COUNTY_PARTITION} as county_code)", f", '{COUNTY_PARTITION}': 'VARCHAR'"
    else:
        code = "null" if layout.county_code is None else f"'{layout.county_code}'"  # six digits, checked on writing
        columns, county = f"*, {code}::VARCHAR as county_code", ""
    return (
        f"select {columns}{nulls} from read_parquet({files}, hive_partitioning = true, "
        f"hive_types = {{'{SNAPSHOT_PARTITION}': 'DATE'{county}}}{union})"
    )


def _add_absent_columns(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Columns of the contract that no snapshot of an in-memory table holds yet, as NULL."""
    found = {row[0] for row in con.execute(f"describe {table.name}").fetchall()}
    for column in table.columns:
        if column.name not in found:
            con.execute(f"alter table {table.name} add column {column.name} {column.type}")


def _view_source(con: duckdb.DuckDBPyConnection, table: Table, files: str, layout: Layout) -> str:
    """A large table's view: union_by_name only where the files differ, since it opens every footer each time a
    query is planned; columns no file holds as NULL."""
    columns = _columns_by_file(con, files)
    found = set().union(*columns.values()) if columns else set()
    nulls = "".join(f", null::{c.type} as {c.name}" for c in table.columns if c.name not in found)
    return _source(files, layout, by_name=len({frozenset(names) for names in columns.values()}) > 1, nulls=nulls)


def _columns_by_file(con: duckdb.DuckDBPyConnection, files: str) -> dict[str, set[str]]:
    """Each snapshot file's columns, from the Parquet footers alone."""
    rows = con.execute(
        f"select file_name, list(name) from parquet_schema({files}) where num_children is null group by file_name"
    ).fetchall()
    return {file: set(names) for file, names in rows}


def _refuse_newer_snapshots(con: duckdb.DuckDBPyConnection, root: Location) -> None:
    """A snapshot written under a newer contract than this version knows may mean its columns differently.

    A snapshot's contract tables are written together, so one of them tells its version."""
    newest = con.execute(
        f"select max(try_cast(decode(value) as integer)) from parquet_kv_metadata({_file_list(root, TABLES[0].name)}) "
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


_VERSION_SECONDS = 1.0  # a new import is seen within a second; saves listing the store on every query
_versions: dict[Location, tuple[float, Any]] = {}


def current_version(root: Location) -> Any:
    """The store's version (store.store_version), looked up at most once a second."""
    now = time.monotonic()
    with _lock:
        seen = _versions.get(root)
        if seen is not None and now - seen[0] < _VERSION_SECONDS:
            return seen[1]
    version = store_version(root)
    with _lock:
        _versions[root] = (now, version)
    return version


def forget_version(root: Location) -> None:
    """Called by the store after writing: this process sees the new snapshot at once."""
    with _lock:
        _versions.pop(root, None)


store.on_write(forget_version)


def snapshot_dates(root: Location) -> list[date]:
    """The store's snapshot dates (store.snapshot_dates), listed again only when its version changes.

    Listing checks every table file of every snapshot (about 2,000 stat calls for 47 months), and a page asks
    three or four times per rerun. The version covers every snapshot folder's mtime, so a file removed from a
    snapshot, or a new snapshot, is listed (and checked) again; a write by this process is seen at once."""
    version = current_version(root)
    with _lock:
        seen = _dates.get(root)
        if seen is not None and seen[0] == version:
            return list(seen[1])
    dates = store.snapshot_dates(root)  # an incomplete snapshot raises, and is not remembered
    with _lock:
        _dates[root] = (version, dates)
    return list(dates)


def open_store(root: Location) -> OpenStore:
    """The process-wide connection for a store, created on first use and again after an import, so that
    DuckDB's Parquet metadata cache never outlives the files it describes."""
    version = current_version(root)
    with _lock:
        current = _connections.get(root)
        if current is None or current[0] != version:
            # The old connection is dropped, not closed: a session may still be reading through it.
            _connections[root] = (version, _connect(root))
        return _connections[root][1]


def connection(root: Location) -> duckdb.DuckDBPyConnection:
    return open_store(root).con


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


SCOPE_DIGITS = (2, 4, 6)  # a province's, a city's or a county's code


def split_places(places: list[str] | tuple[str, ...] | None) -> tuple[str | None, list[str] | None]:
    """A place filter as ($scope, $townships): one division code above the township is a scope, matched as a prefix
    (a city is never expanded into its thousands of township codes); township codes are a township filter."""
    if places and len(places) == 1 and len(places[0]) in SCOPE_DIGITS:
        return places[0], None
    return None, (list(places) if places else None)


def bind(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a query binds, checked: a missing one is an error, extra ones are dropped. Figures pass one
    place filter as `townships` (split_places): a query with $scope gets its scope from there."""
    wanted = query_parameters(name)
    if "scope" in wanted and "scope" not in params and "townships" in params:
        scope, townships = split_places(params["townships"])
        params = {**params, "scope": scope, "townships": townships}
    missing = wanted - params.keys()
    if missing:
        raise QueryError(f"查询 {name} 缺少参数：{', '.join(sorted(missing))}")
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k in wanted}


def run(name: str, data: Location | None = None, **params: Any) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters; a cached copy when nothing changed, and the same answer
    when the same query is already running (thirty leaders opening one page, or two reads of one page)."""
    root = data or settings.data_dir()
    bound = bind(name, params)
    key = (root, current_version(root), name, tuple(sorted((k, _freeze(v)) for k, v in bound.items())))
    return _once(_results, _CACHE_SIZE, key, lambda: execute(name, root, bound)).copy()


def cached(kind: str, key: tuple, compute: Callable[[], T], data: Location | None = None) -> T:
    """compute() once per kind, key and store version, for a figure built from several queries (the KPI report).

    Every caller gets the same object, so it must be immutable (frozen dataclasses, tuples). Forgotten with the
    query results (forget_results), and a second asker while it is computed waits for the first's answer."""
    root = data or settings.data_dir()
    return _once(_derived, _DERIVED_CACHE_SIZE, (kind, root, current_version(root), *key), compute)


def _once(cache: OrderedDict[tuple, T], size: int, key: tuple, compute: Callable[[], T]) -> T:
    """The cached value for key, else compute() once, however many threads ask at the same time."""
    with _lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        running = _running.get(key)
        if running is None:
            running = _running[key] = Future()
            mine = True
        else:
            mine = False
    if not mine:  # the same work is running for another session or read: wait for its answer
        return running.result()
    try:
        value = compute()
    except BaseException as err:
        with _lock:
            _running.pop(key, None)
        running.set_exception(err)
        raise
    with _lock:
        _running.pop(key, None)
        cache[key] = value
        if len(cache) > size:
            cache.popitem(last=False)
    running.set_result(value)
    return value


def execute(name: str, root: Location, params: dict[str, Any]) -> pd.DataFrame:
    """Run a query on the store's connection, bypassing the result cache (run() caches; the benchmark times this)."""
    opened = open_store(root)
    cursor = opened.con.cursor()
    try:
        result = cursor.execute(query_text(name), params)
        # Arrow is faster for large results and no slower for a province's small ones; a county's keep .df().
        return frame_from_arrow(result.to_arrow_table()) if opened.through_arrow else result.df()
    except duckdb.Error as err:
        raise QueryError(f"查询 {name} 执行失败（数据目录 {root}）：{err}") from err
    finally:
        cursor.close()


def forget_results() -> None:
    """Forget query results and cached figures, keeping connections and snapshot lists (the benchmarks: a person
    opening a page nobody has opened lately, on a server that has run for a while)."""
    with _lock:
        _results.clear()
        _derived.clear()


def clear_cache() -> None:
    """Forget cached results and connections (tests, and after a store is rewritten in place)."""
    with _lock:
        _results.clear()
        _derived.clear()
        _dates.clear()
        _versions.clear()
        for _, opened in _connections.values():
            opened.con.close()
        _connections.clear()
