"""`python -m socialwork bench --link`: what each page costs a browser on a county's link, in bytes and seconds.

Three ways of serving run side by side: **baseline** (`python -m socialwork serve` with no precompressed file and
no websocket compression: Streamlit's own serving), **serve** (what ./run.sh starts) and **replicas** (two
replicas behind HAProxy with its cache, as `replicas` starts them). Each is reached through a counting relay
(socialwork/bench/wire.py). For every repeat, page and case, each server in turn gets:

1. a first visit: a new browser context (empty cache, new session) opens the page; the bytes on the wire are the
   sum of Chromium's `Network.loadingFinished.encodedDataLength`, the websocket's are the relay's count;
2. a return visit: the same context opens the page again (warm cache, new session);
3. (unthrottled desktop only) a township picked in the sidebar: the websocket bytes of one township rerun.

Cases: desktop 1366×768 unthrottled; the same throttled to 4 Mbps each way with 60 ms latency
(`Network.emulateNetworkConditions`); a phone, 390×844, on that link with its CPU slowed 4×
(`Emulation.setCPUThrottlingRate`). Settled: browser.settle (script idle, nothing stale, 500 ms without a DOM change),
timed from the navigation's start.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from socialwork.bench import browser
from socialwork.bench.browser_store import Store
from socialwork.bench.wire import Relay
from socialwork.cluster import replicas
from socialwork.cluster.serving import CHROMIUM, CHROMIUM_ARGS, free_port, serve_command, start_server, stop_server
from socialwork.web import plotly_lite, precompress

MODES = ("baseline", "serve", "replicas")
MBPS = 4
LATENCY_MS = 60
PLOTLY = "PlotlyChart."  # the plotly.js chunk's file name


@dataclass(frozen=True)
class Case:
    """A browser and its link."""

    name: str
    width: int
    height: int
    throttled: bool
    cpu_slowdown: float = 1
    phone: bool = False


CASES = (
    Case("desktop", 1366, 768, throttled=False),
    Case(f"{MBPS} Mbps", 1366, 768, throttled=True),
    Case(f"phone, {MBPS} Mbps, CPU 4×", 390, 844, throttled=True, cpu_slowdown=4, phone=True),
)
GOALS = {  # issue 32, on the throttled link: (first visit MB, first s, return kB, return s); the phone: first s
    f"{MBPS} Mbps": (2.5, 6.0, 150.0, 2.0),
    f"phone, {MBPS} Mbps, CPU 4×": (None, 10.0, None, None),
}


class Traffic:
    """Bytes on the wire of a tab's HTTP responses, and the URLs fetched, from its DevTools session."""

    def __init__(self, cdp) -> None:
        self.bytes, self.urls, self.fetched = 0, {}, []
        cdp.on("Network.responseReceived", lambda e: self.urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict) -> None:
        self.bytes += event["encodedDataLength"]
        self.fetched.append((self.urls.get(event["requestId"], ""), event["encodedDataLength"]))

    def reset(self) -> None:
        self.bytes, self.fetched = 0, []


def _context(chromium, case: Case):
    if case.phone:
        return chromium.new_context(viewport={"width": case.width, "height": case.height}, device_scale_factor=3,
                                    is_mobile=True, has_touch=True, locale="zh-CN")  # fmt: skip
    return chromium.new_context(viewport={"width": case.width, "height": case.height}, locale="zh-CN")


