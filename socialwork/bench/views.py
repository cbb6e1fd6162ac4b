"""`python -m socialwork bench --views`: the server CPU of a page view, for several ways of serving, in one run.

Issue 17 asks for the server CPU per page view halved. Each setup below serves the demo county; for every repeat,
each setup in turn (the order rotating) gets, for every page, a new browser context (a new session with an empty
cache, so Streamlit's scripts are fetched as on a first visit) that opens the page (first render) and picks a
township in the sidebar (rerun). The CPU time of the setup's processes (the app server and, where there is one,
HAProxy) is read from /proc before and after each step. A setup's figure for a repeat is the mean over its
views; the table gives medians over repeats and the ratio to the first setup. Caches stay warm between views: the
question is what one more person costs a server that others already use.

Setups: an older checkout (`--baseline-checkout`, e.g. the commit where issue 17 was filed, in a git worktree),
this checkout with Streamlit's file watcher and post-run garbage collection on (its defaults), this checkout as
configured, and the same behind HAProxy with its cache holding Streamlit's static files (the deployment's configuration,
socialwork/cluster/haproxy.py).
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from socialwork.bench.browser import HEADING_HAS, OBSERVE, STEP_TIMEOUT_MS, TYPED, page_path, settle
from socialwork.bench.budget import TOWNSHIP
from socialwork.cluster import haproxy
from socialwork.cluster.serving import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    cpu_seconds,
    free_port,
    start_server,
    stop_server,
)
from socialwork.data import settings

# Streamlit's defaults, which .streamlit/config.toml turns off (environment variables override the file).
STREAMLIT_DEFAULTS = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto", "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"}


def front(work: Path, app_port: int, log) -> tuple[subprocess.Popen, str]:
    """The deployment's HAProxy (socialwork/cluster/haproxy.py, the project's one configuration) in front of one app
    server, its cache holding Streamlit's static files: the process and the address a browser opens.

    The static files (/static/…) are content-hashed and served "immutable": cached once, they are never asked of
    the app again, which otherwise spends ~0.13 CPU-s sending ~8 MB of scripts to each browser with an empty cache.
    """
    port = free_port()
    return haproxy.start(work, port, [app_port], cache=True, output=log), f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class Setup:
    """One way of serving the demo county."""

    name: str
    checkout: Path
    env: dict[str, str] = field(default_factory=dict)
    behind_haproxy: bool = False


def setups(baseline: Path | None) -> list[Setup]:
    here = settings.REPO_ROOT
    found = [Setup(f"checkout {baseline.name} (baseline)", baseline.resolve())] if baseline else []
    found += [
        Setup("this checkout, Streamlit's file watcher and post-run GC on", here, STREAMLIT_DEFAULTS),
        Setup("this checkout", here),
    ]
    if shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists():  # as haproxy.executable() finds it
        found.append(Setup("this checkout behind HAProxy (static cache)", here, behind_haproxy=True))
    return found


@dataclass
class Running:
    """A setup's processes and the address a browser opens."""

    setup: Setup
    base: str
    processes: list[subprocess.Popen]

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes)

    def app_memory_mb(self) -> float:
        """The app server's resident memory (VmRSS), in MB."""
        status = Path(f"/proc/{self.processes[0].pid}/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")) / 1024


def start(setup: Setup, work: Path) -> Running:
    """The setup's app server, run from its checkout's folder (its pages, .streamlit/config.toml and demo data), and
    HAProxy in front where the setup has it."""
    port = free_port()
    command = [sys.executable, "-m", "socialwork", "serve", "--port", str(port), "--address", "127.0.0.1"]
    env = {"PYTHONPATH": str(setup.checkout), **setup.env}
    # A server's log is not read here: a file keeps a long run from stalling on a full pipe. The processes write
    # to their own copies of it, so this process's handle is closed once they have started.
    with open(work / f"{len(list(work.iterdir()))}.log", "w") as log:
        app = start_server(command, port, env, output=log, cwd=setup.checkout)
        if not setup.behind_haproxy:
            return Running(setup, f"http://127.0.0.1:{port}", [app])
        proxy, base = front(work, port, log)
    return Running(setup, base, [app, proxy])


