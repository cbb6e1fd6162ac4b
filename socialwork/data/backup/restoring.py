"""`python -m socialwork restore ARCHIVE --data EMPTY_DIR`: a backup (archive.py) brought back into an empty place.

In this order, so that a refusal writes nothing: the archive is checked whole (every member against its checksum),
the target folder must be empty or absent, the target server database ($SOCIALWORK_DB, else the SQLite file the
restored store will have) must hold no rows. Then the store's files are written into a staging folder beside the
target, with their folder times; the server database's tables are loaded in one transaction (into the staging
folder's SQLite file, or PostgreSQL); and the staging folder is renamed into place. A failure before the rename
removes the staging folder; PostgreSQL's transaction leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from socialwork.data.backup import archive
from socialwork.data.backup.archive import SERVER_FOLDER, STORE_FOLDER, BackupError, Verified
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.server import portable, serverdb


@dataclass(frozen=True)
class Restored:
    """What a restore wrote: files, each server table's rows, and where."""

    target: Path
    files: int
    rows: dict[str, int]
    database: str
    users_file: str | None


def restore(path: Path, target: Path, db_url: str | None) -> Restored:
    """Restore the archive at path into the empty folder target and the empty server database db_url (None: the
    SQLite file in the restored folder)."""
    checked = archive.verified(path)
    target = target.expanduser().resolve()
    _refuse_unless_empty(target)
    if db_url:
        problem = portable.emptiness_problem(db_url)
        if problem:
            raise BackupError(f"{problem}；恢复只写入空的数据库，未恢复任何数据")
    dumped = _dump_of(checked)
    staging = target.with_name(f".{target.name}.restoring-{uuid.uuid4().hex}")
    existed = target.exists()
    try:
        files = _write_store(checked, staging)
        if dumped is not None:
            url = db_url or f"sqlite:///{staging / FOLLOWUP_FILE}"
            try:
                portable.load(url, dumped)
            except serverdb.SchemaError as err:
                raise BackupError(f"{err}；未恢复任何数据") from err
        if target.exists():
            target.rmdir()  # empty, as checked: the staging folder takes its place
        os.replace(staging, target)
    except OSError as err:
        if existed:
            target.mkdir(exist_ok=True)
        raise BackupError(f"恢复未完成（{archive.reason(err)}）：写了一半的文件已删除，{target} 未改动") from err
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    database = _where(db_url, target)
    rows = {} if dumped is None else dumped.row_counts()
    return Restored(target, files, rows, database, (checked.manifest.get("users_file") or {}).get("path"))


def _refuse_unless_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise BackupError(f"恢复目标 {target} 是一个文件，不是文件夹；请指定一个空文件夹或新路径，未恢复任何数据")
    if target.is_dir() and any(target.iterdir()):
        count = sum(1 for _ in target.iterdir())
        raise BackupError(
            f"恢复目标 {target} 不是空文件夹（已有 {count} 个文件或文件夹）；为免覆盖现有数据，"
            "请指定一个空文件夹或新路径，未恢复任何数据"
        )


def _dump_of(checked: Verified) -> portable.Dump | None:
    server = checked.manifest.get("server")
    if server is None:
        return None
    tables = {
        PurePosixPath(info.name).stem: reader.read().decode("utf-8")
        for info, reader in checked.members()
        if info.name.startswith(f"{SERVER_FOLDER}/")
    }
    return portable.Dump(server["dialect"], server["schema_version"], tables)


def _write_store(checked: Verified, staging: Path) -> int:
    """Every store file of the archive under staging, then each folder's time (deepest first: writing a file into a
    folder changes the folder's time)."""
    staging.mkdir(parents=True)
    written = 0
    for info, reader in checked.members():
        relative = _relative(info.name)
        if relative is None:
            continue
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as written_file:
            shutil.copyfileobj(reader, written_file)
        mtime_ns = checked.manifest["files"][info.name]["mtime_ns"]
        os.utime(path, ns=(mtime_ns, mtime_ns))
        written += 1
    for name, said in sorted(checked.manifest["folders"].items(), key=lambda item: -item[0].count("/")):
        relative = _relative(name)
        if relative is not None:
            (staging / relative).mkdir(parents=True, exist_ok=True)
            os.utime(staging / relative, ns=(said["mtime_ns"], said["mtime_ns"]))
    return written


def _relative(name: str) -> str | None:
    """A store member's path inside the store; None for the server's members."""
    parts = PurePosixPath(name).parts
    return "/".join(parts[1:]) if parts[0] == STORE_FOLDER and len(parts) > 1 else None


def _where(db_url: str | None, target: Path) -> str:
    if db_url:
        return portable.shown_url(db_url)
    return str(target / FOLLOWUP_FILE)