def visit(chromium, relay: Relay, page: str, case: Case, store: Store, pid: int) -> dict[str, Any]:
    """A first and a return visit of one page in one case (and a township rerun when unthrottled)."""
    context = _context(chromium, case)
    url = relay.url + browser.page_path(page)
    try:
        context.add_init_script(browser.OBSERVE)
        tab = context.new_page()
        cdp = context.new_cdp_session(tab)
        cdp.send("Network.enable")
        traffic = Traffic(cdp)
        if case.throttled:
            rate = MBPS * 1_000_000 / 8
            link = {"offline": False, "latency": LATENCY_MS, "downloadThroughput": rate, "uploadThroughput": rate}
            cdp.send("Network.emulateNetworkConditions", link)
        if case.cpu_slowdown != 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": case.cpu_slowdown})
        measured: dict[str, Any] = {}
        for visit_name in ("first", "return"):
            traffic.reset()
            socket_before = relay.down["websocket"]
            tab.goto(url, wait_until="commit", timeout=browser.STEP_TIMEOUT_MS)  # settle() waits for the rest
            measured[f"{visit_name}_ms"] = browser.settle(tab)
            measured[f"{visit_name}_bytes"] = traffic.bytes
            measured[f"{visit_name}_ws_bytes"] = relay.down["websocket"] - socket_before
            if visit_name == "first":
                measured["plotly_bytes"] = sum(n for u, n in traffic.fetched if PLOTLY in u)
        if not case.throttled:
            socket_before = relay.down["websocket"]
            box = tab.locator('[data-testid="stMultiSelect"]')
            browser.pick(tab, box, store.township[: browser.TYPED], pid, store.township)
            measured["rerun_ws_bytes"] = relay.down["websocket"] - socket_before
    finally:
        context.close()
    return measured


def _start(mode: str, stack: ExitStack, work: Path) -> tuple[str, int]:
    """One way of serving, stopped when the stack closes: its URL and a server process id."""
    if mode == "replicas":
        (work / "replicas").mkdir(parents=True, exist_ok=True)
        started = replicas.start(2, workdir=work / "replicas")
        stack.callback(started.stop)
        return started.url, started.processes[0].pid
    env = {}
    if mode == "baseline":  # no variant to send and no websocket compression: Streamlit's own serving
        empty = work / "no-variants"
        empty.mkdir(parents=True, exist_ok=True)
        (empty / precompress.COMPLETE).write_text("baseline\n", encoding="ascii")
        env = {precompress.STATIC_CACHE_ENV: str(empty), "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION": "false",
               plotly_lite.LITE_ENV: "0"}  # fmt: skip
    port = free_port()
    log = stack.enter_context((work / f"{mode}.log").open("wb"))
    process = start_server(serve_command(port), port, env, output=log)
    stack.callback(stop_server, process)
    return f"http://127.0.0.1:{port}", process.pid