def session(browser, running: Running, page: str) -> tuple[float, float]:
    """One new session on the page: the CPU seconds of its first render and of its township rerun."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        context.add_init_script(OBSERVE)
        tab = context.new_page()
        before = running.cpu()
        tab.goto(running.base + page_path(page), timeout=STEP_TIMEOUT_MS)
        settle(tab)
        rendered = running.cpu()
        tab.locator('[data-testid="stMultiSelect"]').first.click(timeout=STEP_TIMEOUT_MS)
        tab.keyboard.type(TOWNSHIP[:TYPED])
        tab.keyboard.press("Enter")
        tab.keyboard.press("Escape")
        tab.wait_for_function(HEADING_HAS, arg=TOWNSHIP, polling=50, timeout=STEP_TIMEOUT_MS)
        settle(tab)
        return rendered - before, running.cpu() - rendered
    finally:
        context.close()


@dataclass
class Measured:
    """A setup's means per view, one value per repeat."""

    first_s: list[float] = field(default_factory=list)
    rerun_s: list[float] = field(default_factory=list)

    def per_view(self) -> list[float]:
        return [(f + r) / 2 for f, r in zip(self.first_s, self.rerun_s, strict=True)]


def run(pages: list[str], repeats: int, baseline: Path | None, progress: Callable[[str], None] = print) -> dict:
    """Every setup's CPU per view, medians over repeats."""
    from playwright.sync_api import sync_playwright

    chosen = setups(baseline)
    measured = {s.name: Measured() for s in chosen}
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="socialwork-views-") as folder:
        running = [start(s, Path(folder)) for s in chosen]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for each in running:  # warm: every page once, so no setup pays for first imports
                    for page in pages:
                        session(browser, each, page)
                for repeat in range(repeats):
                    order = running[repeat % len(running) :] + running[: repeat % len(running)]
                    for each in order:
                        views = [session(browser, each, page) for page in pages]
                        into = measured[each.setup.name]
                        into.first_s.append(statistics.fmean(v[0] for v in views))
                        into.rerun_s.append(statistics.fmean(v[1] for v in views))
                    progress(f"repeat {repeat + 1}/{repeats} done")
                browser.close()
            memory = {each.setup.name: each.app_memory_mb() for each in running}
        finally:
            for each in running:
                for process in reversed(each.processes):
                    stop_server(process)
    return {
        "when": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": (load_start, os.getloadavg()),
        "pages": pages,
        "repeats": repeats,
        "setups": [
            {
                "name": s.name,
                "first_s": statistics.median(measured[s.name].first_s),
                "rerun_s": statistics.median(measured[s.name].rerun_s),
                "view_s": statistics.median(measured[s.name].per_view()),
                "memory_mb": memory[s.name],
            }
            for s in chosen
        ],
    }


def table(result: dict) -> str:
    rows = result["setups"]
    first = rows[0]["view_s"]
    lines = [
        "| setup | first render CPU s | township rerun CPU s | per page view CPU s | ÷ first setup | app memory MB |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {r['name']} | {r['first_s']:.3f} | {r['rerun_s']:.3f} | {r['view_s']:.3f} | {r['view_s'] / first:.2f}× "
        f"| {r['memory_mb']:.0f} |"
        for r in rows
    ]
    return "\n".join(lines)


def markdown(result: dict, command: str) -> str:
    (start1, start5, _), (end1, end5, _) = result["load"]
    return (
        "## Server CPU per page view\n\n"
        f"Measured {result['when']} on {result['machine']} by `{command}`: medians over {result['repeats']} "
        f"repeats of the mean over {len(result['pages'])} pages ({', '.join(result['pages'])}), one new session "
        f"per page: its first render and its township rerun are two page views. Load average (1 min, 5 min) "
        f"{start1:.2f}, {start5:.2f} at the start and {end1:.2f}, {end5:.2f} at the end.\n\n"
        f"{table(result)}\n\n"
        "**How.** Every setup runs at once and is measured in turn within each repeat (the order rotating), so "
        "other work on the machine falls on all of them alike. CPU is the setup's processes' user + system time "
        "from `/proc/<pid>/stat` (the app server, and HAProxy where it is in front); the browser's is not counted. "
        "Caches stay warm between sessions (the question is what one more person costs a server others use). "
        "The row with Streamlit's defaults runs this checkout with `STREAMLIT_SERVER_FILE_WATCHER_TYPE=auto` and "
        "`STREAMLIT_RUNNER_POST_SCRIPT_GC=true`, which `.streamlit/config.toml` turns off (watching every module "
        "for changes, registered again for each new session; a full garbage collection after every script run). "
        "App memory is the app server's resident memory after the run. HAProxy's configuration is the deployment's "
        "(`socialwork/cluster/haproxy.py`, static cache on).\n"
    )
