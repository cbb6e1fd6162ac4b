"""One holder at a time across machines, by a lease kept in the bucket itself: who combines a bucket's months.

Every server that reads a bucket store of many counties may combine its months (bucket_combined.py), and so may an
administrator's `combine`; combining twice at once would be harmless (a combined month is derived, stamped with its
sources and read only while they are current) but wasteful, a province's month being every county's files read and
written again. The bucket is the one thing every such process shares for certain (PostgreSQL is optional, and an
advisory lock would tie combining to it), so the lease lives there, as numbered objects::

    <root>/combined/lease/000000000007.json   {"holder": "host:pid:id", "seconds": 120, "released": false}

The newest number is the lease. Taking it, renewing it and giving it back each create the next number with
`If-None-Match: *` (bucket_io.put_if_absent), so of two servers trying at once exactly one creates it, and a holder
whose number is no longer the newest knows it has lost the lease (`keep`). A lease not renewed for its seconds (its
holder was killed, or lost the bucket) is free: its age is measured by the bucket's own clock (the object's
Last-Modified against the Date of the listing's answer), so servers whose clocks differ agree on it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from socialwork.data import settings
from socialwork.data.storage import bucket_io
from socialwork.data.storage.errors import StoreError
from socialwork.data.storage.location import Bucket, client

PREFIX = "combined/lease/"
LEASE_SECONDS = 120.0  # renewed after a third of it: a holder killed frees the lease two minutes later at most
SECONDS_ENV = "SOCIALWORK_COMBINE_LEASE_SECONDS"  # another length for the leases this process takes
KEEP_OBJECTS = 5  # older lease objects are deleted by the next holder
log = logging.getLogger(__name__)


class LeaseLost(StoreError):
    """Another holder took the lease (this one was not renewed in time): stop before writing anything more."""


@dataclass(frozen=True)
class Holder:
    """The newest lease object: its number, holder, seconds, whether given back, and its age by the bucket's clock."""

    number: int
    holder: str
    seconds: float
    released: bool
    age: float

    @property
    def free(self) -> bool:
        return self.released or self.age >= self.seconds

    def describe(self) -> str:
        host = self.holder.split(":", 1)[0]
        return f"服务器 {host}（已持有 {self.age:.0f} 秒，租约 {self.seconds:.0f} 秒）"


def _key(number: int) -> str:
    return f"{PREFIX}{number:012d}.json"


def newest(bucket: Bucket) -> tuple[Holder | None, list[int]]:
    """The lease now (None: never taken), and every lease object's number."""
    answer = bucket_io.call(bucket, "读取合并租约", client().list_objects_v2, Bucket=bucket.bucket,
                            Prefix=bucket.key(PREFIX))  # fmt: skip
    objects = {int(o["Key"].rsplit("/", 1)[1].split(".")[0]): o for o in answer.get("Contents", [])}
    if not objects:
        return None, []
    number = max(objects)
    now = _bucket_now(answer) or datetime.now(objects[number]["LastModified"].tzinfo)
    body = _body(bucket, _key(number))
    age = (now - objects[number]["LastModified"]).total_seconds()
    holder = Holder(number, str(body.get("holder", "")), float(body.get("seconds", LEASE_SECONDS)),
                    bool(body.get("released", False)), max(age, 0.0))  # fmt: skip
    return holder, sorted(objects)


def _bucket_now(answer: dict) -> datetime | None:
    header = answer.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    try:
        return parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError):
        return None


def _body(bucket: Bucket, key: str) -> dict:
    try:
        values = json.loads(bucket_io.read_beside(bucket, key) or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def lease_seconds(environ: dict[str, str] | None = None) -> float:
    """How long a lease this process takes lasts unrenewed: SOCIALWORK_COMBINE_LEASE_SECONDS, else LEASE_SECONDS."""
    return settings.seconds(SECONDS_ENV, LEASE_SECONDS, "合并租约未续期多久后失效", environ)


class Lease:
    """A lease held: keep() before each write renews it when due and raises LeaseLost once another holds it."""

    def __init__(self, bucket: Bucket, number: int, holder: str, seconds: float) -> None:
        self.bucket, self.number, self.holder, self.seconds = bucket, number, holder, seconds
        self._renewed = time.monotonic()

    def keep(self) -> None:
        current, _ = newest(self.bucket)
        if current is None or current.number != self.number:
            taken = current.describe() if current else "（租约已被删除）"
            raise LeaseLost(f"合并租约已由 {taken} 接手，本次合并停止；已发布的月份不受影响")
        if time.monotonic() - self._renewed >= self.seconds / 3:
            if not _create(self.bucket, self.number + 1, self.holder, self.seconds):
                raise LeaseLost("合并租约续期时已被其他服务器接手，本次合并停止；已发布的月份不受影响")
            self.number += 1
            self._renewed = time.monotonic()

    def release(self) -> None:
        """Give the lease back (best effort: one not given back frees itself after its seconds)."""
        try:
            _create(self.bucket, self.number + 1, self.holder, self.seconds, released=True)
        except StoreError as err:
            log.warning("could not give back the combining lease of %s: %s", self.bucket, err)


def take(bucket: Bucket, seconds: float = LEASE_SECONDS) -> tuple[Lease | None, Holder | None]:
    """The lease if it is free and this call creates the next lease object; else None and who holds it."""
    current, numbers = newest(bucket)
    if current is not None and not current.free:
        return None, current
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    number = (current.number if current else 0) + 1
    if not _create(bucket, number, holder, seconds):
        return None, newest(bucket)[0]
    _delete_older(bucket, [n for n in numbers if n <= number - KEEP_OBJECTS])
    return Lease(bucket, number, holder, seconds), None


def _create(bucket: Bucket, number: int, holder: str, seconds: float, released: bool = False) -> bool:
    body = {"holder": holder, "seconds": seconds, "released": released}
    return bucket_io.put_if_absent(bucket, _key(number), json.dumps(body).encode("utf-8"))


def _delete_older(bucket: Bucket, numbers: list[int]) -> None:
    if not numbers:
        return
    try:
        objects = [{"Key": bucket.key(_key(n))} for n in numbers[:1000]]
        client().delete_objects(Bucket=bucket.bucket, Delete={"Objects": objects, "Quiet": True})
    except Exception as err:  # housekeeping: the next holder tries again
        log.warning("could not delete old lease objects of %s: %s", bucket, err)
