"""The one data-access module: named SQL files run with bound parameters over the snapshot store.

One DuckDB connection per store per process, a cursor per query (one connection shared by
concurrent sessions fails with "connection is busy"), results cached by query name, parameters
and store version, so a newly imported snapshot is seen at once. The store's snapshot list, and
whole figures built from several queries (`cached`, e.g. the KPI report), are kept by store version too.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from functools import cache
from typing import Any, NamedTuple, TypeVar

import duckdb
import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.tables import SNAPSHOT_PARTITION
from socialwork.data.storage import layout, store
from socialwork.data.storage.aggregates import AGGREGATES_FOLDER
from socialwork.data.storage.layout import StoreError, is_multi_county
from socialwork.data.storage.location import Bucket, Location
from socialwork.data.storage.store import remove_stale_staging, store_version
from socialwork.figures import store_views
from socialwork.figures.frames import frame_from_arrow
from socialwork.figures.place_filter import Places

# DuckDB suggests con.sql() instead, which plans the query twice when it has parameters: the copy is cheaper.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result makes an extra copy", category=UserWarning)

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_CACHE_SIZE = 512
_DERIVED_CACHE_SIZE = 64  # a KPI report per (date, townships) asked for lately; each is a few kilobytes

T = TypeVar("T")
log = logging.getLogger(__name__)

_lock = threading.Lock()
_connections: dict[Location, tuple[Any, OpenStore]] = {}
_results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_derived: OrderedDict[tuple, Any] = OrderedDict()  # whole figures built from several queries (cached())
_reader_ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")  # in_background()
_running: dict[tuple, Future] = {}  # computations running now, so that a second asker waits instead of running again
_dates: dict[Location, tuple[Any, tuple[list[date], dict[date, str]]]] = {}  # root -> (version, intact, damaged)


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


# The place filter in SQL (place_filter.Places.bound() as $places): a row is in the places when the filter is NULL
# (everywhere), when its township's code, or its county's for a county-level row, starts with the one division code,
# or when its township is one of the chosen townships (9-digit codes). A macro is expanded where it is called and the
# bound list is a constant: a CASE on it folds to the one branch that applies, so a township reaches a Parquet scan as
# `township_code = …` (an OR of the three would leave `… OR false`, which the scan cannot use to skip files). The
# townships' county prefix changes no answer (they lie in it) but lets a store of many counties skip other counties'
# files, as the county filter written beside the township list used to.
PLACES_MACRO = """
create or replace macro in_places(township_code, county_code, places) as
    case
        when places is null then true
        when len(places[1]) < 9 then starts_with(coalesce(township_code, county_code), places[1])
        else list_contains(places, township_code)
            and starts_with(coalesce(township_code, county_code), left(places[1], 6))
    end
"""


def _new_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")  # a long query would print bars into the server's log
    con.execute(PLACES_MACRO)
    return con


class OpenStore(NamedTuple):
    con: duckdb.DuckDBPyConnection
    # A store too large to hold in memory (a province, the nation) fetches results through Arrow (frames.py).
    through_arrow: bool
    multi_county: bool = False
    # Too large and of many counties: a query within one county reads that county's own connection (county_store).
    by_county: bool = False


def _connect(root: Location, dates: list[date], damaged: dict[date, str]) -> OpenStore:
    remove_stale_staging(root)  # where the server and the CLI open a store: an interrupted import's leftovers go
    if not dates and damaged:  # every month damaged: say which and why
        raise StoreError("；".join(damaged.values()))
    if not dates:
        if isinstance(root, Bucket):
            raise StoreError(f"对象存储 {root} 尚未发布任何快照")
        raise StoreError(f"数据目录 {root} 中没有任何快照（应为 {SNAPSHOT_PARTITION}=YYYY-MM-DD 文件夹）")
    con = _new_connection()
    con.execute("set parquet_metadata_cache = true")  # pages read the same few files again and again
    try:
        in_memory = store_views.create_views(con, root)
    except duckdb.Error as err:
        con.close()
        raise StoreError(f"无法读取数据目录 {root} 中的快照文件（文件可能已损坏）：{err}") from err
    except StoreError:
        con.close()
        raise
    multi_county = is_multi_county(root)
    return OpenStore(con, not in_memory, multi_county, by_county=multi_county and not in_memory)


_VERSION_SECONDS = 1.0  # a new import is seen within a second; saves listing the store on every query
# A store of many counties lists one folder time per county (a nation's: 13 ms of CPU, every second a dozen reruns
# of its users compete with): it is listed at most every 5 s, in the background while readers go on with the last
# listing, and while they wait only once that is older than _VERSION_STALE_SECONDS. Another process's import is seen
# within 5 s; a write by this process at once (forget_version).
_MANY_COUNTIES_SLOWER = 5
_VERSION_STALE_SECONDS = 10.0


class _Listing(NamedTuple):
    """A store's version as last listed."""

    when: float  # time.monotonic() of the listing
    listed: Any  # store.store_version
    number: int  # what cache keys hold
    many_counties: bool  # listed less often (_MANY_COUNTIES_SLOWER)


