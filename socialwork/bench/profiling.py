"""`python -m socialwork bench --profile`: where a page's township rerun spends its CPU time.

Each page is run in-process by Streamlit's AppTest (the county view, then the township picked in the sidebar, as
a person does) under cProfile, with every thread that works for the rerun profiled: the script thread and the
read pool of `parallel.together()`. Each message the script sends is serialised as the server does before it
goes to the browser (`serialize_forward_msg`), so that cost is counted too. The timer is each thread's own CPU
time, so that threads waiting for each other (or for the GIL) count nothing. Self time is then put in buckets by
the module that spends it, C functions (DuckDB, protobuf, numpy…) by their name or else under their caller.
"""

from __future__ import annotations

import cProfile
import os
import platform
import pstats
import statistics
import sysconfig
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from socialwork.bench.budget import TOWNSHIP
from socialwork.data import settings

BUCKETS = ("queries", "pandas", "figures", "streamlit", "ours", "other")
BUCKET_TITLES = {
    "queries": "queries",
    "pandas": "pandas / numpy / pyarrow",
    "figures": "figure building",
    "streamlit": "Streamlit serialisation",
    "ours": "our own code",
    "other": "other",
}
ROOT = settings.REPO_ROOT.as_posix() + "/"
STDLIB = Path(sysconfig.get_paths()["stdlib"]).as_posix() + "/"
OUR_QUERY_FILES = ("socialwork/figures/db.py", "socialwork/figures/frames.py", "socialwork/figures/parallel.py")
OUR_FIGURE_FILES = ("socialwork/present/screen/charts.py",)
LIBRARIES = (  # (a path fragment of an installed package, its bucket), first match wins
    ("/duckdb/", "queries"),
    ("/_duckdb", "queries"),
    ("/pandas/", "pandas"),
    ("/numpy/", "pandas"),
    ("/pyarrow/", "pandas"),
    ("/plotly/", "figures"),
    ("/_plotly_utils/", "figures"),
    ("/streamlit/", "streamlit"),
    ("/google/protobuf/", "streamlit"),
    ("/json/", "streamlit"),
)
BUILTIN_NAMES = (  # (a fragment of a C function's name as cProfile shows it, its bucket)
    ("duckdb", "queries"),
    ("SerializeToString", "streamlit"),
    ("google._upb", "streamlit"),
    ("_json", "streamlit"),
    ("pyarrow", "pandas"),
    ("numpy", "pandas"),
    ("pandas", "pandas"),
)

Func = tuple[str, int, str]  # cProfile's (file, line, function name); file "~" for a C function


# ---------------------------------------------------------------- buckets
def file_bucket(path: str) -> str:
    """The bucket of Python code by its file: our modules by name, libraries by package, the rest "other"."""
    path = path.replace(os.sep, "/")
    if path.startswith(ROOT) and "/.venv/" not in path:
        relative = path[len(ROOT) :]
        if relative in OUR_QUERY_FILES:
            return "queries"
        if relative in OUR_FIGURE_FILES:
            return "figures"
        if relative.startswith(("socialwork/", "pages/")) or relative == "dashboard.py":
            return "ours"
    return next((bucket for fragment, bucket in LIBRARIES if fragment in path), "other")


def builtin_bucket(name: str) -> str | None:
    """The bucket a C function's name gives away, or None (then its callers decide)."""
    return next((bucket for fragment, bucket in BUILTIN_NAMES if fragment in name), None)


def own_bucket(func: Func) -> str | None:
    """The bucket of a function's own code, or None when its callers decide: C functions whose name says nothing,
    the standard library (but json) and generated code (pathlib for our store listing is ours, for Streamlit's
    page registry Streamlit's)."""
    path, _, name = func
    if path == "~":
        return builtin_bucket(name)
    path = path.replace(os.sep, "/")
    if path.startswith(STDLIB) and "/site-packages/" not in path:
        return "streamlit" if path.startswith(f"{STDLIB}json/") else None
    return None if path.startswith("<") else file_bucket(path)


def attribute(stats: dict[Func, tuple]) -> dict[str, float]:
    """Seconds of self time per bucket, from pstats' table {func: (cc, nc, tt, ct, callers)}.

    A function without a bucket of its own (own_bucket) shares its time among its callers' buckets in proportion
    to the time it spent for each, up the call graph until a bucket is found.
    """
    memo: dict[Func, dict[str, float]] = {}

    def shares(func: Func, visiting: frozenset[Func]) -> dict[str, float]:
        if func in memo:
            return memo[func]
        own = own_bucket(func)
        callers = {c: t for c, t in stats.get(func, (0, 0, 0, 0, {}))[4].items() if c not in visiting}
        if own or not callers:
            result = {own or "other": 1.0}
        else:
            weights = {caller: max(timing[2], 0.0) for caller, timing in callers.items()}
            if sum(weights.values()) <= 0:  # no measurable time for any caller: share evenly
                weights = dict.fromkeys(callers, 1.0)
            total, result = sum(weights.values()), {}
            for caller, weight in weights.items():
                for bucket, share in shares(caller, visiting | {func}).items():
                    result[bucket] = result.get(bucket, 0.0) + share * weight / total
        memo[func] = result
        return result

    totals = dict.fromkeys(BUCKETS, 0.0)
    for func, entry in stats.items():
        for bucket, share in shares(func, frozenset()).items():
            totals[bucket] += entry[2] * share
    return totals


