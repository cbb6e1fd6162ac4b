"""A bucket store's faults (SeaweedFS): the bucket not answering after start-up (the local copy served, said so with
its date; imports refused), an object that differs from its manifest's checksum (its month left out), verify."""

from __future__ import annotations

import errno
import json
import os
import re
import time

import pytest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.storage import checksums, identity, objectstore, saved_listing
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.location import ENDPOINT_ENV, client
from socialwork.data.storage.store import checked_snapshots, snapshot_dates, write_snapshot
from socialwork.figures import db
from socialwork.figures.choices import store_notices
from socialwork.figures.metrics import kpi_report
from socialwork.figures.place_filter import EVERYWHERE
from tests.fixture_county import FIXTURE_COUNTY, SNAPSHOTS, snapshot

pytestmark = pytest.mark.objectstore
NEW = SNAPSHOTS[-1].replace(year=SNAPSHOTS[-1].year + 1)


@pytest.fixture
def published(bucket_store):
    identity.write(bucket_store, FIXTURE_COUNTY)
    for on in SNAPSHOTS:
        write_snapshot(bucket_store, on, snapshot(on))
    return bucket_store


def test_the_manifest_records_each_files_checksum(published):
    manifest = objectstore.published(published).snapshots[SNAPSHOTS[-1]]
    assert set(manifest.checksums) == set(manifest.files)
    local = objectstore.local_files(published)[SNAPSHOTS[-1]]
    assert all(checksums.matches(local[name], manifest.checksums[name]) for name in manifest.files)


def test_a_bucket_gone_after_start_up_is_served_from_the_local_copy_and_refuses_imports(published, monkeypatch):
    before = kpi_report(SNAPSHOTS[-1], EVERYWHERE, published).as_dict()
    endpoint = os.environ[ENDPOINT_ENV]
    monkeypatch.setattr(objectstore, "LISTING_SECONDS", 0.0)  # every look asks the bucket
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9")  # nothing answers there
    assert snapshot_dates(published) == SNAPSHOTS
    assert kpi_report(SNAPSHOTS[-1], EVERYWHERE, published).as_dict() == before
    notice = objectstore.offline_notice(published)
    assert f"正在显示本机保存的副本（最新一期 {SNAPSHOTS[-1].isoformat()}）" in notice
    assert "不能导入或发布" in notice and notice in store_notices(published)
    with pytest.raises(StoreError, match=r"无法访问对象存储.*AWS_ENDPOINT_URL"):
        write_snapshot(published, NEW, snapshot(SNAPSHOTS[-1]))
    monkeypatch.setenv(ENDPOINT_ENV, endpoint)  # back
    monkeypatch.setattr(objectstore, "OFFLINE_RETRY_SECONDS", 0.0)
    assert snapshot_dates(published) == SNAPSHOTS
    assert objectstore.offline_notice(published) is None
    assert NEW not in snapshot_dates(published)  # the refused import published nothing


def _restart(monkeypatch) -> None:
    """As a replica started anew: nothing of the bucket in memory, only its local copy on disk."""
    for name in ("_seen", "_manifests", "_synced", "_offline", "_damaged", "_saved", "_restored", "_saved_bodies"):
        monkeypatch.setattr(objectstore, name, {})
    db.clear_cache()


