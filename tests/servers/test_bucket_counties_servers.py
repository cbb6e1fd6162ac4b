"""A bucket shared by many counties in a cluster (issue 35): a city of three counties (tests/fixture_city3.py) published
into SeaweedFS, two replicas behind HAProxy each with its own local copy, PostgreSQL; every figure checked on the
overview page of a replica, over Streamlit's protocol. Counties publish with `import --county` and months are combined
with `combine`, each a process of its own with a local copy of its own (another server); the replicas' own combining
is off (SOCIALWORK_COMBINE_SECONDS=0), so the test says when a month is combined. A county's new month is offered in
the city view on the other replica within seconds; a county's replaced month is read from its own files (never from
the stale combined month) until `combine`, then from the combined files with the same figure; two counties
publishing at the same moment both land; and a combiner killed while it holds the lease leaves the combined months
published before in use, its lease freeing itself after its seconds, and the next `combine` succeeds."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from socialwork.cluster import replicas
from socialwork.data import settings
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.storage import bucket_combined, bucket_lease, combine_worker, combined, layout, objectstore, store
from socialwork.data.storage.location import Bucket
from socialwork.data.storage.publishing import publish_store
from tests.conftest import TEST_BUCKET
from tests.fixture_city import BOTH, county_snapshot
from tests.fixture_city3 import COUNTY_A, COUNTY_B, COUNTY_C, with_new_worker, write_city3_store
from tests.fixture_county import SNAPSHOTS
from tests.servers.session import Session

pytestmark = pytest.mark.servers
AS_OF = "数据截至"  # the sidebar's snapshot picker
NET_GAIN, SERVED = "持证社工年度净增", "有社工服务的村（社区）占比"  # two of the overview's cards
# A store of many counties: its root listed at most once a second, a county's manifests anew when its change mark moved.
SEEN_WITHIN_S = 8.0
LEASE_S = 5  # the killed combiner's lease (SOCIALWORK_COMBINE_LEASE_SECONDS)
APRIL, MAY = date(2025, 4, 30), date(2025, 5, 31)


@pytest.fixture(scope="module")
def city_bucket(seaweed, tmp_path_factory) -> Bucket:
    """The three-county city published into a prefix of its own (publish_store combines its months); this test
    process's environment names SeaweedFS and a local copy of its own while the module runs."""
    bucket = Bucket(TEST_BUCKET, f"city3-{uuid.uuid4().hex[:8]}")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in seaweed.environment().items():
            patch.setenv(name, value)
        patch.setenv(settings.CACHE_DIR_ENV, str(tmp_path_factory.mktemp("test-copy")))
        lines = list(publish_store(write_city3_store(tmp_path_factory.mktemp("city3")), bucket))
        assert lines[-1] == f"合并月度文件：已合并 {len(SNAPSHOTS)} 个月，0 个月已是最新（combined/）"
        yield bucket


@pytest.fixture(scope="module")
def cluster(postgres, city_bucket, seaweed):
    running = replicas.start(2, data=str(city_bucket), db_url=postgres.url(), own_copies=True,
                             env={**seaweed.environment(), combine_worker.PERIOD_ENV: "0"})  # fmt: skip
    yield running
    running.stop()


