"""A bucket store's S3 calls, worded in Chinese, and its root: the files beside its snapshots and, in a store of
many counties, which counties it holds.

A store of many counties in a bucket (docs/object-storage.md, "Many counties in a bucket") holds the divisions table
(and the divisions' own goals) at its root and one complete single-county bucket store per county under
`county=<code>/`, each published by its own manifests (objectstore.py). The root is listed with a delimiter (one
request: the files at the root and the county prefixes, never a county's objects), at most once a second, and its
divisions files are copied into the server's local copy (settings.cache_dir) when their ETag changes, where the
many-county readers read them as from a folder (layout.local_root).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialwork.data import settings
from socialwork.data.contract.county_files import COUNTY_PARTITION, DIVISION_TARGETS_FILE, DIVISIONS_FILE
from socialwork.data.storage.errors import StoreError
from socialwork.data.storage.location import Bucket, client

CHANGE_MARK_PREFIX = "changed-"  # changed-county=530524.json, changed-combined.json at a store's root
COMBINED_PART = "combined"  # the combined months' store (bucket_combined.py)
LISTING_SECONDS = 1.0  # a bucket's root (and each county's manifests, objectstore.py) listed at most once a second
OFFLINE_RETRY_SECONDS = 10.0  # as objectstore's
ROOT_FILES = (DIVISIONS_FILE, DIVISION_TARGETS_FILE)  # copied into the local copy of a store of many counties
log = logging.getLogger(__name__)


class Unreachable(StoreError):
    """The bucket did not answer (stopped, unreachable, refused): not an answer that something is wrong in it."""


def call(bucket: Bucket, what: str, action: Any, *args: Any, **kwargs: Any) -> Any:
    """A client call whose failure is a StoreError naming the store and the settings to check."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return action(*args, **kwargs)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            raise StoreError(f"对象存储中没有存储桶 {bucket.bucket}（{bucket}）；请先在对象存储中创建") from err
        raise StoreError(f"对象存储 {bucket} {what}失败：{code or err}") from err
    except BotoCoreError as err:
        raise Unreachable(
            f"无法访问对象存储 {bucket}（{what}）：{err}；请检查 AWS_ENDPOINT_URL、AWS_ACCESS_KEY_ID、"
            "AWS_SECRET_ACCESS_KEY 和 AWS_REGION"
        ) from err


def list_objects(bucket: Bucket, relative_prefix: str) -> list[dict]:
    """Every object under a prefix of the store (key relative to the root, ETag, size, last modified)."""
    s3, found = client(), []
    root = bucket.key("")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket.bucket, Prefix=bucket.key(relative_prefix))
    for page in call(bucket, "列出对象", list, pages):
        for item in page.get("Contents", []):
            found.append(item | {"Key": item["Key"][len(root) :]})
    return found


def delete_objects(bucket: Bucket, relatives: list[str]) -> None:
    """Remove objects, a thousand per request (the S3 limit); failures are logged, the next cleanup retries."""
    for start in range(0, len(relatives), 1000):
        batch = [{"Key": bucket.key(r)} for r in relatives[start : start + 1000]]
        try:
            client().delete_objects(Bucket=bucket.bucket, Delete={"Objects": batch, "Quiet": True})
        except Exception as err:  # cleanup is best effort: never hide the error that led here
            log.warning("could not remove %d object(s) from %s: %s", len(batch), bucket, err)


def top_level_etags(bucket: Bucket) -> dict[str, str]:
    """The ETag of each object directly under the store's root (one request: a delimiter keeps out its folders)."""
    prefix = bucket.key("")
    pages = client().get_paginator("list_objects_v2").paginate(Bucket=bucket.bucket, Prefix=prefix, Delimiter="/")
    return {item["Key"][len(prefix) :]: item["ETag"] for page in call(bucket, "列出对象", list, pages)
            for item in page.get("Contents", [])}  # fmt: skip


def change_mark(name: str) -> str:
    """The object at a store of many counties' root that a part of it (county=<code>, combined) rewrites whenever it
    publishes: readers list the root anyway, and list a part again only when its mark's ETag changed."""
    return f"{CHANGE_MARK_PREFIX}{name}.json"


def mark_changed(part: Bucket) -> None:
    """Rewrite the change mark of a county's (or the combined months') store at its parent's root, after it
    published; a failure is logged (readers then see the change within FULL_LISTING_SECONDS, bucket_counties.py)."""
    parent, _, name = part.prefix.rpartition("/")
    code = name.removeprefix(f"{COUNTY_PARTITION}=")
    if not ((code != name and len(code) == 6 and code.isdigit()) or name == COMBINED_PART):
        return
    root = Bucket(part.bucket, parent)
    body = json.dumps({"changed_at": time.time(), "id": uuid.uuid4().hex}).encode("utf-8")
    key = change_mark(name)
    try:
        call(root, f"写入 {key} ", client().put_object, Bucket=root.bucket, Key=root.key(key), Body=body,
             ContentType="application/json")  # fmt: skip
    except StoreError as err:
        log.warning("could not write the change mark of %s: %s", part, err)
    forget(root)


