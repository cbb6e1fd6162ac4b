"""The snapshot store in an S3 bucket (SeaweedFS): publish by manifest, crashes, races, replacement, the cache key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.storage import identity, objectstore
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.location import Bucket, client, parse
from socialwork.data.storage.publishing import publish_store
from socialwork.data.storage.store import read_table, remove_stale_staging, snapshot_dates, write_snapshot
from socialwork.figures import db
from socialwork.figures.metrics import kpi_report
from socialwork.figures.place_filter import EVERYWHERE
from tests.fixture_county import FIXTURE_COUNTY, SNAPSHOTS, snapshot

pytestmark = pytest.mark.objectstore
DAY, LATER = SNAPSHOTS[-2], SNAPSHOTS[-1]


def uploads(bucket: Bucket) -> list[str]:
    return sorted(o["Key"] for o in objectstore._list(bucket, f"{objectstore.UPLOADS}/"))


def test_a_bucket_url_is_a_bucket_and_anything_else_a_folder(tmp_path):
    assert parse("s3://socialwork/province/yunxi") == Bucket("socialwork", "province/yunxi")
    assert str(parse("s3://socialwork/")) == "s3://socialwork"
    assert parse(str(tmp_path)) == tmp_path
    with pytest.raises(ValueError, match="缺少存储桶名称"):
        parse("s3:///prefix")


def test_import_publish_read_round_trip(bucket_store, fixture_store):
    identity.write(bucket_store, FIXTURE_COUNTY)
    for on in SNAPSHOTS:
        write_snapshot(bucket_store, on, snapshot(on))
    assert snapshot_dates(bucket_store) == SNAPSHOTS
    assert identity.load(bucket_store) == FIXTURE_COUNTY
    people = read_table(bucket_store, LATER, TABLES_BY_NAME["people"])
    assert sorted(people["person_id"]) == sorted(snapshot(LATER)["people"]["person_id"])
    # Every figure as from the same county on disk.
    assert (
        kpi_report(LATER, EVERYWHERE, bucket_store).as_dict() == kpi_report(LATER, EVERYWHERE, fixture_store).as_dict()
    )
    # One manifest per date, listing files under the import's own prefix, paths relative to the store's root.
    manifest = objectstore.published(bucket_store).snapshots[LATER]
    assert manifest.key == f"manifests/{LATER.isoformat()}/v000001.json"
    assert all(p.startswith("uploads/") and f"/snapshot_date={LATER}/" in p for p in manifest.files.values())


def test_the_cli_imports_a_workbook_into_the_bucket(bucket_store, fixture_store, tmp_path, capsys):
    """init, import and --replace through the command line, as data staff would on one of the servers."""
    upload, data = tmp_path / "2025-06.xlsx", ["--data", str(bucket_store)]
    upload.write_bytes(workbook_bytes(snapshot(date(2025, 6, 30))))
    assert cli.main(["init", "--county", "测试县", "--code", "999999", "-o", str(tmp_path / "模板.xlsx"), *data]) == 0
    lines = list(publish_store(fixture_store, bucket_store))
    assert lines[0] == "  county.json：对象存储中已有（测试县），未改动"
    assert cli.main(["import", str(upload), "--as-of", "2025-06-30", *data]) == 0
    assert "已导入测试县 2025-06-30 快照" in capsys.readouterr().out
    assert snapshot_dates(bucket_store) == [*SNAPSHOTS, date(2025, 6, 30)]
    assert cli.main(["import", str(upload), "--as-of", "2025-06-30", *data]) == 2
    assert "已存在" in capsys.readouterr().err
    assert cli.main(["import", str(upload), "--as-of", "2025-06-30", "--replace", *data]) == 0
    assert "原快照对象存储中保留为旧版本" in capsys.readouterr().out
    assert [m.version for m in objectstore.versions(bucket_store, date(2025, 6, 30))] == [1, 2]


def test_an_existing_date_needs_replace_and_the_old_version_stays_listed(bucket_store):
    write_snapshot(bucket_store, DAY, snapshot(DAY))
    with pytest.raises(StoreError, match="已存在"):
        write_snapshot(bucket_store, DAY, snapshot(DAY))
    changed = snapshot(DAY)
    changed["people"] = changed["people"].iloc[1:]
    write_snapshot(bucket_store, DAY, changed, replace=True)
    old, new = objectstore.versions(bucket_store, DAY)
    assert (old.version, new.version) == (1, 2)
    assert objectstore.published(bucket_store).snapshots[DAY] == new
    assert len(read_table(bucket_store, DAY, TABLES_BY_NAME["people"])) == len(changed["people"])
    # The replaced version's files are still in the bucket (recoverable) and not taken for stale uploads.
    assert set(old.files.values()) <= set(uploads(bucket_store))
    assert objectstore.remove_stale_uploads(bucket_store, older_than=0) == 0


CRASHING_IMPORT = """
import os, signal, sys
from datetime import date
from socialwork.data.storage import objectstore
from socialwork.data.storage.location import parse
from socialwork.data.storage.store import write_snapshot
from tests.fixture_county import snapshot