def label(on: date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def city_page(cluster, replica: int, on: date, **query: str):
    """A new session on replica n's (0-based) overview page of the city at `on` (a month not offered: its newest,
    with an alert naming the link's month)."""

    async def run():
        session = Session(cluster.replica_url(replica), "")
        try:
            return await session.open(asof=on.isoformat(), **query)
        finally:
            await session.close()

    page = asyncio.run(run())
    assert page.exceptions == [] and (page.alerts == [] or label(on) not in page.choices[AS_OF]), page.alerts
    return page


def figures(page) -> tuple[str, str]:
    return page.metrics[NET_GAIN], page.metrics[SERVED]


def offered(cluster, replica: int, on: date, since: float, within: float = SEEN_WITHIN_S):
    """Replica n's city page at `on` once its picker offers that month (new sessions until it does)."""
    while label(on) not in (page := city_page(cluster, replica, on)).choices[AS_OF]:
        assert time.monotonic() - since < within, f"replica {replica + 1} did not offer {on}"
        time.sleep(0.2)
    return page


def read_combined(cluster, bucket: Bucket, replica: int) -> set[date]:
    """The months replica n reads from their combined files now (its local copy as its last page run left it)."""
    return combined.listing(cluster.workdir / f"replica-{replica + 1}-copy" / bucket.bucket / bucket.prefix).fresh


def socialwork(tmp_path: Path, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m socialwork …` as another server: a process with a local copy of its own."""
    environment = os.environ | {settings.CACHE_DIR_ENV: str(tmp_path / f"{name}-copy")} | (env or {})
    return subprocess.Popen([sys.executable, "-m", "socialwork", *args], cwd=settings.REPO_ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def finished(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    return out


def import_county(tmp_path: Path, bucket: Bucket, county: str, on: date, tables, replace: bool = False):
    upload = tmp_path / f"{county}-{on}.xlsx"
    upload.write_bytes(workbook_bytes(tables))
    args = ["import", str(upload), "--as-of", on.isoformat(), "--county", county, "--data", str(bucket)]
    return socialwork(tmp_path, f"import-{county}", *args, *(["--replace"] if replace else []))


def missing(page) -> set[str]:
    """What the page's cards say of the counties that have not reported its month (nothing: all have)."""
    return {found for shown in page.texts for found in re.findall(r"缺 \d+ 个县数据（[^）]*）", shown)}


def made(bucket: Bucket) -> dict[date, objectstore.Manifest]:
    """The combined months the bucket publishes now."""
    return objectstore.published(bucket_combined.combined_store(bucket), fresh=True).snapshots


def stamp(bucket: Bucket, county: str, on: date) -> str:
    """The upload of the county's month its manifest names now (what a combined month records as its source)."""
    manifest = objectstore.published(layout.county_store(bucket, county), fresh=True).snapshots[on]
    return combined.upload_stamp(str(Path(manifest.files["people"]).parent))


def changed(cluster, replica: int, on: date, old: tuple[str, str], since: float):
    """Replica n's city page at `on` once its figures are no longer `old` (within SEEN_WITHIN_S)."""
    while figures(page := city_page(cluster, replica, on)) == old:
        assert time.monotonic() - since < SEEN_WITHIN_S, f"replica {replica + 1} still shows {on} as before"
        time.sleep(0.2)
    return page


def test_a_countys_new_month_is_offered_in_the_city_view_of_the_other_replica(cluster, city_bucket, tmp_path):
    """丙县 reports 2025-04-30 (`import --county`, another server): replica 2's city view offers the month within
    seconds, with 丙县's figures alone and 甲县 and 乙县 named as not reported; replica 1 offers it too."""
    before = city_page(cluster, 1, APRIL)
    assert label(APRIL) not in before.choices[AS_OF] and figures(before) == ("5人", "77.8%")  # the city at 2025-03-31
    out = finished(import_county(tmp_path, city_bucket, COUNTY_C, APRIL, county_snapshot(COUNTY_C, APRIL)))
    imported = time.monotonic()
    assert "已导入丙县 2025-04-30 快照" in out
    after = offered(cluster, 1, APRIL, imported)
    print(f"offered by replica 2 {time.monotonic() - imported:.2f} s after the import returned")
    assert figures(after) == ("1人", "83.3%")  # the fixture county's (docs/metrics.md): 丙县 is the one reporting
    assert missing(after) == {"缺 2 个县数据（甲县：最新 2025-03-31；乙县：最新 2025-03-31）"}
    assert figures(offered(cluster, 0, APRIL, imported)) == figures(after)


def test_a_stale_combined_month_is_never_read_as_current(cluster, city_bucket, tmp_path):
    """甲县 replaces 2025-03-31 with one more certified worker (another server's `import --replace`). Before any
    combining, replica 2's city view has the new figures, read from the counties' own files: the combined month,
    made from 甲县's old upload, is not read. After `combine` the figures are the same, read from the combined files."""
    old = figures(city_page(cluster, 1, BOTH))
    assert old == ("5人", "77.8%") and BOTH in read_combined(cluster, city_bucket, 1)
    tables = with_new_worker(COUNTY_A, BOTH)
    finished(import_county(tmp_path, city_bucket, COUNTY_A, BOTH, tables, replace=True))
    replaced = time.monotonic()
    page = changed(cluster, 1, BOTH, old, replaced)
    assert figures(page) == ("6人", "83.3%") and missing(page) == set()  # p11 certified, C32 served: 15 of 18
    changed(cluster, 0, BOTH, old, replaced)  # replica 1 lists the bucket on its own schedule: within seconds too
    assert made(city_bucket)[BOTH].sources[COUNTY_A] != stamp(city_bucket, COUNTY_A, BOTH)  # not combined again yet
    assert BOTH not in read_combined(cluster, city_bucket, 1)
    for replica in (0, 1, 1):  # and it stays so, on both replicas
        assert figures(city_page(cluster, replica, BOTH)) == ("6人", "83.3%")
    out = finished(socialwork(tmp_path, "combine", "combine", "--data", str(city_bucket)))
    combined_at = time.monotonic()
    assert re.search(r"已合并 \d 个月", out) and made(city_bucket)[BOTH].sources[COUNTY_A] == stamp(
        city_bucket, COUNTY_A, BOTH)  # fmt: skip
    while BOTH not in read_combined(cluster, city_bucket, 1):  # each page run brings replica 2's copy up to date
        assert time.monotonic() - combined_at < SEEN_WITHIN_S, "replica 2 does not read the combined month"
        assert figures(city_page(cluster, 1, BOTH)) == ("6人", "83.3%")
    assert figures(city_page(cluster, 1, BOTH)) == ("6人", "83.3%")


def test_two_counties_publishing_at_the_same_moment_both_land(cluster, city_bucket, tmp_path):
    """甲县 and 乙县 import 2025-05-31 in two processes started together: both replicas' city view of the month sums
    the two counties (each county's own view on the same replica), 丙县 alone named as not reported."""
    processes = [import_county(tmp_path, city_bucket, c, MAY, county_snapshot(c, MAY)) for c in (COUNTY_A, COUNTY_B)]
    outs = [finished(process) for process in processes]
    published = time.monotonic()
    assert "已导入甲县 2025-05-31 快照" in outs[0] and "已导入乙县 2025-05-31 快照" in outs[1]
    for replica in (0, 1):
        city = offered(cluster, replica, MAY, published)
        assert len(missing(city)) == 1 and next(iter(missing(city))).startswith("缺 1 个县数据（丙县：最新 ")
        own = [city_page(cluster, replica, MAY, scope=county) for county in (COUNTY_A, COUNTY_B)]
        assert [label(MAY) in page.choices[AS_OF] for page in own] == [True, True]
        assert [figures(page) for page in own] == [("1人", "83.3%"), ("3人", "66.7%")]  # 乙县: no p1, p2 (C11)
        assert figures(city) == ("4人", "75.0%")  # 1 + 3 gained; 5 + 4 of 12 villages and communities served


def test_a_combiner_killed_while_combining_leaves_the_combined_months_in_use(cluster, city_bucket, tmp_path):
    """丙县 replaces two months; a `combine` (its lease LEASE_S seconds) is killed with SIGKILL as soon as it holds
    the lease. The combined months published before are still listed and read for every other month, both replicas
    show the two months' new figures; the killed combiner's lease refuses another combiner, frees itself after its
    seconds, and the next `combine` combines the two months, the figures unchanged."""
    replaced = [SNAPSHOTS[1], BOTH]  # neither is another month's year-start baseline: no other figure changes
    shown = {on: figures(city_page(cluster, 1, on)) for on in SNAPSHOTS}
    county = layout.county_store(city_bucket, COUNTY_C)
    for on in replaced:  # published by this process, as a third server
        store.write_snapshot(county, on, with_new_worker(COUNTY_C, on), replace=True)
    assert {on: shown[on] for on in replaced} == {SNAPSHOTS[1]: ("3人", "77.8%"), BOTH: ("6人", "83.3%")}
    for on in replaced:
        shown[on] = figures(changed(cluster, 1, on, shown[on], time.monotonic()))
    # 丙县's p11 gained and its C32 served, of the city's 18 villages and communities (甲县's C32 already at BOTH)
    assert {on: shown[on] for on in replaced} == {SNAPSHOTS[1]: ("4人", "83.3%"), BOTH: ("7人", "88.9%")}
    before = {on: manifest.version for on, manifest in made(city_bucket).items()}
    combiner = socialwork(tmp_path, "killed", "combine", "--data", str(city_bucket),
                          env={bucket_lease.SECONDS_ENV: str(LEASE_S)})  # fmt: skip
    while (held := bucket_lease.newest(city_bucket)[0]) is None or f":{combiner.pid}:" not in held.holder:
        assert combiner.poll() is None, combiner.communicate()
        time.sleep(0.02)
    combiner.send_signal(signal.SIGKILL)
    combiner.wait()
    taken = time.monotonic()
    assert not held.free and held.seconds == LEASE_S
    assert {on: manifest.version for on, manifest in made(city_bucket).items()} == before
    assert bucket_combined.combine(city_bucket).held_by.holder == held.holder  # another combiner is refused
    for replica in (0, 1):
        assert {on: figures(city_page(cluster, replica, on)) for on in SNAPSHOTS} == shown
    fresh = read_combined(cluster, city_bucket, 1)
    assert fresh >= set(SNAPSHOTS) - set(replaced) and not fresh & set(replaced)
    while not (lease := bucket_lease.newest(city_bucket)[0]).free:
        assert time.monotonic() - taken < LEASE_S + 5, "the killed combiner's lease did not free itself"
        time.sleep(0.2)
    freed = time.monotonic() - taken
    print(f"the lease freed itself {freed:.1f} s after the kill")
    assert freed > LEASE_S - 2  # by the bucket's clock, its Last-Modified in whole seconds
    assert lease.holder == held.holder and not lease.released
    out = finished(socialwork(tmp_path, "combine", "combine", "--data", str(city_bucket)))
    combined_at = time.monotonic()
    assert re.search(r"已合并 \d 个月", out)  # the two, and 2025-05-31 when the test before left it uncombined
    assert all(made(city_bucket)[on].version == before[on] + 1 for on in replaced)
    while not set(replaced) <= read_combined(cluster, city_bucket, 1):
        assert time.monotonic() - combined_at < SEEN_WITHIN_S, "replica 2 does not read the combined months"
        assert {on: figures(city_page(cluster, 1, on)) for on in replaced} == {on: shown[on] for on in replaced}
    assert {on: figures(city_page(cluster, 0, on)) for on in SNAPSHOTS} == shown