def run(pages: list[str], repeats: int, store: Store) -> dict[str, Any]:
    """Measure every page, case and way of serving; the result (medians come later) is returned."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    load_start = os.getloadavg()
    precompress.precompress()  # what scripts/venv.sh does after an install (nothing when done before)
    samples: dict[str, dict[str, dict[str, list[dict]]]] = {
        p: {c.name: {m: [] for m in MODES} for c in CASES} for p in pages
    }
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="socialwork-link-") as tmp:
        servers = {mode: _start(mode, stack, Path(tmp)) for mode in MODES}
        relays = {mode: stack.enter_context(Relay(int(url.rsplit(":", 1)[1]))) for mode, (url, _) in servers.items()}
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            version = chromium.version
            for page in pages:  # warm-up: each server's first run of a page imports and compiles
                for mode in MODES:
                    visit(chromium, relays[mode], page, CASES[0], store, servers[mode][1])
            for repeat in range(repeats):
                print(f"第 {repeat + 1}/{repeats} 轮…", file=sys.stderr, flush=True)
                for page in pages:
                    for case in CASES:
                        for mode in MODES if repeat % 2 == 0 else MODES[::-1]:
                            try:
                                measured = visit(chromium, relays[mode], page, case, store, servers[mode][1])
                            except PlaywrightError as err:  # one stuck visit costs its sample, not the run
                                print(f"未完成：{page}、{case.name}、{mode}：{err.message[:200]}", file=sys.stderr)
                                continue
                            samples[page][case.name][mode].append(measured)
            chromium.close()
    return {
        "measured_at": f"{datetime.now():%Y-%m-%d %H:%M}",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "browser": f"Chromium {version} (headless)",
        "repeats": repeats,
        "load": [list(load_start), list(os.getloadavg())],
        "samples": samples,
    }


# ---------------------------------------------------------------- the tables
def median(result: dict[str, Any], page: str, case: str, mode: str, key: str) -> float:
    values = [s[key] for s in result["samples"][page][case][mode] if key in s]
    return statistics.median(values) if values else float("nan")


def _worst(result: dict[str, Any], case: str, mode: str, key: str) -> float:
    """The largest page median (a page whose visits all failed has none)."""
    found = [v for page in result["samples"] if (v := median(result, page, case, mode, key)) == v]  # not NaN
    return max(found) if found else float("nan")


def case_table(result: dict[str, Any], case: str) -> str:
    """Page × way of serving: first visit MB and s, return visit kB and s (medians)."""
    head = "| page | " + " | ".join(f"{m} first MB | s | return kB | s" for m in MODES) + " |"
    lines = [head, "|---|" + "--:|--:|--:|--:|" * len(MODES)]
    for page in result["samples"]:
        cells = []
        for mode in MODES:
            first_mb, first_s, return_kb, return_s = (
                median(result, page, case, mode, key) / scale
                for key, scale in (("first_bytes", 1e6), ("first_ms", 1e3), ("return_bytes", 1e3), ("return_ms", 1e3))
            )
            cells.append(f"{first_mb:.2f} | {first_s:.1f} | {return_kb:.0f} | {return_s:.1f}")
        lines.append(f"| {page} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def socket_table(result: dict[str, Any]) -> str:
    """Websocket bytes of a first visit and of one township rerun (unthrottled desktop), per way of serving."""
    case = CASES[0].name
    lines = ["| page | " + " | ".join(f"{m} first visit ws kB | rerun ws kB" for m in MODES) + " | plotly.js fetched |",
             "|---|" + "--:|--:|" * len(MODES) + ":-:|"]  # fmt: skip
    for page in result["samples"]:
        cells = [f"{median(result, page, case, m, 'first_ws_bytes') / 1e3:.0f} "
                 f"| {median(result, page, case, m, 'rerun_ws_bytes') / 1e3:.1f}" for m in MODES]  # fmt: skip
        plotly = median(result, page, case, "baseline", "plotly_bytes") > 0
        lines.append(f"| {page} | {' | '.join(cells)} | {'yes' if plotly else 'no'} |")
    return "\n".join(lines) + "\n"


def goal_lines(result: dict[str, Any]) -> list[str]:
    """The issue's goals against the slowest page's medians, per way of serving."""
    lines = []
    for case, (first_mb, first_s, return_kb, return_s) in GOALS.items():
        for mode in MODES:
            checks = []
            limits = ((first_mb, "first_bytes", 1e6, "MB"), (first_s, "first_ms", 1e3, "s"),
                      (return_kb, "return_bytes", 1e3, "kB"), (return_s, "return_ms", 1e3, "s"))  # fmt: skip
            for limit, key, scale, unit in limits:
                if limit is not None:
                    worst = _worst(result, case, mode, key) / scale
                    mark = "✓" if worst <= limit else "✗"
                    checks.append(f"{key.replace('_', ' ')} ≤ {limit:g} {unit}: {worst:.2f} {mark}")
            lines.append(f"{case}, {mode} (slowest page): " + "; ".join(checks))
    return lines


def tables(result: dict[str, Any]) -> str:
    parts = [f"**{case.name}** ({case.width}×{case.height})\n\n{case_table(result, case.name)}" for case in CASES]
    return "\n".join([*parts, "**Websocket** (desktop, unthrottled)\n", socket_table(result)])


HOW = """**What is served, and how (issue 32).** Streamlit 1.67 sends its frontend (26 MB in 370 files; a first visit
fetches about 100 of them) uncompressed on purpose: its own gzip middleware skips `/static/`, since Starlette's would
compress every response again, and it counts on a proxy or CDN in front. A county's server has none. Here:

- The files are compressed once per Streamlit version (`socialwork/web/precompress.py`: gzip level 9 and brotli
  quality 11, only text files at least 10 % smaller; about 40 CPU-s, 13 MB in `~/.cache/socialwork/static/`), by
  `scripts/venv.sh` after an install, or in the background (one process, `nice`) by a server that finds them
  missing. Brotli 11 is 25 % smaller than gzip on plotly's chunk (4.72 MB → 1.42 gzip → 1.06 brotli) and takes 17 s
  for it alone: a job for an install, not for a request.
