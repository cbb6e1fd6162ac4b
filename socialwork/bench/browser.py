"""`python -m socialwork bench --browser`: each page's first render and township rerun in headless Chromium,
side by side with a bare Streamlit twin of the same elements (socialwork/bench/twin.py, bare_app.py).

Two servers run at once: the dashboard on the demo county (`socialwork.bench.server`, which is `python -m
socialwork serve` plus a way to forget query results) and the twins (`streamlit run socialwork/bench/bare_app.py`).
For every repeat and page, the dashboard's page and its twin, in alternating order, are each:

1. opened in a new browser context (a new session) and timed to settled: the first render;
2. given a township in the sidebar's filter (typed, Enter) and timed from the Enter key to settled: the rerun.

Settled means Streamlit's script state is notRunning, no element is stale, no skeleton waits for its code, and a
MutationObserver has seen no DOM change for 500 ms; the time of the last change is the settle time. The dashboard
forgets its cached query results before each first render, so every measurement is a person opening a page
nobody has opened since (the rerun then finds the county view's shared reads cached, as it would). The servers'
CPU time is read from /proc before and after each step.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import statistics
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from socialwork.bench import browser_store, phone, server, twin
from socialwork.bench.browser_store import Store
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
from socialwork.present.screen.scope import LABELS

NAVIGATION = {  # page: (title, icon), as dashboard.py gives them; the twins' navigation lists the same
    "overview": ("总览", ":material/dashboard:"),
    "targets": ("目标进度", ":material/flag:"),
    "staffing": ("社区社工配备", ":material/groups:"),
    "posts": ("岗位开发", ":material/work:"),
    "stations": ("社工站与机构", ":material/home_work:"),
    "incentives": ("激励与培训", ":material/school:"),
    "purchases": ("政府购买服务", ":material/payments:"),
    "meeting": ("会议演示与导出", ":material/slideshow:"),
}
TYPED = 2  # characters of the township's name a person types into the filter before Enter
QUIET_MS = 500
STEP_TIMEOUT_MS = 120_000
FIRST_RENDER_GOAL_S = 1.0  # issue 17: a new session's first render within 1 s of the bare page
RERUN_GOAL = 1.3  # issue 17: a township rerun within 1.3 × the bare page
APPS = ("dashboard", "bare")
RERUN_NAMES = {"county_ms": "county pick", "rerun_ms": "township rerun"}
CPU_NAMES = {"cpu_first_s": "first render", "cpu_county_s": "county pick", "cpu_rerun_s": "rerun"}

OBSERVE = """(() => {
  window.__benchLast = performance.now();
  const changed = () => { window.__benchLast = performance.now(); };
  new MutationObserver(changed).observe(document, {subtree: true, childList: true, attributes: true,
                                                   characterData: true});
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__benchAction = performance.now(); },
                            true);
})();"""
SETTLED = """(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const ready = app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && document.querySelector('[data-testid="stMain"] h1') !== null;
  return ready && performance.now() - window.__benchLast >= quietMs ? window.__benchLast : false;
}"""
HEADING_HAS = "name => (document.querySelector('[data-testid=\"stMain\"] h4')?.innerText ?? '').includes(name)"


@dataclass
class Views:
    """One app's measurements of one page, a value per repeat (the county pick's only in a store of many counties)."""

    first_ms: list[float] = field(default_factory=list)
    rerun_ms: list[float] = field(default_factory=list)
    cpu_first_s: list[float] = field(default_factory=list)
    cpu_rerun_s: list[float] = field(default_factory=list)
    county_ms: list[float] = field(default_factory=list)
    cpu_county_s: list[float] = field(default_factory=list)


def page_path(page: str) -> str:
    return "/" if page == "overview" else f"/{page}"


def twin_specs(pages: list[str], store: Store) -> dict[str, Any]:
    """Every page's views as twin specs, with the sidebar's choices, for bare_app.py."""
    from socialwork.figures import choices

    dates = choices.available_dates(store.data)
    specs: dict[str, Any] = {
        "dates": [d.isoformat() for d in reversed(dates)],
        **browser_store.sidebar_spec(store, dates[-1]),
        "first_view": store.views[0],
        "navigation": NAVIGATION,  # the first is the default page, at "/"
        "pages": {},
    }
    for page in pages:
        specs["pages"][page] = {}
        for view in store.views:
            township, scope = store.query(view)
            specs["pages"][page][view] = twin.page_spec(page, township, scope=scope)
    return specs


# ---------------------------------------------------------------- one visit
def settle(tab) -> float:
    """Wait until the page is settled; the page-clock time (ms) of its last DOM change."""
    handle = tab.wait_for_function(SETTLED, arg=QUIET_MS, polling=50, timeout=STEP_TIMEOUT_MS)
    return float(handle.json_value())


def visit(browser, base: str, page: str, store: Store, pid: int, forget: Path | None,
          on_phone: bool = False) -> dict[str, float]:  # fmt: skip
    """First render and reruns of one page in a new session: each step's ms and server CPU s, by Views field (on a
    throttled phone: phone.py)."""
    if forget is not None:
        server.ask_to_forget(forget)
    context = phone.new_context(browser) if on_phone else browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    measured = {}
    try:
        context.add_init_script(OBSERVE)
        tab = context.new_page()
        if on_phone:
            phone.slow_down(context, tab)
        cpu_start = cpu_seconds(pid)
        tab.goto(base + page_path(page), timeout=STEP_TIMEOUT_MS)
        measured["first_ms"] = settle(tab)  # the page clock starts with the navigation
        measured["cpu_first_s"] = cpu_seconds(pid) - cpu_start
        if store.many_counties:
            box = tab.locator('[data-testid="stSelectbox"]').filter(has_text=LABELS["county"])
            measured["county_ms"], measured["cpu_county_s"] = pick(tab, box, store.county, pid)
        if on_phone:
            phone.open_sidebar(tab, STEP_TIMEOUT_MS)
        filter_box = tab.locator('[data-testid="stMultiSelect"]')
        typed = store.township[:TYPED]
        measured["rerun_ms"], measured["cpu_rerun_s"] = pick(tab, filter_box, typed, pid, store.township)
    finally:
        context.close()
    return measured


def pick(tab, box, typed: str, pid: int, shown: str | None = None) -> tuple[float, float]:
    """Click a sidebar box, type, Enter: ms from the Enter key to settled with `shown` (default: typed) in the
    page's scope line, and the server's CPU seconds meanwhile."""
    cpu_start = cpu_seconds(pid)
    box.click(timeout=STEP_TIMEOUT_MS)
    tab.keyboard.type(typed)
    tab.keyboard.press("Enter")
    if shown is not None:  # a multiselect stays open after Enter (Escape closes it); Escape would undo a selectbox's
        tab.keyboard.press("Escape")
    tab.wait_for_function(HEADING_HAS, arg=shown or typed, polling=50, timeout=STEP_TIMEOUT_MS)
    return settle(tab) - float(tab.evaluate("window.__benchAction")), cpu_seconds(pid) - cpu_start


# ---------------------------------------------------------------- the run
def section_name(store: Store, on_phone: bool = False) -> str:
    """docs/performance.md's section and the saved result's name: browser (the demo), browser-province…, and
    browser-phone for the demo on a phone"""
    name = "browser" if store.name == "demo" else f"browser-{store.name}"
    return f"{name}-phone" if on_phone else name


def run(
    pages: list[str], repeats: int, work: Path, saved: Path, store: Store, on_phone: bool = False
) -> dict[str, Any]:
    """Measure every page and its twin; the result is written to saved/<section_name>.json and returned."""
    from playwright.sync_api import sync_playwright

    load_start = os.getloadavg()
    work.mkdir(parents=True, exist_ok=True)
    print("读取各页面的元素（AppTest）…", file=sys.stderr, flush=True)
    os.environ[settings.DATA_DIR_ENV] = str(store.data)  # the twins' AppTest runs and both servers read this store
    specs = twin_specs(pages, store)
    specs_file, forget = work / "twins.json", work / "forget"
    specs_file.write_text(json.dumps(specs, ensure_ascii=False), encoding="utf-8")
    ports = {app: free_port() for app in APPS}
    commands = {
        "dashboard": [sys.executable, "-m", "socialwork.bench.server", "--port", str(ports["dashboard"]), "--address",
                 "127.0.0.1"],
        "bare": [sys.executable, "-m", "streamlit", "run", str(Path(twin.__file__).with_name("bare_app.py")),
                 "--server.port", str(ports["bare"]), "--server.address", "127.0.0.1", "--server.headless", "true"],
    }  # fmt: skip
    env = {server.FORGET_ENV: str(forget), twin.SPECS_ENV: str(specs_file)}
    logs = {app: (work / f"{app}.log").open("wb") for app in APPS}
    servers = {}
    views = {page: {app: Views() for app in APPS} for page in pages}
    try:
        for app in APPS:
            servers[app] = start_server(commands[app], ports[app], env, output=logs[app])
        bases = {app: f"http://127.0.0.1:{ports[app]}" for app in APPS}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            version = browser.version
            for page in pages:  # warm-up: the first visit of a page loads modules and compiles code paths
                for app in APPS:
                    visit(browser, bases[app], page, store, servers[app].pid, forget if app == "dashboard" else None,
                          on_phone)  # fmt: skip
            for repeat in range(repeats):
                print(f"第 {repeat + 1}/{repeats} 轮…", file=sys.stderr, flush=True)
                for page in pages:
                    for app in APPS if repeat % 2 == 0 else APPS[::-1]:
                        measured = visit(browser, bases[app], page, store, servers[app].pid,
                                         forget if app == "dashboard" else None, on_phone)  # fmt: skip
                        record(views[page][app], measured)
            browser.close()
    finally:
        for process in servers.values():
            stop_server(process)
        for log in logs.values():
            log.close()
    result = {
        "measured_at": f"{datetime.now():%Y-%m-%d %H:%M}",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "browser": f"Chromium {version} (headless, "
        + (f"{phone.describe()})" if on_phone else f"{VIEWPORT['width']}×{VIEWPORT['height']})"),
        "phone": on_phone,
        "store": asdict(store) | {"data": str(store.data)},
        "township": store.township,
        "repeats": repeats,
        "load": [list(load_start), list(os.getloadavg())],
        "pages": [
            {
                "page": page,
                "elements": {view: twin.count_kinds(specs["pages"][page][view]) for view in store.views},
                **{app: asdict(views[page][app]) for app in APPS},
            }
            for page in pages
        ],
    }
    saved.mkdir(parents=True, exist_ok=True)
    saved_file = saved / f"{section_name(store, on_phone)}.json"
    saved_file.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def record(views: Views, measured: dict[str, float]) -> None:
    for name, value in measured.items():
        getattr(views, name).append(value)


# ---------------------------------------------------------------- the tables
def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _mark(met: bool) -> str:
    return "✓" if met else "✗"


def has_county_pick(result: dict[str, Any]) -> bool:
    return any(row["dashboard"].get("county_ms") for row in result["pages"])


def timing_table(result: dict[str, Any]) -> str:
    """Page × (first render, [county pick,] township rerun) medians, the page and its bare twin side by side, with
    the issue's goals (a county pick is a rerun too: the rerun's goal)."""
    reruns = ("county_ms", "rerun_ms") if has_county_pick(result) else ("rerun_ms",)
    views = " → ".join(result["pages"][0]["elements"]) if result["pages"] else ""
    lines = [
        f"| page | elements ({views}) | first render s | bare s | page − bare s | ≤ 1 s "
        + "".join(f"| {RERUN_NAMES[key]} s | bare s | page ÷ bare | ≤ 1.3× " for key in reruns)
        + "|",
        "|---|---|--:|--:|--:|:-:" + "|--:|--:|--:|:-:" * len(reruns) + "|",
    ]
    for row in result["pages"]:
        ours, bare = row["dashboard"], row["bare"]
        first, bare_first = _median(ours["first_ms"]) / 1000, _median(bare["first_ms"]) / 1000
        cells = [f"{first:.2f} | {bare_first:.2f} | {first - bare_first:+.2f} "
                 f"| {_mark(first - bare_first <= FIRST_RENDER_GOAL_S)}"]  # fmt: skip
        for key in reruns:
            rerun, bare_rerun = _median(ours[key]) / 1000, _median(bare[key]) / 1000
            cells.append(f"{rerun:.2f} | {bare_rerun:.2f} | {rerun / bare_rerun:.2f}× "
                         f"| {_mark(rerun <= RERUN_GOAL * bare_rerun)}")  # fmt: skip
        lines.append(f"| {row['page']} | {elements_text(row['elements'])} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def elements_text(elements: dict[str, dict[str, int]]) -> str:
    """The first view's counts, then each later view's where it differs from the one before."""
    counts = list(elements.values())
    shown = twin.counts_text(counts[0])
    for before, after in itertools.pairwise(counts):
        shown += f" → {twin.counts_text(after)}" if after != before else ""
    return shown


def cpu_table(result: dict[str, Any]) -> str:
    """Server CPU seconds per first render and per rerun (medians), the page's server and the twins'."""
    keys = ("cpu_first_s", "cpu_county_s", "cpu_rerun_s") if has_county_pick(result) else ("cpu_first_s", "cpu_rerun_s")
    lines = [
        "| page | " + " | ".join(f"{CPU_NAMES[key]} CPU s | bare s | page ÷ bare" for key in keys) + " |",
        "|---|" + "--:|--:|--:|" * len(keys),
    ]
    for row in result["pages"]:
        ours, bare = row["dashboard"], row["bare"]
        cells = []
        for key in keys:
            mine, theirs = _median(ours[key]), _median(bare[key])
            cells += [f"{mine:.2f}", f"{theirs:.2f}", f"{mine / theirs:.1f}×" if theirs > 0 else "—"]
        lines.append(f"| {row['page']} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def cpu_per_view(result: dict[str, Any], app: str) -> float:
    """Mean server CPU seconds per page view (first renders and reruns alike) over the whole run."""
    keys = ("cpu_first_s", "cpu_county_s", "cpu_rerun_s")
    values = [v for row in result["pages"] for key in keys for v in row[app].get(key, [])]
    return sum(values) / len(values) if values else float("nan")


def summary(result: dict[str, Any]) -> list[str]:
    """How many pages meet the issue's two goals, and the CPU per page view."""
    rows = result["pages"]
    firsts = [_median(r["dashboard"]["first_ms"]) - _median(r["bare"]["first_ms"]) for r in rows]
    ours, bare = cpu_per_view(result, "dashboard"), cpu_per_view(result, "bare")
    first_met = sum(f <= FIRST_RENDER_GOAL_S * 1000 for f in firsts)
    lines = [
        f"- First render within {FIRST_RENDER_GOAL_S:g} s of the bare page: {first_met} "
        f"of {len(rows)} pages (page − bare {min(firsts) / 1000:+.2f} to {max(firsts) / 1000:+.2f} s)."
    ]
    for key in ("county_ms", "rerun_ms") if has_county_pick(result) else ("rerun_ms",):
        ratios = [_median(r["dashboard"][key]) / _median(r["bare"][key]) for r in rows]
        lines.append(
            f"- {RERUN_NAMES[key].capitalize()} within {RERUN_GOAL:g}× the bare page: "
            f"{sum(r <= RERUN_GOAL for r in ratios)} of {len(rows)} pages (page ÷ bare {min(ratios):.2f}× to "
            f"{max(ratios):.2f}×)."
        )
    return [
        *lines,
        f"- Server CPU per page view (mean of every first render and rerun): {ours:.3f} s for the dashboard, "
        f"{bare:.3f} s for the bare twins ({ours / bare:.1f}×).",
        f"- Server CPU beyond the twins' (the dashboard's own work: queries, figures, tables; Streamlit's share is "
        f"the twins'): {ours - bare:.3f} s per page view, {excess_per_rerun(result):.3f} s per township rerun.",
    ]


