"""A store of many counties in a bucket (SeaweedFS): the two-county city published by `publish --to`, read back with
the figures of the folder it came from; a county's month imported into it seen by a reader; two counties publishing
at the same moment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.importing import importer
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.server import serverdb
from socialwork.data.storage import bucket_io, identity, layout, objectstore, store, verify
from socialwork.data.storage.location import Bucket, client
from socialwork.data.storage.publishing import publish_store
from socialwork.figures import db, hierarchy
from socialwork.figures.place_filter import Places
from socialwork.present.staff import uploads
from tests.fixture_city import (
    BOTH,
    CITY,
    COUNTY_A,
    COUNTY_B,
    MISSING_MONTH,
    county_snapshot,
    kpis_json,
)

pytestmark = pytest.mark.objectstore
SCOPES = (None, COUNTY_A, COUNTY_B)


def test_a_city_published_to_a_bucket_reads_as_its_folder(city_bucket, city_folder, capsys):
    assert layout.is_multi_county(city_bucket)
    assert bucket_io.root(city_bucket).counties == (COUNTY_A, COUNTY_B)
    county_b = layout.county_store(city_bucket, COUNTY_B)
    assert county_b == Bucket(city_bucket.bucket, f"{city_bucket.prefix}/county={COUNTY_B}")
    assert objectstore.published(county_b).snapshots[BOTH].key == f"manifests/{BOTH.isoformat()}/v000001.json"
    assert MISSING_MONTH not in objectstore.published(county_b).snapshots
    assert identity.load_or_fallback(city_bucket)[0].county_name == "测试市"
    assert store.snapshot_dates(city_bucket) == store.snapshot_dates(city_folder)
    for on in (BOTH, MISSING_MONTH):
        for scope in SCOPES:
            if scope == COUNTY_B and on == MISSING_MONTH:
                continue
            assert kpis_json(capsys, city_bucket, on, scope) == kpis_json(capsys, city_folder, on, scope), (on, scope)
    # A second publish leaves what is there; a single county's store is refused into a store of many counties.
    again = list(publish_store(city_folder, city_bucket))
    assert "  divisions.parquet：对象存储中已有，相同" in again
    assert any("对象存储中已有，未改动" in line for line in again)
    with pytest.raises(layout.StoreError, match="多县对象存储"):
        list(publish_store(layout.county_folder(city_folder, COUNTY_A), city_bucket))


def test_a_countys_month_imported_into_the_bucket_is_read_at_once(city_bucket, tmp_path, capsys, monkeypatch):
    """乙县 reports 2024-11-30 late, through `import --county` into the bucket: the city's month then sums both; the
    county sweeps an interrupted import's uploads as it publishes (here without the hour's grace)."""
    county_b = layout.county_store(city_bucket, COUNTY_B)
    stray = county_b.key("uploads/20240101T000000-dead/snapshot_date=2024-11-30/people.parquet")
    client().put_object(Bucket=county_b.bucket, Key=stray, Body=b"half")
    monkeypatch.setattr(objectstore.remove_stale_uploads, "__defaults__", (0.0,))
    assert store.remove_stale_staging(city_bucket) == 0  # a reader opening the province sweeps no county's uploads
    assert hierarchy.reporting(MISSING_MONTH, Places.within(CITY), city_bucket).missing_names == (
        "乙县：最新 2024-06-30",
    )
    upload = tmp_path / "2024-11.xlsx"
    upload.write_bytes(workbook_bytes(county_snapshot(COUNTY_B, MISSING_MONTH)))
    data = ["--data", str(city_bucket)]
    assert cli.main(["import", str(upload), "--as-of", MISSING_MONTH.isoformat(), *data]) == 2
    assert "--county" in capsys.readouterr().err
    to_a = ["--county", COUNTY_A, "--replace"]
    assert cli.main(["import", str(upload), "--as-of", MISSING_MONTH.isoformat(), *to_a, *data]) == 2
    assert "不能导入甲县" in capsys.readouterr().err  # 乙县's townships, refused for 甲县
    assert uploads.counties_to_import(city_bucket) == {COUNTY_A: "甲县", COUNTY_B: "乙县"}  # the 数据导入 page's choice
    target, county = uploads.import_destination(city_bucket, COUNTY_B)
    assert target == layout.county_store(city_bucket, COUNTY_B) and county.county_name == "乙县"
    assert cli.main(["import", str(upload), "--as-of", MISSING_MONTH.isoformat(), "--county", COUNTY_B, *data]) == 0
    assert "已导入乙县 2024-11-30 快照" in capsys.readouterr().out
    left = [o["Key"] for o in objectstore._list(county_b, f"{objectstore.UPLOADS}/")]
    assert len(left) == 12 * 4 and stray.removeprefix(f"{county_b.prefix}/") not in left  # 乙县's four months
    assert hierarchy.reporting(MISSING_MONTH, Places.within(CITY), city_bucket).missing_names == ()
    assert kpis_json(capsys, city_bucket, MISSING_MONTH, COUNTY_B)["scope_code"] == COUNTY_B


def test_a_month_published_by_another_server_is_seen_within_seconds(city_bucket, tmp_path, capsys):
    """Another server (a process with its own local copy) imports 乙县's late month; this one's city view counts it
    within seconds, no restart."""
    assert kpis_json(capsys, city_bucket, MISSING_MONTH)["kpis"] != []
    before = hierarchy.reporting(MISSING_MONTH, Places.within(CITY), city_bucket)
    assert before.missing_names == ("乙县：最新 2024-06-30",)
    upload = tmp_path / "2024-11.xlsx"
    upload.write_bytes(workbook_bytes(county_snapshot(COUNTY_B, MISSING_MONTH)))
    env = os.environ | {settings.CACHE_DIR_ENV: str(tmp_path / "other-server")}
    command = [sys.executable, "-m", "socialwork", "import", str(upload), "--as-of", MISSING_MONTH.isoformat(),
               "--county", COUNTY_B, "--data", str(city_bucket)]  # fmt: skip
    done = subprocess.run(command, cwd=settings.REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    published = time.monotonic()
    while hierarchy.reporting(MISSING_MONTH, Places.within(CITY), city_bucket).missing_names:
        assert time.monotonic() - published < 15
        time.sleep(0.2)
    seen = time.monotonic() - published
    print(f"seen after {seen:.2f} s")
    assert seen < 7  # a store of many counties is listed every 5 s, each county's manifests every second


def test_two_counties_publishing_at_the_same_moment_both_land(city_bucket, monkeypatch):
    """甲县 replaces 2024-11-30 while 乙县 publishes it for the first time; both manifests are written together."""
    both_uploaded = threading.Barrier(2)
    write_manifest = objectstore._write_manifest

    def together(bucket, key, body):
        both_uploaded.wait(timeout=60)
        return write_manifest(bucket, key, body)

    monkeypatch.setattr(objectstore, "_write_manifest", together)
    outcomes: dict[str, str] = {}

    def publish(county: str) -> None:
        target = importer.import_target(city_bucket, county)
        try:
            store.write_snapshot(target, MISSING_MONTH, county_snapshot(county, MISSING_MONTH), replace=True)
            outcomes[county] = "published"
        except layout.StoreError as err:
            outcomes[county] = str(err)

    threads = [threading.Thread(target=publish, args=(county,)) for county in (COUNTY_A, COUNTY_B)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes == {COUNTY_A: "published", COUNTY_B: "published"}
    assert [m.version for m in objectstore.versions(layout.county_store(city_bucket, COUNTY_A), MISSING_MONTH)] == [
        1,
        2,
    ]
    assert [m.version for m in objectstore.versions(layout.county_store(city_bucket, COUNTY_B), MISSING_MONTH)] == [1]
    assert hierarchy.reporting(MISSING_MONTH, Places.within(CITY), city_bucket).missing_names == ()


def test_verify_and_backup_take_every_county(city_bucket, city_folder, tmp_path, monkeypatch, capsys):
    """`verify` checks each county's objects; `backup` archives the bucket as the folder store of many counties it
    restores into, with the same figures."""
    checked = verify.verify(city_bucket)
    counties = sum(len(store.snapshot_dates(folder)) for folder in layout.county_folders(city_folder).values())
    assert checked.problems == [] and counties == 7
    assert checked.snapshots == counties + len(store.snapshot_dates(city_folder))  # and the combined months
    monkeypatch.setenv(serverdb.DB_ENV, f"sqlite:///{tmp_path / 'server.sqlite'}")
    archive = tmp_path / "city.tar"
    assert cli.main(["backup", "--data", str(city_bucket), "-o", str(archive)]) == 0
    monkeypatch.delenv(serverdb.DB_ENV)
    target = tmp_path / "restored"
    assert cli.main(["restore", str(archive), "--data", str(target)]) == 0
    capsys.readouterr()
    assert layout.is_multi_county(target) and sorted(layout.county_folders(target)) == [COUNTY_A, COUNTY_B]
    assert store.snapshot_dates(target) == store.snapshot_dates(city_folder)
    for scope in SCOPES:
        assert kpis_json(capsys, target, BOTH, scope) == kpis_json(capsys, city_folder, BOTH, scope), scope


def test_a_countys_own_connection_reads_its_copy_as_from_the_folder(city_bucket, city_folder):
    """A province's county view reads that county's own connection (db.county_store): from the bucket's local copy
    it gives every placed query's frame as the folder's does."""
    from tests.test_county_store import PLACED_QUERIES, _on
    from tests.test_queries import SAMPLE_PARAMETERS

    for county in (COUNTY_A, COUNTY_B):
        from_bucket, from_folder = db.county_store(city_bucket, county), db.county_store(city_folder, county)
        assert from_bucket is not None and from_folder is not None
        places = Places.within(county)
        for name in PLACED_QUERIES:
            given = SAMPLE_PARAMETERS | {"places": places, "scope": county, "snapshot_date": BOTH, "to_date": BOTH}
            params = db.bind(name, given | {"plan_year": BOTH.year})
            pd.testing.assert_frame_equal(_on(from_bucket, name, params), _on(from_folder, name, params), obj=name)


def test_a_countys_first_month_in_the_bucket_is_counted_at_once(bucket_store, city_folder, tmp_path):
    """乙县 has published nothing: its first import makes its county.json from the divisions, under its own prefix,
    and this server's city view counts its month at once."""
    import shutil

    only_a = shutil.copytree(city_folder, tmp_path / "city", symlinks=True)
    shutil.rmtree(layout.county_folder(only_a, COUNTY_B))
    list(publish_store(only_a, bucket_store))
    assert bucket_io.root(bucket_store).counties == (COUNTY_A,)
    assert hierarchy.reporting(BOTH, Places.within(CITY), bucket_store).missing_names != ()
    target = importer.import_target(bucket_store, COUNTY_B)
    assert identity.load(target).county_name == "乙县"
    store.write_snapshot(target, BOTH, county_snapshot(COUNTY_B, BOTH))
    assert hierarchy.reporting(BOTH, Places.within(CITY), bucket_store).missing_names == ()


