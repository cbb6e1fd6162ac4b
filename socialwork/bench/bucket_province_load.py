"""`load` against 2 replicas serving a store of many counties from a bucket (bucket_province.py runs it).

Each replica keeps its own local copy (own_copies, as on separate machines), started from the benchmark's copy (hard
links: a new server's first copy of a province is minutes of downloading, measured by bucket_province.py apart), and
runs the background combining worker as every server does. A store of many counties offers townships only once a
county is chosen, so each simulated person opens a county of the store (`?scope=<code>`, the n-th person the n-th
county, spread over the store) and then picks a township of it a few times (cluster/load.py). Before the crowds, each
replica is opened once directly (its store's first page, the whole store's view), timed. CPU from /proc of the
replicas, as replica_load.py reads it.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from socialwork.cluster import load, replicas
from socialwork.cluster.postgres import LocalPostgres
from socialwork.cluster.serving import cpu_seconds, free_port
from socialwork.data.storage import layout
from socialwork.data.storage.location import Bucket

REPLICAS = 2
THINK_S, RAMP_S = 3.0, 20.0


def counties_spread(bucket: Bucket, sessions: int) -> tuple[str, ...]:
    """The query strings of `sessions` people, each a county spread over the store's counties."""
    codes = sorted(layout.county_folders(layout.local_root(bucket)))
    step = max(len(codes) // max(sessions, 1), 1)
    return tuple(f"scope={codes[(n * step) % len(codes)]}" for n in range(sessions))


def crowd(running: replicas.Replicas, sessions: int, reruns: int, queries: tuple[str, ...]) -> dict:
    pids = [p.pid for p in running.processes]
    marks: list[float] = []

    def total() -> float:
        return sum(cpu_seconds(pid) for pid in pids)

    before, started = total(), time.monotonic()
    results = load.run_crowd(running.url, sessions, "", reruns, THINK_S, RAMP_S, on_open=lambda: marks.append(total()),
                             queries=queries)  # fmt: skip
    after = total()
    opened = marks[0] if marks else after
    summary = load.summarise(results)
    return {"summary": summary, "seconds": time.monotonic() - started, "cpu_first": opened - before,
            "cpu_reruns": after - opened, "load": os.getloadavg()[0]}  # fmt: skip


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:,.0f}"


def markdown(opened: list[tuple[float, float]], runs: list[dict], reruns: int) -> str:
    lines = [
        "",
        f"`load` against {REPLICAS} replicas behind HAProxy serving the store from the bucket, each with its own local "
        f"copy; each person opens a county of the store (`?scope=`, spread over the counties), then picks a township "
        f"{reruns} times, {THINK_S} s (±50 %) apart; arrivals over {RAMP_S} s. A replica's first page (the whole "
        "store's view) right after it started: " + ", ".join(f"{s:.1f} s (load {lo:.1f})" for s, lo in opened) + ".",
        "",
        "| sessions | held, no error | errors | first render p50 / p95 (ms) | rerun p50 / p95 (ms) | reruns "
        "| server CPU per first render (s) | server CPU per rerun (s) | wall (s) | load |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        s = run["summary"]
        errors = f"{s.errors} ({', '.join(s.error_kinds)})" if s.errors else "0"
        lines.append(
            f"| {s.sessions} | {s.held} | {errors} | {_ms(s.first_p50)} / {_ms(s.first_p95)} | "
            f"{_ms(s.rerun_p50)} / {_ms(s.rerun_p95)} | {s.reruns} | {run['cpu_first'] / max(s.sessions, 1):.3f} | "
            f"{run['cpu_reruns'] / max(s.reruns, 1):.3f} | {run['seconds']:.0f} | {run['load']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def measure(bucket: Bucket, cache: Path, work: Path, counts: list[int], reruns: int, env: dict[str, str]) -> str:
    """Start the replicas on copies of `cache`, open each once, run a crowd of each size; the text of the tables."""
    folder = work / "replicas"
    folder.mkdir(exist_ok=True)
    for n in range(REPLICAS):
        subprocess.run(["cp", "-al", str(cache), str(folder / f"replica-{n + 1}-copy")], check=True)
    database = LocalPostgres(free_port()).start()
    runs, opened = [], []
    try:
        running = replicas.start(REPLICAS, data=str(bucket), db_url=database.url(), env=env, workdir=folder,
                                 own_copies=True)  # fmt: skip
        try:
            for n in range(REPLICAS):
                started = time.monotonic()
                load.run_crowd(running.replica_url(n), 1, "", 0, 0.0, 0.0)
                opened.append((time.monotonic() - started, os.getloadavg()[0]))
            for sessions in counts:
                runs.append(crowd(running, sessions, reruns, counties_spread(bucket, sessions)))
                print(f"  crowd of {sessions}: {runs[-1]}", flush=True)
        finally:
            running.stop(keep_logs=True)
    finally:
        database.stop()
    return markdown(opened, runs, reruns)
