"""Copy a local snapshot store into a bucket (`python -m socialwork publish --to s3://…`): the county and the map's
boundaries, then each snapshot published by its own manifest, exactly as an import into the bucket would publish it.
A store of many counties is copied as a bucket store of many counties (bucket_counties.py): its divisions files at
the bucket store's root, then county by county, each into its own prefix as that county's import would publish it."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path

from socialwork.data.contract.county_files import BOUNDARIES_FILE, COUNTY_FILE
from socialwork.data.storage import bucket_combined, bucket_io, identity, objectstore
from socialwork.data.storage.layout import (
    StoreError,
    announce_write,
    county_folders,
    is_multi_county,
    local_root,
    snapshot_folder,
)
from socialwork.data.storage.location import Bucket, client
from socialwork.data.storage.store import snapshot_dates


def publish_store(source: Path, target: Bucket, replace: bool = False) -> Iterator[str]:
    """Publish source's county.json, its boundaries.geojson and every snapshot to target, a Chinese line per step;
    dates the bucket already has are left as they are unless replace (their older versions stay listed)."""
    if is_multi_county(source):
        yield from _publish_counties(source, target, replace)
        return
    if is_multi_county(target):
        raise StoreError(
            f"{target} 是多县对象存储（有行政区划表）：请发布多县数据目录，或用 import --county 导入一个县的数据"
        )
    dates = snapshot_dates(source)  # checks every snapshot is complete before anything is uploaded
    published = yield from _publish_snapshots(source, target, replace, dates)
    announce_write(target)
    yield f"已把 {source} 的 {published} 期快照发布到 {target}（共 {len(dates)} 期）"


def _publish_snapshots(
    source: Path, target: Bucket, replace: bool, dates: list, indent: str = "  "
) -> Generator[str, None, int]:
    """county.json, boundaries.geojson and each snapshot of one county's store; how many snapshots were published."""
    yield from (f"{indent}{line.strip()}" for line in _publish_county(source, target, replace))
    yield from (f"{indent}{line.strip()}" for line in _publish_boundaries(source, target, replace))
    already = set(objectstore.published(target, fresh=True).snapshots)
    published = 0
    for as_of in dates:
        if as_of in already and not replace:
            yield f"{indent}{as_of}：对象存储中已有，未改动（加 --replace 重新发布）"
            continue
        manifest = objectstore.publish(target, as_of, snapshot_folder(source, as_of), replace=as_of in already)
        published += 1
        yield f"{indent}{as_of}：已发布（{manifest.key}）"
    return published


def _publish_county(source: Path, target: Bucket, replace: bool) -> Iterator[str]:
    if not identity.has_identity(source):
        yield f"提示：{source} 中没有 {COUNTY_FILE}，对象存储中的县域信息未改动"
        return
    text = identity.identity_path(source).read_text(encoding="utf-8")
    present = identity.has_identity(target)
    if present and not replace:
        yield f"  {COUNTY_FILE}：对象存储中已有（{identity.load(target).county_name}），未改动"
        return
    objectstore.write_county(target, text, replace=present)
    yield f"  {COUNTY_FILE}：已写入（{identity.load(source).county_name}）"


def _publish_boundaries(source: Path, target: Bucket, replace: bool) -> Iterator[str]:
    """The map's outlines beside county.json, so that every replica draws the county's townships, not squares: one
    the bucket already holds as it is here is left alone, a different one replaced only with replace."""
    path = source / BOUNDARIES_FILE
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    held = objectstore.read_beside(target, BOUNDARIES_FILE)
    if held == text:
        yield f"  {BOUNDARIES_FILE}：对象存储中已是同一份，未改动"
    elif held is not None and not replace:
        yield f"  {BOUNDARIES_FILE}：对象存储中已有另一份乡镇边界，未改动（加 --replace 替换，旧文件保留在 .replaced/）"
    elif objectstore.write_beside(target, BOUNDARIES_FILE, text, replace=held is not None):
        yield f"  {BOUNDARIES_FILE}：已写入（地图按本县乡镇边界绘制）"
    else:
        yield f"  {BOUNDARIES_FILE}：刚刚已由另一次发布写入，未改动"


# ---------------------------------------------------------------- a store of many counties
def _publish_counties(source: Path, target: Bucket, replace: bool) -> Iterator[str]:
    """The divisions files first (a reader then knows the store's counties), then each county on its own."""
    root = bucket_io.root(target, fresh=True)
    if not root.many_counties and (COUNTY_FILE in root.files or objectstore.published(target, fresh=True).snapshots):
        raise StoreError(f"{target} 已是一个县的对象存储；多县数据目录请发布到新的前缀（如 s3://存储桶/省名）")
    folders = county_folders(source)
    dates = {code: snapshot_dates(folder) for code, folder in folders.items()}  # every county checked first
    for name in bucket_io.ROOT_FILES:
        if (source / name).is_file():
            yield _publish_root_file(source / name, target, name, replace)
    total = 0
    for code, folder in folders.items():
        name = identity.load(folder).county_name if identity.has_identity(folder) else code
        yield f"{name}（{code}）："
        total += yield from _publish_snapshots(folder, bucket_io.county_bucket(target, code), replace, dates[code])
    bucket_io.forget(target)
    announce_write(target)
    count = sum(len(d) for d in dates.values())
    yield f"已把 {source} 的 {len(folders)} 个县的 {total} 期快照发布到 {target}（共 {count} 期）"
    yield _combine_after(target)


def _combine_after(target: Bucket) -> str:
    """The months combined in the bucket once its counties are there (from the counties' files as published, not
    copied from the folder's combined/: the bucket's own stamps say what each was made from)."""
    done = bucket_combined.combine(target)
    if done.held_by is not None:
        return f"合并月度文件：另一处正在合并（{done.held_by.describe()}），由其完成"
    return f"合并月度文件：已合并 {len(done.written)} 个月，{len(done.current)} 个月已是最新（combined/）"


def _publish_root_file(path: Path, target: Bucket, name: str, replace: bool) -> str:
    """A divisions file at the bucket store's root: written when absent; a different one only with replace, the old
    one kept under .replaced/."""
    present = bucket_io.root(target, fresh=True).files.get(name) is not None
    copy = local_root(target) / name
    if present and copy.is_file() and copy.read_bytes() == path.read_bytes():
        return f"  {name}：对象存储中已有，相同"
    if present and not replace:
        return f"  {name}：对象存储中已有且不同，未改动（加 --replace 覆盖，旧文件保留在 .replaced/ 下）"
    if present:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        source = {"Bucket": target.bucket, "Key": target.key(name)}
        keep = target.key(f".replaced/{name}@{stamp}")
        bucket_io.call(target, f"保留旧的 {name} ", client().copy_object, Bucket=target.bucket, Key=keep,
                       CopySource=source)  # fmt: skip
    bucket_io.put(target, name, path)
    return f"  {name}：已{'替换' if present else '写入'}"
