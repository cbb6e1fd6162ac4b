"""Combined months of a store of many counties: every county's rows of one month in one file per table.

A store of many counties keeps each county's snapshots in its own folder (`county=<code>/`), written by that county's
import alone. Read as they are, a province's month is 120 folders' files and the nation's 2,800, and DuckDB opens
every file's footer to plan a query. So after a county's import (and by `python -m socialwork combine`) the month's
files of every county are also written combined, each row with its county_code::

    <root>/combined/snapshot_date=2024-06-30/people.parquet, ..., township_figures.parquet
    <root>/combined/snapshot_date=2024-06-30/manifest.json  each file's checksum (checksums.py), as a county's
    <root>/combined/snapshot_date=2024-06-30/sources.json   {county code: the snapshot folder it was made from}

A combined month is derived and rebuildable, never a source: readers use it only while every county's snapshot of
that month is the very folder it was made from (`fresh_months`) and its files are as their checksums say. A county
re-imported since, or newly reporting the month, makes it stale, and a damaged file makes it damaged: either way the
month is read from the county folders until it is combined again; deleting `combined/` loses nothing.

A county's snapshot that is damaged (a file missing, or not as its checksum) is read as if that county had not
reported the month (`listing`: the other counties and months are read as ever, and pages name it), and combining
leaves it out. One combining at a time (`.combine-lock`, waited for: the second combines after the first
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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from socialwork.data.contract.county_files import COUNTY_PARTITION
from socialwork.data.contract.schema import ARROW_TYPES, CONTRACT_VERSION, VERSION_KEY, Table
from socialwork.data.contract.tables import DERIVED_TABLES, SNAPSHOT_PARTITION, TABLES
from socialwork.data.storage import checksums, layout
from socialwork.data.storage.aggregates import ROW_GROUP_ROWS

COMBINED_FOLDER = "combined"
SOURCES_FILE = "sources.json"
LOCK_FILE = ".combine-lock"
OLD_PREFIX = ".old-"
OLD_SECONDS = 600  # a replaced combined month stays this long: a reader may still be planning a query on its files
log = logging.getLogger(__name__)

# county code -> its snapshot folder's mtime: writing or replacing a snapshot, or rewriting its derived files, changes
# it; a copy of the store (copytree, rsync -a) keeps it, so a copied store's combined months stay fresh. In a bucket's
# local copy a snapshot folder is a link to the files its county's manifest lists, and its stamp is their upload
# (upload_stamp): the same on every server, and new whenever the county publishes the month again.
Stamps = dict[str, str]


def upload_stamp(relative: str) -> str:
    """A snapshot's stamp from where its files lie in its county's bucket store (or a link to them):
    "uploads/<stamp>-<id>/snapshot_date=<date>"."""
    return "/".join(Path(relative).parts[-3:])


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
                    stamp = upload_stamp(os.readlink(entry.path)) if entry.is_symlink() else entry.stat().st_mtime_ns
                    found.setdefault(on, {})[code] = str(stamp)
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


@dataclass(frozen=True)
class Listing:
    """A store of many counties as readers read it: each month from its combined files or its counties' folders."""

    snapshots: dict[date, Stamps]  # every county's snapshot folders by date, damaged ones too
    fresh: set[date]  # the months read from their combined files
    left_out: dict[date, dict[str, str]]  # by month, each county whose snapshot is damaged, with what is wrong

    def reporting(self, on: date) -> list[str]:
        """The counties whose snapshot of the month is read (not left out as damaged)."""
        return sorted(code for code in self.snapshots.get(on, {}) if code not in self.left_out.get(on, {}))


def listing(root: Path) -> Listing:
    """The store's months as readers read them: a fresh, intact combined month as it is; any other month from the
    snapshot folders of its counties, each checked against its checksums, a damaged one left out."""
    snapshots = county_snapshots(root)
    fresh = {on for on in fresh_months(root, snapshots) if not month_problems(root, on, remembered=True)}
    left_out = {}
    for on, stamps in snapshots.items():
        if on in fresh:
            continue
        damaged = {code: problem for code in stamps if (problem := _county_problem(root, code, on))}
        if damaged:
            left_out[on] = damaged
    return Listing(snapshots, fresh, left_out)


