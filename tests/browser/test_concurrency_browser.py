"""Thirty browser sessions at once on one server: no error shown, and the figures a lone session sees."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port, serve_command, start_server, stop_server

# Its own marker: the default run leaves it out (pyproject's addopts) and test.sh runs it alone afterwards,
# because thirty Chromium pages need both cores: beside another xdist worker no session ever settled.
pytestmark = [pytest.mark.browser, pytest.mark.crowd]

# AppTest runs the lone sessions in bare mode, and Streamlit warns about it on every call: noise in -rP's report.
# A filter, not a level: Streamlit sets its loggers' levels again when a script runs.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage()
)

SESSIONS = 30
# The crowd is bound by the browsers' CPU: a session costs Chromium ~8 CPU-seconds (loading Streamlit's
# 9 MB of script, drawing the charts twice) and the server ~0.3. Alone on 2 cores the thirty took ~180 s
# (headless shell) before the server's settings of issue 17 and ~70 s after; the deadline leaves room for a
# slower machine.
DEADLINE_S = 420
STEP_TIMEOUT_MS = 360_000
BROWSER_NICENESS = 10  # the server goes first: what is measured is the dashboard, not the thirty browsers
FILTER_RETRY_MS = 120_000  # one session of thirty once lost its typed township (2026-12-06): typed again after this
POLL_MS = 250  # Playwright polls on every animation frame by default: thirty pages would paint non-stop
# The light pages, the overview most: 目标进度 alone would take both cores.
PAGES = {"/": "overview.py", "/posts": "posts.py", "/stations": "stations.py", "/purchases": "purchases.py"}
ROUND = ["/", "/posts", "/", "/stations", "/", "/purchases"]
SCOPES = [("2026-10-31", None, "河口镇"), ("2025-12-31", "城关街道", "马坪乡")]  # asof, linked, added in the sidebar
# Debian's old headless shell, when installed, has no browser window to composite: a quarter less CPU for the crowd.
BROWSER = shutil.which("chromium-headless-shell") or CHROMIUM
ARGS = [*CHROMIUM_ARGS, "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows"]  # fmt: skip
# A page waiting for the server animates its running indicator at ~8 % of a core; thirty of them starve the server.
STILL = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { animation: none !important; transition: none !important }'
    + ' [data-testid="stStatusWidget"] { display: none !important }';
  document.head.appendChild(style);
});"""
# Under load the code-split widgets (metrics, charts, tables, multiselect) arrive after the run, skeletons till then.
READY = IDLE.replace("() =>", "() => !document.querySelector('[data-testid=\"stSkeleton\"]') &&", 1)
SIZE = "() => document.querySelector('[data-testid=\"stMain\"]').innerText.length"
HEADING_HAS = "name => (document.querySelector('[data-testid=\"stMain\"] h4')?.innerText ?? '').includes(name)"
SEEN = """() => ({
  heading: document.querySelector('[data-testid="stMain"] h4')?.innerText ?? '',
  labels: [...document.querySelectorAll('[data-testid="stMetricLabel"]')].map(e => e.innerText.trim()),
  values: [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => e.innerText.trim()),
  errors: [...document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]')]
    .map(e => e.innerText.trim().slice(0, 300)),
})"""


@dataclass(frozen=True)
class Plan:
    """What one session does: open a page by link, then add a township in the sidebar."""

    path: str
    as_of: str
    linked: str | None
    added: str

    def url(self, base: str) -> str:
        township = f"&township={quote(self.linked)}" if self.linked else ""
        return f"{base}{self.path}?asof={self.as_of}{township}"

    def views(self) -> list[tuple[str, str, tuple[str, ...]]]:
        first = (self.linked,) if self.linked else ()
        return [(self.path, self.as_of, first), (self.path, self.as_of, (*first, self.added))]


