"""A real dashboard server and Debian's Chromium, driven by Playwright (no browser download)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialwork.cluster.serving import (  # shared with the browser benchmark
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    plain_streamlit_command,
    serve_command,
    start_server,
    stop_server,
)
from socialwork.data import settings

SCREENSHOTS = settings.REPO_ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """One dashboard for the session's ordinary browser tests."""
    port = free_port()
    process = start_server(serve_command(port), port)
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


@pytest.fixture
def fresh_server():
    """Start a brand-new server (for first-visit deep links); stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(kind: str = "serve", env: dict[str, str] | None = None) -> str:
        port = free_port()
        command = serve_command(port) if kind == "serve" else plain_streamlit_command(port)
        started.append(start_server(command, port, env))
        return f"http://127.0.0.1:{port}"

    yield start
    for process in started:
        stop_server(process)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: the test command installs Debian's chromium package")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


IDLE = """() => document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]') !== null
    && !document.querySelector('[data-stale="true"]')
    && document.querySelector('[data-testid="stMain"] h1') !== null"""


def settle(page, timeout_ms: int = 30000) -> None:
    """Wait until Streamlit has finished its runs: idle, nothing stale, and the page unchanged half a second later.

    A first session may run the script twice (see filtering.ensure_entrypoint); a single idle check can fall
    between the two runs.
    """
    size = "() => document.querySelector('[data-testid=\"stMain\"]').innerText.length"
    for _ in range(40):
        page.wait_for_timeout(200)
        page.wait_for_function(IDLE, timeout=timeout_ms)
        before = page.evaluate(size)
        page.wait_for_timeout(500)
        if page.evaluate(IDLE) and page.evaluate(size) == before:
            return
    raise AssertionError("the dashboard never settled")


def full_page_screenshot(page, name: str) -> Path:
    """Streamlit scrolls inside stMain: grow the viewport to its height, then shoot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": max(720, height)})
    page.wait_for_timeout(500)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 720})
    return path
