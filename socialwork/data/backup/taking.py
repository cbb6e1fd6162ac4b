"""`python -m socialwork backup`: one archive of a store (archive.py): its files, the server database's tables, and a
reference to the users file.

A folder store is archived file by file as it lies (county.json, boundaries, divisions and division targets, every
county's and every combined month's snapshots, `.replaced/`), with each folder's time: a combined month is read only
while its county snapshots' folder times match what it recorded, so a restored store reads as the original did. Left
out: the write locks, half-written folders of a write in progress, and the SQLite server database, which goes in as
its tables instead. The store's write lock is held while it is read, so no import lands halfway through a backup.

A bucket store is archived as the folder store a `restore` makes of it: county.json, boundaries.geojson and each
date's published version of its snapshot, in the folder layout (older versions of a replaced date stay in the bucket
only).

The users file is referenced (its path and SHA-256), not copied: it holds the password hashes, and an archive is
copied to other disks and machines, where a hash is a start for guessing. It is configuration, restored with the rest
of /etc (docs/setup.md, "Backups").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from socialwork.data.backup import archive
from socialwork.data.backup.archive import SERVER_FOLDER, STORE_FOLDER, Member
from socialwork.data.contract.county_files import BOUNDARIES_FILE, COUNTY_FILE
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.contract.schema import CONTRACT_VERSION
from socialwork.data.contract.tables import SNAPSHOT_PARTITION
from socialwork.data.server import portable, serverdb
from socialwork.data.storage import combined, layout, objectstore
from socialwork.data.storage.layout import LOCK_FILE, STAGING_PREFIX, StoreError
from socialwork.data.storage.location import Bucket, Location

# Names in a folder store that are no part of its data: the write locks, and folders and files a write has not yet
# renamed into place (or a combining has retired). SQLite's journal files go with the database they belong to.
LEFT_OUT_NAMES = {LOCK_FILE, combined.LOCK_FILE}
LEFT_OUT_PREFIXES = (STAGING_PREFIX, combined.OLD_PREFIX)
LEFT_OUT_SUFFIXES = (".partial", ".tmp")
SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


def take(data: Location, out: Path, users_file: Path | None, clock: Callable[[], datetime]) -> dict:
    """Write the archive of the store at data (and its server database) to out; the manifest written."""
    if not layout.exists(data):
        raise StoreError(f"数据目录不存在：{data}")
    url = serverdb.server_url(data)
    with ExitStack() as locks:
        if isinstance(data, Path) and not layout.is_demo(data):
            for root in [data, *layout.county_folders(data).values()]:
                locks.enter_context(layout.write_lock(root))
        dumped = portable.dump(url)
        left_out = _server_files(url)
        members = list(_bucket_members(data) if isinstance(data, Bucket) else _folder_members(data, left_out))
        members += _dump_members(dumped, clock())
        manifest = {
            "program": "socialwork",
            "created_at": clock().isoformat(timespec="seconds"),
            "contract_version": CONTRACT_VERSION,
            "source": str(data),
            "server": _server_entry(dumped, url),
            "users_file": _users_entry(users_file),
        }
        return archive.write(out, members, manifest)


def _server_files(url: str) -> set[Path]:
    path = serverdb.sqlite_path(url)
    if path is None:
        return set()
    path = path.resolve()
    return {path.with_name(path.name + companion) for companion in SQLITE_COMPANIONS}


def _left_out(name: str) -> bool:
    return name in LEFT_OUT_NAMES or name.startswith(LEFT_OUT_PREFIXES) or name.endswith(LEFT_OUT_SUFFIXES)


def _folder_members(root: Path, server_files: set[Path]) -> Iterator[Member]:
    """Every folder and file under root in name order (deterministic archives), what is no data left out."""
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(name for name in subfolders if not _left_out(name))
        for name in subfolders:
            path = here / name
            yield Member(_name(root, path), path.stat().st_mtime_ns, folder=True)
        for name in sorted(files):
            path = here / name
            if _left_out(name) or path.resolve() in server_files or not path.is_file():
                continue
            yield Member(_name(root, path), path.stat().st_mtime_ns, path=path)


def _name(root: Path, path: Path) -> str:
    return f"{STORE_FOLDER}/{path.relative_to(root).as_posix()}"


def _bucket_members(bucket: Bucket) -> Iterator[Member]:
    """The bucket's county.json, its boundaries.geojson and each date's published snapshot, from this server's local
    copy (downloaded first where missing), laid out as a folder store."""
    files = objectstore.local_files(bucket)
    for name in (COUNTY_FILE, BOUNDARIES_FILE):
        path = objectstore.beside_path(bucket, name)
        if path.is_file():
            yield Member(f"{STORE_FOLDER}/{name}", path.stat().st_mtime_ns, path=path)
    for as_of, tables in files.items():
        folder = f"{STORE_FOLDER}/{SNAPSHOT_PARTITION}={as_of.isoformat()}"
        newest = max(path.stat().st_mtime_ns for path in tables.values())
        yield Member(folder, newest, folder=True)
        for name, path in sorted(tables.items()):
            yield Member(f"{folder}/{name}.parquet", path.stat().st_mtime_ns, path=path)


def _dump_members(dumped: portable.Dump | None, now: datetime) -> list[Member]:
    if dumped is None:
        return []
    stamp = int(now.timestamp()) * 1_000_000_000
    return [
        Member(f"{SERVER_FOLDER}/{name}.jsonl", stamp, content=text.encode("utf-8"))
        for name, text in dumped.tables.items()
    ]


def _server_entry(dumped: portable.Dump | None, url: str) -> dict | None:
    """What the manifest says of the server database: never its URL, which may hold a password."""
    if dumped is None:
        return None
    return {
        "dialect": dumped.dialect,
        "schema_version": dumped.schema_version,
        "rows": dumped.row_counts(),
        "sqlite_file": FOLLOWUP_FILE if serverdb.sqlite_path(url) else None,
    }


def _users_entry(users_file: Path | None) -> dict | None:
    if users_file is None:
        return None
    path = users_file.expanduser().resolve()
    if not path.is_file():
        return {"path": str(path), "sha256": None}
    return {"path": str(path), "sha256": archive.sha256_of(path)}
