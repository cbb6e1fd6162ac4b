"""What only a browser shows: Chinese glyphs, the stamp, figures, filters, deep links on a fresh server."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import quote

import pytest

from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures.metrics import HEADLINE_METRICS
from socialwork.present.words.formatting import format_value
from tests.browser.conftest import full_page_screenshot, settle

pytestmark = pytest.mark.browser

# Draw a character on a canvas; a missing glyph draws the same "tofu" box as an unassigned code point.
GLYPH_IS_DRAWN = """([text, font]) => {
  const draw = (t) => { const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = font; g.fillText(t, 4, 48); return c.toDataURL(); };
  return draw(text) !== draw('\\u{E0FFF}');
}"""


OVERVIEW_TITLE = "XX县社会工作人才支持专项工作 · 总览"


def cli_headline(*args: str) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "socialwork", "kpis", "--json", *args],
        capture_output=True, text=True, cwd=settings.REPO_ROOT, check=True,
    )  # fmt: skip
    payload = json.loads(result.stdout)
    return {
        k["label"]: format_value(k["value"], k["decimals"], k["unit"])
        for k in payload["kpis"]
        if k["metric_key"] in HEADLINE_METRICS
    }


def shown_metrics(page, expected: int = 1) -> dict[str, str]:
    """Metric label -> value, once at least `expected` metrics are on the page."""
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= n", arg=expected
    )
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def heading(page) -> str:
    return page.locator('[data-testid="stMain"] h4').first.inner_text()


def test_overview_shows_stamp_figures_and_chinese_glyphs(server_url, page):
    page.goto(server_url)
    settle(page)
    assert "数据截至 2026年10月31日 · 范围：全县" in heading(page)
    expected = cli_headline("--as-of", LAST_SNAPSHOT.isoformat())
    assert shown_metrics(page, len(expected)) == expected
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).font")
    for text in ["社", "工", "县"]:
        assert page.evaluate(GLYPH_IS_DRAWN, [text, font]), f"{text} renders as a box: no CJK font"
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    full_page_screenshot(page, "overview_county")


def test_township_filter_in_the_sidebar_updates_figures_and_url(server_url, page):
    page.goto(f"{server_url}/?asof=2025-12-31")
    settle(page)
    page.locator('[data-testid="stMultiSelect"]').click()
    page.keyboard.type("河口")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('[data-testid=\"stMain\"] h4').innerText.includes('河口镇')")
    settle(page)
    expected = cli_headline("--as-of", "2025-12-31", "--township", "河口镇")
    assert shown_metrics(page, len(expected)) == expected
    assert f"township={quote('河口镇')}" in page.url and "asof=2025-12-31" in page.url
    full_page_screenshot(page, "overview_township")


@pytest.mark.parametrize(("launcher", "path"), [("serve", "/"), ("serve", "/targets"), ("plain-streamlit", "/targets")])
def test_deep_link_with_filters_on_a_fresh_server(fresh_server, browser, launcher, path):
    url = fresh_server(launcher)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{url}{path}?asof=2024-12-31&township={quote('城关街道')}&township={quote('马坪乡')}")
    settle(page)
    assert page.locator("h1").first.inner_text() == ("目标进度" if path == "/targets" else OVERVIEW_TITLE)
    assert "数据截至 2024年12月31日 · 范围：城关街道、马坪乡" in heading(page)
    expected = cli_headline("--as-of", "2024-12-31", "--township", "城关街道", "--township", "马坪乡")
    # A first session on a plain `streamlit run` renders twice (legacy pages/ mode, then the rerun).
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= n", arg=len(expected)
    )
    settle(page)
    shown = shown_metrics(page)
    assert {label: shown[label] for label in expected} == expected
    context.close()
