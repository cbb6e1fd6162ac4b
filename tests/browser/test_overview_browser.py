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
# The places the map outlines (maps.outline_style), by name: plotly keeps each path's location code on its datum.
OUTLINED = """() => {
  const chart = document.querySelector('.st-key-overview_map .js-plotly-plot');
  const names = Object.fromEntries(chart.data.flatMap((t) => (t.customdata || []).map((c) => [c[1], c[0]])));
  return [...chart.querySelectorAll('path.choroplethlocation')]
    .filter((p) => getComputedStyle(p).strokeWidth === '4px').map((p) => names[p.__data__.loc]);
}"""
DIMMED = """() => [...document.querySelectorAll('.st-key-overview_map path, .st-key-overview_map text')]
  .filter((e) => getComputedStyle(e).opacity !== '1' || getComputedStyle(e).fillOpacity !== '1').length"""


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
    assert page.evaluate(OUTLINED) == []
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
    assert page.evaluate(OUTLINED) == ["河口镇"]
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


def test_a_click_on_the_map_filters_to_the_place_and_outlines_it_dimming_nothing(server_url, page):
    from tests.browser.test_plotly_lite_browser import FILTERED, INSIDE_A_PLACE

    page.goto(f"{server_url}/?asof=2026-10-31")
    settle(page)
    chart = page.locator(".st-key-overview_map .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    point = chart.evaluate(INSIDE_A_PLACE)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function(FILTERED)
    settle(page)
    township = heading(page).split("范围：")[1]
    assert page.evaluate(OUTLINED) == [township]
    assert page.evaluate(DIMMED) == 0  # plotly's selection would dim every other place until the next click
