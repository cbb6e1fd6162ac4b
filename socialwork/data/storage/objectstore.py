"""The snapshot store in an S3-compatible bucket: an import uploads its files under a prefix of its own and
publishes them by writing one manifest object last.

Layout under s3://bucket/prefix/::

    county.json                                   the county (socialwork/data/storage/identity.py)
    boundaries.geojson                            its townships' outlines for the map (data/maps/boundaries.py)
    manifests/2026-11-30/v000001.json             a published snapshot: its files, as paths relative to the prefix
    manifests/2026-11-30/v000002.json             the same date replaced (--replace); v000001 and its files stay
    uploads/<stamp>-<id>/snapshot_date=2026-11-30/<table>.parquet    one import's files
    .replaced/county.json@<stamp>                 a county.json replaced by `init --replace` (boundaries.geojson too)

Readers list manifests/ and nothing else: a snapshot is visible once its manifest exists, and then whole; the
newest version of a date is the one shown. The manifest is written with `If-None-Match: *`, so the bucket creates
it only if no import created that key first: of two imports of one date (on two servers, no lock server), exactly
one publishes and the other is refused in Chinese, its files removed. An import that died before its manifest
leaves files no manifest lists, which remove_stale_uploads deletes once they are older than STALE_SECONDS.

A server reads through its own copy of the published files (settings.cache_dir): a file never changes once
uploaded (a replaced date gets new files under a new prefix), so a file downloaded once is good for as long as a
manifest lists it, and pages query local Parquet as fast as from a local store (docs/object-storage.md); the last
listing copied whole is saved beside it (saved_listing.py), for a server started while the bucket does not answer.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from socialwork.data import settings
from socialwork.data.contract.county_files import BOUNDARIES_FILE, COUNTY_FILE
from socialwork.data.contract.tables import DERIVED_TABLES, TABLES
from socialwork.data.storage import bucket_io, checksums, saved_listing
from socialwork.data.storage.bucket_io import Unreachable as Unreachable  # raised here, caught by the store
from socialwork.data.storage.bucket_io import call as _call
from socialwork.data.storage.bucket_io import delete_objects as _delete
from socialwork.data.storage.bucket_io import list_objects as _list
from socialwork.data.storage.bucket_io import put_if_absent as _put_if_absent
from socialwork.data.storage.bucket_io import read_beside as read_beside
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.location import Bucket, client

MANIFESTS = "manifests"
UPLOADS = "uploads"
MANIFEST_FORMAT = 1
STALE_SECONDS = 3600.0  # an unpublished upload older than this is an import that died (one takes seconds)
LISTING_SECONDS = 1.0  # the manifests are listed at most once a second per process
DOWNLOAD_THREADS = 8
_MANIFEST = re.compile(rf"^{MANIFESTS}/(\d{{4}}-\d{{2}}-\d{{2}})/v(\d{{6}})\.json$")
LOST_RACE = (
    "快照 {as_of} 刚刚已由另一个导入发布（可能在另一台服务器上）；本次导入未发布，已上传的文件已删除。"
    "请刷新后查看该期数据；如需覆盖，请确认替换后重新导入"
)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Manifest:
    """One published version of one snapshot."""

    as_of: date
    version: int
    key: str  # relative to the store's root
    files: dict[str, str] = field(hash=False)  # table name -> path relative to the store's root
    # table name -> {"sha256", "bytes"} (checksums.py); empty in a manifest published before checksums existed
    checksums: dict[str, dict] = field(hash=False, default_factory=dict)
    # a combined month's (bucket_combined.py): each county's snapshot it was made from; empty for a county's own
    sources: dict[str, str] = field(hash=False, default_factory=dict)


@dataclass(frozen=True)
class Published:
    """What the bucket shows now: the newest manifest of each date, and the ETags of the files beside them."""

    version: tuple  # the cache key of everything read from the store
    snapshots: dict[date, Manifest] = field(hash=False)
    county_etag: str | None
    boundaries_etag: str | None = None  # the map's outlines, published with the county (None: the bucket has none)

    def beside(self) -> dict[str, str | None]:
        """The files beside the snapshots, each with its ETag (None where the bucket has none)."""
        return {COUNTY_FILE: self.county_etag, BOUNDARIES_FILE: self.boundaries_etag}


_lock = threading.Lock()
_seen: dict[Bucket, tuple[float, Published]] = {}
_manifests: dict[tuple[Bucket, str], Manifest] = {}  # manifests never change once written: read each once
_saved_bodies: dict[Bucket, dict[str, dict]] = {}  # bucket -> the manifests saved beside its copy, read at start
_synced: dict[Bucket, tuple] = {}  # bucket -> the version whose files are all in the local copy
_offline: dict[Bucket, tuple[float, datetime]] = {}  # bucket -> when it last failed to answer (monotonic), since when
OFFLINE_RETRY_SECONDS = 10.0
_damaged: dict[tuple[Bucket, str], str] = {}  # (bucket, manifest key) -> what is wrong: an object differs from its sum
_saved: dict[Bucket, tuple] = {}  # bucket -> the version last saved beside the copy (saved_listing.py)
_restored: dict[Bucket, datetime] = {}  # bucket -> when the listing served since start-up was saved (no bucket yet)


def published(bucket: Bucket, fresh: bool = False) -> Published:
    """The bucket's published snapshots, listed at most once a second (fresh: now, and never the last listing).

    A bucket that stops answering after this process listed it is served from the last listing, whose files are all
    in the local copy (offline_notice says so, with its date), and asked again every OFFLINE_RETRY_SECONDS, so that
    a page does not wait on each rerun; a write asks the bucket itself and is refused (Unreachable)."""
    now = time.monotonic()
    with _lock:
        seen, failed = _seen.get(bucket), _offline.get(bucket)
    if seen is not None and not fresh and now - seen[0] < LISTING_SECONDS:
        return seen[1]
    if seen is not None and not fresh and failed is not None and now - failed[0] < OFFLINE_RETRY_SECONDS:
        return seen[1]
    try:
        result = _listing(bucket)
    except Unreachable as err:
        if seen is None and not fresh:  # started while the bucket does not answer: the copy saved before, if any
            return _restore(bucket, now, err)
        if seen is None or fresh or _synced.get(bucket) != seen[1].version:
            raise
        log.warning("%s; serving the local copy listed before", err)
        with _lock:
            _offline[bucket] = (now, failed[1] if failed else datetime.now(UTC))
        return seen[1]
    with _lock:
        _seen[bucket] = (now, result)
        _offline.pop(bucket, None)
        if _restored.pop(bucket, None) is not None:
            _saved.pop(bucket, None)  # the bucket answers again: the listing is saved anew, with today's date
    return result


def offline_notice(bucket: Bucket) -> str | None:
    """What a replica serving its local copy says while the bucket does not answer; None while it does."""
    with _lock:
        failed, seen = _offline.get(bucket), _seen.get(bucket)
    if failed is None or seen is None:
        return None
    latest = max(seen[1].snapshots, default=None)
    since = failed[1].astimezone().strftime("%H:%M")
    shown = f"最新一期 {latest.isoformat()}" if latest else "尚无快照"
    saved = _restored.get(bucket)
    if saved is not None:  # never reached since start-up: the copy is as the bucket was when it was saved
        when = saved.astimezone().strftime("%Y-%m-%d %H:%M")
        return (
            f"对象存储 {bucket} 自本服务启动（{since}）起无法访问，正在显示本机保存的副本（{when} 保存，{shown}）；"
            "恢复前不能导入或发布新数据，请检查对象存储服务和 AWS_ENDPOINT_URL"
        )
    return (
        f"对象存储 {bucket} 自 {since} 起无法访问，正在显示本机保存的副本（{shown}）；"
        "恢复前不能导入或发布新数据，请检查对象存储服务和 AWS_ENDPOINT_URL"
    )


def _listing(bucket: Bucket) -> Published:
    manifests = sorted(m["Key"] for m in _list(bucket, f"{MANIFESTS}/") if _MANIFEST.match(m["Key"]))
    beside = bucket_io.top_level_etags(bucket)  # county.json's and boundaries.geojson's in one request
    etag, outlines = beside.get(COUNTY_FILE), beside.get(BOUNDARIES_FILE)
    newest: dict[date, Manifest] = {}
    for key in manifests:  # sorted: a later version of a date comes after an earlier one
        manifest = _manifest(bucket, key)
        newest[manifest.as_of] = manifest
    version = (str(bucket), tuple(m.key for m in newest.values()), etag, outlines)
    return Published(version, dict(sorted(newest.items())), etag, outlines)


def forget(bucket: Bucket) -> None:
    """After a write by this process: the next look lists the bucket again."""
    with _lock:
        _seen.pop(bucket, None)


def hold(bucket: Bucket) -> None:
    """The last listing is still current (a store of many counties knows from its change marks, bucket_counties.py):
    served for another LISTING_SECONDS without asking the bucket."""
    with _lock:
        seen = _seen.get(bucket)
        if seen is not None and bucket not in _offline:
            _seen[bucket] = (time.monotonic(), seen[1])


def _manifest(bucket: Bucket, key: str) -> Manifest:
    with _lock:
        known = _manifests.get((bucket, key))
    if known is not None:
        return known
    saved = _saved_manifest(bucket, key)
    if saved is not None:
        with _lock:
            _manifests[(bucket, key)] = saved
        return saved
    body = _call(bucket, f"读取 {key} ", client().get_object, Bucket=bucket.bucket, Key=bucket.key(key))["Body"].read()
    try:
        values = json.loads(body)
    except ValueError as err:
        raise StoreError(f"对象存储 {bucket} 中的发布清单 {key} 无法读取：{err}") from err
    manifest = _parsed(bucket, key, values)
    with _lock:
        _manifests[(bucket, key)] = manifest
    return manifest


def _saved_manifest(bucket: Bucket, key: str) -> Manifest | None:
    """The manifest as saved beside the local copy (saved_listing.py), if it is: a key is written once, never again,
    so a server restarted over its copy reads none of them from the bucket (a province's: 4,400 requests, 17 s)."""
    with _lock:
        if bucket not in _saved_bodies:  # read once a process
            _saved_bodies[bucket] = saved_listing.bodies(settings.cache_dir(bucket))
        body = _saved_bodies[bucket].get(key)
    try:
        return None if body is None else _parsed(bucket, key, body)
    except StoreError:  # as the bucket's own copy would be refused: read that
        return None


def _parsed(bucket: Bucket, key: str, values: Any) -> Manifest:
    """A manifest from its key and body (the bucket's, or as saved beside the local copy), checked."""
    try:
        match = _MANIFEST.match(key)
        manifest = Manifest(date.fromisoformat(match.group(1)), int(match.group(2)), key, dict(values["files"]),
                            dict(values.get("checksums", {})), dict(values.get("sources", {})))  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise StoreError(f"对象存储 {bucket} 中的发布清单 {key} 无法读取：{err}") from err
    outside = [p for p in manifest.files.values() if p.startswith("/") or ".." in p.split("/")]
    if outside:  # the local copy must stay in its folder, whatever a manifest says
        raise StoreError(f"对象存储 {bucket} 中的发布清单 {key} 列出了存储根目录以外的文件：{outside[0]}")
    missing = [t.name for t in TABLES + DERIVED_TABLES if t.name not in manifest.files]
    if missing:
        raise StoreError(f"对象存储 {bucket} 中的发布清单 {key} 缺少数据表：{'、'.join(missing)}")
    return manifest


def snapshot_dates(bucket: Bucket) -> list[date]:
    """The published dates whose files are all in the local copy as their manifest recorded them."""
    return list(local_files(bucket))


def damaged(bucket: Bucket) -> dict[date, str]:
    """Published dates left out because an object differs from its manifest's checksum, with what to do."""
    state = published(bucket)
    with _lock:
        return {d: _damaged[(bucket, m.key)] for d, m in state.snapshots.items() if (bucket, m.key) in _damaged}


def local_files(bucket: Bucket) -> dict[date, dict[str, Path]]:
    """Every published snapshot's files in this server's local copy, downloaded first where missing; a snapshot
    with a damaged object is left out (damaged names it)."""
    state = synced(bucket, check_files=True)
    root = settings.cache_dir(bucket)
    bad = damaged(bucket)
    return {d: {t: root / p for t, p in m.files.items()} for d, m in state.snapshots.items() if d not in bad}


def synced(bucket: Bucket, check_files: bool = False) -> Published:
    """The published state, every file it lists (and county.json) present in the local copy; check_files looks
    for each file again even when this version was copied before (someone may have emptied the copy)."""
    state = published(bucket)
    root = settings.cache_dir(bucket)
    beside_as_expected = all((root / name).is_file() == (etag is not None) for name, etag in state.beside().items())
    with _lock:
        copied = _synced.get(bucket) == state.version and beside_as_expected
        if copied and not check_files:
            return state
    with _lock:  # offline, a damaged month's objects (never copied) are not asked for again
        skipped = {m.key for m in state.snapshots.values() if bucket in _offline and (bucket, m.key) in _damaged}
    wanted = {p: (m, name) for m in state.snapshots.values() if m.key not in skipped for name, p in m.files.items()}
    missing = sorted(p for p in wanted if not (root / p).is_file())

    def fetch(relative: str) -> None:
        manifest, name = wanted[relative]
        try:
            download(bucket, relative, root / relative, manifest.checksums.get(name))
        except DamagedObject as err:  # that month is left out; the others are read
            log.warning("%s", err)
            with _lock:
                _damaged[(bucket, manifest.key)] = str(err)

    with ThreadPoolExecutor(DOWNLOAD_THREADS) as pool:
        list(pool.map(fetch, missing))
    for name, etag in state.beside().items():
        if etag is None:
            (root / name).unlink(missing_ok=True)
        elif not copied:  # its ETag is part of the version: the copy of this version is the one
            download(bucket, name, root / name)
    if missing:
        log.info("downloaded %d published file(s) of %s to %s", len(missing), bucket, root)
    with _lock:
        _synced[bucket] = state.version
    _save(bucket, state)
    return state


# ---------------------------------------------------------------- the last listing, saved beside the local copy
def _save(bucket: Bucket, state: Published) -> None:
    """Save the listing whose files are all in the local copy (saved_listing.py), once per version; one that cannot
    be written is logged: serving goes on."""
    if _saved.get(bucket) == state.version:
        return
    with _lock:
        damaged = {m.key: _damaged[(bucket, m.key)] for m in state.snapshots.values() if (bucket, m.key) in _damaged}
    manifests = {
        m.key: {"files": m.files, "checksums": m.checksums, "sources": m.sources} for m in state.snapshots.values()
    }
    saved = saved_listing.Saved(datetime.now(UTC), state.county_etag, manifests, damaged)
    try:
        saved_listing.write(settings.cache_dir(bucket), str(bucket), saved)
        _saved[bucket] = state.version
    except OSError as err:
        log.warning("could not save the listing of %s beside its local copy: %s", bucket, err)


def _restore(bucket: Bucket, now: float, unreachable: Unreachable) -> Published:
    """The listing saved beside the local copy, served while the bucket does not answer (offline_notice says so, with
    its date); the bucket's own error when there is none, or a file it lists is not in the copy."""
    try:
        saved, newest = saved_listing.read_copied(settings.cache_dir(bucket), lambda k, b: _parsed(bucket, k, b))
    except ValueError as err:
        log.warning("%s; no saved listing to serve (%s)", unreachable, err)
        raise unreachable  # noqa: B904 (the bucket's error is the one to show; its own cause stays)
    etag = saved.county_etag
    state = Published((str(bucket), tuple(m.key for m in newest.values()), etag), newest, etag)
    log.warning("%s; serving the local copy saved %s", unreachable, saved.saved_at.isoformat())
    with _lock:
        _seen[bucket], _synced[bucket], _offline[bucket] = (now, state), state.version, (now, datetime.now(UTC))
        _restored[bucket], _saved[bucket] = saved.saved_at, state.version  # the date stays the one it was saved on
        _damaged.update({(bucket, key): what for key, what in saved.damaged.items()})
    return state


class DamagedObject(StoreError):
    """A published object that differs from its manifest's checksum."""


def download(bucket: Bucket, relative: str, target: Path, expected: dict | None = None) -> None:
    """One object into the local copy, under a temporary name renamed into place: a reader (or another server
    process sharing the copy) never opens half a file; one that differs from its checksum (expected) is refused."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        _call(bucket, f"下载 {relative} ", client().download_file, bucket.bucket, bucket.key(relative), str(partial))
        if expected is not None and not checksums.matches(partial, expected):
            raise DamagedObject(f"对象存储 {bucket} 中的数据文件 {relative} 损坏（校验和不符）；请恢复或重新发布该期")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def county_path(bucket: Bucket) -> Path:
    """county.json in the local copy, as the bucket holds it now (absent when the bucket has none)."""
    return beside_path(bucket, COUNTY_FILE)


def beside_path(bucket: Bucket, name: str) -> Path:
    """A file beside the snapshots (county.json, boundaries.geojson) in the local copy, as the bucket holds it now
    (absent when the bucket has none)."""
    synced(bucket)
    return settings.cache_dir(bucket) / name


def write_county(bucket: Bucket, text: str, replace: bool) -> None:
    """Write county.json; a new one only if none exists (If-None-Match), a replaced one kept under .replaced/."""
    if not write_beside(bucket, COUNTY_FILE, text, replace):
        raise StoreError(f"对象存储 {bucket} 已初始化；如需修改县域信息，请加 --replace")


def write_beside(bucket: Bucket, name: str, text: str, replace: bool) -> bool:
    """Write a file beside the snapshots: a new one only if none exists (If-None-Match; False when one does), a
    replaced one kept under .replaced/. Readers see it at their next listing (its ETag is part of the version)."""
    s3 = client()
    if replace:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        source = {"Bucket": bucket.bucket, "Key": bucket.key(name)}
        keep = bucket.key(f".replaced/{name}@{stamp}")
        _call(bucket, f"保留旧的 {name} ", s3.copy_object, Bucket=bucket.bucket, Key=keep, CopySource=source)
        _call(bucket, f"写入 {name} ", s3.put_object, Bucket=bucket.bucket, Key=bucket.key(name), Body=text)
    elif not _put_if_absent(bucket, name, text.encode("utf-8")):
        return False
    forget(bucket)
    bucket_io.mark_changed(bucket)
    return True


def publish(
    bucket: Bucket, as_of: date, folder: Path, replace: bool = False, sources: dict[str, str] | None = None
) -> Manifest:
    """Upload a snapshot's files (contract and derived tables, written in folder) and publish them with a manifest
    written last; an existing date needs replace (its older versions stay listed under manifests/). sources: what a
    combined month was made from (bucket_combined.py), recorded in its manifest."""
    versions = [m for m in _list(bucket, f"{MANIFESTS}/{as_of.isoformat()}/") if _MANIFEST.match(m["Key"])]
    if versions and not replace:
        raise StoreError(f"快照 {as_of} 已存在；如需覆盖请使用 --replace")
    version = max((int(_MANIFEST.match(m["Key"]).group(2)) for m in versions), default=0) + 1
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    upload = f"{UPLOADS}/{stamp}-{uuid.uuid4().hex[:12]}/snapshot_date={as_of.isoformat()}"
    files = {t.name: f"{upload}/{t.name}.parquet" for t in TABLES + DERIVED_TABLES}
    key = f"{MANIFESTS}/{as_of.isoformat()}/v{version:06d}.json"
    try:
        with ThreadPoolExecutor(DOWNLOAD_THREADS) as pool:
            list(pool.map(lambda name: _upload(bucket, folder / f"{name}.parquet", files[name]), files))
        sums = {name: checksums.entry(folder / f"{name}.parquet") for name in files}
        body = {"format": MANIFEST_FORMAT, "snapshot_date": as_of.isoformat(), "version": version,
                "published_at": datetime.now(UTC).isoformat(timespec="seconds"), "files": files,
                "checksums": sums, **({"sources": sources} if sources else {})}  # fmt: skip
        won = _write_manifest(bucket, key, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
    except BaseException:
        _delete(bucket, list(files.values()))
        raise
    if not won:
        _delete(bucket, list(files.values()))
        raise StoreError(LOST_RACE.format(as_of=as_of.isoformat()))
    forget(bucket)
    bucket_io.mark_changed(bucket)
    return Manifest(as_of, version, key, files, sums, dict(sources or {}))


def _write_manifest(bucket: Bucket, key: str, body: bytes) -> bool:
    """The publishing step, on its own so that a test can stop an import right before it."""
    return _put_if_absent(bucket, key, body)


def _upload(bucket: Bucket, path: Path, relative: str) -> None:
    _call(bucket, f"上传 {relative} ", client().upload_file, str(path), bucket.bucket, bucket.key(relative))


def remove_stale_uploads(bucket: Bucket, older_than: float = STALE_SECONDS) -> int:
    """Remove uploaded files no manifest lists (imports that died before publishing) once older than older_than
    seconds, so an import still uploading elsewhere is left alone; how many were removed."""
    listed = {p for m in all_manifests(bucket) for p in m.files.values()}
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    stale = [o["Key"] for o in _list(bucket, f"{UPLOADS}/") if o["Key"] not in listed and o["LastModified"] <= cutoff]
    _delete(bucket, stale)
    if stale:
        log.info("removed %d unpublished upload(s) left by interrupted imports in %s", len(stale), bucket)
    return len(stale)


def all_manifests(bucket: Bucket) -> list[Manifest]:
    """Every version of every date: a replaced version's files stay, so that it can be restored."""
    return [_manifest(bucket, m["Key"]) for m in _list(bucket, f"{MANIFESTS}/") if _MANIFEST.match(m["Key"])]


def versions(bucket: Bucket, as_of: date) -> list[Manifest]:
    """Every published version of a date, oldest first (the last is the one shown)."""
    return sorted((m for m in all_manifests(bucket) if m.as_of == as_of), key=lambda m: m.version)