def read_beside(bucket: Bucket, name: str) -> str | None:
    """A file beside the snapshots as the bucket holds it now (None where it has none)."""
    from botocore.exceptions import ClientError

    try:
        body = client().get_object(Bucket=bucket.bucket, Key=bucket.key(name))["Body"].read()
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        return call(bucket, f"读取 {name} ", _reraise, err)
    return body.decode("utf-8")


def put_if_absent(bucket: Bucket, relative: str, body: bytes) -> bool:
    """Create the object only if no object has that key (S3 conditional write); whether this call created it."""
    from botocore.exceptions import ClientError

    try:
        client().put_object(
            Bucket=bucket.bucket, Key=bucket.key(relative), Body=body, IfNoneMatch="*", ContentType="application/json"
        )
    except ClientError as err:
        # 412: the key exists; 409: another conditional write of the key was in flight, and won.
        if err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (409, 412):
            return False
        return call(bucket, f"写入 {relative} ", _reraise, err)
    return True


def _reraise(err: Exception) -> None:
    raise err


# ---------------------------------------------------------------- the root of a store, and its counties
@dataclass(frozen=True)
class Root:
    """What lies at a bucket store's root: its files by name with their ETags, and the counties under it."""

    files: dict[str, str] = field(hash=False)
    counties: tuple[str, ...] = ()

    @property
    def many_counties(self) -> bool:
        return DIVISIONS_FILE in self.files


_lock = threading.Lock()
_roots: dict[Bucket, tuple[float, Root]] = {}
_copied: dict[tuple[Bucket, str], str] = {}  # (bucket, root file) -> the ETag of its local copy


def county_bucket(bucket: Bucket, county_code: str) -> Bucket:
    """A county's own store in a bucket store of many counties: a single county's bucket store under its prefix."""
    return Bucket(bucket.bucket, bucket.key(f"{COUNTY_PARTITION}={county_code}"))


def root(bucket: Bucket, fresh: bool = False) -> Root:
    """The store's root, listed at most once a second (fresh: now), its divisions files copied locally when changed.

    A bucket that does not answer is read as last listed, or, listed never by this process, as its local copy holds
    it (the counties' copies then say they serve a copy: objectstore.offline_notice)."""
    now = time.monotonic()
    with _lock:
        seen = _roots.get(bucket)
    if seen is not None and not fresh and now - seen[0] < LISTING_SECONDS:
        return seen[1]
    try:
        found = _listing(bucket)
    except Unreachable:
        if fresh:
            raise
        found = seen[1] if seen is not None else _as_copied(bucket)
        now += OFFLINE_RETRY_SECONDS - LISTING_SECONDS  # asked again in 10 s: a page must not wait on every rerun
    with _lock:
        _roots[bucket] = (now, found)
    return found


def forget(bucket: Bucket) -> None:
    """After a write by this process: the next look lists the root again."""
    with _lock:
        _roots.pop(bucket, None)


def _listing(bucket: Bucket) -> Root:
    prefix = bucket.key("")
    pages = client().get_paginator("list_objects_v2").paginate(Bucket=bucket.bucket, Prefix=prefix, Delimiter="/")
    files, counties = {}, []
    for page in call(bucket, "列出对象", list, pages):
        files.update({item["Key"][len(prefix) :]: item["ETag"] for item in page.get("Contents", [])})
        for common in page.get("CommonPrefixes", []):
            name = common["Prefix"][len(prefix) :].rstrip("/")
            code = name.removeprefix(f"{COUNTY_PARTITION}=")
            if code != name and len(code) == 6 and code.isdigit():
                counties.append(code)
    found = Root(files, tuple(sorted(counties)))
    if found.many_counties:
        _copy_root_files(bucket, found)
    return found


def _copy_root_files(bucket: Bucket, found: Root) -> None:
    """Each divisions file into the local copy, under a temporary name renamed into place, when its ETag changed;
    one the bucket no longer has removed."""
    local = settings.cache_dir(bucket)
    for name in ROOT_FILES:
        target, etag = local / name, found.files.get(name)
        if etag is None:
            target.unlink(missing_ok=True)
            _copied.pop((bucket, name), None)
            continue
        if _copied.get((bucket, name)) == etag and target.is_file():
            continue
        local.mkdir(parents=True, exist_ok=True)
        partial = local / f".{name}.{uuid.uuid4().hex}.partial"
        try:
            call(bucket, f"下载 {name} ", client().download_file, bucket.bucket, bucket.key(name), str(partial))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        _copied[(bucket, name)] = etag


def _as_copied(bucket: Bucket) -> Root:
    """The root as this server's local copy holds it (a server started while the bucket does not answer)."""
    local: Path = settings.cache_dir(bucket)
    files = {name: "" for name in ROOT_FILES if (local / name).is_file()}
    counties = sorted(
        c.name.removeprefix(f"{COUNTY_PARTITION}=") for c in local.glob(f"{COUNTY_PARTITION}=*") if c.is_dir()
    )
    log.warning("the bucket %s does not answer: its root read from the local copy %s", bucket, local)
    return Root(files, tuple(counties))


def put(bucket: Bucket, relative: str, path: Path) -> None:
    """Upload a file to the store's root (the divisions files, written by `publish`)."""
    call(bucket, f"上传 {relative} ", client().upload_file, str(path), bucket.bucket, bucket.key(relative))
    forget(bucket)
