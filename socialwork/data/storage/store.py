"""The snapshot store: what readers and the import call, for a store in a folder (layout.py), in a bucket
(objectstore.py) or of many counties (combined.py).

A snapshot is written to a temporary folder beside the others and renamed into place only when
every table is written, so readers never see half a snapshot. One write at a time: a second import
while one is writing is refused at once, not queued. A temporary folder left by an interrupted write
is removed the next time the store is opened (remove_stale_staging).

A store in a bucket (location.Bucket, `SOCIALWORK_DATA=s3://…`) is published by manifests instead
(objectstore.py); the functions here that readers and the import call take either, so the rest of the
program asks this module, never the layout, which files a snapshot has (snapshot_files).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from socialwork.data.contract.county_files import COUNTY_FILE
from socialwork.data.contract.schema import ARROW_TYPES, Table
from socialwork.data.contract.tables import DERIVED_TABLES, TABLES
from socialwork.data.storage import aggregates, checksums, combined, objectstore
from socialwork.data.storage.layout import (
    COUNTY_FOLDER_NAME,
    MULTI_COUNTY_FILES,
    SNAPSHOT_FOLDER_NAME,
    STAGING_PREFIX,
    StoreError,
    announce_write,
    county_code_of,
    county_folders,
    is_multi_county,
    snapshot_folder,
    table_path,
    write_lock,
)
from socialwork.data.storage.location import Bucket, Location

log = logging.getLogger(__name__)


def snapshot_files(root: Location) -> dict[date, dict[str, Path]]:
    """Every snapshot's files by date and table name, as local paths DuckDB reads (for a bucket, this server's
    copy of what its manifests list): readers build views from these, never from a pattern of the layout."""
    if isinstance(root, Bucket):
        return objectstore.local_files(root)
    return {d: {t.name: table_path(root, d, t) for t in TABLES + DERIVED_TABLES} for d in snapshot_dates(root)}


def snapshot_dates(root: Location) -> list[date]:
    """Every intact as-of date in the store (of any of its counties), oldest first. A snapshot missing a file, or
    whose file differs from its checksum, is left out (damaged_snapshots names it): reading it would give wrong
    figures (a net increase from zero), and it must not take the intact months down with it."""
    return checked_snapshots(root)[0]


def checked_snapshots(root: Location) -> tuple[list[date], dict[date, str]]:
    """snapshot_dates, and each snapshot left out of them with what is wrong with it and what to do, in Chinese (a
    bucket's local copy is checked against the manifests' checksums as it is downloaded; a store of many counties'
    months as combined.listing says)."""
    if isinstance(root, Bucket):
        return objectstore.snapshot_dates(root), objectstore.damaged(root)
    if not root.is_dir():
        raise StoreError(f"数据目录不存在：{root}")
    if is_multi_county(root):
        return _multi_county_checked(root)
    return _checked_snapshots(root)


def _checked_snapshots(root: Path) -> tuple[list[date], dict[date, str]]:
    intact, damaged = [], {}
    for child in root.iterdir():
        match = SNAPSHOT_FOLDER_NAME.match(child.name)
        if not (match and child.is_dir()):
            continue
        try:
            on = date.fromisoformat(match.group(1))
        except ValueError as err:
            raise StoreError(f"快照文件夹名称中的日期无效：{child}") from err
        problem = checksums.snapshot_problem(child)
        if problem:
            damaged[on] = problem
        else:
            intact.append(on)
    return sorted(intact), dict(sorted(damaged.items()))


def _multi_county_checked(root: Path) -> tuple[list[date], dict[date, str]]:
    """Every month some county has intact (combined.listing): a county's damaged snapshot leaves that county out of
    its month (left_out_counties names it), not the month out of the store; a month whose every county is damaged is
    left out whole, each county's problem named."""
    listing = combined.listing(root)
    intact = [on for on in listing.snapshots if listing.reporting(on)]
    damaged = {
        on: "；".join(f"县 {code}：{problem}" for code, problem in listing.left_out[on].items())
        for on in listing.snapshots
        if not listing.reporting(on)
    }
    return intact, damaged


def left_out_counties(root: Location) -> dict[date, dict[str, str]]:
    """In a store of many counties, the months read without a county whose snapshot of that month is damaged: by
    month, each such county's code with what is wrong (empty for any other store)."""
    if isinstance(root, Bucket) or not is_multi_county(root):
        return {}
    listing = combined.listing(root)
    return {on: dict(counties) for on, counties in listing.left_out.items() if listing.reporting(on)}


