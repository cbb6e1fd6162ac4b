"""Combined months in a bucket of many counties (SeaweedFS): written by one combiner at a time, read by replicas only
while every county's manifest is the one they were made from, never on an import's critical path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialwork import cli
from socialwork.bench.bucket_province import requests_during
from socialwork.data import settings
from socialwork.data.storage import (
    bucket_combined,
    bucket_counties,
    bucket_lease,
    combined,
    layout,
    objectstore,
    store,
    verify,
)
from socialwork.data.storage.location import Bucket, client
from socialwork.figures import db, hierarchy
from socialwork.figures.place_filter import Places
from tests.fixture_city import (
    BOTH,
    CITY,
    COUNTY_A,
    COUNTY_B,
    MISSING_MONTH,
    county_snapshot,
    kpis_json,
)
from tests.fixture_county import SNAPSHOTS

pytestmark = pytest.mark.objectstore


def _manifest_stamp(bucket: Bucket, county: str, on) -> str:
    """What a county's current manifest of a month says its files are: the stamp a combined month records."""
    manifest = objectstore.published(layout.county_store(bucket, county), fresh=True).snapshots[on]
    return combined.upload_stamp(str(Path(manifest.files["people"]).parent))


def _kpis_elsewhere(bucket: Bucket, tmp_path, name: str, on, scope: str | None = None) -> dict:
    """`kpis` as another server computes it: a process with a local copy of its own."""
    env = os.environ | {settings.CACHE_DIR_ENV: str(tmp_path / name)}
    command = [sys.executable, "-m", "socialwork", "kpis", "--as-of", on.isoformat(), "--json", "--data", str(bucket),
               *(["--scope", scope] if scope else [])]  # fmt: skip
    done = subprocess.run(command, cwd=settings.REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_month_is_combined_from_the_counties_manifests_and_read_from_its_combined_files(city_bucket, city_folder):
    made = objectstore.published(bucket_combined.combined_store(city_bucket), fresh=True).snapshots
    assert sorted(made) == SNAPSHOTS
    assert made[BOTH].sources == {c: _manifest_stamp(city_bucket, c, BOTH) for c in (COUNTY_A, COUNTY_B)}
    assert made[MISSING_MONTH].sources == {COUNTY_A: _manifest_stamp(city_bucket, COUNTY_A, MISSING_MONTH)}
    local = layout.local_root(city_bucket)
    store.snapshot_dates(city_bucket)  # the local copy brought up to date, as a page's next rerun does
    assert combined.listing(local).fresh == set(SNAPSHOTS)
    assert store.files_of_date(city_bucket, BOTH, "people") == [combined.month_folder(local, BOTH) / "people.parquet"]
    assert bucket_combined.stale_months(city_bucket) == {}
    again = bucket_combined.combine(city_bucket)
    assert again.written == [] and again.current == SNAPSHOTS  # nothing changed: nothing combined


def test_a_countys_new_month_is_read_from_its_own_files_until_it_is_combined(city_bucket, tmp_path, capsys):
    """乙县 reports 2024-11-30 late and 甲县 replaces 2025-03-31: both months read from the counties' files at once
    (here and on another server); `combine` then combines exactly those two, and the figures stay the same."""
    for county, on in ((COUNTY_B, MISSING_MONTH), (COUNTY_A, BOTH)):
        target = layout.county_store(city_bucket, county)
        store.write_snapshot(target, on, county_snapshot(county, on), replace=True)
    local = layout.local_root(city_bucket)
    store.snapshot_dates(city_bucket)  # the local copy brought up to date, as a page's next rerun does
    assert combined.listing(local).fresh == set(SNAPSHOTS) - {MISSING_MONTH, BOTH}
    assert len(store.files_of_date(city_bucket, BOTH, "people")) == 2  # each county's own file
    assert hierarchy.reporting(MISSING_MONTH, Places.within(CITY), city_bucket).missing_names == ()
    stale = bucket_combined.stale_months(city_bucket)
    assert stale == {on: {c: _manifest_stamp(city_bucket, c, on) for c in (COUNTY_A, COUNTY_B)}
                     for on in (MISSING_MONTH, BOTH)}  # fmt: skip
    before = {on: kpis_json(capsys, city_bucket, on) for on in (MISSING_MONTH, BOTH)}
    elsewhere = _kpis_elsewhere(city_bucket, tmp_path, "replica-2", BOTH)
    assert elsewhere == before[BOTH]
    assert cli.main(["combine", "--data", str(city_bucket)]) == 0
    assert f"已合并 2 个月、{len(SNAPSHOTS) - 2} 个月已是最新" in capsys.readouterr().out
    db.clear_cache()
    store.snapshot_dates(city_bucket)
    assert combined.listing(local).fresh == set(SNAPSHOTS)
    assert {on: kpis_json(capsys, city_bucket, on) for on in (MISSING_MONTH, BOTH)} == before
    versions = objectstore.versions(bucket_combined.combined_store(city_bucket), BOTH)
    assert [m.version for m in versions] == [1, 2]
    assert bucket_combined.remove_superseded(city_bucket, older_than=0) == 2 * (12 + 1)  # v1's files and manifest
    assert [m.version for m in objectstore.versions(bucket_combined.combined_store(city_bucket), BOTH)] == [2]


def _bucket_clock_ahead(monkeypatch, seconds: float) -> None:
    """The bucket's clock, as the lease reads it from its answers' Date, that many seconds later than now."""
    later = datetime.now(UTC) + timedelta(seconds=seconds)
    monkeypatch.setattr(bucket_lease, "_bucket_now", lambda answer: later)


def test_one_combiner_at_a_time_and_a_lease_not_renewed_frees_itself(city_bucket, capsys, monkeypatch):
    taken = []
    start = threading.Barrier(4)

    def take() -> None:
        start.wait(timeout=30)
        taken.append(bucket_lease.take(city_bucket, seconds=60)[0])

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    held = [lease for lease in taken if lease is not None]
    assert len(held) == 1  # exactly one of four servers asking at the same moment
    assert bucket_combined.combine(city_bucket).held_by is None  # nothing stale: the lease is not asked for
    store.write_snapshot(
        layout.county_store(city_bucket, COUNTY_B), MISSING_MONTH, county_snapshot(COUNTY_B, MISSING_MONTH)
    )
    done = bucket_combined.combine(city_bucket)
    assert done.written == [] and done.held_by is not None and done.held_by.holder == held[0].holder
    assert cli.main(["combine", "--data", str(city_bucket)]) == 0
    assert "另一处正在合并" in capsys.readouterr().out
    _bucket_clock_ahead(monkeypatch, 61)  # never renewed: its minute passes, by the bucket's clock
    after = bucket_combined.combine(city_bucket)
    assert after.held_by is None and after.written == [MISSING_MONTH]
    with pytest.raises(bucket_lease.LeaseLost, match="已由"):
        held[0].keep()  # the first holder, back from a pause, learns before it writes anything


def test_a_combiner_killed_midway_leaves_the_previous_combined_months_in_use(city_bucket, monkeypatch, capsys):
    """乙县 replaces two months; the combiner dies before publishing the first (here: its manifest write fails and
    it never gives the lease back, as a killed process would not). The other months stay read from their combined
    files, the two changed ones from the counties' files; the next server combines once the lease has freed itself."""
    for on in (MISSING_MONTH, BOTH):
        target = layout.county_store(city_bucket, COUNTY_A)
        store.write_snapshot(target, on, county_snapshot(COUNTY_A, on), replace=True)
    write_manifest = objectstore._write_manifest

    def killed(bucket, key, body):
        if bucket.prefix.endswith(f"/{combined.COMBINED_FOLDER}"):
            raise KeyboardInterrupt  # as a kill -9 between uploading a month's files and publishing them
        return write_manifest(bucket, key, body)

    monkeypatch.setattr(objectstore, "_write_manifest", killed)
    monkeypatch.setattr(bucket_lease.Lease, "release", lambda self: None)
    with pytest.raises(KeyboardInterrupt):
        bucket_combined.combine(city_bucket, seconds=60)
    monkeypatch.setattr(objectstore, "_write_manifest", write_manifest)
    made = objectstore.published(bucket_combined.combined_store(city_bucket), fresh=True).snapshots
    assert {on: m.version for on, m in made.items()} == dict.fromkeys(SNAPSHOTS, 1)
    leftovers = objectstore._list(bucket_combined.combined_store(city_bucket), f"{objectstore.UPLOADS}/")
    assert len(leftovers) == len(SNAPSHOTS) * 12  # the killed upload's own files were removed (publish's cleanup)
    store.snapshot_dates(city_bucket)
    assert combined.listing(layout.local_root(city_bucket)).fresh == set(SNAPSHOTS) - {MISSING_MONTH, BOTH}
    before = kpis_json(capsys, city_bucket, BOTH)
    assert bucket_combined.combine(city_bucket).held_by is not None  # its lease, not given back, still holds
    _bucket_clock_ahead(monkeypatch, 61)
    assert bucket_combined.combine(city_bucket).written == [MISSING_MONTH, BOTH]
    db.clear_cache()
    assert kpis_json(capsys, city_bucket, BOTH) == before


def test_a_damaged_combined_object_is_never_read(city_bucket, tmp_path):
    """A combined month's object damaged in the bucket: a replica copying it anew leaves that combined month out and
    reads the month from its counties' own files, with the same figures."""
    combined_bucket = bucket_combined.combined_store(city_bucket)
    manifest = objectstore.published(combined_bucket, fresh=True).snapshots[BOTH]
    good = _kpis_elsewhere(city_bucket, tmp_path, "replica-good", BOTH)
    client().put_object(Bucket=combined_bucket.bucket, Key=combined_bucket.key(manifest.files["people"]), Body=b"x")
    assert _kpis_elsewhere(city_bucket, tmp_path, "replica-new", BOTH) == good
    checked = verify.verify(city_bucket)
    assert [line.split(" ", 2)[:2] for line in checked.problems] == [["合并文件", BOTH.isoformat()]]
    assert checked.problems[0].endswith("损坏（校验和不符）（合并文件可重新生成：python -m socialwork combine）")
    assert bucket_counties.combined_store(city_bucket) == combined_bucket


def test_a_version_check_lists_only_the_root_and_what_changed(city_bucket):
    """With nothing new, checking the store's version asks the bucket once (its root, where every county's and the
    combined months' change marks lie); after 乙县 publishes, its county alone is listed again; the check sees it."""
    bucket_counties.version(city_bucket)
    time.sleep(1.1)  # past the listings' one-second reuse
    quiet, asked = requests_during(lambda: bucket_counties.version(city_bucket))
    assert asked == ["ListObjectsV2"]
    target = layout.county_store(city_bucket, COUNTY_B)
    store.write_snapshot(target, MISSING_MONTH, county_snapshot(COUNTY_B, MISSING_MONTH))
    time.sleep(1.1)
    changed, asked = requests_during(lambda: bucket_counties.version(city_bucket))
    assert changed != quiet
    assert asked == ["ListObjectsV2"] * 3  # the root, then 乙县's manifests and the files beside them


def test_the_combining_worker_runs_in_a_server_of_a_bucket_of_many_counties_only(city_bucket, city_folder, monkeypatch):
    from socialwork.data.storage import combine_worker

    assert combine_worker.period({}) == combine_worker.COMBINE_SECONDS
    assert combine_worker.period({combine_worker.PERIOD_ENV: "0"}) == 0
    for wrong in ("半分钟", "-5"):
        with pytest.raises(layout.StoreError, match=combine_worker.PERIOD_ENV):
            combine_worker.period({combine_worker.PERIOD_ENV: wrong})
    assert combine_worker.start(city_folder) is None  # a folder: combined after each county's import instead
    monkeypatch.setenv(combine_worker.PERIOD_ENV, "0")
    assert combine_worker.start(city_bucket) is None  # turned off: a timer runs `combine`
    monkeypatch.setenv(combine_worker.PERIOD_ENV, "0.2")
    store.write_snapshot(
        layout.county_store(city_bucket, COUNTY_B), MISSING_MONTH, county_snapshot(COUNTY_B, MISSING_MONTH)
    )
    worker = combine_worker.start(city_bucket)
    try:
        assert worker is not None and worker.is_alive() and combine_worker.start(city_bucket) is worker  # once
        deadline = time.monotonic() + 30
        while bucket_combined.stale_months(city_bucket):
            assert time.monotonic() < deadline, "the worker never combined 乙县's late month"
            time.sleep(0.3)
    finally:
        combine_worker.stop(city_bucket)
    assert not worker.is_alive()


def test_the_lease_seconds_come_from_the_environment_or_are_refused_in_chinese():
    """SOCIALWORK_COMBINE_LEASE_SECONDS: a combiner's lease, freed this long after its holder stops renewing it (the
    servers test kills a combiner holding a five-second lease)."""
    assert bucket_lease.lease_seconds({}) == bucket_lease.LEASE_SECONDS == 120
    assert bucket_lease.lease_seconds({bucket_lease.SECONDS_ENV: " 5 "}) == 5.0
    for wrong in ("abc", "0", "-3", "nan", "inf"):
        with pytest.raises(layout.StoreError, match=f"环境变量 {bucket_lease.SECONDS_ENV} 应为正的秒数"):
            bucket_lease.lease_seconds({bucket_lease.SECONDS_ENV: wrong})


def test_a_combine_takes_the_lease_for_the_seconds_the_environment_gives(city_bucket, monkeypatch):
    taken = []
    take = bucket_lease.take
    monkeypatch.setattr(bucket_lease, "take", lambda bucket, seconds: taken.append(seconds) or take(bucket, seconds))
    monkeypatch.setenv(bucket_lease.SECONDS_ENV, "7")
    assert bucket_combined.combine(city_bucket).current == SNAPSHOTS
    assert taken == []  # nothing stale: no lease asked for
    target = layout.county_store(city_bucket, COUNTY_B)
    store.write_snapshot(target, MISSING_MONTH, county_snapshot(COUNTY_B, MISSING_MONTH))
    monkeypatch.setenv(bucket_lease.SECONDS_ENV, "x")
    with pytest.raises(layout.StoreError, match="应为正的秒数"):
        bucket_combined.combine(city_bucket)
    monkeypatch.setenv(bucket_lease.SECONDS_ENV, "7")
    assert bucket_combined.combine(city_bucket).written == [MISSING_MONTH]
    assert taken == [7.0]


def test_a_restarted_server_reads_no_manifest_again_from_the_bucket(city_bucket, monkeypatch):
    """A server restarted over its local copy takes every manifest from the listing saved beside the copy (a key is
    written once, never again): a province's restart read 4,479 objects, 17 s, before its first page."""
    local = layout.local_root(city_bucket)
    dates = store.snapshot_dates(city_bucket)
    for name in ("_seen", "_manifests", "_synced", "_saved", "_saved_bodies"):
        monkeypatch.setattr(objectstore, name, {})
    for name in ("_marks", "_linked"):
        monkeypatch.setattr(bucket_counties, name, {})
    db.clear_cache()
    read: list[str] = []

    def note(params, **_):
        read.append(params["Key"])

    client().meta.events.register("before-parameter-build.s3.GetObject", note)
    try:
        assert store.snapshot_dates(city_bucket) == dates
    finally:
        client().meta.events.unregister("before-parameter-build.s3.GetObject", note)
    assert [key for key in read if f"/{objectstore.MANIFESTS}/" in key] == []
    assert combined.listing(local).fresh == set(SNAPSHOTS)
