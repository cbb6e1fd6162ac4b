"""A server's background combining of a bucket store of many counties (bucket_combined.py).

Every server started on such a store (`serve`, each replica) runs one daemon thread that, every COMBINE_SECONDS,
combines the months a county's new manifest made stale, if it can take the lease (bucket_lease.py): so whichever
replica is up combines, one at a time, and a county's import never waits for it. SOCIALWORK_COMBINE_SECONDS sets the
period; 0 turns the worker off (then `python -m socialwork combine` is run by a timer instead).
"""

from __future__ import annotations

import logging
import threading

from socialwork.data import settings
from socialwork.data.storage import bucket_combined, layout
from socialwork.data.storage.errors import StoreError
from socialwork.data.storage.location import Bucket, Location

PERIOD_ENV = "SOCIALWORK_COMBINE_SECONDS"
COMBINE_SECONDS = 30.0
log = logging.getLogger(__name__)
_started: dict[Bucket, tuple[threading.Thread, threading.Event]] = {}
_lock = threading.Lock()


def period(environ: dict[str, str] | None = None) -> float:
    """The worker's period in seconds from SOCIALWORK_COMBINE_SECONDS (0: off)."""
    return settings.seconds(PERIOD_ENV, COMBINE_SECONDS, "0 表示不在本服务器合并", environ, zero_allowed=True)


def start(root: Location) -> threading.Thread | None:
    """Start the worker for a bucket store of many counties, once per process; None for any other store, or off."""
    seconds = period()
    if not isinstance(root, Bucket) or seconds == 0:
        return None
    try:
        if not layout.is_multi_county(root):
            return None
    except StoreError as err:  # the bucket does not answer now: the pages say so; nothing to combine yet
        log.warning("combining worker not started for %s: %s", root, err)
        return None
    with _lock:
        if root in _started:
            return _started[root][0]
        stopping = threading.Event()
        thread = threading.Thread(target=_run, args=(root, seconds, stopping), name="socialwork-combine", daemon=True)
        _started[root] = (thread, stopping)
    thread.start()
    return thread


def stop(root: Bucket) -> None:
    """End the worker after its pass in progress (a server ends it by ending; tests by this)."""
    with _lock:
        thread, stopping = _started.pop(root, (None, None))
    if thread is not None:
        stopping.set()
        thread.join(timeout=60)


def _run(root: Bucket, seconds: float, stopping: threading.Event) -> None:
    while not stopping.wait(seconds):
        once(root)


def once(root: Bucket) -> bucket_combined.Combining | None:
    """One pass; a failure is logged (the pages read the counties' own files meanwhile) and tried next period."""
    try:
        done = bucket_combined.combine(root)
    except (StoreError, OSError) as err:
        log.warning("combining %s failed: %s", root, err)
        return None
    except Exception:  # a worker thread must never die silently: the next period tries again
        log.exception("combining %s failed", root)
        return None
    if done.written:
        log.info("combined %d month(s) of %s", len(done.written), root)
    return done
