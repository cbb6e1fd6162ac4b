"""Combined months of a bucket store of many counties: written by one server at a time, read by every replica.

The same derived, stamped, rebuildable layer as a folder store's (combined.py), kept in the bucket as a store of its
own under `combined/`, published month by month by objectstore.publish (a new version of a month replaces the last,
its manifest written last)::

    <root>/combined/manifests/2026-11-30/v000003.json   the month's files, checksums and sources: each county's
                                                        snapshot it was made from ({"530524": "uploads/<id>/…"})
    <root>/combined/uploads/<stamp>-<id>/snapshot_date=2026-11-30/<table>.parquet
    <root>/combined/lease/…                             who combines now (bucket_lease.py)

A month is combined again only when a county's manifest of it differs from the sources its combined month records:
a county publishing a month, replacing it, or newly reporting it. Combining is never on an import's critical path:
a county's month is read from its own files on every replica as soon as its manifest is listed (the combined month
is then stale: combined.listing reads its counties' folders), and `combine` or a replica's background worker
(combine_worker.py) combines it afterwards. Whoever holds the lease combines; a combiner killed midway leaves the
months it had not yet published as they were, and its lease frees itself (bucket_lease.LEASE_SECONDS).

Replicas' local copies (bucket_counties.py) link each combined month where combined.listing looks for it, with its
sources and checksums beside it, so a month is read from its combined files exactly while every county's snapshot is
the one it was made from.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from socialwork.data.storage import bucket_counties, bucket_io, bucket_lease, combined, layout, objectstore
from socialwork.data.storage.location import Bucket

OLD_SECONDS = combined.OLD_SECONDS  # a superseded combined month is deleted this long after its successor appeared
log = logging.getLogger(__name__)


combined_store = bucket_counties.combined_store  # in the bucket as in a folder store: combined/


@dataclass
class Combining:
    """What one combining pass did: the months written, the ones current already, or who held the lease."""

    written: list[date] = field(default_factory=list)
    current: list[date] = field(default_factory=list)
    held_by: bucket_lease.Holder | None = None
    removed: int = 0  # superseded versions' objects deleted


def stale_months(bucket: Bucket) -> dict[date, combined.Stamps]:
    """The months whose combined files were not made from exactly the intact county snapshots the bucket publishes
    now, with those snapshots' stamps (the local copy brought up to date first)."""
    local = bucket_counties.local_copy(bucket)
    listing = combined.listing(local)
    made = objectstore.published(combined_store(bucket), fresh=True).snapshots
    stale = {}
    for on, stamps in listing.snapshots.items():
        intact = {code: stamps[code] for code in listing.reporting(on)}
        if intact and (on not in made or made[on].sources != intact):
            stale[on] = intact
    return stale


def combine(bucket: Bucket, seconds: float | None = None) -> Combining:
    """Combine every stale month, holding the lease (for `seconds`, by default bucket_lease.lease_seconds()); nothing
    when another server holds it (held_by says who). With nothing stale and nothing superseded to delete, the lease
    is not even asked for: a worker's pass every 30 s on every replica then costs a few listings and writes nothing."""
    if not stale_months(bucket) and not _superseded(bucket):
        return Combining(current=sorted(combined.listing(layout.local_root(bucket)).snapshots))
    lease, holder = bucket_lease.take(bucket, bucket_lease.lease_seconds() if seconds is None else seconds)
    if lease is None:
        return Combining(held_by=holder)
    try:
        done = Combining()
        stale = stale_months(bucket)  # again, holding the lease: another holder may have combined them meanwhile
        local = layout.local_root(bucket)
        done.current = sorted(set(combined.listing(local).snapshots) - set(stale))
        for on, stamps in sorted(stale.items()):
            if _combine_month(bucket, local, on, stamps, lease):
                done.written.append(on)
        done.removed = remove_superseded(bucket)
        return done
    finally:
        lease.release()


def _combine_month(bucket: Bucket, local: Path, on: date, stamps: combined.Stamps, lease: bucket_lease.Lease) -> bool:
    with tempfile.TemporaryDirectory(prefix="socialwork-combine-") as temporary:
        folder = Path(temporary)
        written = combined.write_month_files(local, on, stamps, folder)
        if not written:
            return False
        lease.keep()  # still ours: another holder may have combined the month meanwhile
        objectstore.publish(combined_store(bucket), on, folder, replace=True, sources=written)
    log.info("combined %s of %s (%d counties)", on, bucket, len(written))
    return True


def remove_superseded(bucket: Bucket, older_than: float = OLD_SECONDS) -> int:
    """Delete each combined month's versions older than its newest, once the newest has been there older_than
    seconds (a replica may still be reading the version before); how many objects were deleted."""
    store = combined_store(bucket)
    doomed = []
    for manifest in _superseded(bucket, older_than):
        doomed += [*manifest.files.values(), manifest.key]
    bucket_io.delete_objects(store, doomed)
    return len(doomed)


def _superseded(bucket: Bucket, older_than: float = OLD_SECONDS) -> list[objectstore.Manifest]:
    """The combined months' versions whose successor appeared older_than seconds ago or more."""
    store = combined_store(bucket)
    arrived = {o["Key"]: o["LastModified"] for o in bucket_io.list_objects(store, f"{objectstore.MANIFESTS}/")}
    if len(arrived) == len({key.rsplit("/", 1)[0] for key in arrived}):  # one version of each month: nothing to read
        return []
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    listed = [m for m in objectstore.all_manifests(store) if m.key in arrived]
    newest: dict[date, objectstore.Manifest] = {}
    for manifest in listed:
        if manifest.as_of not in newest or manifest.version > newest[manifest.as_of].version:
            newest[manifest.as_of] = manifest
    return [m for m in listed if m.version < newest[m.as_of].version and arrived[newest[m.as_of].key] <= cutoff]
