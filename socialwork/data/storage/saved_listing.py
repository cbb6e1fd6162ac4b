"""A bucket's last listing whose files are all in this server's local copy, saved beside the copy, so that a server
started while the bucket does not answer can serve the copy (objectstore.published) and say when it was saved::

    <local copy>/.published.json
    {"format": 1, "store": "s3://…", "saved_at": "2026-11-30T08:30:00+00:00", "county_etag": "…",
     "manifests": {"manifests/2026-10-31/v000001.json": {"files": {…}, "checksums": {…}}, …},
     "damaged": {"manifests/…": "对象存储 … 损坏（校验和不符）…"}}

Written under a temporary name and renamed into place: replicas sharing a copy never read half of it.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from socialwork.data.contract.county_files import COUNTY_FILE
from socialwork.data.storage.layout import StoreError

SAVED_FILE = ".published.json"
SAVED_FORMAT = 1


@dataclass(frozen=True)
class Saved:
    """A listing as saved: each manifest's body by key, the months found damaged, county.json's ETag, and when."""

    saved_at: datetime
    county_etag: str | None
    manifests: dict[str, dict]  # manifest key -> {"files": …, "checksums": …}
    damaged: dict[str, str]  # manifest key -> what is wrong with one of its objects


def write(folder: Path, store: str, saved: Saved) -> None:
    """Save the listing beside the local copy in folder (OSError when it cannot be written)."""
    body = {
        "format": SAVED_FORMAT, "store": store, "saved_at": saved.saved_at.isoformat(timespec="seconds"),
        "county_etag": saved.county_etag, "manifests": saved.manifests, "damaged": saved.damaged,
    }  # fmt: skip
    path = folder / SAVED_FILE
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.partial")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def read(folder: Path) -> Saved:
    """The listing saved beside the local copy in folder; ValueError when there is none or it cannot be read."""
    try:
        body = json.loads((folder / SAVED_FILE).read_text(encoding="utf-8"))
        return Saved(
            datetime.fromisoformat(body["saved_at"]),
            body["county_etag"],
            {str(key): dict(values) for key, values in body["manifests"].items()},
            {str(key): str(what) for key, what in body.get("damaged", {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"{folder / SAVED_FILE}: {err}") from err


def bodies(folder: Path) -> dict[str, dict]:
    """Each manifest's body saved beside the local copy in folder, by key; none when nothing (readable) is saved."""
    try:
        return read(folder).manifests
    except ValueError:
        return {}


def read_copied(folder: Path, parse: Callable[[str, dict], Any]) -> tuple[Saved, dict[date, Any]]:
    """The saved listing and its newest manifest of each date (parse: a key and body to objectstore.Manifest), when
    every file it lists is in the copy (a damaged month's never was); ValueError naming what is not."""
    saved = read(folder)
    try:
        manifests = sorted((parse(key, body) for key, body in saved.manifests.items()), key=lambda m: m.key)
    except StoreError as err:
        raise ValueError(str(err)) from err
    newest = {m.as_of: m for m in manifests}  # by key: a date's later version after its earlier one
    kept = [m for m in newest.values() if m.key not in saved.damaged]
    absent = [path for m in kept for path in m.files.values() if not (folder / path).is_file()]
    if (saved.county_etag is not None) != (folder / COUNTY_FILE).is_file():
        absent.append(COUNTY_FILE)
    if absent:
        raise ValueError(f"{folder} 中缺少 {absent[0]}")
    return saved, dict(sorted(newest.items()))
