"""The load benchmark: the protocol-level crowd (load.py) against 1 and 2 replicas behind HAProxy on this machine,
and a first visit's server CPU with and without HAProxy's cache of static files; both written to
docs/performance.md (section `load`).

    python -m socialwork load --measure [--replicas 1,2] [--sessions 40] [--reruns 5]

CPU is read from /proc/<pid>/stat of every replica: the first renders' share is what the replicas used from the
start of the crowd to the moment the last session had opened, the reruns' share from then to the end.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from socialwork.bench import sections
from socialwork.cluster import load, replicas
from socialwork.cluster.postgres import LocalPostgres
from socialwork.cluster.serving import CHROMIUM, CHROMIUM_ARGS, cpu_seconds, free_port


@dataclass(frozen=True)
class CrowdRun:
    replicas: int
    summary: load.Summary
    seconds: float
    cpu_first_s: float  # all replicas, while the sessions opened
    cpu_reruns_s: float  # all replicas, while they changed the filter
    generator_cpu_s: float  # the load generator itself, on the same two cores


def crowd(count: int, sessions: int, reruns: int, think_s: float, ramp_s: float, db_url: str | None,
          page: str = "") -> CrowdRun:  # fmt: skip
    """One crowd against `count` fresh replicas."""
    running = replicas.start(count, db_url=db_url, cache=True)
    try:
        pids = [p.pid for p in running.processes]
        marks: list[float] = []

        def total() -> float:
            return sum(cpu_seconds(pid) for pid in pids)

        before, generator_before, started = total(), time.process_time(), time.monotonic()
        results = load.run_crowd(running.url, sessions, page, reruns, think_s, ramp_s,
                                 on_open=lambda: marks.append(total()))  # fmt: skip
        after, seconds = total(), time.monotonic() - started
    finally:
        running.stop()
    opened = marks[0] if marks else after
    return CrowdRun(count, load.summarise(results), seconds, opened - before, after - opened,
                    time.process_time() - generator_before)  # fmt: skip


def first_visits(cache: bool, visits: int, page: str = "") -> float:
    """Median CPU seconds one replica spends on a first visit from a browser with an empty cache (a new Chromium
    context each time), through HAProxy with or without its cache of static files."""
    from playwright.sync_api import sync_playwright

    running = replicas.start(1, cache=cache)
    spent = []
    try:
        pid = running.processes[0].pid
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(visits + 1):  # the first visit warms the replica's query cache and HAProxy's
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                tab = context.new_page()
                before = cpu_seconds(pid)
                tab.goto(f"{running.url}/{page}")
                tab.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
                tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
                time.sleep(1.5)  # lazy chunks and fonts asked for after the first paint
                spent.append(cpu_seconds(pid) - before)
                context.close()
            browser.close()
    finally:
        running.stop()
    ordered = sorted(spent[1:])
    return ordered[len(ordered) // 2]


def _errors(summary: load.Summary) -> str:
    return f"{summary.errors} ({', '.join(summary.error_kinds)})" if summary.errors else "0"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:,.0f}"


def markdown(runs: list[CrowdRun], visits: dict[bool, float], settings: dict[str, object]) -> str:
    """The section's text."""
    load_avg = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    lines = [
        "## Many users: replicas behind HAProxy (`python -m socialwork load --measure`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores (load after the run {load_avg}; three other "
        "engineers share the machine, so compare rows of one run). Each simulated person speaks Streamlit's websocket "
        "protocol (socialwork/cluster/load.py): opens the overview page, waits until everyone is in, then picks a "
        f"township in the sidebar filter {settings['reruns']} times, pausing {settings['think_s']} s (±50 %) between. "
        f"Arrivals spread over {settings['ramp_s']} s. Replicas write to a throwaway PostgreSQL; HAProxy balances "
        "`leastconn` with sticky cookies. CPU from /proc of the replicas; the load generator runs on the same cores.",
        "",
        "| replicas | sessions | held, no error | errors | first render p50 / p95 (ms) | rerun p50 / p95 (ms) | reruns "
        "| server CPU per first render (s) | server CPU per rerun (s) | generator CPU (s) | wall (s) |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        s = run.summary
        per_first = run.cpu_first_s / max(s.sessions, 1)
        per_rerun = run.cpu_reruns_s / max(s.reruns, 1)
        lines.append(
            f"| {run.replicas} | {s.sessions} | {s.held} | {_errors(s)} | {_ms(s.first_p50)} / {_ms(s.first_p95)} | "
            f"{_ms(s.rerun_p50)} / {_ms(s.rerun_p95)} | {s.reruns} | {per_first:.3f} | {per_rerun:.3f} | "
            f"{run.generator_cpu_s:.1f} | {run.seconds:.0f} |"
        )
    if visits:
        lines += [
            "",
            "A first visit from a browser with an empty cache (headless Chromium, a new context each time, median of "
            f"{settings['visits']}): the replica's CPU for the whole visit, HTML, static files, websocket and first "
            "run, through HAProxy with and without its `cache` of Streamlit's hashed `/static/` files:",
            "",
            "| HAProxy cache | replica CPU per first visit (s) |",
            "|---|---:|",
            *(f"| {'on' if on else 'off'} | {cpu:.3f} |" for on, cpu in sorted(visits.items())),
        ]
    return "\n".join(lines) + "\n"


def measure(counts: list[int], sessions: int, reruns: int, think_s: float, ramp_s: float, visits: int,
            out: Path) -> str:  # fmt: skip
    """Run everything, write the section into `out`, return its text."""
    database = LocalPostgres(free_port()).start()
    try:
        runs = [crowd(n, sessions, reruns, think_s, ramp_s, database.url()) for n in counts]
    finally:
        database.stop()
    cached = {on: first_visits(on, visits) for on in (False, True)} if visits else {}
    settings = {"reruns": reruns, "think_s": think_s, "ramp_s": ramp_s, "visits": visits}
    text = markdown(runs, cached, settings)
    old = out.read_text(encoding="utf-8") if out.exists() else "# Performance\n"
    out.write_text(sections.put(old, "load", text), encoding="utf-8")
    return text
