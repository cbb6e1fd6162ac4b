"""A backup archive: one tar file, written whole or not at all, and read back only after every member was checked.

    store/county.json, store/snapshot_date=2026-10-31/people.parquet, …   the store's files (folders with their times)
    server/schema_version.jsonl, server/meetings.jsonl, …                 the server database's tables (portable.py)
    backup.json                                                           the manifest, written last

The manifest lists every file member with its SHA-256 and size; `verified` reads the whole archive and refuses it
(BackupError, naming the member) when a member is missing, extra, unsafe, or differs from its checksum, before a
restore writes anything. Plain tar from the standard library: Parquet is compressed already, and any machine's `tar`
can list or unpack it by hand.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import tarfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

FORMAT = 1
MANIFEST = "backup.json"
STORE_FOLDER = "store"
SERVER_FOLDER = "server"
READ_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup that could not be written, or an archive that cannot be restored, worded in Chinese."""


@dataclass(frozen=True)
class Member:
    """What goes into the archive: a file's bytes from a path or in memory, or a folder (for its time)."""

    name: str
    mtime_ns: int
    path: Path | None = None
    content: bytes | None = None
    folder: bool = False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing(io.RawIOBase):
    """A file read through, its SHA-256 and size counted on the way into the archive."""

    def __init__(self, handle) -> None:
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _info(member: Member, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(member.name)
    info.mtime = member.mtime_ns // 1_000_000_000
    info.type = tarfile.DIRTYPE if member.folder else tarfile.REGTYPE
    info.mode = 0o755 if member.folder else 0o644
    info.size = 0 if member.folder else size
    return info  # owner left empty: whoever restores owns the files


def _add(archive: tarfile.TarFile, member: Member) -> dict | None:
    """Add one member; what the manifest says of it: a file's checksum and size, and its time to the nanosecond
    (tar keeps whole seconds; a combined month compares its county folders' times in nanoseconds)."""
    if member.folder:
        archive.addfile(_info(member, 0))
        return {"mtime_ns": member.mtime_ns}
    if member.content is not None:
        archive.addfile(_info(member, len(member.content)), io.BytesIO(member.content))
        return {"sha256": hashlib.sha256(member.content).hexdigest(), "bytes": len(member.content),
                "mtime_ns": member.mtime_ns}  # fmt: skip
    assert member.path is not None
    with open(member.path, "rb") as handle:
        reader = _Hashing(handle)
        archive.addfile(_info(member, os.fstat(handle.fileno()).st_size), reader)
    return {"sha256": reader.digest.hexdigest(), "bytes": reader.size, "mtime_ns": member.mtime_ns}


def write(out: Path, members: Iterable[Member], manifest: dict) -> dict:
    """Write the archive to a temporary name beside out and rename it into place; the manifest gets the members'
    checksums. Any failure (a full disk included) leaves no file behind and raises BackupError."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}.partial")
    try:
        with open(partial, "wb") as handle:
            with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive:
                files, folders = {}, {}
                for member in members:
                    said = _add(archive, member)
                    (folders if member.folder else files)[member.name] = said
                manifest = {"format": FORMAT, **manifest, "files": files, "folders": folders}
                text = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                archive.addfile(_info(Member(MANIFEST, manifest_time_ns(manifest)), len(text)), io.BytesIO(text))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except OSError as err:
        raise BackupError(f"备份文件 {out} 未写成（{reason(err)}），未留下不完整的文件，数据目录未改动") from err
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    _sync_folder(out.parent)
    return manifest


def manifest_time_ns(manifest: dict) -> int:
    return int(datetime.fromisoformat(manifest["created_at"]).timestamp()) * 1_000_000_000


def reason(err: OSError) -> str:
    """Why a write failed, in Chinese where it is the disk."""
    if err.errno == errno.ENOSPC:
        return "磁盘空间不足"
    where = f"：{err.filename}" if err.filename else ""
    return f"{err.strerror or err}{where}"


def _sync_folder(folder: Path) -> None:
    """The rename itself on disk, so that a power cut after `backup` returned keeps the archive."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------- reading back


@dataclass(frozen=True)
class Verified:
    """An archive whose every member matched its manifest (each member's time is the manifest's)."""

    path: Path
    manifest: dict

    def members(self) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
        """Each file member and a reader of its bytes (valid until the next member), read again: the archive was
        checked whole just before."""
        with tarfile.open(self.path, mode="r:") as archive:
            for info in archive:
                if info.isfile() and info.name != MANIFEST:
                    handle = archive.extractfile(info)
                    assert handle is not None
                    yield info, handle


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and parts[0] in (STORE_FOLDER,
                                                                                       SERVER_FOLDER)  # fmt: skip


def verified(path: Path) -> Verified:
    """The archive at path, every member checked against the manifest's checksums; BackupError naming what is
    wrong otherwise. Nothing is written."""
    found: dict[str, dict] = {}
    folders: set[str] = set()
    manifest_text = None
    try:
        with tarfile.open(path, mode="r:") as archive:
            for info in archive:
                if info.name == MANIFEST and info.isfile():
                    manifest_text = archive.extractfile(info).read()
                elif info.isdir() and _safe(info.name):
                    folders.add(info.name)
                elif info.isfile() and _safe(info.name):
                    found[info.name] = _checksum(archive.extractfile(info))
                else:
                    raise BackupError(f"备份文件 {path} 含有不应有的条目 {info.name}，已拒绝恢复")
    except FileNotFoundError as err:
        raise BackupError(f"备份文件不存在：{path}") from err
    except (tarfile.TarError, EOFError, OSError) as err:
        raise BackupError(f"备份文件 {path} 已损坏或不完整（{err}），未恢复任何数据") from err
    if manifest_text is None:
        raise BackupError(f"备份文件 {path} 缺少清单 {MANIFEST}（不完整或不是本程序的备份），未恢复任何数据")
    try:
        manifest = json.loads(manifest_text)
    except ValueError as err:
        raise BackupError(f"备份文件 {path} 的清单 {MANIFEST} 已损坏，未恢复任何数据") from err
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份文件 {path} 的格式版本为 {manifest.get('format')}，本程序只能恢复第 {FORMAT} 版")
    listed = {
        name: {k: v for k, v in said.items() if k != "mtime_ns"} for name, said in manifest.get("files", {}).items()
    }
    _compare(path, listed, found)
    if folders != set(manifest.get("folders", {})):
        raise BackupError(f"备份文件 {path} 未通过校验（文件夹与清单不符），未恢复任何数据")
    return Verified(path, manifest)


def _checksum(handle) -> dict:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(READ_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return {"sha256": digest.hexdigest(), "bytes": size}


def _compare(path: Path, listed: dict[str, dict], found: dict[str, dict]) -> None:
    missing = sorted(set(listed) - set(found))
    extra = sorted(set(found) - set(listed))
    damaged = sorted(name for name in set(listed) & set(found) if listed[name] != found[name])
    problems = [f"缺少 {name}" for name in missing] + [f"多出 {name}" for name in extra]
    problems += [f"{name} 的校验和不符（文件已损坏）" for name in damaged]
    if problems:
        shown = "；".join(problems[:10]) + (f"；等共 {len(problems)} 处" if len(problems) > 10 else "")
        raise BackupError(f"备份文件 {path} 未通过校验，未恢复任何数据：{shown}")