def store_version(root: Location) -> tuple:
    """Changes whenever a snapshot is added or replaced, or the county's identity rewritten; part of every query
    cache key. For a bucket: its newest manifests and county.json's ETag (listed at most once a second)."""
    if isinstance(root, Bucket):
        return objectstore.published(root).version
    if not root.is_dir():
        return ()
    if is_multi_county(root):
        months_folder = root / combined.COMBINED_FOLDER
        months = (
            tuple(sorted((c.name, c.stat().st_mtime_ns) for c in months_folder.iterdir()))
            if months_folder.is_dir()
            else ()
        )
        # A county folder's own mtime, not its snapshots': an import or a replacement renames a snapshot folder in or
        # out of it, and a derived rewrite combines the county's months again. Listing every county's snapshots each
        # second would cost the nation's 2,800 counties a quarter of a second. One pass over the store's folder: its
        # own files and its county folders.
        with os.scandir(root) as entries:
            own_and_counties = sorted(
                (e.name, e.stat().st_mtime_ns)
                for e in entries
                if COUNTY_FOLDER_NAME.match(e.name) or (e.name in MULTI_COUNTY_FILES and e.is_file())
            )
        return months + tuple(own_and_counties)
    return tuple(
        sorted(
            (c.name, c.stat().st_mtime_ns)
            for c in root.iterdir()
            if (SNAPSHOT_FOLDER_NAME.match(c.name) and c.is_dir()) or (c.name == COUNTY_FILE and c.is_file())
        )
    )


