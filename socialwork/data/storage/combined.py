"""Combined months of a store of many counties: every county's rows of one month in one file per table.

A store of many counties keeps each county's snapshots in its own folder (`county=<code>/`), written by that county's
import alone. Read as they are, a province's month is 120 folders' files and the nation's 2,800, and DuckDB opens
every file's footer to plan a query. So after a county's import (and by `python -m socialwork combine`) the month's
files of every county are also written combined, each row with its county_code::

    <root>/combined/snapshot_date=2024-06-30/people.parquet, ..., township_figures.parquet
    <root>/combined/snapshot_date=2024-06-30/sources.json   {county code: the snapshot folder it was made from}

A combined month is derived and rebuildable, never a source: readers use it only while every county's snapshot of
that month is the very folder it was made from (`fresh_months`). A county re-imported since, or newly reporting the
month, makes it stale, and the month is read from the county folders until it is combined again; deleting
`combined/` loses nothing. One combining at a time (`.combine-lock`, waited for: the second combines after the first
and sees its counties too).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from socialwork.data.contract.county_files import COUNTY_PARTITION
from socialwork.data.contract.schema import ARROW_TYPES, CONTRACT_VERSION, VERSION_KEY, Table
from socialwork.data.contract.tables import DERIVED_TABLES, SNAPSHOT_PARTITION, TABLES
from socialwork.data.storage import layout
from socialwork.data.storage.aggregates import ROW_GROUP_ROWS

COMBINED_FOLDER = "combined"
SOURCES_FILE = "sources.json"
LOCK_FILE = ".combine-lock"
OLD_PREFIX = ".old-"
OLD_SECONDS = 600  # a replaced combined month stays this long: a reader may still be planning a query on its files
log = logging.getLogger(__name__)

# county code -> its snapshot folder's mtime: writing or replacing a snapshot, or rewriting its derived files, changes
# it; a copy of the store (copytree, rsync -a) keeps it, so a copied store's combined months stay fresh.
Stamps = dict[str, str]


def month_folder(root: Path, on: date) -> Path:
    return root / COMBINED_FOLDER / f"{SNAPSHOT_PARTITION}={on.isoformat()}"


def is_combined(file: Path) -> bool:
    """Whether a file the readers list is a combined month's (its rows carry county_code) or a county's own."""
    return file.parent.parent.name == COMBINED_FOLDER


def county_snapshots(root: Path) -> dict[date, Stamps]:
    """Every county's snapshot folders by date: one directory listing per county, no file opened."""
    found: dict[date, Stamps] = {}
    for code, folder in layout.county_folders(root).items():
        with os.scandir(folder) as entries:
            for entry in entries:
                on = layout.snapshot_date_of(entry.name)
                if on is not None and entry.is_dir():
                    found.setdefault(on, {})[code] = str(entry.stat().st_mtime_ns)
    return dict(sorted(found.items()))


