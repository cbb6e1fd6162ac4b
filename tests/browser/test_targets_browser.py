"""目标进度 in a real browser: legible at 1280×720, figures equal to the CLI, navigation keeps the filter."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import unquote

import pytest

from socialwork.data import settings
from socialwork.present.words.formatting import format_value
from tests.browser.conftest import SCREENSHOTS, full_page_screenshot, settle
from tests.browser.test_overview_browser import shown_metrics

pytestmark = pytest.mark.browser


def cli_values(*args: str) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "socialwork", "kpis", "--json", *args],
        capture_output=True, text=True, cwd=settings.REPO_ROOT, check=True,
    )  # fmt: skip
    return {k["label"]: format_value(k["value"], k["decimals"], k["unit"]) for k in json.loads(result.stdout)["kpis"]}


def test_targets_page_at_1280_by_720(server_url, page):
    page.goto(f"{server_url}/targets?asof=2026-10-31")
    settle(page)
    expected = cli_values("--as-of", "2026-10-31")
    assert shown_metrics(page, len(expected)) == expected
    # The first screen a projector shows: title, stamp, status summary and the first row of cards.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "targets_1280x720.png"))
    first_card = page.locator('[data-testid="stMetricValue"]').first.bounding_box()
    assert first_card is not None and first_card["y"] + first_card["height"] < 720, "first card below the fold"
    font_px = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-testid=\"stMetricValue\"]')).fontSize)"
    )
    assert font_px >= 28, "KPI values must read from the back of a room"
    full_page_screenshot(page, "targets_county")


def test_navigation_keeps_the_township_filter(server_url, page):
    page.goto(f"{server_url}/?asof=2025-12-31&township=%E9%A9%AC%E5%9D%AA%E4%B9%A1")
    settle(page)
    page.get_by_role("link", name="目标进度").click()
    page.wait_for_url("**/targets**")
    settle(page)
    assert "范围：马坪乡" in page.locator('[data-testid="stMain"] h4').first.inner_text()
    assert "township=马坪乡" in unquote(page.url) and "asof=2025-12-31" in page.url
    expected = cli_values("--as-of", "2025-12-31", "--township", "马坪乡")
    assert shown_metrics(page, len(expected)) == expected
    full_page_screenshot(page, "targets_township")