def to_arrow(table: Table, frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table with exactly the contract's columns and types."""
    schema = table.arrow_schema()
    columns = {}
    optional = {c.name for c in table.columns if c.nullable and c.since > 1}  # added later: may be left out
    for field in schema:
        if field.name not in frame.columns and field.name in optional:
            columns[field.name] = pa.nulls(len(frame), type=field.type)
            continue
        values = frame[field.name]
        if pa.types.is_date32(field.type):
            values = pd.to_datetime(values)
            columns[field.name] = pa.array(values, type=pa.timestamp("ns"), from_pandas=True).cast(pa.date32())
        else:
            columns[field.name] = _column_array(values, field.type)
    return pa.table(columns, schema=schema)


def _column_array(values: pd.Series, arrow_type: pa.DataType) -> pa.Array:
    try:  # vectorised for clean columns; lists survive mixed objects and floats standing in for integers
        return pa.Array.from_pandas(values, type=arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pa.array(values.tolist(), type=arrow_type, from_pandas=True)


def write_snapshot(root: Location, as_of: date, frames: dict[str, pd.DataFrame], replace: bool = False) -> Path:
    """Write every contract table for as_of atomically; an existing date needs replace=True."""
    missing = [t.name for t in TABLES if t.name not in frames]
    if missing:
        raise StoreError(f"快照 {as_of} 缺少数据表：{'、'.join(missing)}")
    return write_snapshot_tables(root, as_of, {t.name: to_arrow(t, frames[t.name]) for t in TABLES}, replace)


def write_snapshot_tables(root: Location, as_of: date, tables: dict[str, pa.Table], replace: bool = False) -> Path:
    """Write Arrow tables already in the contract's schema, and their derived tables, atomically, under the
    store's write lock (a second write at the same time is refused with BUSY); to a bucket, publish them."""
    if isinstance(root, Bucket):
        return _publish(root, as_of, tables, replace)
    with write_lock(root):
        final = snapshot_folder(root, as_of)
        if final.exists() and not replace:  # checked under the lock: another import may just have written it
            raise StoreError(f"快照 {as_of} 已存在；如需覆盖请使用 --replace")
        _remove_staging(root)  # an interrupted import's leftovers: this write holds the lock, so none is in use
        staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            for table in TABLES:
                pq.write_table(tables[table.name].cast(table.arrow_schema()), staging / f"{table.name}.parquet")
            _write_derived(staging, as_of)
            checksums.record(staging, as_of)  # last: a snapshot's manifest says it was written whole
            if final.exists():
                _keep_replaced(root, final)
            os.replace(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    announce_write(root)
    return final


def _publish(bucket: Bucket, as_of: date, tables: dict[str, pa.Table], replace: bool) -> Path:
    """Write the snapshot's files in a local temporary folder, derived tables included, and publish them to the
    bucket; the bucket's conditional write, not a lock, keeps two servers from publishing one date twice."""
    with tempfile.TemporaryDirectory(prefix="socialwork-publish-") as temporary:
        folder = Path(temporary)
        for table in TABLES:
            pq.write_table(tables[table.name].cast(table.arrow_schema()), folder / f"{table.name}.parquet")
        _write_derived(folder, as_of)
        manifest = objectstore.publish(bucket, as_of, folder, replace)
    announce_write(bucket)
    return Path(manifest.key)


def _write_derived(folder: Path, as_of: date) -> None:
    aggregates.write_derived(folder, as_of)


def rewrite_derived(root: Location) -> list[date]:
    """Recompute every snapshot's derived tables in place (a store written before they existed), under the lock (in a
    store of many counties, every county's); the date of each snapshot rewritten."""
    if isinstance(root, Bucket):  # published files never change: rewrite a local copy, then publish it again
        raise StoreError(
            f"对象存储 {root} 中的快照不能原地重写；请在本地数据目录运行 aggregate 后用 publish --replace 重新发布"
        )
    if is_multi_county(root):  # each county under its own lock, then the months combined again
        written = sorted({d for folder in county_folders(root).values() for d in _rewrite_derived_of(folder)})
        combined.rebuild(root)
        return written
    written = _rewrite_derived_of(root)
    if county_code_of(root.name) and is_multi_county(root.parent):  # one county of many: its months combined again
        combined.rebuild(root.parent, written)
    return written


def _rewrite_derived_of(root: Path) -> list[date]:
    written = []
    with write_lock(root):
        for child in sorted(root.iterdir()):
            match = SNAPSHOT_FOLDER_NAME.match(child.name)
            if match and child.is_dir():
                on = date.fromisoformat(match.group(1))
                _write_derived(child, on)
                # The contract tables' checksums as recorded at import (a file damaged since stays found out);
                # recorded now for a snapshot written before checksums existed.
                checksums.record(child, on, keep=tuple(f"{t.name}.parquet" for t in TABLES))
                written.append(on)
    return written


def remove_stale_staging(root: Location) -> int:
    """Remove the temporary folders interrupted writes left in the store; how many were removed.

    None is removed while a write holds the lock (its own folder is in use), and without any there is
    nothing to lock: a read-only store, such as the demo, stays untouched. In a bucket: uploads no manifest
    lists, once older than objectstore.STALE_SECONDS.
    """
    if isinstance(root, Bucket):
        try:
            return objectstore.remove_stale_uploads(root)
        except objectstore.Unreachable as err:  # a replica serving its local copy: the next opening cleans up
            log.warning("could not remove stale uploads: %s", err)
            return 0
    if is_multi_county(root):
        return sum(remove_stale_staging(folder) for folder in county_folders(root).values())
    if not root.is_dir() or not any(c.name.startswith(STAGING_PREFIX) for c in root.iterdir()):
        return 0
    try:
        with write_lock(root):
            stale = _remove_staging(root)
    except StoreError:  # an import is writing now: its folder is not stale; the next opening cleans up
        return 0
    except OSError as err:  # e.g. a read-only store: reading it must still work
        log.warning("could not remove staging folders in %s: %s", root, err)
        return 0
    return stale


def _remove_staging(root: Path) -> int:
    """Remove the staging folders in a store whose write lock the caller holds; how many there were."""
    stale = [c for c in root.iterdir() if c.name.startswith(STAGING_PREFIX) and c.is_dir()]
    for folder in stale:
        shutil.rmtree(folder)
    if stale:
        log.info("removed %d staging folder(s) left by interrupted imports in %s", len(stale), root)
    return len(stale)


def _keep_replaced(root: Path, folder: Path) -> None:
    """Move a snapshot about to be replaced under .replaced/, stamped, so it can be restored."""
    keep = root / ".replaced"
    keep.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    os.replace(folder, keep / f"{folder.name}@{stamp}")


def read_table(root: Location, as_of: date, table: Table) -> pd.DataFrame:
    """One table of one snapshot as a frame in the contract's columns, a column added after the snapshot was written
    empty (for tests, checks, exports and carrying the plan forward, not for pages)."""
    if isinstance(root, Bucket):
        path = snapshot_files(root).get(as_of, {}).get(table.name, Path(f"{root}/{as_of}/{table.name}.parquet"))
    else:
        path = table_path(root, as_of, table)
    try:
        stored = pq.read_table(path)
    except (OSError, pa.ArrowException) as err:
        raise StoreError(f"无法读取快照文件 {path}：{err}") from err
    columns = [
        stored[c.name] if c.name in stored.column_names else pa.nulls(stored.num_rows, ARROW_TYPES[c.type])
        for c in table.columns
    ]
    return pa.table(columns, names=list(table.column_names)).to_pandas()


def table_files(root: Location, table_name: str) -> list[Path]:
    """Every snapshot's file of a table, of every county in a store of many counties: the list readers build their
    views from (a list, not a glob: a bucket's are this server's copies of what its manifests list)."""
    return files_by_table(root)[table_name]


def files_by_table(root: Location) -> dict[str, list[Path]]:
    """table_files of every table, the store listed once (a nation's 2,800 county folders take a quarter second)."""
    names = [t.name for t in TABLES + DERIVED_TABLES]
    if isinstance(root, Bucket):
        listed = sorted(snapshot_files(root).items())
        return {name: [files[name] for _, files in listed] for name in names}
    if is_multi_county(root):
        months = sorted(combined.reader_files(root).items())
        return {name: [f for _, files in months for f in files[name]] for name in names}
    listed = sorted(snapshot_files(root).items())  # intact snapshots only (snapshot_dates)
    return {name: [files[name] for _, files in listed] for name in names}


def files_of_date(root: Location, as_of: date, table_name: str) -> list[Path]:
    """The files of one table at one date that readers read: for a store of many counties the combined month's while
    it is fresh, else each reporting county's (combined.py)."""
    return files_by_date(root).get(as_of, {}).get(table_name, [])


def files_by_date(root: Location) -> dict[date, dict[str, list[Path]]]:
    """files_of_date of every date and table, the store listed once."""
    if is_multi_county(root):
        return combined.reader_files(root)
    return {on: {name: [path] for name, path in files.items()} for on, files in snapshot_files(root).items()}