WRAPPERS = (  # calls that only pass the work on: the work shows under its own name
    "<module>", "<lambda>", "<listcomp>", "<genexpr>", "<dictcomp>", "run_page", "_run_as_task", "together", "_once",
    "cached", "_figure",
)  # fmt: skip


def heaviest(stats: dict[Func, tuple], count: int = 5) -> list[tuple[str, float]]:
    """Our functions with the most inclusive time (seconds), page scripts and wrappers aside: `module.function`."""
    ours = []
    for (path, _, name), (_, _, _, inclusive, _) in stats.items():
        relative = path.replace(os.sep, "/").removeprefix(ROOT)
        if relative.startswith("socialwork/") and "/bench/" not in relative and name not in WRAPPERS:
            ours.append(
                (f"{relative.removeprefix('socialwork/').removesuffix('.py').replace('/', '.')}.{name}", inclusive)
            )
    return sorted(ours, key=lambda item: -item[1])[:count]


# ---------------------------------------------------------------- profiling every thread of a rerun
class ThreadProfiles:
    """One cProfile per thread, timed by that thread's CPU clock, merged at the end."""

    def __init__(self) -> None:
        self._profiles: dict[int, cProfile.Profile] = {}
        self._lock = threading.Lock()
        self.on = False

    def _mine(self) -> cProfile.Profile:
        ident = threading.get_ident()
        with self._lock:
            if ident not in self._profiles:
                self._profiles[ident] = cProfile.Profile(time.thread_time_ns, 1e-9)
            return self._profiles[ident]

    @contextmanager
    def running(self) -> Iterator[None]:
        """Profile the calling thread while the block runs (when profiling is on)."""
        if not self.on:
            yield
            return
        profile = self._mine()
        profile.enable()
        try:
            yield
        finally:
            profile.disable()

    def stats(self) -> dict[Func, tuple]:
        merged = None
        for profile in self._profiles.values():
            profile.create_stats()
            if not profile.stats:
                continue
            if merged is None:
                merged = pstats.Stats(profile)
            else:
                merged.add(profile)
        return merged.stats if merged is not None else {}


@contextmanager
def profiled_threads(profiles: ThreadProfiles) -> Iterator[None]:
    """Profile Streamlit's script thread and the read pool, and serialise each message as the server does."""
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
    from streamlit.runtime.runtime_util import serialize_forward_msg
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    from socialwork.figures import parallel

    run_script, run_task, enqueue = ScriptRunner._run_script, parallel._run_as_task, ForwardMsgQueue.enqueue

    def profiled_script(self: ScriptRunner, rerun_data: Any) -> None:
        with profiles.running():
            run_script(self, rerun_data)

    def profiled_task(task: parallel.Task, read: Callable[[], Any]) -> Any:
        with profiles.running():
            return run_task(task, read)

    def serialised(self: ForwardMsgQueue, msg: Any) -> None:
        serialize_forward_msg(msg)  # always: the unprofiled reruns' times include it too, as on a server
        enqueue(self, msg)

    ScriptRunner._run_script, ForwardMsgQueue.enqueue = profiled_script, serialised
    parallel._run_as_task = profiled_task
    try:
        yield
    finally:
        ScriptRunner._run_script, parallel._run_as_task, ForwardMsgQueue.enqueue = run_script, run_task, enqueue


def forget_results() -> None:
    """Empty the query result and figure caches, as the browser benchmark's server does before each person's visit
    (the connection, its in-memory tables and the snapshot list stay, as on a running server)."""
    from socialwork.figures import db

    db.forget_results()


def profile_page(page: str, township: str, repeats: int) -> dict[str, Any]:
    """Milliseconds per township rerun of one page: wall and process CPU time without the profiler, CPU time by
    bucket with it."""
    from streamlit.testing.v1 import AppTest

    from socialwork.bench.twin import quiet_bare_mode

    quiet_bare_mode()
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=300)
    at.switch_page(f"pages/{page}.py").run()
    at.run()  # AppTest re-enters legacy pages/ mode on its first run; the second is a normal session
    profiles = ThreadProfiles()
    wall, process = [], []
    with profiled_threads(profiles):
        for i in range(repeats * 2):
            forget_results()
            at.multiselect[0].set_value([]).run()  # the county view first: its shared reads are cached, as in a browser
            profiles.on = i >= repeats  # first the unprofiled runs (wall time), then the profiled ones
            started, cpu_started = time.perf_counter(), time.process_time()
            at.multiselect[0].set_value([township]).run()
            if not profiles.on:
                wall.append((time.perf_counter() - started) * 1000)
                process.append((time.process_time() - cpu_started) * 1000)
            profiles.on = False
            _check(at, page, township)
    stats = profiles.stats()
    cpu = {bucket: seconds * 1000 / repeats for bucket, seconds in attribute(stats).items()}
    heavy = [(name, seconds * 1000 / repeats) for name, seconds in heaviest(stats)]
    return {
        "page": page, "wall_ms": statistics.median(wall), "process_cpu_ms": statistics.median(process), "cpu_ms": cpu,
        "heaviest": heavy,
    }  # fmt: skip


