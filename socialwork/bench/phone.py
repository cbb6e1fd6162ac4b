"""The phone case of `bench --browser --phone` (issue 32): a 390×844 phone whose CPU is slowed 4× on a 4 Mbps link
with 60 ms round trips, as `bench --link` has it, for the dashboard's page and its bare twin alike.

On a phone the sidebar is folded away: a person opens it (the ☰ control) before picking a township, and so does
the benchmark, for both apps, before the rerun is timed (the Enter key starts the clock, as on the desktop).
"""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT = 390, 844
CPU_SLOWDOWN = 4
MBPS = 4
LATENCY_MS = 60
OPEN_SIDEBAR = '[data-testid="stExpandSidebarButton"]'


def new_context(chromium) -> Any:
    return chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=3, is_mobile=True,
                                has_touch=True, locale="zh-CN")  # fmt: skip


def slow_down(context, tab) -> None:
    """The phone's link and CPU, from DevTools, before the page is opened."""
    cdp = context.new_cdp_session(tab)
    rate = MBPS * 1_000_000 / 8
    cdp.send("Network.enable")
    link = {"offline": False, "latency": LATENCY_MS, "downloadThroughput": rate, "uploadThroughput": rate}
    cdp.send("Network.emulateNetworkConditions", link)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def open_sidebar(tab, timeout_ms: float) -> None:
    """Unfold the sidebar as a person taps ☰ (nothing to do where it is open already)."""
    if tab.locator('[data-testid="stSidebar"][data-collapsed="false"]').count():
        return
    tab.locator(OPEN_SIDEBAR).first.click(timeout=timeout_ms)
    tab.locator('[data-testid="stSidebar"][data-collapsed="false"]').wait_for(timeout=timeout_ms)


def describe() -> str:
    return f"{WIDTH}×{HEIGHT} phone, CPU {CPU_SLOWDOWN}× slower, {MBPS} Mbps / {LATENCY_MS} ms"


def markdown(result: dict[str, Any], measured: str, summary: list[str], timing: str, cpu: str) -> str:
    """The phone's browser section (bench --browser --phone): the same pages and twins on a slow phone, given
    browser.py's texts and tables of the run."""
    return "\n".join([
        "## Browser on a phone: first render and township rerun against a bare Streamlit page",
        "",
        measured,
        "",
        *summary,
        "",
        f"**How.** As the section \"Browser: first render and township rerun against a bare Streamlit page\", on a "
        f"{describe()} (Chromium's emulation, as `bench --link` has it), for the dashboard and its bare twin alike. "
        f"The sidebar is folded away on a phone: it is opened (☰) before {result['township']} is typed, and the "
        "rerun is timed from the Enter key to settled. The twins are served by plain `streamlit run`, without the "
        "dashboard's compressed static files (docs/performance.md, \"On a county's link\"): on this link their first "
        "render is the slower for that alone, so the first renders are `bench --link`'s to judge; the reruns compare.",
        "",
        timing,
        "Server CPU per view, medians:",
        "",
        cpu,
    ])  # fmt: skip
