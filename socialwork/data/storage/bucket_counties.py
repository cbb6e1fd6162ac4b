"""A store of many counties in a bucket, read through a local copy laid out as a folder store of many counties.

In the bucket (bucket_io.py: its root; objectstore.py: each county's store)::

    s3://bucket/prefix/divisions.parquet, division_targets.parquet      written by `publish --to`
    s3://bucket/prefix/county=530524/county.json                         the county's own bucket store:
    s3://bucket/prefix/county=530524/manifests/2026-11-30/v000001.json   its manifests, published on their own
    s3://bucket/prefix/county=530524/uploads/<stamp>-<id>/snapshot_date=2026-11-30/<table>.parquet

Each county publishes into its own prefix with objectstore.publish, so two counties never write one key: each one's
manifest is the same exactly-one-wins conditional write as a single county's, and counties never wait for one
another. A server's local copy (settings.cache_dir) holds each county's copy as objectstore keeps it (`county_<code>/`:
"=" is kept out of its paths) and beside it, for the readers, each county as a folder store of many counties has it::

    <copy>/divisions.parquet                                  bucket_io copies it when its ETag changes
    <copy>/county=530524/county.json -> ../county_530524/county.json              (boundaries.geojson the same)
    <copy>/county=530524/snapshot_date=2026-11-30 -> ../county_530524/uploads/<stamp>-<id>/snapshot_date=2026-11-30

with each snapshot's manifest.json (checksums.py) written from its bucket manifest, so the many-county readers
(combined.listing and reader_files, store_views, a county's own connection) read the copy exactly as a folder: a
county's month is read as soon as its manifest is listed, and a damaged object (never copied) leaves that county out
of that month, named on every page as in a folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from socialwork.data import settings
from socialwork.data.contract.county_files import BOUNDARIES_FILE, COUNTY_FILE, COUNTY_PARTITION
from socialwork.data.contract.tables import SNAPSHOT_PARTITION
from socialwork.data.storage import bucket_io, checksums, objectstore
from socialwork.data.storage.combined import COMBINED_FOLDER, OLD_SECONDS, SOURCES_FILE
from socialwork.data.storage.layout import county_folder, local_root, snapshot_date_of, snapshot_folder
from socialwork.data.storage.location import Bucket

FULL_LISTING_SECONDS = 300.0  # a county whose change mark says nothing new is listed again this often all the same
LISTING_THREADS = 8  # counties listed side by side: a province's 120 each ask for their manifests
log = logging.getLogger(__name__)
_lock = threading.Lock()
_marks: dict[tuple[Bucket, str], tuple[str | None, float]] = {}  # (store, part) -> its change mark, when listed
_linked: dict[tuple[Bucket, str], tuple] = {}  # (store, county) -> the county's version its folder was linked for


def counties(bucket: Bucket) -> dict[str, Bucket]:
    """Each county's own store in the bucket, by county code."""
    return {code: bucket_io.county_bucket(bucket, code) for code in bucket_io.root(bucket).counties}


def combined_store(bucket: Bucket) -> Bucket:
    """The store's combined months, a bucket store of their own under combined/ (bucket_combined.py)."""
    return Bucket(bucket.bucket, bucket.key(COMBINED_FOLDER))


def version(bucket: Bucket) -> tuple:
    """The store's version: its root files' ETags (the change marks among them), each county's published version
    (objectstore.published) and its combined months'."""
    found = _held_unchanged(bucket)
    stores = [*counties(bucket).values(), combined_store(bucket)]
    with ThreadPoolExecutor(LISTING_THREADS) as pool:
        versions = list(pool.map(lambda county: objectstore.published(county).version, stores))
    return (str(bucket), tuple(sorted(found.files.items())), tuple(versions))


def _held_unchanged(bucket: Bucket) -> bucket_io.Root:
    """The root listed (one request), and every part of the store (each county, the combined months) whose change
    mark is as when it was last listed held as listed (objectstore.hold), so that only a part that published since is
    listed again: a province's version check is then a request or two, not three per county. A part is listed again
    at least every FULL_LISTING_SECONDS all the same (a mark that failed to be written, a store published before
    marks existed)."""
    found = bucket_io.root(bucket)
    now = time.monotonic()
    parts = {f"{COUNTY_PARTITION}={code}": store for code, store in counties(bucket).items()}
    parts[COMBINED_FOLDER] = combined_store(bucket)
    for name, part in parts.items():
        mark = found.files.get(bucket_io.change_mark(name))
        with _lock:
            seen = _marks.get((bucket, name))
            listed_again = seen is None or seen[0] != mark or now - seen[1] >= FULL_LISTING_SECONDS
            if listed_again:
                _marks[(bucket, name)] = (mark, now)
        if listed_again:
            objectstore.forget(part)  # its last listing, even a second old, may predate what the mark says
        else:
            objectstore.hold(part)
    return found