_versions: dict[Location, _Listing] = {}
_version_numbers = itertools.count(1)
_refreshing: set[Location] = set()
_version_checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-version")


def current_version(root: Location) -> int:
    """The store's version (store.store_version) as a number that changes whenever the version does: it is part of
    every cache key, and a nation's version is 2,800 folder times, slower to hash than some queries are to run."""
    now = time.monotonic()
    with _lock:
        seen = _versions.get(root)
        fresh_for = _VERSION_SECONDS * (_MANY_COUNTIES_SLOWER if seen is not None and seen.many_counties else 1)
        if seen is not None and (now - seen.when < fresh_for or root in _refreshing):
            return seen.number
    if seen is not None and now - seen.when < _VERSION_STALE_SECONDS and seen.many_counties:
        with _lock:
            if root not in _refreshing:
                _refreshing.add(root)
                _version_checker.submit(_list_version, root)
        return seen.number
    return _list_version(root)


def _list_version(root: Location) -> int:
    """List the store's version; a listing made before a write of this process (forget_version) is stored with a new
    number all the same, so the write is seen at once."""
    try:
        listed, many = store_version(root), is_multi_county(root)
    finally:
        with _lock:
            _refreshing.discard(root)
    with _lock:
        seen = _versions.get(root)
        number = seen.number if seen is not None and seen.listed == listed else next(_version_numbers)
        _versions[root] = _Listing(time.monotonic(), listed, number, many)
    return number


def forget_version(root: Location) -> None:
    """Called by the store after writing: this process sees the new snapshot at once."""
    with _lock:
        _versions.pop(root, None)


layout.on_write(forget_version)


def snapshot_dates(root: Location) -> list[date]:
    """The store's snapshot dates (store.snapshot_dates), listed again only when its version changes.

    Listing checks every file of every snapshot against its checksum (40 ms for a county's 47 months), and a page
    asks three or four times per rerun. The version covers every snapshot folder's mtime, so a file removed from a
    snapshot, or a new snapshot, is listed (and checked) again; a write by this process is seen at once. A damaged
    snapshot is left out (damaged_snapshots)."""
    return list(_checked(root)[0])


def damaged_snapshots(root: Location) -> dict[date, str]:
    """The snapshots left out of snapshot_dates, each with what is wrong, in Chinese (store.checked_snapshots)."""
    return dict(_checked(root)[1])


def _checked(root: Location) -> tuple[list[date], dict[date, str]]:
    version = current_version(root)
    with _lock:
        seen = _dates.get(root)
        if seen is not None and seen[0] == version:
            return seen[1]
    checked = store.checked_snapshots(root)
    with _lock:
        _dates[root] = (version, checked)
    return checked


def open_store(root: Location) -> OpenStore:
    """The process-wide connection for a store, created on first use and again after an import, so that
    DuckDB's Parquet metadata cache never outlives the files it describes."""
    version = current_version(root)
    with _lock:
        current = _connections.get(root)
        if current is not None and current[0] == version:
            return current[1]
    # Listed outside the lock, once per version and shared with the sidebar's (a nation's store: a quarter second).
    dates, damaged = snapshot_dates(root), damaged_snapshots(root)
    with _lock:
        current = _connections.get(root)
        if current is None or current[0] != version:
            # The old connection is dropped, not closed: a session may still be reading through it.
            _connections[root] = (version, _connect(root, dates, damaged))
        return _connections[root][1]