@pytest.mark.parametrize("scope", [None, COUNTY_B])
def test_the_overview_page_of_the_bucket_shows_the_folders_figures(city_bucket, city_folder, monkeypatch, scope):
    """The dashboard served from the bucket (SOCIALWORK_DATA=s3://…): the city's, or a county's, overview as from
    the folder, titled by the city."""
    from streamlit.testing.v1 import AppTest

    shown = []
    for data in (city_folder, city_bucket):
        monkeypatch.setenv(settings.DATA_DIR_ENV, str(data))
        db.in_background(lambda: None).result(timeout=60)  # the county view's read-ahead done before caches go
        db.clear_cache()
        at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=90)
        if scope:
            at.query_params["scope"] = scope
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        metrics = {m.label: m.value for m in at.metric}
        stamp = [m.value for m in at.markdown if "数据截至" in m.value]
        shown.append((metrics, stamp))
    db.in_background(lambda: None).result(timeout=60)
    assert shown[0] == shown[1] and shown[0][0] and shown[0][1]
    assert ("测试市" if scope is None else "乙县") in "".join(shown[1][1])


def test_a_countys_boundaries_reach_the_local_copys_county_folder(bucket_store, city_folder, tmp_path):
    """publish carries each county's boundaries.geojson into its prefix; a replica's county folder links its copy, so
    the county's map draws its townships (maps.py reads the county folder)."""
    import shutil

    from socialwork.data.maps import boundaries

    source = shutil.copytree(city_folder, tmp_path / "city", symlinks=True)
    outlines = {"type": "FeatureCollection", "features": [], "socialwork": {"kind": "polygons"}}
    (layout.county_folder(source, COUNTY_A) / boundaries.BOUNDARIES_FILE).write_text(json.dumps(outlines))
    lines = list(publish_store(source, bucket_store))
    assert any(boundaries.BOUNDARIES_FILE in line for line in lines)
    assert store.snapshot_dates(bucket_store) == store.snapshot_dates(city_folder)  # the local copy brought up to date
    assert boundaries.load(layout.county_folder(bucket_store, COUNTY_A)) == outlines
    assert boundaries.load(layout.county_folder(bucket_store, COUNTY_B)) is None