def die(*args, **kwargs):  # the process dies after every file is uploaded, before the manifest
    os.kill(os.getpid(), signal.SIGKILL)

objectstore._write_manifest = die
on = date.fromisoformat(sys.argv[2])
write_snapshot(parse(sys.argv[1]), on, snapshot(on))
"""


def test_a_crashed_import_shows_nothing_and_its_uploads_are_removed_later(bucket_store):
    write_snapshot(bucket_store, DAY, snapshot(DAY))
    published = uploads(bucket_store)
    crash = subprocess.run(
        [sys.executable, "-c", CRASHING_IMPORT, str(bucket_store), LATER.isoformat()],
        cwd=settings.REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert crash.returncode == -9, crash.stderr
    left = [k for k in uploads(bucket_store) if k not in published]
    assert len(left) == 12  # the dead import's files are in the bucket...
    assert snapshot_dates(bucket_store) == [DAY]  # ...and nobody sees them
    assert objectstore.remove_stale_uploads(bucket_store) == 0  # an hour's grace: it might still be uploading
    assert objectstore.remove_stale_uploads(bucket_store, older_than=0) == 12
    assert uploads(bucket_store) == published
    assert snapshot_dates(bucket_store) == [DAY]


def test_two_imports_of_one_date_publish_exactly_once(bucket_store, monkeypatch):
    """Two importers (two servers) both find the date free, upload, and write the manifest at the same moment."""
    both_uploaded = threading.Barrier(2)
    write_manifest = objectstore._write_manifest

    def together(bucket, key, body):
        both_uploaded.wait(timeout=60)
        return write_manifest(bucket, key, body)

    monkeypatch.setattr(objectstore, "_write_manifest", together)
    outcomes: list[str] = []

    def importer(people_rows: int) -> None:
        frames = snapshot(LATER)
        frames["people"] = frames["people"].iloc[:people_rows]
        try:
            write_snapshot(bucket_store, LATER, frames)
            outcomes.append(f"published {people_rows}")
        except StoreError as err:
            outcomes.append(str(err))

    threads = [threading.Thread(target=importer, args=(rows,)) for rows in (5, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    won = [o for o in outcomes if o.startswith("published")]
    lost = [o for o in outcomes if not o.startswith("published")]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "另一个导入发布" in lost[0] and "未发布" in lost[0]
    assert len(objectstore.versions(bucket_store, LATER)) == 1
    rows = len(read_table(bucket_store, LATER, TABLES_BY_NAME["people"]))
    assert won == [f"published {rows}"]  # the winner's files are what readers see
    assert len(uploads(bucket_store)) == 12  # the loser removed its own


def test_a_snapshot_published_elsewhere_is_seen_within_seconds(bucket_store, fixture_store, tmp_path):
    """Another server (a process) publishes; this one's cached figures change within a few seconds, no restart."""
    publish = [sys.executable, "-m", "socialwork", "publish", "--to", str(bucket_store), "--data"]
    partial = tmp_path / "partial"
    identity.write(partial, FIXTURE_COUNTY)
    write_snapshot(partial, DAY, snapshot(DAY))
    env = os.environ | {settings.CACHE_DIR_ENV: str(tmp_path / "other-server")}
    run = {"cwd": settings.REPO_ROOT, "env": env, "capture_output": True, "text": True}
    done = subprocess.run([*publish, str(partial)], **run)
    assert done.returncode == 0, done.stderr
    assert "已把" in done.stdout and "1 期快照" in done.stdout
    assert db.snapshot_dates(bucket_store) == [DAY]
    done = subprocess.run([*publish, str(fixture_store)], **run)
    assert done.returncode == 0, done.stderr
    assert "对象存储中已有，未改动" in done.stdout  # DAY stays as it was
    started = time.monotonic()
    while db.snapshot_dates(bucket_store) != SNAPSHOTS:
        assert time.monotonic() - started < 5, db.snapshot_dates(bucket_store)
        time.sleep(0.1)
    assert time.monotonic() - started < 2.5  # two caches of a second each at most