def connection(root: Location) -> duckdb.DuckDBPyConnection:
    return open_store(root).con


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def bind(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a query binds, checked: a missing one is an error, extra ones are dropped. A `Places` is bound
    in its one SQL form (Places.bound), a tuple as a list."""
    wanted = query_parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise QueryError(f"查询 {name} 缺少参数：{', '.join(sorted(missing))}")
    return {k: _bound(v) for k, v in params.items() if k in wanted}


def _bound(value: Any) -> Any:
    if isinstance(value, Places):
        return value.bound()
    return list(value) if isinstance(value, tuple) else value


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


def in_background(read: Callable[[], Any]) -> Future:
    """read() in the read-ahead thread, for what a person's next step is likely to ask (through cached() or run(), so
    that step finds it done, or waits for it rather than reading again). A failure is only logged: whoever asks for
    it later reads it again and meets the error there."""
    return _reader_ahead.submit(_logged, read)


def _logged(read: Callable[[], Any]) -> None:
    try:
        read()
    except Exception as err:  # a read ahead of time never stops the thread
        log.info("a read ahead of time failed: %s", err)


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
    opened = _store_for(root, params)
    cursor = opened.con.cursor()
    try:
        result = cursor.execute(query_text(name), params)
        # Arrow is faster for large results and no slower for a province's small ones; a county's keep .df().
        return frame_from_arrow(result.to_arrow_table()) if opened.through_arrow else result.df()
    except duckdb.Error as err:
        raise QueryError(f"查询 {name} 执行失败（数据目录 {root}）：{err}") from err
    finally:
        cursor.close()


# ---------------------------------------------------------------- a county's own connection in a store of many
# A view within one county of a province's or the nation's store reads the county's rows out of every month's combined
# file (a nation's month: 2,800 counties' rows), 50-200 ms a query where the county's own store answers in 2-10 ms. So
# the first query within a county starts that county's connection in the background (its rows in memory, a second
# or so) and is answered from the whole store meanwhile; later ones, the township reruns and the other pages of that
# county, read the county's connection. Both give the same frames (tests/test_county_store.py runs every query both
# ways). The latest 16 counties asked for are kept: a county's rows take 10-20 MB in memory.
COUNTY_STORES_KEPT = 16
_county_stores: OrderedDict[tuple, Future] = OrderedDict()  # (root, store version, county) -> its OpenStore
_county_builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="county-store")


def county_of(params: dict[str, Any]) -> str | None:
    """The county a query's bound place filter lies in, when it lies in one: its $scope's and its $places', or (a
    query without $scope) its places'. A query whose $scope is NULL reads beyond its places: no county."""
    if "scope" in params:
        scope = params["scope"]
        codes = [scope, *(params.get("places") or [])] if scope else []
    else:
        codes = list(params.get("places") or [])
    if not codes or any(not isinstance(code, str) or len(code) < 6 for code in codes):
        return None
    county = codes[0][:6]
    return county if all(code.startswith(county) for code in codes) else None


def _store_for(root: Location, params: dict[str, Any]) -> OpenStore:
    """The connection a query runs on: the county's own where it is open and the query lies within it."""
    opened = open_store(root)
    county = county_of(params) if opened.by_county else None
    return (county_store(root, county, wait=False) or opened) if county else opened


def county_store(root: Location, county: str, wait: bool = True) -> OpenStore | None:
    """A county's own connection in a store of many counties, started on the first ask; None while it is being
    opened (unless wait), or when it cannot be (the whole store answers, and says what is wrong with it)."""
    version = current_version(root)
    key = (root, version, county)
    with _lock:
        building = _county_stores.get(key)
        if building is None:
            for stale in [k for k in _county_stores if k[0] == root and k[1] != version]:
                del _county_stores[stale]  # dropped, not closed: a session may still be reading through it
            building = _county_stores[key] = _county_builder.submit(_connect_county, root, county)
            while len(_county_stores) > COUNTY_STORES_KEPT:
                _county_stores.popitem(last=False)
        else:
            _county_stores.move_to_end(key)
    if not (wait or building.done()):
        return None
    try:
        return building.result()
    except Exception:  # whatever kept it from opening, the whole store answers (logged by _connect_county)
        return None


def _connect_county(root: Location, county: str) -> OpenStore:
    if not store.county_folder_read(root, county).is_dir():  # a county that has not reported yet: nothing to hold
        raise StoreError(f"{county} 尚无数据")
    con = _new_connection()
    try:
        store_views.create_views(con, root, county)
    except Exception as err:
        con.close()
        log.warning("county %s of %s: its own connection could not be opened (%s)", county, root, err)
        raise
    return OpenStore(con, through_arrow=False)


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
        for building in _county_stores.values():
            building.add_done_callback(lambda done: done.exception() is None and done.result().con.close())
        _county_stores.clear()
