"""Run a page's independent reads at once.

At a county's size a page's time is mostly DuckDB planning its queries, one after another. DuckDB plans
and runs a query without holding Python's GIL, so reads run side by side use both cores: a page of
eight queries takes about half as long (docs/performance.md). Reads are plain callables (a domain
function with its arguments); what they return comes back in the order they were given.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

# One pool per process, shared by every session: at most this many reads run at once, whatever the crowd.
WORKERS = max(2, os.cpu_count() or 2)
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="socialwork-read")
_batches = itertools.count(1)
_local = threading.local()

Task = tuple[int, int]  # (batch, position in the batch)


def together(*reads: Callable[[], Any]) -> list[Any]:
    """Call every read, side by side in the pool, and return their results in order.

    When reads fail, the first one's exception is raised here, once every read has finished. A read that
    itself calls together() runs its reads one after another: a pool worker never waits on the pool.
    """
    if len(reads) < 2 or current_task() is not None:
        return [read() for read in reads]
    batch = next(_batches)
    futures = [_pool.submit(_run_as_task, (batch, i), read) for i, read in enumerate(reads)]
    wait(futures)
    return [future.result() for future in futures]


def current_task() -> Task | None:
    """The batch and position of the read this thread is running, None outside together() (the benchmark
    records it, to replay a page's queries with the same concurrency)."""
    return getattr(_local, "task", None)


def _run_as_task(task: Task, read: Callable[[], Any]) -> Any:
    _local.task = task
    try:
        return read()
    finally:
        _local.task = None