def excess_per_rerun(result: dict[str, Any]) -> float:
    """Mean server CPU seconds per township rerun beyond the bare twins' over the whole run."""
    ours = [v for row in result["pages"] for v in row["dashboard"]["cpu_rerun_s"]]
    bare = [v for row in result["pages"] for v in row["bare"]["cpu_rerun_s"]]
    return sum(ours) / len(ours) - sum(bare) / len(bare) if ours and bare else float("nan")


def measured_text(result: dict[str, Any], command: str) -> str:
    (l1, l5, _), (e1, e5, _) = result["load"]
    return (
        f"Measured {result['measured_at']} on {result['machine']}, {result['browser']}, by "
        f"`{command}`: medians of {result['repeats']} runs, each page and its twin "
        f"measured one after the other in the same run. Load average (1 min, 5 min) {l1:.2f}, {l5:.2f} at the "
        f"start and {e1:.2f}, {e5:.2f} at the end: other work on the machine shows in every figure, so compare "
        "the page with its twin, not runs of different days."
    )


def markdown_many_counties(result: dict[str, Any], command: str) -> str:
    """The browser section of a store of many counties (bench --browser --data): its own section, after the demo's."""
    store = result["store"]
    return "\n".join(
        [
            f"## Browser at {store['name']} scale: the whole {store['name']}, a county picked, a township picked",
            "",
            measured_text(result, command),
            "",
            *summary(result),
            "",
            f"**How.** As for the demo county (the section above), on the benchmark's {store['name']} store "
            f"(`{store['data']}`). The first render is the whole {store['name']}'s view; then {store['county']} is "
            "typed into the sidebar's 县（市、区） box and picked with Enter (**county pick**, timed from the key to "
            f"settled), then {store['township'][:TYPED]} into the township filter for {store['township']} "
            "(**township rerun**). The bare app's sidebar has the dashboard's division boxes as they stand before a "
            "county is picked (each with as many names) and, once its county box is set, the county's townships; "
            "its twins are the dashboard's whole, county and township views, read by AppTest from this store. "
            "The untimed warm-up's county pick opens that county's own connection where the store is read from its "
            "files (`db.county_store`), so the timed picks read it; the first pick of a county since the server "
            "started, or since an import, is answered from the whole store while the county's connection opens.",
            "",
            timing_table(result),
            "Server CPU per view, medians:",
            "",
            cpu_table(result),
        ]
    )