def local_copy(bucket: Bucket) -> Path:
    """The store's local copy as a folder store of many counties, every county's published files in it (downloaded
    where missing, each county's folder linked to them anew when its version changed)."""
    _held_unchanged(bucket)  # the divisions files copied when changed; unchanged counties not listed again
    stores = counties(bucket)
    with ThreadPoolExecutor(LISTING_THREADS) as pool:
        list(pool.map(lambda item: _copy_county(bucket, *item), stores.items()))
    _copy_combined(bucket)
    return local_root(bucket)


def _copy_county(bucket: Bucket, code: str, county: Bucket) -> None:
    state = objectstore.synced(county)
    with _lock:
        if _linked.get((bucket, code)) == state.version:
            return
    own = settings.cache_dir(county)
    folder = county_folder(bucket, code)
    folder.mkdir(parents=True, exist_ok=True)
    for name in (COUNTY_FILE, BOUNDARIES_FILE):  # a dangling link where the county has none: read as absent
        _link(folder / name, own / name)
    wanted = set()
    for on, manifest in state.snapshots.items():
        sources = {Path(path).parent for path in manifest.files.values()}
        if len(sources) != 1:  # every import uploads a snapshot's files into one folder of its own
            log.warning("manifest %s of %s lists files in several folders: left out of the local copy", manifest.key,
                        county)  # fmt: skip
            continue
        source = own / sources.pop()
        if manifest.checksums:
            _write_sums(source, on, manifest.checksums)
        _link(snapshot_folder(folder, on), source)
        wanted.add(snapshot_folder(folder, on).name)
    for entry in folder.iterdir():  # a date no manifest lists any more
        if snapshot_date_of(entry.name) and entry.name not in wanted and entry.is_symlink():
            entry.unlink()
    with _lock:
        _linked[(bucket, code)] = state.version


def _copy_combined(bucket: Bucket) -> None:
    """Each combined month the bucket publishes, linked where combined.listing looks for it (<copy>/combined/
    snapshot_date=<date>, beside the combined store's own copy: its local copy is that very folder), with the
    sources and checksums its manifest records; a superseded month's files removed once no reader can still be
    planning a query on them. A damaged month (an object not as its checksum) is not linked: its counties' own
    files are read."""
    store = combined_store(bucket)
    state = objectstore.synced(store)
    folder = settings.cache_dir(store)
    bad = objectstore.damaged(store)
    wanted = set()
    for on, manifest in state.snapshots.items():
        sources = {Path(path).parent for path in manifest.files.values()}
        if on in bad or len(sources) != 1 or not manifest.sources:
            continue
        source = folder / sources.pop()
        _write_sums(source, on, manifest.checksums)
        _write_text(source / SOURCES_FILE, json.dumps(manifest.sources, sort_keys=True))
        link = folder / f"{SNAPSHOT_PARTITION}={on.isoformat()}"
        _link(link, source)
        wanted.add(link.name)
    if not folder.is_dir():
        return
    for entry in folder.iterdir():  # a month no longer combined
        if snapshot_date_of(entry.name) and entry.name not in wanted and entry.is_symlink():
            entry.unlink()
    _remove_superseded_copies(folder, {Path(p).parts[1] for m in state.snapshots.values() for p in m.files.values()})


def _remove_superseded_copies(folder: Path, current: set[str]) -> None:
    """Downloaded uploads of combined months no manifest lists any more, once OLD_SECONDS old."""
    uploads = folder / objectstore.UPLOADS
    if not uploads.is_dir():
        return
    cutoff = time.time() - OLD_SECONDS
    for entry in uploads.iterdir():
        if entry.name not in current and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


def _write_sums(folder: Path, on: object, sums: dict[str, dict]) -> None:
    """The snapshot's manifest.json beside its copied files, from its bucket manifest's checksums (checksums.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    body = {"format": checksums.MANIFEST_FORMAT, "snapshot_date": str(on),
            "files": {f"{name}.parquet": entry for name, entry in sorted(sums.items())}}  # fmt: skip
    _write_text(folder / checksums.MANIFEST_FILE, json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _write_text(target: Path, text: str) -> None:
    """Write a file beside copied files under a temporary name renamed into place, unless it says that already."""
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)


def _link(link: Path, target: Path) -> None:
    """link -> target (relative, so a copied cache stays whole), replaced atomically when it pointed elsewhere."""
    relative = os.path.relpath(target, link.parent)
    if link.is_symlink() and os.readlink(link) == relative:
        return
    partial = link.with_name(f".{link.name}.{uuid.uuid4().hex}.link")
    os.symlink(relative, partial)
    os.replace(partial, link)