def _check(at: Any, page: str, township: str) -> None:
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    if problems:
        raise RuntimeError(f"page {page} failed: {problems}")
    if not any(township in m.value for m in at.markdown if m.value.startswith("#### ")):
        raise RuntimeError(f"page {page}: the township {township} was not picked (AppTest lost the change)")


def run(pages: list[str], repeats: int, saved: Path) -> dict[str, Any]:
    """Profile every page; the result is written to saved/profile.json and returned."""
    import json

    load_start = os.getloadavg()
    results = [profile_page(page, TOWNSHIP, repeats) for page in pages]
    result = {
        "measured_at": f"{datetime.now():%Y-%m-%d %H:%M}",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "township": TOWNSHIP,
        "repeats": repeats,
        "load": [list(load_start), list(os.getloadavg())],
        "pages": results,
    }
    saved.mkdir(parents=True, exist_ok=True)
    (saved / "profile.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


# ---------------------------------------------------------------- the table
def table(result: dict[str, Any]) -> str:
    """Page × bucket: CPU milliseconds per rerun and their share."""
    head = " | ".join(BUCKET_TITLES[b] for b in BUCKETS)
    lines = [
        f"| page | rerun wall ms (no profiler) | rerun CPU ms (no profiler) | profiled CPU ms | {head} |",
        "|---|--:|--:|--:|" + "--:|" * len(BUCKETS),
    ]
    for page in result["pages"]:
        cpu = page["cpu_ms"]
        total = sum(cpu.values())
        cells = " | ".join(f"{cpu[b]:.0f} ({cpu[b] / total:.0%})" if total else "—" for b in BUCKETS)
        process = f"{page['process_cpu_ms']:.0f}" if "process_cpu_ms" in page else "—"
        lines.append(f"| {page['page']} | {page['wall_ms']:.0f} | {process} | {total:.0f} | {cells} |")
    return "\n".join(lines) + "\n"


def heaviest_table(result: dict[str, Any]) -> str:
    """Each page's heaviest calls into our own modules, inclusive CPU milliseconds per rerun."""
    lines = [
        "| page | our heaviest calls, inclusive CPU ms (they overlap: a call includes those it makes) |",
        "|---|---|",
    ]
    for page in result["pages"]:
        calls = ", ".join(f"`{name}` {ms:.0f}" for name, ms in page.get("heaviest", []))
        lines.append(f"| {page['page']} | {calls} |")
    return "\n".join(lines) + "\n"


def markdown(result: dict[str, Any]) -> str:
    """The profile section of docs/performance.md."""
    (l1, l5, _), (e1, e5, _) = result["load"]
    return "\n".join(
        [
            "## Profile of a township rerun",
            "",
            f"Measured {result['measured_at']} on {result['machine']} by `python -m socialwork bench --profile`; "
            f"load average (1 min, 5 min) {l1:.2f}, {l5:.2f} at the start and {e1:.2f}, {e5:.2f} at the end.",
            "",
            f"Each page is run in-process by Streamlit's AppTest on the demo county: the county view, then "
            f"{result['township']} picked in the sidebar (the rerun), {result['repeats']} times without the profiler "
            "(median wall time, and median CPU time of the whole process: every thread, AppTest's reading of the "
            "messages included, and hardly touched by other work on the machine) and as many times under cProfile "
            "(mean CPU milliseconds per rerun). The query result and figure caches are emptied before each county "
            "view, so the township's own reads and KPI report run, as for the first person to ask. Every thread "
            "working for the rerun is profiled (the script thread and `parallel.together()`'s read pool) on its own "
            "CPU clock, and every message is serialised as the server does before sending it. "
            "Self time is bucketed by the module that spends it: **queries** (DuckDB, `socialwork/figures/db.py`, "
            "`frames.py`, `parallel.py`), **pandas / numpy / pyarrow**, **figure building** (plotly, "
            "`socialwork/present/screen/charts.py`), **Streamlit serialisation** (`streamlit.*`, protobuf, json), "
            "**our own code** "
            "(the rest of `socialwork/`, `pages/`, `dashboard.py`), **other** (the standard library and the rest). "
            "A C function counts where its name says (DuckDB, protobuf, numpy…), else for its caller. cProfile "
            "charges every Python call some overhead, so code making many small calls (plotly's validators, our "
            "own loops) looks heavier than it is: compare the shares between runs, and the wall time for the total. "
            "The browser's share of a rerun is in the section above, not here.",
            "",
            table(result),
            heaviest_table(result),
        ]
    )