def fresh_months(root: Path, snapshots: dict[date, Stamps]) -> set[date]:
    """The months whose combined files were made from exactly the county snapshots there now."""
    fresh = set()
    for on, stamps in snapshots.items():
        try:
            recorded = json.loads((month_folder(root, on) / SOURCES_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if recorded == stamps:
            fresh.add(on)
    return fresh


def reader_files(root: Path) -> dict[date, dict[str, list[Path]]]:
    """Every month's files by table, as readers should read them: the combined month's file where it is fresh, else
    each reporting county's own."""
    snapshots = county_snapshots(root)
    fresh = fresh_months(root, snapshots)
    names = [t.name for t in TABLES + DERIVED_TABLES]
    files = {}
    for on, stamps in snapshots.items():
        if on in fresh:
            files[on] = {name: [month_folder(root, on) / f"{name}.parquet"] for name in names}
        else:
            folders = [layout.snapshot_folder(layout.county_folder(root, code), on) for code in sorted(stamps)]
            files[on] = {name: [folder / f"{name}.parquet" for folder in folders] for name in names}
    return files


# ---------------------------------------------------------------- writing
def rebuild(root: Path, dates: list[date] | None = None) -> list[date]:
    """Write the combined months of a store of many counties (every month, or those given); the months written.

    A month no county has any more loses its combined files; so do all such months when every month is rebuilt."""
    if not layout.is_multi_county(root):
        raise layout.StoreError(f"{root} 不是多县数据目录（没有行政区划表），无需合并月度文件")
    written = []
    with _combine_lock(root):
        _remove_old(root)
        snapshots = county_snapshots(root)
        wanted = sorted(snapshots) if dates is None else sorted(set(dates))
        for on in wanted:
            if on in snapshots:
                _write_month(root, on, snapshots[on])
                written.append(on)
            else:
                _retire(month_folder(root, on))
        if dates is None:
            for folder in _combined_months(root):
                if layout.snapshot_date_of(folder.name) not in snapshots:
                    _retire(folder)
    layout.announce_write(root)
    return written


def after_county_write(county_store: Path, on: date) -> str | None:
    """Combine the month a county's import just wrote, when that county lies in a store of many counties; a failure
    is a note for the person importing (the import itself stands: readers read the county folders meanwhile)."""
    root = county_store.parent
    if not (layout.county_code_of(county_store.name) and layout.is_multi_county(root)):
        return None
    try:
        rebuild(root, [on])
    except (layout.StoreError, OSError, duckdb.Error, pa.ArrowException) as err:
        log.warning("combining %s of %s failed: %s", on, root, err)
        return f"本期数据已导入，但未能生成全市（省）月度合并文件（{err}）；请运行 python -m socialwork combine 重试"
    return None


@contextmanager
def _combine_lock(root: Path) -> Iterator[None]:
    """Held while combining; a second combining waits, then reads the store as the first left it."""
    with open(root / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_month(root: Path, on: date, stamps: Stamps) -> None:
    folders = [layout.snapshot_folder(layout.county_folder(root, code), on) for code in sorted(stamps)]
    parent = root / COMBINED_FOLDER
    parent.mkdir(exist_ok=True)
    staging = parent / f"{layout.STAGING_PREFIX}{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        con = duckdb.connect()
        try:
            con.execute("set enable_progress_bar = false")
            version = _source_version(con, folders)
            for table in TABLES + DERIVED_TABLES:
                files = [str(folder / f"{table.name}.parquet") for folder in folders]
                if table in DERIVED_TABLES:
                    _check_derived(con, table, files)
                combined = _combined_table(con, table, files, version)
                rows = ROW_GROUP_ROWS if table in DERIVED_TABLES else None  # as each county's file is written
                pq.write_table(combined, staging / f"{table.name}.parquet", row_group_size=rows)
        finally:
            con.close()
        # Last: a month without its sources is never read.
        (staging / SOURCES_FILE).write_text(json.dumps(stamps, sort_keys=True), encoding="utf-8")
        final = month_folder(root, on)
        _retire(final)
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _source_version(con: duckdb.DuckDBPyConnection, folders: list[Path]) -> int:
    """The newest contract version the month's county files were written under; newer than this program's is refused
    (combining would stamp them with a version that does not know their columns)."""
    files = [str(folder / f"{TABLES[0].name}.parquet") for folder in folders]
    newest = con.execute(
        "select max(try_cast(decode(value) as integer)) from parquet_kv_metadata($files) where decode(key) = $key",
        {"files": files, "key": VERSION_KEY},
    ).fetchall()[0][0]
    if newest is not None and newest > CONTRACT_VERSION:
        raise layout.StoreError(
            f"数据目录 {folders[0].parent.parent} 中的快照由较新版本的软件写入（数据契约第 {newest} 版）；"
            "请先更新本软件"
        )
    return CONTRACT_VERSION if newest is None else newest


def _check_derived(con: duckdb.DuckDBPyConnection, table: Table, files: list[str]) -> None:
    """A county's derived file written by an older version lacks columns: combined, they would read as empty."""
    rows = con.execute(
        "select file_name, list(name) from parquet_schema($files) where num_children is null group by file_name",
        {"files": files},
    ).fetchall()
    for file, names in rows:
        missing = [name for name in table.column_names if name not in names]
        if missing:
            raise layout.StoreError(
                f"汇总文件 {file} 缺少列：{'、'.join(missing)}（由旧版本写入）；"
                "请运行 python -m socialwork aggregate 重新生成"
            )


def _combined_table(con: duckdb.DuckDBPyConnection, table: Table, files: list[str], version: int) -> pa.Table:
    """Every county's rows of one table, with county_code, in the contract's columns (one a county's file lacks is
    empty, as a reader reads it), ordered by township so that a filter on places skips row groups."""
    order = "township_code nulls last, " if "township_code" in table.column_names else ""
    rows = con.sql(
        f"select * exclude ({SNAPSHOT_PARTITION}) rename ({COUNTY_PARTITION} as county_code) "
        "from read_parquet($files, hive_partitioning = true, union_by_name = true, "
        f"hive_types = {{'{SNAPSHOT_PARTITION}': 'DATE', '{COUNTY_PARTITION}': 'VARCHAR'}}) "
        f"order by {order}county_code",
        params={"files": files},
    ).to_arrow_table()
    fields = [pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns] + [pa.field("county_code", pa.string())]
    schema = pa.schema(fields, metadata={VERSION_KEY: str(version)})
    columns = [rows[f.name] if f.name in rows.column_names else pa.nulls(rows.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(columns, names=schema.names).cast(schema)


def _combined_months(root: Path) -> list[Path]:
    parent = root / COMBINED_FOLDER
    if not parent.is_dir():
        return []
    return [c for c in parent.iterdir() if c.is_dir() and layout.snapshot_date_of(c.name) is not None]


def _retire(folder: Path) -> None:
    """Move a combined month out of the readers' way; it is removed OLD_SECONDS later (_remove_old)."""
    if folder.exists():
        os.replace(folder, folder.parent / f"{OLD_PREFIX}{int(time.time())}-{uuid.uuid4().hex}")


def _remove_old(root: Path) -> None:
    parent = root / COMBINED_FOLDER
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        stale = child.name.startswith(layout.STAGING_PREFIX)  # a combining that died (the lock is ours now)
        if stale or (child.name.startswith(OLD_PREFIX) and _retired_seconds_ago(child.name) > OLD_SECONDS):
            shutil.rmtree(child, ignore_errors=True)


def _retired_seconds_ago(name: str) -> float:
    """From the name _retire gave (a folder's mtime is its creation's, not its retirement's)."""
    try:
        return time.time() - int(name[len(OLD_PREFIX) :].split("-", 1)[0])
    except ValueError:
        return float("inf")
