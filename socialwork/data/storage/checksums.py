"""Each snapshot's files with their checksums, so that damage is found by comparison, not only by a reader failing.

A local snapshot holds `manifest.json` beside its Parquet files, written last when the snapshot is written (inside
the staging folder, before it is renamed into place) and again when `aggregate` rewrites its derived tables::

    {"format": 1, "snapshot_date": "2026-10-31", "files": {"people.parquet": {"sha256": "…", "bytes": 12345}, …}}

A bucket's manifest (objectstore.py) carries the same "checksums" beside its "files". A snapshot written before
checksums existed has no manifest: it reads as it did, and `verify` says "未记录校验和" for it rather than fail;
`verify --record` (or `aggregate`) records them for what is there now. Hashing a county's 47 months takes 40 ms, so
readers check a single county's snapshots whenever the store changes (store.snapshot_dates); a store of many
counties is checked by `verify`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20


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


def problems(folder: Path, expected: list[str]) -> tuple[list[Problem], bool]:
    """A snapshot folder's damaged or missing files (expected: the file names every snapshot holds), and whether
    checksums were recorded for it."""
    sums = recorded(folder)
    found: list[Problem] = []
    if sums == {}:
        found.append(Problem(MANIFEST_FILE, "损坏（无法读取）"))
    for name in expected:
        path = folder / name
        if not path.is_file():
            found.append(Problem(name, "缺失"))
        elif sums and name in sums and not matches(path, sums[name]):
            found.append(Problem(name, "损坏（校验和不符）"))
    return found, sums is not None


def matches(path: Path, expected: dict) -> bool:
    """Whether the file is as recorded (its size first: a truncated file costs no hashing)."""
    try:
        if path.stat().st_size != expected.get("bytes"):
            return False
        return digest(path) == expected.get("sha256")
    except OSError:
        return False