def plan(i: int) -> Plan:
    return Plan(ROUND[i % len(ROUND)], *SCOPES[(i // len(ROUND)) % len(SCOPES)])


def lone_view(path: str, as_of: str, townships: tuple[str, ...]) -> dict:
    """What a single session shows for the view, run in-process by AppTest (no browser, no crowd)."""
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["asof"] = as_of
    if townships:
        at.query_params["township"] = list(townships)
    at.switch_page(f"pages/{PAGES[path]}").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    heading = next(m.value for m in at.markdown if m.value.startswith("#### "))
    return {"heading": heading.removeprefix("#### "), "figures": {m.label: m.value for m in at.metric}}


@dataclass
class Session:
    plan: Plan
    step: str = "waiting"
    views: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def settle(page) -> None:
    """conftest.settle for the async API, and no skeleton left: idle, nothing stale, unchanged half a second later."""
    for _ in range(40):
        await page.wait_for_timeout(200)
        await page.wait_for_function(READY, polling=POLL_MS, timeout=STEP_TIMEOUT_MS)
        before = await page.evaluate(SIZE)
        await page.wait_for_timeout(500)
        if await page.evaluate(READY) and await page.evaluate(SIZE) == before:
            return
    raise AssertionError("the dashboard never settled")


async def look(page, session: Session) -> None:
    seen = await page.evaluate(SEEN)
    figures = dict(zip(seen["labels"], seen["values"], strict=True))
    session.views.append({"heading": seen["heading"], "figures": figures})
    session.problems += [f"{session.step}: shows {error!r}" for error in seen["errors"]]


async def visit(page, base: str, session: Session) -> None:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    began = time.monotonic()
    session.step = "open"
    await page.goto(session.plan.url(base), timeout=STEP_TIMEOUT_MS)
    await settle(page)
    await look(page, session)
    session.step = "filter"
    for attempt in (1, 2):  # as a person would: keys typed while the page was still being redrawn are typed again
        await page.locator('[data-testid="stMultiSelect"] input').focus(timeout=STEP_TIMEOUT_MS)
        await page.keyboard.type(session.plan.added)
        await page.keyboard.press("Enter")
        await page.keyboard.press("Escape")
        try:
            wait_ms = FILTER_RETRY_MS if attempt == 1 else STEP_TIMEOUT_MS
            await page.wait_for_function(HEADING_HAS, arg=session.plan.added, polling=POLL_MS, timeout=wait_ms)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            session.step = "filter (typed again)"
    await settle(page)
    await look(page, session)
    session.step = "done"
    session.seconds = time.monotonic() - began


async def crowd(base: str, plans: list[Plan], deadline_s: float) -> list[Session]:
    """Every plan in its own browser context, all released at once; whoever is late at the deadline fails."""
    from playwright.async_api import async_playwright

    os.nice(BROWSER_NICENESS)  # this thread only (Linux); the driver and Chromium it starts inherit it

    sessions = [Session(p) for p in plans]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=BROWSER, args=ARGS)
        pages = []
        for session in sessions:
            context = await browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN")
            await context.add_init_script(STILL)
            page = await context.new_page()
            page.on("pageerror", lambda error, s=session: s.problems.append(f"{s.step}: page error {error}"))
            pages.append(page)

        async def guarded(page, session: Session) -> None:
            try:
                await visit(page, base, session)
            except Exception as error:  # reported with the session below
                session.problems.append(f"{session.step}: {type(error).__name__}: {str(error).splitlines()[0]}")
            await page.context.close()  # a finished page still costs the others CPU (garbage collection)

        tasks = [asyncio.create_task(guarded(p, s)) for p, s in zip(pages, sessions, strict=True)]
        _, late = await asyncio.wait(tasks, timeout=deadline_s)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        for session in sessions:
            if session.step != "done" and not session.problems:
                session.problems.append(f"{session.step}: not finished within the {deadline_s:.0f} s deadline")
        await browser.close()
    return sessions


@pytest.fixture
def logged_server():
    """A fresh server (cold caches) whose output is kept, and drained so it never blocks on a full pipe."""
    port = free_port()
    process = start_server(serve_command(port), port)
    lines: list[str] = []

    def drain() -> None:
        for line in process.stdout:
            lines.append(line.decode(errors="replace"))

    threading.Thread(target=drain, daemon=True).start()
    yield f"http://127.0.0.1:{port}", lines, process
    stop_server(process)


def cpu_seconds(pid: int) -> float:
    """User and system time of a live process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_thirty_sessions_at_once_show_no_error_and_a_lone_sessions_figures(logged_server):
    if not Path(BROWSER).exists():
        pytest.fail(f"Chromium not found at {BROWSER}: the test command installs Debian's chromium package")
    pytest.importorskip("playwright.async_api")
    url, log, server = logged_server
    plans = [plan(i) for i in range(SESSIONS)]
    expected = {view: lone_view(*view) for view in dict.fromkeys(v for p in plans for v in p.views())}

    began, server_began = time.monotonic(), cpu_seconds(server.pid)
    # Own thread, own event loop: another test's sync Playwright may hold this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        sessions = pool.submit(asyncio.run, crowd(url, plans, DEADLINE_S)).result()
    seconds, server_seconds = time.monotonic() - began, cpu_seconds(server.pid) - server_began

    failures = []
    for i, session in enumerate(sessions):
        wanted = [expected[view] for view in session.plan.views()]
        if not session.problems and session.views != wanted:
            session.problems.append(f"shows {session.views}, a lone session {wanted}")
        if session.problems:
            failures.append(f"session {i} {session.plan}: {'; '.join(session.problems)}")
    done = [s.seconds for s in sessions if s.step == "done"]
    summary = (
        f"{len(done)}/{SESSIONS} sessions done in {seconds:.0f} s (fastest {min(done, default=0):.0f} s,"
        f" slowest {max(done, default=0):.0f} s); the server used {server_seconds:.0f} CPU-seconds"
    )
    print(summary)
    assert not failures, f"{summary}\n" + "\n".join(failures)
    server_errors = [line for line in log if "Traceback" in line or "Error" in line]
    assert not server_errors, f"{summary}; the server logged:\n" + "".join(server_errors[:20])
