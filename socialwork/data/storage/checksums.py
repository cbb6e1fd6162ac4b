"""Each snapshot's files with their checksums, so that damage is found by comparison, not only by a reader failing.

A local snapshot holds `manifest.json` beside its Parquet files, written last when the snapshot is written (inside
the staging folder, before it is renamed into place) and again when `aggregate` rewrites its derived tables::

    {"format": 1, "snapshot_date": "2026-10-31", "files": {"people.parquet": {"sha256": "…", "bytes": 12345}, …}}

A bucket's manifest (objectstore.py) carries the same "checksums" beside its "files". A snapshot written before
checksums existed has no manifest: it reads as it did, and `verify` says "未记录校验和" for it rather than fail;
`verify --record` (or `aggregate`) records them for what is there now. Hashing a county's 47 months takes 40 ms, so
readers check a single county's snapshots whenever the store changes (store.snapshot_dates). A store of many counties
holds a nation's 8 GB: its readers check the combined months they read, and each county snapshot of a month read from
the county folders (combined.listing), remembering a file found intact until its size or mtime changes (a write
changes them; damage that keeps both, such as a failing disk's, is found by `verify`, which remembers nothing).
Combined months (combined.py) get their manifest when they are written, as county snapshots do.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from socialwork.data.contract.tables import DERIVED_TABLES, TABLES

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20
SNAPSHOT_FILES = [f"{t.name}.parquet" for t in TABLES + DERIVED_TABLES]
_REMEMBERED_MAX = 500_000  # files found intact (path, size, mtime, checksum); a nation's store has 1.2 million
_intact: set[tuple[str, int, int, str]] = set()


def digest(path: Path) -> str:
    """The file's SHA-256, as hex."""
    hashed = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            hashed.update(chunk)
    return hashed.hexdigest()


def entry(path: Path) -> dict[str, object]:
    return {"sha256": digest(path), "bytes": path.stat().st_size}


def record(folder: Path, as_of: date, keep: tuple[str, ...] = ()) -> None:
    """Write the folder's manifest: every Parquet file in it with its checksum (written under a temporary name and
    renamed, so a reader never sees half of it); the files named in keep with the checksum already recorded, if any."""
    before = recorded(folder) or {}
    files = {f.name: before[f.name] if f.name in keep and f.name in before else entry(f)
             for f in sorted(folder.glob("*.parquet"))}  # fmt: skip
    body = {"format": MANIFEST_FORMAT, "snapshot_date": as_of.isoformat(), "files": files}
    partial = folder / f".{MANIFEST_FILE}.partial"
    partial.write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, folder / MANIFEST_FILE)


def recorded(folder: Path) -> dict[str, dict] | None:
    """The checksums the folder's manifest holds by file name; None when it has none (written before checksums)."""
    path = folder / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["files"])
    except (ValueError, KeyError, TypeError, OSError):
        return {}  # a damaged manifest: every file reads as unrecorded damage, and verify names the manifest


@dataclass(frozen=True)
class Problem:
    """One file of a snapshot that is not as it was written."""

    file: str
    what: str  # 缺失, 损坏（校验和不符）, …

    def text(self) -> str:
        return f"{self.file} {self.what}"


def problems(folder: Path, expected: list[str], remembered: bool = False) -> tuple[list[Problem], bool]:
    """A snapshot folder's damaged or missing files (expected: the file names every snapshot holds), and whether
    checksums were recorded for it; remembered: a file found intact before, and unchanged since, is not hashed again."""
    sums = recorded(folder)
    found: list[Problem] = []
    if sums == {}:
        found.append(Problem(MANIFEST_FILE, "损坏（无法读取）"))
    for name in expected:
        path = folder / name
        if not path.is_file():
            found.append(Problem(name, "缺失"))
        elif sums and name in sums and not matches(path, sums[name], remembered):
            found.append(Problem(name, "损坏（校验和不符）"))
    return found, sums is not None


def matches(path: Path, expected: dict, remembered: bool = False) -> bool:
    """Whether the file is as recorded (its size first: a truncated file costs no hashing); remembered: one found
    intact before with the same size and mtime is taken as intact without hashing it again."""
    try:
        stat = path.stat()
        if stat.st_size != expected.get("bytes"):
            return False
        seen = (str(path), stat.st_size, stat.st_mtime_ns, str(expected.get("sha256")))
        if remembered and seen in _intact:
            return True
        intact = digest(path) == expected.get("sha256")
    except OSError:
        return False
    if intact:
        if len(_intact) >= _REMEMBERED_MAX:
            _intact.clear()
        _intact.add(seen)
    return intact


def snapshot_problem(folder: Path, remembered: bool = False) -> str | None:
    """What is wrong with a snapshot folder, in Chinese; None when every file is there and as recorded."""
    missing = [t.name for t in TABLES if not (folder / f"{t.name}.parquet").is_file()]
    if missing:
        return f"快照 {folder.name} 不完整，缺少数据表文件：{'、'.join(missing)}；请重新导入该期数据"
    missing = [t.name for t in DERIVED_TABLES if not (folder / f"{t.name}.parquet").is_file()]
    if missing:
        return (
            f"快照 {folder.name} 缺少汇总文件：{'、'.join(missing)}（可能由旧版本写入）；"
            "请运行 python -m socialwork aggregate 重新生成"
        )
    found, _ = problems(folder, SNAPSHOT_FILES, remembered)
    if found:
        return f"快照 {folder.name} 的数据文件损坏：{'、'.join(p.text() for p in found)}；请恢复或重新导入"
    return None