def test_kpis_of_the_demo_from_the_bucket_equal_those_from_disk(bucket_store, demo_store, capsys):
    assert list(publish_store(demo_store, bucket_store))[-1].startswith("已把")
    last = snapshot_dates(demo_store)[-1].isoformat()
    outputs = []
    for data in (str(demo_store), str(bucket_store)):
        assert cli.main(["kpis", "--as-of", last, "--json", "--data", data]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert cli.main(["kpis", "--as-of", last, "--township", "城关街道", "--data", str(bucket_store)]) == 0
    assert "城关街道" in capsys.readouterr().out


def test_an_empty_bucket_store_and_bad_credentials_are_chinese_errors(bucket_store, monkeypatch, capsys):
    assert snapshot_dates(bucket_store) == []
    assert not identity.has_identity(bucket_store)
    assert remove_stale_staging(bucket_store) == 0
    with pytest.raises(StoreError, match="尚未发布任何快照"):
        db.connection(bucket_store)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    objectstore.forget(bucket_store)
    assert cli.main(["kpis", "--as-of", "2025-03-31", "--data", str(bucket_store)]) == 2
    assert "对象存储" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("files", "message"),
    [({"people": "uploads/x/people.parquet"}, "缺少数据表"), ({"people": "../../etc/passwd"}, "存储根目录以外")],
)
def test_a_manifest_that_lists_too_little_or_outside_the_store_is_refused(bucket_store, files, message):
    body = json.dumps({"format": 1, "files": files}).encode()
    key = bucket_store.key(f"manifests/{DAY.isoformat()}/v000001.json")
    client().put_object(Bucket=bucket_store.bucket, Key=key, Body=body)
    with pytest.raises(StoreError, match=message):
        snapshot_dates(bucket_store)


def test_the_countys_boundaries_are_published_and_drawn_by_another_replica(bucket_store, demo_store, tmp_path,
                                                                            monkeypatch):  # fmt: skip
    """publish carries boundaries.geojson beside county.json; a replica with its own local copy draws the demo
    county's townships from it, not the tile map; a changed file replaces it only with --replace."""
    import shutil

    from socialwork.data.maps import boundaries
    from socialwork.figures.maps import place_map

    lines = list(publish_store(demo_store, bucket_store))
    assert "  boundaries.geojson：已写入（地图按本县乡镇边界绘制）" in lines
    monkeypatch.setenv(settings.CACHE_DIR_ENV, str(tmp_path / "replica"))  # another server's copy, empty
    last = snapshot_dates(demo_store)[-1]
    _, shapes = place_map(last, EVERYWHERE, None, bucket_store)
    assert shapes.kind == "boundaries"
    drawn = {f["id"]: f["geometry"] for f in shapes.geojson["features"]}
    assert drawn == {f["id"]: f["geometry"] for f in boundaries.load(demo_store)["features"] if f["id"] in drawn}
    assert "  boundaries.geojson：对象存储中已是同一份，未改动" in list(publish_store(demo_store, bucket_store))
    changed = shutil.copytree(demo_store, tmp_path / "changed")
    stored = boundaries.load(changed)
    boundaries.write(changed, stored | {"socialwork": stored["socialwork"] | {"source": "新边界.geojson"}})
    assert any("已有另一份乡镇边界，未改动" in line for line in list(publish_store(changed, bucket_store)))
    assert boundaries.load(bucket_store)["socialwork"]["source"] != "新边界.geojson"
    replaced = list(publish_store(changed, bucket_store, replace=True))
    assert "  boundaries.geojson：已写入（地图按本县乡镇边界绘制）" in replaced
    objectstore.forget(bucket_store)
    assert boundaries.load(bucket_store)["socialwork"]["source"] == "新边界.geojson"
    kept = objectstore._list(bucket_store, ".replaced/boundaries.geojson@")
    assert len(kept) == 1  # the first one, recoverable
