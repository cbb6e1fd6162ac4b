"""Copy a local snapshot store into a bucket (`python -m socialwork publish --to s3://…`): the county and the map's
boundaries, then each snapshot published by its own manifest, exactly as an import into the bucket would publish it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from socialwork.data.contract.county_files import BOUNDARIES_FILE, COUNTY_FILE
from socialwork.data.storage import identity, objectstore
from socialwork.data.storage.layout import announce_write, snapshot_folder
from socialwork.data.storage.location import Bucket
from socialwork.data.storage.store import snapshot_dates


def publish_store(source: Path, target: Bucket, replace: bool = False) -> Iterator[str]:
    """Publish source's county.json, its boundaries.geojson and every snapshot to target, a Chinese line per step;
    dates the bucket already has are left as they are unless replace (their older versions stay listed)."""
    dates = snapshot_dates(source)  # checks every snapshot is complete before anything is uploaded
    yield from _publish_county(source, target, replace)
    yield from _publish_boundaries(source, target, replace)
    already = set(objectstore.published(target, fresh=True).snapshots)
    published = 0
    for as_of in dates:
        if as_of in already and not replace:
            yield f"  {as_of}：对象存储中已有，未改动（加 --replace 重新发布）"
            continue
        manifest = objectstore.publish(target, as_of, snapshot_folder(source, as_of), replace=as_of in already)
        published += 1
        yield f"  {as_of}：已发布（{manifest.key}）"
    announce_write(target)
    yield f"已把 {source} 的 {published} 期快照发布到 {target}（共 {len(dates)} 期）"


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