def _county_problem(root: Path, code: str, on: date, remembered: bool = True) -> str | None:
    return checksums.snapshot_problem(layout.snapshot_folder(layout.county_folder(root, code), on), remembered)


def month_problems(root: Path, on: date, remembered: bool = False) -> list[checksums.Problem]:
    """A combined month's damaged or missing files (none for a month combined before checksums were recorded)."""
    found, _ = checksums.problems(month_folder(root, on), checksums.SNAPSHOT_FILES, remembered)
    return found


def reader_files(root: Path) -> dict[date, dict[str, list[Path]]]:
    """Every month's files by table, as readers should read them: the combined month's file where it is fresh and
    intact, else each reporting county's own (a county whose snapshot is damaged left out)."""
    listed = listing(root)
    names = [t.name for t in TABLES + DERIVED_TABLES]
    files = {}
    for on in listed.snapshots:
        if on in listed.fresh:
            folders = [month_folder(root, on)]
        else:
            folders = [layout.snapshot_folder(layout.county_folder(root, code), on) for code in listed.reporting(on)]
        if folders:
            files[on] = {name: [folder / f"{name}.parquet" for folder in folders] for name in names}
    return files


# ---------------------------------------------------------------- writing
def rebuild(root: Path, dates: list[date] | None = None) -> list[date]:
    """Write the combined months of a store of many counties (every month, or those given); the months written.

    A month no county has any more loses its combined files; so do all such months when every month is rebuilt."""
    if not layout.is_multi_county(root):
        raise layout.StoreError(f"{root} 不是多县数据目录（没有行政区划表），无需合并月度文件")
    if not isinstance(root, Path):  # a bucket's are combined by bucket_combined.combine, one server at a time
        raise layout.StoreError(f"{root} 是对象存储中的多县数据：请运行 python -m socialwork combine --data {root}")
    written = []
    with _combine_lock(root):
        _remove_old(root)
        snapshots = county_snapshots(root)
        wanted = sorted(snapshots) if dates is None else sorted(set(dates))
        for on in wanted:
            if on in snapshots and _write_month(root, on, snapshots[on]):
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


def _write_month(root: Path, on: date, stamps: Stamps) -> bool:
    """Combine the month's intact county snapshots into its combined folder; whether any was."""
    parent = root / COMBINED_FOLDER
    parent.mkdir(exist_ok=True)
    staging = parent / f"{layout.STAGING_PREFIX}{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        combined_stamps = write_month_files(root, on, stamps, staging)
        if not combined_stamps:
            return False
        # Last: a month without its sources is never read.
        (staging / SOURCES_FILE).write_text(json.dumps(combined_stamps, sort_keys=True), encoding="utf-8")
        final = month_folder(root, on)
        _retire(final)
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def write_month_files(root: Path, on: date, stamps: Stamps, target: Path) -> Stamps:
    """Write the month's combined files of its intact county snapshots into target, with their checksums; the stamps
    of the counties combined (none: nothing written). A damaged snapshot is left out, and its county's stamp with it:
    the month then reads as stale, from the county folders, the damaged one left out there too."""
    damaged = {code: problem for code in stamps if (problem := _county_problem(root, code, on, remembered=False))}
    for code, problem in damaged.items():
        log.warning("combining %s of %s leaves out county %s: %s", on, root, code, problem)
    stamps = {code: stamp for code, stamp in stamps.items() if code not in damaged}
    if not stamps:
        return {}
    folders = [layout.snapshot_folder(layout.county_folder(root, code), on) for code in sorted(stamps)]
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
            pq.write_table(combined, target / f"{table.name}.parquet", row_group_size=rows)
    finally:
        con.close()
    checksums.record(target, on)
    return stamps


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