def test_a_replica_started_while_the_bucket_is_unreachable_serves_its_saved_copy(published, monkeypatch):
    before = kpi_report(SNAPSHOTS[-1], EVERYWHERE, published).as_dict()
    assert (settings.cache_dir(published) / saved_listing.SAVED_FILE).is_file()
    endpoint, saved = os.environ[ENDPOINT_ENV], _saved_at(published)
    time.sleep(1)  # saved_at is to the second
    _restart(monkeypatch)
    monkeypatch.setattr(objectstore, "LISTING_SECONDS", 0.0)  # every look asks the bucket
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9")  # nothing answers there
    assert snapshot_dates(published) == SNAPSHOTS
    assert kpi_report(SNAPSHOTS[-1], EVERYWHERE, published).as_dict() == before
    notice = objectstore.offline_notice(published)
    assert "自本服务启动（" in notice and f"保存，最新一期 {SNAPSHOTS[-1].isoformat()}）" in notice
    assert re.search(r"副本（\d{4}-\d{2}-\d{2} \d{2}:\d{2} 保存", notice) and notice in store_notices(published)
    with pytest.raises(StoreError, match=r"无法访问对象存储.*AWS_ENDPOINT_URL"):
        write_snapshot(published, NEW, snapshot(SNAPSHOTS[-1]))
    monkeypatch.setenv(ENDPOINT_ENV, endpoint)  # back
    monkeypatch.setattr(objectstore, "OFFLINE_RETRY_SECONDS", 0.0)
    assert snapshot_dates(published) == SNAPSHOTS and objectstore.offline_notice(published) is None
    assert _saved_at(published) > saved  # the listing confirmed by the bucket: saved again


def _saved_at(bucket) -> str:
    return json.loads((settings.cache_dir(bucket) / saved_listing.SAVED_FILE).read_text(encoding="utf-8"))["saved_at"]


def test_a_saved_listing_whose_files_are_gone_is_not_served(published, monkeypatch):
    kpi_report(SNAPSHOTS[-1], EVERYWHERE, published)
    manifest = objectstore.published(published).snapshots[SNAPSHOTS[-1]]
    (settings.cache_dir(published) / manifest.files["people"]).unlink()
    _restart(monkeypatch)
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9")
    with pytest.raises(StoreError, match="AWS_ENDPOINT_URL"):
        snapshot_dates(published)


def test_a_replica_that_never_reached_the_bucket_says_what_to_check(bucket_store, monkeypatch):
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9")
    with pytest.raises(StoreError, match="AWS_ENDPOINT_URL"):
        snapshot_dates(bucket_store)


def test_a_damaged_object_leaves_its_month_out_and_verify_names_it(published, tmp_path, monkeypatch, capsys):
    manifest = objectstore.published(published).snapshots[SNAPSHOTS[-1]]
    key = published.key(manifest.files["people"])
    client().put_object(Bucket=published.bucket, Key=key, Body=b"not the people it was")
    monkeypatch.setenv(settings.CACHE_DIR_ENV, str(tmp_path / "another-replica"))  # a copy made from now on
    intact, damaged = checked_snapshots(published)
    assert intact == SNAPSHOTS[:-1]
    assert "损坏（校验和不符）" in damaged[SNAPSHOTS[-1]] and manifest.files["people"] in damaged[SNAPSHOTS[-1]]
    assert cli.main(["verify", "--data", str(published)]) == 1
    out = capsys.readouterr().out
    assert f"{manifest.files['people']}：损坏（校验和不符）" in out and "损坏或缺失 1 个文件" in out


def test_a_replica_started_offline_keeps_a_damaged_month_left_out(published, tmp_path, monkeypatch):
    manifest = objectstore.published(published).snapshots[SNAPSHOTS[-1]]
    client().put_object(Bucket=published.bucket, Key=published.key(manifest.files["people"]), Body=b"damaged")
    monkeypatch.setenv(settings.CACHE_DIR_ENV, str(tmp_path / "another-replica"))  # a copy made from now on
    assert checked_snapshots(published)[0] == SNAPSHOTS[:-1]
    _restart(monkeypatch)
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9")
    intact, damaged = checked_snapshots(published)
    assert intact == SNAPSHOTS[:-1] and "损坏（校验和不符）" in damaged[SNAPSHOTS[-1]]


def test_a_disk_full_while_publishing_publishes_nothing(published, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(objectstore, "_write_manifest", full)
    with pytest.raises(OSError):
        write_snapshot(published, NEW, snapshot(SNAPSHOTS[-1]))
    assert snapshot_dates(published) == SNAPSHOTS
    assert not [
        o for o in objectstore._list(published, f"{objectstore.UPLOADS}/") if f"={NEW.isoformat()}/" in o["Key"]
    ]
