"""How a snapshot store is laid out: one folder per as-of date, one Parquet file per contract table.

Layout::

    <data dir>/snapshot_date=2023-01-31/townships.parquet
    <data dir>/snapshot_date=2023-01-31/people.parquet
    ...
    <data dir>/.replaced/...      snapshots replaced by a later import, kept for recovery
    <data dir>/.write-lock        held (flock) by the one write at a time
    <data dir>/county.json        the county the store belongs to (socialwork/data/storage/identity.py)

A store of many counties (a city's, a province's) is a folder holding divisions.parquet and one such store per
county, each written on its own (`import --county CODE`)::

    <root>/divisions.parquet
    <root>/county=530524/county.json, snapshot_date=2023-01-31/..., .write-lock

or a bucket prefix holding divisions.parquet and one bucket store per county under `county=<code>/`, read through a
local copy laid out as the folder (bucket_counties.py).

Also here, below every module that reads or writes a store (store.py, combined.py, objectstore.py): the error they
raise, the write lock, and the announcement of a write to the readers that asked to hear of it.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from socialwork.data import settings
from socialwork.data.contract.county_files import COUNTY_PARTITION, DIVISION_TARGETS_FILE, DIVISIONS_FILE
from socialwork.data.contract.schema import Table
from socialwork.data.contract.tables import SNAPSHOT_PARTITION
from socialwork.data.storage import bucket_io
from socialwork.data.storage.errors import StoreError as StoreError  # raised by every module of the store
from socialwork.data.storage.location import Bucket, Location

# The names of a snapshot's folder and of a county's folder in a store of many counties.
SNAPSHOT_FOLDER_NAME = re.compile(rf"^{SNAPSHOT_PARTITION}=(\d{{4}}-\d{{2}}-\d{{2}})$")
COUNTY_FOLDER_NAME = re.compile(rf"^{COUNTY_PARTITION}=(\d{{6}})$")
LOCK_FILE = ".write-lock"
STAGING_PREFIX = ".staging-"
BUSY = "另一个导入正在写入该数据目录，请稍后再试"
DEMO_USERS_FILE = "demo-users.toml"  # the demo's own logins (README: 演示账号), read for the demo store alone
DEMO_MARKER = ".socialwork-demo"  # in the built-in demo folder, which `demo` rewrites: no real data goes there


def snapshot_folder(root: Path, as_of: date) -> Path:
    return root / f"{SNAPSHOT_PARTITION}={as_of.isoformat()}"


def table_path(root: Path, as_of: date, table: Table) -> Path:
    return snapshot_folder(root, as_of) / f"{table.name}.parquet"


def snapshot_date_of(name: str) -> date | None:
    """The as-of date a snapshot folder's name holds (None for any other name, or an impossible date)."""
    match = SNAPSHOT_FOLDER_NAME.match(name)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def county_code_of(name: str) -> str | None:
    """The county code a county folder's name in a store of many counties holds (None for any other name)."""
    match = COUNTY_FOLDER_NAME.match(name)
    return match.group(1) if match else None


def exists(root: Location) -> bool:
    """Whether the store is there at all (a folder; a bucket is always asked)."""
    return isinstance(root, Bucket) or root.is_dir()


def is_demo(root: Location) -> bool:
    """The built-in demo folder, which `demo` rewrites: no real data may go there."""
    return not isinstance(root, Bucket) and (root / DEMO_MARKER).exists()


# ---------------------------------------------------------------- many counties: one single-county store each
# The files that make a folder a store of many counties.
MULTI_COUNTY_FILES = (DIVISIONS_FILE, DIVISION_TARGETS_FILE)


def is_multi_county(root: Location) -> bool:
    """A store of many counties holds divisions.parquet; a single county's store never does. A bucket store's root
    is listed for it at most once a second (bucket_io.root)."""
    if isinstance(root, Bucket):
        return bucket_io.root(root).many_counties
    return (root / DIVISIONS_FILE).is_file()


def local_root(root: Location) -> Path:
    """Where a store's own files (divisions.parquet and the county folders of many counties) are read: the folder
    itself, or a bucket store's local copy (bucket_counties.py keeps it as a folder store of many counties)."""
    return settings.cache_dir(root) if isinstance(root, Bucket) else root


def county_folder(root: Location, county_code: str) -> Path:
    """Where a county's own store lies in a store of many counties, as readers read it (of a bucket store, in its
    local copy)."""
    return local_root(root) / f"{COUNTY_PARTITION}={county_code}"


def county_store(root: Location, county_code: str) -> Location:
    """Where a county's own store is written in a store of many counties: its folder, or its prefix in the bucket."""
    return bucket_io.county_bucket(root, county_code) if isinstance(root, Bucket) else county_folder(root, county_code)


def county_folders(root: Location) -> dict[str, Path]:
    """Each county's own store in a store of many counties, by county code (empty for a single county's)."""
    if not is_multi_county(root):
        return {}
    if isinstance(root, Bucket):
        return {code: county_folder(root, code) for code in bucket_io.root(root).counties}
    found = ((COUNTY_FOLDER_NAME.match(c.name), c) for c in root.iterdir() if c.is_dir())
    return {m.group(1): c for m, c in sorted(found, key=lambda mc: mc[1].name) if m}


def many_counties_of(county: Location) -> Location | None:
    """The store of many counties a county's own store lies in (a folder's parent, a prefix's parent prefix), or
    None for a county's store of its own."""
    if isinstance(county, Bucket):
        parent, _, name = county.prefix.rpartition("/")
        around = Bucket(county.bucket, parent)
    else:
        name, around = county.name, county.parent
    return around if county_code_of(name) and is_multi_county(around) else None


@contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Hold the store's write lock for the block; StoreError (BUSY) at once when another write holds it.

    flock is per open file, so it also keeps apart two threads of one server, and the kernel releases it
    when a writer dies. The lock file stays: removing it would let a waiting writer lock a file no one sees.
    """
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise StoreError(BUSY) from err
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Readers that cache by store version (figures.db) ask to hear of each write, so that this process sees a new
# snapshot at once rather than at its next version check: the data wing never imports the readers.
_write_listeners: list[Callable[[Location], None]] = []


def on_write(listener: Callable[[Location], None]) -> None:
    """Call listener(root) after every write to a store (snapshot, derived tables, identity)."""
    if listener not in _write_listeners:
        _write_listeners.append(listener)


def announce_write(root: Location) -> None:
    for listener in _write_listeners:
        listener(root)