- They are served by a middleware given to Streamlit's documented ASGI entry, `st.App(..., middleware=[...])`
  (`socialwork/web/static_encoding.py`, `socialwork/web/app.py`; `serve` starts it with `App.run`). Streamlit's static
  handler still answers every request (path checks, 404, `Cache-Control: public, immutable`, ETag, 304); for a 200
  the middleware asks it for the headers only and sends the variant the request's Accept-Encoding allows (brotli,
  else gzip), with `Content-Encoding`, its length and the ETag plus `-br`/`-gz`, taken off again when a browser
  revalidates so that its 304 still comes. Compressible files carry `Vary: Accept-Encoding`; fonts (woff2) and
  images, compressed already, are sent as they are.
- Behind HAProxy the replicas compress and HAProxy does not (its `compression` would gzip each response again and
  has no brotli): its cache keeps one copy per coding (`process-vary on`), Accept-Encoding reduced to `br` or `gzip`
  first, and never stores the plain bytes of a compressible file, which its cache would hand to every browser.
- The websocket negotiates per-message deflate (`server.enableWebsocketCompression`; 4 KB windows, as uvicorn's
  websockets offers them, so a few tens of KB per session): a township rerun's messages 2.2–3.6× smaller, a first
  render's up to 8× (the second table: baseline against serve).
- Plotly's chunk, by far the largest file, is cut down to the trace types the dashboard draws (bar, scatter,
  choropleth, scattergeo) once per Streamlit version where Node.js is installed (`socialwork/web/plotly_lite.py`,
  `scripts/plotly-lite/prune.mjs`: the same plotly.js 4.2.0 without the modules those never reach; 4.72 MB → 1.32 MB,
  0.36 MB brotli) and sent in its place with ETags of their own (`-lite`); baseline sends Streamlit's own.
- One chart library, not two. Streamlit's Vega-Lite bundle (`embed.*.js`, 0.22 MB brotli, 0.77 MB of script)
  came only with st.metric's sparkline on 目标进度 and 政府购买服务; the cards now draw that line as inline SVG
  (`cards.sparkline_svg`), and the page's phone first visit went from 9.5 to 7.2 s (3 visits each, same machine,
  load 1–2). Moving plotly's charts to Vega-Lite instead would save about 0.14 MB on the wire (0.36 against 0.22 MB
  brotli), 0.3 s at 4 Mbps, and lose what the charts say on a projector and in the meeting deck (goal lines with
  their labels, values on bars, the clickable township map drawn from the same figure as the slide's): not done.
"""


def plotly_line(result: dict[str, Any]) -> str:
    """Which pages fetch plotly's chunk on a first visit, and its bytes there."""
    case = CASES[0].name
    pages = [p for p in result["samples"] if median(result, p, case, "baseline", "plotly_bytes") > 0]
    sizes = {m: max(median(result, p, case, m, "plotly_bytes") for p in pages) / 1e6 for m in MODES} if pages else {}
    shown = ", ".join(f"{m} {mb:.2f} MB" for m, mb in sizes.items())
    listed = ", ".join(pages) or "none"
    return f"Pages whose first visit fetches plotly.js: {listed} of {len(result['samples'])} ({shown})."


def markdown(result: dict[str, Any], command: str = "python -m socialwork bench --link") -> str:
    load = " → ".join(" / ".join(f"{v:.2f}" for v in pair) for pair in result["load"])
    return "\n".join([
        "## On a county's link: bytes on the wire and first visits",
        "",
        f"`{command}` (socialwork/bench/link.py), {result['measured_at']}; {result['machine']}; {result['browser']};",
        f"medians of {result['repeats']}; load (1/5/15 min) {load}. **baseline**: Streamlit's own serving (no",
        "compression of its static files, none on the websocket); **serve**: ./run.sh; **replicas**: two replicas",
        "behind HAProxy with its cache. First visit: new browser context; return visit: the same context again (warm",
        "cache, new session). Bytes: HTTP responses on the wire (Chromium's encodedDataLength); the websocket's are",
        f"apart (second table). Throttled: {MBPS} Mbps each way, {LATENCY_MS} ms latency.",
        "",
        HOW,
        tables(result),
        plotly_line(result),
        "",
        "Goals (issue 32), the slowest page's median:",
        "",
        *[f"- {line}" for line in goal_lines(result)],
        "",
    ])  # fmt: skip