def markdown(result: dict[str, Any], command: str = "python -m socialwork bench --browser") -> str:
    """The browser section of docs/performance.md."""
    if result.get("store", {}).get("county"):
        return markdown_many_counties(result, command)
    if result.get("phone"):
        texts = (measured_text(result, command), summary(result), timing_table(result), cpu_table(result))
        return phone.markdown(result, *texts)
    return "\n".join(
        [
            "## Browser: first render and township rerun against a bare Streamlit page",
            "",
            measured_text(result, command),
            "",
            *summary(result),
            "",
            "**How.** The dashboard (`python -m socialwork serve` on the demo county, through "
            "`socialwork/bench/server.py`) and a bare Streamlit app (`socialwork/bench/bare_app.py`) run side by "
            "side. The bare app has the dashboard's sidebar (snapshot picker, township filter) and navigation and, "
            "for each page, a twin drawn with plain Streamlit calls from synthetic numbers: the page's own tree of "
            "elements and containers, read from an AppTest run of the page (`socialwork/bench/twin.py`), with each "
            "table's rows and column kinds, each chart's traces, points, shapes and annotations, each metric's "
            "sparkline, each text's length; the county view's elements before a township is picked, the township "
            "view's after. For every repeat and page, the page and its twin (in alternating order) are opened in a "
            "new browser context (a new session, and an empty cache: Streamlit's scripts are fetched, as on a "
            "browser's first visit) and timed from navigation to settled (**first render**); then "
            f"{result['township']} is typed into the sidebar's filter and picked with Enter, and timed from the key "
            'to settled (**township rerun**). Settled: `stApp` has `data-test-script-state="notRunning"`, no '
            '`[data-stale="true"]` and no skeleton remain, and a MutationObserver has seen no DOM change for '
            "500 ms; the time of the last change is the settle time. The dashboard forgets its cached query "
            "results before each first render (the township's own reads then run; the county view's shared ones "
            "are cached, as for one person's session). One untimed visit of each page warms both servers first. "
            "Elements are counted as metrics / charts / tables / texts (titles, markdown, captions, badges, "
            "alerts) / buttons. Server CPU is each server process's user + system time from `/proc/<pid>/stat` "
            "(10 ms ticks), read before and after each step; the browser's own CPU is not included.",
            "",
            timing_table(result),
            "Server CPU per view, medians:",
            "",
            cpu_table(result),
        ]
    )
